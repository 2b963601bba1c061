"""Nothing invented passes as source text: every sentence of the knowledge and checklist pages
and the home page is its source's sentence, or sits in a marked editorial block.

Each page's rendered content area (``<article>``, MkDocs build) is split into pieces: every
heading, paragraph, list item, table cell and admonition title, and each of those into
sentences. A piece passes when its ``norm()`` (letters and digits only) is part of the ``norm``
of one of the seeds the page cites in its front matter (``sources``, mapped to seed files by
``includes/sources.yml``). So extraction damage may be repaired (hyphenation, line breaks,
punctuation), but no word may be changed, added or left out within a sentence.

Left out, because no content editor types them and they are not source text:

- generated parts, recognised by their markup: the source line (``div.bc-source``), the notes
  »Ændret siden kilden« (the admonition ``bc-change``, from ``includes/rule_changes.yml``, whose
  old rules tests/test_rule_changes.py holds to the sources and whose rules today to primary
  sources) and the home page's way to the page »Regler i dag« (``div.bc-rules-today``), the rules
  notice (the warning admonition titled »Reglerne kan være ændret«), the list of cases that
  use a checklist (``div.bc-checklist-cases``), the case overview table
  (``div.bc-case-overview``) and the home page's section cards
  (``nav[aria-label="Sitets afsnit"]``); the heading anchors (``a.headerlink``);
- the kit's own words: an admonition (or collapsible block) of the type ``kit``, whose title
  must say so and give its date (``sitebuild.sources.KIT_TITLE``);
- navigation, which names pages rather than saying anything: the H1 when it is the page's
  title from its front matter (the name the site navigation gives the page), and a list item
  that is nothing but a link to a page of the site whose text is that page's title (the index
  pages' lists of sub-pages: the same names the site navigation shows). A list item with a
  description after its link is prose, and is held to the sources like any other sentence;
- a heading that labels a kit block or a generated part: its section opens with a kit block
  (the reader sees at once that the kit frames what follows), or holds nothing but generated
  parts and kit blocks (»De ti cases« above the overview table). Every other heading must be
  the source's own words.

Short pieces (under 30 letters and digits) must match whole words, so that a heading such as
»Sider« does not pass because the seed says »siderne«.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from macros.main import front_matter
from sitebuild.sources import KIT_TITLE, load_sources
from tests.conftest import ROOT
from tests.seeds import SEEDS, norm, seed_norm, seed_words

DOCS = ROOT / "docs"
PAGES = sorted(
    [DOCS / "index.md", *(DOCS / "viden").glob("*.md"), *(DOCS / "checklists").glob("*.md")]
)

RULES_TITLE = "Reglerne kan være ændret"
GENERATED_CLASSES = {
    "bc-source",
    "bc-checklist-cases",
    "bc-case-overview",
    "headerlink",
    "bc-change",  # »Ændret siden kilden«: includes/rule_changes.yml, held to primary sources
    "bc-rules-today",  # the home page's way to the page »Regler i dag«
}
GENERATED_NAV_LABEL = "Sitets afsnit"

# The elements whose text is one piece; their nested blocks are pieces of their own.
BLOCKS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "dt", "dd", "summary"}
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
SKIPPED = {"script", "style", "svg", "template"}

# A sentence ends at . ! ? or … before a capital letter (or a quote/bracket and one).
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"”»«'(\[]?[A-ZÆØÅ])")


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        """The element's text, without heading anchors."""
        return "".join(
            c if isinstance(c, str) else "" if "headerlink" in c.classes else c.text()
            for c in self.children
        )


