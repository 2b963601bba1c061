"""The load script at small scale in the suite: meetings typing at once, the server killed with
SIGKILL halfway and restarted – every write acknowledged on screen is stored exactly once.
(`make bench` runs it at full scale: 30 meetings for 60 seconds.)"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from facilitator.storage import Storage
from tests.conftest import ROOT, import_script

load = import_script("load")


@pytest.mark.browser  # the load script drives Chromium
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kill_during_load_loses_nothing(backend: str, request: pytest.FixtureRequest) -> None:
    if backend == "postgresql":
        request.getfixturevalue("postgres_server")  # fails clearly if PostgreSQL is missing
    # Its own process: the script runs its own asyncio loop and its own servers.
    script = str(ROOT / "scripts" / "load.py")
    args = ["--meetings", "3", "--seconds", "16", "--backend", backend, "--kill"]
    result = subprocess.run(
        [sys.executable, script, *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "tabt eller dobbelt     0" in result.stdout
    assert "SIGKILL" in result.stdout
    saved = re.search(r"gemte skrivninger\s+(\d+)", result.stdout)
    assert saved and int(saved.group(1)) > 5, result.stdout


def test_the_check_finds_a_lost_and_a_doubled_write(tmp_path: Path) -> None:
    """The verification is not vacuous."""
    store = Storage(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    store.create_schema()
    (user,) = load._prepare(store, 1)
    meeting = store.get_meeting(user.meeting_id)
    assert meeting
    store.add_follow_up(meeting, "Anne", "Aftale m00-001", date.today(), 1, client_key="a")
    store.add_follow_up(meeting, "Anne", "Aftale m00-001", date.today(), 1, client_key="b")
    store.save_note(meeting.team.id, user.meeting_id, "q0", "gammel tekst")
    user.follow_ups_acked = ["Aftale m00-001", "Aftale m00-002"]
    user.follow_ups_tried = list(user.follow_ups_acked)
    user.note_acked = "ny tekst"
    problems = load._verify(store, [user])
    assert any("m00-001" in p and "2 gange" in p for p in problems)
    assert any("m00-002" in p and "0 gange" in p for p in problems)
    assert any("noten" in p for p in problems)
    store.dispose()
