"""Issue 20, points 1 and 5 in AppTest (no browser): a meeting's address is no key, and a link
with another team never silently replaces the team this computer remembers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from facilitator.storage import Storage
from tests.test_app_flow import _app, _click, _db, _no_errors, _text

pytestmark = pytest.mark.slow


@pytest.fixture
def device(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Stands in for the browser's local storage and the page helper: it reports the token it
    keeps, or "" when asked and it keeps none."""
    state: dict[str, object] = {"token": None}

    def helper(
        key: str = "bc_helper",
        view: str | None = None,
        device_store: str | None = None,
        device_forget: bool = False,
        device_ask: bool = False,
        projector: bool | None = None,
    ) -> str | None:
        if device_store:
            state["token"] = device_store
        elif device_forget:
            state["token"] = None
        token = state["token"]
        if token:
            return str(token)
        return "" if device_ask else None

    monkeypatch.setattr("facilitator.ui.shell.page_helper", helper)
    return state


def _meeting(store: Storage, name: str = "Team Hemmelig") -> tuple[int, str, str]:
    store.create_schema()
    team, code = store.create_team(name)
    mid = store.create_meeting(team, date.today(), 3, ["Anne"], [60, 180, 360, 180, 120])
    store.save_note(team.id, mid, "general", "Fortrolig pointe om borgeren")
    return team.id, mid, code


def _page(at: AppTest) -> str:
    parts = [_text(at)] + [str(t.value) for t in at.title] + [b.label for b in at.button]
    parts += [str(h.proto.body) for h in at.get("html")] + [str(c.value) for c in at.caption]
    return "\n".join(parts)


def _labels(at: AppTest) -> list[str]:
    return [t.label for t in at.text_input]


def test_a_bare_meeting_address_asks_for_the_code_and_shows_nothing(data_dir: Path) -> None:
    store = _db(data_dir)
    _team, mid, code = _meeting(store)
    case_heading = "Case 3"
    pages = []
    for meeting_id in (mid, mid[:-4] + "ZZZZ"):
        for view in ("", "print"):
            at = _app()
            at.query_params["m"] = meeting_id
            if view:
                at.query_params["view"] = view
            at.run()
            _no_errors(at)
            page = _page(at)
            assert "Teamkode" in _labels(at)
            for secret in ("Team Hemmelig", "Fortrolig pointe", case_heading, "Trin 1"):
                assert secret not in page
            assert "Slet mødet" not in page and "findes ikke" not in page
            pages.append((_labels(at), [b.label for b in at.button]))
    assert all(p == pages[0] for p in pages)  # the same page whether the meeting exists or not
    assert store.get_meeting(mid) is not None
    # The team's code typed right: the meeting opens, its address holds only the meeting.
    at = _app()
    at.query_params["m"] = mid
    at.run()
    at.text_input(key="team_code_input").set_value(code)
    _click(at, "Åbn teamet")
    assert "Trin 1: Vælg en ordstyrer" in _text(at)
    assert "s" not in at.query_params and at.query_params["m"] == mid


def test_another_teams_grant_does_not_open_the_meeting(data_dir: Path) -> None:
    store = _db(data_dir)
    _team, mid, _code = _meeting(store)
    other, _ = store.create_team("Team Anden")
    at = _app()
    at.query_params["m"] = mid
    at.query_params["s"] = store.grant_access(other.id)
    at.run()
    _no_errors(at)
    assert "Fortrolig pointe" not in _page(at) and "Team Hemmelig" not in _page(at)
    assert any("Mødet findes ikke" in e.value for e in at.error)


@pytest.mark.parametrize("revoke", ["new_code", "delete_team", "forget", "expire"])
def test_every_revocation_ends_an_open_meeting_page(data_dir: Path, revoke: str) -> None:
    store = _db(data_dir)
    team_id, mid, code = _meeting(store)
    at = _app()
    at.query_params["m"] = mid
    at.run()
    at.text_input(key="team_code_input").set_value(code)
    _click(at, "Åbn teamet")
    assert "Trin 1: Vælg en ordstyrer" in _text(at)
    if revoke == "new_code":
        store.new_team_code(team_id)
    elif revoke == "delete_team":
        store.delete_team(team_id)
    elif revoke == "forget":  # »Glem denne computer« in another tab of the browser
        store.revoke_grant(str(at.session_state["_device"]))
    else:
        from sqlalchemy import update

        from facilitator.storage.models import TeamGrantRow

        with store.engine.begin() as conn:
            conn.execute(update(TeamGrantRow).values(expires_at=date(2000, 1, 1)))
    at.run()
    _no_errors(at)
    assert "Teamkode" in _labels(at)
    assert "Fortrolig pointe" not in _page(at) and "Trin 1" not in _page(at)


def test_forgetting_the_device_ends_the_session_grants_opened_from_it(data_dir: Path) -> None:
    store = _db(data_dir)
    store.create_schema()
    team, _ = store.create_team("Team Faner")
    device = store.grant_access(team.id, device=True)
    tabs = [store.grant_access(team.id, parent=device) for _ in range(2)]
    elsewhere = store.grant_access(team.id)
    store.revoke_grant(device)
    assert [store.team_for_grant(t) for t in tabs] == [None, None]
    assert store.team_for_grant(elsewhere) == team  # another browser keeps its own


