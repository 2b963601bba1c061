"""Speed and size figures for Borgercases, printed as one table (`make bench`).

Not part of the tests. Every figure is measured in one run on this machine: site build times
(MkDocs and Zensical), transferred bytes and requests for two site pages served with gzip,
Lighthouse scores, the facilitator app's cold start against a hello-world Streamlit app,
server CPU while a timer runs, countdown and autosave lag with 30 meetings open at once, and
how fast a step change reaches 30 meetings × 8 passive follower pages (participants' phones),
held open by headless clients that speak Streamlit's browser protocol (scripts/stclient.py).

    python scripts/bench.py                        # everything (`make bench`)
    python scripts/bench.py --only participants    # only the follower pages
    PARTICIPANT_MEETINGS=2 PARTICIPANT_PAGES=3 python scripts/bench.py --only participants
    PARTICIPANT_SPREAD=30 python scripts/bench.py --only participants  # changes over 30 s

Robust by design: every item that fails prints "n/a (reason)" instead of stopping the run,
every wait has a timeout, every process started here is stopped in a ``finally``. The exit code
is 0 even when a budget fails (it is a report); failing budgets are marked FAIL.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip
import http.server
import io
import itertools
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The browser flags the tests use, so the bench runs Chromium the same way.
from harness import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PY = sys.executable
APP = ROOT / "app.py"
ZENSICAL = ROOT / ".venv" / "bin" / "zensical"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
SITE_PAGES = {"home": "index.html", "case": "cases/case-09.html"}
LOCAL = (
    "http://127.0.0.1",
    "http://localhost",
    "ws://127.0.0.1",
    "ws://localhost",
    "data:",
    "blob:",
    "about:",
)
VIEWPORT = {"width": 1366, "height": 768}
KB = 1024  # budgets and figures use 1 KB = 1024 bytes

BUILD_RUNS = 3
COLD_RUNS = 3
CPU_SECONDS = 20
LOAD_PAGES = 30
LOAD_SECONDS = 20
LOAD_SETUP_LIMIT = 240  # seconds; the load test goes on with the meetings opened by then
LOAD_PAGE_LIMIT = 60  # seconds for one meeting page to show its meeting
STALL_MS = 5000  # a countdown not changing for this long has stood still
LOAD_MAX_FAILURES = 2  # pages not shown in time before the load test stops opening more
NOTE_SAVE_LIMIT = 60  # seconds to wait for the last note to reach the database
LIGHTHOUSE_TIMEOUT = 180

BUDGET_CASE_KB = 120
BUDGET_LH_PERFORMANCE = 95
BUDGET_LH_ACCESSIBILITY = 100
BUDGET_COLD_RATIO = 1.3

T0 = time.monotonic()


def log(msg: str) -> None:
    print(f"[bench {time.monotonic() - T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


def short(exc: BaseException | str, limit: int = 90) -> str:
    """The first meaningful line of an error, short enough for a table cell."""
    text = exc if isinstance(exc, str) else (str(exc) or type(exc).__name__)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    line = lines[0] if lines else type(exc).__name__
    return line if len(line) <= limit else line[: limit - 1] + "…"


def error_line(text: str) -> str:
    """The line of a tool's output that best explains a failure."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if "error" in ln.lower():
            return ln
    return lines[-1] if lines else "no output"


def median(values: list[float]) -> float:
    return float(statistics.median(values))


# --- The report -------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    budget: str = ""
    value: str | None = None
    status: str = ""


class Report:
    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.metrics: dict[str, float] = {}
        self.notes: list[str] = []

    def declare(self, key: str, label: str, budget: str = "") -> None:
        self.rows[key] = Row(label, budget)

    def set(self, key: str, value: str, status: str = "") -> None:
        self.rows[key].value = value
        self.rows[key].status = status

    def unset(self, keys: list[str], reason: str) -> None:
        for key in keys:
            if self.rows[key].value is None:
                self.rows[key].value = f"n/a ({reason})"

    def section(self, name: str, keys: list[str], fn: Callable[[], None]) -> None:
        """Run one measurement; a failure fills its remaining rows with n/a (reason)."""
        log(f"{name} …")
        started = time.monotonic()
        try:
            fn()
        except Exception as exc:
            reason = short(exc)
            log(f"{name} failed: {reason}")
            self.unset(keys, reason)
        else:
            self.unset(keys, "not measured")
        log(f"{name} done in {time.monotonic() - started:.1f}s")

    def print_table(self) -> None:
        headers = ("Measurement", "Value", "Budget", "Status")
        body = [(r.label, r.value or "n/a", r.budget, r.status) for r in self.rows.values()]
        widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(headers)]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        print(line(headers))
        print(line(tuple("-" * w for w in widths)))
        for cells in body:
            print(line(cells))


# --- Processes --------------------------------------------------------------------------------


def _proc_stats() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, utime+stime+cutime+cstime in clock ticks) for every visible process."""
    out: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = raw.rsplit(")", 1)[1].split()
        # fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
        out[int(entry)] = (int(fields[1]), sum(int(f) for f in fields[11:15]))
    return out


def descendants(pid: int) -> list[int]:
    stats = _proc_stats()
    children: dict[int, list[int]] = {}
    for child, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(child)
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and all its descendants, including reaped children."""
    stats = _proc_stats()
    if pid not in stats:
        raise RuntimeError(f"process {pid} is gone")
    children: dict[int, list[int]] = {}
    for child, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(child)
    ticks, todo = 0, [pid]
    while todo:
        p = todo.pop()
        ticks += stats[p][1]
        todo.extend(children.get(p, []))
    return ticks / os.sysconf("SC_CLK_TCK")


