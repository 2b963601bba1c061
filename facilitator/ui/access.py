"""Which team space this browser session has opened: by code, by the team's link, or by SSO.

The session remembers the open team; the address carries the code (``?t=``) only on the team's
own pages, so a reload keeps the team open and the address works as the team's link.
"""

from __future__ import annotations

import time

import streamlit as st

from facilitator import teamcode
from facilitator.records import Team
from facilitator.ui.common import flash, log, storage

WRONG_CODE = "Koden passer ikke. Tjek den og prøv igen (store og små bogstaver er ligegyldige)."
_TEAM = "_team"
_FAILURES = "_code_failures"
_CODE = "_team_code"


def current_team() -> Team | None:
    team = st.session_state.get(_TEAM)
    if isinstance(team, Team):
        return team
    code = str(st.query_params.get("t", ""))
    if code:
        found = open_with_code(code)
        if found is None:
            st.query_params.pop("t", None)
            flash(WRONG_CODE, "error")
        return found
    return None


def open_with_code(code: str) -> Team | None:
    """Open the team with this code; a wrong code waits a little longer each time."""
    team = storage().open_team(code)
    if team is None:
        failures = int(st.session_state.get(_FAILURES, 0)) + 1
        st.session_state[_FAILURES] = failures
        log.info("wrong team code (attempt %d in this session)", failures)
        time.sleep(min(0.5 * failures, 5.0))
        return None
    st.session_state[_FAILURES] = 0
    enter(team, code)
    return team


def enter(team: Team, code: str | None = None) -> None:
    st.session_state[_TEAM] = team
    st.session_state.pop(_CODE, None)
    if code:
        st.session_state[_CODE] = teamcode.normalise(code)
        st.query_params["t"] = st.session_state[_CODE]
    subject = sso_subject()
    if subject:
        storage().add_member(team.id, subject)


def leave() -> None:
    st.session_state.pop(_TEAM, None)
    st.session_state.pop(_CODE, None)
    st.query_params.pop("t", None)


def show_team_page(team_id: int) -> None:
    """Address of the team's page: with the team's link code if this session opened it so."""
    st.query_params.clear()
    if not has_team(team_id):
        leave()
    elif st.session_state.get(_CODE):
        st.query_params["t"] = st.session_state[_CODE]


def has_team(team_id: int) -> bool:
    team = st.session_state.get(_TEAM)
    return isinstance(team, Team) and team.id == team_id


def sso_configured() -> bool:
    """True when ``[auth]`` is set in ``.streamlit/secrets.toml`` (OIDC via ``st.login``)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def sso_subject() -> str | None:
    if not sso_configured():
        return None
    try:
        if not st.user.is_logged_in:
            return None
        subject = st.user.get("sub") or st.user.get("email")
    except Exception:
        return None
    return str(subject) if subject else None
