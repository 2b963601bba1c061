"""Start and stop `streamlit run app.py` for end-to-end tests."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from harness import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AppServer:
    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        site_url: str = "http://127.0.0.1:9/",
        database_url: str | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        """``extra_env``: further variables for the process, e.g. the cookie secret that several
        processes behind one proxy share (STREAMLIT_SERVER_COOKIE_SECRET)."""
        self.data_dir = data_dir
        self.extra_env = dict(extra_env or {})
        self.database_url = database_url
        self.port = port or free_port()
        self.site_url = site_url
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir / f"streamlit-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, timeout: float = 60.0) -> float:
        env = {
            **os.environ,
            "BORGERCASES_DATA_DIR": str(self.data_dir),
            "BORGERCASES_SITE_URL": self.site_url,
        }
        env.pop("DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(self.extra_env)
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "app.py"),
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.log.read_text(errors="replace"))
            try:
                with urllib.request.urlopen(self.url + "_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return time.monotonic() - started
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"streamlit did not start: {self.log.read_text(errors='replace')}")

    def stop(self, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def wait_idle(page: Any, settle_ms: int = 400) -> None:
    """Wait until Streamlit has finished its rerun: no running status, no stale (faded) elements."""
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
              && document.querySelectorAll('[data-stale="true"]').length === 0""",
        timeout=20000,
    )
    page.wait_for_timeout(settle_ms)


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
