"""Team isolation and integrity in storage, on SQLite and PostgreSQL (``db_url`` runs each test
once per back end): ids never come back, every change is scoped by team, access can be revoked,
wrong codes are counted on the server, two screens never overwrite a note silently, deleted
text is physically gone, and no log line carries what people typed.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import make_url, text
from sqlalchemy.exc import IntegrityError

from facilitator import timer as t
from facilitator.records import NoteConflict, StorageError, Team, Throttled
from facilitator.storage import Storage
from facilitator.storage import teams as team_queries
from facilitator.storage.engine import FILE_GONE
from harness.postgres import PostgresServer

TODAY = date(2026, 11, 27)
PLAN = [60, 180, 360, 180, 120]


def _meeting(store: Storage, team: Team) -> str:
    return store.create_meeting(team, TODAY, 9, ["Anne", "Bo"], PLAN, TODAY + timedelta(days=7))


# --- 1. Ids that never come back -----------------------------------------------------------


def test_a_deleted_teams_id_is_never_given_to_a_new_team(store: Storage) -> None:
    """The reproduced breach: a session holding a deleted team's id saw the next new team."""
    old, _ = store.create_team("Midlertidigt")
    keep, _ = store.create_team("Bliver")
    newest, _ = store.create_team("Slettes")  # the highest id: SQLite reused exactly this one
    store.delete_team(newest.id)
    store.delete_team(old.id)
    offer, _ = store.create_team("Offer Team")
    assert offer.id not in {old.id, keep.id, newest.id}
    assert offer.id > newest.id


def test_a_deleted_follow_ups_id_is_never_given_to_a_new_one(store: Storage) -> None:
    team, _ = store.create_team("Team")
    meeting = store.get_meeting(_meeting(store, team))
    assert meeting
    first = store.add_follow_up(meeting, "Anne", "Første", None, 9)
    store.delete_follow_up(team.id, first)
    second = store.add_follow_up(meeting, "Anne", "Anden", None, 9)
    assert second > first


@pytest.mark.slow  # Hypothesis, a database per example
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.booleans(), min_size=1, max_size=12))
def test_ids_only_grow_whatever_is_created_and_deleted(store: Storage, ops: list[bool]) -> None:
    """Property: for any sequence of creating and deleting teams, no id is ever handed out
    twice."""
    seen: list[int] = []
    alive: list[int] = []
    for create in ops:
        if create or not alive:
            team, _ = store.create_team("T")
            assert team.id not in seen
            seen.append(team.id)
            alive.append(team.id)
        else:
            store.delete_team(alive.pop())


# --- 1. Every change is scoped by team ----------------------------------------------------


def test_no_change_reaches_another_teams_data(store: Storage) -> None:
    """Each mutating method with another team's id changes nothing and says so in Danish."""
    mine, _ = store.create_team("Mit team")
    theirs, _ = store.create_team("Andet team")
    mid = _meeting(store, theirs)
    store.save_note(theirs.id, mid, "q0", "Deres note")
    meeting = store.get_meeting(mid)
    assert meeting
    fid = store.add_follow_up(meeting, "Bo", "Deres aftale", None, 9)
    before = (store.get_meeting(mid), store.notes(mid), store.follow_ups(theirs.id))

    attempts = {
        "update_timer": lambda: store.update_timer(mine.id, mid, lambda s: t.start(s, 1.0)),
        "set_moderator": lambda: store.set_moderator(mine.id, mid, "Angriber"),
        "save_note": lambda: store.save_note(mine.id, mid, "q0", "Overskrevet"),
        "save_note_new_key": lambda: store.save_note(mine.id, mid, "q9", "Plantet"),
        "add_follow_up": lambda: store.add_follow_up(
            meeting.__class__(**{**meeting.__dict__, "team": mine}), "X", "Plantet", None, 9
        ),
        "set_follow_up_done": lambda: store.set_follow_up_done(mine.id, fid, True),
        "delete_follow_up": lambda: store.delete_follow_up(mine.id, fid),
        "delete_meeting": lambda: store.delete_meeting(mine.id, mid),
    }
    for name, attempt in attempts.items():
        with pytest.raises(StorageError) as err:
            attempt()
        assert "findes ikke længere" in str(err.value), name
    assert (store.get_meeting(mid), store.notes(mid), store.follow_ups(theirs.id)) == before


