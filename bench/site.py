"""The site: how long MkDocs and Zensical take to build it, how much two of its pages weigh
served with gzip (and whether they ask other hosts for anything), and Lighthouse's scores."""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.budgets import BUDGET_CASE_KB, BUDGET_LH_ACCESSIBILITY, BUDGET_LH_PERFORMANCE
from bench.common import KB, LOCAL, PY, SITE_PAGES, VIEWPORT
from bench.procs import stop_process
from bench.report import Report, error_line, median, short
from harness import CHROMIUM, CHROMIUM_ARGS, CHROMIUM_LAUNCH, ROOT

ZENSICAL = Path(PY).with_name("zensical")
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
BUILD_RUNS = 3
LIGHTHOUSE_TIMEOUT = 180

# --- A static server for the site that gzips text responses ---------------------------------

TEXT_TYPES = (
    "text/",
    "application/javascript",
    "application/json",
    "application/xml",
    "application/manifest+json",
    "image/svg+xml",
)


class _Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.sent = 0  # bytes written to the socket: status line, headers and (gzipped) body
        self.raw = 0  # size of the files served, uncompressed
        self.requests = 0
        self.bodies: dict[str, int] = {}  # URL path -> body bytes sent (gzipped when gzipped)

    def add(self, sent: int = 0, raw: int = 0, requests: int = 0) -> None:
        with self.lock:
            self.sent += sent
            self.raw += raw
            self.requests += requests

    def body(self, path: str, size: int) -> None:
        with self.lock:
            self.bodies[path] = self.bodies.get(path, 0) + size

    def largest(self, n: int = 3) -> list[tuple[str, int]]:
        with self.lock:
            return sorted(self.bodies.items(), key=lambda kv: -kv[1])[:n]

    def snapshot(self) -> tuple[int, int, int]:
        with self.lock:
            return self.sent, self.raw, self.requests


class _CountingWriter:
    def __init__(self, inner: Any, counter: _Counter) -> None:
        self._inner = inner
        self._counter = counter

    def write(self, data: bytes) -> int:
        n = self._inner.write(data)
        self._counter.add(sent=len(data))
        return int(n) if n is not None else len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class SiteServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, directory: Path) -> None:
        self.counter = _Counter()
        self._gz: dict[str, bytes] = {}
        self._gz_lock = threading.Lock()
        handler = functools.partial(_GzipHandler, directory=str(directory))
        super().__init__(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/"
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def gzipped(self, path: str) -> bytes:
        with self._gz_lock:
            if path not in self._gz:
                self._gz[path] = gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)
            return self._gz[path]

    def start(self) -> SiteServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SiteServer

    def setup(self) -> None:
        super().setup()
        self.wfile = _CountingWriter(self.wfile, self.server.counter)  # type: ignore[assignment]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self) -> Any:
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?", 1)[0].endswith("/"):
            path = os.path.join(path, "index.html")
        is_file = os.path.isfile(path)
        raw = os.path.getsize(path) if is_file else 0
        self.server.counter.add(raw=raw, requests=1)
        ctype = self.guess_type(path)
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        url_path = self.path.split("?", 1)[0]
        if not (is_file and wants_gzip and ctype.startswith(TEXT_TYPES)):
            self.server.counter.body(url_path, raw)
            return super().send_head()
        body = self.server.gzipped(path)
        self.server.counter.body(url_path, len(body))
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Last-Modified", self.date_time_string(int(os.path.getmtime(path))))
        self.end_headers()
        return io.BytesIO(body)


# --- Site builds -----------------------------------------------------------------------------


def bench_mkdocs(report: Report, tmp: Path, built: list[Path]) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    times = []
    for i in range(BUILD_RUNS):
        dest = tmp / f"mkdocs-site-{i}"
        cmd = [PY, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(dest)]
        started = time.monotonic()
        result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        elapsed = time.monotonic() - started
        if result.returncode != 0:
            raise RuntimeError(f"exit {result.returncode}: {error_line(result.stderr)}")
        times.append(elapsed)
        built.append(dest)
    report.metrics["mkdocs_s"] = median(times)
    runs = ", ".join(f"{t:.2f}" for t in times)
    report.set("build_mkdocs", f"{median(times):.2f} s (runs: {runs})")


