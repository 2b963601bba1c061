"""What the site says about a resource link: its archived copy and the last link check.

The resource links on the backs of the cards date from the booklet's time, and the web moves
on. ``make links`` (``scripts/check_links.py``) checks them where there is a network and
writes :data:`LINKS_FILE`; this module reads that file and holds every Danish word the site
says about a link's state, for the card backs (``sitebuild/cards.py``) and the resources page
(``macros/main.py``). Pure: no network, no builder.

Without a data file, or for a link the last check did not cover, the site makes no claim:
it shows the original address and an archived copy from around the booklet's time.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

# The booklet carries no date; the newest dated source it cites was uploaded in November
# 2018 (vaeksthusets-forskningscenter.dk/wp-content/uploads/2018/11/…), so it came out around
# 2019. The Internet Archive answers /web/2019/<address> with its copy nearest to that year.
ARCHIVE_YEAR = 2019

# Relative to the project folder, where the builders run (like ``cases_dir`` in mkdocs.yml).
# Outside docs/, so neither builder publishes it as a page or a file.
LINKS_FILE = Path("includes") / "links.json"

OK = "ok"
MOVED = "moved"  # answered 301/308: a new address, which works
DEAD = "dead"  # 404, 410, the name does not resolve, no answer in time …
UNCERTAIN = "uncertain"  # answered, but neither »works« nor »gone« (403, 429, 5xx, TLS …)
STATUSES = (OK, MOVED, DEAD, UNCERTAIN)


@dataclass(frozen=True)
class LinkResult:
    """One address as the last check found it."""

    url: str
    status: str
    http_status: int | None = None
    new_url: str | None = None  # where a permanently moved page lives now
    snapshot: str | None = None  # the Internet Archive's copy nearest to ARCHIVE_YEAR
    reason: str = ""  # for people reading the data file: what the server said, or why not


@dataclass(frozen=True)
class LinkReport:
    """The last check (``checked`` is None when no check has been made)."""

    checked: date | None
    results: dict[str, LinkResult]

    def get(self, url: str) -> LinkResult | None:
        return self.results.get(url) if self.checked is not None else None

    def counts(self) -> Counter[str]:
        return Counter(r.status for r in self.results.values())


NOT_CHECKED = LinkReport(None, {})


class LinkDataError(ValueError):
    """The data file exists but cannot be read: the build stops rather than guess."""


def load_report(path: Path = LINKS_FILE) -> LinkReport:
    """The last check from ``path``; no file means no check has been made."""
    if not path.exists():
        return NOT_CHECKED
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        checked = date.fromisoformat(data["checked"]) if data.get("checked") else None
        results = {}
        for item in data.get("links", []):
            result = LinkResult(**item)
            if result.status not in STATUSES:
                raise ValueError(f"ukendt status {result.status!r} for {result.url}")
            if result.status == MOVED and not result.new_url:
                raise ValueError(f"flyttet uden ny adresse: {result.url}")
            results[result.url] = result
    except (ValueError, TypeError, KeyError) as exc:
        raise LinkDataError(f"Linkdata i {path} kan ikke læses: {exc}") from exc
    return LinkReport(checked, results) if checked is not None else NOT_CHECKED


def report_json(report: LinkReport) -> str:
    """The data file's text: stable order, so a new check gives a readable diff."""
    data: dict[str, Any] = {
        "about": (
            "Written by `make links` (scripts/check_links.py); read by sitebuild/links.py. "
            "checked: null means no check has been made."
        ),
        "checked": report.checked.isoformat() if report.checked else None,
        "archive_year": ARCHIVE_YEAR,
        "links": [asdict(report.results[url]) for url in sorted(report.results)],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def danish_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def archive_url(url: str) -> str:
    """The Internet Archive's copy from around the booklet's time (needs no network to build)."""
    return f"https://web.archive.org/web/{ARCHIVE_YEAR}/{url}"


def _archive_href(url: str, report: LinkReport) -> str:
    result = report.get(url)
    return result.snapshot if result is not None and result.snapshot else archive_url(url)


def _readable(url: str) -> str:
    return unquote(url.split("://", 1)[-1])


def _archive_link(url: str, report: LinkReport) -> str:
    # The visible words come first in the accessible name (WCAG 2.5.3), which names the page.
    label = f"arkiveret kopi af {_readable(url)} i Internet Archive"
    return (
        f'<a class="bc-archive" href="{html.escape(_archive_href(url, report))}" '
        f'aria-label="{html.escape(label)}">arkiveret kopi</a>'
    )


def link_notes(url: str, report: LinkReport) -> str:
    """HTML that follows a resource's original address: archive link and the last check."""
    result = report.get(url)
    if result is not None and report.checked is not None and result.status == DEAD:
        when = danish_date(report.checked)
        return (
            ' <span class="bc-link-note bc-link-note--dead">'
            f"Siden fandtes ikke ved seneste kontrol, {when} – se {_archive_link(url, report)}"
            "</span>"
        )
    notes = f' <span class="bc-link-extra">· {_archive_link(url, report)}</span>'
    if result is not None and report.checked is not None and result.status == MOVED:
        new = html.escape(result.new_url or "")
        notes += (
            ' <span class="bc-link-note bc-link-note--moved">'
            f"Flyttet til ny adresse ved seneste kontrol, {danish_date(report.checked)}: "
            f'<a class="bc-new-address" href="{new}">{new}</a></span>'
        )
    return notes


_STATUS_WORDS = {OK: "virkede", UNCERTAIN: "kunne ikke afgøres"}


def status_line(url: str, report: LinkReport) -> str | None:
    """The status of one address for the resources page (Markdown), or None where
    :func:`link_notes` already says it (a dead or moved link)."""
    result = report.get(url)
    if result is None:
        return "*Ikke kontrolleret*" if report.checked is not None else None
    if result.status in (DEAD, MOVED):
        return None
    words = _STATUS_WORDS[result.status]
    if result.status == UNCERTAIN and result.reason:
        words += f" ({html.escape(result.reason)})"
    return f"*Ved seneste kontrol:* {words}"


def _count_phrase(counts: Counter[str], *, past: bool) -> str:
    if past:
        parts = [
            f"{counts[OK]} virkede",
            f"{counts[MOVED]} var flyttet",
            f"{counts[DEAD]} fandtes ikke",
            f"{counts[UNCERTAIN]} kunne ikke afgøres",
        ]
    else:
        parts = [
            f"{counts[OK]} virker",
            f"{counts[MOVED]} flyttet",
            f"{counts[DEAD]} findes ikke",
            f"{counts[UNCERTAIN]} kunne ikke afgøres",
        ]
    return ", ".join(parts)


def check_note(report: LinkReport, urls: Iterable[str]) -> str:
    """What the resources page says about the last check of these addresses (Markdown)."""
    archive = (
        "Ved hvert link står også en *arkiveret kopi*: siden, som Internet Archive gemte den "
        f"i hæftets tid (omkring {ARCHIVE_YEAR})."
    )
    urls = list(dict.fromkeys(urls))
    if report.checked is None:
        return f"Linkene er endnu ikke kontrolleret. {archive}"
    covered = [u for u in urls if report.get(u) is not None]
    counts = Counter(r.status for u in covered if (r := report.get(u)) is not None)
    text = (
        f"Linkene blev senest kontrolleret {danish_date(report.checked)}: "
        f"{_count_phrase(counts, past=True)}."
    )
    missing = len(urls) - len(covered)
    if missing:
        text += f" {missing} er kommet til siden og er ikke kontrolleret."
    return f"{text} {archive}"


def summary(report: LinkReport) -> str:
    """The one-line Danish summary that `make links` prints."""
    when = danish_date(report.checked) if report.checked else "aldrig"
    found = sum(1 for r in report.results.values() if r.snapshot)
    return (
        f"{len(report.results)} links kontrolleret {when}: "
        f"{_count_phrase(report.counts(), past=False)}; "
        f"arkiveret kopi fundet for {found}."
    )