def stop_process(proc: subprocess.Popen[Any] | None, timeout: float = 10) -> None:
    """Stop a process started here and everything it started (by pid, never by name)."""
    if proc is None:
        return
    tree = descendants(proc.pid) if proc.poll() is None else []
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
    for pid in tree:  # children that outlived their parent (e.g. a detached Chromium)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Streamlit:
    """`python -m streamlit run FILE` the way tests/app_server.py starts the app."""

    def __init__(self, script: Path, data_dir: Path) -> None:
        self.script = script
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir / f"streamlit-{self.port}.log"
        self._log_file: io.BufferedWriter | None = None

    def start(self) -> float:
        """Start the server; returns the monotonic time just before the process was started."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "BORGERCASES_DATA_DIR": str(self.data_dir)}
        env.pop("DATABASE_URL", None)
        self._log_file = self.log.open("wb")
        cmd = [PY, "-m", "streamlit", "run", str(self.script), "--server.headless", "true"]
        cmd += ["--server.port", str(self.port), "--server.address", "127.0.0.1"]
        started = time.monotonic()
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT
        )
        return started

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                tail = self.log.read_text(errors="replace") if self.log.exists() else ""
                raise RuntimeError(f"streamlit exited: {error_line(tail)}")
            try:
                with urllib.request.urlopen(self.url + "_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"streamlit not healthy after {timeout:.0f} s")

    def check(self) -> None:
        """Raise if the server has stopped (crashed, or was killed from outside)."""
        if self.proc is None or self.proc.poll() is None:
            return
        rc = self.proc.returncode
        how = f"exit code {rc}"
        if rc < 0:
            with contextlib.suppress(ValueError):
                how = f"killed by {signal.Signals(-rc).name}"
        tail = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
        if tail.strip():
            log("  streamlit log (end):\n" + tail)
        raise RuntimeError(f"streamlit stopped ({how}): {error_line(tail)}")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def db(self) -> Path:
        return self.data_dir / "borgercases.sqlite3"

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> Streamlit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


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


# --- Machine ----------------------------------------------------------------------------------


def chromium_version() -> str:
    try:
        out = subprocess.run(
            [CHROMIUM, "--version"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"Chromium n/a ({short(exc)})"
    lines = [ln.strip() for ln in out.splitlines() if ln.lower().startswith("chromium")]
    return lines[0].split(" built on")[0] if lines else "Chromium (version unknown)"


def machine_line() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    ram = "? GiB"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for ln in Path("/proc/meminfo").read_text().splitlines():
            if ln.startswith("MemTotal:"):
                ram = f"{int(ln.split()[1]) / 1024**2:.1f} GiB RAM"
    os_name = platform.system()
    with contextlib.suppress(OSError):
        for ln in Path("/etc/os-release").read_text().splitlines():
            if ln.startswith("PRETTY_NAME="):
                os_name = ln.split("=", 1)[1].strip('"')
    return (
        f"Machine: {cpu}, {os.cpu_count()} cores, {ram}, {os_name} (Linux {platform.release()}), "
        f"Python {platform.python_version()}, {chromium_version()}"
    )


def load_average() -> str:
    """Other work on the machine skews every figure: the 1/5/15-minute load averages."""
    try:
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


# --- 1. Site builds ---------------------------------------------------------------------------


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
        raise RuntimeError(f"{ZENSICAL.relative_to(ROOT)} not installed")
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


# --- 2. Page weight and requests --------------------------------------------------------------


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


# --- 3. Lighthouse ----------------------------------------------------------------------------


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


# --- Browser helpers for the app --------------------------------------------------------------


@dataclass
class AppWatch:
    """The app's browser contexts and their requests to other hosts. Only recorded, not
    blocked: a route handler would put Python in the path of every request and slow the
    measured pages (and there is no network to reach anyway)."""

    contexts: int = 0
    third_party: list[str] = field(default_factory=list)


def app_context(browser: Any, watch: AppWatch) -> Any:
    """A fresh browser context (no cache, no cookies) for one user of the app."""
    context = browser.new_context(viewport=VIEWPORT, locale="da-DK")
    watch.contexts += 1

    def record(request: Any) -> None:
        if not request.url.startswith(LOCAL):
            watch.third_party.append(request.url)

    context.on("request", record)
    return context


def start_meeting(page: Any, server: Streamlit, team: str) -> str:
    """Start a meeting in the browser with the test suite's own helper (_start in
    tests/test_app_browser.py), so the bench follows the UI as the tests do. Should that fail
    (say, the UI changed ahead of the tests), open a meeting made through the storage instead
    and say so; returns a note for the table ("" when _start worked)."""
    try:
        from tests.test_app_browser import _start

        _start(page, server, team=team)  # type: ignore[arg-type]
        return ""
    except Exception as exc:
        reason = short(exc, 50)
        log(f"  _start from tests/test_app_browser.py failed ({reason}); using storage")
    from playwright.sync_api import expect

    (meeting_id,) = prepare_meetings(server.db, 1, step=0, start_timer=False, prefix=team)
    page.goto(f"{server.url}?m={meeting_id}", timeout=60000)
    expect(page.get_by_role("heading", name=re.compile("Trin 1"))).to_be_visible(timeout=60000)
    return f"; meeting made via storage, _start failed: {reason}"


def click_and_wait(page: Any, button: str, then: Any, timeout: float = 60000) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name=button).click(timeout=timeout)
    expect(then).to_be_visible(timeout=timeout)


# --- 4. Cold start ----------------------------------------------------------------------------


def cold_start_once(
    browser: Any, script: Path, data_dir: Path, kind: str, watch: AppWatch
) -> float:
    """Seconds from process start until the first content is visible in Chromium."""
    context = app_context(browser, watch)
    server = Streamlit(script, data_dir)
    try:
        page = context.new_page()
        started = server.start()
        server.wait_healthy(timeout=60)
        page.goto(server.url, wait_until="commit", timeout=30000)
        hello = page.get_by_text("Hej", exact=True)
        target = page.locator("h1").first if kind == "app" else hello
        target.wait_for(state="visible", timeout=30000)
        return time.monotonic() - started
    finally:
        with contextlib.suppress(Exception):
            context.close()
        server.stop()


def bench_cold_start(report: Report, browser: Any, tmp: Path, watch: AppWatch) -> None:
    hello = tmp / "hello_streamlit.py"
    hello.write_text('import streamlit as st\n\nst.write("Hej")\n')
    scripts = {"app": APP, "hello": hello}
    times: dict[str, list[float]] = {"app": [], "hello": []}
    errors: dict[str, str] = {}
    for i in range(COLD_RUNS):
        for kind in ("app", "hello"):  # alternate, so drift hits both the same
            try:
                data_dir = tmp / f"cold-{kind}-{i}"
                t = cold_start_once(browser, scripts[kind], data_dir, kind, watch)
                times[kind].append(t)
                log(f"  cold start {kind} #{i + 1}: {t:.2f} s")
            except Exception as exc:
                errors[kind] = short(exc)
                log(f"  cold start {kind} #{i + 1} failed: {errors[kind]}")
    for kind in ("app", "hello"):
        if times[kind]:
            runs = ", ".join(f"{t:.2f}" for t in times[kind])
            extra = (
                f"; {COLD_RUNS - len(times[kind])} failed: {errors[kind]}" if kind in errors else ""
            )
            report.metrics[f"cold_{kind}"] = median(times[kind])
            report.set(f"cold_{kind}", f"{median(times[kind]):.2f} s (runs: {runs}{extra})")
        else:
            report.set(f"cold_{kind}", f"n/a ({errors.get(kind, 'no run')})")
    if times["app"] and times["hello"]:
        ratio = median(times["app"]) / median(times["hello"])
        report.metrics["cold_ratio"] = ratio
        report.set("cold_ratio", f"{ratio:.2f}×", "OK" if ratio <= BUDGET_COLD_RATIO else "FAIL")
    else:
        report.set("cold_ratio", "n/a (a cold start failed)")


# --- 5. Server CPU while a timer runs ---------------------------------------------------------


def cpu_rate(pid: int, page: Any, seconds: float) -> float:
    """CPU-seconds per second of the process tree, while Playwright keeps serving the page."""
    cpu0, wall0 = tree_cpu_seconds(pid), time.monotonic()
    page.wait_for_timeout(seconds * 1000)
    cpu1, wall1 = tree_cpu_seconds(pid), time.monotonic()
    return (cpu1 - cpu0) / (wall1 - wall0)


def bench_cpu(report: Report, browser: Any, tmp: Path, watch: AppWatch) -> None:
    with Streamlit(APP, tmp / "cpu-data") as server:
        server.start()
        server.wait_healthy()
        context = app_context(browser, watch)
        try:
            page = context.new_page()
            page.set_default_timeout(20000)
            how = start_meeting(page, server, "Team CPU")
            click_and_wait(page, "Start uret", page.get_by_role("button", name="Pause"))
            page.wait_for_timeout(2000)  # let the first reruns settle
            running = cpu_rate(server.pid, page, CPU_SECONDS)
            report.metrics["cpu_running"] = running
            report.set(
                "cpu_running", f"{running:.3f} CPU-s/s ({running * 100:.1f} % of one core){how}"
            )
            click_and_wait(page, "Pause", page.get_by_role("button", name="Fortsæt"))
            page.wait_for_timeout(2000)
            paused = cpu_rate(server.pid, page, CPU_SECONDS)
            report.set("cpu_paused", f"{paused:.3f} CPU-s/s ({paused * 100:.1f} % of one core)")
        finally:
            with contextlib.suppress(Exception):
                context.close()


# --- 5b. Step changes: »Næste trin«, »Forrige trin«, and a second screen following ---------

STEP_ROUNDS = 5


def bench_steps(report: Report, browser: Any, tmp: Path, watch: AppWatch) -> None:
    """Seconds from a click on »Næste trin« / »Forrige trin« until the new step's heading is
    shown, and until a second screen on the same meeting shows it (it polls every 5 s)."""
    from playwright.sync_api import expect

    with Streamlit(APP, tmp / "steps-data") as server:
        server.start()
        server.wait_healthy()
        context = app_context(browser, watch)
        other = app_context(browser, watch)
        try:
            page = context.new_page()
            page.set_default_timeout(30000)
            start_meeting(page, server, "Team Trin")
            click_and_wait(page, "Start uret", page.get_by_role("button", name="Pause"))
            second = other.new_page()
            second.goto(page.url)
            expect(second.get_by_role("heading", name=re.compile("Trin 1"))).to_be_visible()
            timings: dict[str, list[float]] = {"next": [], "back": [], "follow": []}
            for _ in range(STEP_ROUNDS):
                for action, label, target in (
                    ("next", "Næste trin", 2),
                    ("back", "Forrige trin", 1),
                ):
                    heading = re.compile(f"Trin {target}")
                    t0 = time.monotonic()
                    page.get_by_role("button", name=label).click()
                    expect(page.get_by_role("heading", name=heading)).to_be_visible()
                    timings[action].append(time.monotonic() - t0)
                    expect(second.get_by_role("heading", name=heading)).to_be_visible(timeout=15000)
                    timings["follow"].append(time.monotonic() - t0)
                    # A click at any moment of the second screen's redraw cycle.
                    page.wait_for_timeout(random.uniform(300, 5000))
            for key, values in timings.items():
                spread = f"{min(values):.2f}–{max(values):.2f}"
                report.set(f"steps_{key}", f"median {median(values):.2f} s ({spread} s)")
        finally:
            for c in (context, other):
                with contextlib.suppress(Exception):
                    c.close()


# --- 6. Load: 30 meetings at once -------------------------------------------------------------

OBSERVER_JS = """() => {
  // Records the moments the shown countdown text changes. The fragment may replace the
  // element, so the whole document is watched. Calling again restarts the record.
  if (!window.__bcObserver) {
    const read = () => {
      const el = document.querySelector('.bc-timer__big');
      return el ? el.textContent : null;
    };
    let last = read();
    window.__bcObserver = new MutationObserver(() => {
      const now = performance.now();
      const text = read();
      if (text !== null && text !== last) {
        last = text;
        window.__bcTicks.push(now);
      }
    });
    window.__bcObserver.observe(
      document.body, {subtree: true, childList: true, characterData: true});
  }
  window.__bcTicks = [];
  window.__bcStart = performance.now();
}"""

# Milliseconds since the countdown last changed (or since recording started).
SILENCE_JS = """() => performance.now()
  - (window.__bcTicks.length ? window.__bcTicks[window.__bcTicks.length - 1] : window.__bcStart)"""

COLLECT_JS = """() => {
  window.__bcObserver.disconnect();
  return [window.__bcStart, window.__bcTicks, performance.now()];
}"""


class NotePoller(threading.Thread):
    """Polls the SQLite file and records when each expected note text is stored."""

    def __init__(self, db: Path, expected: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.expected = expected
        self.found: dict[str, float] = {}
        self.error = ""
        self._stop_event = threading.Event()

    def run(self) -> None:
        con: sqlite3.Connection | None = None
        while not self._stop_event.is_set():
            try:
                if con is None:
                    con = sqlite3.connect(self.db, timeout=1)
                rows = con.execute("SELECT meeting_id, text FROM notes").fetchall()
                now = time.monotonic()
                for meeting_id, text in rows:
                    if meeting_id not in self.found and self.expected.get(meeting_id) == text:
                        self.found[meeting_id] = now
            except sqlite3.Error as exc:
                self.error = short(exc)
            time.sleep(0.02)
        if con is not None:
            con.close()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


def _new_team(store: Any, name: str) -> Any:
    """A new team space (the code is not needed: meetings are opened by their address)."""
    team, _code = store.create_team(name)
    return team


def prepare_meetings(
    db: Path, count: int, step: int = 2, start_timer: bool = True, prefix: str = "Team Last"
) -> list[str]:
    """Create ``count`` meetings, by default with a running timer at step 3 (index 2), through
    the app's own storage.

    Clicking 30 meetings into place through the UI while the earlier ones already tick takes
    minutes on a small machine; the pages then open these meetings by their address.
    """
    from datetime import date, timedelta

    from facilitator import timer as tm
    from facilitator.exercise import default_plan_minutes
    from facilitator.storage import Storage

    store = Storage(f"sqlite:///{db}")
    try:
        store.create_schema()
        plan = [m * 60 for m in default_plan_minutes()]
        ids = []
        for n in range(1, count + 1):
            team = _new_team(store, f"{prefix} {n:02d}" if count > 1 else prefix)
            meeting_id = store.create_meeting(
                team,
                date.today(),
                (n - 1) % 10 + 1,
                ["Anne", "Bo", "مريم"],
                plan,
                date.today() + timedelta(days=7),
            )
            if start_timer:
                store.update_timer(team.id, meeting_id, lambda s: tm.start(s, time.time()))
            for _ in range(step):
                store.update_timer(team.id, meeting_id, lambda s: tm.next_step(s, time.time()))
            ids.append(meeting_id)
        return ids
    finally:
        store.dispose()


def _open_meeting_pages(
    report: Report, browser: Any, server: Streamlit, ids: list[str], watch: AppWatch
) -> tuple[list[tuple[Any, str]], int | None]:
    """Open the meetings one page at a time, as meetings would start: each page must show its
    meeting before the next opens, and the earlier ones keep ticking meanwhile. Returns the
    pages shown and how many were open when a countdown first stood still (None: never)."""
    from playwright.sync_api import expect

    pages: list[tuple[Any, str]] = []
    failed: list[str] = []
    stopped = ""
    stalled_at: int | None = None
    open_times: list[float] = []
    deadline = time.monotonic() + LOAD_SETUP_LIMIT
    for n, meeting_id in enumerate(ids, 1):
        if time.monotonic() > deadline:
            stopped = f"setup limit of {LOAD_SETUP_LIMIT} s reached"
            break
        if len(failed) >= LOAD_MAX_FAILURES:
            stopped = "the server no longer keeps up"
            break
        context = app_context(browser, watch)
        started = time.monotonic()
        page_deadline = min(started + LOAD_PAGE_LIMIT, deadline + 10)

        def left(page_deadline: float = page_deadline) -> float:
            return max(1000.0, (page_deadline - time.monotonic()) * 1000)

        try:
            page = context.new_page()
            page.goto(f"{server.url}?m={meeting_id}", wait_until="commit", timeout=left())
            heading = page.get_by_role("heading", name=re.compile("Trin 3"))
            expect(heading).to_be_visible(timeout=left())
            expect(page.locator(".bc-timer__big")).to_be_visible(timeout=left())
            page.get_by_role("textbox").first.wait_for(state="visible", timeout=left())
        except Exception as exc:
            with contextlib.suppress(Exception):
                context.close()
            server.check()  # a dead server explains it better than a timeout
            failed.append(short(exc, 50))
            log(f"  meeting page {n} not shown: {failed[-1]}")
            continue
        open_times.append(time.monotonic() - started)
        pages.append((page, meeting_id))
        page.evaluate(OBSERVER_JS)
        if stalled_at is None:
            with contextlib.suppress(Exception):
                if max(p.evaluate(SILENCE_JS) for p, _ in pages) >= STALL_MS:
                    stalled_at = len(pages)
        if n % 5 == 0:
            log(f"  {len(pages)} meeting pages open (last took {open_times[-1]:.1f} s)")
    log(f"  {len(pages)} meeting pages open" + (f"; stopped: {stopped}" if stopped else ""))
    if not pages:
        raise RuntimeError(f"no meeting page shown: {failed[0] if failed else '?'}")
    opened = (
        f"{len(pages)}/{LOAD_PAGES} shown (took median {median(open_times):.1f} s, "
        f"max {max(open_times):.1f} s)"
    )
    if failed:
        opened += f"; {len(failed)} not shown in {LOAD_PAGE_LIMIT} s ({failed[0]})"
    if stopped:
        opened += f"; stopped opening: {stopped}"
    report.set("load_pages", opened, "" if len(pages) == LOAD_PAGES else "FAIL")
    return pages, stalled_at


def _measure_countdown(
    report: Report, server: Streamlit, pages: list[tuple[Any, str]], stalled_at: int | None
) -> None:
    """Gaps between shown updates of each page's countdown, minus one second."""
    for page, _ in pages:
        page.evaluate(OBSERVER_JS)  # restart the record for the measured window
    me = os.getpid()
    srv0, all0, wall0 = tree_cpu_seconds(server.pid), tree_cpu_seconds(me), time.monotonic()
    pages[0][0].wait_for_timeout(LOAD_SECONDS * 1000)
    wall = time.monotonic() - wall0
    srv = (tree_cpu_seconds(server.pid) - srv0) / wall
    client = (tree_cpu_seconds(me) - all0) / wall - srv
    server.check()
    gaps: list[float] = []  # between two shown updates
    longest = 0.0  # the longest stretch without an update, window edges included
    frozen = 0
    for page, _ in pages:
        start, ticks, end = page.evaluate(COLLECT_JS)
        gaps += [b - a - 1000 for a, b in itertools.pairwise(ticks)]
        stretches = [b - a for a, b in itertools.pairwise([start, *ticks, end])]
        longest = max(longest, *stretches)
        if max(stretches) >= STALL_MS:
            frozen += 1
    if gaps:
        lag = (
            f"median {median(gaps):+.0f} ms, max {max(gaps):+.0f} ms "
            f"({len(gaps)} gaps on {len(pages)} pages)"
        )
    else:
        lag = "no two updates on any page"
    if frozen:
        lag += (
            f"; {frozen} pages stood still ≥ {STALL_MS // 1000} s, longest without update "
            f"{longest / 1000:.0f} s"
        )
    lag += (
        f"; first stood still ≥ {STALL_MS // 1000} s with {stalled_at} meetings open"
        if stalled_at
        else "; none stood still while the pages opened"
    )
    report.set("load_countdown", lag, "FAIL" if frozen or not gaps else "")
    report.set(
        "load_cpu",
        f"server {srv:.2f} CPU-s/s ({srv * 100:.0f} % of one core); "
        f"Chromium + Playwright {client:.2f}",
    )


