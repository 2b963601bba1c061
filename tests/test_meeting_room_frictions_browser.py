"""The meeting room's last frictions (issue 22), in Chromium at 1366×768: a pause during an
overrun shows as a pause on the laptop and on a phone; a lost connection is said out loud and
costs nothing; the keyboard moves between steps without skipping one twice.

Meetings are seeded through the storage (harness.meetings) and opened over the wire.
"""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from facilitator import timer as tm
from facilitator.storage import Storage
from harness.app_server import (
    AppServer,
    create_team_in_browser,
    start_meeting_in_browser,
    wait_idle,
)
from harness.meetings import open_meeting

pytestmark = pytest.mark.browser

PLAN = [60, 180, 360, 180, 120]
OFFLINE = "Ingen forbindelse – det, du skriver, gemmes, når forbindelsen er tilbage"


def _page(browser: Browser, contexts: list[BrowserContext], width: int = 1366) -> Page:
    height = 768 if width == 1366 else 640
    context = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK")
    contexts.append(context)
    return context.new_page()


def _meeting(store: Storage, name: str, change: Any) -> str:
    team, _code = store.create_team(name)
    mid = store.create_meeting(team, date.today(), 1, ["Anne", "Bo"], PLAN)
    store.update_timer(team.id, mid, change)
    return mid


def _at_discussion(
    browser: Browser, contexts: list[BrowserContext], served: tuple[AppServer, Storage], team: str
) -> tuple[Page, str]:
    """A meeting running at step 3 (the discussion), open at 1366×768."""
    server, store = served
    now = time.time()
    mid = _meeting(store, team, lambda s: tm.go_to(tm.start(s, now), 2, now))
    page = _page(browser, contexts)
    open_meeting(page, server, store, mid, 3)
    return page, mid


def _timer(page: Page) -> Any:
    return page.locator(".bc-timer[role='timer']").first


def test_a_pause_during_an_overrun_shows_as_a_pause_on_the_laptop_and_the_phone(
    browser: Browser,
    contexts: list[BrowserContext],
    served: tuple[AppServer, Storage],
    artifacts: Path,
) -> None:
    server, store = served
    begun = time.time() - 200  # step 2 (3 min) has run over by 20 s
    mid = _meeting(store, "Team Pause", lambda s: tm.go_to(tm.start(s, begun), 1, begun))
    laptop = _page(browser, contexts)
    open_meeting(laptop, server, store, mid, 2)
    expect(_timer(laptop)).to_have_class(re.compile("bc-overrun"))
    meeting = store.get_meeting(mid)
    assert meeting is not None
    phone = _page(browser, contexts, width=360)
    phone.goto(f"{server.url}?j={store.join_code(meeting.team.id, mid)}")
    expect(_timer(phone)).to_contain_text("over tid", timeout=20000)

    laptop.get_by_role("button", name="Pause", exact=True).click()
    expect(laptop.get_by_role("button", name="Fortsæt")).to_be_visible()
    for page in (laptop, phone):  # the phone follows with its next redraw
        expect(_timer(page)).to_have_class(re.compile("bc-paused"), timeout=10000)
        expect(_timer(page)).not_to_have_class(re.compile("bc-overrun"))
        expect(_timer(page).locator(".bc-timer__label")).to_have_text(
            "Pause – Læs casen er over tid"
        )
    frozen = _timer(laptop).locator(".bc-timer__big").inner_text()
    assert re.fullmatch(r"\+0:[0-5]\d", frozen) and frozen != "+0:00", frozen
    laptop.wait_for_function(  # the number does not count on while paused
        "t => document.querySelector('.bc-timer__big').textContent === t", arg=frozen
    )
    laptop.screenshot(path=artifacts / "frictions-paused-overrun-1366.png")
    phone.screenshot(path=artifacts / "frictions-paused-overrun-phone.png")


