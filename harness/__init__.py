"""One harness for the tests, the load script and the bench: the app server, a throwaway
PostgreSQL, nginx in front of the app, Chromium's flags and the browser-free Streamlit client.

Nothing here is part of the product; ``make test``, ``scripts/load.py`` and the bench
(``python -m bench``) import it (it is installed with the project in development mode)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]

# Keyword arguments for Playwright's ``chromium.launch`` (sync or async), as every script here
# starts the browser: ``pw.chromium.launch(**CHROMIUM_LAUNCH)``.
CHROMIUM_LAUNCH: dict[str, Any] = {
    "executable_path": CHROMIUM,
    "args": CHROMIUM_ARGS,
    "timeout": 60_000,
}
