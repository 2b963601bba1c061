"""Capacity: how many meetings, with how many phones each, one machine carries – per database
back end and number of app processes.

    python -m bench.capacity                  # the whole matrix, just this table
    python -m bench --only capacity           # the same, as a section of `make bench`
    CAPACITY_MEETINGS=3 CAPACITY_PAGES=2 CAPACITY_BACKENDS=sqlite CAPACITY_PROCESSES=1 \\
        CAPACITY_SECONDS=8 python -m bench.capacity        # one small cell, for development

Every page is a browser-free client (harness/stclient.py, the facilitator's actions from
harness/loadclient.py): the messages a browser tab sends over Streamlit's WebSocket, the
fragments' auto-reruns included, without rendering – so several hundred pages fit on the
machine beside the app. tests/test_loadclient.py checks that its figures match Chromium's
(the same scenario through scripts/load.py in Chromium and through the client: the same
acknowledged writes, the same data stored, acknowledgement times of the same order).

One row per cell of the matrix meetings × phone pages per meeting × back end × app processes
(knobs below). Each cell:

1. starts the database – a SQLite file in a fresh data folder, or a fresh database in one
   throwaway PostgreSQL server (harness/postgres.py) shared by the PostgreSQL cells – and K app
   processes (harness/app_server.py) on that same database (for SQLite: the same data folder;
   if two processes on one SQLite file fail, that failure is the cell's figure);
2. prepares the meetings directly in the database (facilitator.storage.Storage): each at
   »Trin 3« (Fælles diskussion) with a running timer, and a join code for its phones;
3. opens one facilitator page per meeting (``?m=<id>``) and P phone pages (``?j=<code>``),
   spread over the processes as sticky sessions behind a proxy would be: the facilitator of
   meeting i on process i mod K, its phone j on process (i + j) mod K – so with K = 2 a step
   change has to travel from one process to the other through the database;
4. **steady**: everything open, nothing typed, for CAPACITY_STEADY seconds: server CPU;
5. **typing**: for CAPACITY_SECONDS every facilitator commits a note every 2–3 s (the four
   note fields in turn, each text growing), as the browser commits it (one ``rerun_script``
   for the notes' fragment with the field's new text) and waits for »Gemt kl. … · N tegn«
   under the field: **note ack** p50/p95/max, from the commit's message to that caption. (A
   typing user sees 0.7 s more: the page helper commits after a 0.7 s pause in typing.);
6. **step change**: every facilitator clicks »Næste trin« (inside the timer fragment, with its
   fragment id), the clicks spread over 5 s; from the click's commit (the meetings' steps are
   polled in the database every 0.1 s; a phone that shows it before the poll saw it counts
   0 s) to each phone showing the new step (``data-pstep='3'``): **step** p50/p95/max; phones
   not showing it within 15 s are **missed**. Also the click's own acknowledgement (the
   facilitator page shows »Trin 4«) and how long after the click the step was stored;
7. **writes**: the acknowledged writes (note saves, step clicks) against what the database
   holds (the notes' revision counts, the meetings' steps); every note must hold its last
   acknowledged text (or a later one not yet acknowledged) – anything else is **lost**;
8. **CPU**: CPU-seconds per second of the K app processes' trees (psutil), during the typing
   phase (and the steady phase in brackets), in % of the machine's cores; for PostgreSQL the
   database server's own CPU separately; and the clients' own CPU (this process: if it is near
   one core, the client may have been the bottleneck) with how late its event loop woke up.

The target cell, 30 meetings × 8 phones, is marked OK when note ack p95 ≤ 1 s (a commit never
acknowledged counted as 30 s), step p95 ≤ 6 s, nothing missed and nothing lost; the target
applies to the best configuration, named in the row ``capacity_target``.

Seen while building this (Streamlit 1.67): now and then (about 1 in 400 commits, also at one
commit per 2–3 s) a note's commit is stored but never acknowledged – the notes fragment's run
starts, and ends without its elements or a ``script_finished`` when the timer panel's
auto-rerun arrives right after it. The row reports such commits as "unacknowledged" and the
writes check counts them as stored. Not yet reproduced in Chromium (too few commits there).

Knobs (environment): CAPACITY_MEETINGS="10,30,60", CAPACITY_PAGES="0,8",
CAPACITY_BACKENDS="sqlite,postgresql", CAPACITY_PROCESSES="1,2", CAPACITY_SECONDS=30 (typing),
CAPACITY_STEADY=10. A cell that fails prints n/a (reason) and the next one runs; every process
started here is stopped in a ``finally``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psutil
from sqlalchemy import text

from bench.participants import LoopLag
from bench.procs import tree_cpu
from bench.report import Report, log, median, short
from harness.stclient import run_in_thread

T = TypeVar("T")


def _env_ints(name: str, default: str) -> list[int]:
    raw = os.environ.get(name, "") or default
    return [int(x) for x in raw.replace(" ", "").split(",") if x]


def _env_names(name: str, default: str) -> list[str]:
    raw = os.environ.get(name, "") or default
    return [x.strip().lower() for x in raw.split(",") if x.strip()]


MEETINGS = _env_ints("CAPACITY_MEETINGS", "10,30,60")
PAGES = _env_ints("CAPACITY_PAGES", "0,8")
BACKENDS = _env_names("CAPACITY_BACKENDS", "sqlite,postgresql")
PROCESSES = _env_ints("CAPACITY_PROCESSES", "1,2")
TYPING_SECONDS = float(os.environ.get("CAPACITY_SECONDS", "") or 30)
STEADY_SECONDS = float(os.environ.get("CAPACITY_STEADY", "") or 10)

TARGET = (30, 8)  # meetings, phones per meeting
TARGET_NOTE_P95 = 1.0  # seconds
TARGET_STEP_P95 = 6.0  # seconds

FROM_STEP, TO_STEP = 2, 3  # step indexes: »Trin 3« → »Trin 4«
NOTE_KEYS = ("q0", "q1", "q2", "general")  # the note fields of »Trin 3«
NOTE_INTERVAL = (2.0, 3.0)  # seconds between one facilitator's commits
ACK_TIMEOUT = 30.0
STEP_SPREAD = 5.0  # seconds over which the facilitators click »Næste trin«
STEP_LIMIT = 15.0  # a phone later than this after the click's acknowledgement has missed it
OPEN_AT_ONCE = 16  # pages being opened at the same time
PAGE_LIMIT = 120.0  # seconds for one page to open
OPEN_LIMIT = 400.0  # seconds for all pages of a cell to open
APP_START_LIMIT = 120.0
BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass(frozen=True)
class Cell:
    meetings: int
    pages: int
    backend: str
    processes: int

    @property
    def key(self) -> str:
        return f"capacity_{self.meetings}x{self.pages}_{self.backend}_{self.processes}p"

    @property
    def config(self) -> str:
        return f"{BACKEND_NAMES.get(self.backend, self.backend)} · {self.processes} proc"

    @property
    def label(self) -> str:
        return f"{self.meetings} meetings × {self.pages} phones · {self.config}"

    @property
    def is_target(self) -> bool:
        return (self.meetings, self.pages) == TARGET


def cells() -> list[Cell]:
    return [Cell(m, p, b, k) for m in MEETINGS for p in PAGES for b in BACKENDS for k in PROCESSES]


def declare(report: Report) -> None:
    """The section's rows (bench/__main__.py calls every section's declare and run)."""
    declare_rows(report)


def declare_rows(report: Report) -> None:
    for cell in cells():
        budget = ""
        if cell.is_target:
            budget = f"note p95 ≤ {TARGET_NOTE_P95:g} s, step p95 ≤ {TARGET_STEP_P95:g} s, 0 lost"
        report.declare(cell.key, f"Capacity: {cell.label}", budget)
    if any(c.is_target for c in cells()):
        report.declare(
            "capacity_target",
            f"Capacity: {TARGET[0]} meetings × {TARGET[1]} phones, best configuration",
            "OK in at least one",
        )


# --- Measuring ------------------------------------------------------------------------------


def quantiles(values: list[float]) -> tuple[float, float, float]:
    """(median, 95th percentile, max)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0], ordered[0], ordered[0]
    p95 = statistics.quantiles(ordered, n=20, method="inclusive")[-1]
    return median(ordered), p95, ordered[-1]


