"""Where the site's knowledge comes from and how old it is, in the reader's words.

Reads ``includes/sources.yml`` (the source documents and the authorities that hold today's
rules) and renders, as Markdown: the source line at the top of a knowledge or checklist page,
the notice on pages that describe rules, and the list on the page *Kilder*. Pure: no builder.

The kit's own words sit in a marked editorial block, an admonition of the type ``kit`` whose
title says it is the kit's own and gives its date (:data:`KIT_TITLE`), e.g.
``!!! kit "Kittets eget forslag, november 2026"``. The content tests hold every other
sentence of these pages to the source documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

# Relative to the project folder, where the builders run; outside docs/, so not published.
SOURCES_FILE = Path("includes") / "sources.yml"
SOURCES_PAGE = "kilder.md"

# The title of an editorial block: the kit's own words, dated (a year, at least).
KIT_TITLE = re.compile(r"^Kittets (egen|eget|egne) [^\n]*\b20\d\d\b")


class SourceError(ValueError):
    """A page or glossary entry names a source or authority that sources.yml does not hold."""


@dataclass(frozen=True)
class Source:
    id: str
    seed: str
    title: str
    publisher: str
    short: str
    year: int | None
    dating: str

    @property
    def when(self) -> str:
        """»omkring 2016«, or »på et ukendt tidspunkt« for a source that names no year."""
        return f"omkring {self.year}" if self.year else "på et ukendt tidspunkt"


@dataclass(frozen=True)
class Authority:
    id: str
    name: str
    url: str


@dataclass(frozen=True)
class Sources:
    sources: dict[str, Source]
    authorities: dict[str, Authority]
    # Glossary term → the authorities that hold today's rules for the scheme or benefit it
    # describes (``glossary_rules`` in sources.yml).
    glossary_rules: dict[str, list[Authority]] = field(default_factory=dict)

    def source(self, source_id: str) -> Source:
        try:
            return self.sources[source_id]
        except KeyError:
            known = ", ".join(self.sources)
            raise SourceError(f"Ukendt kilde »{source_id}« – kendte kilder: {known}") from None

    def authority(self, authority_id: str) -> Authority:
        try:
            return self.authorities[authority_id]
        except KeyError:
            known = ", ".join(self.authorities)
            raise SourceError(
                f"Ukendt myndighed »{authority_id}« – kendte myndigheder: {known}"
            ) from None


def _parse(data: dict[str, Any]) -> Sources:
    sources = {key: Source(id=key, **value) for key, value in data["sources"].items()}
    authorities = {key: Authority(id=key, **value) for key, value in data["authorities"].items()}
    parsed = Sources(sources, authorities)
    for term, ids in (data.get("glossary_rules") or {}).items():
        parsed.glossary_rules[term] = [parsed.authority(i) for i in _ids(ids)]
    return parsed


@cache
def _load(path: Path) -> Sources:
    return _parse(yaml.safe_load(path.read_text(encoding="utf-8")))


def load_sources(path: Path = SOURCES_FILE) -> Sources:
    return _load(path.resolve())


def _ids(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise SourceError(f"»sources« skal være en kilde eller en liste af kilder, ikke {value!r}")


def page_sources(meta: dict[str, Any], data: Sources) -> list[Source]:
    """The sources a page names in its front matter (``sources: [id, …]``)."""
    return [data.source(i) for i in _ids(meta.get("sources"))]


def _cite(source: Source, part: str | None, prefix: str) -> str:
    part_text = f", {part}" if part else ""
    return (
        f"{source.publisher}: *{source.title}*{part_text}. {source.dating} "
        f"[Om kilden]({prefix}{SOURCES_PAGE}#{source.id})"
    )


def source_line(sources: list[Source], part: str | None, prefix: str) -> str:
    """The line at the top of a page: each source by publisher, title and age, linked to the
    page *Kilder*. ``part`` names the section of a single source the page renders."""
    if not sources:
        raise SourceError("Siden nævner ingen kilde: tilføj »sources« i sidens front matter")
    if len(sources) == 1:
        body = f"**Kilde:** {_cite(sources[0], part, prefix)}"
    else:
        body = "**Kilder:**\n\n" + "\n".join(f"- {_cite(s, None, prefix)}" for s in sources)
    return f'<div class="bc-source" markdown>\n\n{body}\n\n</div>'


def authority_links(authorities: list[Authority]) -> str:
    """»[STAR](…)«, »[STAR](…) og [UIM](…)«, »[A](…), [B](…) og [C](…)«."""
    if not authorities:
        raise SourceError("Skriv, hvor de gældende regler står (fx STAR)")
    links = [f"[{a.name}]({a.url})" for a in authorities]
    return links[0] if len(links) == 1 else ", ".join(links[:-1]) + " og " + links[-1]


def rules_notice(source: Source, authorities: list[Authority], lead: str = "") -> str:
    """The notice on a page that describes schemes, duties, deadlines or benefits: they are
    the source's rules of its time, and who holds today's. ``lead`` says what the notice is
    about where it covers part of a page only (a sentence, before the notice)."""
    where = authority_links(authorities)
    lead = f"{lead} " if lead else ""
    return (
        f'!!! warning "Reglerne kan være ændret"\n\n'
        f"    {lead}Reglerne er gengivet, som kilden beskrev dem {source.when}. "
        f"De kan være ændret siden – tjek de gældende regler hos {where}.\n"
    )


def sources_list(data: Sources, used_by: dict[str, list[tuple[str, str]]]) -> str:
    """The page *Kilder*: every source with its publisher, age and the pages built on it.
    ``used_by`` maps a source id to (page title, link) pairs."""
    out = []
    for source in data.sources.values():
        out.append(f"## {source.short} {{ #{source.id} }}\n")
        out.append(f"- **Titel:** *{source.title}*")
        out.append(f"- **Udgiver:** {source.publisher}")
        out.append(f"- **Alder:** {source.dating}")
        pages = used_by.get(source.id, [])
        if pages:
            links = ", ".join(f"[{title}]({link})" for title, link in pages)
            out.append(f"- **Bruges på:** {links}")
        out.append("")
    return "\n".join(out)
