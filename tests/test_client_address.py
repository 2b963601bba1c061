"""The client's address behind reverse proxies (facilitator/ui/access.py, forwarded_client)."""

from __future__ import annotations

import pytest

from facilitator.ui.access import forwarded_client, trusted_proxies


def test_the_proxy_entry_wins_over_what_the_client_sent() -> None:
    # nginx's $proxy_add_x_forwarded_for appends the real address to the client's own header.
    assert forwarded_client("6.6.6.6, 203.0.113.9", 1) == "203.0.113.9"
    assert forwarded_client("6.6.6.6,203.0.113.9 , ", 1) == "203.0.113.9"
    assert forwarded_client("203.0.113.9", 1) == "203.0.113.9"


def test_two_trusted_proxies_skip_the_inner_one() -> None:
    assert forwarded_client("6.6.6.6, 203.0.113.9, 10.0.0.2", 2) == "203.0.113.9"
    assert forwarded_client("10.0.0.2", 2) is None


@pytest.mark.parametrize("value", ["", " , ", ","])
def test_no_entry_gives_none(value: str) -> None:
    assert forwarded_client(value, 1) is None


def test_number_of_trusted_proxies_from_the_environment() -> None:
    assert trusted_proxies({}) == 0
    assert trusted_proxies({"BORGERCASES_TRUST_PROXY": "1"}) == 1
    assert trusted_proxies({"BORGERCASES_TRUSTED_PROXIES": "2"}) == 2
    assert (
        trusted_proxies({"BORGERCASES_TRUSTED_PROXIES": "0", "BORGERCASES_TRUST_PROXY": "1"}) == 0
    )
