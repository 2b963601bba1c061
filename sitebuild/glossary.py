"""The glossary: where each explanation comes from, and the table on the page *Ordliste*.

``includes/abbreviations.md`` is the one file editors edit: one line ``*[TERM]: explanation``
per term, appended to every page so each term gets its tooltip. Every explanation ends with
a short citation in plain words, which the tooltip shows as it stands:

- ``… (Kilde: <short>, omkring <year>)`` (or ``, udateret)``): the source's own wording,
  cited by the ``short`` name and year the source has in ``includes/sources.yml``;
- ``… (Kittets egen forklaring, november 2026 – se star.dk)``: the kit's own explanation,
  dated, and the front page of an authority (by its address in ``sources.yml``) to read on.

Terms that describe schemes and benefits as their source did are listed under
``glossary_rules`` in ``sources.yml``; the page marks them with the notice that the rules
may have changed, and where today's rules are. Pure: no builder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from facilitator.rule_changes import RuleChange, RuleChanges
from sitebuild.changes import NOTE_TITLE, RULES_PAGE, tooltip_line
from sitebuild.sources import (
    KIT_TITLE,
    SOURCES_PAGE,
    Authority,
    Source,
    SourceError,
    Sources,
    authority_links,
    rules_notice,
)

# Relative to the project folder, where the builders run (like sources.yml).
GLOSSARY_FILE = Path("includes") / "abbreviations.md"

_LINE = re.compile(r"^\*\[(?P<term>[^\]]+)\]:\s*(?P<text>.+?)\s*$")
_CITED = re.compile(r"^(?P<explanation>.+?) \((?P<citation>(?:Kilde: |Kittets ).+)\)$")
_SOURCE = re.compile(r"^Kilde: (?P<short>.+), (?P<when>omkring \d{4}|udateret)$")
_KIT = re.compile(r"^(?P<mark>Kittets [^()]+?) – se (?P<host>[\w.-]+)$")


class GlossaryError(SourceError):
    """A glossary line without a citation the site can read."""


@dataclass(frozen=True)
class Entry:
    term: str
    tooltip: str  # the whole explanation, as the tooltip shows it (citation included)
    explanation: str  # without the citation
    source: Source | None  # the source whose wording this is …
    kit_mark: str | None  # … or the kit's own: »Kittets egen forklaring, november 2026«
    see: Authority | None  # where to read on, for the kit's own explanation
    rules: tuple[Authority, ...]  # a scheme or benefit: who holds today's rules

    @property
    def citation(self) -> str:
        return self.tooltip[len(self.explanation) :].strip(" ()")


def _host(url: str) -> str:
    host = urlparse(url).hostname or ""
    return host.removeprefix("www.")


def _when(source: Source) -> str:
    return f"omkring {source.year}" if source.year else "udateret"


def parse_entry(term: str, text: str, data: Sources) -> Entry:
    cited = _CITED.match(text)
    if not cited:
        raise GlossaryError(
            f"Ordlisten: »{term}« mangler sin kilde. Slut forklaringen med »(Kilde: <kilde>, "
            "omkring <år>)« eller »(Kittets egen forklaring, <måned> <år> – se <adresse>)«"
        )
    explanation, citation = cited.group("explanation"), cited.group("citation")
    rules = tuple(data.glossary_rules.get(term, ()))
    source_match = _SOURCE.match(citation)
    if source_match:
        by_short = {s.short: s for s in data.sources.values()}
        source = by_short.get(source_match.group("short"))
        if source is None:
            known = "; ".join(by_short)
            raise GlossaryError(
                f"Ordlisten: »{term}« nævner en ukendt kilde »{source_match.group('short')}« "
                f"– kendte kilder: {known}"
            )
        if source_match.group("when") != _when(source):
            raise GlossaryError(
                f"Ordlisten: »{term}«: kilden »{source.short}« er fra {_when(source)}, "
                f"ikke {source_match.group('when')}"
            )
        return Entry(term, text, explanation, source, None, None, rules)
    kit = _KIT.match(citation)
    if not kit or not KIT_TITLE.match(kit.group("mark")):
        raise GlossaryError(
            f"Ordlisten: »{term}«: »({citation})« er hverken en kilde eller kittets egen "
            "forklaring med dato og adresse, fx »(Kittets egen forklaring, november 2026 – "
            "se star.dk)«"
        )
    by_host = {_host(a.url): a for a in data.authorities.values()}
    see = by_host.get(kit.group("host"))
    if see is None:
        known = ", ".join(by_host)
        raise GlossaryError(
            f"Ordlisten: »{term}« henviser til »{kit.group('host')}«, som ikke er en myndighed "
            f"i includes/sources.yml – kendte adresser: {known}"
        )
    if rules:
        raise GlossaryError(
            f"Ordlisten: »{term}« står under glossary_rules, men har ingen kilde: "
            "regler gengives, som kilden beskrev dem"
        )
    return Entry(term, text, explanation, None, kit.group("mark"), see, rules)


def parse_glossary(text: str, data: Sources) -> list[Entry]:
    """Every entry of an abbreviations file, sorted by term; fails on a line it cannot read
    and on a rules term (sources.yml) that the file does not hold."""
    entries = []
    for line in text.splitlines():
        if not line.strip():
            continue
        m = _LINE.match(line.strip())
        if not m:
            raise GlossaryError(f"Ordlisten: kan ikke læse linjen »{line}«")
        entries.append(parse_entry(m.group("term"), m.group("text"), data))
    missing = set(data.glossary_rules) - {e.term for e in entries}
    if missing:
        raise GlossaryError(f"glossary_rules nævner ord, ordlisten ikke har: {sorted(missing)}")
    return sorted(entries, key=lambda e: e.term.casefold())


def load_glossary(data: Sources, path: Path = GLOSSARY_FILE) -> list[Entry]:
    return parse_glossary(path.read_text(encoding="utf-8"), data)


def entry_changes(entry: Entry, changes: RuleChanges | None) -> list[RuleChange]:
    """The rule changes an entry's term or explanation states as the source had it."""
    if changes is None:
        return []
    return changes.mentioned_in([entry.term, entry.explanation])