def test_a_lost_connection_is_said_and_the_note_typed_meanwhile_is_saved(
    browser: Browser,
    contexts: list[BrowserContext],
    served: tuple[AppServer, Storage],
    artifacts: Path,
) -> None:
    _server, store = served
    page, mid = _at_discussion(browser, contexts, served, "Team Forbindelse")
    notice = page.get_by_role("status").filter(has_text=OFFLINE)
    expect(notice).to_have_count(0)

    page.context.set_offline(True)
    expect(notice).to_be_visible(timeout=5000)
    field = page.get_by_role("textbox", name=re.compile(r"^1\. "))
    field.press_sequentially("Skrevet uden forbindelse.", delay=10)
    expect(notice).to_be_visible()
    notice.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "frictions-offline-1366.png")
    box = notice.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768

    page.context.set_offline(False)
    expect(notice).to_have_count(0, timeout=10000)
    saved = page.get_by_text(re.compile(r"^Gemt kl\. .* · 25 tegn$"))
    expect(saved).to_be_visible(timeout=30000)  # saved by itself once the connection is back
    assert store.notes(mid).get("q0") == "Skrevet uden forbindelse."


def test_the_keyboard_moves_one_step_per_press_and_the_focus_follows(
    browser: Browser,
    contexts: list[BrowserContext],
    served: tuple[AppServer, Storage],
    artifacts: Path,
) -> None:
    _server, store = served
    page, mid = _at_discussion(browser, contexts, served, "Team Tastatur")
    expect(page.get_by_text("Tryk N for næste trin, F for forrige")).to_be_visible()
    next_button = page.get_by_role("button", name="Næste trin")
    expect(next_button).to_have_attribute("aria-keyshortcuts", "N")

    page.locator("body").press("n")
    page.locator("body").press("n")  # a second press right after counts for nothing
    heading = page.get_by_role("heading", name=re.compile("^Trin 4:"))
    expect(heading).to_be_visible(timeout=10000)
    wait_idle(page)
    meeting = store.get_meeting(mid)
    assert meeting is not None and meeting.timer.current == 3
    page.screenshot(path=artifacts / "frictions-keyboard-step-4.png")

    # »Næste trin« pressed with Enter: the focus goes to the new step's heading, so a second
    # Enter does not skip another step.
    next_button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("^Trin 5:"))).to_be_visible(timeout=10000)
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.tagName === 'H2'"
        " && document.activeElement.textContent.startsWith('Trin 5')"
    )
    page.keyboard.press("Enter")
    wait_idle(page)
    meeting = store.get_meeting(mid)
    assert meeting is not None and meeting.timer.current == 4
    assert meeting.timer.status != tm.FINISHED

    # Typing an »f« in a note field is a letter, not a step back.
    page.get_by_role("button", name="Forrige trin").click()
    expect(page.get_by_role("heading", name=re.compile("^Trin 4:"))).to_be_visible()
    wait_idle(page)
    page.get_by_role("textbox", name="Generelle noter").press_sequentially("fn", delay=50)
    wait_idle(page)
    meeting = store.get_meeting(mid)
    assert meeting is not None and meeting.timer.current == 3
    page.get_by_role("heading", name=re.compile("^Trin 4:")).click()  # out of the field
    page.keyboard.press("f")
    expect(page.get_by_role("heading", name=re.compile("^Trin 3:"))).to_be_visible()


def test_a_stopped_server_is_said_within_seconds_and_the_page_comes_back(
    browser: Browser, contexts: list[BrowserContext], app: AppServer
) -> None:
    """The server gone (a restart, a crash): Streamlit's own dialog says so in Danish within
    5 s, and goes when the server is back."""
    store = Storage(f"sqlite:///{app.data_dir / 'borgercases.sqlite3'}")
    try:
        store.create_schema()
        now = time.time()
        mid = _meeting(store, "Team Genstart", lambda s: tm.go_to(tm.start(s, now), 2, now))
        page = _page(browser, contexts)
        open_meeting(page, app, store, mid, 3)
        dialog = page.get_by_role("dialog").filter(has_text="Forbindelsen er afbrudt")
        app.stop(kill=True)
        expect(dialog).to_be_visible(timeout=5000)
        app.start()
        expect(dialog).to_have_count(0, timeout=30000)
        expect(page.get_by_role("heading", name=re.compile("^Trin 3:"))).to_be_visible()
    finally:
        store.dispose()