def test_stale_ids_after_deletion_change_nothing(store: Storage) -> None:
    team, _ = store.create_team("Team")
    mid = _meeting(store, team)
    meeting = store.get_meeting(mid)
    assert meeting
    fid = store.add_follow_up(meeting, "Bo", "Aftale", None, 9)
    store.delete_meeting(team.id, mid)
    for attempt in (
        lambda: store.save_note(team.id, mid, "q0", "efter sletning"),
        lambda: store.set_follow_up_done(team.id, fid, True),
        lambda: store.update_timer(team.id, mid, lambda s: t.start(s, 1.0)),
        lambda: store.add_follow_up(meeting, "Bo", "efter sletning", None, 9),
    ):
        with pytest.raises(StorageError):
            attempt()
    store.delete_team(team.id)
    with pytest.raises(StorageError):
        store.create_meeting(team, TODAY, 1, [], PLAN)
    with pytest.raises(StorageError):
        store.grant_access(team.id)


# --- 3. Access that can be revoked --------------------------------------------------------


def test_a_grant_ends_with_a_new_code_a_deletion_or_leaving(store: Storage) -> None:
    team, _code = store.create_team("Team")
    other, _ = store.create_team("Andet")
    tab1, tab2, left = (store.grant_access(team.id) for _ in range(3))
    elsewhere = store.grant_access(other.id)
    assert store.team_for_grant(tab1) == team
    store.revoke_grant(left)  # »Skift team« in one tab
    assert store.team_for_grant(left) is None and store.team_for_grant(tab1) == team
    store.new_team_code(team.id)
    assert store.team_for_grant(tab1) is None and store.team_for_grant(tab2) is None
    assert store.team_for_grant(elsewhere) == other  # another team is untouched
    again = store.grant_access(team.id)
    store.delete_team(team.id)
    assert store.team_for_grant(again) is None
    assert store.team_for_grant("") is None and store.team_for_grant("x" * 500) is None


def test_grants_expire_and_are_stored_only_hashed(store: Storage) -> None:
    team, _ = store.create_team("Team")
    token = store.grant_access(team.id)
    with store.engine.begin() as conn:
        stored = conn.execute(text("SELECT token_hash FROM team_grants")).scalar_one()
        assert token not in stored
        conn.execute(text("UPDATE team_grants SET expires_at = :past"), {"past": "2000-01-01"})
    assert store.team_for_grant(token) is None


def test_single_sign_on_members_are_listed_removed_and_end_with_a_new_code(
    store: Storage,
) -> None:
    team, _ = store.create_team("Team")
    store.add_member(team.id, "oidc|anne")
    store.add_member(team.id, "oidc|bo")
    anne = store.grant_access(team.id, "oidc|anne")
    bo = store.grant_access(team.id, "oidc|bo")
    assert [m.subject for m in store.members(team.id)] == ["oidc|anne", "oidc|bo"]
    store.remove_member(team.id, "oidc|anne")
    assert store.member_teams("oidc|anne") == [] and store.team_for_grant(anne) is None
    assert store.team_for_grant(bo) == team
    store.new_team_code(team.id)
    assert store.members(team.id) == [] and store.member_teams("oidc|bo") == []
    assert store.team_for_grant(bo) is None


# --- 7. Wrong codes are counted on the server -----------------------------------------------


def _wrong(code: str) -> str:
    return code[:5] + ("2222" if code[5:9] != "2222" else "3333") + code[9:]


