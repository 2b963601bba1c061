"""Start and stop `streamlit run app.py` for end-to-end tests, the load script and the bench."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil

from harness import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AppServer:
    """One `streamlit run` process on a free port of 127.0.0.1 with its own data folder.

    ``script`` runs another Streamlit file instead of app.py (the bench's hello-world app);
    ``env`` adds variables to the server's environment."""

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        site_url: str = "http://127.0.0.1:9/",
        database_url: str | None = None,
        script: Path | None = None,
        env: dict[str, str] | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        """``extra_env``: further variables for the process, e.g. the cookie secret that several
        processes behind one proxy share (STREAMLIT_SERVER_COOKIE_SECRET)."""
        self.data_dir = data_dir
        self.extra_env = dict(extra_env or {})
        self.database_url = database_url
        self.port = port or free_port()
        self.site_url = site_url
        self.script = script or ROOT / "app.py"
        self.env = dict(env or {})
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir / f"streamlit-{self.port}.log"
        self.started_at = 0.0  # monotonic time just before the process was started
        self._log_file: io.BufferedWriter | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise RuntimeError("streamlit is not running")
        return self.proc.pid

    @property
    def db(self) -> Path:
        """The SQLite file the app uses when no ``database_url`` is given."""
        return self.data_dir / "borgercases.sqlite3"

    def start(self, timeout: float = 60.0) -> float:
        """Start the server and wait until it answers its health check; returns the seconds
        that took (``started_at`` holds when the process was started)."""
        env = {
            **os.environ,
            "BORGERCASES_DATA_DIR": str(self.data_dir),
            "BORGERCASES_SITE_URL": self.site_url,
        }
        env.pop("DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(self.env)
        env.update(self.extra_env)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._close_log()
        self._log_file = self.log.open("wb")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(self.script),
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = self.started_at + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited with code {self.proc.returncode}:\n{self._log_text()}"
                )
            try:
                with urllib.request.urlopen(self.url + "_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return time.monotonic() - self.started_at
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"streamlit did not start: {self._log_text()}")

    def check(self) -> None:
        """Raise if the server has stopped (crashed, or was killed from outside)."""
        if self.proc is None or self.proc.poll() is None:
            return
        rc = self.proc.returncode
        how = f"exit code {rc}"
        if rc < 0:
            with contextlib.suppress(ValueError):
                how = f"killed by {signal.Signals(-rc).name}"
        lines = [ln.strip() for ln in self._log_text().splitlines() if ln.strip()]
        raise RuntimeError(f"streamlit stopped ({how}): {lines[-1] if lines else 'no output'}")

    def stop(self, kill: bool = False) -> None:
        """Stop the server (SIGTERM, or SIGKILL with ``kill``) and whatever it started."""
        if self.proc and self.proc.poll() is None:
            try:
                children = psutil.Process(self.proc.pid).children(recursive=True)
            except psutil.Error:
                children = []
            if kill:
                self.proc.kill()
            else:
                self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            for child in children:  # any that outlived the server
                with contextlib.suppress(psutil.Error):
                    child.kill()
        self.proc = None
        self._close_log()

    def _log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> AppServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_idle(page: Any, settle_ms: int = 400) -> None:
    """Wait until Streamlit has finished its rerun: no running status, no stale (faded) elements."""
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
              && document.querySelectorAll('[data-stale="true"]').length === 0""",
        timeout=20000,
    )
    page.wait_for_timeout(settle_ms)


def open_team_by_link(page: Any, url: str, code: str) -> None:
    """Open a team with its code in the address (``?t=``), as a link from the team's mail does,
    and wait until this computer remembers it (the device token in localStorage). Only then does
    a bare meeting address opened next in this browser find the team open: the page shows the
    team a moment before the browser has stored its token."""
    page.goto(f"{url}?t={code}")
    page.wait_for_function(
        "() => window.localStorage.getItem('borgercases.device') !== null", timeout=30000
    )


def create_team_in_browser(page: Any, app: AppServer, name: str) -> str:
    """Create a team on the start page as a facilitator does; returns its code, as shown once
    on the screen (the address holds only the session's access, never the code)."""
    from playwright.sync_api import expect

    page.goto(app.url)
    page.get_by_label("Teamets navn").fill(name)
    page.get_by_role("button", name="Opret team").click()
    shown = page.get_by_text("Teamets kode er")
    expect(shown).to_be_visible(timeout=20000)
    page.wait_for_url(re.compile(r"[?&]s=[\w-]+"))
    match = re.search(r"Teamets kode er ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})", shown.inner_text())
    assert match, shown.inner_text()
    assert match.group(1) not in page.url
    return match.group(1)


def go_to_step(page: Any, n: int) -> None:
    """Press »Næste trin« once Streamlit is idle, and wait for step n's heading."""
    from playwright.sync_api import expect

    wait_idle(page)
    page.get_by_role("button", name="Næste trin").click()
    expect(page.get_by_role("heading", name=re.compile(f"Trin {n}"))).to_be_visible()


def start_meeting_in_browser(page: Any, app: AppServer, team: str = "Team Syd") -> str:
    """Create a team and start a meeting with three participants, as a facilitator does on
    the start page; returns the meeting's id from the address."""
    from playwright.sync_api import expect

    create_team_in_browser(page, app, team)
    page.get_by_role("textbox", name="Deltagere (valgfrit, ét navn pr. linje)").fill(
        "Anne\nBo\nمريم"
    )
    page.get_by_role("button", name="Start mødet").click()
    expect(page.get_by_role("heading", name="Trin 1: Vælg en ordstyrer")).to_be_visible(
        timeout=20000
    )
    match = re.search(r"[?&]m=([\w-]+)", page.url)
    assert match, page.url
    return match.group(1)
