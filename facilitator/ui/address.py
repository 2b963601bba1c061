"""The page's address: the one module that reads and writes the query parameters.

``m``     the open meeting (its random id)
``view``  ``print`` for the printable referat of that meeting
``p``     ``1`` in projector mode: read when the session starts (a reload, a copied address);
          after that the session's own setting is the truth, and every new address carries it
``s``     this session's grant for the team page (a random token, never the team's code)
``t``     an old team link with the code in it: read once, then removed
``j``     a participant's join code: the phone page of one meeting, nothing else
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

PRINT = "print"
PROJECTOR_STATE = "projector_mode"  # the session's setting: read once from ``p``


def _get(name: str) -> str:
    return str(st.query_params.get(name, ""))


def _go(**params: str) -> None:
    """A new page: the address with ``params`` and projector mode, written at once, so the
    browser's history gets one entry per page (clear-then-set would add one per change, and
    Back would stop at an address that only ever existed for a moment)."""
    new = {"p": "1"} if is_projector() else {}
    new.update({name: value for name, value in params.items() if value})
    st.query_params.from_dict(new)


def _edit(drop: tuple[str, ...] = (), **put: str) -> None:
    """Change some parameters of this page's address in one step (one history entry)."""
    new = {name: value for name, value in st.query_params.to_dict().items() if name not in drop}
    new.update(put)
    new.pop("p", None)
    if is_projector():  # the page helper may have written it where the server did not see it
        new = {"p": "1", **new}
    if new != st.query_params.to_dict():
        st.query_params.from_dict(new)


# --- Projector mode ------------------------------------------------------------------------


def is_projector() -> bool:
    if PROJECTOR_STATE not in st.session_state:
        st.session_state[PROJECTOR_STATE] = _get("p") == "1"
    return bool(st.session_state[PROJECTOR_STATE])


def set_projector(on: bool) -> None:
    """Switch projector mode for this session. Not written to the address from here: a change
    of the address from the server adds an entry to the browser's history, and Back would only
    switch the mode back. The page helper mirrors the mode into the current address with
    ``history.replaceState`` (a reload keeps it), and the next page's address carries it."""
    st.session_state[PROJECTOR_STATE] = on


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
    _edit(drop=("t",), s=token)


def drop_grant() -> None:
    _edit(drop=("s", "t"))


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
