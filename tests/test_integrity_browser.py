"""Exploration (temporary)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from facilitator.storage import Storage
from tests.app_server import AppServer, go_to_step, wait_idle

pytestmark = pytest.mark.browser


def _new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="da-DK")
    return context.new_page()


def _meeting_at_discussion(page: Page, app: AppServer, team: str) -> str:
    page.goto(app.url)
    page.get_by_label("Teamets navn").fill(team)
    page.get_by_role("button", name="Opret team").click()
    expect(page.get_by_text("Teamets kode er")).to_be_visible(timeout=20000)
    page.get_by_role("textbox", name="Deltagere (valgfrit, ét navn pr. linje)").fill("Anne\nBo")
    page.get_by_role("button", name="Start mødet").click()
    expect(page.get_by_role("heading", name="Trin 1: Vælg en ordstyrer")).to_be_visible(
        timeout=20000
    )
    match = re.search(r"[?&]m=([\w-]+)", page.url)
    assert match, page.url
    for n in (2, 3):
        go_to_step(page, n)
    return match.group(1)


def _q1(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("textbox", name=re.compile(r"^1\. "))


def test_explore(browser: Browser, app: AppServer, artifacts: Path) -> None:
    a = _new_page(browser)
    mid = _meeting_at_discussion(a, app, "Team A")
    b = _new_page(browser)
    b.goto(f"{app.url}?m={mid}")
    expect(b.get_by_role("heading", name=re.compile("Trin 3"))).to_be_visible(timeout=20000)
    wait_idle(b)
    wait_idle(a)
    t0 = time.monotonic()
    # B starts typing slowly, A saves in between
    _q1(b).click()
    _q1(b).press_sequentially("Pointe", delay=100)
    _q1(a).fill("Tekst fra A.")
    expect(a.get_by_text(re.compile(r"^Gemt kl\."))).to_be_visible()
    print("A saved", time.monotonic() - t0)
    for i in range(30):
        _q1(b).press_sequentially(" x", delay=150)
        print(i, time.monotonic() - t0, repr(_q1(b).input_value()))
    b.wait_for_timeout(3000)
    print(repr(_q1(b).input_value()))
    b.screenshot(path=artifacts / "explore-b.png", full_page=True)
    store = Storage(f"sqlite:///{app.data_dir / 'borgercases.sqlite3'}")
    print(store.note_entries(mid))
    store.dispose()
