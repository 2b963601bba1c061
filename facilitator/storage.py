"""Storage: the one module that talks to the database (SQLAlchemy).

An embedded SQLite file in the data directory by default; ``DATABASE_URL``
selects a PostgreSQL server instead (``postgresql://…``, driven by psycopg 3).
Every function commits before it returns, so what the screen shows as saved is
on disk. Callers get plain dataclasses, never ORM objects.

The schema is kept by Alembic migrations in ``facilitator/migrations``;
``Storage.create_schema`` brings any database up to the newest revision.
"""

from __future__ import annotations

import functools
import os
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, InternalError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from facilitator import teamcode

# The plain records and errors live in ``records`` (no SQLAlchemy); re-exported for callers.
from facilitator.records import (
    ConcurrentChange,
    FollowUp,
    Meeting,
    MeetingSummaryRow,
    StorageError,
    Team,
)
from facilitator.timer import TimerState

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "ConcurrentChange",
    "FollowUp",
    "Meeting",
    "MeetingSummaryRow",
    "Storage",
    "StorageError",
    "Team",
]

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The revision that ``Base.metadata.create_all`` made before there were migrations.
INITIAL_REVISION = "0001"
LEGACY_TABLES = frozenset({"teams", "meetings", "notes", "follow_ups"})  # before migrations
# PostgreSQL advisory lock held while migrating, so servers starting at once take turns.
_MIGRATION_LOCK_KEY = 0x426F7267  # "Borg"
_MIGRATING = threading.Lock()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when a code's lookup key matches no team, so a miss costs the same
    time. Made on first use: hashing takes a moment, and a cold start should not wait."""
    return teamcode.hash_code("0000-0000-0000-0000", salt=b"borgercases-dummy")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class TeamRow(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # The code's first group, to find the team; the code itself is stored only as a hash.
    access_key: Mapped[str | None] = mapped_column(
        String(8), nullable=True, unique=True, index=True
    )
    code_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TeamMemberRow(Base):
    """A single-sign-on user (OIDC subject) who has opened the team with its code."""

    __tablename__ = "team_members"
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    subject: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MeetingRow(Base):
    __tablename__ = "meetings"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    meeting_date: Mapped[date] = mapped_column(Date)
    next_meeting_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    case_number: Mapped[int] = mapped_column(Integer)
    participants: Mapped[list[str]] = mapped_column(JSON, default=list)
    moderator: Mapped[str | None] = mapped_column(String(80), nullable=True)
    plan: Mapped[list[int]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    current_step: Mapped[int] = mapped_column(Integer, default=0)
    used: Mapped[list[float]] = mapped_column(JSON)
    allocated: Mapped[list[int | None]] = mapped_column(JSON)
    running_since: Mapped[float | None] = mapped_column(Float, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NoteRow(Base):
    __tablename__ = "notes"
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FollowUpRowDB(Base):
    __tablename__ = "follow_ups"
    __table_args__ = (UniqueConstraint("meeting_id", "client_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    client_key: Mapped[str] = mapped_column(String(40))
    who: Mapped[str] = mapped_column(String(80))
    what: Mapped[str] = mapped_column(Text)
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    case_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def default_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    data_dir = Path(os.environ.get("BORGERCASES_DATA_DIR", DEFAULT_DATA_DIR))
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / 'borgercases.sqlite3'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def normalize_url(url: str) -> URL:
    """``postgres://`` and ``postgresql://`` mean PostgreSQL via psycopg 3, the driver we ship."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str) -> Engine:
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 15, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code: works from any folder and when installed."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


_BUSY = "Databasen er optaget lige nu. Prøv igen om et øjeblik – intet er gået tabt."
_READ_ONLY = "Databasen er skrivebeskyttet, så intet kan gemmes. Kontakt den, der driver værktøjet."
_MISSING = "Databasen findes ikke eller kan ikke åbnes. Kontakt den, der driver værktøjet."
_UNAVAILABLE = "Databasen kan ikke bruges lige nu. Prøv igen om et øjeblik."
_BUSY_SIGNS = (
    "locked",  # SQLite
    "busy",
    "lock timeout",  # PostgreSQL lock_timeout
    "statement timeout",
    "could not obtain lock",
    "deadlock detected",
    "could not serialize access",
    "too many clients",
    "connection slots are reserved",
)
_READ_ONLY_SIGNS = ("readonly", "read-only", "permission denied")
_MISSING_SIGNS = ("does not exist", "unable to open database file")


