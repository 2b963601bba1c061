"""Notes in real browsers: two screens on one meeting never lose a note silently, an idle screen
takes over the other screen's note, and a PostgreSQL outage mid-meeting costs no text.

The meeting is seeded through the storage (team, meeting, timer running at step 3) so the time
goes to what is tested here; the way there in the browser is covered by test_app_browser.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from facilitator import timer as tm
from facilitator.records import Note
from facilitator.storage import Storage
from harness.app_server import AppServer, wait_idle
from harness.meetings import meeting_query
from harness.postgres import PostgresServer

pytestmark = pytest.mark.browser

PLAN = [60, 180, 360, 180, 120]
SAVED = re.compile(r"^Gemt kl\. ")
CONFLICT = "Noten er ændret på en anden skærm, mens du skrev"
OUTAGE = "Databasen kan ikke bruges lige nu"
# What Streamlit shows for an uncaught exception, and what a raw database error would leak.
ENGLISH = re.compile(
    r"encountered an error|Ask Google|Ask ChatGPT|Traceback|Error:|OperationalError|psycopg"
    r"|connection refused|server closed",
    re.IGNORECASE,
)


def _address(app: AppServer, mid: str, db: str | None = None) -> str:
    """The meeting's page in a browser that has its team open (the address alone opens
    nothing)."""
    store = Storage(db or _sqlite_url(app))
    try:
        return f"{app.url}?{meeting_query(store, mid)}"
    finally:
        store.dispose()


def _sqlite_url(app: AppServer) -> str:
    return f"sqlite:///{app.data_dir / 'borgercases.sqlite3'}"


@contextmanager
def _store(url: str) -> Iterator[Storage]:
    store = Storage(url)
    try:
        yield store
    finally:
        store.dispose()


def _seed_meeting(url: str, team_name: str) -> str:
    """A team and a meeting whose timer runs at step 3 (the discussion with its notes)."""
    with _store(url) as store:
        store.create_schema()
        team, _code = store.create_team(team_name)
        mid = store.create_meeting(team, date.today(), 1, ["Anne", "Bo"], PLAN)
        now = time.time()
        store.update_timer(team.id, mid, lambda s: tm.go_to(tm.start(s, now), 2, now))
    return mid


def _note(url: str, mid: str, key: str = "q0") -> Note:
    with _store(url) as store:
        return store.note_entries(mid).get(key, Note("", 0))


@pytest.fixture
def screen(browser: Browser) -> Iterator[Callable[[str], Page]]:
    """Opens the meeting at a URL in a browser context of its own (its own Streamlit session),
    marked so a reload would show (the mark is gone after one). Closed after the test."""
    contexts: list[BrowserContext] = []

    def open_screen(url: str) -> Page:
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="da-DK")
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        heading = page.get_by_role("heading", name=re.compile("Trin 3"))
        expect(heading).to_be_visible(timeout=20000)
        wait_idle(page)
        page.evaluate("window.__bcNotReloaded = true")
        return page

    yield open_screen
    for context in contexts:
        context.close()


def _not_reloaded(page: Page) -> bool:
    return bool(page.evaluate("window.__bcNotReloaded === true"))


def _question_1(page: Page) -> Locator:
    return page.get_by_role("textbox", name=re.compile(r"^1\. "))


def _saved(page: Page) -> Locator:
    return page.get_by_text(SAVED)


def test_two_screens_never_lose_a_note_silently(
    screen: Callable[[str], Page], app: AppServer, artifacts: Path
) -> None:
    db = _sqlite_url(app)
    mid = _seed_meeting(db, "Team Nord")
    a = screen(_address(app, mid))
    b = screen(_address(app, mid))  # loaded before A saves: the field is empty
    field_a, field_b = _question_1(a), _question_1(b)
    expect(field_b).to_have_value("")
    text_a = "Tekst fra A."
    text_b = "Pointe fra B: spørg Jamir selv."

    # B starts typing; A writes and saves while B is still typing. B never pauses for the 0.7 s
    # that would save its note, and goes on for longer than the 5 s heartbeat after A's save:
    # B's screen sees the new note arrive while its own words are not saved yet. B's save comes
    # only when B stops, and it is based on the empty note B loaded.
    field_b.click()
    field_b.press_sequentially(text_b[:3], delay=120)
    field_a.fill(text_a)
    a_saved_at: float | None = None
    for char in text_b[3:]:
        field_b.press_sequentially(char)
        b.wait_for_timeout(120)
        if a_saved_at is None and _saved(a).is_visible():
            a_saved_at = time.monotonic()
    deadline = time.monotonic() + 20
    while a_saved_at is None or time.monotonic() < a_saved_at + 6:
        assert time.monotonic() < deadline, "A's note was not saved"
        field_b.press("x")  # a typo and its correction: B is still typing
        b.wait_for_timeout(150)
        field_b.press("Backspace")
        b.wait_for_timeout(150)
        if a_saved_at is None and _saved(a).is_visible():
            a_saved_at = time.monotonic()
    assert _note(db, mid) == Note(text_a, 1)

    # B's save names the empty note it loaded: nothing is overwritten, B is told and chooses.
    warning = b.get_by_role("alert").filter(has_text=CONFLICT)
    expect(warning.or_(_saved(b))).to_be_visible()  # B's save is done, one way or the other
    assert _note(db, mid) == Note(text_a, 1), "B's save overwrote A's note"
    expect(warning).to_be_visible()
    expect(b.get_by_test_id("stText").filter(has_text=text_a)).to_be_visible()
    expect(field_b).to_have_value(text_b)
    expect(_saved(b)).to_have_count(0)
    assert _note(db, mid) == Note(text_a, 1)
    expect(field_a).to_have_value(text_a)
    b.get_by_role("button", name="Sæt teksterne sammen").scroll_into_view_if_needed()
    b.screenshot(path=artifacts / "integrity-conflict-b.png")

    b.get_by_role("button", name="Sæt teksterne sammen").click()
    merged = f"{text_a}\n{text_b}"
    expect(_saved(b)).to_be_visible()
    expect(warning).to_have_count(0)
    expect(field_b).to_have_value(merged)
    assert _note(db, mid) == Note(merged, 2)

    # A, idle, takes over the merged note on its next heartbeat, without a reload.
    expect(field_a).to_have_value(merged, timeout=12000)
    assert _not_reloaded(a) and _not_reloaded(b)
    expect(a.get_by_role("alert").filter(has_text=CONFLICT)).to_have_count(0)
    field_a.scroll_into_view_if_needed()
    a.screenshot(path=artifacts / "integrity-merged-a.png")
    assert _note(db, mid) == Note(merged, 2)

    # Issue 22: B's next edit after the merge – a word changed in the middle – is saved; it
    # raised the conflict again, showing B's own merged text as the other screen's.
    edited = f"{text_a.replace('fra A', 'fra skærm A')}\n{text_b}"
    field_b.fill(edited)
    expect(_saved(b)).to_have_text(re.compile(rf"· {len(edited)} tegn$"))
    expect(warning).to_have_count(0)
    assert _note(db, mid) == Note(edited, 3)
    expect(field_a).to_have_value(edited, timeout=12000)


def test_an_idle_screen_picks_up_the_other_screens_note(
    screen: Callable[[str], Page], app: AppServer, artifacts: Path
) -> None:
    db = _sqlite_url(app)
    mid = _seed_meeting(db, "Team Øst")
    a = screen(_address(app, mid))
    b = screen(_address(app, mid))
    text = "Fokus på Jamirs egne mål – ikke på vores."
    _question_1(a).press_sequentially(text, delay=10)
    expect(_saved(a)).to_be_visible()
    assert _note(_sqlite_url(app), mid) == Note(text, 1)
    expect(_question_1(b)).to_have_value(text, timeout=10000)
    assert _not_reloaded(b)
    expect(b.get_by_role("alert").filter(has_text=CONFLICT)).to_have_count(0)
    # The taken-over note is stored, and B's field says so (issue 22: it said nothing).
    expect(_saved(b)).to_have_text(re.compile(rf"· {len(text)} tegn$"))
    b.screenshot(path=artifacts / "integrity-idle-b.png")

    # And back: B's next words reach A the same way, and are saved on top of A's.
    _question_1(b).press("Control+End")
    _question_1(b).press_sequentially(" Aftal næste skridt med ham.", delay=10)
    both = f"{text} Aftal næste skridt med ham."
    expect(_saved(b)).to_have_text(re.compile(rf"· {len(both)} tegn$"))
    assert _note(_sqlite_url(app), mid) == Note(both, 2)
    expect(_question_1(a)).to_have_value(both, timeout=10000)
    assert _not_reloaded(a)


def test_an_idle_screen_at_step_5_picks_up_another_screens_follow_ups(
    browser: Browser, app: AppServer
) -> None:
    """A follow-up saved, ticked or deleted on another screen (or by another app process) shows
    on a screen left at step 5 with its next heartbeat, without a reload – and the screen does
    not keep redrawing once it shows it."""
    db = _sqlite_url(app)
    with _store(db) as store:
        store.create_schema()
        team, _code = store.create_team("Team Vest")
        mid = store.create_meeting(team, date.today(), 1, ["Anne", "Bo"], PLAN)
        now = time.time()
        store.update_timer(team.id, mid, lambda s: tm.go_to(s, 4, now))
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="da-DK")
    try:
        page = context.new_page()
        frames: list[float] = []
        page.on("websocket", lambda ws: ws.on("framereceived", lambda _: frames.append(1)))
        page.goto(_address(app, mid))
        expect(page.get_by_role("heading", name=re.compile("^Trin 5:"))).to_be_visible(
            timeout=20000
        )
        wait_idle(page)
        page.evaluate("window.__bcNotReloaded = true")
        with _store(db) as store:
            meeting = store.get_meeting(mid)
            assert meeting is not None
            store.add_follow_up(meeting, "Bo", "Ring til sprogcentret", None, None, client_key="k")
        expect(page.get_by_text("Ring til sprogcentret")).to_be_visible(timeout=10000)
        expect(page.get_by_role("heading", name="Aftaler fra dette møde (1)")).to_be_visible()
        assert _not_reloaded(page)
        # Settled: the next heartbeats (two in 8 s) find nothing new. A screen that kept
        # rerunning the page (the check before the list is drawn again) sends hundreds.
        wait_idle(page)
        before = len(frames)
        page.wait_for_timeout(8000)
        assert len(frames) - before < 200, f"{len(frames) - before} messages in 8 s"
    finally:
        context.close()


# --- A PostgreSQL outage -------------------------------------------------------------------


def _pg_stop(server: PostgresServer) -> None:
    server._run("pg_ctl", "stop", "--pgdata", str(server.datadir), "-m", "fast", "--wait")


def _pg_start(server: PostgresServer) -> None:
    """Start the stopped server again on the same port, as PostgresServer.start() does."""
    options = " ".join(
        [
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={server.sockdir}",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=200",
            f"-c port={server.port}",
        ]
    )
    server._run(
        "pg_ctl",
        "start",
        "--pgdata",
        str(server.datadir),
        "--log",
        str(server.logfile),
        "--wait",
        "--timeout",
        "60",
        "-o",
        options,
    )


def _pg_running(server: PostgresServer) -> bool:
    return (server.datadir / "postmaster.pid").exists()


def _no_english_error(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    body = page.locator("body").inner_text()
    found = ENGLISH.search(body)
    assert found is None, f"English/raw error on the page: {found.group(0)!r}"


def test_postgres_outage_mid_meeting_keeps_text_and_recovers(
    screen: Callable[[str], Page],
    postgres_server: PostgresServer,
    tmp_path: Path,
    artifacts: Path,
) -> None:
    name = postgres_server.create_database()
    db = postgres_server.url(name)
    mid = _seed_meeting(db, "Team Syd")
    app = AppServer(tmp_path, database_url=db)
    app.start()
    try:
        page = screen(_address(app, mid, db))
        field = _question_1(page)
        first = "Første pointe: spørg til hans egne mål."
        field.press_sequentially(first, delay=5)
        expect(_saved(page)).to_be_visible()
        assert _note(db, mid) == Note(first, 1)
        pause = page.get_by_role("button", name="Pause")
        next_step = page.get_by_role("button", name="Næste trin")
        back = page.get_by_role("button", name="Forrige trin")
        for button in (pause, next_step, back):
            expect(button).to_be_enabled()
        page.screenshot(path=artifacts / "integrity-outage-1-saved.png")

        _pg_stop(postgres_server)
        try:
            more = " Skrevet mens databasen var nede."
            field.press("Control+End")
            field.press_sequentially(more, delay=5)
            expect(page.get_by_text(OUTAGE).first).to_be_visible()
            # The heartbeat finds the database gone too: the timer stays, its buttons wait.
            for button in (pause, next_step, back):
                expect(button).to_be_disabled(timeout=12000)
            expect(field).to_have_value(first + more)
            expect(_saved(page)).to_have_count(0)  # no »Gemt« for text that is not saved
            expect(page.locator(".bc-timer")).to_be_visible()
            _no_english_error(page)
            page.screenshot(path=artifacts / "integrity-outage-2-down.png")
            field.scroll_into_view_if_needed()
            page.screenshot(path=artifacts / "integrity-outage-2-down-field.png")
        finally:
            if not _pg_running(postgres_server):
                _pg_start(postgres_server)

        # Back: the note is saved by itself, without a reload, and the buttons work again.
        saved = _saved(page)
        expect(saved).to_be_visible(timeout=20000)
        expect(saved).to_contain_text(f"{len(first + more)} tegn")
        assert _note(db, mid) == Note(first + more, 2)
        for button in (pause, next_step, back):
            expect(button).to_be_enabled(timeout=10000)
        expect(page.get_by_text(OUTAGE)).to_have_count(0)
        expect(field).to_have_value(first + more)
        assert _not_reloaded(page)
        _no_english_error(page)
        page.screenshot(path=artifacts / "integrity-outage-3-back.png")

        # The timer works again: »Pause« is stored.
        pause.click()
        expect(page.get_by_role("button", name="Fortsæt")).to_be_visible()
        with _store(db) as store:
            meeting = store.get_meeting(mid)
        assert meeting is not None and meeting.timer.status == tm.PAUSED
    finally:
        if not _pg_running(postgres_server):
            _pg_start(postgres_server)
        app.stop()
        postgres_server.drop_database(name)
