"""Participants on their own phones: the join code, what a phone shows at each step, what it
may send, and the limits. Pure functions, no Streamlit and no database.

A meeting's join code is random, separate from the team's code and from the meeting's id, and
opens nothing but one read-only participant page of that meeting. It stops working when the
meeting is deleted, a while after it is finished (``GRACE_SECONDS``, to finish reading), and
when the facilitator draws a new one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from facilitator import timer as tm
from facilitator.validation import MAX_PARTICIPANTS

# Lower-case letters and digits without look-alikes (0/o, 1/l/i), so the code can be typed
# from the projector: 12 characters of 31 give about 59 random bits.
JOIN_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
JOIN_LENGTH = 12
GRACE_SECONDS = 30 * 60  # a finished meeting's page can still be read this long
LINK_LIFETIME_SECONDS = 24 * 3600  # no join code works longer than this after it was drawn

# The steps by their index in facilitator.exercise.STEPS.
READ, DISCUSS, KNOWLEDGE, FOLLOW_UP = 1, 2, 3, 4

MAX_THOUGHT = 500  # characters in one thought
MAX_PROPOSAL = 500  # characters in one proposed follow-up
# A flood guard for one join code (all phones of the meeting together) …
LINK_PER_MINUTE = 60
MEETING_MAX_THOUGHTS = 300
MEETING_MAX_PROPOSALS = 60
# … and for one phone (counted in its own page session, never stored).
PHONE_MIN_INTERVAL = 3.0  # seconds between two sends from one page
PHONE_PER_MINUTE = 10

LINK_FLOODED = (
    "Der er sendt meget fra telefonerne i dette møde lige nu. Vent et øjeblik, og send igen – "
    "din tekst står stadig i feltet."
)
MEETING_FULL_THOUGHTS = (
    f"Mødet har fået {MEETING_MAX_THOUGHTS} tanker, så der kan ikke sendes flere. Sig det højt i "
    "stedet."
)
MEETING_FULL_PROPOSALS = (
    f"Mødet har fået {MEETING_MAX_PROPOSALS} forslag, så der kan ikke sendes flere. Sig det højt "
    "i stedet."
)
JOIN_CLOSED = (
    "Linket virker ikke (længere). Mødet er slut eller slettet, eller ordstyreren har lavet et nyt "
    "link. Scan koden på skærmen i mødelokalet igen."
)
NOT_NOW_THOUGHTS = "Tanker kan sendes under den fælles diskussion (trin 3 og 4). Intet er sendt."
NOT_NOW_PROPOSALS = "Forslag til opfølgning kan sendes i trin 5. Intet er sendt."


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_LENGTH))


def normalize_join_code(raw: str | None) -> str | None:
    """The code as stored, from what was typed or scanned (any case, dashes and spaces
    ignored), or None if it cannot be a join code at all."""
    if not raw or len(raw) > 40:
        return None
    code = "".join(ch for ch in raw.lower() if ch not in "- ")
    if len(code) != JOIN_LENGTH or any(ch not in JOIN_ALPHABET for ch in code):
        return None
    return code


def display_code(code: str) -> str:
    """In groups of four, for reading aloud and typing: »abcd-efgh-jkmn«."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def link_open(
    status: str, finished_at: float | None, code_created: float | None, now: float
) -> bool:
    """Whether a meeting's join code still opens its participant page."""
    if code_created is not None and now - code_created > LINK_LIFETIME_SECONDS:
        return False
    if status == tm.FINISHED:
        return finished_at is not None and now - finished_at <= GRACE_SECONDS
    return True


@dataclass(frozen=True)
class PhoneView:
    """What a participant's page shows and accepts at the meeting's current step – the card's
    front from step 2, its back side (knowledge and inspiration) only from step 4."""

    story: bool
    back_side: bool
    thoughts: bool
    proposals: bool


def phone_view(state: tm.TimerState) -> PhoneView:
    finished = state.status == tm.FINISHED
    step = state.current
    return PhoneView(
        story=finished or step >= READ,
        back_side=finished or step >= KNOWLEDGE,
        thoughts=not finished and step in (DISCUSS, KNOWLEDGE),
        proposals=not finished and step == FOLLOW_UP,
    )


