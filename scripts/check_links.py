"""Check every resource link of the cases and record what was found (`make links`).

Needs internet, so it is not part of `make test`. For each address it follows redirects
with a timeout and a few retries, classifies the answer (see ``sitebuild/links.py``), asks the
Wayback Machine's availability API for the copy nearest to the booklet's time, and writes the
result with today's date to ``includes/links.json``, which the site reads when it is built.
Prints a Danish summary.

The addresses are injectable (``--url``, ``--api``) so the tests can point the checker at
local servers.

    python scripts/check_links.py [--output FILE] [--api URL] [--timeout S] [--retries N]
                                  [--url ADDRESS ...]
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import ssl
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode, urljoin, urlsplit, urlunsplit

from facilitator.cases import load_cases
from sitebuild.links import (
    ARCHIVE_YEAR,
    DEAD,
    MOVED,
    OK,
    UNCERTAIN,
    LinkReport,
    LinkResult,
    report_json,
    summary,
)

ROOT = Path(__file__).resolve().parent.parent

AVAILABILITY_API = "https://archive.org/wayback/available"
USER_AGENT = "Mozilla/5.0 (compatible; Borgercases-linkkontrol; +make links)"
MAX_REDIRECTS = 10
PERMANENT = {301, 308}
REDIRECTS = {301, 302, 303, 307, 308}
GONE = {404, 410}
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Settings:
    timeout: float = 15.0  # seconds per request
    retries: int = 2  # further tries after a timeout, a refused connection or a 5xx/429
    backoff: float = 2.0  # seconds before the first retry, doubled for each next one
    workers: int = 6


DEFAULT = Settings()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Let 3xx answers through as they are: the checker follows them itself, hop by hop."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects())


def iri_to_uri(url: str) -> str:
    """An address with Danish letters as one a server can be asked for (percent-encoded)."""
    parts = urlsplit(url)
    host = parts.hostname.encode("idna").decode("ascii") if parts.hostname else ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    safe = "/:@!$&'()*+,;=%~-._"
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            quote(parts.path, safe=safe),
            quote(parts.query, safe=safe + "?"),
            "",
        )
    )


@dataclass(frozen=True)
class _Answer:
    status: int | None  # None: no HTTP answer at all
    location: str | None = None
    error: str = ""
    retry: bool = False


def _request(url: str, settings: Settings) -> _Answer:
    req = urllib.request.Request(
        iri_to_uri(url), headers={"User-Agent": USER_AGENT, "Accept": "*/*"}, method="GET"
    )
    try:
        with _OPENER.open(req, timeout=settings.timeout) as response:
            return _Answer(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return _Answer(exc.code, exc.headers.get("Location"), retry=exc.code in RETRY_STATUS)
    except urllib.error.URLError as exc:
        return _failure(exc.reason)
    except (OSError, ValueError, http.client.HTTPException) as exc:
        return _failure(exc)


def _failure(reason: object) -> _Answer:
    if isinstance(reason, socket.gaierror):
        return _Answer(None, error="navnet findes ikke (DNS)")
    if isinstance(reason, TimeoutError | socket.timeout):
        return _Answer(None, error="intet svar inden for tidsgrænsen", retry=True)
    if isinstance(reason, ssl.SSLError | ssl.CertificateError):
        return _Answer(None, error=f"TLS-fejl: {reason}")
    if isinstance(reason, ConnectionError):
        return _Answer(None, error="forbindelsen blev afvist eller afbrudt", retry=True)
    return _Answer(None, error=f"fejl: {reason}", retry=True)


T = TypeVar("T")


def _should_retry(answer: _Answer) -> bool:
    return answer.retry


def _with_retries(attempt: Callable[[], T], again: Callable[[T], bool], settings: Settings) -> T:
    result = attempt()
    for n in range(settings.retries):
        if not again(result):
            break
        time.sleep(settings.backoff * 2**n)
        result = attempt()
    return result


def check_url(url: str, settings: Settings = DEFAULT) -> LinkResult:
    """Follow the address's redirects and classify where it ends (no snapshot yet)."""
    current = url
    moved_to: str | None = None
    permanent_so_far = True
    for _ in range(MAX_REDIRECTS + 1):
        answer = _with_retries(partial(_request, current, settings), _should_retry, settings)
        if answer.status is None:
            status = UNCERTAIN if answer.error.startswith("TLS") else DEAD
            return LinkResult(url, status, reason=answer.error)
        if answer.status in REDIRECTS and answer.location:
            target = urljoin(current, answer.location)
            if answer.status in PERMANENT and permanent_so_far:
                moved_to = target
            else:
                permanent_so_far = False
            current = target
            continue
        code = answer.status
        if code in GONE:
            return LinkResult(url, DEAD, code, reason=f"HTTP {code}")
        if not 200 <= code < 300:
            return LinkResult(url, UNCERTAIN, code, reason=f"HTTP {code}")
        if current != url and _is_front_page(url, current):
            # A deep link sent on to the site's front page: the page itself is gone.
            return LinkResult(url, DEAD, code, reason=f"sendt videre til forsiden {current}")
        if moved_to is not None and moved_to != url:
            return LinkResult(url, MOVED, 301, new_url=moved_to, reason=f"flyttet til {moved_to}")
        return LinkResult(url, OK, code)
    return LinkResult(url, UNCERTAIN, reason=f"mere end {MAX_REDIRECTS} omdirigeringer")