def triple(values: list[float]) -> str:
    if not values:
        return "–"
    p50, p95, worst = quantiles(values)
    return f"{p50:.2f}/{p95:.2f}/{worst:.2f} s"


class CpuMeter:
    """CPU-seconds of some process trees (children that ended count through their parent); a
    tree that is gone counts 0."""

    def __init__(self, pids: list[int]) -> None:
        self.procs = [psutil.Process(pid) for pid in pids]

    def total(self) -> float:
        seconds = 0.0
        for proc in self.procs:
            with contextlib.suppress(psutil.Error):
                seconds += tree_cpu(proc)
        return seconds


@dataclass
class Phase:
    """CPU of the servers, the database and the clients over one phase."""

    server: float = 0.0  # CPU-s per s, all app processes
    database: float = 0.0  # CPU-s per s, PostgreSQL (0 for SQLite)
    client: float = 0.0  # CPU-s per s, this process
    lag: float = 0.0  # worst event-loop lateness, seconds


class Meter:
    def __init__(self, servers: CpuMeter, database: CpuMeter | None, lag: LoopLag) -> None:
        self.servers = servers
        self.database = database
        self.lag = lag
        self._start = (0.0, 0.0, 0.0, 0.0)

    def _now(self) -> tuple[float, float, float, float]:
        db = self.database.total() if self.database is not None else 0.0
        return time.monotonic(), self.servers.total(), db, time.process_time()

    def start(self) -> None:
        self.lag.reset()
        self._start = self._now()

    def stop(self) -> Phase:
        end = self._now()
        wall = max(1e-6, end[0] - self._start[0])
        return Phase(
            server=(end[1] - self._start[1]) / wall,
            database=(end[2] - self._start[2]) / wall,
            client=(end[3] - self._start[3]) / wall,
            lag=self.lag.worst,
        )


