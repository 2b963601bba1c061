"""The facilitator app in real headless Chromium against `streamlit run`."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect

from facilitator import timer as t
from facilitator.storage import Storage
from harness.app_server import (
    AppServer,
    go_to_step,
    start_meeting_in_browser,
    wait_idle,
)
from harness.meetings import meeting_query

pytestmark = pytest.mark.browser

LOCAL = ("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "data:", "blob:", "about:")


def _page(browser: Browser, width: int = 1366, height: int = 768) -> tuple[Page, list[str]]:
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="da-DK", accept_downloads=True
    )
    leaked: list[str] = []

    def guard(route):  # type: ignore[no-untyped-def]
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            leaked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return context.new_page(), leaked


def _timer(page: Page) -> str:
    return page.locator(".bc-timer__big").inner_text()


def test_whole_meeting_in_the_browser(browser: Browser, app: AppServer, artifacts: Path) -> None:
    page, leaked = _page(browser)
    page.goto(app.url)
    expect(page.locator("html")).to_have_attribute("lang", "da", timeout=15000)
    page.screenshot(path=artifacts / "app-start-1366.png")
    meeting_id = start_meeting_in_browser(page, app)

    # The countdown visibly counts, computed from stored timestamps.
    page.get_by_role("button", name="Start uret").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    first = _timer(page)
    page.wait_for_timeout(2500)
    second = _timer(page)
    assert first != second, (first, second)
    page.screenshot(path=artifacts / "app-step1-1366.png")

    wait_idle(page)

    page.get_by_role("button", name="Næste trin").click()
    expect(page.get_by_role("heading", name=re.compile("Trin 2"))).to_be_visible()
    page.screenshot(path=artifacts / "app-step2-1366.png")

    wait_idle(page)

    page.get_by_role("button", name="Næste trin").click()
    expect(page.get_by_role("heading", name=re.compile("Trin 3"))).to_be_visible()
    note = page.get_by_role("textbox").first
    note.click()
    note.type("Fokus på jobmål og motiverende samtale", delay=10)
    # Autosave after a short pause in typing, no blur needed: acknowledged on screen.
    expect(page.get_by_text(re.compile("^Gemt kl"))).to_be_visible(timeout=20000)
    page.screenshot(path=artifacts / "app-step3-1366.png")

    # A reload brings back the note and the step.
    page.reload()
    expect(page.get_by_role("heading", name=re.compile("Trin 3"))).to_be_visible(timeout=20000)
    expect(page.get_by_role("textbox").first).to_have_value(
        "Fokus på jobmål og motiverende samtale"
    )

    wait_idle(page)

    page.get_by_role("button", name="Næste trin").click()
    expect(page.get_by_role("heading", name=re.compile("Trin 4"))).to_be_visible()
    expect(page.get_by_text("HINT", exact=False).first).to_be_visible()
    page.screenshot(path=artifacts / "app-step4-1366.png")

    wait_idle(page)

    page.get_by_role("button", name="Næste trin").click()
    expect(page.get_by_role("heading", name=re.compile("Trin 5"))).to_be_visible()
    page.get_by_role("textbox", name="Hvad skal der følges op på?").fill("Kontakt VUC om =SUM(A1)")
    page.get_by_role("button", name="Gem aftalen").click()
    expect(page.get_by_text("Aftalen er gemt")).to_be_visible()
    page.screenshot(path=artifacts / "app-step5-1366.png")

    page.get_by_role("button", name="Afslut mødet").click()
    expect(page.get_by_role("heading", name="Mødet er slut")).to_be_visible()
    page.screenshot(path=artifacts / "app-finished-1366.png", full_page=True)

    main = page.get_by_role("main")
    with page.expect_download() as dl:
        main.get_by_role("button", name="Excel-liste over aftaler (.csv)").click()
    data = Path(dl.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][1] == "Anne" and rows[1][2] == "Kontakt VUC om =SUM(A1)"

    with page.expect_download() as dl:
        main.get_by_role("button", name="Kalender med aftaler (.ics)").click()
    cal = Calendar.from_ical(Path(dl.value.path()).read_bytes())
    assert len(cal.walk("VEVENT")) == 1

    with page.expect_download() as dl:
        main.get_by_role("button", name="Referat som tekstfil (.md)").click()
    referat = Path(dl.value.path()).read_text(encoding="utf-8")
    assert "Fokus på jobmål og motiverende samtale" in referat
    assert leaked == [], leaked
    assert meeting_id


def test_a_note_survives_a_server_restart(
    browser: Browser, app: AppServer, artifacts: Path
) -> None:
    page, _ = _page(browser)
    meeting_id = start_meeting_in_browser(page, app, team="Team Vest")
    page.get_by_role("button", name="Start uret").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    for n in (2, 3):
        go_to_step(page, n)
    note = page.get_by_role("textbox").first
    note.click()
    note.type("Noten må ikke gå tabt", delay=10)
    # Acknowledged on screen, then the server dies: the acknowledged note is never lost.
    expect(page.get_by_text(re.compile("^Gemt kl"))).to_be_visible(timeout=20000)
    before = _timer(page)

    app.stop(kill=True)
    app.start()
    page.goto(f"{app.url}?m={meeting_id}")
    expect(page.get_by_role("heading", name=re.compile("Trin 3"))).to_be_visible(timeout=20000)
    expect(page.get_by_role("textbox").first).to_have_value("Noten må ikke gå tabt")
    # The timer kept running from its stored start time, server or no server.
    assert _timer(page) != before
    page.screenshot(path=artifacts / "app-after-restart.png")


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1366, 768)])
def test_projector_mode_at_room_sizes(
    browser: Browser, app: AppServer, artifacts: Path, width: int, height: int
) -> None:
    page, leaked = _page(browser, width, height)
    meeting_id = start_meeting_in_browser(page, app, team=f"Team {width}")
    page.goto(f"{app.url}?m={meeting_id}&p=1")
    expect(page.get_by_role("button", name="Afslut projektorvisning")).to_be_visible(timeout=20000)
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
    page.get_by_role("button", name="Start uret").click()
    for n in range(1, 6):
        expect(page.get_by_role("heading", name=re.compile(f"Trin {n}"))).to_be_visible()
        size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert size >= 24
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        page.screenshot(path=artifacts / f"app-projector-step{n}-{width}.png")
        wait_idle(page)
        page.get_by_role("button", name="Afslut mødet" if n == 5 else "Næste trin").click()
    expect(page.get_by_role("heading", name="Mødet er slut")).to_be_visible()
    page.get_by_role("button", name="Afslut projektorvisning").click()
    expect(page.locator('[data-testid="stSidebar"]')).to_be_visible()
    assert leaked == []


def test_step_end_signals_in_the_browser_and_counts_over(
    browser: Browser, app: AppServer, artifacts: Path
) -> None:
    """The countdown ticks in the browser from the stored start; at zero it turns red, beeps
    once and counts the overrun up – without moving on by itself."""
    store = Storage(f"sqlite:///{app.data_dir / 'borgercases.sqlite3'}")
    store.create_schema()
    team, _ = store.create_team("Team Ur")
    mid = store.create_meeting(team, date.today(), 3, ["Anne"], [60, 180, 360, 180, 120])
    # Step 1 (1 minute) has 25 seconds left: time for a cold app start and the first page
    # before zero on a busy machine (a page opened after zero does not beep, by design).
    started = time.time() - 35
    store.update_timer(team.id, mid, lambda s: t.start(s, started))
    store.dispose()

    page, _ = _page(browser)
    page.goto(f"{app.url}?{meeting_query(store, mid)}")
    expect(page.locator(".bc-timer[data-live]")).to_be_visible(timeout=20000)
    # The stub replaces the signal only once the helper has started (it sets its own on start;
    # on a busy machine the panel's HTML can be there before the helper's script has run).
    page.wait_for_function("() => window.__bcTimer === true", timeout=20000)
    page.evaluate("() => { window.__beeps = 0; window.__bcBeep = () => { window.__beeps += 1; }; }")
    # Once the page has settled: while it is still being drawn (the QR code for the phones,
    # the helper's own rerun) a busy browser can skip a tick.
    wait_idle(page)
    readings = []
    for _ in range(3):
        readings.append(_timer(page))
        page.wait_for_timeout(1100)
    assert len(set(readings)) == 3, readings  # ticks every second, between server redraws
    assert page.evaluate("window.__beeps") == 0
    expect(page.locator(".bc-timer.bc-overrun")).to_be_visible(timeout=40000)
    expect(page.locator(".bc-timer__big")).to_have_text(re.compile(r"^\+0:0\d$"))
    page.wait_for_timeout(1500)
    assert page.evaluate("window.__beeps") == 1
    expect(page.get_by_role("heading", name=re.compile("Trin 1"))).to_be_visible()
    page.screenshot(path=artifacts / "app-overrun.png")
    page.wait_for_timeout(5500)  # a server redraw keeps the overrun and does not beep again
    expect(page.locator(".bc-timer.bc-overrun")).to_be_visible()
    assert page.evaluate("window.__beeps") == 1
