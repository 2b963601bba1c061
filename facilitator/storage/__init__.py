"""Storage: the one package that talks to the database (SQLAlchemy).

An embedded SQLite file in the data directory by default; ``DATABASE_URL`` selects a
PostgreSQL server instead (``postgresql://…``, driven by psycopg 3). Every method commits
before it returns, so what the screen shows as saved is on disk. Callers get the plain records
of ``facilitator.records``, never ORM objects.

Split by concern behind this one facade: ``models`` (tables), ``engine`` (connection, errors,
schema migrations, physical deletion), ``teams``, ``meetings`` and ``participation`` (the
queries). The schema is kept by Alembic migrations in ``facilitator/migrations``.
"""

from __future__ import annotations

from facilitator.records import (
    CreateThrottled,
    FollowUp,
    Meeting,
    MeetingSummaryRow,
    Member,
    Note,
    NoteConflict,
    StorageError,
    Team,
    Throttled,
)
from facilitator.storage.engine import (
    INITIAL_REVISION,
    alembic_config,
    default_url,
    make_engine,
    normalize_url,
)
from facilitator.storage.models import Base
from facilitator.storage.participation import ParticipationQueries
from facilitator.storage.teams import TeamQueries

__all__ = [
    "INITIAL_REVISION",
    "Base",
    "CreateThrottled",
    "FollowUp",
    "Meeting",
    "MeetingSummaryRow",
    "Member",
    "Note",
    "NoteConflict",
    "Storage",
    "StorageError",
    "Team",
    "Throttled",
    "alembic_config",
    "default_url",
    "make_engine",
    "normalize_url",
]


class Storage(TeamQueries, ParticipationQueries):
    """Everything the views and scripts need from the database."""
