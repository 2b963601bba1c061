"""Two app processes on one PostgreSQL behind the README's nginx block (sticky sessions).

The facilitator's browser is pinned (routing cookie) to process A; a second screen on the same
meeting and a participant's phone to process B. A step change, a note and a follow-up made on A
reach B's screens through the database. Then process B is killed (SIGKILL): its screens reconnect
through nginx to A, show the meeting where it is, and every write acknowledged before and after
is in the database.

Measured times (how long B's screens took to show A's changes, how long the failover took) are
written to test-artifacts/multiprocess-times.json, not asserted: the machine has two cores.
"""

from __future__ import annotations

import json
import re
import secrets
import ssl
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from facilitator.records import Note
from facilitator.storage import Storage
from harness.app_server import AppServer, go_to_step, wait_idle
from harness.nginx import NginxServer, find_nginx
from harness.postgres import PostgresServer

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]

COOKIE_SECRET = "STREAMLIT_SERVER_COOKIE_SECRET"
FOLLOW = 10_000  # ms for a change on A to show on B's screens (heartbeat every 4 s)
FAILOVER = 30_000  # ms for a screen of the killed process to be back through nginx
ERRORS = re.compile(r"Traceback|encountered an error|Connection error|Fejl|uventet fejl", re.I)


@dataclass
class Cluster:
    a: AppServer
    b: AppServer
    proxy: NginxServer
    database_url: str


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer
) -> Iterator[Cluster]:
    binary = find_nginx()
    if binary is None:
        pytest.fail("nginx mangler: kør `make test`, som installerer Debians nginx-light.")
    name = postgres_server.create_database()
    url = postgres_server.url(name)
    root = tmp_path_factory.mktemp("multiprocess")
    shared = {COOKIE_SECRET: secrets.token_urlsafe(32)}
    apps = []
    for tag in ("a", "b"):
        (root / tag).mkdir()
        apps.append(AppServer(root / tag, database_url=url, extra_env=shared))
    proxy = NginxServer(binary, root / "nginx", [app.port for app in apps])
    try:
        for app in apps:
            app.start()
        proxy.start()
        yield Cluster(apps[0], apps[1], proxy, url)
    finally:
        proxy.stop()
        for app in apps:
            app.stop()
        postgres_server.drop_database(name)


def _get(proxy: NginxServer, path: str, cookie: str) -> int:
    context = ssl.create_default_context(cafile=str(proxy.cert))
    request = urllib.request.Request(proxy.url + path, headers={"Cookie": f"bcroute={cookie}"})
    with urllib.request.urlopen(request, context=context, timeout=20) as response:
        return int(response.status)


def _route_to(cluster: Cluster, port: int) -> str:
    """A routing cookie that nginx's consistent hash sends to the process on ``port``, found by
    asking through nginx and reading which process its access log says answered."""
    for _ in range(64):
        candidate = uuid.uuid4().hex  # the form of nginx's $request_id
        assert _get(cluster.proxy, "_stcore/health", candidate) == 200
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            answered = [up for _, up, route in cluster.proxy.routed() if route == candidate]
            if answered:
                break
            time.sleep(0.05)
        if answered == [f"127.0.0.1:{port}"]:
            return candidate
    raise AssertionError(f"no routing cookie reaches port {port}")


def _sessions(app: AppServer) -> int:
    """The Streamlit sessions open at this process (read directly, not through nginx)."""
    url = app.url + "_stcore/metrics?families=active_sessions"
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode()
    found = re.search(r"^active_sessions(?:\{[^}]*\})?\s+(\d+)", text, re.M)
    assert found, text
    return int(found.group(1))


