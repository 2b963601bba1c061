"""The database tables (SQLAlchemy ORM). Only the storage package uses these classes; the
rest of the app sees the plain records in ``facilitator.records``.

Ids never come back: SQLite's integer keys use AUTOINCREMENT (without it SQLite hands the
highest deleted id to the next row), PostgreSQL's come from sequences, meetings have random ids.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

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
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class TeamRow(Base):
    __tablename__ = "teams"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012
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


class TeamGrantRow(Base):
    """One browser session's access to a team, given when the team was opened (code or SSO).

    The session holds the random token; only its hash is stored. Checked on every run, so a new
    code (which removes all grants), a deleted team (cascade) or »Skift team« ends the access.

    ``parent`` is the token hash of the device grant a session grant was opened from (the
    computer's remembered team): revoking the device grant (»Glem denne computer«) ends every
    session grant of that browser's tabs with it.
    """

    __tablename__ = "team_grants"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str | None] = mapped_column(String(200), nullable=True)
    parent: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class CodeFailureRow(Base):
    """Wrong team codes, counted per bucket (a hashed lookup key or client address)."""

    __tablename__ = "code_failures"
    bucket: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure: Mapped[float] = mapped_column(Float, index=True)  # epoch seconds
    blocked_until: Mapped[float] = mapped_column(Float, default=0.0)


class MeetingRow(Base):
    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("join_code", name="uq_meetings_join_code"),)
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
    allocated: Mapped[list[float | None]] = mapped_column(JSON)  # see TimerState.allocated
    running_since: Mapped[float | None] = mapped_column(Float, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Participants' join code (facilitator.participation): random, drawn when first shown.
    # Loaded only when asked for: a meeting read for its timer does not need them.
    join_code: Mapped[str | None] = mapped_column(String(16), nullable=True, deferred=True)
    join_created: Mapped[float | None] = mapped_column(Float, nullable=True, deferred=True)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True, deferred=True)


class NoteRow(Base):
    __tablename__ = "notes"
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    # Counts the saves: a screen that saves on top of a revision it never saw is told so.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FollowUpRowDB(Base):
    __tablename__ = "follow_ups"
    __table_args__ = (UniqueConstraint("meeting_id", "client_key"), {"sqlite_autoincrement": True})
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


class ThoughtRow(Base):
    """A participant's thought on one reflection question. Deliberately without any identity:
    no session, no address, no name – only the meeting, the question and the text."""

    __tablename__ = "thoughts"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)  # not on the projector
    copied: Mapped[bool] = mapped_column(Boolean, default=False)  # copied into the note
    created: Mapped[float] = mapped_column(Float, index=True)  # epoch seconds


class ProposalRow(Base):
    """A follow-up a participant proposed, until the facilitator accepts or dismisses it."""

    __tablename__ = "proposals"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    who: Mapped[str | None] = mapped_column(String(80), nullable=True)
    what: Mapped[str] = mapped_column(Text)
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    created: Mapped[float] = mapped_column(Float, index=True)  # epoch seconds