def _copy_project(dest: Path) -> None:
    skip = {".venv", "node_modules", ".git", "site", "data", "test-artifacts", ".cache"}
    skip |= {".pytest_cache", ".ruff_cache", ".mypy_cache"}

    def ignore(src: str, names: list[str]) -> set[str]:
        top = {n for n in names if n in skip} if Path(src) == ROOT else set()
        return top | {n for n in names if n == "__pycache__"}

    shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True)


def bench_zensical(report: Report, tmp: Path, built: list[Path]) -> None:
    if not ZENSICAL.exists():
        raise RuntimeError(f"{ZENSICAL} not installed")
    project = tmp / "zensical-project"
    _copy_project(project)
    times = []
    for _ in range(BUILD_RUNS):
        cmd = [str(ZENSICAL), "build", "--clean", "--strict"]
        started = time.monotonic()
        try:
            result = subprocess.run(cmd, cwd=project, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError("zensical build timed out after 300 s") from exc
        elapsed = time.monotonic() - started
        if result.returncode != 0:
            raise RuntimeError(
                f"exit {result.returncode}: {error_line(result.stderr + result.stdout)}"
            )
        times.append(elapsed)
    runs = ", ".join(f"{t:.2f}" for t in times)
    report.set("build_zensical", f"{median(times):.2f} s (runs: {runs})")

    # Zensical reads mkdocs.yml but is its own engine: say how its output compares.
    out = project / "site"
    files = sum(1 for p in out.rglob("*") if p.is_file())
    pages = _html_pages(out)
    cases = sorted((out / "cases").glob("case-*.html"))
    cards = sum(1 for p in cases if p.read_text(errors="replace").count('class="card-side"') == 2)
    note = f"{len(pages)} pages"
    if built:
        same = "the same pages as" if pages == _html_pages(built[0]) else "other pages than"
        note += f" ({same} MkDocs)"
    note += f"; both card sides on {cards} of {len(cases)} case pages; {files} files"
    if built:
        ref_files = sum(1 for p in built[0].rglob("*") if p.is_file())
        note += f" (MkDocs: {ref_files}; each engine ships its own theme assets and search index)"
    report.set("build_zensical_note", note)


def _html_pages(site: Path) -> set[str]:
    return {
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if "assets" not in p.relative_to(site).parts
    }


# --- Page weight and requests ----------------------------------------------------------------


def bench_page_weight(report: Report, browser: Any, site: SiteServer) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for name, path in SITE_PAGES.items():
        try:
            context = browser.new_context(viewport=VIEWPORT, locale="da-DK")
            requests: list[str] = []
            blocked: list[str] = []

            def guard(route: Any, blocked: list[str] = blocked) -> None:
                if route.request.url.startswith(LOCAL):
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            try:
                context.on("request", lambda r, requests=requests: requests.append(r.url))
                context.route("**/*", guard)
                page = context.new_page()
                site.counter.reset()
                page.goto(site.url + path, wait_until="load", timeout=30000)
                with contextlib.suppress(PlaywrightTimeout):
                    page.wait_for_load_state("networkidle", timeout=10000)
                page.wait_for_timeout(500)
                sent, raw, served = site.counter.snapshot()
                largest = site.counter.largest()
            finally:
                context.close()
        except Exception as exc:
            report.unset([f"{name}_kb", f"{name}_requests", f"{name}_third"], short(exc))
            continue
        kb = sent / KB
        report.metrics[f"{name}_kb"] = kb
        report.metrics[f"{name}_third"] = len(blocked)
        status = ""
        if name == "case":
            status = "OK" if kb <= BUDGET_CASE_KB else "FAIL"
        report.set(f"{name}_kb", f"{kb:.1f} KB (uncompressed {raw / KB:.1f} KB)", status)
        report.set(f"{name}_requests", f"{len(requests)} ({served} served by the local server)")
        report.notes.append(
            f"{path}: largest transfers "
            + ", ".join(f"{u.rsplit('/', 1)[-1]} {b / KB:.1f} KB" for u, b in largest)
        )
        hosts = sorted({u.split("/")[2] for u in blocked if "://" in u})
        report.set(
            f"{name}_third",
            f"{len(blocked)}" + (f" blocked: {', '.join(hosts)}" if hosts else ""),
            "OK" if not blocked else "FAIL",
        )


# --- Lighthouse ------------------------------------------------------------------------------


def run_lighthouse(url: str, out: Path) -> dict[str, Any]:
    if not LIGHTHOUSE.exists():
        raise RuntimeError("node_modules/.bin/lighthouse missing (run make bench)")
    cmd = [
        str(LIGHTHOUSE),
        url,
        "--chrome-flags=" + " ".join(CHROMIUM_ARGS),
        "--only-categories=performance,accessibility,best-practices",
        "--output=json",
        f"--output-path={out}",
        "--quiet",
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        stdout, stderr = proc.communicate(timeout=LIGHTHOUSE_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"timed out after {LIGHTHOUSE_TIMEOUT} s") from exc
    finally:
        stop_process(proc, timeout=5)  # with its Chromium, should it still run
    if proc.returncode != 0 or not out.exists():
        line = error_line(stderr + "\n" + stdout)
        print(f"Lighthouse error ({url}): {line}", file=sys.stderr)
        raise RuntimeError(f"exit {proc.returncode}: {line}")
    lhr: dict[str, Any] = json.loads(out.read_text())
    if lhr.get("runtimeError"):
        err = lhr["runtimeError"]
        line = f"{err.get('code')}: {err.get('message', '')}"
        print(f"Lighthouse error ({url}): {line}", file=sys.stderr)
        raise RuntimeError(line)
    return lhr


def lighthouse_settings(lhr: dict[str, Any]) -> str:
    """The emulation Lighthouse used, from its own report."""
    cfg = lhr.get("configSettings", {})
    thr = cfg.get("throttling", {})
    scr = cfg.get("screenEmulation", {})
    return (
        f"Lighthouse {lhr.get('lighthouseVersion', '?')}, default {cfg.get('formFactor', '?')} "
        f"emulation: screen {scr.get('width', '?')}×{scr.get('height', '?')} "
        f"@{scr.get('deviceScaleFactor', '?')}x, throttling {cfg.get('throttlingMethod', '?')} "
        f"(RTT {thr.get('rttMs', '?')} ms, {thr.get('throughputKbps', '?')} kbit/s, "
        f"CPU slowdown {thr.get('cpuSlowdownMultiplier', '?')}×)"
    )


def failed_audits(lhr: dict[str, Any], category: str) -> str:
    """Scored audits of a category that did not pass, with how many elements each flags."""
    audits = lhr.get("audits", {})
    out = []
    for ref in lhr.get("categories", {}).get(category, {}).get("auditRefs", []):
        audit = audits.get(ref.get("id"), {})
        if ref.get("weight", 0) and audit.get("score") is not None and audit["score"] < 1:
            items = audit.get("details", {}).get("items", [])
            out.append(f"{ref['id']} ({len(items)})" if items else ref["id"])
    return ", ".join(out)


def bench_lighthouse(report: Report, site: SiteServer, tmp: Path) -> None:
    for name, path in SITE_PAGES.items():
        keys = [f"lh_{name}_{c}" for c in ("performance", "accessibility", "best-practices")]
        try:
            lhr = run_lighthouse(site.url + path, tmp / f"lighthouse-{name}.json")
        except Exception as exc:
            report.unset(keys, short(exc))
            continue
        report.notes.append(lighthouse_settings(lhr))
        audits = lhr.get("audits", {})

        def ms(audit: str, audits: dict[str, Any] = audits) -> str:
            value = audits.get(audit, {}).get("numericValue")
            return f"{value / 1000:.1f} s" if isinstance(value, int | float) else "?"

        for key, cat in zip(keys, ("performance", "accessibility", "best-practices"), strict=True):
            score = lhr.get("categories", {}).get(cat, {}).get("score")
            if score is None:
                report.set(key, "n/a (no score)")
                continue
            value = round(score * 100)
            report.metrics[key] = value
            text = str(value)
            status = ""
            if cat == "performance":
                text += (
                    f" (FCP {ms('first-contentful-paint')}, LCP {ms('largest-contentful-paint')})"
                )
                status = "OK" if value >= BUDGET_LH_PERFORMANCE else "FAIL"
            elif cat == "accessibility":
                status = "OK" if value >= BUDGET_LH_ACCESSIBILITY else "FAIL"
                failing = failed_audits(lhr, cat)
                if failing:
                    report.notes.append(
                        f"Lighthouse {path}: accessibility audits failing: {failing}"
                    )
            report.set(key, text, status)
    # The same settings for both pages: keep one note.
    report.notes = list(dict.fromkeys(report.notes))


# --- The section ------------------------------------------------------------------------------


def declare(report: Report) -> None:
    d = report.declare
    d("build_mkdocs", f"Site build: mkdocs build --strict (median of {BUILD_RUNS})")
    d("build_zensical", f"Site build: zensical build --clean --strict (median of {BUILD_RUNS})")
    d("build_zensical_note", "  Zensical output")
    for name, path in SITE_PAGES.items():
        budget = f"≤ {BUDGET_CASE_KB} KB" if name == "case" else ""
        d(f"{name}_kb", f"{path}: transferred with gzip", budget)
        d(f"{name}_requests", f"{path}: requests")
        d(f"{name}_third", f"{path}: requests to other hosts (blocked)", "0")
    for name, path in SITE_PAGES.items():
        d(f"lh_{name}_performance", f"Lighthouse {path}: performance", f"≥ {BUDGET_LH_PERFORMANCE}")
        d(
            f"lh_{name}_accessibility",
            f"Lighthouse {path}: accessibility",
            f"= {BUDGET_LH_ACCESSIBILITY}",
        )
        d(f"lh_{name}_best-practices", f"Lighthouse {path}: best practices")


def bench_page_weight_in_chromium(report: Report, site: SiteServer) -> None:
    """The page weight in a Chromium of its own."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise RuntimeError(f"playwright missing: {short(exc)}") from exc
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(**CHROMIUM_LAUNCH)
        except Exception as exc:
            raise RuntimeError(f"Chromium: {short(exc)}") from exc
        try:
            bench_page_weight(report, browser, site)
        finally:
            with contextlib.suppress(Exception):
                browser.close()


def run(report: Report, tmp: Path) -> None:
    built: list[Path] = []
    report.section("mkdocs build", ["build_mkdocs"], lambda: bench_mkdocs(report, tmp, built))
    report.section(
        "zensical build",
        ["build_zensical", "build_zensical_note"],
        lambda: bench_zensical(report, tmp, built),
    )
    # The site `make bench` has just built; else the first build from above.
    site_dir = ROOT / "site" if (ROOT / "site" / "index.html").exists() else None
    if site_dir is None and built:
        site_dir = built[0]
    site_keys = [k for k in report.rows if k.split("_")[0] in SITE_PAGES or k.startswith("lh_")]
    if site_dir is None:
        report.unset(site_keys, "no built site (run make site)")
        return
    try:
        site = SiteServer(site_dir).start()
    except Exception as exc:
        report.unset(site_keys, f"site server: {short(exc)}")
        return
    try:
        report.section(
            "Lighthouse",
            [k for k in site_keys if k.startswith("lh_")],
            lambda: bench_lighthouse(report, site, tmp),
        )
        report.section(
            "page weight",
            [k for k in site_keys if not k.startswith("lh_")],
            lambda: bench_page_weight_in_chromium(report, site),
        )
    finally:
        site.stop()