def _measure_note_saves(report: Report, server: Streamlit, pages: list[tuple[Any, str]]) -> None:
    """Type a note on every page; time from the last keystroke until it is in SQLite."""
    expected = {mid: f"Fokus på jobmål, møde {i:02d}" for i, (_, mid) in enumerate(pages)}
    poller = NotePoller(server.db, expected)
    poller.start()
    typed: dict[str, float] = {}
    failures = 0
    try:
        for page, mid in pages:
            server.check()
            try:
                box = page.get_by_role("textbox").first
                box.click(timeout=10000)
                box.press_sequentially(expected[mid], delay=10, timeout=30000)
                typed[mid] = time.monotonic()
            except Exception as exc:
                failures += 1
                log(f"  typing failed: {short(exc)}")
                if failures >= 3:
                    break
        wait_until = time.monotonic() + NOTE_SAVE_LIMIT
        while time.monotonic() < wait_until and not set(typed) <= set(poller.found):
            pages[0][0].wait_for_timeout(100)
            server.check()
    finally:
        poller.stop()
    lags = [(poller.found[m] - typed[m]) * 1000 for m in typed if m in poller.found]
    missing = len(pages) - len(lags)
    if not lags:
        reason = poller.error or (
            f"no note saved within {NOTE_SAVE_LIMIT} s" if typed else "no note could be typed"
        )
        report.set("load_notes", f"n/a ({reason})", "FAIL")
        return
    text = f"median {median(lags):.0f} ms, max {max(lags):.0f} ms ({len(lags)} notes)"
    if missing:
        text += f"; {missing} not typed or not saved within {NOTE_SAVE_LIMIT} s"
    report.set("load_notes", text, "FAIL" if missing else "")