# --- The pages ------------------------------------------------------------------------------


def _needles(step: int) -> tuple[str, str]:
    # facilitator/ui/participant.py writes the attribute with single quotes.
    return f"data-pstep='{step}'", f'data-pstep="{step}"'


@dataclass
class Phone:
    meeting: int
    url: str
    query: str
    client: Any = None
    needles: tuple[str, str] = _needles(FROM_STEP)
    seen_at: float | None = None
    error: str = ""

    def hook(self, text: str, t: float) -> None:
        if self.seen_at is None and any(n in text for n in self.needles):
            self.seen_at = t

    def expect(self, step: int) -> None:
        self.needles = _needles(step)
        self.seen_at = None


@dataclass
class Desk:
    """One meeting's facilitator page and what it had acknowledged."""

    index: int
    team_id: int
    meeting_id: str
    url: str
    grant: str = ""  # a grant of the team: a meeting's address alone opens nothing
    page: Any = None
    error: str = ""
    current: dict[str, str] = field(default_factory=dict)  # what each field holds
    acked: dict[str, str] = field(default_factory=dict)  # the last acknowledged text
    acks: dict[str, int] = field(default_factory=dict)  # acknowledged saves per field
    typed: dict[str, list[str]] = field(default_factory=dict)  # sent after the last ack
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    click_sent: float | None = None
    click_acked: float | None = None
    click_latency: float | None = None


async def _open_pages(desks: list[Desk], phones: list[Phone]) -> float:
    from harness.loadclient import Facilitator
    from harness.stclient import StreamlitClient

    gate = asyncio.Semaphore(OPEN_AT_ONCE)
    started = time.monotonic()

    async def desk(d: Desk) -> None:
        async with gate:
            d.page = Facilitator(d.url, d.meeting_id, d.grant, open_timeout=PAGE_LIMIT)
            try:
                await asyncio.wait_for(d.page.open(PAGE_LIMIT), PAGE_LIMIT + 10)
                if d.page.step() != FROM_STEP + 1:
                    raise RuntimeError(f"shows step {d.page.step()}")
                for key in NOTE_KEYS:
                    d.current[key] = d.page.note_text(key) or ""
            except Exception as exc:
                d.error = short(exc, 60)

    async def phone(p: Phone) -> None:
        async with gate:
            p.client = StreamlitClient(p.url, p.query, on_delta=p.hook, open_timeout=PAGE_LIMIT)
            try:
                await asyncio.wait_for(p.client.connect(), PAGE_LIMIT)
                await p.client.wait_for(lambda c: p.seen_at is not None, PAGE_LIMIT)
            except Exception as exc:
                p.error = short(exc, 60)

    tasks = [asyncio.create_task(desk(d)) for d in desks]
    tasks += [asyncio.create_task(phone(p)) for p in phones]
    _done, pending = await asyncio.wait(tasks, timeout=OPEN_LIMIT)
    for task in pending:
        task.cancel()
    late = f"not open within {OPEN_LIMIT:.0f} s"
    for d in desks:
        if not d.error and not d.current:
            d.error = late
    for p in phones:
        if not p.error and p.seen_at is None:
            p.error = late
    return time.monotonic() - started


