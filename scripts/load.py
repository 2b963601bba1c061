"""Load and fault test: many meetings at once, each typing notes and follow-ups; nothing lost.

    python scripts/load.py [--meetings 30] [--seconds 60] [--backend sqlite|postgresql] [--kill]
                           [--driver chromium|client]

Starts the facilitator app (``streamlit run app.py``) on SQLite or on a real PostgreSQL server
(started in a temporary folder, as the tests do), opens every meeting in its own page of one
headless Chromium, and lets each page type for the whole time: half the meetings notes at step 3
(each change waits for the on-screen acknowledgement »Gemt kl. … · N tegn«), half follow-ups at
step 5 (acknowledged when the new follow-up shows in the meeting's list). With ``--kill`` the
server gets SIGKILL halfway and is restarted on the same port; the pages reload and carry on.
With ``--driver client`` the same users type through the browser-free client
(harness/loadclient.py: the same messages a browser sends, the same on-screen acknowledgements)
instead of Chromium – light enough for many more meetings on a small machine.

At the end every acknowledged write is checked against the database: each acknowledged
follow-up stored exactly once, no follow-up stored twice, and every note holding its last
acknowledged text (or a later one that was typed but not yet acknowledged). Prints throughput
and save latencies; the exit code is 1 if anything was lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Page, WebSocket, async_playwright
from sqlalchemy import text
from streamlit.proto.BackMsg_pb2 import BackMsg

from facilitator.storage import Storage
from harness import CHROMIUM_LAUNCH
from harness.app_server import AppServer
from harness.loadclient import Facilitator
from harness.meetings import running_meeting

ACK_TIMEOUT_MS = 30_000


@dataclass
class User:
    index: int
    meeting_id: str
    step: int = 3
    grant: str = ""  # a grant of the team: a meeting's address alone opens nothing
    note_acked: str | None = None  # the last note text acknowledged on screen
    note_typed: list[str] = field(default_factory=list)  # every text typed after that
    follow_ups_acked: list[str] = field(default_factory=list)
    follow_ups_tried: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    # From the message that carried the write to its acknowledgement on screen (without the
    # typing and the page's autosave pause before it): comparable with the headless client.
    wire_latencies: list[float] = field(default_factory=list)
    sent: list[tuple[float, bytes]] = field(default_factory=list)  # Chromium: frames sent
    failures: int = 0
    errors: list[str] = field(default_factory=list)


def _prepare(store: Storage, meetings: int) -> list[User]:
    """Teams and meetings straight in the database, each at step 3 with the timer running."""
    users = []
    for n in range(meetings):
        # Half the meetings are at step 3 (notes), half at step 5 (follow-ups).
        step = 2 if n % 2 == 0 else 4
        team_id, mid = running_meeting(
            store,
            f"Lastteam {n:02d}",
            step,
            case_number=n % 10 + 1,
            plan_seconds=[60, 180, 360, 180, 120],
        )
        users.append(User(n, mid, step=step + 1, grant=store.grant_access(team_id)))
    return users


async def _open(page: Page, base: str, user: User, step: int, timeout_ms: int = 120_000) -> None:
    await page.goto(f"{base}?m={user.meeting_id}&s={user.grant}", timeout=timeout_ms)
    await page.get_by_role("heading", name=re.compile(f"Trin {step}")).wait_for(timeout=timeout_ms)


def _listen(page: Page, user: User) -> None:
    """Keep the time of every WebSocket frame the page sends (for ``_wire_latency``)."""

    def on_socket(ws: WebSocket) -> None:
        def sent(payload: str | bytes) -> None:
            if isinstance(payload, bytes):
                user.sent.append((time.monotonic(), payload))

        ws.on("framesent", sent)

    page.on("websocket", on_socket)


def _wire_latency(user: User, started: float, text: str, acked: float) -> None:
    """Time from the frame that carried ``text`` (the first BackMsg sent after ``started``
    with a widget holding it) to ``acked``."""
    for at, payload in user.sent:
        if at < started:
            continue
        msg = BackMsg()
        try:
            msg.ParseFromString(payload)
        except Exception:
            continue
        values = [w.string_value for w in msg.rerun_script.widget_states.widgets]
        if text in values:
            user.wire_latencies.append(acked - at)
            break
    user.sent.clear()


async def _type_notes(page: Page, base: str, user: User, until: float) -> None:
    box = page.get_by_role("textbox").first
    current = await box.input_value()
    n = 0
    while time.monotonic() < until:
        if not await page.get_by_role("heading", name=re.compile("Trin 3")).count():
            break  # the meeting has moved on (after a restart): on to the follow-ups
        n += 1
        new = f"{current} m{user.index:02d}s{n:03d}.".strip()
        user.note_typed.append(new)
        started = time.monotonic()
        try:
            await box.fill(new)
            await page.get_by_text(f"· {len(new)} tegn").first.wait_for(timeout=ACK_TIMEOUT_MS)
        except Exception as exc:
            user.failures += 1
            user.errors.append(f"note: {str(exc).splitlines()[0]}")
            await _recover(page, base, user)
            box = page.get_by_role("textbox").first
            current = await box.input_value()
            continue
        acked = time.monotonic()
        user.latencies.append(acked - started)
        _wire_latency(user, started, new, acked)
        user.note_acked = new
        user.note_typed.clear()
        current = new


async def _add_follow_ups(page: Page, base: str, user: User, until: float) -> None:
    n = 0
    while time.monotonic() < until:
        if not await page.get_by_role("heading", name=re.compile("Trin 5")).count():
            await _to_step_5(page, base, user)
        n += 1
        what = f"Aftale m{user.index:02d}-{n:03d}"
        user.follow_ups_tried.append(what)
        started = time.monotonic()
        try:
            await page.get_by_role("textbox", name="Hvad skal der følges op på?").fill(what)
            await page.get_by_role("button", name="Gem aftalen").click()
            # Acknowledged when it is in the meeting's list (not just in the text field).
            listed = page.get_by_test_id("stCheckbox").filter(has_text=f"{what} – frist")
            await listed.first.wait_for(timeout=ACK_TIMEOUT_MS)
        except Exception as exc:
            user.failures += 1
            user.errors.append(f"aftale: {str(exc).splitlines()[0]}")
            await _recover(page, base, user)
            continue
        acked = time.monotonic()
        user.latencies.append(acked - started)
        _wire_latency(user, started, what, acked)
        user.follow_ups_acked.append(what)


IDLE_JS = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && document.querySelectorAll('[data-stale="true"]').length === 0"""


