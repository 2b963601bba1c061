"""Participants: how fast a step change reaches many follower pages (participants' phones).

Every participant keeps the meeting open on a phone: a passive page that only follows the
facilitator's step. 30 meetings × 8 phones would be 240 Chromium pages, far more than this
machine holds, so the followers are headless Streamlit sessions (harness/stclient.py) that
speak the browser's protocol – fragments' auto-reruns included – in one asyncio loop in this
process. Server CPU is measured for the server's process tree only. One Chromium page checks,
on a fresh meeting, that it sees the step change as the headless clients do."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from bench.common import env_int
from bench.procs import tree_cpu_seconds
from bench.report import Report, log, median, short
from harness import CHROMIUM_LAUNCH
from harness.app_server import AppServer

PARTICIPANT_MEETINGS = env_int("PARTICIPANT_MEETINGS", 30)
PARTICIPANT_PAGES = env_int("PARTICIPANT_PAGES", 8)  # follower pages per meeting
PARTICIPANT_LIMIT = 15.0  # seconds a follower may take to show the new step
PARTICIPANT_LATE_LIMIT = 60.0  # how long to wait for the late ones, to tell slow from never
PARTICIPANT_STEADY_SECONDS = 20
# The meetings change step one after another over this many seconds.
PARTICIPANT_SPREAD = float(env_int("PARTICIPANT_SPREAD", 5))
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
    from harness.meetings import running_meeting

    return [
        running_meeting(store, f"{prefix} {n:02d}", 1, case_number=(n - 1) % 10 + 1)
        for n in range(1, count + 1)
    ]


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


async def _open_followers(server: AppServer, followers: list[Follower]) -> float:
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
    report: Report, server: AppServer, store: Any, meetings: list[tuple[int, str]]
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
        browser = await pw.chromium.launch(**CHROMIUM_LAUNCH)
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

    with AppServer(tmp / "participants-data") as server:
        server.start()
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


# --- The section ------------------------------------------------------------------------------


def declare(report: Report) -> None:
    d = report.declare
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


def run(report: Report, tmp: Path) -> None:
    """Its own asyncio loop: run it after, never inside, sync Playwright."""
    report.section(
        f"participants: {PARTICIPANT_MEETINGS} meetings × {PARTICIPANT_PAGES} follower pages",
        [k for k in report.rows if k.startswith("participants_")],
        lambda: bench_participants(report, tmp),
    )