class Tree(HTMLParser):
    """The page's content area (``<article class="md-content__inner">``) as a small tree."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: Node | None = None
        self.stack: list[Node] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if not self.stack:
            if (
                tag == "article"
                and self.root is None
                and "md-content__inner" in attributes.get("class", "")
            ):
                self.root = Node(tag, attributes)
                self.stack.append(self.root)
            return
        node = Node(tag, attributes)
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.stack:
            self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self.stack:
            return
        # Close up to the matching element (tolerates elements the HTML leaves open).
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.stack[-1].children.append(data)


def article(html: str) -> Node:
    tree = Tree()
    tree.feed(html)
    assert tree.root is not None, "ingen <article class=md-content__inner> på siden"
    return tree.root


def _title_of(node: Node) -> str:
    for child in node.children:
        if isinstance(child, Node) and (
            "admonition-title" in child.classes or child.tag == "summary"
        ):
            return " ".join(child.text().split())
    return ""


def _is_admonition(node: Node) -> bool:
    return "admonition" in node.classes or node.tag == "details"


@dataclass
class Page:
    path: Path  # the Markdown file under docs/
    meta: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.relative_to(DOCS).as_posix()

    @property
    def html(self) -> str:
        return self.path.relative_to(DOCS).with_suffix(".html").as_posix()


def page_title(href: str, page: Page) -> str | None:
    """The front-matter title of the site page a relative link leads to (None: not a page)."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", href) or href.startswith(("#", "/")):
        return None
    target = (page.path.parent / href.split("#", 1)[0]).resolve().with_suffix(".md")
    if not target.is_file():
        return None
    return front_matter(target).get("title")


def _is_navigation_item(node: Node, page: Page) -> bool:
    """A list item that is only a link to a site page, named by that page's title."""
    content = [c for c in node.children if not (isinstance(c, str) and not c.strip())]
    if len(content) != 1 or not isinstance(content[0], Node) or content[0].tag != "a":
        return False
    title = page_title(content[0].attrs.get("href", ""), page)
    return title is not None and " ".join(content[0].text().split()) == title


@dataclass
class Content:
    pieces: list[str] = field(default_factory=list)
    kit_titles: list[str] = field(default_factory=list)


def _is_generated(node: Node) -> bool:
    return bool(node.classes & GENERATED_CLASSES) or (
        node.tag == "nav" and node.attrs.get("aria-label") == GENERATED_NAV_LABEL
    )


def _is_kit(node: Node) -> bool:
    return _is_admonition(node) and "kit" in node.classes


def _labels_kit_or_generated(heading: Node, siblings: list[Node]) -> bool:
    """A heading whose section opens with a kit block, or holds only generated parts (and
    kit blocks), is the label of that block, not source text."""
    level = int(heading.tag[1])
    section = []
    for sibling in siblings:
        if re.fullmatch(r"h[1-6]", sibling.tag) and int(sibling.tag[1]) <= level:
            break
        section.append(sibling)
    if not section:
        return False
    return _is_kit(section[0]) or all(_is_generated(n) or _is_kit(n) for n in section)


def split(node: Node, page: Page, out: Content) -> None:
    """The pieces of the content area, leaving out the generated parts, kit blocks and
    navigation (see the module docstring)."""

    def walk_children(node: Node, buffer: list[str]) -> None:
        elements = [c for c in node.children if isinstance(c, Node)]
        for child in node.children:
            if isinstance(child, str):
                buffer.append(child)
                continue
            if re.fullmatch(r"h[2-6]", child.tag):
                following = elements[elements.index(child) + 1 :]
                if _labels_kit_or_generated(child, following):
                    continue
            walk(child, buffer)

    def walk(node: Node, buffer: list[str]) -> None:
        if node.tag in SKIPPED or _is_generated(node):
            return
        if _is_admonition(node):
            title = _title_of(node)
            if "kit" in node.classes:
                out.kit_titles.append(title)
                return
            if "warning" in node.classes and title == RULES_TITLE:
                return
        if node.tag == "h1" and " ".join(node.text().split()) == page.meta.get("title"):
            return
        if node.tag == "li" and _is_navigation_item(node, page):
            return
        if node.tag in BLOCKS or "admonition-title" in node.classes:
            own: list[str] = []
            walk_children(node, own)
            emit("".join(own))
            return
        walk_children(node, buffer)

    def emit(text: str) -> None:
        text = " ".join(text.split())
        out.pieces.extend(s for s in SENTENCE_END.split(text) if norm(s))

    loose: list[str] = []
    walk(node, loose)
    emit("".join(loose))


@dataclass
class Seeds:
    norms: list[str]
    words: list[str]

    def hold(self, piece: str) -> bool:
        """The piece is in one of the seeds; a short one as whole words (»Sider« is not in
        »siderne«), a longer one letters and digits only (line breaks and hyphens)."""
        key = norm(piece)
        if len(key) < SHORT:
            words = " " + " ".join(re.findall(r"[^\W_]+", piece.lower())) + " "
            return any(words in seed for seed in self.words)
        return any(key in seed for seed in self.norms)