async def _idle(page: Page) -> None:
    """Streamlit has finished its rerun: no stale elements left to click by mistake."""
    await page.wait_for_function(IDLE_JS, timeout=30_000)


async def _recover(page: Page, base: str, user: User) -> None:
    """After a lost connection (server killed): reload the meeting's address and carry on.

    The meeting comes back at its stored step, whichever it is."""
    for _attempt in range(6):
        try:
            await page.goto(f"{base}?m={user.meeting_id}&s={user.grant}", timeout=20_000)
            await page.get_by_role("heading", name=re.compile(r"Trin \d")).first.wait_for(
                timeout=20_000
            )
            await _idle(page)
            return
        except Exception:
            await asyncio.sleep(1)


async def _to_step_5(page: Page, base: str, user: User) -> None:
    """On to step 5, as the facilitator would (the stored timer moves for the whole meeting)."""
    for step in (4, 5):
        if await page.get_by_role("heading", name=re.compile(f"Trin {step}")).count():
            continue
        try:
            await _idle(page)
            await page.get_by_role("button", name="Næste trin").first.click(timeout=20_000)
            await page.get_by_role("heading", name=re.compile(f"Trin {step}")).wait_for(
                timeout=20_000
            )
        except Exception as exc:
            user.errors.append(f"trin {step}: {str(exc).splitlines()[0]}")
            await _recover(page, base, user)


async def _user(page: Page, base: str, user: User, until: float) -> None:
    try:
        if user.step == 3:
            await _type_notes(page, base, user, until)
        else:
            await _add_follow_ups(page, base, user, until)
    except Exception as exc:
        user.errors.append(f"stoppet: {str(exc).splitlines()[0]}")


async def _killer(app: AppServer, at: float) -> float:
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    app.stop(kill=True)
    started = time.monotonic()
    await asyncio.to_thread(app.start, 120.0)
    return time.monotonic() - started


