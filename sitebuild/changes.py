"""The rule changes on the site, as Markdown: the note »Ændret siden kilden« beside an old
rule, the glossary's tooltip line, and the page »Regler i dag«.

Reads the changes through ``facilitator.rule_changes`` (the same file the facilitator tool
reads). Pure: no builder. The notes are generated (admonitions ``bc-change``), never source
text, and stay out of the search index: a search for today's words finds the page
»Regler i dag«, whose entries say the most.
"""

from __future__ import annotations

import logging
import textwrap
from datetime import date

from facilitator.rule_changes import (
    RuleChange,
    RuleChanges,
    danish_date,
    load_rule_changes,
)
from sitebuild.sources import Sources, load_sources

RULES_PAGE = "regler-i-dag.md"
NOTE_TITLE = "Ændret siden kilden"

log = logging.getLogger("borgercases.rules")


def checked_changes(today: date | None = None) -> RuleChanges:
    """The change file, its old rules' sources checked against sources.yml; an entry whose
    review date has passed is reported, once per process (the build goes on; ``make test``
    fails on it)."""
    changes = load_rule_changes(source_ids=load_sources().sources)
    for change in changes.overdue(today or date.today()):
        if change in _warned:
            continue
        _warned.add(change)
        log.warning(
            "ADVARSEL: regelændringen »%s« skulle være tjekket igen senest %s – tjek de "
            "primære kilder, og ret »checked« og »review_by« i includes/rule_changes.yml",
            change.id,
            change.review_by.isoformat(),
        )
    return changes


# Overdue entries already reported: every page asks for the changes; one warning is enough.
_warned: set[RuleChange] = set()


def _first_source(change: RuleChange) -> str:
    """The entry's first primary source, for a note; the page »Regler i dag« lists them all."""
    first = change.primary[0]
    return f"[{first.title}]({first.url}) ({first.host}, tjekket {danish_date(first.checked)})"


def change_note(change: RuleChange, prefix: str) -> str:
    """The note beside an old rule (Markdown): what the rule is today, since when, the first
    primary source and the date it was checked, and the way to the page »Regler i dag«.
    ``prefix`` leads from the page to the site's root.

    An admonition of the type ``bc-change`` with the class ``change-<id>``: unlike an HTML
    block, it works inside a list item, a collapsible question and a card's tab alike."""
    title = f"{NOTE_TITLE} · {change.title} ({change.when})".replace('"', "'")
    body = "\n\n".join(
        [
            change.today,
            f"**Kilde:** {_first_source(change)}. "
            f"[Flere kilder og alle ændringer: Regler i dag]({prefix}{RULES_PAGE}#{change.id})",
        ]
    )
    return f'!!! bc-change change-{change.id} "{title}"\n\n' + textwrap.indent(body, "    ")


def change_notes(changes: list[RuleChange], prefix: str, indent: int = 0) -> str:
    """Several notes one after the other, for a macro call indented by ``indent`` spaces
    (inside a list item, an admonition or a tab): the call's own indentation places the first
    line, so every following line gets the same."""
    first, _, rest = "\n\n".join(change_note(c, prefix) for c in changes).partition("\n")
    if not indent:
        return first + "\n" + rest
    return first + "\n" + textwrap.indent(rest, " " * indent, lambda line: True)


def tooltip_line(change: RuleChange) -> str:
    """What a glossary tooltip adds to the source's explanation: one line, dated."""
    return f"{NOTE_TITLE} ({change.when}): {change.short} Se »Regler i dag«."


def _quote(change: RuleChange, data: Sources, prefix: str) -> str:
    lines = []
    for old in change.old:
        source = data.source(old.source)
        lines.append(
            f"> »{old.quote}«  \n> — [{source.short}]({prefix}kilder.md#{source.id}), {source.when}"
        )
    return "\n>\n".join(lines)


def rules_page(changes: RuleChanges, prefix: str = "") -> str:
    """The page »Regler i dag«: every change, grouped by scheme, with the old rule in its
    source's words, the rule today, the date it took effect and the primary sources."""
    data = load_sources()
    out = []
    for scheme, entries in changes.schemes():
        out.append(f"## {scheme}\n")
        for change in entries:
            out += [
                f"### {change.title} {{ #{change.id} }}\n",
                f"**Ændret:** {change.when}\n",
                "**Sådan står det i kilden:**\n",
                _quote(change, data, prefix) + "\n",
                f"**I dag:** {change.today}\n",
                "**Primære kilder:**\n",
                "\n".join(
                    f"- [{p.title}]({p.url}) – {p.host}, tjekket {danish_date(p.checked)}"
                    for p in change.primary
                )
                + "\n",
                f"*Tjekkes igen senest {danish_date(change.review_by)}.*\n",
            ]
    return "\n".join(out)
