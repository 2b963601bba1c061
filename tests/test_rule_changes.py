"""Rules as they are today (issue 21): every change in includes/rule_changes.yml has primary
sources on an authority's domain and dates in order, its old rule is its source's own words,
and every page, card and tooltip that states a changed rule carries its note, on both builds."""

from __future__ import annotations

import copy
import html
import logging
import re
from collections.abc import Callable
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from facilitator.cases import load_cases
from facilitator.rule_changes import (
    AUTHORITY_DOMAINS,
    RULES_FILE,
    RuleChangeError,
    RuleChanges,
    load_rule_changes,
    parse_rule_changes,
)
from sitebuild import changes as site_changes
from sitebuild.sources import load_sources
from tests.seeds import SEEDS, norm, seed_norm

CHANGES = load_rule_changes()
RAW = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
CASES = {c.number: c for c in load_cases()}

# Pages that name a changed rule without stating it: the page of changes itself (its entries
# quote the old rules), the index of themes (»IGU« as a theme's name), the list of links the
# cases cite (»Her kan du læse om IGU:« and the links' addresses), the page about the sources
# (their ages: »Det nyeste årstal … er 2016 (IGU …)«) and the 404 page.
NOT_STATING = {"regler-i-dag.html", "temaer.html", "ressourcer.html", "kilder.html", "404.html"}
# Generated blocks that only name or link: the note itself, the home page's way to the page of
# changes, the source line at the top of a page (the source's title and age), the case
# overview, the themes under a case.
GENERATED = {"bc-change", "bc-rules-today", "bc-source", "bc-case-overview", "case-themes"}


# --- The file itself ---


@pytest.mark.parametrize("change", list(CHANGES), ids=lambda c: c.id)
def test_every_entry_has_primary_sources_and_dates_in_order(change: Any) -> None:
    assert change.primary, change.id
    for source in change.primary:
        assert source.url.startswith("https://"), source.url
        assert any(source.host == d or source.host.endswith("." + d) for d in AUTHORITY_DOMAINS)
        assert source.checked <= date.today(), f"{change.id}: tjekket i fremtiden"
        assert source.checked < change.review_by
    assert change.since < change.review_by
    assert change.terms and change.old and change.today and change.short


def test_no_entry_is_past_its_review_date() -> None:
    """Once a review date passes, `make test` fails until the entry is checked again."""
    overdue = [f"{c.id} (senest {c.review_by})" for c in CHANGES.overdue(date.today())]
    assert not overdue, "Regelændringer, der skal tjekkes igen mod de primære kilder: " + ", ".join(
        overdue
    )


@pytest.mark.parametrize("change", list(CHANGES), ids=lambda c: c.id)
def test_every_old_rule_is_its_sources_own_words(change: Any) -> None:
    data = load_sources()
    for old in change.old:
        seed = SEEDS / data.source(old.source).seed
        assert norm(old.quote) in seed_norm(seed), f"{change.id}: »{old.quote}« står ikke i kilden"
    assert any(change.mentioned_in(o.quote) for o in change.old), f"{change.id}: ingen ord citeret"


def _without(path: list[str | int]) -> dict[str, Any]:
    data = copy.deepcopy(RAW)
    target = data["changes"][0]
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return data


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (["primary"], "primær kilde"),
        (["primary", 0, "checked"], "checked"),
        (["primary", 0, "url"], "url"),
        (["review_by"], "review_by"),
        (["since"], "since"),
        (["old"], "kildens egne ord"),
        (["terms"], "terms"),
    ],
)
def test_an_entry_without_source_or_dates_is_refused(path: list[str | int], message: str) -> None:
    with pytest.raises(RuleChangeError, match=message):
        parse_rule_changes(_without(path))


@pytest.mark.parametrize(
    "url",
    ["https://www.lovguiden.dk/loven/x", "http://star.dk/x", "https://star.dk.evil.example/x"],
)
def test_a_source_off_an_authoritys_domain_is_refused(url: str) -> None:
    data = copy.deepcopy(RAW)
    data["changes"][0]["primary"][0]["url"] = url
    with pytest.raises(RuleChangeError, match="ikke en primær kilde"):
        parse_rule_changes(data)


def test_a_review_date_before_the_check_is_refused() -> None:
    data = copy.deepcopy(RAW)
    entry = data["changes"][0]
    entry["review_by"] = entry["primary"][0]["checked"]
    with pytest.raises(RuleChangeError, match="review_by"):
        parse_rule_changes(data)


