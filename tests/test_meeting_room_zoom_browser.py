"""The meeting page at 200 % zoom (issue 22, point 3) and the projector's note fields (point 10),
in Chromium.

200 % zoom of a 1366×768 screen is a 683×384 window in CSS pixels: there the page is one
column, the side bar starts closed and its buttons show without a pointer over them, no
button label or clock line breaks inside a word, and the clock and its primary button are in
view together (the clock panel has no scrolling of its own). A 1280×720 screen with two device
pixels per CSS pixel is no zoom: it shows the normal layout. In projector view a note of five
lines shows all five.

Meetings are seeded through the storage (harness.meetings) and opened over the wire.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from facilitator.storage import Storage
from harness.app_server import AppServer
from harness.meetings import open_meeting, running_meeting

pytestmark = pytest.mark.browser

FIVE_LINES = "Første linje\nAnden linje\nTredje linje\nFjerde linje\nFemte linje"
PRIMARY = re.compile(r"^(Start uret|Pause|Fortsæt|Næste trin|Afslut mødet)$")

# For each visible button and line of the clock (not in the closed side bar): its text does not
# overflow it, and no word of it is split over two lines (each word's range rectangles share one
# top).
BROKEN_WORDS_JS = """(selector) => {
  const out = [];
  const visible = (e) => e.checkVisibility({checkVisibilityCSS: true, visibilityProperty: true});
  for (const el of document.querySelectorAll(selector)) {
    if (!visible(el) || el.closest('[data-testid="stSidebar"][data-collapsed="true"]')) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) continue;
    let text = '';
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (n.parentElement.closest('[data-testid^="stIcon"], [aria-hidden="true"]')) continue;
      text += n.textContent;
      const words = /\\S+/g;
      let m;
      while ((m = words.exec(n.textContent))) {
        const range = document.createRange();
        range.setStart(n, m.index);
        range.setEnd(n, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter((x) => x.width > 0)
          .map((x) => Math.round(x.top)));
        if (tops.size > 1) out.push(`»${m[0]}« broken over ${tops.size} lines`);
      }
    }
    text = text.replace(/\\s+/g, ' ').trim();
    if (text && el.scrollWidth > el.clientWidth + 1)
      out.push(`»${text}« is wider than its box (${el.scrollWidth} > ${el.clientWidth})`);
  }
  return out;
}"""

# Elements of the clock panel's column (the column itself included) that scroll on their own.
PANEL_SCROLLERS_JS = """() => {
  const column = document.querySelector('[data-testid="stColumn"]:has(.st-key-bc_side)');
  if (!column) return ['no side column'];
  const out = [];
  for (const el of [column, ...column.querySelectorAll('*')]) {
    const s = getComputedStyle(el);
    if (['auto', 'scroll'].includes(s.overflowY) && el.scrollHeight > el.clientHeight + 1)
      out.push(`${el.tagName} ${el.getAttribute('data-testid') || el.className}`
        + ` (${el.scrollHeight} > ${el.clientHeight})`);
  }
  return out;
}"""

# The clock scrolled to the window's top: are it and its primary button both in the window?
CLOCK_IN_VIEW_JS = """(pattern) => {
  const timer = document.querySelector('.bc-timer');
  const side = document.querySelector('.st-key-bc_side');
  if (!timer || !side) return false;
  const label = (b) => {
    let t = '';
    const walk = document.createTreeWalker(b, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode())
      if (!n.parentElement.closest('[data-testid^="stIcon"]')) t += n.textContent;
    return t.replace(/\\s+/g, ' ').trim();
  };
  const re = new RegExp(pattern);
  const primary = [...side.querySelectorAll('button')].find((b) => re.test(label(b)));
  if (!primary) return false;
  timer.scrollIntoView({block: 'start'});
  const inside = (r) => r.top >= -1 && r.bottom <= innerHeight + 1 && r.left >= -1
    && r.right <= innerWidth + 1;
  return inside(timer.getBoundingClientRect()) && inside(primary.getBoundingClientRect());
}"""

# The left edges of the meeting page's two columns (notes, clock panel).
COLUMNS_JS = """() => {
  const row = document.querySelector(
    '[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] .st-key-bc_side)');
  if (!row) return null;
  return [...row.querySelectorAll(':scope > [data-testid="stColumn"]')].map((c) => {
    const r = c.getBoundingClientRect();
    return {left: Math.round(r.left), right: Math.round(r.right)};
  });
}"""


def _page(
    browser: Browser, contexts: list[BrowserContext], width: int, height: int, scale: float = 1
) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=scale, locale="da-DK"
    )
    contexts.append(context)
    return context.new_page()


def _meeting(store: Storage, name: str, step: int) -> tuple[int, str]:
    team_id, mid = running_meeting(store, name, step)
    if step == 4:
        meeting = store.get_meeting(mid)
        assert meeting is not None
        store.add_follow_up(meeting, "Anne", "Ring til jobkonsulenten", None, 1)
    return team_id, mid


def _columns(page: Page) -> list[dict[str, int]]:
    columns: list[dict[str, int]] | None = page.evaluate(COLUMNS_JS)
    assert columns is not None and len(columns) == 2, columns
    return columns


def _inside(box: dict[str, float] | None, width: int, height: int) -> bool:
    return (
        box is not None
        and box["y"] >= -1
        and box["y"] + box["height"] <= height + 1
        and box["x"] >= -1
        and box["x"] + box["width"] <= width + 1
    )


def _primary(page: Page) -> Any:
    return page.locator(".st-key-bc_side").get_by_role("button", name=PRIMARY).first


@pytest.mark.parametrize("step", [1, 3, 5])
def test_at_200_percent_zoom_the_page_is_one_column_and_the_clock_and_its_button_fit(
    browser: Browser,
    contexts: list[BrowserContext],
    served: tuple[AppServer, Storage],
    artifacts: Path,
    step: int,
) -> None:
    server, store = served
    _team, mid = _meeting(store, f"Team Zoom {step}", step - 1)
    page = _page(browser, contexts, 683, 384)
    open_meeting(page, server, store, mid, step)
    page.screenshot(path=artifacts / f"zoom-200-step-{step}.png")
    problems: list[str] = []

    notes, panel = _columns(page)
    if notes["left"] != panel["left"]:
        problems.append(f"the columns stand side by side: {notes} and {panel}")

    # The side bar starts closed and covers nothing; its open button shows without hover.
    main = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()
    sidebar = page.locator('[data-testid="stSidebar"]')
    bar = sidebar.bounding_box() if sidebar.is_visible() else None
    if main is not None and bar is not None and bar["x"] + bar["width"] > main["x"] + 1:
        problems.append(f"the side bar covers the page at start: {bar} over {main}")

    for item in page.evaluate(BROKEN_WORDS_JS, "button, .bc-timer > div"):
        problems.append(f"button or clock: {item}")

    # Scrolled into view until both are in the window (the page's helper may still scroll the
    # page to its top once after the first load).
    try:
        page.wait_for_function(CLOCK_IN_VIEW_JS, arg=PRIMARY.pattern, timeout=10000)
    except PlaywrightTimeoutError:
        timer, primary = page.locator(".bc-timer").first, _primary(page)
        problems.append(
            f"clock {timer.bounding_box()} and »{primary.inner_text()}« "
            f"{primary.bounding_box()} are not in view together"
        )
    for item in page.evaluate(PANEL_SCROLLERS_JS):
        problems.append(f"the clock panel scrolls on its own: {item}")
    page.screenshot(path=artifacts / f"zoom-200-step-{step}-clock.png")
    assert problems == [], "\n".join(problems)


def test_at_200_percent_zoom_the_side_bar_opens_and_closes_with_visible_buttons(
    browser: Browser,
    contexts: list[BrowserContext],
    served: tuple[AppServer, Storage],
    artifacts: Path,
) -> None:
    server, store = served
    _team, mid = _meeting(store, "Team Sidepanel", 2)
    page = _page(browser, contexts, 683, 384)
    open_meeting(page, server, store, mid, 3)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    opener = page.locator('[data-testid="stExpandSidebarButton"]')
    expect(opener).to_be_visible()
    opener.click()
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    closer = page.locator('[data-testid="stSidebarCollapseButton"]')
    page.mouse.move(675, 375)  # the pointer away from the side bar
    expect(closer).to_have_css("visibility", "visible")
    expect(closer.get_by_role("button")).to_be_visible()
    page.screenshot(path=artifacts / "zoom-200-sidebar-open.png")
    problems = page.evaluate(BROKEN_WORDS_JS, '[data-testid="stSidebar"] button')
    assert problems == [], problems
    closer.get_by_role("button").click()
    expect(sidebar).to_have_attribute("data-collapsed", "true")


def test_a_1280_screen_at_two_device_pixels_shows_the_normal_layout(
    browser: Browser,
    contexts: list[BrowserContext],
    served: tuple[AppServer, Storage],
    artifacts: Path,
) -> None:
    server, store = served
    _team, mid = _meeting(store, "Team Retina", 2)
    page = _page(browser, contexts, 1280, 720, scale=2)
    open_meeting(page, server, store, mid, 3)
    page.screenshot(path=artifacts / "zoom-1280-at-2x.png")
    notes, panel = _columns(page)
    assert panel["left"] >= notes["right"], (notes, panel)  # side by side
    expect(page.locator('[data-testid="stSidebar"]')).to_have_attribute("data-collapsed", "false")
    page.mouse.move(1200, 700)  # the side bar's close button shows without the pointer on it
    expect(page.locator('[data-testid="stSidebarCollapseButton"]')).to_have_css(
        "visibility", "visible"
    )
    assert page.evaluate(BROKEN_WORDS_JS, "button, .bc-timer > div") == []
    assert _inside(page.locator(".bc-timer").first.bounding_box(), 1280, 720)
    assert _inside(_primary(page).bounding_box(), 1280, 720)


@pytest.mark.parametrize("size", [(683, 384), (1366, 768)])
def test_in_projector_view_a_note_of_five_lines_shows_all_of_them(
    browser: Browser,
    contexts: list[BrowserContext],
    served: tuple[AppServer, Storage],
    artifacts: Path,
    size: tuple[int, int],
) -> None:
    server, store = served
    width, height = size
    team_id, mid = _meeting(store, f"Team Projektor {width}", 2)
    store.save_note(team_id, mid, "q0", FIVE_LINES)
    page = _page(browser, contexts, width, height)
    open_meeting(page, server, store, mid, 3, p="1")
    expect(page.get_by_role("button", name="Afslut projektorvisning")).to_be_visible()
    field = page.get_by_role("textbox", name=re.compile(r"^1\. "))
    expect(field).to_have_value(FIVE_LINES)
    field.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / f"zoom-projector-note-{width}.png")
    sizes = field.evaluate("t => [t.scrollHeight, t.clientHeight]")
    assert sizes[0] <= sizes[1] + 2, f"the note needs {sizes[0]} px, shows {sizes[1]} px"

    # A sixth line typed in the field: it grows with it.
    before = sizes[1]
    field.press("End")
    field.press("Control+End")
    field.press_sequentially("\nSjette linje", delay=10)
    page.wait_for_function(
        "([t, h]) => t.clientHeight > h && t.scrollHeight <= t.clientHeight + 2",
        arg=[field.element_handle(), before],
    )