def _danish_message(exc: DBAPIError) -> str | None:
    """The Danish message for a database that can't be used, or None for any other error."""
    text_ = str(exc.orig).lower() if exc.orig else str(exc).lower()
    if not isinstance(exc, OperationalError | InternalError):
        # Constraint violations and SQL errors are the caller's business – except missing rights.
        return _READ_ONLY if "permission denied" in text_ else None
    if any(sign in text_ for sign in _BUSY_SIGNS):
        return _BUSY
    if any(sign in text_ for sign in _READ_ONLY_SIGNS):
        return _READ_ONLY
    if any(sign in text_ for sign in _MISSING_SIGNS):
        return _MISSING
    return _UNAVAILABLE


def new_meeting_id() -> str:
    """Unguessable: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


class Storage:
    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create_schema(self, attempts: int = 5) -> None:
        """Bring the schema up to date; a database busy with another server's start is retried."""
        for attempt in range(1, attempts + 1):
            try:
                self._migrate()
                return
            except StorageError as exc:
                if str(exc) != _BUSY or attempt == attempts:
                    raise
                time.sleep(0.5 * attempt)

    def _migrate(self) -> None:
        """Bring the schema up to the newest migration (``alembic upgrade head``).

        A database made by ``create_all`` before there were migrations (all tables, no
        ``alembic_version``) is first stamped at the initial revision, as it is. Everything runs
        in one transaction: a failed migration changes nothing.
        """
        from alembic import command

        # Alembic keeps the running migration in module globals: one at a time per process.
        with _MIGRATING, self._guard(), self.engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                # SQLite changes a table by copying it; with foreign keys on, dropping the old
                # copy would cascade-delete rows that refer to it. Off while migrating, checked
                # before commit. BEGIN IMMEDIATE: one migrating process at a time.
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            elif conn.dialect.name == "postgresql":
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                )
            try:
                cfg = alembic_config(conn)
                tables = set(inspect(conn).get_table_names())
                if "alembic_version" not in tables and tables >= LEGACY_TABLES:
                    command.stamp(cfg, INITIAL_REVISION)
                command.upgrade(cfg, "head")
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
                conn.commit()
            finally:
                conn.rollback()
                if sqlite:
                    conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                    conn.commit()

    def dispose(self) -> None:
        self.engine.dispose()

    # --- plumbing ---

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as exc:
            msg = _danish_message(exc)
            if msg is None:
                raise
            raise StorageError(msg) from exc

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._guard(), self._sessions.begin() as session:
            yield session

    # --- teams ---

    def create_team(self, name: str) -> tuple[Team, str]:
        """A new team space and its code. The code is returned once and stored only hashed."""
        for _attempt in range(5):
            code, key = teamcode.new_code()
            try:
                with self._session() as s:
                    row = TeamRow(name=name, access_key=key, code_hash=teamcode.hash_code(code))
                    s.add(row)
                    s.flush()
                    return Team(row.id, row.name), code
            except IntegrityError:  # the lookup key is taken: draw another code
                continue
        raise StorageError("Teamet kunne ikke oprettes. Prøv igen.")

    def open_team(self, code: str) -> Team | None:
        """The team whose code this is, or None – the same answer for every kind of wrong code."""
        try:
            key = teamcode.lookup_key(code)
        except teamcode.InvalidCode:
            return None
        with self._session() as s:
            row = s.scalar(select(TeamRow).where(TeamRow.access_key == key))
            stored = row.code_hash if row is not None and row.code_hash else _dummy_hash()
            # Hash even when there is no such key, so timing tells nothing either.
            if teamcode.verify_code(code, stored) and row is not None:
                return Team(row.id, row.name)
            return None

    def new_team_code(self, team_id: int) -> str:
        """Replace the team's code (the old one stops working at once)."""
        for _attempt in range(5):
            code, key = teamcode.new_code()
            try:
                with self._session() as s:
                    row = s.get(TeamRow, team_id)
                    if row is None:
                        raise StorageError("Teamet findes ikke.")
                    row.access_key = key
                    row.code_hash = teamcode.hash_code(code)
                return code
            except IntegrityError:
                continue
        raise StorageError("Der kunne ikke laves en ny kode. Prøv igen.")

    def teams_without_code(self) -> list[Team]:
        """Teams from before team spaces; an administrator gives them codes."""
        with self._session() as s:
            rows = s.scalars(
                select(TeamRow).where(TeamRow.code_hash.is_(None)).order_by(TeamRow.id)
            )
            return [Team(r.id, r.name) for r in rows]

    def add_member(self, team_id: int, subject: str) -> None:
        with self._session() as s:
            if s.get(TeamMemberRow, (team_id, subject)) is None:
                s.add(TeamMemberRow(team_id=team_id, subject=subject))

    def member_teams(self, subject: str) -> list[Team]:
        with self._session() as s:
            rows = s.execute(
                select(TeamRow.id, TeamRow.name)
                .join(TeamMemberRow, TeamMemberRow.team_id == TeamRow.id)
                .where(TeamMemberRow.subject == subject)
                .order_by(TeamRow.name)
            )
            return [Team(r.id, r.name) for r in rows]

    def get_team(self, team_id: int) -> Team | None:
        with self._session() as s:
            name = s.scalar(select(TeamRow.name).where(TeamRow.id == team_id))
            return Team(team_id, name) if name is not None else None

    def delete_team(self, team_id: int) -> None:
        """Delete a team and everything it stored: meetings, notes, follow-ups."""
        with self._session() as s:
            meeting_ids = list(
                s.scalars(select(MeetingRow.id).where(MeetingRow.team_id == team_id))
            )
            if meeting_ids:
                s.execute(delete(NoteRow).where(NoteRow.meeting_id.in_(meeting_ids)))
            s.execute(delete(FollowUpRowDB).where(FollowUpRowDB.team_id == team_id))
            s.execute(delete(MeetingRow).where(MeetingRow.team_id == team_id))
            s.execute(delete(TeamMemberRow).where(TeamMemberRow.team_id == team_id))
            s.execute(delete(TeamRow).where(TeamRow.id == team_id))

    # --- meetings ---

    def create_meeting(
        self,
        team: Team,
        meeting_date: date,
        case_number: int,
        participants: list[str],
        plan_seconds: list[int],
        next_meeting_date: date | None = None,
    ) -> str:
        timer = TimerState(plan=tuple(plan_seconds))
        meeting_id = new_meeting_id()
        with self._session() as s:
            s.add(
                MeetingRow(
                    id=meeting_id,
                    team_id=team.id,
                    meeting_date=meeting_date,
                    next_meeting_date=next_meeting_date,
                    case_number=case_number,
                    participants=list(participants),
                    moderator=None,
                    plan=list(timer.plan),
                    status=timer.status,
                    current_step=timer.current,
                    used=list(timer.used),
                    allocated=list(timer.allocated),
                    running_since=None,
                )
            )
        return meeting_id

    def get_meeting(self, meeting_id: str) -> Meeting | None:
        if not meeting_id or len(meeting_id) > 40:
            return None
        with self._session() as s:
            row = s.get(MeetingRow, meeting_id)
            if row is None:
                return None
            # Only id and name: the code hash never leaves the storage module.
            name = s.scalar(select(TeamRow.name).where(TeamRow.id == row.team_id))
            assert name is not None
            return _meeting(row, Team(row.team_id, name))

    def update_timer(
        self, meeting_id: str, change: Callable[[TimerState], TimerState], retries: int = 5
    ) -> Meeting:
        """Apply ``change`` to the stored timer; concurrent changes are retried, never lost.

        The row is locked while ``change`` runs – ``FOR NO KEY UPDATE`` on PostgreSQL, the
        database's write lock (``BEGIN IMMEDIATE``) on SQLite – so a second screen waits its
        turn. The version check is a second guard: a change made in between is tried again.
        """
        for attempt in range(retries):
            with self._session() as s:
                conn = s.connection()
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                row = s.scalar(
                    select(MeetingRow)
                    .where(MeetingRow.id == meeting_id)
                    .with_for_update(key_share=True)
                )
                if row is None:
                    raise StorageError("Mødet findes ikke længere.")
                version = row.version
                new = change(_timer(row))
                result = s.execute(
                    update(MeetingRow)
                    .where(MeetingRow.id == meeting_id, MeetingRow.version == version)
                    .values(
                        status=new.status,
                        current_step=new.current,
                        used=list(new.used),
                        allocated=list(new.allocated),
                        plan=list(new.plan),
                        running_since=new.running_since,
                        version=version + 1,
                        updated_at=utcnow(),
                    )
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    break
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))  # let the other writer finish
        else:
            raise StorageError("Mødet blev ændret fra en anden skærm samtidig. Prøv igen.")
        updated = self.get_meeting(meeting_id)
        assert updated is not None
        return updated

    def set_moderator(self, meeting_id: str, name: str | None) -> None:
        with self._session() as s:
            s.execute(
                update(MeetingRow)
                .where(MeetingRow.id == meeting_id)
                .values(moderator=name, updated_at=utcnow())
            )

    def delete_meeting(self, meeting_id: str) -> None:
        with self._session() as s:
            s.execute(delete(NoteRow).where(NoteRow.meeting_id == meeting_id))
            s.execute(delete(FollowUpRowDB).where(FollowUpRowDB.meeting_id == meeting_id))
            s.execute(delete(MeetingRow).where(MeetingRow.id == meeting_id))

    def team_meetings(self, team_id: int) -> list[MeetingSummaryRow]:
        with self._session() as s:
            rows = s.scalars(
                select(MeetingRow)
                .where(MeetingRow.team_id == team_id)
                .order_by(MeetingRow.meeting_date.desc(), MeetingRow.created_at.desc())
            ).all()
            counts = {
                mid: (total, open_)
                for mid, total, open_ in s.execute(
                    select(
                        FollowUpRowDB.meeting_id,
                        func.count(FollowUpRowDB.id),
                        func.sum(func.cast(~FollowUpRowDB.done, Integer)),
                    )
                    .where(FollowUpRowDB.team_id == team_id)
                    .group_by(FollowUpRowDB.meeting_id)
                )
            }
            return [
                MeetingSummaryRow(
                    id=r.id,
                    meeting_date=r.meeting_date,
                    case_number=r.case_number,
                    participants=len(r.participants or []),
                    moderator=r.moderator,
                    status=r.status,
                    follow_ups=counts.get(r.id, (0, 0))[0],
                    open_follow_ups=int(counts.get(r.id, (0, 0))[1] or 0),
                )
                for r in rows
            ]

    def last_moderated(self, team_id: int) -> dict[str, datetime]:
        """When each person (by case-folded name) last moderated a meeting of the team."""
        with self._session() as s:
            out: dict[str, datetime] = {}
            for name, when in s.execute(
                select(MeetingRow.moderator, func.max(MeetingRow.created_at))
                .where(MeetingRow.team_id == team_id, MeetingRow.moderator.is_not(None))
                .group_by(MeetingRow.moderator)
            ):
                key = str(name).casefold()
                when = _aware(when)
                if key not in out or when > out[key]:
                    out[key] = when
            return out

    def purge_older_than(self, days: int, today: date) -> int:
        """Retention: delete meetings (with notes and follow-ups) older than ``days``."""
        cutoff = today - timedelta(days=days)
        with self._session() as s:
            ids = list(s.scalars(select(MeetingRow.id).where(MeetingRow.meeting_date < cutoff)))
            if ids:
                s.execute(delete(NoteRow).where(NoteRow.meeting_id.in_(ids)))
                s.execute(delete(FollowUpRowDB).where(FollowUpRowDB.meeting_id.in_(ids)))
                s.execute(delete(MeetingRow).where(MeetingRow.id.in_(ids)))
            return len(ids)

    # --- notes ---

    def save_note(self, meeting_id: str, key: str, text: str) -> None:
        with self._session() as s:
            row = s.get(NoteRow, (meeting_id, key))
            if row is None:
                s.add(NoteRow(meeting_id=meeting_id, key=key, text=text, updated_at=utcnow()))
            else:
                row.text = text
                row.updated_at = utcnow()

    def notes(self, meeting_id: str) -> dict[str, str]:
        with self._session() as s:
            return {
                r.key: r.text
                for r in s.scalars(select(NoteRow).where(NoteRow.meeting_id == meeting_id))
            }

    # --- follow-ups ---

    def add_follow_up(
        self,
        meeting: Meeting,
        who: str,
        what: str,
        due: date | None,
        case_number: int | None,
        client_key: str | None = None,
    ) -> int:
        """Store a follow-up once: the same ``client_key`` twice (a double click) stores one."""
        client_key = client_key or secrets.token_hex(8)
        with self._session() as s:
            existing = s.scalar(
                select(FollowUpRowDB.id).where(
                    FollowUpRowDB.meeting_id == meeting.id, FollowUpRowDB.client_key == client_key
                )
            )
            if existing is not None:
                return int(existing)
            row = FollowUpRowDB(
                team_id=meeting.team.id,
                meeting_id=meeting.id,
                client_key=client_key,
                who=who,
                what=what,
                due=due,
                case_number=case_number,
            )
            s.add(row)
            s.flush()
            return int(row.id)

    def set_follow_up_done(self, follow_up_id: int, done: bool) -> None:
        with self._session() as s:
            s.execute(
                update(FollowUpRowDB)
                .where(FollowUpRowDB.id == follow_up_id)
                .values(done=done, done_at=utcnow() if done else None)
            )

    def delete_follow_up(self, follow_up_id: int) -> None:
        with self._session() as s:
            s.execute(delete(FollowUpRowDB).where(FollowUpRowDB.id == follow_up_id))

    def follow_ups(
        self,
        team_id: int,
        *,
        meeting_id: str | None = None,
        open_only: bool = False,
        exclude_meeting: str | None = None,
    ) -> list[FollowUp]:
        with self._session() as s:
            q = (
                select(FollowUpRowDB, MeetingRow.meeting_date)
                .join(MeetingRow, MeetingRow.id == FollowUpRowDB.meeting_id)
                .where(FollowUpRowDB.team_id == team_id)
            )
            if meeting_id is not None:
                q = q.where(FollowUpRowDB.meeting_id == meeting_id)
            if exclude_meeting is not None:
                q = q.where(FollowUpRowDB.meeting_id != exclude_meeting)
            if open_only:
                q = q.where(FollowUpRowDB.done.is_(False))
            q = q.order_by(FollowUpRowDB.due.is_(None), FollowUpRowDB.due, FollowUpRowDB.id)
            return [
                FollowUp(
                    id=r.id,
                    meeting_id=r.meeting_id,
                    who=r.who,
                    what=r.what,
                    due=r.due,
                    case_number=r.case_number,
                    done=r.done,
                    meeting_date=md,
                    created_at=_aware(r.created_at),
                )
                for r, md in s.execute(q)
            ]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _timer(row: MeetingRow) -> TimerState:
    return TimerState(
        plan=tuple(int(x) for x in row.plan),
        status=row.status,
        current=row.current_step,
        used=tuple(float(x) for x in row.used),
        allocated=tuple(None if x is None else int(x) for x in row.allocated),
        running_since=row.running_since,
    )


def _meeting(row: MeetingRow, team: Team) -> Meeting:
    return Meeting(
        id=row.id,
        team=team,
        meeting_date=row.meeting_date,
        next_meeting_date=row.next_meeting_date,
        case_number=row.case_number,
        participants=tuple(row.participants or ()),
        moderator=row.moderator,
        timer=_timer(row),
        version=row.version,
        created_at=_aware(row.created_at),
    )
