"""All ten cards in one print: the deck page printed to PDF by Chromium, on both builds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from facilitator.cases import load_cases
from tests.pdf_text import pdf_pages

pytestmark = pytest.mark.browser

CASES = load_cases()


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_all_ten_cards_print_as_one_deck(
    page: Page, any_site_server: str, artifacts: Path, request: pytest.FixtureRequest
) -> None:
    # Found from the cases overview and the navigation.
    page.goto(any_site_server + "cases/index.html")
    expect(page.locator(".md-nav a", has_text="Alle kort til udskrift").first).to_be_attached()
    page.get_by_role("link", name="alle ti kort på én gang").click()
    expect(page).to_have_url(re.compile(r"cases/alle-kort\.html$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Alle kort til udskrift")
    # On screen: how to print it, and every card readable.
    expect(page.get_by_text("vend på den lange kant")).to_be_visible()
    expect(page.locator(".deck-card")).to_have_count(len(CASES))
    for case in CASES:
        expect(page.get_by_role("heading", name=case.heading, exact=True)).to_be_visible()

    build = request.node.callspec.id
    pdf = page.pdf(path=artifacts / f"site-deck-{build}.pdf", format="A4")
    pages = pdf_pages(pdf)
    # Ten cards, each a front page followed by its back page: one A4 sheet, double-sided.
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(pages) == 2 * len(CASES)
    for case, front, back in zip(CASES, pages[0::2], pages[1::2], strict=True):
        heading = _squash(case.heading)
        for side in (front, back):
            # The case number and title head each side.
            assert _squash(side).startswith(heading), (case.heading, side[:200])
        assert _squash(case.story[0]) in _squash(front)
        assert _squash(case.questions[0]) in _squash(front)
        assert _squash(case.questions[-1]) in _squash(front)
        assert _squash(case.considerations[0]) in _squash(back)
        assert _squash(case.resources[-1].url) in _squash(back)
    # Only the cards: no navigation, header, search, buttons or the page's own heading.
    for side in pages:
        for chrome in ("Projektorvisning", "Søg", "Tjeklister", "Alle kort til udskrift"):
            assert chrome not in side, chrome
