"""The referat and the downloads in real headless Chromium against `streamlit run`."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect

from facilitator import timer as t
from facilitator.storage import Storage
from harness.app_server import AppServer, wait_idle
from harness.meetings import meeting_query

pytestmark = pytest.mark.browser

LABELS = [
    "Referat som tekstfil (.md)",
    "Excel-liste over aftaler (.csv)",
    "Kalender med aftaler (.ics)",
    "Udskriv referatet",
]


def _address(app: AppServer, mid: str, **extra: str) -> str:
    """The meeting's page in a browser that has its team open (the address alone opens
    nothing)."""
    store = Storage(f"sqlite:///{app.data_dir / 'borgercases.sqlite3'}")
    try:
        return f"{app.url}?{meeting_query(store, mid, **extra)}"
    finally:
        store.dispose()


def _finished_meeting(app: AppServer) -> str:
    """A finished meeting with notes and two follow-ups, stored as the app would."""
    store = Storage(f"sqlite:///{app.data_dir / 'borgercases.sqlite3'}")
    store.create_schema()
    try:
        team, _ = store.create_team("Team Print")
        mid = store.create_meeting(team, date.today(), 9, ["Anne", "Bo"], [60, 180, 360, 180, 120])
        meeting = store.get_meeting(mid)
        assert meeting is not None
        store.save_note(team.id, mid, "q0", "Sprogmentor virker.\nFlere idéer: FVU (dansk).")
        store.save_note(team.id, mid, "general", "Godt møde.")
        store.add_follow_up(meeting, "Anne", "Ring til VUC om FVU-prøven", date(2030, 1, 2), 9)
        store.add_follow_up(meeting, "Bo", "Skriv til sprogskolen", date(2030, 1, 3), 9)
        now = time.time()
        store.update_timer(team.id, mid, lambda s: t.finish(t.start(s, now), now))
        return mid
    finally:
        store.dispose()


def _page(browser: Browser) -> Page:
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="da-DK", accept_downloads=True
    )
    return context.new_page()


# Every element that shows text or is a control, outside the referat: none may be visible.
_VISIBLE_OUTSIDE = """() => {
  const heading = [...document.querySelectorAll('h1')].find(
    (h) => h.textContent.startsWith('Referat:'));
  const root = heading.parentElement;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (root.contains(el) || el.contains(root)) continue;
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || cs.visibility === 'hidden') continue;
    const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const control = ['BUTTON', 'A', 'INPUT', 'SVG', 'IMG', 'IFRAME'].includes(el.tagName);
    if (text || control) out.push(el.tagName + ': ' + el.textContent.trim().slice(0, 60));
  }
  return out;
}"""


def test_the_printed_referat_shows_only_the_referat(
    browser: Browser, app: AppServer, artifacts: Path
) -> None:
    mid = _finished_meeting(app)
    page = _page(browser)
    page.goto(_address(app, mid, view="print", p="1"))  # p=1: with the projector's exit button
    expect(page.get_by_role("heading", name="Aftaler om opfølgning")).to_be_visible(timeout=20000)
    expect(page.get_by_role("button", name="Tilbage til mødet")).to_be_visible()
    expect(page.get_by_role("button", name="Afslut projektorvisning")).to_be_visible()
    wait_idle(page)

    page.emulate_media(media="print")
    page.screenshot(path=artifacts / "referat-print.png", full_page=True)
    page.pdf(path=artifacts / "referat-print.pdf")
    assert page.evaluate(_VISIBLE_OUTSIDE) == []
    for text in ("Sprogmentor virker.", "Godt møde.", "Ring til VUC om FVU-prøven"):
        expect(page.get_by_text(text)).to_be_visible()

    # The follow-ups table has visible borders, on paper and on screen.
    for media in ("print", "screen"):
        page.emulate_media(media=media)  # type: ignore[arg-type]
        borders = page.evaluate(
            """() => [...document.querySelectorAll('th, td')].map(
                 (c) => { const s = getComputedStyle(c);
                          return [s.borderTopStyle, s.borderTopWidth, s.borderTopColor,
                                  s.borderLeftStyle]; })"""
        )
        assert len(borders) == 4 * 3, borders
        assert all(b == ["solid", "1px", "rgb(85, 85, 85)", "solid"] for b in borders), borders
        collapse = page.evaluate("getComputedStyle(document.querySelector('table')).borderCollapse")
        assert collapse == "collapse"


def test_downloads_show_their_whole_labels_and_are_made_on_click(
    browser: Browser, app: AppServer, artifacts: Path
) -> None:
    mid = _finished_meeting(app)
    page = _page(browser)
    page.goto(_address(app, mid))
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Mødet er slut")).to_be_visible(timeout=20000)
    wait_idle(page)
    page.screenshot(path=artifacts / "exports-finished-1366.png", full_page=True)
    for label in LABELS:
        control = main.get_by_role("link" if label.startswith("Udskriv") else "button", name=label)
        expect(control).to_be_visible()
        # The whole label shows: no "…", nothing cut off.
        cut = control.evaluate(
            """(el) => [...el.querySelectorAll('*')].concat([el]).some(
                 (e) => e.scrollWidth > e.clientWidth + 1
                        && getComputedStyle(e).textOverflow === 'ellipsis')"""
        )
        assert not cut, label
        assert control.inner_text().strip().endswith(label.split()[-1])

    with page.expect_download() as dl:
        main.get_by_role("button", name=LABELS[0]).click()
    referat = Path(dl.value.path()).read_text(encoding="utf-8")
    assert "Sprogmentor virker.  \nFlere idéer: FVU (dansk)." in referat
    assert "| Anne | Ring til VUC om FVU-prøven | 02.01.2030 | Åben |" in referat

    with page.expect_download() as dl:
        main.get_by_role("button", name=LABELS[2]).click()
    events = Calendar.from_ical(Path(dl.value.path()).read_bytes()).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [
        "Anne følger op: Ring til VUC om FVU-prøven",
        "Bo følger op: Skriv til sprogskolen",
    ]
