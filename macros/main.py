"""mkdocs-macros module: renders data that already exists (case files, glossary).

Every function returns Markdown. Nothing here holds content of its own.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from facilitator.cases import CASES_DIR, CHECKLISTS, Case, Resource, load_cases
from facilitator.exercise import STEPS
from facilitator.rule_changes import danish_date
from sitebuild.cards import back_side, facts_line, front_side, resource_item
from sitebuild.changes import RULES_PAGE, change_notes, checked_changes, rules_page
from sitebuild.glossary import full_tooltip, glossary_markdown, load_glossary
from sitebuild.links import check_note, load_report, status_line
from sitebuild.sources import (
    load_sources,
    page_sources,
    rules_notice,
    source_line,
    sources_list,
)

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY_FILE = ROOT / "includes" / "abbreviations.md"

# Publisher of each host that the cases cite, by the host's own name.
PUBLISHERS = {
    "cabiweb.dk": "CABI – Center for Aktiv BeskæftigelsesIndsats",
    "star.dk": "STAR – Styrelsen for Arbejdsmarked og Rekruttering",
    "info.jobnet.dk": "Jobnet",
    "ufm.dk": "Uddannelses- og Forskningsministeriet",
    "integrationsviden.dk": "Integrationsviden",
    "uim.dk": "Udlændinge- og Integrationsministeriet",
    "sammenomintegration.dk": "Sammen om integration",
    "vaeksthusets-forskningscenter.dk": "Væksthusets Forskningscenter",
}


def _case_link(case: Case, prefix: str) -> str:
    return f"[{case.heading}]({prefix}cases/{case.slug}.md)"


def _src_path(page: Any) -> str:
    """The page's path below docs/ (MkDocs has page.file, Zensical page.path)."""
    file = getattr(page, "file", None)
    return str(file.src_uri if file is not None else page.path)


def _prefix(page: Any) -> str:
    return "../" * _src_path(page).count("/")


def front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return {}
    end = text.index("\n---", 4)
    data = yaml.safe_load(text[4:end]) or {}
    return data if isinstance(data, dict) else {}


def pages_by_source(docs: Path = ROOT / "docs") -> dict[str, list[tuple[str, str]]]:
    """Source id → (title, path below docs/) of every page whose front matter names it."""
    used: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for path in sorted(docs.rglob("*.md")):
        meta = front_matter(path)
        ids = meta.get("sources") or []
        for source_id in [ids] if isinstance(ids, str) else ids:
            used[source_id].append(
                (str(meta.get("title", path.stem)), path.relative_to(docs).as_posix())
            )
    return used


def glossary_entries(path: Path = GLOSSARY_FILE) -> list[tuple[str, str]]:
    """(term, explanation as its tooltip shows it, citation included), sorted by term."""
    changes = checked_changes()
    return [(e.term, full_tooltip(e, changes)) for e in load_glossary(load_sources(), path)]


# --- The print deck (docs/cases/alle-kort.md): every card, each side on its own page. ---


def _deck_anchor(case: Case) -> str:
    return f"kort-{case.number}"


def deck_markdown(cases: list[Case]) -> str:
    """All cards for printing, front then back of each (Markdown with HTML blocks).

    The sides come from the same functions as the case pages (``sitebuild.cards``), so the
    deck says exactly what the cards say. Each side is a block that prints on a page of its
    own (see the print deck in borgercases.css); both name the case. Headings sit one level
    below the card's own heading and carry the card's prefix, so ten cards on one page keep
    the heading order and unique ids.
    """
    out = []
    for case in cases:
        anchor = _deck_anchor(case)
        title = html.escape(case.heading)
        out += [
            f'<article class="deck-card" aria-labelledby="{anchor}" markdown>',
            '<div class="deck-side deck-side--front" markdown>',
            f"## {case.heading} {{ #{anchor} }}",
            facts_line(case),
            front_side(case, turn_link=False, level=3, id_prefix=f"{anchor}-"),
            "</div>",
            '<div class="deck-side deck-side--back" markdown>',
            f'<p class="deck-side__case">{title}</p>',
            back_side(case, turn_link=False, level=3, id_prefix=f"{anchor}-"),
            "</div>",
            "</article>",
        ]
    return "\n\n".join(out)


def deck_index_markdown(cases: list[Case]) -> str:
    """The list of cards at the top of the deck page, each a link to its card (Markdown)."""
    return "\n".join(f"1. [{c.heading}](#{_deck_anchor(c)})" for c in cases)


# --- Search: a search for a case's words finds the case first. ---

# Material's lunr search multiplies a page's score by its boost. Zensical has no boost; there
# the theme headings on the case page (sitebuild.cards.themes_block) do the work.
CASE_SEARCH_BOOST = 10


def on_pre_page_macros(env: Any) -> None:
    """mkdocs-macros hook, before each page: case pages get a search boost.

    Set here rather than in every case file, which content editors write (and Zensical,
    which ignores the key, runs no such hook).
    """
    if re.fullmatch(r"cases/case-\d+\.md", _src_path(env.page)):
        search = env.page.meta.get("search") or {}
        search.setdefault("boost", CASE_SEARCH_BOOST)
        env.page.meta["search"] = search


def _not_searched(markdown: str, css_class: str | None = None) -> str:
    """Keeps a block out of both builders' search index: an overview that only repeats what
    the cases say would otherwise rank above the cases themselves. ``css_class`` names the
    generated block (the content tests leave generated blocks out by it)."""
    attributes = f'class="{css_class}" ' if css_class else ""
    return f"<div {attributes}data-search-exclude markdown>\n\n{markdown}\n\n</div>"


