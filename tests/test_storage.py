"""Storage on both back ends – a temporary SQLite file and a real PostgreSQL server:
nothing saved is ever lost.

``db_url`` (tests/conftest.py) runs every test here once per back end.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import event, make_url, text

from facilitator import timer as t
from facilitator.storage import Storage, StorageError, Team, normalize_url

TODAY = date(2026, 11, 22)


def _with_pg_options(url: str, options: str) -> str:
    """The same PostgreSQL database with server settings for the session (``-c name=value``)."""
    return make_url(url).update_query_dict({"options": options}).render_as_string(False)


def _team(store: Storage, name: str = "Team Nord") -> Team:
    """One team per name and store, as a test reads more naturally by name."""
    teams: dict[str, Team] = store.__dict__.setdefault("_test_teams", {})
    if name not in teams:
        teams[name] = store.create_team(name)[0]
    return teams[name]


def _meeting(store: Storage, team: str = "Team Nord", case: int = 9) -> str:
    team_obj = _team(store, team)
    return store.create_meeting(team_obj, TODAY, case, ["Anne", "Bo"], [60, 180, 360, 180, 120])


def _tid(store: Storage, mid: str) -> int:
    meeting = store.get_meeting(mid)
    assert meeting
    return meeting.team.id


def test_meeting_round_trip_with_timer(store: Storage) -> None:
    mid = _meeting(store)
    assert len(mid) >= 20
    m = store.get_meeting(mid)
    assert m and m.participants == ("Anne", "Bo") and m.timer.status == t.NOT_STARTED
    store.update_timer(_tid(store, mid), mid, lambda s: t.start(s, 1000.0))
    m2 = Storage(store.url).get_meeting(mid)  # a fresh connection, as after a restart
    assert m2 and m2.timer.status == t.RUNNING and m2.timer.running_since == 1000.0
    assert t.view(m2.timer, 1030.0).step_elapsed == pytest.approx(30)


def test_a_visit_deadline_keeps_its_fraction_and_old_whole_seconds_still_load(
    store: Storage,
) -> None:
    """The timer keeps a visit's deadline in the JSON column ``allocated`` as a float; rows
    stored by the old rule hold whole seconds there and load as they are."""
    mid = _meeting(store)
    tid = _tid(store, mid)
    store.update_timer(tid, mid, lambda s: t.next_step(t.start(s, 1000.0), 1012.75))
    m = Storage(store.url).get_meeting(mid)
    assert m and m.timer.current == 1
    assert m.timer.allocated[1] == pytest.approx(t.visit_budget(m.timer.plan, 1, 900 - 12.75))
    v = t.view(m.timer, 1020.0)
    assert v.step_remaining <= v.total_remaining
    assert int(v.step_remaining) + sum(v.later) == int(v.total_remaining)
    old = t.TimerState(
        plan=m.timer.plan,
        status=t.PAUSED,
        current=1,
        used=(61.0, 20.0, 0.0, 0.0, 0.0),
        allocated=(60, 180, None, None, None),
    )
    store.update_timer(tid, mid, lambda s: old)
    m = Storage(store.url).get_meeting(mid)
    assert m and m.timer.allocated == (60.0, 180.0, None, None, None)
    assert t.view(m.timer, 5000.0).step_remaining == pytest.approx(160)


def test_meeting_ids_are_unguessable(store: Storage) -> None:
    ids = {_meeting(store) for _ in range(20)}
    assert len(ids) == 20
    assert all(len(i) >= 22 for i in ids)
    assert store.get_meeting("does-not-exist") is None
    assert store.get_meeting("x" * 500) is None


def test_notes_are_saved_and_overwritten(store: Storage) -> None:
    mid = _meeting(store)
    store.save_note(_tid(store, mid), mid, "q0", "Første")
    store.save_note(_tid(store, mid), mid, "q0", "Anden")
    store.save_note(_tid(store, mid), mid, "general", "مرحبا 👋 <b>ikke html</b>")
    assert Storage(store.url).notes(mid) == {"q0": "Anden", "general": "مرحبا 👋 <b>ikke html</b>"}


def test_a_team_is_opened_by_its_code_only(store: Storage) -> None:
    team, code = store.create_team("Team Nord")
    assert store.open_team(code) == team
    assert store.open_team(code.lower().replace("-", " ")) == team  # typing slips forgiven
    other, other_code = store.create_team("Team Nord")  # same name elsewhere: its own space
    assert other.id != team.id and store.open_team(other_code) == other
    wrong = code[:5] + ("0000" if code[5:9] != "0000" else "1111") + code[9:]
    for bad in (wrong, "", "Team Nord", "x" * 500, other_code[:5] + code[5:]):
        assert store.open_team(bad) is None


def test_the_code_is_stored_only_as_a_salted_hash(store: Storage) -> None:
    team, code = store.create_team("Team Nord")
    with store.engine.connect() as conn:
        row = conn.execute(
            text("SELECT access_key, code_hash FROM teams WHERE id = :id"), {"id": team.id}
        ).one()
    assert row.access_key == code[:4]
    assert code not in row.code_hash and code[5:].replace("-", "") not in row.code_hash
    assert row.code_hash.startswith("pbkdf2_sha256$")


def test_a_new_code_replaces_the_old(store: Storage) -> None:
    team, old = store.create_team("Team Nord")
    new = store.new_team_code(team.id)
    assert store.open_team(old) is None and store.open_team(new) == team


def test_single_sign_on_members_see_only_their_teams(store: Storage) -> None:
    a, _ = store.create_team("Team A")
    b, _ = store.create_team("Team B")
    store.add_member(a.id, "oidc|anne")
    store.add_member(a.id, "oidc|anne")  # twice is once
    store.add_member(b.id, "oidc|bo")
    assert store.member_teams("oidc|anne") == [a]
    assert store.member_teams("oidc|ukendt") == []
    store.delete_team(a.id)
    assert store.member_teams("oidc|anne") == []


def test_follow_ups_open_done_and_history(store: Storage) -> None:
    mid = _meeting(store)
    m = store.get_meeting(mid)
    assert m
    f1 = store.add_follow_up(
        m, "Anne", "Ring til sprogskolen", date(2026, 12, 1), 9, client_key="k1"
    )
    again = store.add_follow_up(
        m, "Anne", "Ring til sprogskolen", date(2026, 12, 1), 9, client_key="k1"
    )
    assert f1 == again  # a double click stores one
    store.add_follow_up(m, "Bo", "Find sprogkort", None, 9)
    assert len(store.follow_ups(m.team.id, open_only=True)) == 2
    store.set_follow_up_done(m.team.id, f1, True)
    open_ = store.follow_ups(m.team.id, open_only=True)
    assert [f.who for f in open_] == ["Bo"]
    history = store.team_meetings(m.team.id)
    assert history[0].follow_ups == 2 and history[0].open_follow_ups == 1


def test_teams_do_not_see_each_others_follow_ups(store: Storage) -> None:
    a = store.get_meeting(_meeting(store, "A"))
    b = store.get_meeting(_meeting(store, "B"))
    assert a and b
    store.add_follow_up(a, "Anne", "A's opgave", None, 1)
    assert store.follow_ups(b.team.id) == []
    assert store.team_meetings(b.team.id)[0].id == b.id and len(store.team_meetings(b.team.id)) == 1


def test_moderator_rotation_memory(store: Storage) -> None:
    m1 = _meeting(store)
    store.set_moderator(_tid(store, m1), m1, "Anne")
    m2 = _meeting(store)
    store.set_moderator(_tid(store, m2), m2, "Bo")
    last = store.last_moderated(_team(store).id)
    assert set(last) == {"anne", "bo"} and last["bo"] >= last["anne"]


def test_delete_meeting_and_team(store: Storage) -> None:
    mid = _meeting(store)
    m = store.get_meeting(mid)
    assert m
    store.save_note(_tid(store, mid), mid, "q0", "x")
    store.add_follow_up(m, "Anne", "y", None, 9)
    store.delete_meeting(m.team.id, mid)
    assert store.get_meeting(mid) is None and store.notes(mid) == {}
    assert store.follow_ups(m.team.id) == []
    mid2 = _meeting(store)
    store.delete_team(m.team.id)
    assert store.get_meeting(mid2) is None and store.get_team(m.team.id) is None


def test_retention_removes_only_old_meetings(store: Storage) -> None:
    team = _team(store, "T")
    old = store.create_meeting(team, date(2025, 1, 1), 1, [], [60] * 5)
    new = store.create_meeting(team, TODAY, 1, [], [60] * 5)
    store.save_note(_tid(store, old), old, "q0", "gammel")
    _made_on(store, old, "2025-01-01 00:00:00")
    assert store.purge_older_than(365, TODAY) == 1
    assert store.get_meeting(old) is None and store.get_meeting(new) is not None
    assert store.notes(old) == {}


def _made_on(store: Storage, meeting_id: str, when: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE meetings SET created_at = :w WHERE id = :m"), {"w": when, "m": meeting_id}
        )


def test_retention_goes_by_creation_not_by_the_picked_meeting_date(store: Storage) -> None:
    """A meeting made two years ago but dated ten years ahead is deleted by a 365-day purge; a
    meeting made today but dated two years back is kept."""
    team = _team(store, "T")
    future = store.create_meeting(team, date(2036, 11, 22), 1, [], [60] * 5)
    backdated = store.create_meeting(team, date(2024, 11, 22), 1, [], [60] * 5)
    _made_on(store, future, "2024-11-22 00:00:00")
    _made_on(store, backdated, f"{TODAY.isoformat()} 09:00:00")
    assert store.purge_older_than(365, TODAY) == 1
    assert store.get_meeting(future) is None
    assert store.get_meeting(backdated) is not None


def test_two_sessions_writing_at_once_lose_nothing(db_url: str) -> None:
    setup = Storage(db_url)
    setup.create_schema()
    mid = _meeting(setup)
    meeting = setup.get_meeting(mid)
    assert meeting
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            store = Storage(db_url)  # its own engine, like a second server process
            for i in range(40):
                store.save_note(_tid(store, mid), mid, f"{name}-{i}", f"{name} note {i}")
                store.add_follow_up(meeting, name, f"opgave {i}", None, 9, client_key=f"{name}-{i}")
                store.update_timer(
                    _tid(store, mid),
                    mid,
                    lambda s: t.pause(s, 0) if s.status == t.RUNNING else t.start(s, 0),
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    notes = setup.notes(mid)
    assert len(notes) == 80
    assert len(setup.follow_ups(meeting.team.id)) == 80
    final = setup.get_meeting(mid)
    assert final and final.version == 80  # every timer change applied exactly once


def test_read_only_database_gives_a_danish_message(backend: str, db_url: str) -> None:
    store = Storage(db_url)
    store.create_schema()
    mid = _meeting(store)
    store.dispose()
    if backend == "sqlite":
        ro_url = f"sqlite:///file:{make_url(db_url).database}?mode=ro&uri=true"
    else:
        ro_url = _with_pg_options(db_url, "-c default_transaction_read_only=on")
    ro = Storage(ro_url)
    with pytest.raises(StorageError) as err:
        ro.save_note(_tid(store, mid), mid, "q0", "tekst")
    ro.dispose()
    assert "skrivebeskyttet" in str(err.value)
    assert Storage(db_url).notes(mid) == {}


def test_locked_database_gives_a_danish_message(backend: str, db_url: str) -> None:
    store = Storage(db_url)
    store.create_schema()
    mid = _meeting(store)
    if backend == "sqlite":
        path = make_url(db_url).database
        assert path
        locker = sqlite3.connect(path, timeout=0)
        locker.execute("BEGIN EXCLUSIVE")
        quick = Storage(db_url)

        @event.listens_for(quick.engine, "connect")
        def short_timeout(conn, _rec):  # type: ignore[no-untyped-def]
            conn.execute("PRAGMA busy_timeout=100")

        def release() -> None:
            locker.rollback()
            locker.close()
    else:
        pg = make_url(db_url)
        locker_pg = psycopg.connect(
            host=pg.host, port=pg.port, user=pg.username, dbname=pg.database
        )
        locker_pg.execute("LOCK TABLE notes IN ACCESS EXCLUSIVE MODE")
        quick = Storage(_with_pg_options(db_url, "-c lock_timeout=100"))

        def release() -> None:
            locker_pg.rollback()
            locker_pg.close()

    try:
        with pytest.raises(StorageError) as err:
            quick.save_note(_tid(store, mid), mid, "q0", "tekst")
        assert "optaget" in str(err.value)
    finally:
        release()
        quick.dispose()
    store.save_note(_tid(store, mid), mid, "q0", "tekst")
    assert store.notes(mid) == {"q0": "tekst"}


def test_missing_database_gives_a_danish_message(backend: str, db_url: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        missing = f"sqlite:///{tmp_path / 'no-such-folder' / 'x.sqlite3'}"
    else:
        missing = make_url(db_url).set(database="no_such_database").render_as_string(False)
    with pytest.raises(StorageError) as err:
        Storage(missing).notes("x")
    assert "findes ikke" in str(err.value)


def test_sqlite_settings_apply_to_sqlite_only(backend: str, db_url: str) -> None:
    store = Storage(db_url)
    with store.engine.connect() as conn:
        if backend == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        else:
            assert conn.execute(text("SELECT 1")).scalar() == 1  # no PRAGMA sent on connect
    store.dispose()


def test_postgres_urls_use_psycopg() -> None:
    assert normalize_url("postgres://u:p@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgresql://u:p@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgresql+psycopg://h/db").drivername == "postgresql+psycopg"
    assert normalize_url("sqlite:///x.sqlite3").drivername == "sqlite"


def test_many_screens_pressing_the_timer_at_once_lose_no_press(db_url: str) -> None:
    setup = Storage(db_url)
    setup.create_schema()
    mid = _meeting(setup)
    errors: list[BaseException] = []

    def presser() -> None:
        store = Storage(db_url)
        try:
            for _ in range(20):
                store.update_timer(
                    _tid(store, mid),
                    mid,
                    lambda s: t.pause(s, 0) if s.status == t.RUNNING else t.start(s, 0),
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            store.dispose()

    threads = [threading.Thread(target=presser) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    final = setup.get_meeting(mid)
    assert final and final.version == 80
    setup.dispose()


def test_storage_refuses_an_over_long_note_with_the_danish_message(store: Storage) -> None:
    from facilitator import validation

    mid = _meeting(store)
    tid = _tid(store, mid)
    store.save_note(tid, mid, "q0", "kort")
    with pytest.raises(validation.InputError, match="for lang"):
        store.save_note(tid, mid, "q0", "x" * (validation.MAX_NOTE + 1))
    assert store.notes(mid)["q0"] is not None
    store.save_note(tid, mid, "q0", "x" * validation.MAX_NOTE)  # the longest allowed is kept


def test_every_storage_write_refuses_over_long_text_with_a_danish_message(store: Storage) -> None:
    """The length limits hold in storage for every field people type, whoever calls (a screen
    without ``max_chars``, a crafted WebSocket message): nothing is stored."""
    from facilitator import participation as pa
    from facilitator import timer as tm
    from facilitator import validation

    long_name = "x" * (validation.MAX_NAME + 1)
    with pytest.raises(validation.TooLong, match="»Teamets navn« må højst have 80 tegn"):
        store.create_team(long_name)
    team = store.create_team("Team Nord")[0]
    with pytest.raises(validation.TooLong, match="»Deltager«"):
        store.create_meeting(team, date(2026, 11, 22), 1, ["Anne", long_name], [60] * 5)
    with pytest.raises(validation.TooLong, match="Højst 40 deltagere"):
        store.create_meeting(team, date(2026, 11, 22), 1, [f"N{i}" for i in range(41)], [60] * 5)
    mid = store.create_meeting(team, date(2026, 11, 22), 1, ["Anne"], [60] * 5)
    meeting = store.get_meeting(mid)
    with pytest.raises(validation.TooLong, match="»Ordstyreren«"):
        store.set_moderator(team.id, mid, long_name)
    with pytest.raises(validation.TooLong, match="»Hvem«"):
        store.add_follow_up(meeting, long_name, "Ring", None, 1)
    with pytest.raises(validation.TooLong, match=r"»Hvad« må højst have 1\.000 tegn"):
        store.add_follow_up(meeting, "Anne", "x" * (validation.MAX_FOLLOW_UP + 1), None, 1)
    assert store.follow_ups(team.id) == []
    store.update_timer(team.id, mid, lambda s: tm.go_to(s, pa.DISCUSS, 1000.0))
    code = str(store.join_code(team.id, mid))
    with pytest.raises(validation.TooLong, match="»Tanken« må højst have 500 tegn"):
        store.add_thought(code, 0, "x" * (pa.MAX_THOUGHT + 1))
    assert store.thoughts(team.id, mid) == []
    store.update_timer(team.id, mid, lambda s: tm.go_to(s, pa.FOLLOW_UP, 1000.0))
    with pytest.raises(validation.TooLong, match="»Hvad«"):
        store.add_proposal(code, None, "x" * (pa.MAX_PROPOSAL + 1), None)
    with pytest.raises(validation.TooLong, match="»Navn«"):
        store.add_proposal(code, long_name, "Ring", None)
    assert store.proposals(team.id, mid) == []
    proposal = store.add_proposal(code, None, "Ring til borgeren", None)
    with pytest.raises(validation.TooLong, match="»Hvem«"):
        store.accept_proposal(meeting, proposal, long_name, "Ring til borgeren", None)
    assert [p.id for p in store.proposals(team.id, mid)] == [proposal]
    # The longest allowed text is stored.
    store.add_follow_up(meeting, "x" * validation.MAX_NAME, "x" * validation.MAX_FOLLOW_UP, None, 1)
    assert len(store.follow_ups(team.id)) == 1
