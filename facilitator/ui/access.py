"""Which team space this browser session has opened: by code, by the session's address, by the
computer's remembered team, or by single sign-on.

Opening a team gives the session a grant: a random token whose hash the database keeps. The
session and its address (``?s=…``) hold the token, never the team's code, so a reload keeps the
team open without putting the code in browser history or proxy logs. Every run checks the grant
again: a new code, a deleted team, »Skift team« or an expired grant (after a working day) end
the access at once, in every browser that had it.

The computer also remembers the team: opening it gives a second, longer grant (a device token)
that the page helper keeps in the browser's local storage, never in an address. After a reload
of a meeting page (whose address holds only the meeting), a closed lid or a browser restart the
helper hands that token back and the team is open again – until »Skift team« or »Glem denne
computer« forget it, a new code or a deletion ends it, or it expires. Session grants opened on
this computer point to its device grant (``parent``), so forgetting the computer ends the team
in every tab of the browser (each tab's heartbeat checks its grant).

A link with a team (``?t=<code>`` or ``?s=<grant>``) opens that team only for the session until
the browser has said which team it remembers: if that is another team, the page asks before it
replaces it (no team fixation by a planted link).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import streamlit as st

from facilitator.exports import literal
from facilitator.records import Team, Throttled
from facilitator.ui import address
from facilitator.ui.common import flash, log, storage

WRONG_CODE = "Koden passer ikke. Tjek den og prøv igen (store og små bogstaver er ligegyldige)."
ACCESS_ENDED = (
    "Adgangen til teamet er ophørt: teamet har fået en ny kode, er slettet, eller adgangen er "
    "udløbet. Åbn teamet med koden igen."
)
_TEAM = "_team"
_GRANT = "_grant"
_DEVICE = "_device"  # the device token the browser should keep (None: keep none)
_FORGET = "_device_forget"  # the browser should drop its device token
_LINK = "_link"  # (team, "code" | "grant"): opened by a link, not yet checked against the device
ASK = "_link_ask"  # (link's team, remembered team, device token, kind): the question to ask
NEW_CODE = "_new_code"  # (team id, code): shown once, only on that team's page
# Session keys that belong to the open team; all go when the team is left.
_TEAM_KEYS = (
    _TEAM,
    _GRANT,
    _DEVICE,
    NEW_CODE,
    _LINK,
    ASK,
    "_code_replaced",
    "confirm_delete_team",
    "confirm_delete_team_asked",
    "_done_here",
)
_TEAM_PREFIXES = ("start_done_", "member_", "remove_member_")


def current_team() -> Team | None:
    """The team this session may see now – checked against the database on every run."""
    token = st.session_state.get(_GRANT) or address.grant()
    if token:
        team = storage().team_for_grant(token)
        if team is None:
            had_team = _TEAM in st.session_state or bool(address.grant())
            leave(revoke=False)
            if had_team:
                flash(ACCESS_ENDED, "warning")
            return None
        if _GRANT not in st.session_state:  # a link with a grant: checked against the device
            st.session_state[_LINK] = (team, "grant")
        st.session_state[_TEAM] = team
        st.session_state[_GRANT] = token
        return team
    # An old team link with the code in it: opened once, then the code leaves the address – only
    # after the session holds the team: the page helper's first report can interrupt this run
    # at a change of the address (a rerun request), and the link must not get lost with it.
    code = address.code()
    if code:
        try:
            found = open_with_code(code, link=True)
        except Throttled as exc:
            address.take_code()
            flash(literal(str(exc)), "error")
            return None
        if found is None:
            address.take_code()
            flash(WRONG_CODE, "error")
        return found
    return None


def forwarded_client(forwarded: str, trusted_proxies: int) -> str | None:
    """The client's address from an ``X-Forwarded-For`` value: the entry the nearest
    ``trusted_proxies`` proxies appended, counted from the right. Entries further left are
    whatever the client sent itself (nginx's ``$proxy_add_x_forwarded_for`` keeps them), so the
    leftmost one proves nothing. None when the header has fewer entries than trusted proxies."""
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    if trusted_proxies < 1 or len(hops) < trusted_proxies:
        return None
    return hops[-trusted_proxies]


def trusted_proxies(environ: Mapping[str, str]) -> int:
    """How many reverse proxies stand in front of the app: ``BORGERCASES_TRUSTED_PROXIES``, or 1
    with the older ``BORGERCASES_TRUST_PROXY=1``; 0 (use the connection's address) otherwise."""
    raw = environ.get("BORGERCASES_TRUSTED_PROXIES", "").strip()
    if raw.isdigit():
        return int(raw)
    return 1 if environ.get("BORGERCASES_TRUST_PROXY", "").strip() in ("1", "true", "ja") else 0


def client_address() -> str:
    """The browser's address, for counting wrong codes. Behind a reverse proxy every request
    comes from the proxy: set ``BORGERCASES_TRUSTED_PROXIES`` (or ``BORGERCASES_TRUST_PROXY=1``)
    to take it from ``X-Forwarded-For`` (forwarded_client). Streamlit gives no address for this
    machine itself (127.0.0.1): those share one count, so guesses are throttled there too (a
    right code still opens its team)."""
    try:
        proxies = trusted_proxies(os.environ)
        if proxies:
            found = forwarded_client(st.context.headers.get("X-Forwarded-For", ""), proxies)
            if found:
                return found
        return st.context.ip_address or "local"
    except Exception:
        return "local"


def open_with_code(code: str, link: bool = False) -> Team | None:
    """Open the team with this code. Wrong codes are counted on the server (``Throttled`` when
    this client or this code has had too many); nothing here sleeps. A code from a ``link``
    opens the team for this session only, until the browser says which team it remembers."""
    team = storage().open_team(code, client_address())
    if team is None:
        log.info("wrong team code")
        return None
    if not link:
        enter(team)
        return team
    subject = sso_subject()
    token = storage().grant_access(team.id, subject)
    st.session_state[_TEAM] = team
    st.session_state[_GRANT] = token
    st.session_state[_LINK] = (team, "code")
    address.set_grant(token)
    if subject:
        storage().add_member(team.id, subject)
    return team


def enter(team: Team) -> None:
    """Give this session the team (a new grant) and have this computer remember it (a device
    grant); whatever team it had before is left."""
    if st.session_state.get(_GRANT) or st.session_state.get(_DEVICE):
        leave()
    subject = sso_subject()
    store = storage()
    device = store.grant_access(team.id, subject, device=True)
    token = store.grant_access(team.id, subject, parent=device)
    st.session_state[_DEVICE] = device
    st.session_state.pop(_FORGET, None)
    st.session_state[_TEAM] = team
    st.session_state[_GRANT] = token
    address.set_grant(token)
    if subject:
        storage().add_member(team.id, subject)


def device_instruction() -> tuple[str | None, bool]:
    """What the page helper tells the browser: the device token to keep, or to forget it."""
    device = st.session_state.get(_DEVICE)
    return device, bool(st.session_state.get(_FORGET)) and not device


def restore_from_device(token: str | None) -> None:
    """The team this computer remembers, for a session that has none open (after a reload, a
    closed lid or a browser restart). An ended or unknown token is forgotten in the browser.

    ``token`` is what the page helper reports: None before the browser has answered, "" when
    it answered that it remembers no team."""
    if token is None or ASK in st.session_state:
        return
    linked = address.has_code() or address.grant()
    if linked and _LINK not in st.session_state and not st.session_state.get(_GRANT):
        current_team()  # the link first, so that its team is compared with the device's
    if _LINK in st.session_state:
        _settle_link(token)
        return
    if not token or st.session_state.get(_GRANT) or address.grant():
        return
    if st.session_state.get(_FORGET):
        return  # told to forget it (or found it ended): no query until the browser has
    team = storage().team_for_grant(token)
    if team is None:
        st.session_state[_FORGET] = True
        return
    _adopt(team, token)


def _adopt(team: Team, device: str) -> None:
    """This session opens the team the computer remembers, with a grant tied to its device
    grant (so »Glem denne computer« in any tab ends this one too)."""
    st.session_state[_TEAM] = team
    st.session_state[_GRANT] = storage().grant_access(team.id, sso_subject(), parent=device)
    st.session_state[_DEVICE] = device


def _settle_link(device: str) -> None:
    """A link opened a team in this session; the browser has now said which team it remembers
    (``device``, "" for none). Another live team is not replaced without asking."""
    team, kind = st.session_state.pop(_LINK)
    remembered = storage().team_for_grant(device) if device else None
    if device and remembered is None:
        st.session_state[_FORGET] = True  # an ended token: the browser forgets it
    if remembered is not None and remembered.id != team.id:
        st.session_state[ASK] = (team, remembered, device, kind)
        _drop_link_grant(kind)
        return
    if remembered is not None:  # the same team: this session joins the computer's grant
        _drop_link_grant(kind)
        _adopt(team, device)
        if address.grant():
            address.set_grant(st.session_state[_GRANT])
    elif kind == "code":  # no team remembered here: the link's team is, as before
        enter(team)
        st.rerun()  # the page helper keeps the new device token (read at the start of a run)


def _drop_link_grant(kind: str) -> None:
    """Forget the link's grant in this session; end it if this session made it (a code link),
    never another browser's (a grant link)."""
    token = st.session_state.pop(_GRANT, None)
    st.session_state.pop(_TEAM, None)
    if kind == "code" and token:
        try:
            storage().revoke_grant(str(token))
        except Exception:  # it ends with its expiry anyway
            log.warning("could not revoke a grant")
    address.drop_grant()


def link_question() -> tuple[Team, Team] | None:
    """(the link's team, the remembered team) while the page must ask which to open."""
    asked = st.session_state.get(ASK)
    return (asked[0], asked[1]) if asked else None


def accept_link() -> None:
    """»Ja«: the link's team replaces the one this computer remembered."""
    asked = st.session_state.pop(ASK, None)
    if not asked:
        return
    team, _remembered, device, _kind = asked
    try:
        storage().revoke_grant(str(device))
    except Exception:
        log.warning("could not revoke a grant")
    enter(team)


def refuse_link() -> None:
    """»Nej«: keep the team this computer remembers; the link's team stays closed."""
    asked = st.session_state.pop(ASK, None)
    if not asked:
        return
    _team, remembered, device, _kind = asked
    if storage().team_for_grant(device) is None:
        st.session_state[_FORGET] = True
        flash(ACCESS_ENDED, "warning")
        return
    _adopt(remembered, device)


def link_in_address() -> bool:
    """The address carries a team (a code or a grant): the page helper must say which team this
    computer remembers, even none, before the link's team may be remembered."""
    return bool(address.grant() or address.has_code()) and not st.session_state.get(_DEVICE)


def still_open(team_id: int) -> bool:
    """For the heartbeat of an open page: this session's grant still gives it this team."""
    token = st.session_state.get(_GRANT) or address.grant()
    if not token:
        return False
    team = storage().team_for_grant(str(token))
    return team is not None and team.id == team_id


def member_access(team: Team) -> Team | None:
    """A single-sign-on user who is a member of the team opens it without the code."""
    subject = sso_subject()
    if subject and any(t.id == team.id for t in storage().member_teams(subject)):
        enter(team)
        return team
    return None


def enter_as_member(team: Team) -> None:
    """A single-sign-on user's team, if they are (still) a member of it."""
    subject = sso_subject()
    if subject and any(t.id == team.id for t in storage().member_teams(subject)):
        enter(team)
    else:
        flash(ACCESS_ENDED, "warning")


def leave(revoke: bool = True) -> None:
    """Forget everything of the team in this session and on this computer, and end its grants
    in the database."""
    tokens = [st.session_state.get(_GRANT) or address.grant(), st.session_state.get(_DEVICE)]
    for token in tokens:
        if revoke and token:
            try:
                storage().revoke_grant(str(token))
            except Exception:  # the grant ends with its expiry anyway
                log.warning("could not revoke a grant")
    for key in list(st.session_state.keys()):
        if key in _TEAM_KEYS or str(key).startswith(_TEAM_PREFIXES):
            del st.session_state[key]
    st.session_state[_FORGET] = True
    address.drop_grant()


def forget_this_computer() -> None:
    """For a shared meeting-room computer: leave the team and forget it here."""
    leave()
    address.team_page(None)
    flash("Computeren har glemt teamet. Åbn det igen med teamets kode.")


def show_team_page(team_id: int) -> None:
    """Address of the team's page: with this session's grant if it has opened the team."""
    address.team_page(st.session_state[_GRANT] if has_team(team_id) else None)


def remembered() -> bool:
    """This computer keeps a team open (so »Glem denne computer« has something to forget)."""
    return bool(st.session_state.get(_DEVICE))


def has_team(team_id: int) -> bool:
    team = st.session_state.get(_TEAM)
    return isinstance(team, Team) and team.id == team_id and bool(st.session_state.get(_GRANT))


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
