"""WebSocket messages are capped at what the app needs (.streamlit/config.toml,
server.maxMessageSize): an oversize message is refused without taking the server's memory,
and the server goes on serving other pages. The figures: scripts/ws_flood.py."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from facilitator import validation
from harness.stclient import run_in_thread

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

pytestmark = pytest.mark.slow


def test_oversize_messages_are_refused_and_the_server_still_serves(app: Any) -> None:
    import ws_flood

    run_in_thread(
        lambda: ws_flood._page_seconds(app.url), timeout=120
    )  # the first page run imports everything
    result = ws_flood.flood(app, messages=6, size=8_000_000)
    assert all(a != "open" for a in result["answers"]), result["answers"]  # every one closed
    assert result["page_s"] < 30  # another page loaded meanwhile (its run finished)
    assert float(result["peak"]) - float(result["before"]) < 20, result  # never buffered (6 × 8 MB)
    assert run_in_thread(lambda: ws_flood._page_seconds(app.url), timeout=120) > 0


def test_the_limit_leaves_room_for_the_longest_notes() -> None:
    import tomllib

    config = tomllib.loads(
        (Path(__file__).resolve().parent.parent / ".streamlit/config.toml").read_text()
    )
    limit = config["server"]["maxMessageSize"] * 1_000_000
    assert limit >= 10 * validation.MAX_NOTE * 4  # ten notes of 4-byte characters
    assert limit <= 2_000_000
