"""The 15-minute team exercise from the booklet, as data.

The five steps are quoted exactly as the source describes them; the site's home
page and the facilitator app both render them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from facilitator.records import MeetingSummaryRow
from facilitator.timer import FINISHED


@dataclass(frozen=True)
class Step:
    key: str
    text: str  # the source's own wording
    short: str  # a short Danish label for buttons and the timer
    default_minutes: int


STEPS: tuple[Step, ...] = (
    Step("moderator", "Vælg en ordstyrer", "Ordstyrer", 1),
    Step("read", "Alle læser casen og refleksionsspørgsmålene hver for sig", "Læs casen", 3),
    Step(
        "discuss",
        "Ordstyrer faciliterer en fælles diskussion om refleksionsspørgsmålene",
        "Fælles diskussion",
        6,
    ),
    Step("knowledge", "Find viden og inspiration på bagsiden af casen", "Viden og inspiration", 3),
    Step("follow_up", "Aftal, hvem der følger op på hvad indtil næste møde", "Opfølgning", 2),
)

EXERCISE_TITLE = "Eksempel på en kort øvelse til teammødet (15 minutter)"
TOTAL_DEFAULT_MINUTES = sum(s.default_minutes for s in STEPS)


def default_plan_minutes() -> list[int]:
    return [s.default_minutes for s in STEPS]


def unfinished_today(meetings: list[MeetingSummaryRow], today: date) -> MeetingSummaryRow | None:
    """The meeting to continue from the team's page: the newest of today's meetings that has
    not finished (``meetings`` newest first, as the team's history lists them). A meeting left
    unfinished on an earlier day is history, not a meeting in progress."""
    for meeting in meetings:
        if meeting.meeting_date == today and meeting.status != FINISHED:
            return meeting
    return None


def last_discussed(number: int, discussed: list[tuple[int, date]]) -> date | None:
    """When the team last discussed case ``number`` (None: never)."""
    dates = [when for n, when in discussed if n == number]
    return max(dates) if dates else None


def suggest_case(case_numbers: list[int], discussed: list[tuple[int, date]]) -> int:
    """A case the team has not discussed yet (lowest number first); if all have been
    discussed, the one discussed longest ago. ``discussed`` is (case number, date) pairs."""
    last: dict[int, date] = {}
    for number, when in discussed:
        if number not in last or when > last[number]:
            last[number] = when
    fresh = [n for n in sorted(case_numbers) if n not in last]
    if fresh:
        return fresh[0]
    return min(sorted(case_numbers), key=lambda n: last[n])
