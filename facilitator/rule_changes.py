"""What has changed in the rules since the kit's sources (2016–2018), as today's rules are.

One data file, ``includes/rule_changes.yml``, holds every change: the old rule in its
source's own words (quoted, with the source's id), the rule today in the kit's own words, the
date the change took effect, the primary sources (an authority's own page or the law) with the
date each was checked, and the date by which the entry must be checked again. The site (every
page that states an old rule, the glossary's tooltips, the page »Regler i dag«) and the
facilitator tool (the back of the case card) read it through this module.

Pure: no Streamlit, no site builder. A file the kit cannot trust is refused with a Danish
message (:class:`RuleChangeError`): an entry without a primary source on an authority's
domain, without a check date or without a review date, or with dates out of order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

RULES_FILE = Path(__file__).resolve().parent.parent / "includes" / "rule_changes.yml"

# Where today's rules are stated: the authorities' own sites and the law. A primary source
# must be on one of these domains (or a subdomain of one).
AUTHORITY_DOMAINS = (
    "star.dk",
    "bm.dk",
    "uim.dk",
    "siri.dk",
    "uvm.dk",
    "ft.dk",
    "retsinformation.dk",
    "borger.dk",
)

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)
# A tooltip carries the short form; longer and it no longer reads as one line of help.
SHORT_MAX = 160


class RuleChangeError(ValueError):
    """The file of rule changes has an entry the kit cannot publish (a Danish message)."""


@dataclass(frozen=True)
class PrimarySource:
    url: str
    title: str
    checked: date  # the day the page was read and found to say what the entry says

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").removeprefix("www.")


@dataclass(frozen=True)
class OldRule:
    source: str  # an id in includes/sources.yml
    quote: str  # the source's own words, unchanged


@dataclass(frozen=True)
class RuleChange:
    id: str
    scheme: str  # the group on the page »Regler i dag«
    title: str
    terms: tuple[str, ...]  # words that state the old rule wherever they occur
    old: tuple[OldRule, ...]
    short: str  # one line, for a tooltip
    today: str  # the rule today, in the kit's own words (Markdown, one paragraph)
    since: date  # the day the change took effect
    primary: tuple[PrimarySource, ...]
    review_by: date  # check the entry again by this day
    since_label: str | None = None  # said instead of the day, for a change in steps

    @property
    def when(self) -> str:
        """»fra 1. juli 2025«, or the entry's own words for a change that came in steps."""
        return self.since_label or f"fra {danish_date(self.since)}"

    @property
    def checked(self) -> date:
        """The day the entry's sources were last read."""
        return max(p.checked for p in self.primary)

    def mentioned_in(self, text: str) -> bool:
        """Does ``text`` use one of the change's terms (as a whole word, any case)?"""
        return any(_term_pattern(t).search(text) for t in self.terms)


@dataclass(frozen=True)
class RuleChanges:
    changes: tuple[RuleChange, ...]

    def __iter__(self) -> Iterator[RuleChange]:
        return iter(self.changes)

    def get(self, change_id: str) -> RuleChange:
        for change in self.changes:
            if change.id == change_id:
                return change
        known = ", ".join(c.id for c in self.changes)
        raise RuleChangeError(f"Ukendt regelændring »{change_id}« – kendte: {known}")

    def mentioned_in(self, texts: Iterable[str]) -> list[RuleChange]:
        """The changes whose terms occur in any of ``texts``, in the file's order."""
        joined = "\n".join(texts)
        return [c for c in self.changes if c.mentioned_in(joined)]

    def schemes(self) -> list[tuple[str, list[RuleChange]]]:
        """The changes grouped by scheme, groups in order of their first entry."""
        groups: dict[str, list[RuleChange]] = {}
        for change in self.changes:
            groups.setdefault(change.scheme, []).append(change)
        return list(groups.items())

    def overdue(self, today: date) -> list[RuleChange]:
        """Entries whose review date has passed: they must be checked against the sources
        again (and their dates moved) before the kit may say they are today's rules."""
        return [c for c in self.changes if c.review_by < today]

    @property
    def reviewed(self) -> date:
        """The newest check date of any entry: the date the page »Regler i dag« gives."""
        return max(c.checked for c in self.changes)


@cache
def _term_pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)


def danish_date(day: date) -> str:
    """»1. juli 2025«."""
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RuleChangeError(f"{where}: »{key}« mangler (en tekst)")
    return " ".join(value.split())


def _date(entry: dict[str, Any], key: str, where: str) -> date:
    value = entry.get(key)
    if not isinstance(value, date):
        raise RuleChangeError(f"{where}: »{key}« mangler (en dato som 2026-12-07)")
    return value