async def _type_notes(d: Desk, until: float) -> None:
    """Commit a note every 2–3 s, the fields in turn, each text growing."""
    await asyncio.sleep(random.uniform(0, NOTE_INTERVAL[1]))
    n = 0
    while time.monotonic() < until and not d.page.client.closed:
        began = time.monotonic()
        key = NOTE_KEYS[n % len(NOTE_KEYS)]
        n += 1
        new = f"{d.current.get(key, '')} m{d.index:02d}n{n:03d}.".strip()
        d.current[key] = new
        d.typed.setdefault(key, []).append(new)
        try:
            took = await d.page.commit_note(key, new, ACK_TIMEOUT)
        except Exception as exc:
            d.failures.append(short(exc, 60))
        else:
            d.latencies.append(took)
            d.acked[key] = new
            d.acks[key] = d.acks.get(key, 0) + 1
            d.typed[key].clear()
        pause = random.uniform(*NOTE_INTERVAL) - (time.monotonic() - began)
        await asyncio.sleep(max(0.0, min(pause, until - time.monotonic())))


async def _watch_steps(
    steps_now: Callable[[], dict[str, int]], committed: dict[str, float]
) -> None:
    """Poll the meetings' steps (one query every 0.1 s): when each click reached the database."""
    while True:
        rows = await asyncio.to_thread(steps_now)
        now = time.monotonic()
        for meeting_id, step in rows.items():
            if step == TO_STEP and meeting_id not in committed:
                committed[meeting_id] = now
        await asyncio.sleep(0.1)


async def _until_committed(d: Desk, committed: dict[str, float], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while d.meeting_id not in committed:
        if time.monotonic() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.05)


async def _click_next(d: Desk, at: float) -> None:
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    d.click_sent = time.monotonic()
    try:
        d.click_latency = await d.page.next_step(ACK_TIMEOUT)
        d.click_acked = time.monotonic()
    except Exception as exc:
        d.failures.append(f"step: {short(exc, 60)}")


@dataclass
class Outcome:
    opened: str = ""
    steady: Phase = field(default_factory=Phase)
    typing: Phase = field(default_factory=Phase)
    wave: Phase = field(default_factory=Phase)
    note_latencies: list[float] = field(default_factory=list)
    note_failures: list[str] = field(default_factory=list)
    step_delays: list[float] = field(default_factory=list)
    step_missed: int = 0
    click_latencies: list[float] = field(default_factory=list)
    click_failures: int = 0
    commit_latencies: list[float] = field(default_factory=list)  # click sent -> in the database
    app_errors: list[str] = field(default_factory=list)
    desks: list[Desk] = field(default_factory=list)


