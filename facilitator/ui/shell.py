"""Page shell: configuration, sidebar, projector mode and routing by the address."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from facilitator.records import Meeting, StorageError, Team
from facilitator.ui import access, exports_view, meeting, start
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


def _projector() -> bool:
    return st.query_params.get("p") == "1"


def _set_projector() -> None:
    if st.session_state.get("projector_toggle"):
        st.query_params["p"] = "1"
    else:
        st.query_params.pop("p", None)


def _exit_projector() -> None:
    st.query_params.pop("p", None)


def _new_meeting(team: Team) -> None:
    """Back to the team's page – open only if this session has opened the team (code or SSO)."""
    access.show_team_page(team.id)


def _sidebar(current: Meeting | None) -> None:
    with st.sidebar:
        st.markdown("### Borgercases")
        st.toggle(
            "Projektorvisning",
            value=_projector(),
            key="projector_toggle",
            on_change=_set_projector,
            help="Stor tekst og høj kontrast uden sidepanel. Slå fra igen med knappen øverst.",
        )
        st.toggle("Lyd, når tiden for et trin er gået", value=True, key="sound")
        st.link_button("Åbn sitet med alle cases", site_url(), icon=":material/menu_book:")
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
            if st.button("Slet mødet", icon=":material/delete_forever:", key="delete_meeting"):
                _delete(current)


@guarded
def _delete(current: Meeting) -> None:
    storage().delete_meeting(current.team.id, current.id)
    _new_meeting(current.team)
    flash("Mødet er slettet.")
    st.rerun()


def main() -> None:
    st.set_page_config(
        page_title="Borgercases – teammødet",
        page_icon=str(Path(__file__).with_name("favicon.png")),
        layout="wide",
        initial_sidebar_state="expanded",
    )
    projector = _projector()
    apply_styles(projector)
    page_helper()
    try:
        meeting_id = str(st.query_params.get("m", ""))
        current = storage().get_meeting(meeting_id) if meeting_id else None
        if projector:
            st.button(
                "Afslut projektorvisning",
                key="exit_projector",
                on_click=_exit_projector,
                icon=":material/close_fullscreen:",
            )
        if meeting_id and current is None:
            st.error("Mødet findes ikke. Måske er det slettet, eller adressen er forkert.")
            start.render()
        elif current is None:
            start.render()
        elif st.query_params.get("view") == "print":
            exports_view.render_print(current)
        else:
            meeting.render(current)
        # After the main content, so the page's heading shows first on a slow start.
        _sidebar(current)
    except StorageError as exc:
        st.error(str(exc), icon=":material/error:")
        from facilitator.storage.engine import OUTAGES

        if str(exc) in OUTAGES:
            _retry_when_back()
    except Exception as exc:
        log_failure("unexpected error", exc)
        st.error(GENERIC_ERROR, icon=":material/error:")


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