def bench_load(report: Report, pw: Any, tmp: Path, watch: AppWatch) -> None:
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60000)
    try:
        with Streamlit(APP, tmp / "load-data") as server:
            server.start()
            server.wait_healthy()
            ids = prepare_meetings(server.db, LOAD_PAGES)
            pages, stalled_at = _open_meeting_pages(report, browser, server, ids, watch)
            _measure_countdown(report, server, pages, stalled_at)
            _measure_note_saves(report, server, pages)
    finally:
        with contextlib.suppress(Exception):
            browser.close()  # closes every context and page with it


# --- 7. Participants: a step change reaching many follower pages ------------------------------
#
# Every participant keeps the meeting open on a phone: a passive page that only follows the
# facilitator's step. 30 meetings × 8 phones would be 240 Chromium pages, far more than this
# machine holds, so the followers are headless Streamlit sessions (scripts/stclient.py) that
# speak the browser's protocol – fragments' auto-reruns included – in one asyncio loop in this
# process. Server CPU is measured for the server's process tree only.


def _env_int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, "") or default))
    except ValueError:
        return default


PARTICIPANT_MEETINGS = _env_int("PARTICIPANT_MEETINGS", 30)
PARTICIPANT_PAGES = _env_int("PARTICIPANT_PAGES", 8)  # follower pages per meeting
PARTICIPANT_LIMIT = 15.0  # seconds a follower may take to show the new step
PARTICIPANT_LATE_LIMIT = 60.0  # how long to wait for the late ones, to tell slow from never
PARTICIPANT_STEADY_SECONDS = 20
# The meetings change step one after another over this many seconds.
PARTICIPANT_SPREAD = float(_env_int("PARTICIPANT_SPREAD", 5))
PARTICIPANT_OPEN_LIMIT = 300.0  # seconds for all follower pages to show the current step
PARTICIPANT_PAGE_LIMIT = 120.0  # seconds for one follower page to show it
PARTICIPANT_OPEN_AT_ONCE = 16  # pages being opened at the same time
FROM_STEP, TO_STEP = 1, 2  # step indexes: »Trin 2« → »Trin 3«