async def _drive(
    desks: list[Desk],
    phones: list[Phone],
    meter: Meter,
    check: Callable[[], None],
    steps_now: Callable[[], dict[str, int]],
) -> Outcome:
    out = Outcome(desks=desks)
    meter.lag.start()
    try:
        log(f"    opening {len(desks)} facilitator and {len(phones)} phone pages")
        took = await _open_pages(desks, phones)
        check()
        failed = [d.error for d in desks if d.error] + [p.error for p in phones if p.error]
        if failed:
            out.opened = f"{len(failed)} of {len(desks) + len(phones)} pages did not open"
            out.opened += f" ({failed[0]})"
        ready = [d for d in desks if not d.error]
        if not ready:
            raise RuntimeError(f"no facilitator page opened: {failed[0] if failed else '?'}")
        log(f"    open after {took:.1f} s{'; ' + out.opened if failed else ''}")

        await asyncio.sleep(2)
        meter.start()
        await asyncio.sleep(STEADY_SECONDS)
        out.steady = meter.stop()
        check()
        log(f"    steady: servers {out.steady.server:.2f} CPU-s/s")

        meter.start()
        until = time.monotonic() + TYPING_SECONDS
        await asyncio.gather(*(_type_notes(d, until) for d in ready))
        out.typing = meter.stop()
        check()
        out.note_latencies = [x for d in ready for x in d.latencies]
        out.note_failures = [x for d in ready for x in d.failures]
        log(
            f"    typing: {len(out.note_latencies)} notes acknowledged, "
            f"{len(out.note_failures)} not; servers {out.typing.server:.2f} CPU-s/s"
        )

        # The step change: every page settled first, then the clicks spread over 5 s.
        await asyncio.gather(
            *(d.page.client.wait_idle(ACK_TIMEOUT) for d in ready), return_exceptions=True
        )
        live = [p for p in phones if not p.error]
        for p in live:
            p.expect(TO_STEP)
        meter.start()
        committed: dict[str, float] = {}  # meeting id -> when the database first showed it
        watching = asyncio.create_task(_watch_steps(steps_now, committed))
        t0 = time.monotonic() + 0.5
        gap = STEP_SPREAD / max(1, len(ready))
        try:
            await asyncio.gather(*(_click_next(d, t0 + k * gap) for k, d in enumerate(ready)))
            origin: dict[int, float | None] = {}
            for d in ready:
                with contextlib.suppress(TimeoutError):  # the click's message got there late
                    await _until_committed(d, committed, 5.0)
                origin[d.index] = committed.get(
                    d.meeting_id, d.click_acked if d.click_acked is not None else d.click_sent
                )
            last = max((t for t in origin.values() if t is not None), default=time.monotonic())
            while time.monotonic() < last + STEP_LIMIT and any(p.seen_at is None for p in live):
                await asyncio.sleep(0.05)
        finally:
            watching.cancel()
        out.wave = meter.stop()
        out.commit_latencies = [
            committed[d.meeting_id] - d.click_sent
            for d in ready
            if d.meeting_id in committed and d.click_sent is not None
        ]
        check()
        for p in live:
            start = origin.get(p.meeting)
            if p.seen_at is None or start is None or p.seen_at - start > STEP_LIMIT:
                out.step_missed += 1
            else:
                out.step_delays.append(max(0.0, p.seen_at - start))
        out.click_latencies = [d.click_latency for d in ready if d.click_latency is not None]
        out.click_failures = sum(1 for d in ready if d.click_acked is None)
        out.app_errors = [e for d in ready for e in d.page.client.errors]
        out.app_errors += [e for p in live for e in p.client.errors]
        log(
            f"    step: {len(out.step_delays)} phones followed, {out.step_missed} missed; "
            f"servers {out.wave.server:.2f} CPU-s/s"
        )
        return out
    finally:
        meter.lag.stop()
        clients = [d.page.client for d in desks if d.page is not None]
        clients += [p.client for p in phones if p.client is not None]
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


# --- Setting up a cell ----------------------------------------------------------------------


def _prepare(store: Any, count: int) -> list[tuple[int, str, str]]:
    """``count`` meetings at »Trin 3« with a running timer: (team id, meeting id, join code)."""
    from harness.meetings import running_meeting

    out = []
    for n in range(count):
        team_id, mid = running_meeting(
            store, f"Kapacitet {n + 1:02d}", FROM_STEP, case_number=n % 10 + 1
        )
        out.append((team_id, mid, store.join_code(team_id, mid)))
    return out


def _verify(store: Any, desks: list[Desk]) -> tuple[int, int, list[str]]:
    """(acknowledged writes, stored writes, problems): note saves and step changes."""
    acked = stored = 0
    problems: list[str] = []
    for d in desks:
        if d.page is None or d.error:
            continue
        notes = store.note_entries(d.meeting_id)
        for key in NOTE_KEYS:
            note = notes.get(key)
            acked += d.acks.get(key, 0)
            stored += note.revision if note is not None else 0
            text = note.text if note is not None else ""
            if key in d.acked and text != d.acked[key] and text not in d.typed.get(key, []):
                problems.append(f"meeting {d.index + 1} {key}: {text[-30:]!r}")
        meeting = store.get_meeting(d.meeting_id)
        step = meeting.timer.current if meeting is not None else None
        acked += d.click_acked is not None
        stored += 1 if step == TO_STEP else 0
        if step not in (FROM_STEP, TO_STEP) or (d.click_acked is not None and step != TO_STEP):
            problems.append(f"meeting {d.index + 1} at step index {step}")
    return acked, stored, problems


