"""The code flood script at tiny scale: it speaks Streamlit's websocket protocol well enough to
create a team, get wrong codes answered and open the team with its right code – no browser.
(At full scale it measures the wrong-code throttle: `python scripts/code_flood.py --start-app`.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from harness.app_server import AppServer
from tests.conftest import ROOT


def test_code_flood_speaks_the_protocol(app: AppServer, tmp_path: Path) -> None:
    out = tmp_path / "flood.json"
    args = ["--url", app.url, "--sessions", "2", "--seconds", "3", "--victim-every", "1"]
    args += ["--baseline", "0", "--after", "0", "--timeout", "20", "--json", str(out)]
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "code_flood.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert figures["flood"]["answered"] >= 1, result.stdout
    assert figures["flood"]["attacker"]["outcomes"].get("opened", 0) == 0, result.stdout
    assert figures["team_from"].startswith("created"), result.stdout  # via »Opret team«
    assert figures["victim_during"]["n"] >= 1, result.stdout  # opened with the right code
    assert "answered (wrong code)" in result.stdout
