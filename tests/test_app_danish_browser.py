"""Everything a person reads or hears in the facilitator app is Danish: Streamlit's own English
texts (input instructions, the skip link, date fields and their calendar, select boxes, the
connection-lost dialog, the status widget, button names and tooltips) are put into Danish
or hidden by the page helper (facilitator/ui/assets/helper.js)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from harness.app_server import AppServer, create_team_in_browser, go_to_step, wait_idle

pytestmark = pytest.mark.browser

# What a person reads (text that is rendered, including text only screen readers get) and
# hears (aria-label, title, placeholder, alt, aria-valuetext, and what aria-describedby and
# aria-labelledby point at), gathered every 300 ms so a passing status text is caught too.
SAMPLER = """
(() => {
  const ATTRS = ['aria-label', 'title', 'placeholder', 'alt', 'aria-valuetext',
                 'aria-roledescription'];
  window.__bcSeen = new Set();
  const add = (s, where) => { if (s && s.trim()) window.__bcSeen.add(where + ': ' + s.trim()); };
  const collect = () => {
    // From the moment the page helper runs (the first script run); before it, the page is
    // Streamlit's empty frame.
    if (!document.body || document.documentElement.lang !== 'da') return;
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      const p = n.parentElement;
      if (!p || p.closest('script, style, [aria-hidden="true"], [hidden]')) continue;
      if (p.closest('.bc-timer, .bc-case, textarea')) continue;
      if (!p.checkVisibility()) continue;
      add(n.data, 'text');
    }
    document.querySelectorAll(ATTRS.map((a) => '[' + a + ']').join(',')).forEach((e) => {
      if (e.closest('[aria-hidden="true"]')) return;
      for (const a of ATTRS) add(e.getAttribute(a), a);
    });
    document.querySelectorAll('[aria-describedby], [aria-labelledby]').forEach((e) => {
      for (const a of ['aria-describedby', 'aria-labelledby']) {
        for (const id of (e.getAttribute(a) || '').split(/\\s+/)) {
          const t = id && document.getElementById(id);
          if (t) add(t.textContent, a);
        }
      }
    });
    add(document.title, 'title');
  };
  window.__bcCollect = collect;
  setInterval(collect, 300);
})();
"""

MONTHS = "January February March April May June July August September October November December"
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"
ENGLISH = [
    "Press Enter", "Press ⌘", "Ctrl+Enter", "to submit", "to apply", "Skip to", "main content",
    "Connection", "connected", "Connecting", "connect", "Streamlit", "internet", "Please wait",
    "Running", "Stop", "Rerun", "Error", "Choose", "Select…", "Selected", "selected",
    "Previous month", "Next month", "Previous", "Next", "Today", "day,", "month,", "year,",
    "Use arrow keys", "Help for", "No results", "No options", "options available",
    "option available", "Close", "Open", "Copy", "clipboard", "Fullscreen", "fullscreen",
    "Show password", "Hide password", "Sidebar", "sidebar", "Collapse", "Expand",
    "Link to heading", "Decrement", "Increment", "Clear", "Download", "Loading", "Search",
    "Show suggestions", "Suggestions", "Main menu", "Deploy", "Submit", "Cancel", "Dismiss",
    "Please", "Settings", *MONTHS.split(), *DAYS.split(),
]  # fmt: skip
_PATTERN = re.compile("|".join(rf"(?<![\w]){re.escape(p)}(?![\w])" for p in ENGLISH))


def _english(page: Page, where: str, found: dict[str, set[str]]) -> None:
    page.evaluate("window.__bcCollect()")
    seen: list[str] = page.evaluate("() => { const s = [...window.__bcSeen]; "
                                    "window.__bcSeen.clear(); return s; }")  # fmt: skip
    hits = {s for s in seen if _PATTERN.search(s)}
    if hits:
        found.setdefault(where, set()).update(hits)


@pytest.mark.parametrize("locale", ["da-DK", "en-US"])
def test_no_english_anywhere(
    browser: Browser, app: AppServer, artifacts: Path, locale: str
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale=locale)
    context.add_init_script(SAMPLER)
    page = context.new_page()
    found: dict[str, set[str]] = {}

    page.goto(app.url)
    expect(page.locator("html")).to_have_attribute("lang", "da", timeout=20000)
    wait_idle(page, 800)
    page.get_by_label("Teamets navn").fill("Team Dansk")  # shows the input instructions
    page.wait_for_timeout(600)
    page.keyboard.press("Shift+Tab")  # the skip link and the help buttons get focus
    _english(page, "startsiden", found)

    page.get_by_label("Teamets navn").fill("")
    create_team_in_browser(page, app, "Team Dansk")
    page.get_by_role("textbox", name="Deltagere (valgfrit, ét navn pr. linje)").fill("Anne\nBo")
    page.get_by_role("combobox").first.click()  # the case select box, opened
    page.wait_for_timeout(600)
    _english(page, "teamets side med casevalg åbent", found)
    page.keyboard.press("Escape")
    page.get_by_role("combobox").first.fill("zzz")  # no matching case
    page.wait_for_timeout(600)
    _english(page, "casevalg uden resultater", found)
    page.keyboard.press("Escape")
    wait_idle(page)

    page.get_by_role("button", name="Start mødet").click()
    expect(page.get_by_role("heading", name=re.compile("Trin 1"))).to_be_visible(timeout=20000)
    page.get_by_role("button", name="Start uret").click()
    _english(page, "trin 1", found)
    for n in range(2, 6):
        go_to_step(page, n)
        _english(page, f"trin {n}", found)

    # The follow-up form: its date field and the calendar, opened.
    date = page.locator('[data-testid="stDateInput"]').last
    date.locator('[data-testid="stDateInputCalendarButton"]').click()
    expect(page.locator('[data-testid="stDateInputCalendar"]')).to_be_visible()
    page.wait_for_timeout(600)
    page.screenshot(path=artifacts / f"app-calendar-{locale}.png")
    _english(page, "kalenderen i opfølgningen", found)
    page.keyboard.press("Escape")
    page.get_by_role("textbox", name="Hvad skal der følges op på?").fill("Ring til VUC")
    page.get_by_role("button", name="Gem aftalen").click()
    expect(page.get_by_text("Aftalen er gemt")).to_be_visible()
    _english(page, "aftale gemt", found)

    wait_idle(page)
    page.get_by_role("button", name="Afslut mødet").click()
    expect(page.get_by_role("heading", name="Mødet er slut")).to_be_visible()
    page.get_by_text("Referat og aftaler").click()
    page.locator('[data-testid="stDownloadButton"] button').first.hover()
    page.wait_for_timeout(600)
    _english(page, "mødet er slut", found)

    # The server goes away: the connection-lost dialog and the status widget.
    app.stop()
    expect(page.get_by_role("dialog")).to_be_visible(timeout=30000)
    page.wait_for_timeout(1500)
    page.screenshot(path=artifacts / f"app-connection-lost-{locale}.png")
    _english(page, "serveren er væk", found)
    context.close()

    assert found == {}, "\n".join(
        f"{where}:\n  " + "\n  ".join(sorted(hits)) for where, hits in found.items()
    )