def _is_front_page(original: str, final: str) -> bool:
    return urlsplit(original).path.strip("/") != "" and urlsplit(final).path.strip("/") == ""


class ArchiveUnavailable(Exception):
    """The availability API did not answer: the check is stopped, nothing is written."""


def find_snapshot(url: str, api: str, settings: Settings = DEFAULT) -> str | None:
    """The Internet Archive's copy nearest to the booklet's time, or None if it has none."""
    query = urlencode({"url": url, "timestamp": str(ARCHIVE_YEAR)})
    request = urllib.request.Request(f"{api}?{query}", headers={"User-Agent": USER_AGENT})

    def attempt() -> Any:
        try:
            with urllib.request.urlopen(request, timeout=settings.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except (OSError, ValueError, http.client.HTTPException):
            return None

    data = _with_retries(attempt, lambda d: d is None, settings)
    if data is None:
        raise ArchiveUnavailable(f"{api} svarede ikke")
    snapshots = data.get("archived_snapshots") if isinstance(data, dict) else None
    closest = snapshots.get("closest") if isinstance(snapshots, dict) else None
    if not isinstance(closest, dict) or not closest.get("available"):
        return None
    if not str(closest.get("status", "200")).startswith("2"):
        return None
    snapshot = str(closest.get("url") or "")
    if snapshot.startswith("http://"):
        snapshot = "https://" + snapshot.removeprefix("http://")
    return snapshot or None


def check_links(
    urls: Iterable[str],
    *,
    api: str = AVAILABILITY_API,
    settings: Settings = DEFAULT,
    today: date | None = None,
) -> LinkReport:
    """Check every address and find its archived copy.

    Asks the availability API once first: if it does not answer, there is most likely no
    network, every link would look dead, and ArchiveUnavailable is raised instead.
    """
    urls = list(dict.fromkeys(urls))
    find_snapshot(urls[0] if urls else "https://example.org/", api, settings)

    def one(url: str) -> LinkResult:
        try:
            snapshot = find_snapshot(url, api, settings)
        except ArchiveUnavailable:
            snapshot = None  # one lookup failed after the first worked: no copy known
        return replace(check_url(url, settings), snapshot=snapshot)

    with ThreadPoolExecutor(max_workers=settings.workers) as pool:
        results = list(pool.map(one, urls))
    return LinkReport(today or date.today(), {r.url: r for r in results})


def details(report: LinkReport) -> list[str]:
    """One Danish line per link that did not simply work."""
    words = {MOVED: "flyttet", DEAD: "findes ikke", UNCERTAIN: "kunne ikke afgøres"}
    lines = []
    for url in sorted(report.results):
        r = report.results[url]
        if r.status == OK:
            continue
        extra = f" → {r.new_url}" if r.status == MOVED else f" ({r.reason})"
        lines.append(f"  {words[r.status]}: {url}{extra}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kontrollér casenes links (kræver internet).")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "includes" / "links.json", help="datafilen"
    )
    parser.add_argument("--api", default=AVAILABILITY_API, help="Wayback Machines availability-API")
    parser.add_argument(
        "--url", action="append", help="kontrollér denne adresse i stedet for casenes (gentag)"
    )
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT.timeout, help="sekunder pr. forespørgsel"
    )
    parser.add_argument(
        "--retries", type=int, default=DEFAULT.retries, help="genforsøg efter timeout eller 5xx"
    )
    parser.add_argument(
        "--backoff", type=float, default=DEFAULT.backoff, help="sekunder før første genforsøg"
    )
    args = parser.parse_args(argv)

    urls = args.url or [r.url for c in load_cases() for r in c.resources]
    settings = Settings(timeout=args.timeout, retries=args.retries, backoff=args.backoff)
    try:
        report = check_links(urls, api=args.api, settings=settings)
    except ArchiveUnavailable as exc:
        print(
            f"Kunne ikke nå Internet Archive ({exc}). Er der forbindelse til internettet? "
            f"Intet er skrevet; {args.output} er uændret.",
            file=sys.stderr,
        )
        return 1
    args.output.write_text(report_json(report), encoding="utf-8")
    print(summary(report))
    for line in details(report):
        print(line)
    print(f"Resultatet står i {args.output}. Byg sitet igen (make site), så kortene viser det.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
