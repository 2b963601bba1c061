"""Page shell: configuration, sidebar, projector mode and routing by the address."""

from __future__ import annotations

import os

import streamlit as st

from facilitator.deployment import cookie_secret_problem
from facilitator.exports import literal
from facilitator.records import Meeting, StorageError, Team
from facilitator.ui import access, address, exports_view, meeting, participant, start
from facilitator.ui.common import (
    GENERIC_ERROR,
    apply_styles,
    case_by_number,
    flash,
    guarded,
    log_failure,
    page_helper,
    site_url,
    storage,
)


def favicon() -> str:
    """The tab's icon from Streamlit's static folder (static/ beside app.py, served because
    .streamlit/config.toml sets enableStaticServing). Not a data URL: the Content-Security-Policy
    allows no data: images. Not a file's path either: Streamlit keeps an image given as a file in
    its media file manager once per session, and after every script run of every session it walks
    all sessions' files to find orphans (under one lock) – with 240 phones open that walk was a
    measurable share of each run."""
    return "/app/static/favicon.png"


def _set_projector() -> None:
    address.set_projector(bool(st.session_state.get("projector_toggle")))


def _exit_projector() -> None:
    address.set_projector(False)
    # The sidebar's switch follows, so its first click turns projector mode on again.
    st.session_state["projector_toggle"] = False


def _new_meeting(team: Team) -> None:
    """Back to the team's page – open only if this session has opened the team (code or SSO)."""
    access.show_team_page(team.id)


def _sidebar(current: Meeting | None) -> None:
    with st.sidebar:
        st.markdown("### Borgercases")
        st.session_state["projector_toggle"] = address.is_projector()
        st.toggle(
            "Projektorvisning",
            key="projector_toggle",
            on_change=_set_projector,
            help="Stor tekst og høj kontrast uden sidepanel. Slå fra igen med knappen øverst.",
        )
        st.toggle("Lyd, når tiden for et trin er gået", value=True, key="sound")
        st.link_button("Åbn sitet med alle cases", site_url(), icon=":material/menu_book:")
        # Always one slot, filled or not: the browser reports the remembered computer only
        # after the page's first run, and a button appearing then would shift every element
        # below it, so Streamlit would redraw them and close a panel the user just opened.
        with st.container():
            if access.remembered():
                _forget_button()
        if current is None:
            return
        st.divider()
        st.button(
            "Nyt møde / teamets historik",
            on_click=_new_meeting,
            args=(current.team,),
            icon=":material/home:",
        )
        case = case_by_number(current.case_number)
        if case is not None:
            with st.expander("Referat og aftaler"):
                exports_view.render(current, case)
        with st.expander("Slet mødet"):
            st.write("Sletter mødet med noter og aftaler for altid.")
            confirm_key = f"confirm_delete_meeting_{current.id}"
            if not st.session_state.get(confirm_key):
                st.button(
                    "Slet mødet …",
                    icon=":material/delete_forever:",
                    key="delete_meeting",
                    on_click=_ask,
                    args=(confirm_key, True),
                )
            else:
                st.warning(
                    "Vil du slette mødet? Det kan ikke fortrydes.", icon=":material/warning:"
                )
                st.button(
                    "Ja, slet mødet",
                    icon=":material/delete_forever:",
                    key="delete_meeting_confirmed",
                    on_click=guarded(_delete),
                    args=(current,),
                )
                st.button(
                    "Fortryd", key="delete_meeting_cancel", on_click=_ask, args=(confirm_key, False)
                )


def _forget_button() -> None:
    st.button(
        "Glem denne computer",
        on_click=access.forget_this_computer,
        icon=":material/logout:",
        help="Til en fælles computer i mødelokalet: lukker teamet her, så næste bruger "
        "skal bruge teamets kode.",
    )


def _ask(key: str, on: bool) -> None:
    st.session_state[key] = on


def _delete(current: Meeting) -> None:
    storage().delete_meeting(current.team.id, current.id)
    _new_meeting(current.team)
    flash("Mødet er slettet.")


def _phone(code: str) -> None:
    """A participant's phone: one meeting's participant page, and nothing of the team."""
    st.set_page_config(
        page_title="Borgercases – deltag i teammødet",
        page_icon=favicon(),
        layout="centered",
        initial_sidebar_state="collapsed",
    )
    apply_styles(False, phone=True)
    try:
        participant.render(code)
    except Exception as exc:
        _failed(exc)
    page_helper(key="bc_phone", view=participant.rendered_view())


