"""The referat and the downloads in real headless Chromium against `streamlit run`."""

from __future__ import annotations

import re
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
from tests.pdf_text import pdf_pages

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

    # Printed straight from this page: the referat and the follow-ups, not the downloads and
    # their instructions, nor any other control.
    page.emulate_media(media="print")
    expect(main.get_by_text("Hent referatet og aftalerne.")).to_be_hidden()
    for label in LABELS:
        for control in page.get_by_text(label).all():  # on the page and in the sidebar
            expect(control).to_be_hidden()
    buttons = page.locator("button").all()  # by tag: a role query skips hidden elements
    assert buttons
    for control in buttons:
        expect(control).to_be_hidden()
    expect(main.get_by_role("heading", name="Referat", exact=True)).to_be_visible()
    expect(main.get_by_text("Ring til VUC om FVU-prøven")).to_be_visible()


# Long notes in every step and follow-ups with long text: the referat runs over several pages.
_NOTE_LINE = "Vi talte om praktikken, og om hvordan sprogskolen kan hjælpe Salman videre. " * 6
LONG_FOLLOW_UPS = [
    ("Anne", "Ring til VUC om FVU-prøven"),
    ("Bo", "Kontakt" + "jobcenterets" * 12 + "sprogskolekoordinator"),  # one unbroken word
    ("Carla", "Aftal et møde med virksomheden om mentorordningen. " * 5),
]
# The print dialog's »Skala«: each scale moves every page break somewhere else.
PRINT_SCALES = (0.8, 0.9, 1.0, 1.1, 1.2)
# A4 (210 mm) less the 1.5 cm margins of print.css, in CSS pixels: the printed content's width.
A4_CONTENT_WIDTH = round((210 - 2 * 15) / 25.4 * 96)


def _long_meeting(app: AppServer) -> str:
    """A finished meeting whose referat fills several A4 pages."""
    store = Storage(f"sqlite:///{app.db}")
    store.create_schema()
    try:
        team, _ = store.create_team("Team Print")
        mid = store.create_meeting(
            team, date.today(), 9, ["Anne", "Bo", "Carla"], [60, 180, 360, 180, 120]
        )
        meeting = store.get_meeting(mid)
        assert meeting is not None
        for q in range(3):
            lines = [f"{n + 1}. {_NOTE_LINE}" for n in range(4 + q)]
            store.save_note(team.id, mid, f"q{q}", "\n".join(lines))
        store.save_note(team.id, mid, "general", "\n".join([_NOTE_LINE] * 3))
        for n, (who, what) in enumerate(LONG_FOLLOW_UPS):
            store.add_follow_up(meeting, who, what, date(2030, 1, 2 + n), 9)
        now = time.time()
        store.update_timer(team.id, mid, lambda s: t.finish(t.start(s, now), now))
        return mid
    finally:
        store.dispose()


def _squeezed(text: str) -> str:
    """Text without whitespace: line breaks and word gaps are positions in a PDF."""
    return re.sub(r"\s+", "", text)


# Elements (and the document itself) that reach past the document's right edge.
_WIDER_THAN_DOCUMENT = """() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.querySelectorAll('.bc-referat, .bc-referat *')]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5)
    .map((el) => el.tagName + ': ' + el.textContent.trim().slice(0, 40));
  if (document.documentElement.scrollWidth > width) out.push('document: ' + width);
  return out;
}"""


def test_the_printed_referat_keeps_headings_with_their_text_and_fits_the_page(
    browser: Browser, app: AppServer, artifacts: Path
) -> None:
    mid = _long_meeting(app)
    page = _page(browser)
    page.goto(_address(app, mid, view="print"))
    referat = page.locator(".bc-referat")
    expect(referat.get_by_role("heading", name="Aftaler om opfølgning")).to_be_visible(
        timeout=20000
    )
    back = page.get_by_role("button", name="Tilbage til mødet")
    hint = page.get_by_text("Udskriv med Ctrl+P")
    expect(back).to_be_visible()
    expect(hint).to_be_visible()
    wait_idle(page)

    # On screen the controls come first, above the referat and in the first view.
    for width, height in ((1366, 768), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        title = referat.locator("h1")
        expect(title).to_be_in_viewport()
        top = title.bounding_box()
        for control in (back, hint):
            box = control.bounding_box()
            assert box is not None and top is not None
            assert box["y"] + box["height"] <= top["y"], (width, box, top)
            assert box["y"] + box["height"] <= height, (width, box)
        page.screenshot(path=artifacts / f"referat-print-screen-{width}.png")
    page.set_viewport_size({"width": 1366, "height": 768})

    headings = [
        _squeezed(h) for h in referat.locator("h1, h2, h3, .bc-anonymous").all_inner_texts()
    ]
    assert len(headings) == 1 + 3 + 3, headings  # the title, the sections, the questions
    for scale in PRINT_SCALES:
        pdf = page.pdf(format="A4", scale=scale, path=artifacts / f"referat-long-{scale}.pdf")
        pages = [_squeezed(p) for p in pdf_pages(pdf)]
        assert len(pages) > 1, scale
        for number, text in enumerate(pages, start=1):
            assert text, (scale, number)
            # No page ends with a heading: it stands on the page of the text it heads.
            ending = [h for h in headings if text.endswith(h)]
            assert not ending, (scale, number, ending)
        printed = "".join(pages)
        # Every heading is printed whole on one page (not split over two).
        for heading in headings:
            assert any(heading in p for p in pages), (scale, heading)
        for who, what in LONG_FOLLOW_UPS:
            assert _squeezed(who) in printed and _squeezed(what) in printed, (scale, who)
        for control in ("Udskriv med Ctrl+P", "Tilbage til mødet"):
            assert _squeezed(control) not in printed, (scale, control)

    # On paper the table is as wide as the page, no wider: its right border is printed.
    page.emulate_media(media="print")
    for width in (1366, A4_CONTENT_WIDTH):
        page.set_viewport_size({"width": width, "height": 900})
        expect(back).to_be_hidden()
        expect(hint).to_be_hidden()
        assert page.evaluate(_WIDER_THAN_DOCUMENT) == [], width
        box = referat.locator("table").bounding_box()
        assert box is not None and box["x"] >= 0, box
        assert box["x"] + box["width"] <= width, (width, box)
    page.screenshot(path=artifacts / "referat-long-print-a4.png", full_page=True)
