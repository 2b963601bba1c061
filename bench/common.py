"""What the bench's sections share: the project's paths, the browser's window and what counts
as local, the site pages measured, and a new team space for meetings made through storage."""

from __future__ import annotations

import os
import sys
from typing import Any

from harness import ROOT

PY = sys.executable
APP = ROOT / "app.py"
SITE_PAGES = {"home": "index.html", "case": "cases/case-09.html"}
LOCAL = (
    "http://127.0.0.1",
    "http://localhost",
    "ws://127.0.0.1",
    "ws://localhost",
    "data:",
    "blob:",
    "about:",
)
VIEWPORT = {"width": 1366, "height": 768}
KB = 1024  # budgets and figures use 1 KB = 1024 bytes


def env_int(name: str, default: int) -> int:
    """A positive whole number from the environment, else ``default``."""
    try:
        return max(1, int(os.environ.get(name, "") or default))
    except ValueError:
        return default


def new_team(store: Any, name: str) -> Any:
    """A new team space (the code is not needed: meetings are opened by their address)."""
    team, _code = store.create_team(name)
    return team
