"""Alembic migrations: they make exactly the models' schema, on SQLite and PostgreSQL, and a
database from before migrations existed is taken over without losing anything."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from facilitator import timer as t
from facilitator.storage import (
    INITIAL_REVISION,
    Base,
    Storage,
    Team,
    alembic_config,
    make_engine,
)
from tests.conftest import ROOT

TODAY = date(2026, 11, 22)
TABLES = {"teams", "meetings", "notes", "follow_ups"}

# What `Base.metadata.create_all` wrote into a SQLite file before there were migrations – frozen
# here, so the test keeps describing the old databases when the models change.
LEGACY_SQLITE_SCHEMA = """
CREATE TABLE teams (
    id INTEGER NOT NULL,
    name VARCHAR(80) NOT NULL,
    name_key VARCHAR(80) NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (name_key)
);
CREATE TABLE meetings (
    id VARCHAR(40) NOT NULL,
    team_id INTEGER NOT NULL,
    meeting_date DATE NOT NULL,
    next_meeting_date DATE,
    case_number INTEGER NOT NULL,
    participants JSON NOT NULL,
    moderator VARCHAR(80),
    "plan" JSON NOT NULL,
    status VARCHAR(20) NOT NULL,
    current_step INTEGER NOT NULL,
    used JSON NOT NULL,
    allocated JSON NOT NULL,
    running_since FLOAT,
    version INTEGER NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(team_id) REFERENCES teams (id) ON DELETE CASCADE
);
CREATE INDEX ix_meetings_team_id ON meetings (team_id);
CREATE TABLE notes (
    meeting_id VARCHAR(40) NOT NULL,
    "key" VARCHAR(40) NOT NULL,
    text TEXT NOT NULL,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (meeting_id, "key"),
    FOREIGN KEY(meeting_id) REFERENCES meetings (id) ON DELETE CASCADE
);
CREATE TABLE follow_ups (
    id INTEGER NOT NULL,
    team_id INTEGER NOT NULL,
    meeting_id VARCHAR(40) NOT NULL,
    client_key VARCHAR(40) NOT NULL,
    who VARCHAR(80) NOT NULL,
    what TEXT NOT NULL,
    due DATE,
    case_number INTEGER,
    done BOOLEAN NOT NULL,
    done_at DATETIME,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (id),
    UNIQUE (meeting_id, client_key),
    FOREIGN KEY(team_id) REFERENCES teams (id) ON DELETE CASCADE,
    FOREIGN KEY(meeting_id) REFERENCES meetings (id) ON DELETE CASCADE
);
CREATE INDEX ix_follow_ups_team_id ON follow_ups (team_id);
CREATE INDEX ix_follow_ups_meeting_id ON follow_ups (meeting_id);
"""


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head
    return head


def _current(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def _fill(store: Storage, team: Team | None = None, legacy: bool = False) -> str:
    """Some of everything the app stores; returns the meeting id. ``legacy``: the note is
    written as the app did before notes had revisions."""
    team = team or store.create_team("Team Nord")[0]
    mid = store.create_meeting(
        team, TODAY, 9, ["Anne", "Bo", "Ørn"], [60, 180, 360, 180, 120], date(2026, 12, 6)
    )
    store.update_timer(team.id, mid, lambda s: t.start(s, 1000.0))
    store.set_moderator(team.id, mid, "Anne")
    if legacy:
        with store.engine.begin() as conn:
            conn.execute(
                text(
                    'INSERT INTO notes (meeting_id, "key", text, updated_at) '
                    "VALUES (:mid, 'q0', 'Sprogskolen – ring først 😀', '2026-11-01 10:00:00')"
                ),
                {"mid": mid},
            )
    else:
        store.save_note(team.id, mid, "q0", "Sprogskolen – ring først 😀")
    meeting = store.get_meeting(mid)
    assert meeting
    f1 = store.add_follow_up(meeting, "Bo", "Find sprogkort", date(2026, 12, 1), 9, "k1")
    store.add_follow_up(meeting, "Anne", "Tal med virksomheden", None, None, "k2")
    store.set_follow_up_done(team.id, f1, True)
    return mid


def _notes(store: Storage, mid: str) -> dict[str, str]:
    """Read as every revision of the schema can (older ones have no ``revision`` column)."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            text('SELECT "key", text FROM notes WHERE meeting_id = :mid'), {"mid": mid}
        )
        return {key: value for key, value in rows}


def _snapshot(store: Storage, mid: str) -> dict[str, Any]:
    meeting = store.get_meeting(mid)
    assert meeting
    return {
        "meeting": meeting,
        "notes": _notes(store, mid),
        "follow_ups": store.follow_ups(meeting.team.id),
        "history": store.team_meetings(meeting.team.id),
        "moderators": store.last_moderated(meeting.team.id),
    }


