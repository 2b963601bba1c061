"""The facilitator app in Chromium: its cold start against a hello-world Streamlit app, the
server's CPU while a timer runs, how fast a step change shows (on a second screen too), and
30 meetings open at once: countdown lag, CPU and how long a note takes to reach the database."""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import re
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.budgets import BUDGET_COLD_RATIO
from bench.common import APP, LOCAL, VIEWPORT, new_team
from bench.procs import tree_cpu_seconds
from bench.report import Report, log, median, short
from harness import CHROMIUM_LAUNCH
from harness.app_server import AppServer, start_meeting_in_browser

COLD_RUNS = 3
CPU_SECONDS = 20
LOAD_PAGES = 30
LOAD_SECONDS = 20
LOAD_SETUP_LIMIT = 240  # seconds; the load test goes on with the meetings opened by then
LOAD_PAGE_LIMIT = 60  # seconds for one meeting page to show its meeting
STALL_MS = 5000  # a countdown not changing for this long has stood still
LOAD_MAX_FAILURES = 2  # pages not shown in time before the load test stops opening more
NOTE_SAVE_LIMIT = 60  # seconds to wait for the last note to reach the database

# --- Browser helpers --------------------------------------------------------------------------


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


def start_meeting(page: Any, server: AppServer, team: str) -> str:
    """Start a meeting in the browser with the tests' own helper
    (harness.app_server.start_meeting_in_browser), so the bench follows the UI as the tests
    do. Should that fail (say, the UI changed ahead of the tests), open a meeting made through
    the storage instead and say so; returns a note for the table ("" when that worked)."""
    try:
        start_meeting_in_browser(page, server, team=team)
        return ""
    except Exception as exc:
        reason = short(exc, 50)
        log(f"  start_meeting_in_browser failed ({reason}); using storage")
    from playwright.sync_api import expect

    (meeting_id,) = prepare_meetings(server.db, 1, step=0, start_timer=False, prefix=team)
    page.goto(meeting_url(server, meeting_id), timeout=60000)
    expect(page.get_by_role("heading", name=re.compile("Trin 1"))).to_be_visible(timeout=60000)
    return f"; meeting made via storage, start_meeting_in_browser failed: {reason}"


def click_and_wait(page: Any, button: str, then: Any, timeout: float = 60000) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name=button).click(timeout=timeout)
    expect(then).to_be_visible(timeout=timeout)


# --- Cold start --------------------------------------------------------------------------------


def cold_start_once(
    browser: Any, script: Path, data_dir: Path, kind: str, watch: AppWatch
) -> float:
    """Seconds from process start until the first content is visible in Chromium."""
    context = app_context(browser, watch)
    server = AppServer(data_dir, script=script)
    try:
        page = context.new_page()
        server.start(timeout=60)
        started = server.started_at
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


# --- Server CPU while a timer runs -------------------------------------------------------------


def cpu_rate(pid: int, page: Any, seconds: float) -> float:
    """CPU-seconds per second of the process tree, while Playwright keeps serving the page."""
    cpu0, wall0 = tree_cpu_seconds(pid), time.monotonic()
    page.wait_for_timeout(seconds * 1000)
    cpu1, wall1 = tree_cpu_seconds(pid), time.monotonic()
    return (cpu1 - cpu0) / (wall1 - wall0)


def bench_cpu(report: Report, browser: Any, tmp: Path, watch: AppWatch) -> None:
    with AppServer(tmp / "cpu-data") as server:
        server.start()
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


# --- Step changes: »Næste trin«, »Forrige trin«, and a second screen following -----------------

STEP_ROUNDS = 5


def bench_steps(report: Report, browser: Any, tmp: Path, watch: AppWatch) -> None:
    """Seconds from a click on »Næste trin« / »Forrige trin« until the new step's heading is
    shown, and until a second screen on the same meeting shows it (it polls every 5 s)."""
    from playwright.sync_api import expect

    with AppServer(tmp / "steps-data") as server:
        server.start()
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


# --- Load: 30 meetings at once ---------------------------------------------------------------

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


def meeting_url(server: AppServer, meeting_id: str) -> str:
    """A meeting's page with a grant of its team (a meeting's address alone opens nothing)."""
    from facilitator.storage import Storage
    from harness.meetings import meeting_query

    store = Storage(f"sqlite:///{server.db}")
    try:
        return f"{server.url}?{meeting_query(store, meeting_id)}"
    finally:
        store.dispose()


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
            team = new_team(store, f"{prefix} {n:02d}" if count > 1 else prefix)
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
    report: Report, browser: Any, server: AppServer, ids: list[str], watch: AppWatch
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
            page.goto(meeting_url(server, meeting_id), wait_until="commit", timeout=left())
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
    report: Report, server: AppServer, pages: list[tuple[Any, str]], stalled_at: int | None
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


def _measure_note_saves(report: Report, server: AppServer, pages: list[tuple[Any, str]]) -> None:
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
    browser = pw.chromium.launch(**CHROMIUM_LAUNCH)
    try:
        with AppServer(tmp / "load-data") as server:
            server.start()
            ids = prepare_meetings(server.db, LOAD_PAGES)
            pages, stalled_at = _open_meeting_pages(report, browser, server, ids, watch)
            _measure_countdown(report, server, pages, stalled_at)
            _measure_note_saves(report, server, pages)
    finally:
        with contextlib.suppress(Exception):
            browser.close()  # closes every context and page with it


# --- The section ------------------------------------------------------------------------------


def declare(report: Report) -> None:
    d = report.declare
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


def _browser_sections(report: Report, tmp: Path, watch: AppWatch) -> None:
    app_keys = [k for k in report.rows if k.startswith(("cold_", "cpu_", "load_", "steps_"))]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        report.unset(app_keys, f"playwright missing: {short(exc)}")
        return
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(**CHROMIUM_LAUNCH)
        except Exception as exc:
            report.unset(app_keys, f"Chromium: {short(exc)}")
            return
        try:
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


def run(report: Report, tmp: Path) -> None:
    watch = AppWatch()
    try:
        _browser_sections(report, tmp, watch)
    finally:
        if watch.contexts:
            report.metrics["app_third"] = len(watch.third_party)
            hosts = sorted({u.split("/")[2] for u in watch.third_party if "://" in u})
            report.set(
                "app_third",
                f"{len(watch.third_party)} (in {watch.contexts} browser contexts)"
                + (f": {', '.join(hosts)}" if hosts else ""),
                "OK" if not watch.third_party else "FAIL",
            )
        report.unset(["app_third"], "no app page opened")