def test_wrong_codes_are_counted_per_client_across_sessions_and_restarts(db_url: str) -> None:
    first = Storage(db_url)
    first.create_schema()
    team, code = first.create_team("Team")
    for _ in range(team_queries.FREE_FAILURES):
        assert first.open_team(f"ZZZZ-{secrets.token_hex(2)}-AAAA-BBBB", "10.0.0.9") is None
    first.dispose()
    restarted = Storage(db_url)  # a restart (or a new browser session) resets nothing
    assert restarted.open_team("ZZZZ-ZZZZ-ZZZZ-ZZZZ", "10.0.0.9") is None  # 4th: now blocked
    started = time.perf_counter()
    with pytest.raises(Throttled) as err:
        restarted.open_team("YYYY-YYYY-YYYY-YYYY", "10.0.0.9")
    assert "Vent" in str(err.value) and err.value.seconds > 0
    assert time.perf_counter() - started < 2
    # Another client is not slowed down and opens the team; the blocked client is refused
    # even the right code, without a hash, so the refusal tells nothing about the key (a
    # remembered computer never types the code: tests/test_code_throttle.py).
    assert restarted.open_team("XXXX-XXXX-XXXX-XXXX", "10.0.0.10") is None
    with pytest.raises(Throttled):
        restarted.open_team(code, "10.0.0.9")
    assert restarted.open_team(code, "10.0.0.11") == team
    with restarted.engine.connect() as conn:
        buckets = conn.execute(text("SELECT bucket FROM code_failures")).scalars().all()
    assert all("10.0.0" not in b for b in buckets)  # addresses are stored hashed only
    restarted.dispose()


def test_the_delay_grows_and_is_capped() -> None:
    delays = [team_queries.failure_delay(n) for n in range(1, 20)]
    assert delays[: team_queries.FREE_FAILURES] == [0.0] * team_queries.FREE_FAILURES
    assert delays == sorted(delays) and delays[-1] == team_queries.MAX_DELAY
    key_waits = [team_queries.failure_delay(n, cap=team_queries.KEY_MAX_WAIT) for n in range(40)]
    assert max(key_waits) == team_queries.KEY_MAX_WAIT < team_queries.MAX_DELAY


# --- 4. Two screens never lose a note silently -------------------------------------------


def test_a_save_on_top_of_an_unseen_revision_is_refused_with_the_other_text(
    store: Storage,
) -> None:
    team, _ = store.create_team("Team")
    mid = _meeting(store, team)
    a = store.save_note(team.id, mid, "q0", "A's pointe", base_revision=0)
    with pytest.raises(NoteConflict) as err:  # screen B loaded the empty field
        store.save_note(team.id, mid, "q0", "Pointe fra B.", base_revision=0)
    assert err.value.current.text == "A's pointe" and err.value.current.revision == a
    assert store.notes(mid) == {"q0": "A's pointe"}
    merged = store.save_note(team.id, mid, "q0", "A's pointe\n\nPointe fra B.", base_revision=a)
    assert merged == a + 1
    # The same text from a stale screen is no conflict.
    assert store.save_note(team.id, mid, "q0", "A's pointe\n\nPointe fra B.", 0) == merged


@pytest.mark.slow  # Hypothesis, a database per example
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "B", "C"]), st.sampled_from(["save", "reload"])),
        min_size=1,
        max_size=25,
    )
)
def test_no_interleaving_of_screens_overwrites_unseen_text(
    store: Storage, steps: list[tuple[str, str]]
) -> None:
    """Property: whatever order three screens save and reload in, a save is either stored on
    top of exactly what that screen had seen, or refused with the stored text; the stored note
    is always the last save that was acknowledged."""
    team, _ = store.create_team("Team")
    mid = _meeting(store, team)
    seen = {name: 0 for name in "ABC"}
    last_ack = ""
    for n, (screen, action) in enumerate(steps):
        if action == "reload":
            seen[screen] = (
                store.note_entries(mid).get("q0", None).revision if store.notes(mid) else 0
            )
            continue
        typed = f"{screen}{n}"
        stored_before = store.note_entries(mid).get("q0")
        try:
            seen[screen] = store.save_note(team.id, mid, "q0", typed, seen[screen])
            assert (stored_before.revision if stored_before else 0) == seen[screen] - 1
            last_ack = typed
        except NoteConflict as exc:
            assert stored_before is not None and exc.current.text == stored_before.text
        assert store.notes(mid).get("q0", "") == last_ack