# Pieces shorter than this (letters and digits) must match on word boundaries.
SHORT = 30


def page_seeds(page: Page) -> Seeds:
    data = load_sources(ROOT / "includes" / "sources.yml")
    paths = [SEEDS / data.source(i).seed for i in page.meta.get("sources") or []]
    return Seeds([seed_norm(p) for p in paths], [seed_words(p) for p in paths])


def content(site: Path, page: Page) -> Content:
    out = Content()
    split(article((site / page.html).read_text(encoding="utf-8")), page, out)
    return out


@pytest.fixture(scope="module")
def pages() -> list[Page]:
    return [Page(p, front_matter(p)) for p in PAGES]


def test_the_pages_are_found(pages: list[Page]) -> None:
    names = {p.name for p in pages}
    assert {"index.md", "viden/index.md", "checklists/index.md"} <= names
    assert len(names) >= 13


def test_every_page_cites_its_sources(pages: list[Page]) -> None:
    assert [p.name for p in pages if not p.meta.get("sources")] == []


def test_every_sentence_is_the_sources_or_the_kits_own(built_site: Path, pages: list[Page]) -> None:
    failures = []
    for page in pages:
        seeds = page_seeds(page)
        for piece in content(built_site, page).pieces:
            if not seeds.hold(piece):
                failures.append(f"{page.name}: {piece}")
    assert failures == [], (
        f"{len(failures)} sætninger står hverken i sidens kilde eller i en »kit«-boks:\n"
        + "\n".join(failures)
    )


def test_kit_blocks_say_whose_words_they_are(built_site: Path, pages: list[Page]) -> None:
    titles = [(p.name, t) for p in pages for t in content(built_site, p).kit_titles]
    assert titles, "ingen »kit«-bokse fundet"
    assert [(name, t) for name, t in titles if not KIT_TITLE.match(t)] == []


def test_generated_parts_and_kit_blocks_are_left_out() -> None:
    """The splitter itself: what it leaves out and what it keeps."""
    html = """<article class="md-content__inner md-typeset">
    <h1 id="x">Ordninger<a class="headerlink" href="#x">¶</a></h1>
    <div class="bc-source"><p><strong>Kilde:</strong> Noget.</p></div>
    <div class="admonition warning"><p class="admonition-title">Reglerne kan være ændret</p>
    <p>Tjek reglerne.</p></div>
    <div class="admonition warning"><p class="admonition-title">Husk</p><p>Ring. Skriv!</p></div>
    <div class="admonition kit"><p class="admonition-title">Kittets egen tekst, 2026</p>
    <p>Opdigtet.</p></div>
    <ul><li><a href="faq.md">Ofte stillede spørgsmål</a></li>
    <li><a href="faq.md">Ofte stillede spørgsmål</a> – korte svar.</li>
    <li>Et punkt<ul><li>Et underpunkt</li></ul></li></ul>
    <table><tr><th>Nr.</th><td>Første celle</td></tr></table>
    <div class="bc-checklist-cases"><h2>Cases der bruger tjeklisten</h2></div>
    <h2>Workshop</h2><div class="admonition kit"><p class="admonition-title">Kittets eget
    forslag, 2026</p><p>Opdigtet.</p></div><p>Kildens tekst.</p>
    <h2>De ti cases</h2><div class="bc-case-overview"><table><tr><td>1</td></tr></table></div>
    <h2>Sider</h2><p>Mere.</p>
    </article>"""
    page = Page(DOCS / "viden" / "ordninger.md", {"title": "Ordninger"})
    out = Content()
    split(article(html), page, out)
    assert out.kit_titles == ["Kittets egen tekst, 2026", "Kittets eget forslag, 2026"]
    assert out.pieces == [
        "Husk",
        "Ring.",
        "Skriv!",
        "Ofte stillede spørgsmål – korte svar.",
        "Et underpunkt",
        "Et punkt",
        "Nr.",
        "Første celle",
        "Kildens tekst.",
        "Sider",
        "Mere.",
    ]


def test_short_pieces_match_whole_words() -> None:
    seeds = Seeds([norm("Se siderne om praktik.")], [" se siderne om praktik "])
    assert seeds.hold("Siderne")
    assert not seeds.hold("Sider")
    assert seeds.hold("Se siderne om praktik.")