def _postmaster(pg: Any) -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        return int((pg.datadir / "postmaster.pid").read_text().splitlines()[0])
    return None


def run_cell(cell: Cell, tmp: Path, pg: Any) -> tuple[Outcome, tuple[int, int, list[str]]]:
    from facilitator.storage import Storage
    from harness.app_server import AppServer

    data = Path(tempfile.mkdtemp(prefix=f"{cell.key}-", dir=tmp))
    database_url = None
    if cell.backend == "postgresql":
        database_url = pg.url(pg.create_database())
    store = Storage(database_url or f"sqlite:///{data / 'borgercases.sqlite3'}")
    apps = [AppServer(data, database_url=database_url) for _ in range(cell.processes)]
    try:
        store.create_schema()
        meetings = _prepare(store, cell.meetings)
        threads = [threading.Thread(target=a.start, args=(APP_START_LIMIT,)) for a in apps]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        for a in apps:
            if a.proc is None or a.proc.poll() is not None:
                raise RuntimeError(f"app process on port {a.port} did not start")
        k = cell.processes
        desks = [
            Desk(i, tid, mid, apps[i % k].url, store.grant_access(tid))
            for i, (tid, mid, _code) in enumerate(meetings)
        ]
        phones = [
            Phone(i, apps[(i + j) % k].url, f"j={code}")
            for i, (_tid, _mid, code) in enumerate(meetings)
            for j in range(cell.pages)
        ]
        servers = CpuMeter([a.proc.pid for a in apps if a.proc is not None])
        pid = _postmaster(pg) if pg is not None and cell.backend == "postgresql" else None
        meter = Meter(servers, CpuMeter([pid]) if pid else None, LoopLag())

        def check() -> None:
            for a in apps:
                if a.proc is None or a.proc.poll() is not None:
                    raise RuntimeError(f"app process on port {a.port} ended")

        def steps_now() -> dict[str, int]:
            with store.engine.connect() as conn:
                rows = conn.execute(text("SELECT id, current_step FROM meetings"))
                return {str(r[0]): int(r[1]) for r in rows}

        limit = OPEN_LIMIT + STEADY_SECONDS + TYPING_SECONDS + 4 * ACK_TIMEOUT + 120
        outcome = run_in_thread(lambda: _drive(desks, phones, meter, check, steps_now), limit)
        return outcome, _verify(store, outcome.desks)
    finally:
        for a in apps:
            a.stop()
        store.dispose()


# --- The rows -------------------------------------------------------------------------------


def _passes(out: Outcome, lost: int) -> bool:
    """The target: a commit never acknowledged counts as acknowledged after ACK_TIMEOUT (in
    the percentile, not as a loss: it may well be stored – the writes check tells)."""
    timed = out.note_latencies + [ACK_TIMEOUT] * len(out.note_failures)
    notes = quantiles(timed)[1] if out.note_latencies else None
    steps = quantiles(out.step_delays)[1] if out.step_delays else None
    return (
        notes is not None
        and notes <= TARGET_NOTE_P95
        and (steps is None or steps <= TARGET_STEP_P95)
        and out.step_missed == 0
        and lost == 0
        and out.click_failures == 0
        and not out.opened
    )


