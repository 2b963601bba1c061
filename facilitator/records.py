"""Plain records the storage module hands to the rest of the app, and its errors.

Kept apart from ``storage`` so the views can use them without importing SQLAlchemy: the
start page shows before the database is ever needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from facilitator.timer import TimerState


@dataclass(frozen=True)
class Team:
    id: int
    name: str


@dataclass(frozen=True)
class Meeting:
    id: str
    team: Team
    meeting_date: date
    next_meeting_date: date | None
    case_number: int
    participants: tuple[str, ...]
    moderator: str | None
    timer: TimerState
    version: int
    created_at: datetime


@dataclass(frozen=True)
class FollowUp:
    id: int
    meeting_id: str
    who: str
    what: str
    due: date | None
    case_number: int | None
    done: bool
    meeting_date: date
    created_at: datetime


@dataclass(frozen=True)
class MeetingSummaryRow:
    id: str
    meeting_date: date
    case_number: int
    participants: int
    moderator: str | None
    status: str
    follow_ups: int
    open_follow_ups: int


class StorageError(RuntimeError):
    """The database could not be used; ``str(err)`` is a Danish message for the screen."""


class ConcurrentChange(RuntimeError):
    pass