def define_env(env: Any) -> None:
    def cases() -> list[Case]:
        return load_cases(CASES_DIR)

    @env.macro
    def exercise_steps() -> str:
        return "\n".join(f"{i}. {s.text}" for i, s in enumerate(STEPS, 1))

    @env.macro
    def case_overview() -> str:
        prefix = _prefix(env.page)
        rows = [
            "| Nr. | Case | Borger | Temaer | Læsetid |",
            "|---:|---|---|---|---:|",
        ]
        for c in cases():
            link = f"[{c.title}]({prefix}cases/{c.slug}.md)"
            rows.append(
                f"| {c.number} | {link} | {c.person_line} | {', '.join(c.themes)} | "
                f"{c.reading_time} min. |"
            )
        return _not_searched("\n".join(rows), "bc-case-overview")

    @env.macro
    def resources_index() -> str:
        prefix = _prefix(env.page)
        by_publisher: dict[str, dict[str, tuple[Resource, list[Case]]]] = defaultdict(dict)
        for c in cases():
            for r in c.resources:
                publisher = PUBLISHERS.get(r.host)
                if publisher is None:
                    raise ValueError(f"Ukendt udgiver for {r.host}: tilføj den i macros/main.py")
                _, cited = by_publisher[publisher].setdefault(r.url, (r, []))
                if c not in cited:
                    cited.append(c)
        report = load_report()
        out = []
        for publisher in sorted(by_publisher, key=str.casefold):
            out.append(f"## {publisher}\n")
            for url, (resource, cited) in by_publisher[publisher].items():
                used = ", ".join(_case_link(c, prefix) for c in cited)
                status = status_line(url, report)
                lines = [resource_item(resource), *([status] if status else [])]
                lines.append(f"*Bruges i:* {used}")
                out.append("- " + "  \n  ".join(lines))
            out.append("")
        return "\n".join(out)

    @env.macro
    def link_check_note() -> str:
        urls = [r.url for c in cases() for r in c.resources]
        return check_note(load_report(), urls)

    @env.macro
    def resource_count() -> int:
        return len({r.url for c in cases() for r in c.resources})

    @env.macro
    def cases_for_checklist(slug: str | None = None) -> str:
        slug = slug or Path(_src_path(env.page)).stem
        if slug not in CHECKLISTS:
            raise ValueError(f"Ukendt tjekliste: {slug}")
        prefix = _prefix(env.page)
        using = [c for c in cases() if slug in c.checklists]
        if not using:
            return ""
        items = "\n".join(f"- {_case_link(c, prefix)}" for c in using)
        # Generated, not source text: the content tests leave it out by its class.
        return (
            f'<div class="bc-checklist-cases" markdown>\n\n'
            f"## Cases der bruger tjeklisten\n\n{items}\n\n</div>\n"
        )

    @env.macro
    def card_deck() -> str:
        return deck_markdown(cases())

    @env.macro
    def card_deck_index() -> str:
        return deck_index_markdown(cases())

    @env.macro
    def glossary() -> str:
        entries = load_glossary(load_sources(), GLOSSARY_FILE)
        table = glossary_markdown(entries, _prefix(env.page), checked_changes())
        # Out of the search index: the whole table matched every term, as one wall of text
        # above the cases. Each term is explained where it is used, by its <abbr> tooltip.
        return _not_searched(f'<div class="bc-glossary" markdown>\n\n{table}\n\n</div>')

    @env.macro
    def source_note(part: str | None = None) -> str:
        """The source line at the top of a knowledge or checklist page, from its front
        matter (``sources``); ``part`` names the section of the source the page renders."""
        data = load_sources()
        return source_line(page_sources(env.page.meta, data), part, _prefix(env.page))

    @env.macro
    def rules_note(*authority_ids: str) -> str:
        """The notice on a page that describes rules: as its (first) source described them,
        and where today's rules are."""
        data = load_sources()
        sources = page_sources(env.page.meta, data)
        if not sources:
            raise ValueError("rules_note() kræver »sources« i sidens front matter")
        authorities = [data.authority(a) for a in authority_ids]
        return rules_notice(sources[0], authorities)

    @env.macro
    def rule_changes(*change_ids: str, indent: int = 0) -> str:
        """The note »Ændret siden kilden« for each named change (includes/rule_changes.yml),
        placed right after the text that states the old rule; ``indent`` (spaces) for a note
        inside a list item or a collapsible block."""
        changes = checked_changes()
        if not change_ids:
            raise ValueError("rule_changes() kræver mindst én regelændring")
        return change_notes([changes.get(i) for i in change_ids], _prefix(env.page), indent)

    @env.macro
    def rules_today() -> str:
        return rules_page(checked_changes(), _prefix(env.page))

    @env.macro
    def rules_reviewed() -> str:
        """The day the newest entry of the page »Regler i dag« was checked (»7. december
        2026«)."""
        return danish_date(checked_changes().reviewed)

    @env.macro
    def rules_today_link() -> str:
        """The box on the home page's first screen that leads to the page »Regler i dag«."""
        changes = checked_changes()
        return (
            '<div class="bc-rules-today" markdown>\n\n'
            f"**Reglerne har ændret sig siden kilderne (2016–2018).** Integrationsydelsen, "
            f"integrationsprogrammet og flere regler, som casene og vidensiderne nævner, er "
            f"ændret eller afskaffet. [Se, hvad der gælder i dag]({_prefix(env.page)}"
            f"{RULES_PAGE}) (gennemgået {danish_date(changes.reviewed)}).\n\n</div>"
        )

    @env.macro
    def sources_overview() -> str:
        prefix = _prefix(env.page)
        used = {
            source_id: [(title, prefix + path) for title, path in pages]
            for source_id, pages in pages_by_source().items()
        }
        used.setdefault("borgercases", []).insert(0, ("De ti cases", f"{prefix}cases/index.md"))
        return sources_list(load_sources(), used)
