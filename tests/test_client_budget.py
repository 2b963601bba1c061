"""The per-client send budget of a meeting's phones lives in the server's memory
(facilitator/participation.py, ClientBudget): a new page session does not reset it."""

from __future__ import annotations

from facilitator import participation as pa


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