class FollowerPage(NamedTuple):
    """The page a participant's phone follows, and how to recognise that it shows a step."""

    query: str  # the query string the page is opened with
    marker_for_step: Callable[[int], Callable[[str], bool]]  # step index -> test of an element
    kind: str  # "participant" or "facilitator"
    dom_for_step: Callable[[int], str]  # step index -> JavaScript, true once Chromium shows it


def _facilitator_marker(step: int) -> Callable[[str], bool]:
    prefix = f"Trin {step + 1}:"
    return lambda text: text.startswith(prefix)


def _facilitator_dom(step: int) -> str:
    return (
        "[...document.querySelectorAll('h1,h2,h3')]"
        f".some(h => h.textContent.trim().startsWith({json.dumps(f'Trin {step + 1}:')}))"
    )


def _participant_marker(step: int) -> Callable[[str], bool]:
    # facilitator/ui/participant.py writes the attribute with single quotes.
    needles = (f"data-pstep='{step}'", f'data-pstep="{step}"')
    return lambda text: any(n in text for n in needles)


def _participant_dom(step: int) -> str:
    selector = f'[data-pstep="{step}"]'
    return f"!!document.querySelector({json.dumps(selector)})"


def follower_query(store: Any, team_id: int, meeting_id: str) -> FollowerPage:
    """The participant page (``j=<join code>``) once the storage hands out join codes, else the
    facilitator's meeting page (``m=<id>``), so the bench works before and after."""
    if hasattr(store, "join_code"):
        code = store.join_code(team_id, meeting_id)
        return FollowerPage(f"j={code}", _participant_marker, "participant", _participant_dom)
    return FollowerPage(f"m={meeting_id}", _facilitator_marker, "facilitator", _facilitator_dom)


def _followed_meetings(store: Any, count: int, prefix: str) -> list[tuple[int, str]]:
    """``count`` meetings with a running timer at step 2 (index 1): (team id, meeting id)."""
    from datetime import date, timedelta

    from facilitator import timer as tm
    from facilitator.exercise import default_plan_minutes

    plan = [m * 60 for m in default_plan_minutes()]
    out = []
    for n in range(1, count + 1):
        team = _new_team(store, f"{prefix} {n:02d}")
        mid = store.create_meeting(
            team, date.today(), (n - 1) % 10 + 1, ["Anne", "Bo"], plan, date.today() + timedelta(7)
        )
        now = time.time()
        store.update_timer(team.id, mid, lambda s, now=now: tm.go_to(tm.start(s, now), 1, now))
        out.append((team.id, mid))
    return out


def _change_step(store: Any, team_id: int, meeting_id: str, step: int) -> float:
    """Move a meeting to ``step`` in the database; returns the monotonic time of the commit
    (taken as the update returns: it re-reads the meeting after committing, a few ms)."""
    from facilitator import timer as tm

    store.update_timer(team_id, meeting_id, lambda s: tm.go_to(s, step, time.time()))
    return time.monotonic()


@dataclass
class Follower:
    """One follower page: the client, what it waits for, and when it first showed it."""

    meeting: int
    page: FollowerPage
    target: Callable[[str], bool]
    client: Any = None
    started: float = 0.0
    seen_at: float | None = None
    error: str = ""

    def hook(self, text: str, t: float) -> None:
        if self.seen_at is None and self.target(text):
            self.seen_at = t

    def query_note(self) -> str:
        return f"{self.meeting + 1} ({self.page.query})"

    def expect(self, step: int) -> None:
        self.target = self.page.marker_for_step(step)
        self.seen_at = None