def main() -> None:
    refused = cookie_secret_problem(os.environ, several_processes=False)
    if refused:  # the example's cookie secret: nothing is shown or stored until it is changed
        st.error(literal(refused))
        st.stop()
    code = address.join_code()
    if code:
        _phone(code)
        return
    st.set_page_config(
        page_title="Borgercases – teammødet",
        page_icon=favicon(),
        layout="wide",
        initial_sidebar_state="auto",  # collapsed on a narrow window (200 % zoom)
    )
    projector = address.is_projector()
    apply_styles(projector)
    device_store, device_forget = access.device_instruction()
    ask = access.link_in_address()
    try:
        meeting_id = address.meeting_id()
        found = storage().get_meeting(meeting_id) if meeting_id else None
    except Exception as exc:
        page_helper(device_store=device_store, device_forget=device_forget, device_ask=ask)
        _failed(exc)
        return
    # Only a meeting of the team this session has open is shown, even to the helper (the view
    # that scrolls the page to the top): the address alone is no key.
    current = found if found is not None and access.has_team(found.team.id) else None
    device = page_helper(
        view=_view(current, projector),
        projector=projector,
        device_store=device_store,
        device_forget=device_forget,
        device_ask=ask,
    )
    try:
        access.restore_from_device(device)
        team = access.current_team()
        if team is None and found is not None:
            team = access.member_access(found.team)
        shown = found is not None and team is not None and found.team.id == team.id
        current = found if shown else None
        if projector:
            st.button(
                "Afslut projektorvisning",
                key="exit_projector",
                on_click=_exit_projector,
                icon=":material/close_fullscreen:",
            )
        if access.link_question() is not None:
            start.link_question()
            return
        if meeting_id and team is None:
            start.render()  # the team's code first; nothing of the meeting, not even if it exists
        elif meeting_id and current is None:
            st.error("Mødet findes ikke. Måske er det slettet, eller adressen er forkert.")
            start.render()
        elif current is None:
            start.render()
        elif address.is_print_view():
            exports_view.render_print(current)
        else:
            if address.grant():
                address.drop_grant()  # a meeting's address holds only the meeting
            meeting.render(current)
        if team is not None and (current is None or address.is_print_view()):
            _access_heartbeat(team.id)  # the meeting page's heartbeat is its timer panel
        # After the main content, so the page's heading shows first on a slow start.
        _sidebar(current)
    except Exception as exc:
        _failed(exc)


def _failed(exc: Exception) -> None:
    """A Danish message instead of a traceback; after a database outage the page redraws itself
    once the database answers again."""
    if isinstance(exc, StorageError):
        st.error(literal(str(exc)), icon=":material/error:")
        from facilitator.storage.engine import OUTAGES

        if str(exc) in OUTAGES:
            _retry_when_back()
        return
    log_failure("unexpected error", exc)
    st.error(GENERIC_ERROR, icon=":material/error:")


def _view(current: Meeting | None, projector: bool) -> str:
    """What the page shows, for the helper that scrolls to the top when it changes."""
    mode = "p" if projector else "n"
    if current is None:
        return f"start:{mode}"
    if address.is_print_view():
        return f"{current.id}:print:{mode}"
    return f"{current.id}:{meeting.page_state(current)}:{mode}"


@st.fragment(run_every=meeting.TIMER_REFRESH_SECONDS)
def _access_heartbeat(team_id: int) -> None:
    """On the team page and the print page: a new code, »Glem denne computer« in another tab,
    »Skift team«, an expiry or a deletion closes the page within one beat."""
    try:
        still = access.still_open(team_id)
    except Exception:  # a database outage: the page keeps what it shows until it answers
        return
    if not still:
        st.rerun(scope="app")


@st.fragment(run_every=5.0)
def _retry_when_back() -> None:
    """After a database outage: redraw the page by itself once the database answers again."""
    if st.session_state.get("_outage_checks", 0) == 0:
        st.session_state["_outage_checks"] = 1
        return  # the first run is the failed page itself
    try:
        storage().get_meeting("-")
    except Exception:
        st.caption("Siden prøver igen af sig selv, når databasen svarer.")
        return
    st.session_state.pop("_outage_checks", None)
    st.rerun(scope="app")