def _primary(raw: Any, where: str) -> tuple[PrimarySource, ...]:
    if not isinstance(raw, list) or not raw:
        raise RuleChangeError(
            f"{where}: »primary« mangler – mindst én primær kilde (en myndigheds egen side "
            "eller loven) med adresse, titel og dato for tjekket"
        )
    out = []
    for i, item in enumerate(raw, 1):
        here = f"{where}, primær kilde {i}"
        if not isinstance(item, dict):
            raise RuleChangeError(f"{here}: skal have url, title og checked")
        source = PrimarySource(
            url=_text(item, "url", here),
            title=_text(item, "title", here),
            checked=_date(item, "checked", here),
        )
        scheme = urlsplit(source.url).scheme
        if scheme != "https" or not any(
            source.host == d or source.host.endswith("." + d) for d in AUTHORITY_DOMAINS
        ):
            raise RuleChangeError(
                f"{here}: »{source.url}« er ikke en primær kilde – brug en https-adresse hos "
                f"en myndighed ({', '.join(AUTHORITY_DOMAINS)})"
            )
        out.append(source)
    return tuple(out)


def _old(raw: Any, where: str, source_ids: frozenset[str] | None) -> tuple[OldRule, ...]:
    if not isinstance(raw, list) or not raw:
        raise RuleChangeError(f"{where}: »old« mangler – kildens egne ord, med kildens id")
    out = []
    for i, item in enumerate(raw, 1):
        here = f"{where}, gammel regel {i}"
        if not isinstance(item, dict):
            raise RuleChangeError(f"{here}: skal have source og quote")
        rule = OldRule(source=_text(item, "source", here), quote=_text(item, "quote", here))
        if source_ids is not None and rule.source not in source_ids:
            raise RuleChangeError(
                f"{here}: ukendt kilde »{rule.source}« – kendte: {', '.join(sorted(source_ids))}"
            )
        out.append(rule)
    return tuple(out)


def _change(raw: Any, i: int, source_ids: frozenset[str] | None) -> RuleChange:
    if not isinstance(raw, dict):
        raise RuleChangeError(f"Regelændring {i}: skal være en samling af felter")
    change_id = raw.get("id")
    if not isinstance(change_id, str) or not _ID.match(change_id):
        raise RuleChangeError(f"Regelændring {i}: »id« mangler (små bogstaver og bindestreger)")
    where = f"Regelændringen »{change_id}«"
    terms = raw.get("terms")
    if not isinstance(terms, list) or not terms or not all(isinstance(t, str) for t in terms):
        raise RuleChangeError(f"{where}: »terms« mangler – de ord, der nævner den gamle regel")
    change = RuleChange(
        id=change_id,
        scheme=_text(raw, "scheme", where),
        title=_text(raw, "title", where),
        terms=tuple(t.strip() for t in terms),
        old=_old(raw.get("old"), where, source_ids),
        short=_text(raw, "short", where),
        today=_text(raw, "today", where),
        since=_date(raw, "since", where),
        primary=_primary(raw.get("primary"), where),
        review_by=_date(raw, "review_by", where),
        since_label=_text(raw, "since_label", where) if "since_label" in raw else None,
    )
    if len(change.short) > SHORT_MAX:
        raise RuleChangeError(f"{where}: »short« er over {SHORT_MAX} tegn")
    for source in change.primary:
        if change.review_by <= source.checked:
            raise RuleChangeError(
                f"{where}: »review_by« ({change.review_by}) skal ligge efter tjekket "
                f"({source.checked})"
            )
    return change


def parse_rule_changes(data: Any, source_ids: Iterable[str] | None = None) -> RuleChanges:
    """The changes in a parsed YAML document; ``source_ids`` (the ids of sources.yml), when
    given, are the sources an old rule may quote."""
    ids = frozenset(source_ids) if source_ids is not None else None
    raw = data.get("changes") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not raw:
        raise RuleChangeError("Filen med regelændringer har ingen »changes«")
    changes = tuple(_change(item, i, ids) for i, item in enumerate(raw, 1))
    seen: set[str] = set()
    for change in changes:
        if change.id in seen:
            raise RuleChangeError(f"Regelændringen »{change.id}« står der to gange")
        seen.add(change.id)
    return RuleChanges(changes)


@cache
def _load(path: Path, mtime: float, source_ids: frozenset[str] | None) -> RuleChanges:
    del mtime  # part of the cache key only: an edited file is read again
    return parse_rule_changes(yaml.safe_load(path.read_text(encoding="utf-8")), source_ids)


def load_rule_changes(
    path: Path = RULES_FILE, source_ids: Iterable[str] | None = None
) -> RuleChanges:
    """The file of changes; ``source_ids`` as for :func:`parse_rule_changes`."""
    resolved = path.resolve()
    ids = frozenset(source_ids) if source_ids is not None else None
    return _load(resolved, resolved.stat().st_mtime, ids)