class LoopLag:
    """How late this process's event loop wakes up: a busy loop delays every timestamp."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: Any = None

    async def _run(self) -> None:
        while True:
            t0 = time.monotonic()
            await asyncio.sleep(0.05)
            self.worst = max(self.worst, time.monotonic() - t0 - 0.05)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    def reset(self) -> None:
        self.worst = 0.0

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


async def _open_followers(server: Streamlit, followers: list[Follower]) -> float:
    """Open every follower page, a few at a time, until each shows step FROM_STEP; returns the
    wall time the whole lot took. A page that fails keeps its error and stays out."""
    from harness.stclient import StreamlitClient

    gate = asyncio.Semaphore(PARTICIPANT_OPEN_AT_ONCE)
    started = time.monotonic()

    async def one(f: Follower) -> None:
        async with gate:
            f.started = time.monotonic()
            client = StreamlitClient(server.url, f.page.query, on_delta=f.hook)
            f.client = client
            try:
                await asyncio.wait_for(client.connect(), PARTICIPANT_PAGE_LIMIT)
                await client.wait_for(lambda c: f.seen_at is not None, PARTICIPANT_PAGE_LIMIT)
            except Exception as exc:
                f.error = short(exc, 60)

    tasks = [asyncio.create_task(one(f)) for f in followers]
    _done, pending = await asyncio.wait(tasks, timeout=PARTICIPANT_OPEN_LIMIT)
    for task in pending:
        task.cancel()
    for f in followers:
        if f.seen_at is None and not f.error:
            f.error = f"not shown within {PARTICIPANT_OPEN_LIMIT:.0f} s"
    return time.monotonic() - started


def _runs(followers: list[Follower]) -> tuple[int, int]:
    """Script runs the pages saw start, and reruns they asked for (all of them auto-reruns)."""
    return (
        sum(f.client.runs_started for f in followers),
        sum(f.client.reruns_sent for f in followers),
    )


def _own_cpu() -> float:
    return time.process_time()


async def _participants_run(
    report: Report, server: Streamlit, store: Any, meetings: list[tuple[int, str]]
) -> None:
    pages = [follower_query(store, tid, mid) for tid, mid in meetings]
    followers = [
        Follower(i, pages[i], pages[i].marker_for_step(FROM_STEP))
        for i in range(len(meetings))
        for _ in range(PARTICIPANT_PAGES)
    ]
    lag = LoopLag()
    lag.start()
    try:
        log(f"  opening {len(followers)} follower pages ({pages[0].kind} page)")
        took = await _open_followers(server, followers)
        server.check()
        ok = [f for f in followers if f.seen_at is not None and not f.error]
        times = [f.seen_at - f.started for f in ok if f.seen_at is not None]
        opened = f"{len(ok)}/{len(followers)} show »Trin {FROM_STEP + 1}« after {took:.1f} s"
        if times:
            opened += f" (per page median {median(times):.1f} s, max {max(times):.1f} s"
            opened += f", {PARTICIPANT_OPEN_AT_ONCE} opening at a time)"
        failed = [f.error for f in followers if f.error]
        if failed:
            opened += f"; {len(failed)} failed: {failed[0]}"
        report.set("participants_open", opened, "" if not failed else "FAIL")
        if not ok:
            raise RuntimeError(f"no follower page opened: {failed[0] if failed else '?'}")
        log(f"  {len(ok)} follower pages open in {took:.1f} s")

        # Steady state: everything open, nothing changes – only the timers' auto-reruns.
        await asyncio.sleep(3)
        runs0, asked0 = _runs(ok)
        srv0, own0, wall0 = tree_cpu_seconds(server.pid), _own_cpu(), time.monotonic()
        lag.reset()
        await asyncio.sleep(PARTICIPANT_STEADY_SECONDS)
        wall = time.monotonic() - wall0
        srv = (tree_cpu_seconds(server.pid) - srv0) / wall
        own = (_own_cpu() - own0) / wall
        runs1, asked1 = _runs(ok)
        runs, asked = (runs1 - runs0) / wall, (asked1 - asked0) / wall
        server.check()
        report.set(
            "participants_cpu_steady",
            f"server {srv:.2f} CPU-s/s ({srv * 100:.0f} % of one core), {runs:.1f} runs/s "
            f"started of {asked:.1f} asked; clients {own:.2f} CPU-s/s, their loop up to "
            f"{lag.worst * 1000:.0f} ms late",
        )
        log(f"  steady: server {srv:.2f} CPU-s/s, {runs:.0f} of {asked:.0f} runs/s")

        # The wave: each meeting moves on to the next step, one after another.
        for f in ok:
            f.expect(TO_STEP)
        by_meeting: dict[int, list[Follower]] = {}
        for f in ok:
            by_meeting.setdefault(f.meeting, []).append(f)
        commits: dict[int, float] = {}
        lag.reset()
        runs0, asked0 = _runs(ok)
        srv0, own0, wall0 = tree_cpu_seconds(server.pid), _own_cpu(), time.monotonic()
        gap = PARTICIPANT_SPREAD / max(1, len(by_meeting))
        for k, i in enumerate(sorted(by_meeting)):
            await asyncio.sleep(max(0.0, wall0 + k * gap - time.monotonic()))
            team_id, meeting_id = meetings[i]
            commits[i] = await asyncio.to_thread(_change_step, store, team_id, meeting_id, TO_STEP)
        deadline = max(commits.values()) + PARTICIPANT_LIMIT
        while time.monotonic() < deadline and any(f.seen_at is None for f in ok):
            await asyncio.sleep(0.05)
        wall = time.monotonic() - wall0
        srv = (tree_cpu_seconds(server.pid) - srv0) / wall
        own = (_own_cpu() - own0) / wall
        runs1, asked1 = _runs(ok)
        server.check()
        report.set(
            "participants_cpu_wave",
            f"server {srv:.2f} CPU-s/s ({srv * 100:.0f} % of one core) over {wall:.1f} s, "
            f"{(runs1 - runs0) / wall:.1f} runs/s started of {(asked1 - asked0) / wall:.1f} "
            f"asked; clients {own:.2f} CPU-s/s, their loop up to {lag.worst * 1000:.0f} ms late",
        )
        # Pages still behind: do they get there later, or never?
        late_deadline = max(commits.values()) + PARTICIPANT_LATE_LIMIT
        while time.monotonic() < late_deadline and any(f.seen_at is None for f in ok):
            await asyncio.sleep(0.1)
        delays = sorted(f.seen_at - commits[f.meeting] for f in ok if f.seen_at is not None)
        missed = sum(1 for d in delays if d > PARTICIPANT_LIMIT) + len(ok) - len(delays)
        never = [f for f in ok if f.seen_at is None]
        closed = sum(1 for f in ok if f.client.closed)
        if never:  # what a page that did not follow shows instead
            c = never[0].client
            log(
                f"  e.g. page {never[0].query_note()}: runs {c.runs_started}, auto-reruns sent "
                f"{c.auto_reruns_sent}, closed: {c.closed}, errors: {c.errors[:1]}, "
                f"shows: {[x[:40] for x in c.texts()][:8]}"
            )
        if delays:
            q = (
                statistics.quantiles(delays, n=20, method="inclusive")
                if len(delays) >= 2
                else delays
            )
            report.set(
                "participants_propagation",
                f"median {median(delays):.2f} s, 95th pct {q[-1]:.2f} s, worst "
                f"{max(delays):.2f} s ({len(delays)} pages; {len(by_meeting)} meetings changed "
                f"over {PARTICIPANT_SPREAD:.0f} s)",
            )
        text = f"{missed} of {len(ok)}"
        if missed:
            text += (
                f" ({missed - len(never)} shown later, {len(never)} not within "
                f"{PARTICIPANT_LATE_LIMIT:.0f} s)"
            )
        if closed:
            text += f"; {closed} connections lost"
        report.set("participants_missed", text, "OK" if missed == 0 else "FAIL")
        log(f"  wave: {len(ok) - missed} pages followed in time, {missed} not; server {srv:.2f}")
    finally:
        lag.stop()
        await asyncio.gather(
            *(f.client.close() for f in followers if f.client is not None),
            return_exceptions=True,
        )


async def compare_with_chromium(
    base_url: str, store: Any, team_id: int, meeting_id: str, clients: int = 2
) -> dict[str, Any]:
    """One meeting at step FROM_STEP, ``clients`` follower clients and one Chromium page on the
    same address; the step changes in the database. Returns, in seconds after the commit, when
    each showed the new step (None: not within PARTICIPANT_LIMIT), and the page's kind."""
    from playwright.async_api import async_playwright

    from harness.stclient import StreamlitClient

    page_def = follower_query(store, team_id, meeting_id)
    followers = [Follower(0, page_def, page_def.marker_for_step(FROM_STEP)) for _ in range(clients)]
    result: dict[str, Any] = {"kind": page_def.kind}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60000
        )
        try:
            page = await browser.new_page(locale="da-DK")
            await page.goto(f"{base_url}?{page_def.query}", timeout=60000)
            await page.wait_for_function(f"() => {page_def.dom_for_step(FROM_STEP)}", timeout=60000)
            # Record in the page when the new step first shows (wall clock, ms).
            await page.evaluate(
                """(check) => {
                  window.__bcSeen = null;
                  const test = new Function('return ' + check);
                  const obs = new MutationObserver(() => {
                    if (window.__bcSeen === null && test()) { window.__bcSeen = Date.now(); }
                  });
                  obs.observe(document.body, {subtree: true, childList: true,
                                              characterData: true, attributes: true});
                }""",
                page_def.dom_for_step(TO_STEP),
            )
            for f in followers:
                f.client = StreamlitClient(base_url, page_def.query, on_delta=f.hook)
                await asyncio.wait_for(f.client.connect(), 60)
                await f.client.wait_for(lambda c, f=f: f.seen_at is not None, 60)
                f.expect(TO_STEP)
            wall_commit = time.time()
            commit = await asyncio.to_thread(_change_step, store, team_id, meeting_id, TO_STEP)
            deadline = commit + PARTICIPANT_LIMIT
            seen_ms: float | None = None
            while time.monotonic() < deadline:
                seen_ms = await page.evaluate("() => window.__bcSeen")
                if seen_ms is not None and all(f.seen_at is not None for f in followers):
                    break
                await asyncio.sleep(0.1)
            result["chromium"] = None if seen_ms is None else seen_ms / 1000 - wall_commit
            result["clients"] = [
                None if f.seen_at is None else f.seen_at - commit for f in followers
            ]
            result["client_texts"] = [f.client.texts() for f in followers]
        finally:
            await asyncio.gather(
                *(f.client.close() for f in followers if f.client is not None),
                return_exceptions=True,
            )
            await browser.close()
    return result