def flood_message(kind: str, last_minute: int, total: int) -> str | None:
    """Why a send from a join code is refused now (None: accepted). ``last_minute`` counts
    everything the meeting's phones sent in the last 60 seconds, ``total`` this kind so far."""
    if last_minute >= LINK_PER_MINUTE:
        return LINK_FLOODED
    if kind == "thought" and total >= MEETING_MAX_THOUGHTS:
        return MEETING_FULL_THOUGHTS
    if kind == "proposal" and total >= MEETING_MAX_PROPOSALS:
        return MEETING_FULL_PROPOSALS
    return None


def phone_wait(sent_at: list[float], now: float) -> float:
    """Seconds this page must wait before it may send again (0: now), from the times of its
    own earlier sends. Kept in the page session only: nothing of it is stored."""
    recent = [t for t in sent_at if now - t < 60]
    waits = [0.0]
    if recent:
        waits.append(PHONE_MIN_INTERVAL - (now - max(recent)))
    if len(recent) >= PHONE_PER_MINUTE:
        waits.append(60 - (now - sorted(recent)[-PHONE_PER_MINUTE]))
    return max(waits)


# … and for one client (an address, as the server sees it) in one meeting: kept in the server's
# memory, so a new page session does not reset it; never stored, never with a thought. A
# meeting room behind one NAT address shares it, so it is sized for the whole room of the
# largest meeting (MAX_PARTICIPANTS phones): each phone's first thought in the same minute, and
# four thoughts and a proposal each in all. One sender alone still spends at most two thirds of
# the meeting's minute, of its thoughts and of its proposals: other addresses keep the rest.
CLIENT_PER_MINUTE = MAX_PARTICIPANTS
CLIENT_MAX_SENDS = 4 * MAX_PARTICIPANTS  # thoughts
CLIENT_MAX_PROPOSALS = MAX_PARTICIPANTS
CLIENT_FLOODED = (
    "Der er sendt meget fra denne forbindelse i dette møde. Vent et øjeblik, og send igen – "
    "din tekst står stadig i feltet."
)


class ClientBudget:
    """Sends per (join code, client) in the server's memory: at most ``CLIENT_PER_MINUTE`` a
    minute, ``CLIENT_MAX_SENDS`` thoughts and ``CLIENT_MAX_PROPOSALS`` proposals in all.
    Thread-safe (every session's script thread)."""

    def __init__(
        self,
        per_minute: int = CLIENT_PER_MINUTE,
        total: int = CLIENT_MAX_SENDS,
        proposals: int = CLIENT_MAX_PROPOSALS,
    ) -> None:
        import threading

        self.per_minute, self.total, self.proposals = per_minute, total, proposals
        self._sent: dict[tuple[str, str], list[float]] = {}
        self._count: dict[tuple[str, str, str], int] = {}
        self._lock = threading.Lock()

    def refused(self, code: str, client: str, now: float, kind: str = "thought") -> str | None:
        """The Danish reason this client may not send (a ``kind``: »thought« or »proposal«)
        now, or None."""
        key = (code, client)
        limit = self.proposals if kind == "proposal" else self.total
        with self._lock:
            recent = [t for t in self._sent.get(key, []) if now - t < 60]
            self._sent[key] = recent
            if self._count.get((*key, kind), 0) >= limit or len(recent) >= self.per_minute:
                return CLIENT_FLOODED
            return None

    def spend(self, code: str, client: str, now: float, kind: str = "thought") -> None:
        key = (code, client)
        with self._lock:
            self._sent.setdefault(key, []).append(now)
            self._count[(*key, kind)] = self._count.get((*key, kind), 0) + 1
            if len(self._count) > 10_000:  # old meetings' counts go first (dicts keep order)
                for old in list(self._count)[:1000]:
                    self._count.pop(old, None)
                    self._sent.pop(old[:2], None)


CLIENTS = ClientBudget()
