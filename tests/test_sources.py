"""Every knowledge and checklist page says where its text comes from and how old it is; pages
that describe rules say that the rules may have changed, and where today's rules are."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

from macros.main import front_matter, pages_by_source
from sitebuild.sources import (
    SOURCES_FILE,
    SourceError,
    load_sources,
    page_sources,
    rules_notice,
    source_line,
)
from tests.seeds import SEEDS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
KNOWLEDGE_PAGES = sorted(
    p.relative_to(DOCS).as_posix()
    for folder in ("viden", "checklists")
    for p in (DOCS / folder).glob("*.md")
)
# Pages that describe schemes, duties, deadlines or benefits, and where today's rules are.
RULES_PAGES = {
    "viden/ordninger.md": {"https://bm.dk/", "https://star.dk/"},
    "viden/kommunens-indsats.md": {"https://uim.dk/", "https://star.dk/"},
    "viden/faq.md": {"https://star.dk/", "https://uim.dk/"},
    "viden/gode-raad.md": {"https://star.dk/", "https://uim.dk/"},
}
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def article_html(html: str) -> str:
    start = html.index('<article class="md-content__inner')
    return html[start : html.index("</article>", start)]


def text_of(html_part: str) -> str:
    """What a reader sees: tags (the glossary's <abbr> among them) dropped."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html_part)))


def _html(site: Path, page: str) -> str:
    return (site / page.replace(".md", ".html")).read_text(encoding="utf-8")


def test_every_source_is_a_seed_and_its_age_is_what_the_seed_itself_names() -> None:
    """No claimed publication dates: the year is the newest year the document names, and a
    document that names none has none."""
    data = load_sources(ROOT / SOURCES_FILE)
    assert len(data.sources) == 5
    for source in data.sources.values():
        text = (SEEDS / source.seed).read_text(encoding="utf-8")
        years = [int(y) for y in _YEAR.findall(text)]
        assert source.year == (max(years) if years else None), source.id
        assert source.dating.startswith("Udateret"), source.id
        if source.year:
            assert str(source.year) in source.dating, source.id
    assert {s.seed for s in data.sources.values()} == {p.name for p in SEEDS.glob("*.txt")}


def test_every_knowledge_and_checklist_page_names_a_known_source() -> None:
    data = load_sources(ROOT / SOURCES_FILE)
    assert len(KNOWLEDGE_PAGES) == 12
    for page in KNOWLEDGE_PAGES:
        meta = front_matter(DOCS / page)
        assert page_sources(meta, data), f"{page}: ingen »sources« i front matter"
        assert "{{ source_note(" in (DOCS / page).read_text(encoding="utf-8"), page


@pytest.mark.parametrize("page", KNOWLEDGE_PAGES)
def test_the_source_and_its_age_stand_at_the_top_of_the_page(any_site: Path, page: str) -> None:
    data = load_sources(ROOT / SOURCES_FILE)
    article = article_html(_html(any_site, page))
    # Right under the heading: before any other paragraph of the page.
    first = re.search(r"<(p|div)\b[^>]*>", article)
    assert first and 'class="bc-source"' in first.group(0), (page, article[:300])
    box = article[first.start() : article.index("</div>", first.start())]
    for source in page_sources(front_matter(DOCS / page), data):
        assert source.title in text_of(box), (page, source.id)
        assert source.dating in text_of(box), (page, source.id)
        assert f'href="../kilder.html#{source.id}"' in box, (page, box)


@pytest.mark.parametrize("page", sorted(RULES_PAGES))
def test_pages_that_describe_rules_say_they_may_have_changed(any_site: Path, page: str) -> None:
    page_html = _html(any_site, page)
    data = load_sources(ROOT / SOURCES_FILE)
    (source,) = page_sources(front_matter(DOCS / page), data)
    notice = re.search(r'<div class="admonition warning">.*?</div>', page_html, re.S)
    assert notice, page
    text = notice.group(0)
    assert "Reglerne kan være ændret" in text
    assert f"Reglerne er gengivet, som kilden beskrev dem omkring {source.year}." in text
    assert "De kan være ændret siden – tjek de gældende regler hos" in text
    assert set(re.findall(r'href="(https://[^"]+)"', text)) == RULES_PAGES[page]
    # Before the page's own text begins: above it stand only the heading and the source line.
    article = article_html(page_html)
    above = article[: article.index(text)]
    heading = re.search(r"<h1.*?</h1>", above, re.S)
    source_box = re.search(r'<div class="bc-source">.*?</div>', above, re.S)
    assert heading and source_box
    rest = above.replace(heading.group(0), "").replace(source_box.group(0), "")
    assert text_of(rest).strip() == "", (page, text_of(rest))


def test_the_sources_page_lists_every_source_and_the_pages_built_on_it(any_site: Path) -> None:
    data = load_sources(ROOT / SOURCES_FILE)
    page_html = _html(any_site, "kilder.md")
    used = pages_by_source(DOCS)
    for source in data.sources.values():
        assert f'id="{source.id}"' in page_html, source.id
        start = page_html.index(f'id="{source.id}"')
        section = page_html[start : page_html.find("<h2", start + 1)]
        assert source.publisher in text_of(section) and source.dating in text_of(section)
        for _title, path in used.get(source.id, []):
            assert f'href="{path.replace(".md", ".html")}"' in section, (source.id, path)
    assert 'class="admonition kit"' in page_html  # what the kit's own words look like


def test_a_page_without_a_known_source_is_refused_in_danish() -> None:
    data = load_sources(ROOT / SOURCES_FILE)
    with pytest.raises(SourceError, match="Ukendt kilde »dfh«"):
        page_sources({"sources": ["dfh"]}, data)
    with pytest.raises(SourceError, match="ingen kilde"):
        source_line([], None, "../")
    with pytest.raises(SourceError, match="Ukendt myndighed"):
        data.authority("Jobnet")
    with pytest.raises(SourceError, match="gældende regler"):
        rules_notice(data.source("flygtningehjaelp"), [])


def test_the_sources_file_holds_no_unknown_keys() -> None:
    """A typo in sources.yml (``titel:``) fails loudly instead of vanishing from the page."""
    raw = yaml.safe_load((ROOT / SOURCES_FILE).read_text(encoding="utf-8"))
    assert set(raw) == {"sources", "authorities", "glossary_rules"}
    load_sources(ROOT / SOURCES_FILE)  # every entry has exactly the dataclass's fields