def bench_participants(report: Report, tmp: Path) -> None:
    from facilitator.storage import Storage

    with Streamlit(APP, tmp / "participants-data") as server:
        server.start()
        server.wait_healthy()
        store = Storage(f"sqlite:///{server.db}")
        try:
            store.create_schema()
            meetings = _followed_meetings(store, PARTICIPANT_MEETINGS, "Team Deltagere")
            kind = follower_query(store, *meetings[0]).kind
            report.set(
                "participants_page",
                "participant page (j=<join code>, marker data-pstep)"
                if kind == "participant"
                else "facilitator meeting page (m=<id>, heading »Trin n:«): "
                "the storage has no join_code yet",
            )
            asyncio.run(_participants_run(report, server, store, meetings))
            # The client against Chromium on one fresh meeting, the followers closed.
            ((team_id, meeting_id),) = _followed_meetings(store, 1, "Team Chromium")
            got = asyncio.run(compare_with_chromium(server.url, store, team_id, meeting_id))
            shown = [got["chromium"], *got["clients"]]
            text = ", ".join(
                f"{name} {'not shown' if s is None else f'{s:.2f} s'}"
                for name, s in zip(["Chromium", "client 1", "client 2"], shown, strict=False)
            )
            report.set(
                "participants_chromium",
                text,
                "OK" if all(s is not None and s <= PARTICIPANT_LIMIT for s in shown) else "FAIL",
            )
        finally:
            store.dispose()


# --- Budgets ----------------------------------------------------------------------------------


def print_budgets(report: Report) -> None:
    m = report.metrics

    def verdict(ok: bool | None) -> str:
        return "n/a " if ok is None else ("PASS" if ok else "FAIL")

    lines = []
    case_kb = m.get("case_kb")
    lines.append(
        (
            None if case_kb is None else case_kb <= BUDGET_CASE_KB,
            f"Case page transferred ≤ {BUDGET_CASE_KB} KB",
            "not measured" if case_kb is None else f"{case_kb:.1f} KB",
        )
    )
    for cat, floor in (
        ("performance", BUDGET_LH_PERFORMANCE),
        ("accessibility", BUDGET_LH_ACCESSIBILITY),
    ):
        values = {p: m.get(f"lh_{p}_{cat}") for p in SITE_PAGES}
        known = [v for v in values.values() if v is not None]
        ok: bool | None = all(v >= floor for v in known) if known else None
        if ok and len(known) < len(values):
            ok = None  # what was measured holds, but not everything was measured
        label = f"Lighthouse {cat} " + ("= 100" if floor == 100 else f"≥ {floor}")
        shown = ", ".join(f"{p} {'n/a' if v is None else int(v)}" for p, v in values.items())
        lines.append((ok, label, shown))
    ratio = m.get("cold_ratio")
    lines.append(
        (
            None if ratio is None else ratio <= BUDGET_COLD_RATIO,
            f"App cold start ≤ {BUDGET_COLD_RATIO}× hello-world Streamlit",
            "not measured" if ratio is None else f"{ratio:.2f}×",
        )
    )
    third = {p: m.get(f"{p}_third") for p in SITE_PAGES}
    third["app"] = m.get("app_third")
    measured = {k: v for k, v in third.items() if v is not None}
    ok3: bool | None = None
    if measured:
        ok3 = all(v == 0 for v in measured.values())
        if ok3 and len(measured) < len(third):
            ok3 = None
    lines.append(
        (
            ok3,
            "Zero third-party requests",
            ", ".join(f"{k} {'n/a' if v is None else int(v)}" for k, v in third.items()),
        )
    )
    print("Budgets:")
    for ok, label, value in lines:
        print(f"  {verdict(ok)}  {label}: {value}")
    failed = sum(1 for ok, _, _ in lines if ok is False)
    unknown = sum(1 for ok, _, _ in lines if ok is None)
    summary = f"{len(lines) - failed - unknown} of {len(lines)} budgets hold"
    if failed:
        summary += f", {failed} FAIL"
    if unknown:
        summary += f", {unknown} not measured"
    print(f"  => {summary}")


