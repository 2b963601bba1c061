"""The page's address: the one module that reads and writes the query parameters.

``m``     the open meeting (its random id)
``view``  ``print`` for the printable referat of that meeting
``p``     ``1`` in projector mode; kept when moving between pages
``s``     this session's grant for the team page (a random token, never the team's code)
``t``     an old team link with the code in it: read once, then removed
``j``     a participant's join code: the phone page of one meeting, nothing else
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

PRINT = "print"


def _get(name: str) -> str:
    return str(st.query_params.get(name, ""))


def _go(**params: str) -> None:
    """Replace the address, keeping projector mode."""
    projector = is_projector()
    st.query_params.clear()
    if projector:
        st.query_params["p"] = "1"
    for name, value in params.items():
        if value:
            st.query_params[name] = value


# --- Projector mode ------------------------------------------------------------------------


def is_projector() -> bool:
    return _get("p") == "1"


def set_projector(on: bool) -> None:
    if on:
        st.query_params["p"] = "1"
    else:
        st.query_params.pop("p", None)


# --- Pages ---------------------------------------------------------------------------------


def meeting_id() -> str:
    return _get("m")


def is_print_view() -> bool:
    return _get("view") == PRINT


def open_meeting(meeting: str) -> None:
    _go(m=meeting)


def print_link(meeting: str) -> str:
    """A relative link to the printable referat (opened in the same tab)."""
    return "?" + urlencode({"m": meeting, "view": PRINT})


def team_page(grant: str | None = None) -> None:
    """The team's page (or the start page when ``grant`` is None)."""
    _go(s=grant or "")


# --- Participants ---------------------------------------------------------------------------


def join_code() -> str:
    return _get("j")


def join_link(base: str, code: str) -> str:
    """The address a phone opens: the app's address with only the join code."""
    base = base.split("?")[0].split("#")[0]
    if base.count("/") == 2:  # »http://host:port«: the root path
        base += "/"
    return base + "?" + urlencode({"j": code})


# --- Team access ---------------------------------------------------------------------------


def grant() -> str:
    return _get("s")


def set_grant(token: str) -> None:
    st.query_params.pop("t", None)
    st.query_params["s"] = token


def drop_grant() -> None:
    st.query_params.pop("s", None)
    st.query_params.pop("t", None)


def has_code() -> bool:
    return bool(_get("t"))


def code() -> str:
    """An old team link's code (``take_code`` removes it from the address)."""
    return _get("t")


def take_code() -> str:
    """An old team link's code, removed from the address at once."""
    code = _get("t")
    if code:
        st.query_params.pop("t", None)
    return code
