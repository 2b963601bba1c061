"""The site as a person uses it, in headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_home_to_a_case_to_its_back_side(
    offline_page: Page, site_server: str, artifacts: Path
) -> None:
    page = offline_page
    page.goto(site_server)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Borgercases")
    page.screenshot(path=artifacts / "site-home-1366.png")
    page.get_by_role("link", name="Sanktioner").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case 7: Sanktioner")
    expect(page.get_by_text("Mahmoud er 36 år.")).to_be_visible()
    expect(page.get_by_role("heading", name="Læs mere")).to_be_hidden()
    page.get_by_text("Vend siden og find viden").click()
    expect(page.get_by_role("heading", name="Læs mere")).to_be_visible()
    expect(page.get_by_text("Mahmoud er 36 år.")).to_be_hidden()
    expect(page.get_by_text("HINT", exact=True)).to_be_visible()
    page.screenshot(path=artifacts / "site-case7-back-1366.png", full_page=True)
    page.get_by_role("link", name="Tilbage til casen").click()
    expect(page.get_by_text("Mahmoud er 36 år.")).to_be_visible()


def _search(page: Page, query: str) -> str:
    """Search the way a user does; the CSS selector of the hits (links to the pages found).

    MkDocs Material: the key S focuses its search field. Zensical: its own search dialog
    (Ctrl+K), whose hits are links with the role "option".
    """
    page.wait_for_load_state("load")
    if page.locator("input.md-search__input").count() == 0:
        page.keyboard.press("Control+k")
        box = page.get_by_role("combobox")
        expect(box).to_be_focused()
        box.fill(query)
        expect(page.locator("a[role=option]").first).to_be_visible(timeout=30000)
        return "a[role=option]"
    page.keyboard.press("s")
    box = page.locator("input.md-search__input")
    expect(box).to_be_focused()
    box.fill(query)
    results = page.locator(".md-search-result__item")
    try:
        expect(results.first).to_be_visible(timeout=15000)
    except AssertionError:
        # On a slow machine the search worker may still be loading its index; Material
        # searches again on the next input event.
        box.fill("")
        box.press_sequentially(query, delay=20)
        expect(results.first).to_be_visible(timeout=30000)
    return ".md-search-result__link"


def _is_search_index(url: str) -> bool:
    """Material's search/search_index.json (.js from disk) or Zensical's search.json (.js)."""
    return bool(re.search(r"/search(/search_index)?\.js(on)?(\?|#|$)", url))


def test_danish_search_finds_case_9_for_sprogmentor(
    offline_page: Page, site_server: str, artifacts: Path
) -> None:
    page = offline_page
    page.goto(site_server)
    _search(page, "sprogmentor")
    results = page.locator(".md-search-result__item")
    expect(results.filter(has_text="Case 9: Sprog og arbejdsmarkedet")).to_have_count(1)
    page.screenshot(path=artifacts / "site-search-sprogmentor.png")


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_projector_view_is_large_and_fits(
    offline_page: Page,
    any_site_server: str,
    site_builder: str,
    artifacts: Path,
    width: int,
    height: int,
) -> None:
    page = offline_page
    build = "" if site_builder == "mkdocs" else f"{site_builder}-"
    page.set_viewport_size({"width": width, "height": height})
    page.goto(any_site_server + "cases/case-08.html")
    toggle = page.get_by_role("button", name="Projektorvisning")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bprojector\b"))
    expect(page.locator(".md-sidebar--primary")).to_be_hidden()
    expect(page.locator(".md-header")).to_be_hidden()
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.md-typeset p')).fontSize)"
    )
    assert size >= 24
    for side in ("front", "back"):
        if side == "back":
            page.locator(".tabbed-labels label").filter(has_text="Viden og inspiration").click()
            expect(page.get_by_role("heading", name="Læs mere")).to_be_visible()
            page.wait_for_timeout(400)  # let the tab indicator finish its transition
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"vandret rulning på {side}: {overflow}px"
        page.screenshot(path=artifacts / f"site-{build}projector-{side}-{width}.png")
    # Remembered across pages and reloads, switched off with one key.
    page.goto(any_site_server + "index.html")
    expect(page.locator("html")).to_have_class(re.compile(r"\bprojector\b"))
    page.keyboard.press("p")
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bprojector\b"))
    page.reload()
    expect(page.locator(".md-header")).to_be_visible()


def test_printing_a_case_gives_a_clean_card(
    offline_page: Page, any_site_server: str, site_builder: str, artifacts: Path
) -> None:
    page = offline_page
    build = "" if site_builder == "mkdocs" else f"{site_builder}-"
    page.goto(any_site_server + "cases/case-03.html")
    page.emulate_media(media="print")
    for chrome in (
        ".md-header",
        ".md-sidebar--primary",
        ".md-sidebar--secondary",
        ".md-footer",
        ".tabbed-labels",
    ):
        expect(page.locator(chrome).first).to_be_hidden()
    expect(page.get_by_role("heading", name="Casen", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Viden og inspiration", exact=True)).to_be_visible()
    expect(page.get_by_text("Fatima er 41 år og fra Eritrea.")).to_be_visible()
    page.screenshot(path=artifacts / f"site-{build}case3-print.png", full_page=True)
    expect(page.get_by_role("heading", name="Læs mere")).to_be_visible()
    front = page.get_by_role("heading", name="Casen", exact=True).bounding_box()
    back = page.get_by_role("heading", name="Viden og inspiration", exact=True).bounding_box()
    assert front and back and front["y"] < back["y"]
    pdf = artifacts / f"site-{build}case3-print.pdf"
    page.pdf(path=pdf)
    assert pdf.stat().st_size > 10_000


def test_the_site_works_opened_from_disk(
    offline_page: Page, any_site: Path, site_builder: str, artifacts: Path
) -> None:
    page = offline_page
    build = "" if site_builder == "mkdocs" else f"{site_builder}-"
    page.goto((any_site / "index.html").as_uri())
    page.get_by_role("link", name="Tjeklister").first.click()
    expect(page).to_have_url((any_site / "checklists" / "index.html").as_uri())
    page.get_by_role("link", name="Forside").first.click()
    page.get_by_role("link", name="Sprog og arbejdsmarkedet").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case 9: Sprog og arbejdsmarkedet")
    hits = _search(page, "sprogmentor")
    page.locator(f"{hits}[href*='case-09.html']").first.click()
    expect(page).to_have_url(re.compile(r"case-09\.html"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Case 9: Sprog og arbejdsmarkedet")
    page.screenshot(path=artifacts / f"site-{build}file-url.png")


def test_checklist_ticks_are_remembered(offline_page: Page, site_server: str) -> None:
    page = offline_page
    page.goto(site_server + "checklists/forebyg-frafald.html")
    boxes = page.locator(".task-list-control input[type=checkbox]")
    assert boxes.count() >= 5
    boxes.nth(1).check(force=True)
    page.reload()
    expect(boxes.nth(1)).to_be_checked()
    expect(boxes.nth(0)).not_to_be_checked()
    page.get_by_role("button", name="Fjern alle flueben på siden").click()
    page.reload()
    expect(boxes.nth(1)).not_to_be_checked()


def test_the_search_index_loads_only_when_searching(
    offline_page: Page, any_site_server: str
) -> None:
    """The largest file waits until someone searches: a case opens with a third less."""
    page = offline_page
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(any_site_server + "cases/case-09.html")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)
    assert not [u for u in requested if _is_search_index(u)]
    hits = _search(page, "sprogmentor")
    assert [u for u in requested if _is_search_index(u)]
    expect(page.locator(f"{hits}[href*='case-09.html']").first).to_be_visible()