def test_an_old_rule_must_quote_a_known_source() -> None:
    data = copy.deepcopy(RAW)
    data["changes"][0]["old"][0]["source"] = "ukendt"
    with pytest.raises(RuleChangeError, match="ukendt kilde"):
        parse_rule_changes(data, source_ids=load_sources().sources)


def test_the_build_warns_of_an_overdue_entry(caplog: pytest.LogCaptureFixture) -> None:
    latest = max(c.review_by for c in CHANGES)
    with caplog.at_level(logging.WARNING, logger="borgercases.rules"):
        site_changes.checked_changes(today=latest + timedelta(days=1))
    warned = " ".join(r.getMessage() for r in caplog.records)
    for change in CHANGES:
        assert change.id in warned
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="borgercases.rules"):
        site_changes.checked_changes(today=min(c.review_by for c in CHANGES))
    assert not caplog.records


def test_terms_are_whole_words() -> None:
    igu = CHANGES.get("igu")
    assert igu.mentioned_in("et IGU-forløb") and igu.mentioned_in("IGU’en")
    assert not igu.mentioned_in("figur 3")
    assert CHANGES.mentioned_in(["Ordet integrationsydelsen"]) == [CHANGES.get("kontanthjaelp")]


# --- The built site ---


class _Content(HTMLParser):
    """A page's content area: its text outside generated blocks, the changes whose notes it
    holds, and the tooltips of its terms."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside <article class="md-content__inner">
        self.skip = 0  # inside a generated block (counted by open elements)
        self.text: list[str] = []
        self.notes: list[str] = []
        self.titles: list[str] = []
        self.terms: list[str] = []  # each tooltip's term, as the page shows it
        self._abbr = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = set(a.get("class", "").split())
        if "bc-change" in classes:  # an admonition »bc-change change-<id>«, or a table's line
            ids = [c.removeprefix("change-") for c in classes if c.startswith("change-")]
            self.notes += ids or [a.get("data-change", "")]
        if tag == "abbr" and a.get("title"):
            self.titles.append(a["title"])
            self.terms.append("")
            self._abbr = True
        if self.depth == 0:
            if tag == "article" and "md-content__inner" in classes:
                self.depth = 1
            return
        if tag in {"br", "img", "input", "hr", "wbr", "meta", "link"}:
            return
        self.depth += 1
        if self.skip or classes & GENERATED:
            self.skip += 1

    @classmethod
    def of(cls, html: str) -> _Content:
        page = cls()
        page.feed(html)
        return page

    def handle_endtag(self, tag: str) -> None:
        if tag == "abbr":
            self._abbr = False
        if self.depth == 0 or tag in {"br", "img", "input", "hr", "wbr", "meta", "link"}:
            return
        self.depth -= 1
        if self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self._abbr:
            self.terms[-1] += data
        if self.depth and not self.skip:
            self.text.append(data)


def missing_notes(html: str, changes: RuleChanges) -> list[str]:
    """The changes a page states (its terms in its own text) without their note."""
    page = _Content.of(html)
    text = " ".join(page.text)
    return [c.id for c in changes.mentioned_in([text]) if c.id not in page.notes]


def unmarked_tooltips(html: str, changes: RuleChanges) -> list[str]:
    """Tooltips that state a changed rule (in the source's explanation) without saying so."""
    page = _Content.of(html)
    bad = []
    for term, title in zip(page.terms, page.titles, strict=True):
        explanation = title.split(site_changes.NOTE_TITLE)[0]
        for change in changes.mentioned_in([term, explanation]):
            if site_changes.tooltip_line(change) not in title:
                bad.append(f"{change.id}: {title[:60]}…")
    return bad


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name not in NOT_STATING)


def test_the_check_finds_a_page_without_its_note() -> None:
    page = (
        '<article class="md-content__inner"><p>Flygtninge modtager integrationsydelse.</p>'
        '<div class="admonition bc-change change-igu">IGU i dag</div></article>'
    )
    assert missing_notes(page, CHANGES) == ["kontanthjaelp"]
    fixed = page.replace("change-igu", "change-kontanthjaelp")
    assert missing_notes(fixed, CHANGES) == []
    outside = '<nav><p>integrationsydelse</p></nav><article class="md-content__inner"></article>'
    assert missing_notes(outside, CHANGES) == []
    old = "Ordningen omfatter flygtninge i alderen 18-40 år"
    assert unmarked_tooltips(f'<abbr title="{old}">IGU</abbr>', CHANGES) == [f"igu: {old}…"]


