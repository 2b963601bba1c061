from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.app_server import AppServer, wait_idle
from tests.test_app_browser import _page, _start


@pytest.mark.parametrize("n", range(6))
def test_debug_reload(browser: Browser, app: AppServer, n: int) -> None:
    page, _ = _page(browser)
    page.goto(app.url)
    _start(page, app)
    page.get_by_role("button", name="Start uret").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    wait_idle(page)
    page.get_by_role("button", name="Næste trin").click()
    expect(page.get_by_role("heading", name=re.compile("Trin 2"))).to_be_visible()
    wait_idle(page)
    page.get_by_role("button", name="Næste trin").click()
    expect(page.get_by_role("heading", name=re.compile("Trin 3"))).to_be_visible()
    note = page.get_by_role("textbox").first
    note.click()
    note.type("Fokus på jobmål og motiverende samtale", delay=10)
    expect(page.get_by_text(re.compile("^Gemt kl"))).to_be_visible(timeout=20000)
    before = page.evaluate("[...document.querySelectorAll('textarea')].map(t => [t.getAttribute('aria-label').slice(0,20), t.value])")
    page.reload()
    expect(page.get_by_role("heading", name=re.compile("Trin 3"))).to_be_visible(timeout=20000)
    page.wait_for_timeout(6000)
    after = page.evaluate("[...document.querySelectorAll('textarea')].map(t => [t.getAttribute('aria-label').slice(0,20), t.value])")
    db = next(Path(app.data_dir).glob("*.sqlite3"))
    rows = sqlite3.connect(db).execute("select * from notes").fetchall()
    Path(f"/tmp/dbg/run{n}.txt").write_text(f"{before}\n{after}\n{rows}\n")
    page.screenshot(path=f"/tmp/dbg/run{n}.png")
    assert any(v == "Fokus på jobmål og motiverende samtale" for _, v in after), (before, after, rows)