async def _run(base: str, users: list[User], seconds: float, app: AppServer, kill: bool) -> float:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**CHROMIUM_LAUNCH)
        context = await browser.new_context(viewport={"width": 1366, "height": 768})
        pages = [await context.new_page() for _ in users]
        for page, user in zip(pages, users, strict=True):
            _listen(page, user)
        # Everyone opens their meeting first, then all start typing together.
        opening = asyncio.Semaphore(6)

        async def open_one(page: Page, user: User) -> None:
            async with opening:
                await _open(page, base, user, user.step)

        await asyncio.gather(*(open_one(p, u) for p, u in zip(pages, users, strict=True)))
        start = time.monotonic()
        until = start + seconds
        tasks = [
            asyncio.create_task(_user(p, base, u, until)) for p, u in zip(pages, users, strict=True)
        ]
        restart = 0.0
        if kill:
            restart = await _killer(app, start + seconds * 0.6)
        _done, pending = await asyncio.wait(tasks, timeout=seconds + 240)
        for task in pending:  # a page that hangs must not hang the whole run
            task.cancel()
        if pending:
            print(f"{len(pending)} sider svarede ikke og blev stoppet", file=sys.stderr)
        await browser.close()
        return restart


# --- The same users without a browser ------------------------------------------------------


class _Screen:
    """One user's meeting page in the browser-free client, reopened after a lost connection."""

    def __init__(self, base: str, user: User) -> None:
        self.base = base
        self.user = user
        self.page = Facilitator(base, user.meeting_id, user.grant)

    async def open(self, timeout: float = 120.0) -> None:
        await self.page.open(timeout)

    async def recover(self) -> None:
        """Reload the meeting's address: it comes back at its stored step."""
        await self.page.close()
        for _attempt in range(6):
            self.page = Facilitator(self.base, self.user.meeting_id, self.user.grant)
            try:
                await self.page.open(20.0)
                return
            except Exception:
                await asyncio.sleep(1)


async def _client_notes(screen: _Screen, user: User, until: float) -> None:
    current = screen.page.note_text("q0") or ""
    n = 0
    while time.monotonic() < until:
        if screen.page.step() != 3:
            break  # the meeting has moved on (after a restart): on to the follow-ups
        n += 1
        new = f"{current} m{user.index:02d}s{n:03d}.".strip()
        user.note_typed.append(new)
        try:
            took = await screen.page.commit_note("q0", new, ACK_TIMEOUT_MS / 1000)
        except Exception as exc:
            user.failures += 1
            user.errors.append(f"note: {str(exc).splitlines()[0]}")
            await screen.recover()
            current = screen.page.note_text("q0") or ""
            continue
        user.latencies.append(took)
        user.wire_latencies.append(took)
        user.note_acked = new
        user.note_typed.clear()
        current = new


async def _client_follow_ups(screen: _Screen, user: User, until: float) -> None:
    n = 0
    while time.monotonic() < until:
        while (screen.page.step() or 5) < 5:  # on to step 5, as the facilitator would
            try:
                await screen.page.next_step(20.0)
                await screen.page.client.wait_idle()
            except Exception as exc:
                user.errors.append(f"trin: {str(exc).splitlines()[0]}")
                await screen.recover()
        n += 1
        what = f"Aftale m{user.index:02d}-{n:03d}"
        user.follow_ups_tried.append(what)
        try:
            took = await screen.page.add_follow_up(what, ACK_TIMEOUT_MS / 1000)
        except Exception as exc:
            user.failures += 1
            user.errors.append(f"aftale: {str(exc).splitlines()[0]}")
            await screen.recover()
            continue
        user.latencies.append(took)
        user.wire_latencies.append(took)
        user.follow_ups_acked.append(what)


async def _client_user(screen: _Screen, user: User, until: float) -> None:
    try:
        if user.step == 3:
            await _client_notes(screen, user, until)
        else:
            await _client_follow_ups(screen, user, until)
    except Exception as exc:
        user.errors.append(f"stoppet: {str(exc).splitlines()[0]}")


async def _run_client(
    base: str, users: list[User], seconds: float, app: AppServer, kill: bool
) -> float:
    """``_run`` with the browser-free client instead of Chromium pages."""
    screens = [_Screen(base, u) for u in users]
    opening = asyncio.Semaphore(6)

    async def open_one(screen: _Screen) -> None:
        async with opening:
            await screen.open()

    try:
        await asyncio.gather(*(open_one(s) for s in screens))
        start = time.monotonic()
        until = start + seconds
        tasks = [asyncio.create_task(_client_user(s, s.user, until)) for s in screens]
        restart = 0.0
        if kill:
            restart = await _killer(app, start + seconds * 0.6)
        _done, pending = await asyncio.wait(tasks, timeout=seconds + 240)
        for task in pending:
            task.cancel()
        if pending:
            print(f"{len(pending)} sider svarede ikke og blev stoppet", file=sys.stderr)
        return restart
    finally:
        await asyncio.gather(*(s.page.close() for s in screens), return_exceptions=True)