# --- 9. Deletion that deletes ---------------------------------------------------------------


def _database_files(store: Storage, request: pytest.FixtureRequest) -> list[Path]:
    """The files the database keeps its tables in – on PostgreSQL after a checkpoint, which
    writes what is in memory to them, so nothing hides in the server's buffers."""
    if store.sqlite:
        path = Path(make_url(store.url).database or "")
        return [p for p in (path, Path(f"{path}-wal")) if p.exists()]
    server: PostgresServer = request.getfixturevalue("postgres_server")
    with store.engine.connect() as conn:
        oid = conn.execute(
            text("SELECT oid FROM pg_database WHERE datname = current_database()")
        ).scalar_one()
        conn.execute(text("CHECKPOINT"))
    return [p for p in (server.datadir / "base" / str(oid)).iterdir() if p.is_file()]


def _holding(files: list[Path], marker: bytes) -> list[str]:
    return [p.name for p in files if marker in p.read_bytes()]


def test_deleted_text_is_gone_from_the_database_files(
    store: Storage, request: pytest.FixtureRequest
) -> None:
    team, _ = store.create_team("Team")
    markers = {kind: f"MARKER-{kind}-{secrets.token_hex(6)}" for kind in ("note", "task", "team")}
    mid = _meeting(store, team)
    store.save_note(team.id, mid, "q0", markers["note"])
    meeting = store.get_meeting(mid)
    assert meeting
    fid = store.add_follow_up(meeting, "Anne", markers["task"], None, 9)
    doomed, _ = store.create_team(markers["team"])
    doomed_mid = _meeting(store, doomed)
    store.save_note(doomed.id, doomed_mid, "q0", markers["team"])
    files = _database_files(store, request)
    assert _holding(files, markers["note"].encode()), "the marker should be on disk first"

    store.delete_follow_up(team.id, fid)
    assert _holding(_database_files(store, request), markers["task"].encode()) == []
    store.delete_meeting(team.id, mid)
    assert _holding(_database_files(store, request), markers["note"].encode()) == []
    store.delete_team(doomed.id)
    assert _holding(_database_files(store, request), markers["team"].encode()) == []


# --- 10. A deleted SQLite file ---------------------------------------------------------------


def test_a_deleted_sqlite_file_is_noticed_and_nothing_is_saved_into_it(tmp_path: Path) -> None:
    path = tmp_path / "borgercases.sqlite3"
    store = Storage(f"sqlite:///{path}")
    store.create_schema()
    team, _ = store.create_team("Team")
    mid = _meeting(store, team)
    store.save_note(team.id, mid, "q0", "før")
    backup = tmp_path / "backup.sqlite3"
    with store.engine.connect() as conn:
        conn.exec_driver_sql(f"VACUUM INTO '{backup}'")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with pytest.raises(StorageError) as err:
        store.save_note(team.id, mid, "q0", "ind i ingenting")
    assert str(err.value) == FILE_GONE
    assert not path.exists()  # not quietly made anew, empty
    backup.rename(path)  # restored by the operator: taken into use with fresh connections
    assert store.notes(mid) == {"q0": "før"}
    store.save_note(team.id, mid, "q0", "efter")
    assert Storage(f"sqlite:///{path}").notes(mid) == {"q0": "efter"}
    store.dispose()


# --- 11. Logs carry no user text -------------------------------------------------------------


