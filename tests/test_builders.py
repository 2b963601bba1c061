"""MkDocs and Zensical build the same site from the same sources: page by page, the same pages,
the same headings and the same links in the content area.

What each engine makes on its own is left out on purpose, and listed here:
- the search index: Material writes search/search_index.json (+ .js for file://), Zensical
  search.json (+ search.js);
- tags.json (Material's tags plugin export) and sitemap.xml.gz (MkDocs' compressed sitemap);
- the theme's own assets (assets/javascripts/bundle.*.js, assets/stylesheets/…, workers, lunr):
  each engine ships its own build of the theme;
- everything outside the content area (<article class="md-content__inner">): header, navigation,
  table of contents, footer and search are theme chrome that the two engines render themselves.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Files only one engine writes (see the module docstring).
ENGINE_FILES = {
    "mkdocs": {"search/search_index.json", "search/search_index.js", "tags.json", "sitemap.xml.gz"},
    "zensical": {"search.json", "search.js"},
}


class ContentArea(HTMLParser):
    """The h1–h3 headings and the link targets inside the page's content area, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # open <article> elements, counted from the content area
        self.headings: list[str] = []
        self.links: list[str] = []
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "article" and (
            self.depth or "md-content__inner" in (attributes.get("class") or "")
        ):
            self.depth += 1
        if not self.depth:
            return
        if tag in ("h1", "h2", "h3"):
            self._heading = [f"{tag}: "]
        elif tag == "a" and attributes.get("href") is not None:
            self.links.append(str(attributes["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "article" and self.depth:
            self.depth -= 1
        elif tag in ("h1", "h2", "h3") and self._heading is not None:
            self.headings.append(re.sub(r"\s+", " ", "".join(self._heading)).strip())
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)


def normalise(href: str, page: str) -> str:
    """A link as the address it leads to: relative links resolved from the page's folder
    (Zensical writes "./cases/case-01.html" where MkDocs writes "cases/case-01.html")."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", href) or href.startswith(("#", "/")):
        return href
    path, hash_, fragment = href.partition("#")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else ""
    return resolved + hash_ + fragment


def content_area(site: Path, page: str) -> tuple[list[str], list[str]]:
    parser = ContentArea()
    parser.feed((site / page).read_text(encoding="utf-8"))
    return parser.headings, [normalise(href, page) for href in parser.links]


def html_pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html") if "assets" not in p.parts}


def _diff(name: str, mkdocs: list[str], zensical: list[str]) -> str:
    lines = difflib.unified_diff(mkdocs, zensical, "mkdocs", "zensical", lineterm="", n=1)
    return f"{name}:\n  " + "\n  ".join(lines)


@pytest.fixture(scope="module")
def builds(built_site: Path, zensical_site: Path) -> dict[str, Path]:
    return {"mkdocs": built_site, "zensical": zensical_site}


def test_both_builds_have_the_same_pages(builds: dict[str, Path]) -> None:
    mkdocs, zensical = (html_pages(site) for site in builds.values())
    assert len(mkdocs) >= 25
    assert sorted(mkdocs) == sorted(zensical), _diff("sider", sorted(mkdocs), sorted(zensical))


def test_both_builds_carry_every_file_of_the_sources(builds: dict[str, Path]) -> None:
    """Everything docs/ holds besides Markdown (our CSS, JavaScript, vendored shim) is in both
    builds; beyond that, only the engine's own files differ."""
    sources = {
        p.relative_to(ROOT / "docs").as_posix()
        for p in (ROOT / "docs").rglob("*")
        if p.is_file() and p.suffix != ".md"
    }
    for name, site in builds.items():
        files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
        assert sources <= files, f"{name} mangler {sorted(sources - files)}"
        assert ENGINE_FILES[name] <= files, f"{name}: {sorted(ENGINE_FILES[name] - files)}"
    mkdocs, zensical = (
        {
            p.relative_to(site).as_posix()
            for p in site.rglob("*")
            if p.is_file() and "assets" not in p.relative_to(site).parts
        }
        - ENGINE_FILES[name]
        for name, site in builds.items()
    )
    assert mkdocs == zensical, _diff("filer", sorted(mkdocs), sorted(zensical))


def test_every_page_has_the_same_headings_and_links(builds: dict[str, Path]) -> None:
    differences = []
    pages = sorted(html_pages(builds["mkdocs"]) & html_pages(builds["zensical"]))
    for page in pages:
        (m_headings, m_links), (z_headings, z_links) = (
            content_area(site, page) for site in builds.values()
        )
        assert m_headings or page == "404.html", f"{page}: ingen overskrifter fundet"
        if m_headings != z_headings:
            differences.append(_diff(f"{page}, overskrifter", m_headings, z_headings))
        if m_links != z_links:
            differences.append(_diff(f"{page}, links", m_links, z_links))
    assert differences == [], "\n".join(differences)


def test_the_comparison_sees_a_difference() -> None:
    """The comparison is live: a changed heading or link shows in the content area."""
    page = (
        '<nav><a href="x.html">Menu</a></nav>'
        '<article class="md-content__inner md-typeset"><h1 id="a">Case 1: <abbr>IGU</abbr></h1>'
        '<p><a href="./cases/case-02.html#l%C3%A6s-mere">Case 2</a></p><h4>ude</h4></article>'
        '<footer><a href="y.html">Næste</a></footer>'
    )
    parser = ContentArea()
    parser.feed(page)
    assert parser.headings == ["h1: Case 1: IGU"]
    assert [normalise(h, "viden/index.html") for h in parser.links] == [
        "viden/cases/case-02.html#l%C3%A6s-mere"
    ]
    assert normalise("../index.html", "cases/case-01.html") == "index.html"
    assert normalise("https://star.dk/", "index.html") == "https://star.dk/"