# The columns every revision has (later revisions add some, e.g. notes.revision).
_COLUMNS = {
    "notes": 'meeting_id, "key", text, updated_at',
    "meetings": "id, team_id, meeting_date, next_meeting_date, case_number, participants, "
    'moderator, "plan", status, current_step, used, allocated, running_since, version, '
    "created_at, updated_at",
}


def _rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: sorted(
                    (
                        tuple(r)
                        for r in conn.execute(
                            text(f"SELECT {_COLUMNS.get(table, '*')} FROM {table}")
                        )
                    ),
                    key=repr,
                )
                for table in sorted(TABLES)
            }
    finally:
        engine.dispose()


def test_there_is_one_head_and_it_descends_from_the_initial_revision() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    revisions = [r.revision for r in script.walk_revisions()]
    assert revisions[-1] == INITIAL_REVISION


def test_migrations_make_exactly_the_models_schema(db_url: str) -> None:
    store = Storage(db_url)
    store.create_schema()
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert set(inspect(conn).get_table_names()) == TABLES | {
            "team_members",
            "team_grants",
            "code_failures",
            "thoughts",
            "proposals",
            "alembic_version",
        }
    store.dispose()
    assert _current(db_url) == _head()


def test_create_schema_twice_is_harmless_and_keeps_data(db_url: str) -> None:
    store = Storage(db_url)
    store.create_schema()
    mid = _fill(store)
    before = _snapshot(store, mid)
    store.create_schema()
    assert _snapshot(store, mid) == before
    store.dispose()


def test_downgrade_to_nothing_and_back(db_url: str) -> None:
    store = Storage(db_url)
    store.create_schema()
    with store.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    with store.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    store.create_schema()
    _fill(store)
    store.dispose()
    assert _current(db_url) == _head()


@pytest.mark.slow  # several Python processes
def test_servers_starting_at_once_all_get_the_schema(db_url: str) -> None:
    """Separate processes migrating one database at once take turns (advisory lock on
    PostgreSQL, BEGIN IMMEDIATE on SQLite) – none fails on a half-made schema."""
    code = (
        "import sys; from facilitator.storage import Storage; Storage(sys.argv[1]).create_schema()"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, db_url],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert _current(db_url) == _head()
    store = Storage(db_url)
    _fill(store)
    store.dispose()


def _legacy_team(url: str) -> Team:
    """A team row as the app wrote it before team spaces (unique name, no code)."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO teams (name, name_key, created_at) "
                    "VALUES ('Team Nord', 'team nord', '2026-11-01 10:00:00')"
                )
            )
            team_id = conn.execute(text("SELECT id FROM teams")).scalar_one()
    finally:
        engine.dispose()
    return Team(team_id, "Team Nord")


def _team_rows(url: str) -> list[tuple[Any, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text("SELECT id, name FROM teams"))]
    finally:
        engine.dispose()


def _check_taken_over(url: str, mid: str, before: dict[str, Any]) -> None:
    new = Storage(url)
    new.create_schema()
    assert _snapshot(new, mid) == before
    # The old team has no code yet; an administrator issues one and the team opens with it.
    (team,) = new.teams_without_code()
    code = new.new_team_code(team.id)
    assert new.open_team(code) == before["meeting"].team
    new.dispose()
    assert _current(url) == _head()


def test_old_sqlite_database_is_taken_over_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "borgercases.sqlite3"
    url = f"sqlite:///{path}"
    with sqlite3.connect(path) as conn:
        conn.executescript(LEGACY_SQLITE_SCHEMA)
    team = _legacy_team(url)
    old = Storage(url)  # meetings, notes and follow-ups have the same columns as then
    mid = _fill(old, team, legacy=True)
    before = _snapshot(old, mid)
    old.dispose()
    rows_before = _rows(url)
    teams_before = _team_rows(url)

    _check_taken_over(url, mid, before)
    rows_after = _rows(url)
    assert {k: v for k, v in rows_after.items() if k != "teams"} == {
        k: v for k, v in rows_before.items() if k != "teams"
    }
    assert _team_rows(url) == teams_before
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_database_made_by_create_all_is_taken_over(db_url: str) -> None:
    """On both back ends: the initial revision's tables (what create_all made), no version."""
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(conn)
            command.upgrade(cfg, INITIAL_REVISION)
            conn.execute(text("DROP TABLE alembic_version"))
    finally:
        engine.dispose()
    team = _legacy_team(db_url)
    old = Storage(db_url)
    mid = _fill(old, team, legacy=True)
    before = _snapshot(old, mid)
    old.dispose()
    _check_taken_over(db_url, mid, before)


def test_create_schema_works_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = Storage(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    store.create_schema()
    store.dispose()
    assert _current(f"sqlite:///{tmp_path / 'x.sqlite3'}") == _head()


def test_foreign_keys_are_back_on_after_migrating(tmp_path: Path) -> None:
    store = Storage(f"sqlite:///{tmp_path / 'fk.sqlite3'}")
    store.create_schema()
    with store.engine.connect() as conn:  # the pool hands back the connection that migrated
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.dispose()