def test_back_leaves_the_meeting_for_the_team_page_which_offers_to_continue(
    browser: Browser, contexts: list[BrowserContext], served: tuple[AppServer, Storage]
) -> None:
    """Point 11: switching projector view is no page of its own in the browser's history, so
    Back goes from the meeting to the team's page; that page says a meeting is running and
    leads back into it; a reload keeps projector view."""
    server, _store = served
    page = _page(browser, contexts)
    mid = start_meeting_in_browser(page, server, "Team Tilbage")
    wait_idle(page)
    entries = page.evaluate("history.length")
    page.locator('[data-testid="stSidebar"] label').filter(
        has=page.get_by_role("switch", name="Projektorvisning")
    ).click()
    exit_button = page.get_by_role("button", name="Afslut projektorvisning")
    expect(exit_button).to_be_visible(timeout=10000)
    page.wait_for_url(re.compile(r"[?&]p=1(&|$)"))  # a reload would keep the mode ...
    assert page.evaluate("history.length") == entries  # ... yet no new entry in the history

    page.go_back()
    in_progress = page.locator(".st-key-meeting_in_progress")
    expect(in_progress.get_by_role("heading", name="Mødet er i gang")).to_be_visible(timeout=20000)
    expect(in_progress).to_contain_text("Trin 1 af 5")
    expect(exit_button).to_be_visible()  # still in projector view
    assert f"m={mid}" not in page.url

    page.reload()
    expect(in_progress).to_be_visible(timeout=20000)
    expect(exit_button).to_be_visible()

    wait_idle(page)
    in_progress.get_by_role("button", name="Fortsæt mødet").click()
    expect(page.get_by_role("heading", name="Trin 1: Vælg en ordstyrer")).to_be_visible(
        timeout=20000
    )
    assert f"m={mid}" in page.url
    expect(exit_button).to_be_visible()


def test_the_case_list_finds_typed_words_not_scattered_letters(
    browser: Browser, contexts: list[BrowserContext], served: tuple[AppServer, Storage]
) -> None:
    """Point 6: »sprog« lists only the cases whose title or themes hold the word."""
    from facilitator.cases import load_cases

    server, _store = served
    page = _page(browser, contexts)
    create_team_in_browser(page, server, "Team Søg")
    wait_idle(page)
    expected = sorted(
        c.number for c in load_cases() if "sprog" in f"{c.label} – {', '.join(c.themes)}".lower()
    )
    assert expected and len(expected) < 10
    select = page.get_by_role("combobox", name="Case")
    select.click()
    page.keyboard.type("sprog")
    options = page.get_by_role("option")
    expect(options).to_have_count(len(expected))
    shown = sorted(int(re.match(r"\s*(\d+)\.", t).group(1)) for t in options.all_inner_texts())  # type: ignore[union-attr]
    assert shown == expected
    page.keyboard.press("Escape")
    # Unfiltered, every option is shown whole: a long one wraps inside its row, none is cut.
    select.click()
    page.keyboard.press("ArrowDown")
    expect(options).to_have_count(10)
    for option in options.all():
        option.scroll_into_view_if_needed()
        assert option.evaluate(_WHOLE), option.inner_text()
    page.keyboard.press("Escape")


_WHOLE = """e => {
  const box = e.getBoundingClientRect();
  return [e, ...e.querySelectorAll("*")].every(el => {
    const r = el.getBoundingClientRect();
    return el.scrollHeight <= el.clientHeight + 1 && el.scrollWidth <= el.clientWidth + 1
      && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
  });
}"""
