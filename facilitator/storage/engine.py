"""The database connection: URL, engine, sessions, Danish error messages, the SQLite file's
identity, physical deletion and schema migrations. No queries of the app live here.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, InternalError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from facilitator.records import StorageError

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# The revision that ``Base.metadata.create_all`` made before there were migrations.
INITIAL_REVISION = "0001"
LEGACY_TABLES = frozenset({"teams", "meetings", "notes", "follow_ups"})  # before migrations
# PostgreSQL advisory lock held while migrating, so servers starting at once take turns.
_MIGRATION_LOCK_KEY = 0x426F7267  # "Borg"
_MIGRATING = threading.Lock()
# Tables that hold what people typed, by what a deletion removes; scrubbed on PostgreSQL.
FOLLOW_UP_TABLES = ("follow_ups",)
MEETING_TABLES = ("notes", "follow_ups", "thoughts", "proposals", "meetings")
PARTICIPATION_TABLES = ("thoughts", "proposals")
TEAM_TABLES = (*MEETING_TABLES, "team_members", "team_grants", "teams")

BUSY = "Databasen er optaget lige nu. Prøv igen om et øjeblik – intet er gået tabt."
READ_ONLY = "Databasen er skrivebeskyttet, så intet kan gemmes. Kontakt den, der driver værktøjet."
MISSING = "Databasen findes ikke eller kan ikke åbnes. Kontakt den, der driver værktøjet."
FULL = (
    "Der er ikke mere plads til databasen, så intet kan gemmes. Kontakt den, der driver værktøjet."
)
DAMAGED = "Databasefilen er beskadiget. Kontakt den, der driver værktøjet."
UNAVAILABLE = "Databasen kan ikke bruges lige nu. Prøv igen om et øjeblik."
FILE_GONE = (
    "Databasefilen er forsvundet, så intet kan gemmes lige nu. Det, du har skrevet, står stadig "
    "på skærmen. Kontakt den, der driver værktøjet."
)
# The messages that mean the database can't be used right now (not a wrong id or input).
OUTAGES = frozenset({BUSY, READ_ONLY, MISSING, FULL, DAMAGED, UNAVAILABLE, FILE_GONE})

# SQLite's primary result codes (the low byte of ``sqlite_errorcode``).
_SQLITE_CODES = {
    3: READ_ONLY,  # SQLITE_PERM
    5: BUSY,  # SQLITE_BUSY
    6: BUSY,  # SQLITE_LOCKED
    8: READ_ONLY,  # SQLITE_READONLY
    10: UNAVAILABLE,  # SQLITE_IOERR
    11: DAMAGED,  # SQLITE_CORRUPT
    13: FULL,  # SQLITE_FULL
    14: MISSING,  # SQLITE_CANTOPEN
    26: DAMAGED,  # SQLITE_NOTADB
}
# PostgreSQL SQLSTATEs: exact codes first, then classes (first two characters).
_PG_CODES = {
    "55P03": BUSY,  # lock_not_available (lock_timeout)
    "57014": BUSY,  # query_canceled (statement_timeout)
    "40P01": BUSY,  # deadlock_detected
    "40001": BUSY,  # serialization_failure
    "53300": BUSY,  # too_many_connections
    "42501": READ_ONLY,  # insufficient_privilege
    "25006": READ_ONLY,  # read_only_sql_transaction
    "3D000": MISSING,  # invalid_catalog_name: the database does not exist
    "53100": FULL,  # disk_full
}
_PG_CLASSES = {
    "08": UNAVAILABLE,  # connection exception
    "57": UNAVAILABLE,  # operator intervention (shutdown, crash, cannot connect now)
    "53": BUSY,  # insufficient resources
    "28": MISSING,  # invalid authorization
}


def danish_message(exc: DBAPIError) -> str | None:
    """The Danish message for a database that can't be used, or None for the caller's own errors
    (constraint violations, SQL mistakes). Decided by the drivers' stable error codes."""
    orig = exc.orig
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):
        found = _SQLITE_CODES.get(sqlite_code & 0xFF)
        if found:
            return found
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate:
        found = _PG_CODES.get(sqlstate) or _PG_CLASSES.get(sqlstate[:2])
        if found:
            return found
    if isinstance(exc, OperationalError | InternalError):
        # psycopg has no SQLSTATE for a connection that failed: the server's FATAL message is
        # the only sign of a missing database (the one place text is read).
        if sqlstate is None and 'database "' in str(orig) and "does not exist" in str(orig):
            return MISSING
        return UNAVAILABLE  # e.g. a server that doesn't answer
    return None


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
    # Deleted text is overwritten with zeros, not just marked free (tavshedspligt).
    cursor.execute("PRAGMA secure_delete=ON")
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
    """``hide_parameters``: a failed statement is logged without its values (names, notes,
    meeting ids), so no log line carries what people typed or a working meeting link."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            parsed,
            connect_args={"timeout": 15, "check_same_thread": False},
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code: works from any folder and when installed."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


class Database:
    """Engine, sessions and the guard that turns database trouble into Danish messages."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        parsed = normalize_url(self.url)
        database = parsed.database or ""
        self.sqlite = parsed.get_backend_name() == "sqlite"
        self._file: Path | None = (
            Path(database).resolve() if self.sqlite and database not in ("", ":memory:") else None
        )
        self._identity: tuple[int, int] | None = None
        self._identity_lock = threading.Lock()

    def dispose(self) -> None:
        self.engine.dispose()

    # --- the SQLite file ---

    def _check_file(self) -> None:
        """Refuse to work on a SQLite file that was deleted or replaced under the running app.

        A deleted file would otherwise keep taking writes through open connections (into an
        unlinked inode, gone at the next restart) or be recreated empty. A replaced file (e.g.
        restored from a backup) is taken into use with fresh connections."""
        if self._file is None or self._identity is None:
            return
        now = _file_identity(self._file)
        if now == self._identity:
            return
        with self._identity_lock:
            if now is None:
                self.engine.dispose()  # no writes into the unlinked file
                raise StorageError(FILE_GONE)
            self.engine.dispose()
            self._identity = now

    def _remember_file(self) -> None:
        if self._file is not None:
            self._identity = _file_identity(self._file)

    # --- plumbing ---

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            self._check_file()
            yield
        except DBAPIError as exc:
            msg = danish_message(exc)
            if msg is None:
                raise
            raise StorageError(msg) from exc

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._guard(), self._sessions.begin() as session:
            yield session

    def _scrub(self, tables: tuple[str, ...]) -> None:
        """After a deletion from ``tables``: make the deleted bytes physically go away.

        SQLite (with ``secure_delete``) overwrites freed space, but the old pages stay in the
        write-ahead log until a checkpoint: checkpoint and truncate it now. PostgreSQL keeps dead
        rows in the table files until VACUUM; ``VACUUM FULL`` rewrites the tables the deletion
        touched (their files are replaced), so no deleted note stays on disk in the database.
        Only those tables: VACUUM FULL locks a table for every team while it runs.
        """
        with self._guard(), self.engine.connect() as conn:
            if self.sqlite:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.commit()
                return
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql(f"VACUUM (FULL) {', '.join(tables)}")

    # --- schema ---

    def create_schema(self, attempts: int = 5) -> None:
        """Bring the schema up to date; a database busy with another server's start is retried."""
        for attempt in range(1, attempts + 1):
            try:
                self._migrate()
                self._remember_file()
                return
            except StorageError as exc:
                if str(exc) != BUSY or attempt == attempts:
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