def _failures(site: Path, check: Callable[[str, RuleChanges], list[str]]) -> dict[str, list[str]]:
    """Page → what ``check`` finds wrong on it, for every page that states rules."""
    found = {}
    for path in _pages(site):
        wrong = check(path.read_text(encoding="utf-8"), CHANGES)
        if wrong:
            found[path.relative_to(site).as_posix()] = wrong
    return found


def test_every_page_that_states_a_changed_rule_has_its_note(any_site: Path) -> None:
    failures = _failures(any_site, missing_notes)
    assert not failures, failures
    # The check is not vacuous: the pages that state the old rules are there, with notes.
    for page, change in [
        ("viden/faq.html", "kontanthjaelp"),
        ("viden/ordninger.html", "igu"),
        ("viden/kommunens-indsats.html", "beskaeftigelsesreform"),
        ("checklists/opfoelgning-under-praktikken.html", "kontanthjaelp"),
        ("cases/case-04.html", "igu"),
        ("cases/case-10.html", "igu"),
        ("cases/alle-kort.html", "igu"),
        ("ordliste.html", "kontanthjaelp"),
    ]:
        html = (any_site / page).read_text(encoding="utf-8")
        assert change in _Content.of(html).notes, (page, change)


def test_every_tooltip_of_a_changed_rule_says_what_changed(any_site: Path) -> None:
    failures = _failures(any_site, unmarked_tooltips)
    assert not failures, failures
    case4 = (any_site / "cases" / "case-04.html").read_text(encoding="utf-8")
    assert site_changes.tooltip_line(CHANGES.get("igu")) in "\n".join(_Content.of(case4).titles)


def test_the_rules_page_has_every_change_with_its_sources(any_site: Path) -> None:
    html = (any_site / "regler-i-dag.html").read_text(encoding="utf-8")
    for change in CHANGES:
        assert f'id="{change.id}"' in html, change.id
        for source in change.primary:
            assert f'href="{source.url}"' in html, source.url
    assert "ikke juridisk rådgivning" in html
    assert re.search(r"gennemgået \d+\. \w+ 20\d\d", html)
    # Reachable from the home page's first screen and from every note.
    home = (any_site / "index.html").read_text(encoding="utf-8")
    assert 'href="regler-i-dag.html"' in home
    faq = (any_site / "viden" / "faq.html").read_text(encoding="utf-8")
    assert 'href="../regler-i-dag.html#kontanthjaelp"' in faq


def test_the_sources_text_is_unchanged_beside_the_note(any_site: Path) -> None:
    """Fidelity: the note stands beside the source's words, which stay as they were."""
    html = (any_site / "viden" / "ordninger.html").read_text(encoding="utf-8")
    assert "Integrationsgrunduddannelsen (IGU) er en forsøgsordning med virkning fra juli 2016" in (
        re.sub(r"<[^>]+>", "", html)
    )


# --- The facilitator tool: the back of the card ---


def _back(number: int) -> AppTest:
    def script(number: int) -> None:
        from facilitator.cases import load_cases
        from facilitator.ui import card

        card.back(next(c for c in load_cases() if c.number == number))

    return AppTest.from_function(script, args=(number,), default_timeout=30).run()


def test_the_card_in_the_app_shows_the_notes_for_its_case() -> None:
    case4 = _back(4)
    assert not case4.exception
    shown = html.unescape("\n".join(m.value for m in case4.markdown))
    assert "Ændret siden kilden" in shown
    assert "regler-i-dag.html#igu" in shown
    assert CHANGES.get("igu").primary[0].url in shown
    # A case that states no changed rule has no note.
    case1 = _back(1)
    assert CHANGES.mentioned_in(CASES[1].texts()) == []
    assert "Ændret siden kilden" not in "\n".join(m.value for m in case1.markdown)


def test_an_unreadable_file_of_changes_costs_the_card_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_: object) -> RuleChanges:
        raise RuleChangeError("ødelagt")

    monkeypatch.setattr("facilitator.ui.card.load_rule_changes", broken)
    at = _back(4)
    assert not at.exception
    assert "kan være ændret" in at.warning[0].value
    assert any("Læs mere" in s.value for s in at.subheader)
