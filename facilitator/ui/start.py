"""Start page: choose the team, see its open follow-ups and history, start a meeting."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from facilitator import validation
from facilitator.exercise import STEPS, TOTAL_DEFAULT_MINUTES, default_plan_minutes, suggest_case
from facilitator.privacy import REMINDER
from facilitator.storage import Team
from facilitator.ui.common import case_by_number, cases, flash, guarded, show_flashes, storage
from facilitator.ui.follow_ups import follow_up_list


def _team_from_query() -> str:
    return str(st.query_params.get("team", ""))


def render() -> None:
    st.title("Borgercases – teammødet")
    st.caption(
        "En kort øvelse på 15 minutter med en borgercase, ur, noter og aftaler om opfølgning."
    )
    show_flashes()
    st.info(REMINDER, icon=":material/lock:")

    raw_team = st.text_input(
        "Team",
        value=_team_from_query(),
        max_chars=validation.MAX_NAME,
        placeholder="Fx Integrationsteam Nord",
        help="Teamets navn. Teamets tidligere møder og åbne aftaler vises, når navnet er skrevet.",
        key="team_input",
    )
    if not raw_team.strip():
        st.write("Skriv teamets navn for at starte et møde eller se teamets historik.")
        return
    try:
        name = validation.team_name(raw_team)
    except validation.InputError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    if st.query_params.get("team") != name:
        st.query_params["team"] = name
    team = storage().find_team(name)

    if team is not None:
        _open_follow_ups(team)
    _new_meeting_form(name, team)
    if team is not None:
        _history(team)


def _open_follow_ups(team: Team) -> None:
    open_items = storage().follow_ups(team.id, open_only=True)
    st.subheader(f"Åbne aftaler fra tidligere møder ({len(open_items)})")
    if not open_items:
        st.write("Teamet har ingen åbne aftaler.")
        return
    st.write("Gå aftalerne igennem, før I tager en ny case. Sæt flueben ved dem, der er udført.")
    follow_up_list(open_items, key_prefix="start")


def _new_meeting_form(name: str, team: Team | None) -> None:
    st.subheader("Start et nyt møde")
    all_cases = cases()
    discussed = (
        [(m.case_number, m.meeting_date) for m in storage().team_meetings(team.id)] if team else []
    )
    suggestion = suggest_case([c.number for c in all_cases], discussed)
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
            height=120,
            help="Bruges til at vælge ordstyrer og til at fordele opfølgning. Kun kollegers navne.",
        )
        numbers = [c.number for c in all_cases]
        case_number = st.selectbox(
            "Case",
            options=numbers,
            index=numbers.index(suggestion),
            format_func=lambda n: labels[n],
            help="Forslaget er en case, teamet ikke har drøftet endnu.",
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
        _start_meeting(name, meeting_date, next_date, participants_raw, case_number, minutes)


@guarded
def _start_meeting(
    name: str,
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
    team = store.get_or_create_team(name)
    meeting_id = store.create_meeting(
        team, meeting_date, case_number, participants, [m * 60 for m in plan], next_meeting
    )
    st.query_params.clear()
    st.query_params["m"] = meeting_id
    flash("Mødet er oprettet. Adressen i browseren fører altid tilbage til mødet.")
    st.rerun()


def _history(team: Team) -> None:
    meetings = storage().team_meetings(team.id)
    st.subheader(f"Teamets møder ({len(meetings)})")
    if not meetings:
        st.write("Ingen møder endnu.")
        return
    for m in meetings:
        case = case_by_number(m.case_number)
        title = case.title if case else f"Case {m.case_number}"
        cols = st.columns([2, 5, 2, 2])
        cols[0].write(m.meeting_date.strftime("%d.%m.%Y"))
        cols[1].write(f"Case {m.case_number}: {title}")
        cols[2].write(f"{m.follow_ups} aftaler, {m.open_follow_ups} åbne")
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
        confirm = st.text_input("Teamets navn", key="confirm_delete_team")
        if st.button("Slet alt for teamet", type="secondary", icon=":material/delete_forever:"):
            _delete_team(team, confirm)


def _open_meeting(meeting_id: str) -> None:
    st.query_params.clear()
    st.query_params["m"] = meeting_id


@guarded
def _delete_team(team: Team, confirm: str) -> None:
    if confirm.strip().casefold() != team.name.casefold():
        raise validation.InputError("Navnet passer ikke. Intet er slettet.")
    storage().delete_team(team.id)
    st.query_params.clear()
    flash(f"Alle data for {team.name} er slettet.")
    st.rerun()
