"""The per-client send budget of a meeting's phones lives in the server's memory
(facilitator/participation.py, ClientBudget): a new page session does not reset it."""

from __future__ import annotations

import pytest

from facilitator import participation as pa
from facilitator import validation


def test_a_new_session_from_the_same_client_stays_limited_and_others_get_through() -> None:
    budget = pa.ClientBudget()
    now = 1000.0
    sent = 0
    # One sender, a new page session for every send (nothing of it in a session): every 3 s.
    while budget.refused("k3j9xq2mpa7r", "198.51.100.66", now) is None:
        budget.spend("k3j9xq2mpa7r", "198.51.100.66", now)
        sent += 1
        now += 3.0
    assert sent == pa.CLIENT_MAX_SENDS < pa.MEETING_MAX_THOUGHTS
    assert budget.refused("k3j9xq2mpa7r", "198.51.100.66", now + 3600) == pa.CLIENT_FLOODED
    # Honest phones from other addresses, and the same address in another meeting, still send.
    assert budget.refused("k3j9xq2mpa7r", "198.51.100.7", now) is None
    assert budget.refused("other000code", "198.51.100.66", now) is None


def test_the_per_minute_limit_per_client() -> None:
    budget = pa.ClientBudget()
    for i in range(pa.CLIENT_PER_MINUTE):
        assert budget.refused("c", "a", 10.0 + i * 0.1) is None
        budget.spend("c", "a", 10.0 + i * 0.1)
    assert budget.refused("c", "a", 20.0) == pa.CLIENT_FLOODED
    assert budget.refused("c", "a", 71.0) is None  # a minute later


def test_a_room_behind_one_address_can_still_send() -> None:
    """40 honest phones behind one NAT address, two thoughts each in a discussion."""
    budget = pa.ClientBudget()
    now = 0.0
    for _ in range(80):
        assert budget.refused("c", "nat", now) is None
        budget.spend("c", "nat", now)
        now += 2.5  # 24 a minute from the whole room


@pytest.mark.parametrize("phones", [8, 20, 40])
def test_a_whole_room_behind_one_address_is_never_refused(phones: int) -> None:
    """The largest meeting's room behind one NAT address: every phone sends its first thought
    in the same minute (when the discussion opens), three more over the discussion and one
    proposal in step 5 – nothing refused. One sender still spends less than the meeting's
    budgets, so other addresses keep a part of them."""
    assert phones <= validation.MAX_PARTICIPANTS
    budget = pa.ClientBudget()
    now, sent = 0.0, 0
    # Seconds between two of the room's sends: the first thoughts within one minute, three
    # more rounds of thoughts over the discussion, then a proposal each.
    rounds = [(60.0 / phones, "thought")] + [(120.0 / phones, "thought")] * 3
    rounds.append((100.0 / phones, "proposal"))
    for gap, kind in rounds:
        for _ in range(phones):
            assert budget.refused("c", "nat", now, kind) is None, (phones, sent, kind)
            budget.spend("c", "nat", now, kind)
            sent += 1
            now += gap
    assert sent == 5 * phones
    assert pa.CLIENT_PER_MINUTE < pa.LINK_PER_MINUTE
    assert pa.CLIENT_MAX_SENDS < pa.MEETING_MAX_THOUGHTS
    assert pa.CLIENT_MAX_PROPOSALS < pa.MEETING_MAX_PROPOSALS


def test_one_sender_cannot_fill_the_meetings_proposals() -> None:
    budget = pa.ClientBudget()
    now, sent = 0.0, 0
    while budget.refused("c", "one", now, "proposal") is None:
        budget.spend("c", "one", now, "proposal")
        sent += 1
        now += 3.0
    assert sent == pa.CLIENT_MAX_PROPOSALS < pa.MEETING_MAX_PROPOSALS
    assert budget.refused("c", "other", now, "proposal") is None
    assert budget.refused("c", "one", now, "thought") is None  # its thoughts are counted apart