def test_a_team_link_asks_before_it_replaces_the_remembered_team(
    data_dir: Path, device: dict[str, object]
) -> None:
    store = _db(data_dir)
    store.create_schema()
    mine, my_code = store.create_team("Team Mit")
    _theirs, their_code = store.create_team("Team Fremmed")
    home = _app()
    home.run()
    home.text_input(key="team_code_input").set_value(my_code)
    _click(home, "Åbn teamet")
    remembered = device["token"]
    assert remembered and store.team_for_grant(str(remembered)) == mine
    for answer in ("Nej, behold Team Mit", "Ja, åbn Team Fremmed"):
        link = _app()
        link.query_params["t"] = their_code
        link.run()
        link.run()  # the browser has said which team it remembers
        _no_errors(link)
        assert "Åbn Team Fremmed i stedet for Team Mit?" in _text(link)
        assert device["token"] == remembered  # nothing replaced before the answer
        assert "Åbne aftaler fra tidligere møder (0)" not in _text(link)
        _click(link, answer)
        if answer.startswith("Nej"):
            assert device["token"] == remembered
            assert "Team Mit" in [h.value for h in link.header]
        else:
            assert device["token"] != remembered
            assert store.team_for_grant(str(remembered)) is None
            assert "Team Fremmed" in [h.value for h in link.header]


def test_a_planted_grant_link_asks_too(data_dir: Path, device: dict[str, object]) -> None:
    store = _db(data_dir)
    store.create_schema()
    mine, _ = store.create_team("Team Mit")
    theirs, _ = store.create_team("Team Fremmed")
    device["token"] = store.grant_access(mine.id, device=True)
    link = _app()
    link.query_params["s"] = store.grant_access(theirs.id)
    link.run()
    link.run()
    assert "Åbn Team Fremmed i stedet for Team Mit?" in _text(link)
    assert store.team_for_grant(str(device["token"])) == mine


def test_a_team_link_without_a_remembered_team_opens_as_before(
    data_dir: Path, device: dict[str, object]
) -> None:
    store = _db(data_dir)
    store.create_schema()
    team, code = store.create_team("Team Nyt")
    link = _app()
    link.query_params["t"] = code
    link.run()
    link.run()
    _no_errors(link)
    assert "Team Nyt" in [h.value for h in link.header]
    assert device["token"] and store.team_for_grant(str(device["token"])) == team


# --- A storage-level model: a session sees a team iff it holds a live grant of it ----------

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["open", "reload", "new_code", "forget", "switch", "delete"]),
        st.integers(0, 1),  # which team / which tab
    ),
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS)
def test_a_tab_sees_a_team_iff_the_model_says_its_grant_lives(
    tmp_path: Path, actions: list[tuple[str, int]]
) -> None:
    import uuid

    store = Storage(f"sqlite:///{tmp_path / (uuid.uuid4().hex + '.sqlite3')}")
    store.create_schema()
    teams = [store.create_team(f"Team {n}")[0] for n in range(2)]
    device: str | None = None  # one browser: its remembered team
    device_team: int | None = None
    tabs: list[tuple[str, int] | None] = [None, None]  # each tab's session grant, team index
    alive: dict[str, int] = {}  # model: grant -> team index
    children: dict[str, str] = {}  # session grant -> device grant
    for action, n in actions:
        if action == "open":  # a code typed in tab n: a device grant and a session grant
            device = store.grant_access(teams[n].id, device=True)
            device_team = n
            alive[device] = n
            tab = store.grant_access(teams[n].id, parent=device)
            alive[tab] = n
            children[tab] = device
            tabs[n] = (tab, n)
        elif action == "reload" and device is not None and device in alive:
            tab = store.grant_access(teams[device_team or 0].id, parent=device)
            alive[tab] = device_team or 0
            children[tab] = device
            tabs[n] = (tab, device_team or 0)
        elif action in ("new_code", "delete"):
            if action == "new_code":
                store.new_team_code(teams[n].id)
            else:
                store.delete_team(teams[n].id)
                teams[n] = store.create_team(f"Team {n} igen")[0]
            alive = {g: t for g, t in alive.items() if t != n}
        elif action in ("forget", "switch") and device is not None:
            store.revoke_grant(device)
            gone = {device} | {c for c, parent in children.items() if parent == device}
            alive = {g: t for g, t in alive.items() if g not in gone}
            if action == "switch" and tabs[n] is not None:
                store.revoke_grant(tabs[n][0])
                alive.pop(tabs[n][0], None)
            device = None
    for tab in tabs:
        if tab is None:
            continue
        token, team_index = tab
        seen = store.team_for_grant(token)
        if token in alive:
            assert seen is not None and seen.id == teams[team_index].id
        else:
            assert seen is None
    store.dispose()