# --- Main -------------------------------------------------------------------------------------


def declare_rows(report: Report) -> None:
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
    d("cold_app", f"Cold start: facilitator app (median of {COLD_RUNS})")
    d("cold_hello", f"Cold start: hello-world Streamlit (median of {COLD_RUNS})")
    d("cold_ratio", "Cold start: app / hello-world", f"≤ {BUDGET_COLD_RATIO}×")
    d("cpu_running", f"Server CPU, 1 meeting, timer running ({CPU_SECONDS} s)")
    d("cpu_paused", f"Server CPU, 1 meeting, timer paused ({CPU_SECONDS} s)")
    d("steps_next", f"»Næste trin« → new step shown ({STEP_ROUNDS} clicks)")
    d("steps_back", f"»Forrige trin« → step shown ({STEP_ROUNDS} clicks)")
    d("steps_follow", "A second screen follows a step change", "≤ 5 s")
    d("load_pages", "Load: meetings open with a running timer, step 3")
    d("load_countdown", f"Load: countdown lag (update gap − 1000 ms, {LOAD_SECONDS} s)")
    d("load_cpu", f"Load: CPU during the {LOAD_SECONDS} s")
    d("load_notes", "Load: note-save lag (last keystroke → SQLite)")
    d("app_third", "App pages: requests to other hosts (all runs)", "0")
    pages = f"{PARTICIPANT_MEETINGS} meetings × {PARTICIPANT_PAGES} pages"
    d("participants_page", "Participants: the page the followers open")
    d("participants_open", f"Participants: open {pages} (headless clients)")
    d(
        "participants_cpu_steady",
        f"Participants: CPU, all open, no change ({PARTICIPANT_STEADY_SECONDS} s)",
    )
    d("participants_propagation", "Participants: step change, DB commit → shown on each page")
    limit = f"{PARTICIPANT_LIMIT:.0f} s"
    d("participants_missed", f"Participants: pages not showing it within {limit}", "0")
    d("participants_cpu_wave", "Participants: CPU during the change wave")
    d("participants_chromium", "Participants: same change, Chromium page vs 2 clients")


def run_browser_sections(
    report: Report, site: SiteServer | None, tmp: Path, watch: AppWatch
) -> None:
    site_keys = [k for k in report.rows if k.split("_")[0] in SITE_PAGES]
    app_keys = [k for k in report.rows if k.startswith(("cold_", "cpu_", "load_", "steps_"))]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        report.unset(site_keys + app_keys, f"playwright missing: {short(exc)}")
        return
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60000
            )
        except Exception as exc:
            report.unset(site_keys + app_keys, f"Chromium: {short(exc)}")
            return
        try:
            if site is not None:
                report.section(
                    "page weight", site_keys, lambda: bench_page_weight(report, browser, site)
                )
            report.section(
                "cold start",
                [k for k in app_keys if k.startswith("cold_")],
                lambda: bench_cold_start(report, browser, tmp, watch),
            )
            report.section(
                "server CPU",
                [k for k in app_keys if k.startswith("cpu_")],
                lambda: bench_cpu(report, browser, tmp, watch),
            )
            report.section(
                "step changes",
                [k for k in app_keys if k.startswith("steps_")],
                lambda: bench_steps(report, browser, tmp, watch),
            )
        finally:
            with contextlib.suppress(Exception):
                browser.close()
        # Its own, fresh Chromium: 30 pages in one browser.
        report.section(
            f"load with {LOAD_PAGES} meetings",
            [k for k in app_keys if k.startswith("load_")],
            lambda: bench_load(report, pw, tmp, watch),
        )


def run_all(report: Report, tmp: Path, watch: AppWatch) -> None:
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
    site: SiteServer | None = None
    if site_dir is None:
        report.unset(site_keys, "no built site (run make site)")
    else:
        try:
            site = SiteServer(site_dir).start()
        except Exception as exc:
            report.unset(site_keys, f"site server: {short(exc)}")
    try:
        if site is not None:
            report.section(
                "Lighthouse",
                [k for k in site_keys if k.startswith("lh_")],
                lambda: bench_lighthouse(report, site, tmp),
            )
        run_browser_sections(report, site, tmp, watch)
    finally:
        if site is not None:
            site.stop()
    run_participants(report, tmp)


def run_participants(report: Report, tmp: Path) -> None:
    """After the browser sections: its own asyncio loop, no sync Playwright around it."""
    report.section(
        f"participants: {PARTICIPANT_MEETINGS} meetings × {PARTICIPANT_PAGES} follower pages",
        [k for k in report.rows if k.startswith("participants_")],
        lambda: bench_participants(report, tmp),
    )


def main() -> int:
    report = Report()
    declare_rows(report)
    log("describing the machine")
    machine = machine_line()
    load_before = load_average()
    tmp = Path(tempfile.mkdtemp(prefix="borgercases-bench-"))
    watch = AppWatch()
    only_participants = sys.argv[1:] == ["--only", "participants"]
    if only_participants:
        report.rows = {k: r for k, r in report.rows.items() if k.startswith("participants_")}
    try:
        if only_participants:
            run_participants(report, tmp)
        else:
            run_all(report, tmp, watch)
    except Exception as exc:  # a bug in the bench itself: still print what was measured
        log(f"bench stopped early: {exc!r}")
        report.unset(list(report.rows), f"bench stopped early: {short(exc)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    if watch.contexts:
        report.metrics["app_third"] = len(watch.third_party)
        hosts = sorted({u.split("/")[2] for u in watch.third_party if "://" in u})
        report.set(
            "app_third",
            f"{len(watch.third_party)} (in {watch.contexts} browser contexts)"
            + (f": {', '.join(hosts)}" if hosts else ""),
            "OK" if not watch.third_party else "FAIL",
        )
    if "app_third" in report.rows:
        report.unset(["app_third"], "no app page opened")

    total = time.monotonic() - T0
    print()
    print("Borgercases bench – " + time.strftime("%Y-%m-%d %H:%M"))
    print(machine)
    print(f"Load average (1/5/15 min): {load_before} at start, {load_average()} at end")
    print()
    report.print_table()
    print()
    for note in report.notes:
        print(f"Note: {note}")
    if not only_participants:
        print(
            "Note: KB = 1024 bytes; transferred = status lines + headers + gzip bodies on the wire."
        )
        print()
        print_budgets(report)
        print()
    print(f"Total runtime: {int(total // 60)} min {total % 60:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
