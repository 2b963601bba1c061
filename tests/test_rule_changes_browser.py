"""The notes »Ændret siden kilden« read well wherever a case is read (issue 21): on the back of
a card in light, dark and projector view at 1366×768 and 1920×1080, and on paper – text with
at least 4.5:1 contrast to its own background, nothing cut off, and axe finds nothing in the
note itself (tests/test_site_accessibility.py checks every page whole)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.accessibility import axe_violations, set_site_mode

pytestmark = pytest.mark.browser

# Contrast of each text in the note against the note's own background (WCAG 2.1 formula).
CONTRAST = """(note) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let bg = getComputedStyle(note).backgroundColor;
  const clear = rgb(bg).length < 3 || /rgba\\(.*, 0\\)$/.test(bg) || bg === 'transparent';
  if (clear) bg = 'rgb(255,255,255)';
  const back = lum(rgb(bg));
  const worst = [...note.querySelectorAll('p, a')].map((el) => {
    const fore = lum(rgb(getComputedStyle(el).color));
    return (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
  });
  const box = note.getBoundingClientRect();
  return {ratio: Math.min(...worst), right: box.right, width: document.documentElement.clientWidth};
}"""


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def test_the_note_on_a_card_is_legible_in_every_view(
    browser: Browser, any_site_server: str, size: tuple[int, int], artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="da-DK")
    page = context.new_page()
    page.goto(any_site_server + "cases/case-04.html")
    page.wait_for_load_state("load")
    for mode in ("lyst", "mørkt", "projektor"):
        set_site_mode(page, mode)
        page.locator(".tabbed-labels label").nth(1).click()
        note = page.locator(".bc-change.change-igu").first
        expect(note).to_be_visible()
        note.scroll_into_view_if_needed()
        seen = note.evaluate(CONTRAST)
        assert seen["ratio"] >= 4.5, (mode, seen)
        assert seen["right"] <= seen["width"], (mode, seen)
        assert axe_violations(page) == [], mode
        page.screenshot(path=artifacts / f"rule-note-{mode}-{size[0]}.png")
    page.emulate_media(media="print")
    note = page.locator(".bc-change.change-igu").first
    seen = note.evaluate(CONTRAST)
    assert seen["ratio"] >= 7, ("print", seen)  # black on white on paper
    context.close()
