"""Plain records the storage module hands to the rest of the app, and its errors.

Kept apart from ``storage`` so the views can use them without importing SQLAlchemy: the
start page shows before the database is ever needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from facilitator.timer import TimerState

TEAM_GONE = "Teamet findes ikke længere. Måske er det slettet."
MEETING_GONE = "Mødet findes ikke længere. Måske er det slettet."
FOLLOW_UP_GONE = "Aftalen findes ikke længere. Måske er den slettet på en anden skærm."
THOUGHT_GONE = "Tanken findes ikke længere. Måske er den slettet på en anden skærm."
PROPOSAL_GONE = "Forslaget findes ikke længere. Måske er det behandlet på en anden skærm."


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
    current_step: int = 0  # the step the meeting is at (0-based)
    clock_started: bool = False  # the clock has run (a step skipped before it did is no start)


@dataclass(frozen=True)
class Note:
    text: str
    revision: int  # 0: never saved


@dataclass(frozen=True)
class Thought:
    """A participant's anonymous thought on reflection question ``question`` (0-based)."""

    id: int
    question: int
    text: str
    hidden: bool
    copied: bool


@dataclass(frozen=True)
class Proposal:
    """A follow-up a participant proposed; ``who`` is optional."""

    id: int
    who: str | None
    what: str
    due: date | None


@dataclass(frozen=True)
class PhoneMeeting:
    """What a participant's page may know of a meeting: no team, no id, no names."""

    case_number: int
    meeting_date: date
    timer: TimerState


@dataclass(frozen=True)
class Member:
    """A single-sign-on user who has opened the team."""

    subject: str
    created_at: datetime


class StorageError(RuntimeError):
    """The database could not be used; ``str(err)`` is a Danish message for the screen."""


class NoteConflict(StorageError):
    """The note was changed on another screen since this screen loaded it; nothing was saved."""

    def __init__(self, current: Note) -> None:
        super().__init__(
            "Noten er ændret på en anden skærm, siden du begyndte at skrive. Din tekst er ikke "
            "gemt endnu – den står stadig i feltet."
        )
        self.current = current


class JoinRefused(StorageError):
    """A participant's send was refused (link closed, wrong step, flood guard); nothing stored."""


def _wait(seconds: float) -> str:
    wait = max(1, round(seconds))
    return "1 sekund" if wait == 1 else f"{wait} sekunder"


class Throttled(StorageError):
    """Too many wrong team codes from this client: the code was not checked."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"For mange forkerte koder i træk. Vent {_wait(seconds)}, og prøv igen.")
        self.seconds = seconds


class CreateThrottled(StorageError):
    """Too many new teams from this client in a short time: no team was created."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"Der er oprettet mange teams herfra på kort tid. Vent {_wait(seconds)}, og tryk "
            "»Opret team« igen – navnet står stadig i feltet."
        )
        self.seconds = seconds
