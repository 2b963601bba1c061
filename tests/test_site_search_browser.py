"""A search for a case's words finds the case first – in Material's search and in Zensical's."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from playwright.sync_api import Locator, Page, expect

from facilitator.cases import load_cases
from macros.main import glossary_entries

pytestmark = pytest.mark.browser

CASES = {c.number: c for c in load_cases()}

# Query → the case a facilitator looks for (read from the case files):
# »sprogmentor« is a hint on the back of case 9 (and a glossary term); IGU is what case 4 is
# about (Marwa and an IGU-forløb; case 10 has the theme too); sanktion and barsel are the
# subject and title of cases 7 and 6; mentor is a theme of cases 3 and 9 (the first in order).
FIRST_HIT = {"sprogmentor": 9, "IGU": 4, "sanktion": 7, "barsel": 6, "mentor": 3}


def _first_hit(page: Page, query: str) -> Locator:
    """Searches as a person does and returns the link of the first result."""
    material = page.locator("input.md-search__input")
    if material.count():
        page.keyboard.press("s")
        expect(material).to_be_focused()
        material.fill(query)
        results = page.locator(".md-search-result__item")
        try:
            expect(results.first).to_be_visible()
        except AssertionError:
            # The index is fetched when searching starts; on a slow machine the worker may
            # still be loading it. Material searches again on the next keystroke.
            material.fill("")
            material.press_sequentially(query, delay=20)
            expect(results.first).to_be_visible(timeout=30_000)
        return results.first.locator("a").first
    # Zensical: its own search dialog (a combobox with a listbox of options); the results of
    # this query are the ones whose links carry it (?h=…).
    box = page.get_by_role("combobox")
    if not box.is_visible():
        page.locator(".md-search__button").click()
    box.fill(query)
    expect(box).to_have_value(query)
    hits = ", ".join(
        f'[role="option"][href*="?h={q}"]' for q in {query, quote(query), quote_plus(query)}
    )
    return page.get_by_role("listbox").locator(hits).first


def test_a_search_finds_the_case_before_glossary_and_overviews(
    page: Page, any_site_server: str, artifacts: Path, request: pytest.FixtureRequest
) -> None:
    page.goto(any_site_server + "index.html")
    for query, number in FIRST_HIT.items():
        if page.locator("input.md-search__input").count():
            page.goto(any_site_server + "index.html")  # Material: a fresh search each time
        page.wait_for_load_state("load")
        first = _first_hit(page, query)
        expect(first, f"første hit for »{query}«").to_have_attribute(
            "href", re.compile(rf"cases/{CASES[number].slug}\.html")
        )
    page.screenshot(path=artifacts / f"site-search-mentor-{request.node.callspec.id}.png")
    # The hit opens the case.
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CASES[FIRST_HIT["mentor"]].heading)


def test_glossary_terms_out_of_search_are_explained_where_the_cases_use_them(
    any_site: Path,
) -> None:
    """The glossary table is not searched, so every term a case uses has its tooltip there."""
    terms = dict(glossary_entries())
    used = 0
    for case in CASES.values():
        raw = (any_site / "cases" / f"{case.slug}.html").read_text(encoding="utf-8")
        words = " ".join((*case.story, *case.questions, *case.considerations, case.title))
        for term, definition in terms.items():
            if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", words):
                used += 1
                title = re.escape(definition.replace('"', "&quot;"))
                assert re.search(rf'<abbr title="{title}">{re.escape(term)}</abbr>', raw), (
                    case.slug,
                    term,
                )
    assert used >= 10


# Today's words (issue 21): each leads first to its entry on the page »Regler i dag«.
TODAY = {
    "kontanthjælp": "kontanthjaelp",
    "arbejdspligt": "arbejdspligt",
    "37 timer": "arbejdspligt",
    "overgangsydelse": "kontanthjaelp",
    "hjemrejseydelse": "kontanthjaelp",
    "beskæftigelsesreform": "beskaeftigelsesreform",
}


def test_todays_words_find_the_rules_of_today_first(page: Page, any_site_server: str) -> None:
    for query, entry in TODAY.items():
        page.goto(any_site_server + "index.html")
        page.wait_for_load_state("load")
        first = _first_hit(page, query)
        expect(first, f"første hit for »{query}«").to_have_attribute(
            "href", re.compile(r"regler-i-dag\.html")
        )
        href = first.get_attribute("href") or ""
        anchor = href.partition("#")[2]
        # Material links the matching section; Zensical the page (its heading ranks first).
        assert anchor in ("", entry) or anchor.startswith(entry), (query, href)
