"""Start page: choose the team, see its open follow-ups and history, start a meeting."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from facilitator import timer as tm
from facilitator import validation
from facilitator.exercise import (
    STEPS,
    TOTAL_DEFAULT_MINUTES,
    default_plan_minutes,
    last_discussed,
    suggest_case,
    unfinished_today,
)
from facilitator.exports import literal
from facilitator.privacy import REMINDER
from facilitator.records import MeetingSummaryRow, Team
from facilitator.teamcode import DEVICE_DAYS
from facilitator.ui import access, address
from facilitator.ui.common import case_by_number, cases, flash, guarded, show_flashes, storage
from facilitator.ui.follow_ups import follow_up_list, open_or_just_done


def render() -> None:
    st.title("Borgercases – teammødet")
    st.caption(
        "En kort øvelse på 15 minutter med en borgercase, ur, noter og aftaler om opfølgning."
    )
    team = access.current_team()  # first: a wrong team link leaves a message to show
    show_flashes()
    st.info(REMINDER, icon=":material/lock:")
    if team is None:
        _choose_team()
        return
    _team_header(team)
    meetings = storage().team_meetings(team.id)
    _meeting_in_progress(meetings)
    _open_follow_ups(team)
    _new_meeting_form(team, meetings)
    _history(team, meetings)


def link_question() -> None:
    """A link with another team than the one this computer remembers: open it only on »Ja«."""
    asked = access.link_question()
    if asked is None:
        return
    linked, remembered = asked
    st.title("Borgercases – teammødet")
    st.subheader(f"Åbn {literal(linked.name)} i stedet for {literal(remembered.name)}?")
    st.write(
        f"Linket åbner {literal(linked.name)}. Denne computer husker {literal(remembered.name)}. "
        "Åbn kun et andet team, hvis du stoler på, hvor linket kommer fra."
    )
    cols = st.columns(2)
    cols[0].button(
        f"Ja, åbn {literal(linked.name)}",
        key="link_accept",
        on_click=guarded(access.accept_link),
        icon=":material/swap_horiz:",
    )
    cols[1].button(
        f"Nej, behold {literal(remembered.name)}",
        key="link_refuse",
        on_click=guarded(access.refuse_link),
        type="primary",
        icon=":material/lock:",
    )


def _choose_team() -> None:
    st.write(
        "Hvert team har sit eget rum med møder, noter og aftaler. Åbn jeres team med teamets kode, "
        "eller opret et nyt team."
    )
    if access.sso_configured():
        _single_sign_on()
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("Åbn jeres team")
        with st.form("open_team", enter_to_submit=True):
            code = st.text_input(
                "Teamkode",
                type="password",
                max_chars=validation.MAX_TEAM_CODE,
                placeholder="XXXX-XXXX-XXXX-XXXX",
                key="team_code_input",
                help="Koden fik teamet, da det blev oprettet. Teamets link indeholder den også.",
            )
            if st.form_submit_button("Åbn teamet", icon=":material/lock_open:"):
                _open_team(code)
    with right:
        st.subheader("Nyt team")
        with st.form("new_team", enter_to_submit=True):
            name = st.text_input(
                "Teamets navn",
                max_chars=validation.MAX_NAME,
                placeholder="Fx Integrationsteam Nord",
                key="team_name_input",
            )
            if st.form_submit_button("Opret team", icon=":material/group_add:"):
                _create_team(name)


def _single_sign_on() -> None:
    subject = access.sso_subject()
    if subject is None:
        st.button("Log ind med organisationens konto", on_click=st.login, icon=":material/login:")
        return
    teams = storage().member_teams(subject)
    if teams:
        st.subheader("Dine teams")
        for team in teams:
            st.button(
                literal(team.name),
                key=f"member_{team.id}",
                on_click=access.enter_as_member,
                args=(team,),
            )
    st.button("Log ud", on_click=st.logout, icon=":material/logout:")


@guarded
def _open_team(code: str) -> None:
    if not code.strip():
        raise validation.InputError("Skriv teamets kode.")
    with st.spinner("Tjekker koden …"):  # may wait while others guess at this team's code
        team = access.open_with_code(code)
    if team is None:  # Throttled is a StorageError: shown by @guarded
        raise validation.InputError(access.WRONG_CODE)
    st.rerun()


@guarded
def _create_team(raw_name: str) -> None:
    name = validation.team_name(raw_name)
    # Counted per client; CreateThrottled is a StorageError: shown by @guarded, name kept.
    team, code = storage().create_team(name, access.client_address())
    access.enter(team)
    st.session_state[access.NEW_CODE] = (team.id, code)
    st.rerun()


def _team_header(team: Team) -> None:
    cols = st.columns([4, 1], vertical_alignment="center")
    cols[0].header(literal(team.name))
    cols[1].button("Skift team", on_click=access.leave, icon=":material/swap_horiz:")
    new_code = st.session_state.get(access.NEW_CODE)
    if isinstance(new_code, tuple) and new_code[0] == team.id:
        _show_code(new_code[1], first=not st.session_state.get("_code_replaced", False))
    with st.expander("Teamets kode og adgang"):
        st.write(
            "Koden gemmes kun krypteret (som hash) og kan ikke vises igen. Har I mistet den, "
            "så lav en ny – den gamle holder op med at virke med det samme, og alle andre "
            "browsere, der har teamet åbent, skal bruge den nye kode."
        )
        st.button(
            "Lav en ny kode", icon=":material/key:", on_click=guarded(_new_code), args=(team,)
        )
    _members(team)


def _show_code(code: str, first: bool) -> None:
    intro = "Teamet er oprettet." if first else "Teamet har fået en ny kode."
    if address.is_projector():  # the whole room would read it
        st.info(
            f"{intro} Koden vises ikke i projektorvisning. Slå projektorvisning fra for at se den.",
            icon=":material/visibility_off:",
        )
        return
    st.success(
        f"{intro} Teamets kode er **{literal(code)}**. Skriv den ned – den vises kun denne ene "
        "gang; del den kun med teamet. Denne computer holder teamet åbent – også efter en "
        "genindlæsning "
        f"eller en genstart af browseren – indtil nogen trykker »Skift team« eller »Glem denne "
        f"computer« (højst {DEVICE_DAYS} dage).",
        icon=":material/key:",
    )
    st.button("Jeg har gemt koden", key="code_saved", on_click=_code_saved)


def _code_saved() -> None:
    st.session_state.pop(access.NEW_CODE, None)
    st.session_state.pop("_code_replaced", None)


def _new_code(team: Team) -> None:
    code = storage().new_team_code(team.id)
    access.enter(team)
    st.session_state[access.NEW_CODE] = (team.id, code)
    st.session_state["_code_replaced"] = True


def _members(team: Team) -> None:
    """Single-sign-on users who have opened the team; each can be removed."""
    members = storage().members(team.id)
    if not members and not access.sso_configured():
        return
    with st.expander(f"Medlemmer med single sign-on ({len(members)})"):
        if not members:
            st.write("Ingen har åbnet teamet med organisationens konto endnu.")
        st.caption("En ny kode fjerner alle medlemmer; de skal åbne teamet med den nye kode.")
        for m in members:
            cols = st.columns([5, 2], vertical_alignment="center")
            cols[0].text(f"{m.subject} (siden {m.created_at.strftime('%d.%m.%Y')})")
            cols[1].button(
                "Fjern",
                key=f"remove_member_{m.subject}",
                on_click=guarded(_remove_member),
                args=(team, m.subject),
                icon=":material/person_remove:",
            )


def _remove_member(team: Team, subject: str) -> None:
    storage().remove_member(team.id, subject)
    flash("Medlemmet er fjernet og har ikke længere adgang til teamet.")


def _clock(row: MeetingSummaryRow) -> str:
    if row.status == tm.RUNNING:
        return "Uret kører."
    return "Uret står på pause." if row.clock_started else "Uret er ikke startet."


def _meeting_in_progress(meetings: list[MeetingSummaryRow]) -> None:
    """Today's unfinished meeting first on the team's page (after Back, »Nyt møde« or a
    reload of the team's page), with the way back into it."""
    row = unfinished_today(meetings, date.today())
    if row is None:
        return
    case = case_by_number(row.case_number)
    title = literal(case.title) if case else ""
    index = min(max(row.current_step, 0), len(STEPS) - 1)
    with st.container(border=True, key="meeting_in_progress"):
        st.subheader("Mødet er i gang")
        st.write(
            f"Case {row.case_number:d}: {title}. Trin {index + 1} af {len(STEPS)}: "
            f"{literal(STEPS[index].short)}. {literal(_clock(row))}"
        )
        st.button(
            "Fortsæt mødet",
            key="continue_meeting",
            type="primary",
            on_click=_open_meeting,
            args=(row.id,),
            icon=":material/play_arrow:",
        )


def _open_follow_ups(team: Team) -> None:
    items = open_or_just_done(team.id)
    open_items = [f for f in items if not f.done]
    st.subheader(f"Åbne aftaler fra tidligere møder ({len(open_items)})")
    if not items:
        st.write("Teamet har ingen åbne aftaler.")
        return
    st.write("Gå aftalerne igennem, før I tager en ny case. Sæt flueben ved dem, der er udført.")
    follow_up_list(team.id, items, key_prefix="start")


def _new_meeting_form(team: Team, meetings: list[MeetingSummaryRow]) -> None:
    st.subheader("Start et nyt møde")
    all_cases = cases()
    discussed = [(m.case_number, m.meeting_date) for m in meetings]
    suggestion = suggest_case([c.number for c in all_cases], discussed)
    suggested = next(c for c in all_cases if c.number == suggestion)
    discussed_numbers = {n for n, _ in discussed}
    labels = {
        c.number: f"{c.label} – {', '.join(c.themes)} – {c.reading_time} min."
        + ("" if c.number not in discussed_numbers else " (drøftet før)")
        for c in all_cases
    }
    with st.form("new_meeting", clear_on_submit=False, enter_to_submit=False):
        col1, col2 = st.columns(2)
        meeting_date = col1.date_input("Mødedato", value=date.today(), format="DD.MM.YYYY")
        next_date = col2.date_input(
            "Næste møde (standardfrist for aftaler)",
            value=date.today() + timedelta(days=7),
            format="DD.MM.YYYY",
        )
        participants_raw = st.text_area(
            "Deltagere (valgfrit, ét navn pr. linje)",
            value="\n".join(storage().last_participants(team.id)),
            height=120,
            max_chars=validation.MAX_PARTICIPANTS_TEXT,
            help="Udfyldt med deltagerne fra teamets seneste møde. Bruges til at vælge ordstyrer "
            "og til at fordele opfølgning. Kun kollegers navne.",
        )
        numbers = [c.number for c in all_cases]
        case_number = st.selectbox(
            "Case",
            options=numbers,
            index=numbers.index(suggestion),
            format_func=lambda n: labels[n],
            # Typed words are looked for as written (»sprog« finds the cases with the theme
            # Sprog), not as scattered letters that match almost every long title.
            filter_mode="contains",
            help="Skriv et ord fra titlen eller et tema for at finde en case.",
        )
        st.markdown(
            f"**Forslag: {literal(suggested.label)}** – "
            + literal(_why_suggested(suggestion, discussed))
        )
        with st.expander(f"Tid pr. trin (i alt {TOTAL_DEFAULT_MINUTES} minutter som standard)"):
            minutes: list[float | int | None] = []
            cols = st.columns(len(STEPS))
            for col, step, default in zip(cols, STEPS, default_plan_minutes(), strict=True):
                minutes.append(
                    col.number_input(
                        f"{step.short} (min.)", min_value=None, value=default, step=1, format="%d"
                    )
                )
        submitted = st.form_submit_button(
            "Start mødet", type="primary", icon=":material/play_arrow:"
        )
    if submitted:
        _start_meeting(team, meeting_date, next_date, participants_raw, case_number, minutes)


def _why_suggested(number: int, discussed: list[tuple[int, date]]) -> str:
    last = last_discussed(number, discussed)
    if last is None:
        return "teamet har ikke drøftet den endnu. Vælg en anden case herover, hvis I vil."
    return (
        f"alle cases er drøftet; denne er drøftet for længst siden ({last.strftime('%d.%m.%Y')})."
        " Vælg en anden case herover, hvis I vil."
    )


@guarded
def _start_meeting(
    team: Team,
    meeting_date: object,
    next_date: object,
    participants_raw: str,
    case_number: int,
    minutes: list[float | int | None],
) -> None:
    if not isinstance(meeting_date, date):
        raise validation.InputError("Vælg en mødedato.")
    next_meeting = next_date if isinstance(next_date, date) else None
    if next_meeting is not None and next_meeting < meeting_date:
        raise validation.InputError("Næste møde kan ikke ligge før dette møde.")
    participants = validation.participants(participants_raw)
    plan = validation.step_minutes(minutes)
    if case_by_number(case_number) is None:
        raise validation.InputError("Vælg en af de ti cases.")
    store = storage()
    meeting_id = store.create_meeting(
        team, meeting_date, case_number, participants, [m * 60 for m in plan], next_meeting
    )
    address.open_meeting(meeting_id)
    flash("Mødet er oprettet. Adressen i browseren fører altid tilbage til mødet.")
    st.rerun()


def _history(team: Team, meetings: list[MeetingSummaryRow]) -> None:
    st.subheader(f"Teamets møder ({len(meetings)})")
    if not meetings:
        st.write("Ingen møder endnu.")
        return
    for m in meetings:
        case = case_by_number(m.case_number)
        title = case.title if case else f"Case {m.case_number:d}"
        cols = st.columns([2, 5, 2, 2])
        cols[0].write(m.meeting_date.strftime("%d.%m.%Y"))
        cols[1].write(f"Case {m.case_number:d}: {title}")
        cols[2].write(f"{m.follow_ups:d} aftaler, {m.open_follow_ups:d} åbne")
        cols[3].button(
            "Åbn mødet",
            key=f"open_{m.id}",
            on_click=_open_meeting,
            args=(m.id,),
            icon=":material/open_in_new:",
        )
    with st.expander("Slet teamets data"):
        st.write(
            "Sletter alle teamets møder, noter og aftaler for altid. "
            "Skriv teamets navn for at bekræfte."
        )
        confirm = st.text_input(
            "Teamets navn", key="confirm_delete_team", max_chars=validation.MAX_NAME
        )
        asked = st.session_state.get("confirm_delete_team_asked") == team.id
        if not asked:
            if st.button("Slet alt for teamet …", icon=":material/delete_forever:"):
                _ask_delete_team(team, confirm)
        else:
            st.warning(
                f"Vil du slette alle {len(meetings)} møder med noter og aftaler for "
                f"{literal(team.name)}? Det kan ikke fortrydes.",
                icon=":material/warning:",
            )
            if st.button("Ja, slet alt for teamet", icon=":material/delete_forever:"):
                _delete_team(team, confirm)
            st.button("Fortryd", key="cancel_delete_team", on_click=_cancel_delete_team)


def _open_meeting(meeting_id: str) -> None:
    address.open_meeting(meeting_id)


def _cancel_delete_team() -> None:
    st.session_state.pop("confirm_delete_team_asked", None)


@guarded
def _ask_delete_team(team: Team, confirm: str) -> None:
    if confirm.strip().casefold() != team.name.casefold():
        raise validation.InputError("Navnet passer ikke. Intet er slettet.")
    st.session_state["confirm_delete_team_asked"] = team.id
    st.rerun()


@guarded
def _delete_team(team: Team, confirm: str) -> None:
    st.session_state.pop("confirm_delete_team_asked", None)
    if confirm.strip().casefold() != team.name.casefold():
        raise validation.InputError("Navnet passer ikke. Intet er slettet.")
    storage().delete_team(team.id)
    access.leave()
    address.team_page(None)
    flash(f"Alle data for {literal(team.name)} er slettet.")
    st.rerun()