def row_text(cell: Cell, out: Outcome, writes: tuple[int, int, list[str]]) -> str:
    acked, stored, problems = writes
    cores = psutil.cpu_count() or 1
    parts = [f"note ack {triple(out.note_latencies)}"]
    if out.note_failures:
        parts[-1] += f" ({len(out.note_failures)} unacknowledged: {out.note_failures[0]})"
    if cell.pages:
        parts.append(f"step {triple(out.step_delays)} ({out.step_missed} missed)")
    clicks = f"click ack {median(out.click_latencies):.2f} s" if out.click_latencies else ""
    if out.commit_latencies:
        clicks += f" (stored after {median(out.commit_latencies):.2f} s)"
    if out.click_failures:
        clicks = f"{clicks or 'click ack –'} ({out.click_failures} unacknowledged)"
    if clicks:
        parts.append(clicks.strip())
    parts.append(f"writes {acked}/{stored}" + (f", {len(problems)} LOST" if problems else ""))
    cpu = (
        f"CPU {out.typing.server:.2f} CPU-s/s ({out.typing.server / cores * 100:.0f} % of "
        f"{cores} cores; steady {out.steady.server:.2f}, step {out.wave.server:.2f})"
    )
    if cell.backend == "postgresql":
        cpu += f" + PostgreSQL {out.typing.database:.2f}"
    parts.append(cpu)
    parts.append(
        f"client {out.typing.client:.2f} CPU-s/s, loop ≤ "
        f"{max(out.typing.lag, out.wave.lag) * 1000:.0f} ms late"
    )
    if out.opened:
        parts.append(out.opened)
    if out.app_errors:
        parts.append(f"{len(out.app_errors)} app errors: {short(out.app_errors[0], 60)}")
    return " | ".join(parts)


def run(report: Report, tmp: Path) -> None:
    """Every cell of the matrix, one row each; a failing cell gets n/a (reason)."""
    from harness.postgres import PostgresServer, find_bindir

    pg: Any = None
    pg_error = ""
    target: list[tuple[Cell, Outcome, bool]] = []
    try:
        for cell in cells():
            log(f"  capacity cell {cell.label}")
            started = time.monotonic()
            try:
                if cell.backend == "postgresql" and pg is None and not pg_error:
                    bindir = find_bindir()
                    if bindir is None:
                        pg_error = "PostgreSQL missing (Debian's postgresql package)"
                    else:
                        server = PostgresServer(bindir)
                        server.start()
                        pg = server
                if cell.backend == "postgresql" and pg is None:
                    raise RuntimeError(pg_error)
                if cell.backend not in BACKEND_NAMES:
                    raise ValueError(f"unknown back end {cell.backend!r}")
                out, writes = run_cell(cell, tmp, pg)
            except Exception as exc:
                log(f"  {cell.label} failed: {short(exc)}")
                report.set(cell.key, f"n/a ({short(exc)})", "FAIL" if cell.is_target else "")
                continue
            lost = len(writes[2])
            ok = _passes(out, lost)
            status = ("OK" if ok else "FAIL") if cell.is_target else ("FAIL" if lost else "")
            report.set(cell.key, row_text(cell, out, writes), status)
            log(f"  = {cell.label}: {report.rows[cell.key].value} {status}")
            prefix = cell.key
            if out.note_latencies:
                report.metrics[f"{prefix}_note_p95"] = quantiles(out.note_latencies)[1]
            if out.step_delays:
                report.metrics[f"{prefix}_step_p95"] = quantiles(out.step_delays)[1]
            report.metrics[f"{prefix}_cpu"] = out.typing.server
            if cell.is_target:
                target.append((cell, out, ok))
            log(f"  {cell.label} done in {time.monotonic() - started:.0f} s")
    finally:
        if pg is not None:
            pg.stop()
    if "capacity_target" in report.rows and target:
        passing = [(c, o) for c, o, ok in target if ok]
        if passing:
            best, o = min(passing, key=lambda x: x[1].typing.server)
            others = ", ".join(c.config for c, _o in passing if c != best)
            text = (
                f"OK with {best.config} (note p95 {quantiles(o.note_latencies)[1]:.2f} s, "
                f"step p95 {quantiles(o.step_delays)[1] if o.step_delays else 0:.2f} s, "
                f"{o.typing.server:.2f} CPU-s/s)"
            )
            if others:
                text += f"; also OK: {others}"
            report.set("capacity_target", text, "OK")
        else:
            best, o, _ok = min(
                target,
                key=lambda x: quantiles(x[1].note_latencies)[1] if x[1].note_latencies else 1e9,
            )
            report.set("capacity_target", f"no configuration passes; closest {best.config}", "FAIL")


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM (e.g. from `timeout`): stop the servers in the finally


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    report = Report()
    declare_rows(report)
    keys = list(report.rows)
    try:
        with tempfile.TemporaryDirectory(prefix="borgercases-capacity-") as tmp:
            report.section("capacity", keys, lambda: run(report, Path(tmp)))
    finally:
        report.print_table()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