def full_tooltip(entry: Entry, changes: RuleChanges | None) -> str:
    """The tooltip as the site shows it: the explanation with its citation, then, for a rule
    that has changed since the source, what it is today and since when."""
    return " ".join([entry.tooltip, *(tooltip_line(c) for c in entry_changes(entry, changes))])


def abbreviation_lines(entries: list[Entry], changes: RuleChanges | None) -> str:
    """The glossary as abbreviation definitions (``*[TERM]: tooltip``), appended to every
    page so each term gets its tooltip."""
    return "\n".join(f"*[{e.term}]: {full_tooltip(e, changes)}" for e in entries)


def _site_links(authorities: tuple[Authority, ...]) -> str:
    """»[star.dk](https://star.dk/) og [uim.dk](https://uim.dk/)«: short, for a table cell."""
    return authority_links([Authority(a.id, _host(a.url), a.url) for a in authorities])


def _source_cell(entry: Entry, prefix: str, changes: RuleChanges | None) -> str:
    if entry.source is None:
        assert entry.see is not None
        return f"*{entry.kit_mark}* – se {_site_links((entry.see,))}"
    source = entry.source
    cell = f"[{source.short}]({prefix}{SOURCES_PAGE}#{source.id}), {_when(source)}"
    changed = entry_changes(entry, changes)
    for change in changed:
        cell += (
            f'<br><span class="bc-change" data-change="{change.id}">'
            f"**{NOTE_TITLE}** ({change.when}): {change.short} "
            f"[Regler i dag]({prefix}{RULES_PAGE}#{change.id})</span>"
        )
    if entry.rules:
        cell += f"<br>**Regler:** kan være ændret – tjek {_site_links(entry.rules)}"
    return cell


def glossary_markdown(entries: list[Entry], prefix: str, changes: RuleChanges | None = None) -> str:
    """The page *Ordliste*: the rules notice for each source that rules entries cite, then the
    table of terms, explanations and their sources. Terms with the same explanation (two
    wordings of one thing, each needing its own tooltip) share a row."""
    out = []
    rule_sources: dict[str, tuple[Source, list[Authority], list[str]]] = {}
    for e in entries:
        if e.rules and e.source is not None:
            _, authorities, terms = rule_sources.setdefault(e.source.id, (e.source, [], []))
            authorities += [a for a in e.rules if a not in authorities]
            terms.append(e.term)
    for source, authorities, terms in rule_sources.values():
        listed = ", ".join(terms)
        lead = f"Forklaringerne mærket **Regler** beskriver ordninger og ydelser ({listed})."
        out.append(rules_notice(source, authorities, lead))
    rows: dict[str, list[Entry]] = {}
    for e in entries:
        rows.setdefault(e.tooltip, []).append(e)
    out += ["| Begreb | Forklaring | Kilde |", "|---|---|---|"]
    for same in rows.values():
        names = " / ".join(f"**{e.term}**" for e in same)
        first = same[0]
        out.append(f"| {names} | {first.explanation} | {_source_cell(first, prefix, changes)} |")
    return "\n".join(out)