def _pinned(browser: Browser, proxy: NginxServer, route: str, **options: object) -> Page:
    options = {"viewport": {"width": 1366, "height": 768}, **options}
    context: BrowserContext = browser.new_context(
        locale="da-DK", ignore_https_errors=True, **options
    )
    context.add_cookies(
        [
            {
                "name": "bcroute",
                "value": route,
                "url": proxy.url,
                "secure": True,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
    return context.new_page()


def _heading(page: Page, n: int, timeout: float = FOLLOW) -> None:
    heading = page.get_by_role("heading", name=re.compile(f"^Trin {n}:"))
    expect(heading).to_be_visible(timeout=timeout)


def _pstep(page: Page) -> str | None:
    found = page.locator(".bc-pstep").evaluate_all("(ps) => ps.map((p) => p.dataset.pstep)")
    return found[-1] if found else None


def _wait_pstep(page: Page, marker: str, timeout: float = FOLLOW) -> None:
    page.wait_for_function(
        """(m) => { const ps = document.querySelectorAll('.bc-pstep');
                    return ps.length > 0 && ps[ps.length - 1].dataset.pstep === m; }""",
        arg=marker,
        timeout=timeout,
    )


def _question_1(page: Page) -> Locator:
    return page.get_by_role("textbox", name=re.compile(r"^1\. "))


def _saved(page: Page, text: str) -> Locator:
    """The acknowledgement of a note field that now holds ``text``."""
    # The time is drawn through literal(), which keeps word joiners (U+2060) beside the colons.
    return page.get_by_text(re.compile(rf"^Gemt kl\. [\d:.\u2060]+ · {len(text)} tegn$"))


def _add_follow_up(page: Page, who: str, what: str) -> None:
    wait_idle(page)
    page.get_by_role("textbox", name="Andet navn (hvis ikke på listen)").fill(who)
    page.get_by_role("textbox", name="Hvad skal der følges op på?").fill(what)
    page.get_by_role("button", name="Gem aftalen").click()
    expect(page.get_by_text(f"Aftalen er gemt: {who}.")).to_be_visible(timeout=20_000)


def _no_error(page: Page, where: str) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    body = page.locator("body").inner_text()
    found = ERRORS.search(body)
    assert found is None, f"{where}: {found.group(0)!r} on the page"


def _timed(times: dict[str, float], name: str, since: float) -> None:
    times[name] = round(time.monotonic() - since, 2)


def test_two_processes_share_a_meeting_and_survive_a_killed_process(
    browser: Browser, cluster: Cluster, artifacts: Path
) -> None:
    a, b, proxy = cluster.a, cluster.b, cluster.proxy
    to_a, to_b = _route_to(cluster, a.port), _route_to(cluster, b.port)
    times: dict[str, float] = {}
    fac = _pinned(browser, proxy, to_a)
    screen = _pinned(browser, proxy, to_b)
    phone = _pinned(browser, proxy, to_b, viewport={"width": 360, "height": 640}, is_mobile=True)
    try:
        # The facilitator (on A) makes a team and starts a meeting.
        fac.goto(proxy.url)
        fac.get_by_label("Teamets navn").fill("Team To Processer")
        fac.get_by_role("button", name="Opret team").click()
        shown = fac.get_by_text("Teamets kode er")
        expect(shown).to_be_visible(timeout=20_000)
        code = re.search(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}", shown.inner_text())
        assert code, shown.inner_text()
        wait_idle(fac)
        fac.get_by_role("button", name="Start mødet").click()
        _heading(fac, 1, timeout=20_000)
        wait_idle(fac)
        meeting_url = fac.url
        found = re.search(r"[?&]m=([\w-]+)", meeting_url)
        assert found, meeting_url
        meeting_id = found.group(1)
        link = fac.locator(".bc-join a").first
        expect(link).to_be_visible()
        join = link.get_attribute("href") or ""
        assert re.search(r"\?j=\w+$", join) and join.startswith(proxy.url.rstrip("/")), join

        # The second screen and the phone (on B) open the same meeting.
        # A meeting's address is no key: the second screen opens the team with its code first
        # (an old team link), so its browser remembers the team, then the meeting's address.
        screen.goto(f"{proxy.url.rstrip('/')}/?t={code.group(0)}")
        expect(screen.get_by_role("button", name="Start mødet")).to_be_visible(timeout=30_000)
        wait_idle(screen)
        screen.goto(meeting_url)
        _heading(screen, 1, timeout=30_000)
        phone.goto(join)
        _wait_pstep(phone, "0", timeout=30_000)
        wait_idle(screen)
        wait_idle(phone)
        # The second screen's team-page session ends when it navigates to the meeting.
        deadline = time.monotonic() + 20
        while (_sessions(a), _sessions(b)) != (1, 2) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert (_sessions(a), _sessions(b)) == (1, 2), "the routing cookies pin A and B"

        # A step change on A reaches both of B's screens.
        for n in (2, 3, 4, 5):
            go_to_step(fac, n)
            since = time.monotonic()
            _heading(screen, n)
            _timed(times, f"step {n}: second screen", since)
            _wait_pstep(phone, str(n - 1))
            _timed(times, f"step {n}: phone", since)

        # A follow-up saved on A shows on B's second screen, which is at step 5 too.
        follow_up_a = "Ring til sprogcentret om et samlet forløb"
        _add_follow_up(fac, "Anne", follow_up_a)
        since = time.monotonic()
        expect(screen.get_by_text(follow_up_a)).to_be_visible(timeout=FOLLOW)
        _timed(times, "follow-up: second screen", since)
        expect(screen.get_by_role("heading", name="Aftaler fra dette møde (1)")).to_be_visible()

        # Back to step 3, where the facilitator writes a note; B's second screen shows it.
        for n in (4, 3):
            wait_idle(fac)
            fac.get_by_role("button", name="Forrige trin").click()
            _heading(fac, n, timeout=20_000)
            _heading(screen, n)
        _wait_pstep(phone, "2")
        note_a = "Jamirs egne mål først."
        _question_1(fac).press_sequentially(note_a, delay=10)
        expect(_saved(fac, note_a)).to_be_visible(timeout=20_000)
        since = time.monotonic()
        expect(_question_1(screen)).to_have_value(note_a, timeout=FOLLOW)
        _timed(times, "note: second screen", since)
        wait_idle(screen)
        screen.screenshot(path=artifacts / "multiprocess-before-kill.png")

        # SIGKILL process B. Its screens reconnect through nginx to A and redraw from the
        # database: the meeting at step 3 with the note.
        assert b.proc is not None
        b.proc.kill()
        b.proc.wait(timeout=10)
        killed = time.monotonic()
        deadline = killed + FAILOVER / 1000
        while _sessions(a) < 3:
            assert time.monotonic() < deadline, f"B's screens not back at A: {_sessions(a)}"
            time.sleep(0.2)
        _timed(times, "failover: both screens connected to A", killed)
        _heading(screen, 3, timeout=FAILOVER)
        expect(_question_1(screen)).to_have_value(note_a, timeout=FAILOVER)
        _wait_pstep(phone, "2", timeout=FAILOVER)
        _timed(times, "failover: second screen and phone show step 3 with the note", killed)
        wait_idle(screen)
        wait_idle(phone)
        screen.screenshot(path=artifacts / "multiprocess-second-screen-after-failover.png")
        phone.screenshot(path=artifacts / "multiprocess-phone-after-failover.png")
        _no_error(screen, "second screen after failover")
        _no_error(phone, "phone after failover")
        upstreams = [up for _, up, route in proxy.routed() if route == to_b]
        assert any(up.endswith(f":{a.port}") for up in upstreams), upstreams

        # More writes, now all on A: the second screen adds to the note, the phone sends a
        # thought, the second screen saves a follow-up at step 5.
        more = " Aftal næste skridt med ham."
        _question_1(screen).press("Control+End")
        _question_1(screen).press_sequentially(more, delay=10)
        expect(_saved(screen, note_a + more)).to_be_visible(timeout=20_000)
        expect(_question_1(fac)).to_have_value(note_a + more, timeout=FOLLOW)
        thought = "Hvad siger Jamir selv?"
        wait_idle(phone, 200)
        phone.get_by_role("textbox", name="Din tanke (uden navn)").fill(thought)
        phone.get_by_role("button", name="Send anonymt").click()
        expect(phone.get_by_text("Sendt anonymt. Tak!")).to_be_visible(timeout=20_000)
        for n in (4, 5):
            go_to_step(fac, n)
            _heading(screen, n)
        expect(screen.get_by_text(follow_up_a)).to_be_visible()
        follow_up_b = "Send referatet til jobkonsulenten"
        _add_follow_up(screen, "Bo", follow_up_b)
        expect(fac.get_by_text(follow_up_b)).to_be_visible(timeout=FOLLOW)
    finally:
        (artifacts / "multiprocess-times.json").write_text(
            json.dumps(times, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        for page in (fac, screen, phone):
            page.context.close()

    # No acknowledged write is lost.
    store = Storage(cluster.database_url)
    try:
        assert store.note_entries(meeting_id).get("q0", Note("", 0)).text == note_a + more
        meeting = store.get_meeting(meeting_id)
        assert meeting is not None
        follow_ups = store.follow_ups(meeting.team.id, meeting_id=meeting_id)
        assert sorted((f.who, f.what) for f in follow_ups) == [
            ("Anne", follow_up_a),
            ("Bo", follow_up_b),
        ]
        assert [t.text for t in store.thoughts(meeting.team.id, meeting_id)] == [thought]
    finally:
        store.dispose()
