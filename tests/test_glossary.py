"""The glossary says where each explanation comes from: a source's own wording, cited, or the
kit's own explanation, dated and pointing to an authority; and every term is used on the site.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from facilitator.rule_changes import load_rule_changes
from macros.main import GLOSSARY_FILE
from sitebuild.glossary import Entry, GlossaryError, full_tooltip, load_glossary, parse_glossary
from sitebuild.sources import KIT_TITLE, load_sources
from tests.seeds import SEEDS, norm, seed_text

DATA = load_sources(GLOSSARY_FILE.parent / "sources.yml")
ENTRIES = load_glossary(DATA, GLOSSARY_FILE)
CHANGES = load_rule_changes()
BY_TERM = {e.term: e for e in ENTRIES}
SOURCED = [e for e in ENTRIES if e.source is not None]
KITS = [e for e in ENTRIES if e.source is None]

# The schemes and benefits whose explanation gives the source's rules of its time.
RULES_TERMS = {
    "IGU",
    "integrationsydelse",
    "integrationsprogrammet",
    "løntilskud",
    "virksomhedspraktik",
    "mentor",
    "dimittendvilkår",
}


def _phrases(explanation: str) -> list[str]:
    """The sentences and dash-separated phrases of an explanation."""
    return [p for p in re.split(r"(?<=\.) | – ", explanation) if p.strip()]


def test_every_entry_has_a_source_or_the_kits_dated_mark() -> None:
    assert len(ENTRIES) >= 25
    for e in ENTRIES:
        assert (e.source is None) != (e.kit_mark is None), e.term
        if e.kit_mark is not None:
            assert KIT_TITLE.match(e.kit_mark), e.term
        # The tooltip says it too, in plain words.
        assert e.tooltip.endswith(f"({e.citation})"), e.term
        assert "Kilde:" in e.citation or "Kittets egen forklaring" in e.citation, e.term
        assert not re.search(r"[*_\[\]<>`]", e.tooltip), (e.term, "markup in the tooltip")
    assert len(SOURCED) >= 10


@pytest.mark.parametrize("entry", SOURCED, ids=lambda e: e.term)
def test_sourced_explanations_keep_the_sources_wording(entry: Entry) -> None:
    assert entry.source is not None
    text = norm(seed_text(SEEDS / entry.source.seed))
    for phrase in _phrases(entry.explanation):
        assert norm(phrase) in text, (entry.term, phrase)


@pytest.mark.parametrize("entry", KITS, ids=lambda e: e.term)
def test_the_kits_own_explanations_point_to_an_authoritys_front_page(entry: Entry) -> None:
    assert entry.see is not None
    url = urlparse(entry.see.url)
    assert url.scheme == "https" and url.path in ("", "/"), entry.see.url
    assert entry.see.id in DATA.authorities


def test_dream_is_stars_register_database() -> None:
    dream = BY_TERM["DREAM"]
    assert dream.explanation.startswith(
        "Den Registerbaserede Evaluering Af Marginaliseringsomfanget – STARs registerdatabase"
    )
    assert dream.see is not None and dream.see.id == "STAR"
    assert "Danish Rational" not in GLOSSARY_FILE.read_text(encoding="utf-8")


def test_one_explanation_for_both_trepart_wordings_and_no_amu() -> None:
    trepart = [e for e in ENTRIES if e.term.startswith("trepart")]
    assert {e.term for e in trepart} == {"trepartsmøde", "trepartssamtaler"}
    assert len({e.tooltip for e in trepart}) == 1
    assert "AMU" not in BY_TERM


def test_schemes_and_benefits_carry_the_rules_notice() -> None:
    for term in RULES_TERMS:
        e = BY_TERM[term]
        assert e.rules and e.source is not None, term


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("*[X]: Forklaring uden kilde", "mangler sin kilde"),
        ("*[X]: Forklaring (Kilde: Ukendt kilde, omkring 2016)", "ukendt kilde"),
        ("*[X]: Forklaring (Kilde: Borgercases, omkring 2016)", "er fra omkring 2018"),
        ("*[X]: Forklaring (Kittets egen forklaring – se star.dk)", "hverken"),
        ("*[X]: Forklaring (Kittets egen forklaring, november 2026 – se eksempel.dk)", "myndighed"),
    ],
)
def test_a_line_without_a_readable_citation_fails_the_build(line: str, why: str) -> None:
    with pytest.raises(GlossaryError, match=why):
        parse_glossary(line, DATA)


def _abbrs(raw: str) -> list[tuple[str, str]]:
    return [
        (html.unescape(m.group(2)), html.unescape(m.group(1)))
        for m in re.finditer(r'<abbr title="([^"]*)">([^<]+)</abbr>', raw)
    ]


def test_every_term_is_explained_where_the_site_uses_it(any_site: Path) -> None:
    """A term the site does not use has no place in the glossary (AMU, FVU were dropped)."""
    seen: dict[str, set[str]] = {}
    for page in any_site.rglob("*.html"):
        if page.name == "ordliste.html" or page.parent.name == "ordliste":
            continue
        for term, title in _abbrs(page.read_text(encoding="utf-8")):
            seen.setdefault(term, set()).add(title)
    for e in ENTRIES:
        assert e.term in seen, f"»{e.term}« bruges ikke på sitet uden for ordlisten"
        # the source's explanation, and for a changed rule what it is today
        assert seen[e.term] == {full_tooltip(e, CHANGES)}, e.term


def _glossary_page(site: Path) -> str:
    page = site / "ordliste.html"
    if not page.exists():
        page = site / "ordliste" / "index.html"
    return page.read_text(encoding="utf-8")


def _rows(raw: str) -> dict[str, str]:
    """First cell's text → the whole row, for each row of the glossary table."""
    table = raw.split("<table>", 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.DOTALL):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.DOTALL)
        first = html.unescape(re.sub(r"<[^>]+>", "", cells[0])).strip()
        rows[first] = row
    return rows


def test_the_glossary_page_shows_where_each_explanation_comes_from(any_site: Path) -> None:
    raw = _glossary_page(any_site)
    rows = _rows(raw)
    assert re.search(r"<th[^>]*>Kilde</th>", raw)
    assert len([t for t in rows if "trepart" in t]) == 1
    assert "trepartsmøde / trepartssamtaler" in rows
    for e in ENTRIES:
        row = next(r for t, r in rows.items() if e.term in t.split(" / "))
        if e.source is not None:
            assert re.search(rf'href="[^"]*kilder[^"]*#{e.source.id}"', row), e.term
        else:
            assert e.kit_mark is not None and e.see is not None
            assert e.kit_mark in html.unescape(row), e.term
            assert f'href="{e.see.url}"' in row, e.term
        assert ("Regler:" in row) == bool(e.rules), e.term
    text = html.unescape(re.sub(r"<[^>]+>", "", raw))
    text = re.sub(r"\s+", " ", text)
    assert (
        "Reglerne er gengivet, som kilden beskrev dem omkring 2016. De kan være ændret siden "
        "– tjek de gældende regler hos"
    ) in text
    assert 'href="https://star.dk/"' in raw.split("<table>", 1)[0]