def test_a_failed_statement_carries_no_parameters(
    store: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    team, _ = store.create_team("Team")
    mid = _meeting(store, team)
    secret = f"Hemmelig-{secrets.token_hex(4)}"
    caplog.set_level(logging.DEBUG)
    store.save_note(team.id, mid, "q0", "første")
    with pytest.raises(IntegrityError) as err, store.engine.begin() as conn:
        conn.execute(  # a duplicate key: the statement fails with the values bound
            text(
                'INSERT INTO notes (meeting_id, "key", text, revision, updated_at) '
                "VALUES (:id, 'q0', :text, 1, :now)"
            ),
            {"id": mid, "text": secret, "now": "2026-11-27 10:00:00"},
        )
    assert secret not in str(err.value)  # bound values are never part of the message
    # What the app logs of an unexpected error: where and what kind, not the message (on
    # PostgreSQL the server's own detail names the duplicate key: here the meeting id).
    from facilitator.ui.common import log_failure

    log_failure("saving a note", err.value)
    assert "IntegrityError" in caplog.text
    assert secret not in caplog.text and mid not in caplog.text


# --- 12. Retention ---------------------------------------------------------------------------


def test_retention_removes_old_empty_teams_and_their_members(store: Storage) -> None:
    old_team, _ = store.create_team("Gammelt team")
    busy_team, _ = store.create_team("Aktivt team")
    new_team, _ = store.create_team("Nyt team")
    store.add_member(old_team.id, "oidc|anne")
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE teams SET created_at = :old WHERE id IN (:a, :b)"),
            {"old": "2024-01-01 00:00:00", "a": old_team.id, "b": busy_team.id},
        )
    old_meetings = [
        store.create_meeting(old_team, date(2024, 2, 1), 1, [], PLAN),
        store.create_meeting(busy_team, date(2024, 2, 1), 1, [], PLAN),
    ]
    with store.engine.begin() as conn:
        for mid in old_meetings:
            conn.execute(
                text("UPDATE meetings SET created_at = :old WHERE id = :m"),
                {"old": "2024-02-01 00:00:00", "m": mid},
            )
    recent = store.create_meeting(busy_team, TODAY, 1, [], PLAN)
    assert store.purge_older_than(365, TODAY) == 2
    assert store.get_team(old_team.id) is None and store.member_teams("oidc|anne") == []
    assert store.get_team(busy_team.id) == busy_team and store.get_meeting(recent) is not None
    assert store.get_team(new_team.id) == new_team  # made today, no meetings yet: kept


# --- Database errors are recognised by their codes, not their wording ------------------------


class _Driver(Exception):
    def __init__(
        self, message: str, sqlite_errorcode: int | None = None, sqlstate: str | None = None
    ):
        super().__init__(message)
        if sqlite_errorcode is not None:
            self.sqlite_errorcode = sqlite_errorcode
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("kind", "orig", "expected"),
    [
        ("op", _Driver("database is locked", sqlite_errorcode=5), "BUSY"),
        ("op", _Driver("anything at all", sqlite_errorcode=6), "BUSY"),
        ("op", _Driver("database is locked", sqlite_errorcode=8), "READ_ONLY"),  # code wins
        ("op", _Driver("disk I/O", sqlite_errorcode=13), "FULL"),
        ("op", _Driver("x", sqlite_errorcode=14), "MISSING"),
        ("op", _Driver("x", sqlite_errorcode=26), "DAMAGED"),
        ("op", _Driver("x", sqlite_errorcode=5 | (3 << 8)), "BUSY"),  # extended code
        ("op", _Driver("canceling statement", sqlstate="57014"), "BUSY"),
        ("op", _Driver("x", sqlstate="55P03"), "BUSY"),
        ("op", _Driver("read-only", sqlstate="25006"), "READ_ONLY"),
        ("prog", _Driver("permission denied for table notes", sqlstate="42501"), "READ_ONLY"),
        ("op", _Driver("terminating connection", sqlstate="57P01"), "UNAVAILABLE"),
        ("op", _Driver("x", sqlstate="08006"), "UNAVAILABLE"),
        ("op", _Driver("x", sqlstate="53100"), "FULL"),
        ("op", _Driver("connection refused"), "UNAVAILABLE"),
        ("integrity", _Driver("database is locked", sqlstate="23505"), None),  # not ours
        ("integrity", _Driver("UNIQUE constraint failed", sqlite_errorcode=2067), None),
    ],
)
def test_database_errors_are_told_apart_by_their_codes(
    kind: str, orig: Exception, expected: str | None
) -> None:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from facilitator.storage import engine

    cls = {"op": OperationalError, "prog": ProgrammingError, "integrity": IntegrityError}[kind]
    exc = cls("SELECT 1", None, orig)
    assert engine.danish_message(exc) == (getattr(engine, expected) if expected else None)
