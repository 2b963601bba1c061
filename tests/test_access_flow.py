"""Access to a team space in the app (Streamlit's AppTest, no browser): »Skift team« forgets
everything of the team, a new code or a deleted team ends every other session's access on its
next run, wrong codes are throttled on the server, and the storage survives »clear cache«."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from facilitator.storage import Storage, teams
from facilitator.ui import access, common
from tests.conftest import ROOT
from tests.test_app_flow import shown

# Every test runs the app in AppTest, most for a whole flow: about a second each.
pytestmark = pytest.mark.slow

APP = str(ROOT / "app.py")


def _db(data_dir: Path) -> Storage:
    store = Storage(f"sqlite:///{data_dir / 'borgercases.sqlite3'}")
    store.create_schema()
    return store


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=30)


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error]
    parts += [s.value for s in at.success] + [w.value for w in at.warning]
    parts += [h.value for h in at.header] + [h.value for h in at.subheader]
    return "\n".join(shown(p) for p in parts)


def _click(at: AppTest, label: str) -> AppTest:
    labels = [b.label for b in at.button]
    assert label in labels, labels
    at.button[labels.index(label)].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _open(at: AppTest, code: str) -> AppTest:
    at.run()
    at.text_input(key="team_code_input").set_value(code)
    return _click(at, "Åbn teamet")


def _create(at: AppTest, name: str) -> str:
    at.run()
    at.text_input(key="team_name_input").set_value(name)
    _click(at, "Opret team")
    _team_id, code = at.session_state["_new_code"]
    return str(code)


def _on_team_page(at: AppTest, name: str) -> bool:
    return name in [h.value for h in at.header] and "Skift team" in [b.label for b in at.button]


def test_skift_team_forgets_the_new_code_banner(data_dir: Path) -> None:
    """Finding 2: B's page said »Teamet er oprettet. Teamets kode er …« with A's code."""
    _team_b, code_b = _db(data_dir).create_team("Team B")
    at = _app()
    code_a = _create(at, "Team A")
    assert code_a in _text(at)
    _click(at, "Skift team")
    assert "s" not in at.query_params and "_new_code" not in at.session_state
    _open(at, code_b)
    assert _on_team_page(at, "Team B")
    assert code_a not in _text(at) and "Teamet er oprettet" not in _text(at)


def test_skift_team_ends_the_address_it_leaves(data_dir: Path) -> None:
    at = _app()
    _create(at, "Team A")
    token = at.query_params["s"]
    _click(at, "Skift team")
    later = _app()
    later.query_params["s"] = token
    later.run()
    assert not _on_team_page(later, "Team A")


def test_a_new_code_ends_every_other_sessions_access(data_dir: Path) -> None:
    """Finding 3: a second tab kept working with the team after »Lav en ny kode«."""
    _team, code = _db(data_dir).create_team("Team Nord")
    tab1 = _open(_app(), code)
    tab2 = _open(_app(), code)
    assert _on_team_page(tab1, "Team Nord") and _on_team_page(tab2, "Team Nord")
    reloaded_address = tab1.query_params["s"]
    _click(tab2, "Lav en ny kode")
    assert "Teamet har fået en ny kode" in _text(tab2)
    tab1.run()  # its next run, e.g. the next click
    assert not _on_team_page(tab1, "Team Nord")
    assert "Adgangen til teamet er ophørt" in _text(tab1)
    reload = _app()
    reload.query_params["s"] = reloaded_address
    reload.run()
    assert not _on_team_page(reload, "Team Nord")
    tab2.run()
    assert _on_team_page(tab2, "Team Nord")  # the one that made the code keeps the team


def test_a_session_on_a_deleted_team_never_sees_the_next_new_team(data_dir: Path) -> None:
    """Finding 1 as reproduced: T2 had »Midlertidigt« open, T1 deleted it, V created »Offer
    Team« (SQLite gave it the same id), and T2 showed V's follow-ups."""
    store = _db(data_dir)
    temporary, code = store.create_team("Midlertidigt")
    store.create_meeting(temporary, date.today(), 1, [], [60] * 5)
    t1 = _open(_app(), code)
    t2 = _open(_app(), code)
    t1.text_input(key="confirm_delete_team").set_value("Midlertidigt")
    _click(t1, "Slet alt for teamet …")
    assert store.get_team(temporary.id) is not None  # asked first, nothing deleted yet
    _click(t1, "Ja, slet alt for teamet")
    offer, _ = store.create_team("Offer Team")
    mid = store.create_meeting(offer, date.today(), 3, ["Vera"], [60] * 5)
    meeting = store.get_meeting(mid)
    assert meeting
    store.add_follow_up(meeting, "Vera", "Offerets hemmelige aftale", None, 3)
    t2.run()
    assert "Offer" not in _text(t2) and "hemmelige" not in _text(t2)
    assert not [b for b in t2.button if b.key and str(b.key).startswith("open_")]
    assert "Adgangen til teamet er ophørt" in _text(t2)


def test_wrong_codes_are_throttled_across_new_sessions(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 7: a new session per guess reset the in-session pause."""
    monkeypatch.setattr(access, "client_address", lambda: "192.0.2.7")
    # A long first block, so the check doesn't depend on how fast this machine runs the app.
    monkeypatch.setattr(
        teams, "failure_delay", lambda n, *_: 0.0 if n <= teams.FREE_FAILURES else 60.0
    )
    _db(data_dir)
    messages = []
    for n in range(6):
        at = _open(_app(), f"Q{n}QQ-QQQQ-QQQQ-QQQQ")  # a fresh browser session per guess
        messages.append(_text(at))
    assert all("Koden passer ikke" in m for m in messages[:3])
    assert all("For mange forkerte koder" in m and "Vent" in m for m in messages[4:])
    assert all("Koden passer ikke" not in m for m in messages[4:])


def test_storage_survives_streamlits_clear_cache(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 12: any browser can send »clear_cache«; it dropped the shared storage and
    re-ran migrations and the retention purge for everyone."""
    migrations = []
    original = Storage.create_schema
    monkeypatch.setattr(
        Storage, "create_schema", lambda self, *a: (migrations.append(1), original(self, *a))[1]
    )
    first = common.storage()
    st.cache_resource.clear()
    st.cache_data.clear()
    assert common.storage() is first and migrations == [1]


def test_the_team_code_never_stays_in_the_address(data_dir: Path) -> None:
    """Finding 12: the code travelled in ``?t=`` into browser history and proxy logs."""
    _team, code = _db(data_dir).create_team("Team Nord")
    typed = _open(_app(), code)
    old_link = _app()
    old_link.query_params["t"] = code  # a team link from before: still opens, once
    old_link.run()
    for at in (typed, old_link):
        assert _on_team_page(at, "Team Nord")
        address = " ".join(f"{k}={v}" for k, v in at.query_params.items())
        assert code not in address and code.replace("-", "") not in address
        assert "t" not in at.query_params and at.query_params["s"]
