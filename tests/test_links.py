"""Resource links that still lead somewhere (issue 10, point 6).

The checker (`make links`, scripts/check_links.py) runs against local servers here: this
machine has no internet. The site is built, by MkDocs and by Zensical, with a data file
written for the test, and every case page, the resources page and a card's back side in the
browser are checked against it.
"""

from __future__ import annotations

import html
import http.server
import json
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, expect

from facilitator.cases import Case, load_cases
from tests.accessibility import axe_violations
from tests.conftest import (
    BUILDERS,
    ROOT,
    copy_project,
    mkdocs_build,
    serve_folder,
    zensical_build,
)

CASES = load_cases()
URLS = sorted({r.url for c in CASES for r in c.resources})
SCRIPT = ROOT / "scripts" / "check_links.py"


# ---------------------------------------------------------------------------------------------
# The checker against local servers
# ---------------------------------------------------------------------------------------------


class _Site(http.server.BaseHTTPRequestHandler):
    """Answers like the web the cards point to: working, moved, gone, busy."""

    routes: ClassVar[dict[str, tuple[int, str | None]]] = {
        "/ok": (200, None),
        "/jobs%C3%B8ger": (200, None),
        "/moved": (301, "/new"),
        "/new": (200, None),
        "/temporary": (302, "/ok"),
        "/missing": (404, None),
        "/gone": (410, None),
        "/busy": (503, None),
        "/to-front": (301, "/"),
        "/": (200, None),
    }

    def do_GET(self) -> None:
        code, location = self.routes.get(self.path, (404, None))
        self.send_response(code)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Availability(http.server.BaseHTTPRequestHandler):
    """The Wayback Machine's availability API: a copy for some addresses, none for others."""

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        url, timestamp = query["url"][0], query["timestamp"][0]
        snapshots: dict[str, object] = {}
        if url.endswith(("/missing", "/ok")):
            snapshots = {
                "closest": {
                    "available": True,
                    "status": "200",
                    "timestamp": "20190412093011",
                    "url": f"http://web.archive.org/web/20190412093011/{url}",
                }
            }
        body = json.dumps({"url": url, "archived_snapshots": snapshots, "ts": timestamp}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def web() -> Iterator[str]:
    yield from _serve(_Site)


@pytest.fixture(scope="module")
def availability_api() -> Iterator[str]:
    for base in _serve(_Availability):
        yield base + "/wayback/available"


@pytest.fixture(scope="module")
def silent_server() -> Iterator[str]:
    """Accepts every connection and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()
    for conn in held:
        conn.close()


def _run_checker(*args: str) -> subprocess.CompletedProcess[str]:
    """`make links` with short timeouts, one retry and no pause between tries."""
    fast = ["--timeout", "0.5", "--retries", "1", "--backoff", "0"]
    return subprocess.run(
        [sys.executable, str(SCRIPT), *fast, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_the_checker_classifies_every_answer_and_writes_the_data_file(
    tmp_path: Path, web: str, availability_api: str, silent_server: str
) -> None:
    urls = {
        "ok": f"{web}/ok",
        "danish": f"{web}/jobsøger",
        "moved": f"{web}/moved",
        "temporary": f"{web}/temporary",
        "missing": f"{web}/missing",
        "gone": f"{web}/gone",
        "busy": f"{web}/busy",
        "to_front": f"{web}/to-front",
        "hang": f"{silent_server}/never",
        "no_name": "http://nowhere.invalid/side",
    }
    output = tmp_path / "links.json"
    args = ["--output", str(output), "--api", availability_api]
    for url in urls.values():
        args += ["--url", url]
    result = _run_checker(*args)
    assert result.returncode == 0, result.stdout + result.stderr

    data = json.loads(output.read_text(encoding="utf-8"))
    today = date.today()
    assert data["checked"] == today.isoformat()
    found = {item["url"]: item for item in data["links"]}
    assert sorted(found) == sorted(urls.values())
    status = {name: found[url]["status"] for name, url in urls.items()}
    assert status == {
        "ok": "ok",
        "danish": "ok",
        "moved": "moved",
        "temporary": "ok",
        "missing": "dead",
        "gone": "dead",
        "busy": "uncertain",
        "to_front": "dead",
        "hang": "dead",
        "no_name": "dead",
    }
    assert found[urls["moved"]]["new_url"] == f"{web}/new"
    assert found[urls["missing"]]["http_status"] == 404
    assert found[urls["gone"]]["http_status"] == 410
    assert "tidsgrænsen" in found[urls["hang"]]["reason"]
    assert "DNS" in found[urls["no_name"]]["reason"]
    assert found[urls["busy"]]["reason"] == "HTTP 503"
    # The availability API's copy (made https), only where it has one.
    assert found[urls["missing"]]["snapshot"] == (
        f"https://web.archive.org/web/20190412093011/{urls['missing']}"
    )
    assert found[urls["ok"]]["snapshot"].startswith("https://web.archive.org/web/2019")
    assert found[urls["gone"]]["snapshot"] is None
    assert found[urls["moved"]]["snapshot"] is None

    when = today.strftime("%d.%m.%Y")
    assert (
        f"10 links kontrolleret {when}: 3 virker, 1 flyttet, 5 findes ikke, "
        "1 kunne ikke afgøres; arkiveret kopi fundet for 2." in result.stdout
    )
    assert f"flyttet: {urls['moved']} → {web}/new" in result.stdout
    assert f"findes ikke: {urls['gone']} (HTTP 410)" in result.stdout


def test_without_the_archive_nothing_is_written(tmp_path: Path, web: str) -> None:
    """No answer from the availability API most likely means no network: no claims then."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    output = tmp_path / "links.json"
    output.write_text("uændret", encoding="utf-8")
    result = _run_checker(
        "--output", str(output), "--api", f"http://127.0.0.1:{port}/", "--url", f"{web}/ok"
    )
    assert result.returncode == 1
    assert "Kunne ikke nå Internet Archive" in result.stderr
    assert output.read_text(encoding="utf-8") == "uændret"


# ---------------------------------------------------------------------------------------------
# The site built with a data file from a check
# ---------------------------------------------------------------------------------------------

CHECKED = "2027-03-12"
SHOWN_DATE = "12.03.2027"
ARCHIVE = "https://web.archive.org/web/2019/"
DEAD_NOTICE = f"Siden fandtes ikke ved seneste kontrol, {SHOWN_DATE} – se arkiveret kopi"
MOVED_NOTICE = f"Flyttet til ny adresse ved seneste kontrol, {SHOWN_DATE}:"


def _kind(url: str) -> str:
    """A fixed, made-up check result per address, so every kind shows up on some card."""
    kinds = ("dead", "moved", "ok", "dead_no_copy", "uncertain", "absent")
    return kinds[URLS.index(url) % len(kinds)]


def _snapshot(url: str) -> str:
    return f"https://web.archive.org/web/20190301120000/{url}"


def _new_url(url: str) -> str:
    return f"https://nyt-sted.example/flyttet/{URLS.index(url)}"


def _test_data() -> dict[str, object]:
    links = []
    for url in URLS:
        kind = _kind(url)
        if kind == "absent":
            continue
        item: dict[str, object] = {"url": url, "reason": ""}
        if kind == "dead":
            item |= {"status": "dead", "http_status": 404, "snapshot": _snapshot(url)}
        elif kind == "dead_no_copy":
            item |= {"status": "dead", "http_status": 410}
        elif kind == "moved":
            item |= {"status": "moved", "http_status": 301, "new_url": _new_url(url)}
        elif kind == "ok":
            item |= {"status": "ok", "http_status": 200, "snapshot": _snapshot(url)}
        else:
            item |= {"status": "uncertain", "http_status": 503, "reason": "HTTP 503"}
        links.append(item)
    return {"checked": CHECKED, "archive_year": 2019, "links": links}


@pytest.fixture(scope="module", params=BUILDERS)
def checked_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site as each builder builds it after a link check (the test's data file)."""
    project = copy_project(tmp_path_factory.mktemp(f"links-{request.param}") / "project")
    data = json.dumps(_test_data(), ensure_ascii=False, indent=2)
    (project / "includes" / "links.json").write_text(data, encoding="utf-8")
    if request.param == "mkdocs":
        result = mkdocs_build(project / "site", project / "mkdocs.yml")
    else:
        result = zensical_build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project / "site"


def _items(raw: str) -> list[str]:
    return re.findall(r"<li>(.*?)</li>", raw, flags=re.DOTALL)


def _item_for(raw: str, url: str) -> str:
    original = f'<a href="{html.escape(url)}">{html.escape(url)}</a>'
    matches = [li for li in _items(raw) if original in li]
    assert len(matches) == 1, f"the original link, unchanged, once: {url}"
    return matches[0]


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def _archive_hrefs(item: str) -> list[str]:
    return [
        html.unescape(m)
        for m in re.findall(r'<a class="bc-archive" href="([^"]+)"[^>]*>arkiveret kopi</a>', item)
    ]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_each_card_shows_its_links_as_the_last_check_found_them(
    checked_site: Path, case: Case
) -> None:
    raw = (checked_site / "cases" / f"{case.slug}.html").read_text(encoding="utf-8")
    for r in case.resources:
        item = _item_for(raw, r.url)
        text = _text(item)
        kind = _kind(r.url)
        hrefs = _archive_hrefs(item)
        assert len(hrefs) == 1, (r.url, item)
        if kind in ("dead", "dead_no_copy"):
            assert DEAD_NOTICE in text, (r.url, text)
            expected = _snapshot(r.url) if kind == "dead" else ARCHIVE + r.url
            assert hrefs == [expected]
        else:
            assert "Siden fandtes ikke" not in text, (r.url, text)
        if kind == "moved":
            assert MOVED_NOTICE in text
            assert f'href="{_new_url(r.url)}"' in item
            assert hrefs == [ARCHIVE + r.url]
        else:
            assert "Flyttet" not in text
        if kind == "ok":
            assert hrefs == [_snapshot(r.url)]
        if kind in ("uncertain", "absent"):
            # No claim: the original address and the copy from the booklet's time.
            assert hrefs == [ARCHIVE + r.url]
            assert text.endswith("· arkiveret kopi"), text


def test_the_resources_page_lists_the_status_of_every_link(checked_site: Path) -> None:
    raw = (checked_site / "ressourcer.html").read_text(encoding="utf-8")
    text = _text(raw)
    kinds = [_kind(u) for u in URLS]
    dead = kinds.count("dead") + kinds.count("dead_no_copy")
    assert (
        f"Linkene blev senest kontrolleret {SHOWN_DATE}: {kinds.count('ok')} virkede, "
        f"{kinds.count('moved')} var flyttet, {dead} fandtes ikke, "
        f"{kinds.count('uncertain')} kunne ikke afgøres. "
        f"{kinds.count('absent')} er kommet til siden og er ikke kontrolleret." in text
    )
    expected = {
        "dead": DEAD_NOTICE,
        "dead_no_copy": DEAD_NOTICE,
        "moved": MOVED_NOTICE,
        "ok": "Ved seneste kontrol: virkede",
        "uncertain": "Ved seneste kontrol: kunne ikke afgøres (HTTP 503)",
        "absent": "Ikke kontrolleret",
    }
    for url in URLS:
        item = _text(_item_for(raw, url))
        assert expected[_kind(url)] in item, (url, item)
        assert "Bruges i:" in item


def test_without_a_check_the_site_claims_nothing(any_site: Path) -> None:
    """The kit ships without a check (no internet here): archive links only, no statuses."""
    for case in CASES:
        raw = (any_site / "cases" / f"{case.slug}.html").read_text(encoding="utf-8")
        for r in case.resources:
            item = _item_for(raw, r.url)
            assert _archive_hrefs(item) == [ARCHIVE + r.url]
            assert "kontrol" not in _text(item)
    text = _text((any_site / "ressourcer.html").read_text(encoding="utf-8"))
    assert "Linkene er endnu ikke kontrolleret." in text
    assert "seneste kontrol" not in text and "Ikke kontrolleret" not in text


# ---------------------------------------------------------------------------------------------
# A card's back side in the browser
# ---------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_a_dead_link_on_the_back_side_is_legible_and_accessible(
    browser: Browser, checked_site: Path, artifacts: Path
) -> None:
    case = next(c for c in CASES if {"dead", "moved"} <= {_kind(r.url) for r in c.resources})
    dead = next(r for r in case.resources if _kind(r.url) == "dead")
    moved = next(r for r in case.resources if _kind(r.url) == "moved")
    base, server = serve_folder(checked_site)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="da-DK")
    page = context.new_page()
    try:
        page.goto(f"{base}cases/{case.slug}.html")
        page.locator(".tabbed-labels label").filter(has_text="Viden og inspiration").click()
        expect(page.get_by_role("heading", name="Læs mere")).to_be_visible()
        notice = page.get_by_text(re.compile("^Siden fandtes ikke ved seneste kontrol")).first
        expect(notice).to_be_visible()
        expect(notice).to_have_text(DEAD_NOTICE)
        archived = notice.get_by_role("link", name=re.compile(r"^arkiveret kopi af "))
        expect(archived).to_have_attribute("href", _snapshot(dead.url))
        expect(page.get_by_role("link", name=dead.url, exact=True)).to_be_visible()
        expect(page.get_by_role("link", name=_new_url(moved.url), exact=True)).to_be_visible()
        quiet = page.get_by_role("link", name=re.compile(r"^arkiveret kopi af ")).first
        expect(quiet).to_be_visible()
        for mode, minimum in (("normal", 13), ("projector", 20)):
            if mode == "projector":
                page.get_by_role("button", name="Projektorvisning").click()
                expect(page.locator("html")).to_have_class(re.compile(r"\bprojector\b"))
                expect(page.get_by_role("heading", name="Læs mere")).to_be_visible()
            size = notice.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
            assert size >= minimum, (mode, size)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (mode, overflow)
            notice.scroll_into_view_if_needed()
            build = checked_site.parent.parent.name
            page.screenshot(path=artifacts / f"links-{case.slug}-{mode}-{build}.png")
            assert axe_violations(page) == [], mode
    finally:
        context.close()
        server.shutdown()