def _verify(store: Storage, users: list[User]) -> list[str]:
    problems = []
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT meeting_id, what FROM follow_ups")).all()
        notes = {
            (r.meeting_id, r.key): r.text
            for r in conn.execute(text("SELECT meeting_id, key, text FROM notes"))
        }
    stored: dict[tuple[str, str], int] = {}
    for meeting_id, what in rows:
        stored[(meeting_id, what)] = stored.get((meeting_id, what), 0) + 1
    for user in users:
        for what in user.follow_ups_acked:
            count = stored.get((user.meeting_id, what), 0)
            if count != 1:
                problems.append(f"aftale {what!r} gemt {count} gange (vist som gemt)")
        for what in user.follow_ups_tried:
            if stored.get((user.meeting_id, what), 0) > 1:
                problems.append(f"aftale {what!r} gemt mere end én gang")
        if user.note_acked is not None:
            note = notes.get((user.meeting_id, "q0"))
            if note != user.note_acked and note not in user.note_typed:
                problems.append(
                    f"møde {user.index}: noten er {note!r:.60}, vist som gemt: "
                    f"{user.note_acked!r:.60}"
                )
    return problems


def run(meetings: int, seconds: float, backend: str, kill: bool, driver: str = "chromium") -> int:
    tmp = Path(tempfile.mkdtemp(prefix="borgercases-load-"))
    pg = None
    database_url = None
    if backend == "postgresql":
        from harness.postgres import PostgresServer, find_bindir

        bindir = find_bindir()
        if bindir is None:
            print("PostgreSQL mangler: kør `make test` eller installér Debians postgresql.")
            return 2
        pg = PostgresServer(bindir)
        pg.start()
        database_url = pg.url(pg.create_database())
    store = Storage(database_url or f"sqlite:///{tmp / 'borgercases.sqlite3'}")
    store.create_schema()
    users = _prepare(store, meetings)
    app = AppServer(tmp, database_url=database_url)
    try:
        app.start(120.0)
        started = time.monotonic()
        drive = _run_client if driver == "client" else _run
        restart = asyncio.run(drive(app.url, users, seconds, app, kill))
        elapsed = time.monotonic() - started
    finally:
        app.stop()
    problems = _verify(store, users)
    store.dispose()
    if pg is not None:
        pg.stop()

    latencies = [x for u in users for x in u.latencies]
    acked = len(latencies)
    notes = sum(1 for u in users if u.note_acked)
    follow_ups = sum(len(u.follow_ups_acked) for u in users)
    failures = sum(u.failures for u in users)
    print(f"back end               {backend}{' (SIGKILL + genstart midtvejs)' if kill else ''}")
    print(f"sider                  {'Chromium' if driver == 'chromium' else 'klient uden browser'}")
    print(f"møder samtidig         {meetings}")
    print(f"varighed               {elapsed:.0f} s (heraf {seconds:.0f} s skrivning)")
    print(f"gemte skrivninger      {acked} ({follow_ups} aftaler, noter i {notes} møder)")
    print(f"gennemløb              {acked / max(1.0, seconds):.1f} skrivninger/s")
    if latencies:
        p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0]
        print(f"gem-tid median         {statistics.median(latencies) * 1000:.0f} ms")
        print(f"gem-tid p95            {p95 * 1000:.0f} ms")
        print(f"langsomste gem         {max(latencies) * 1000:.0f} ms")
    wire = [x for u in users for x in u.wire_latencies]
    if wire and driver == "chromium":
        print(f"fra besked til kvittering median {statistics.median(wire) * 1000:.0f} ms")
    print(f"ikke kvitteret         {failures} (forsøg uden kvittering, fx under genstart)")
    if kill:
        print(f"genstart               {restart:.1f} s")
    for error in sorted({e for u in users for e in u.errors})[:5]:
        print(f"  ({error[:150]})")
    print(f"tabt eller dobbelt     {len(problems)}")
    for problem in problems[:20]:
        print(f"  - {problem}")
    return 1 if problems or acked == 0 else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--kill", action="store_true")
    parser.add_argument("--driver", choices=["chromium", "client"], default="chromium")
    args = parser.parse_args()
    return run(args.meetings, args.seconds, args.backend, args.kill, args.driver)


if __name__ == "__main__":
    raise SystemExit(main())
