"""Participants on their phones, in Chromium.

1. A facilitator runs a whole meeting with the real buttons while three phones (360×640 touch,
   390×844 dark, 1366×768) follow every step within one redraw; thoughts and a proposal reach
   the facilitator, a hidden thought stays off the projector, axe passes on the facilitator's
   step 3 with thoughts (normal and projector); after the meeting the link closes.
2. The join link opens nothing of the team: not in the page, the browser's storage, the
   address or what the server sends over the WebSocket.
3. The phone page at 360×640, light and dark: axe, nothing wider than the screen, no English,
   »Send anonymt« on the first screen.

(The same rules in AppTest, without a browser: tests/test_participants_app.py.)

Screenshots are saved under test-artifacts/participants/ (the path is printed).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, WebSocket, expect
from sqlalchemy import update

from facilitator import participation as pa
from facilitator import timer as tm
from facilitator.storage import Storage
from facilitator.storage.models import MeetingRow
from harness.app_server import AppServer, create_team_in_browser, wait_idle
from harness.meetings import meeting_query
from tests.accessibility import axe_result, start_axe
from tests.test_meeting_room_browser import _ENGLISH_RE, OBSERVER_JS, SCROLL_TOP_JS, SHOWN_JS

pytestmark = pytest.mark.browser

# The phone page's fragment redraws every 4 s (meeting.TIMER_REFRESH_SECONDS); a phone shows a
# new step within one redraw plus the page's own rerun.
FOLLOW_SECONDS = 6.0

HOSTILE = "<img src=x onerror=alert(1)> **fed**"
KIND = "Spørg sprogskolen, hvordan fraværet bliver registreret"
CPR_TEXT = "Borgeren 010203-1234 har meget fravær"
PROPOSAL = "Ringe til sprogskolen om en ny holdstart"
PEOPLE = ["Anne Andersen", "Bo Bøgh", "Carla Christensen"]

# What a phone may press or type in (besides an expander's summary, which is not a button).
PHONE_BUTTONS = {"Send anonymt", "Send forslag", "Vælg dato"}  # the last: the date's calendar

# Which sizes a phone comes in: name -> new_context arguments.
PHONES: dict[str, dict[str, Any]] = {
    "360x640": {
        "viewport": {"width": 360, "height": 640},
        "is_mobile": True,
        "has_touch": True,
    },
    "390x844-dark": {"viewport": {"width": 390, "height": 844}, "color_scheme": "dark"},
    "1366x768": {"viewport": {"width": 1366, "height": 768}},
}

# --- JavaScript probes -----------------------------------------------------------------------

# How wide the page is against the window. Streamlit's app container clips (overflow: hidden),
# so the document never grows wider than the window; what sticks out widens the main area,
# which scrolls sideways then. Both are measured, and the elements that reach past the window.
OVERFLOW_X_JS = """() => {
  const W = window.innerWidth;
  const main = document.querySelector('[data-testid="stMain"]');
  const wide = [];
  for (const el of main.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > W + 1) {
      const t = el.closest('[data-testid]');
      wide.push('<' + el.tagName.toLowerCase() + '>'
        + (t ? ' in ' + t.getAttribute('data-testid') : '') + ' right=' + Math.round(r.right));
    }
  }
  return {innerWidth: W, scrollWidth: document.documentElement.scrollWidth,
          mainScrollWidth: main.scrollWidth, mainClientWidth: main.clientWidth,
          wide: wide.slice(0, 8)};
}"""


def _too_wide(page: Page) -> dict[str, Any] | None:
    """What sticks out sideways (None: nothing)."""
    o: dict[str, Any] = page.evaluate(OVERFLOW_X_JS)
    if o["scrollWidth"] > o["innerWidth"] or o["mainScrollWidth"] > o["mainClientWidth"]:
        return o
    return None


# Material icons are drawn as text (ligatures such as »link_off«): left out of what is read.
ICONS = '[data-testid^="stIcon"], [data-testid="stAlertDynamicIcon"]'

# The main area's text without the names of Material icons (their ligatures are text).
MAIN_TEXT_JS = (
    """() => {
  const ICONS = '"""
    + ICONS
    + """';
  const main = document.querySelector('[data-testid="stMain"]');
  const copy = main.cloneNode(true);
  for (const i of copy.querySelectorAll(ICONS)) i.remove();
  document.body.appendChild(copy);
  copy.style.position = 'absolute';
  const text = copy.innerText;
  copy.remove();
  return text.replace(/\\s+/g, ' ').trim();
}"""
)

# Every visible button's name (without icon ligatures).
BUTTONS_JS = (
    """() => {
  const ICONS = '"""
    + ICONS
    + """';
  // In-page links (the skip link, the headings' anchors) go nowhere else.
  return [...document.querySelectorAll('button, [role="button"], a[href]:not([href^="#"])')]
  .filter((b) => b.checkVisibility({checkVisibilityCSS: true, visibilityProperty: true}))
  .filter((b) => !b.closest('summary'))
  .map((b) => {
    let t = '';
    const walk = document.createTreeWalker(b, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode())
      if (!n.parentElement.closest(ICONS)) t += n.textContent;
    return {tag: b.tagName.toLowerCase(), name: (t.trim() || b.getAttribute('aria-label') || ''),
            href: b.getAttribute('href')};
  });
}"""
)

STORAGE_JS = """() => {
  const dump = (s) => { const o = {}; for (let i = 0; i < s.length; i++) {
    const k = s.key(i); o[k] = s.getItem(k); } return o; };
  return {local: dump(localStorage), session: dump(sessionStorage), cookie: document.cookie};
}"""


# --- Harness ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def papp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """One app server for the file (each test makes its own team)."""
    server = AppServer(tmp_path_factory.mktemp("phones"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shots(artifacts: Path) -> Path:
    folder = artifacts / "participants"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    print(f"\nScreenshots of the phones and the facilitator: {folder}")
    return folder


@pytest.fixture
def store(papp: AppServer) -> Iterator[Storage]:
    s = Storage(f"sqlite:///{papp.data_dir / 'borgercases.sqlite3'}")
    s.create_schema()  # as the app does on its first page
    yield s
    s.dispose()


def _context(browser: Browser, **kwargs: Any) -> BrowserContext:
    args: dict[str, Any] = {"viewport": {"width": 1366, "height": 768}, "locale": "da-DK"}
    args.update(kwargs)
    context = browser.new_context(**args)
    context.add_init_script(OBSERVER_JS)
    return context


def _press(page: Page, name: str) -> None:
    wait_idle(page)
    page.get_by_role("button", name=name, exact=True).click()


def _heading(page: Page, pattern: str) -> None:
    expect(page.get_by_role("heading", name=re.compile(pattern)).first).to_be_visible(timeout=20000)


def _pstep(page: Page) -> str | None:
    found = page.locator(".bc-pstep").evaluate_all("(ps) => ps.map((p) => p.dataset.pstep)")
    return found[-1] if found else None


def _follow(
    phones: dict[str, Page], marker: str, since: float, limit: float = FOLLOW_SECONDS
) -> dict[str, float]:
    """Wait until every phone shows step ``marker`` (data-pstep); fail if one takes longer than
    ``limit`` seconds after ``since``. Returns the seconds each took."""
    pending = dict(phones)
    took: dict[str, float] = {}
    seen: dict[str, str | None] = {}
    while pending:
        for name, page in list(pending.items()):
            seen[name] = _pstep(page)
            if seen[name] == marker:
                took[name] = round(time.monotonic() - since, 1)
                del pending[name]
        if not pending or time.monotonic() - since > limit:
            break
        time.sleep(0.15)
    assert not pending, (
        f"not at step {marker!r} {limit} s after the facilitator moved: "
        + ", ".join(f"{n} shows {seen[n]!r}" for n in pending)
        + f" (the others took {took})"
    )
    for page in phones.values():
        wait_idle(page, 200)
    return took


def _no_overflow_x(page: Page, where: str) -> None:
    o = _too_wide(page)
    assert o is None, f"{where}: the page is wider than the screen: {o}"


def _hint_shown(page: Page) -> bool:
    return page.locator(".bc-hint").count() > 0


def _send_thought(page: Page, question: int, text: str) -> None:
    wait_idle(page, 200)
    page.get_by_role("radiogroup", name="Til spørgsmål").get_by_text(
        f"Spørgsmål {question}", exact=True
    ).click()
    wait_idle(page, 200)
    field = page.get_by_role("textbox", name="Din tanke (uden navn)")
    field.fill(text)
    page.get_by_role("button", name="Send anonymt").click()


def _shot(page: Page, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=path)
    return path


def _english(page: Page) -> list[str]:
    found = []
    for item in page.evaluate(SHOWN_JS):
        for m in _ENGLISH_RE.finditer(item["text"] or ""):
            found.append(f"»{m.group(0)}« in {item['where']}")
    return found


# --- 1: a whole meeting, one facilitator and three phones ---------------------------------------


class Meeting:
    """The browsers of test 1: the facilitator's screen, the phones, and what they share."""

    def __init__(self, browser: Browser, papp: AppServer, store: Storage, shots: Path) -> None:
        self.browser, self.papp, self.store, self.shots = browser, papp, store, shots
        self.contexts: list[BrowserContext] = []
        self.alerts: list[str] = []
        self.fac: Page = self.new()
        self.phones: dict[str, Page] = {}
        self.meeting_id = ""
        self.team_id = 0

    def new(self, **kwargs: Any) -> Page:
        context = _context(self.browser, **kwargs)
        self.contexts.append(context)
        page = context.new_page()
        page.on("dialog", self._dialog)
        return page

    def _dialog(self, dialog: Dialog) -> None:
        self.alerts.append(dialog.message)
        dialog.dismiss()

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    def facilitator_shots(self, page: Page, name: str, target: str) -> None:
        """The screen from its top, and scrolled to ``target`` (the phones' part)."""
        page.evaluate(SCROLL_TOP_JS)
        page.wait_for_timeout(200)
        _shot(page, self.shots, f"{name}-top")
        page.locator(target).first.evaluate("(e) => e.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(200)
        _shot(page, self.shots, f"{name}-phones")

    def facilitator_sizes(self, step: int, target: str) -> None:
        """The facilitator's screen at 1366×768 and, resized, at 1920×1080."""
        self.facilitator_shots(self.fac, f"facilitator-1366x768-step{step}", target)
        self.fac.set_viewport_size({"width": 1920, "height": 1080})
        self.fac.wait_for_timeout(300)
        self.facilitator_shots(self.fac, f"facilitator-1920x1080-step{step}", target)
        self.fac.set_viewport_size({"width": 1366, "height": 768})
        self.fac.wait_for_timeout(200)


def test_three_phones_follow_a_whole_meeting(
    browser: Browser, papp: AppServer, store: Storage, shots: Path
) -> None:
    """A facilitator runs a meeting with the real buttons; three phones follow every step
    within one redraw and show the back side only from step 4; thoughts and a proposal reach the
    facilitator, a hidden thought stays off the projector; after the meeting the link closes."""
    m = Meeting(browser, papp, store, shots)
    fac = m.fac
    try:
        team_code = create_team_in_browser(fac, papp, "Team Telefonkæden")
        wait_idle(fac)
        fac.get_by_role("textbox", name="Deltagere (valgfrit, ét navn pr. linje)").fill(
            "\n".join(PEOPLE)
        )
        fac.get_by_role("button", name="Start mødet").click()
        _heading(fac, "^Trin 1:")
        match = re.search(r"[?&]m=([\w-]+)", fac.url)
        assert match, fac.url
        m.meeting_id = match.group(1)
        meeting = store.get_meeting(m.meeting_id)
        assert meeting is not None
        m.team_id = meeting.team.id
        wait_idle(fac)

        # The join link as the page shows it: the QR code and the address under it.
        expect(fac.get_by_role("img", name=re.compile("^QR-kode")).first).to_be_visible()
        link = fac.locator(".bc-join a").first
        expect(link).to_be_visible()
        href = link.get_attribute("href") or ""
        # (Streamlit's st.context.url has no »/« after the port; browsers add it.)
        base = re.escape(papp.url.rstrip("/"))
        assert re.fullmatch(rf"{base}/?\?j=[{pa.JOIN_ALPHABET}]{{12}}", href), href
        assert link.inner_text() == href.split("://", 1)[1]
        assert m.meeting_id not in href

        m.phones = phones = {name: m.new(**args) for name, args in PHONES.items()}
        for page in phones.values():
            page.goto(href, wait_until="commit")
        _follow(phones, "0", time.monotonic(), limit=30)  # a first load, not a step change
        for name, page in phones.items():
            expect(page.get_by_text("Ordstyreren vælges nu")).to_be_visible()
            assert not _hint_shown(page), f"{name}: the back side before step 4"
            assert page.get_by_role("textbox").count() == 0, f"{name}: a field in step 1"
            _no_overflow_x(page, f"{name}, step 1")

        _press(fac, "Start uret")
        expect(fac.get_by_role("button", name="Pause")).to_be_visible()

        timings: dict[int, dict[str, float]] = {}
        projector: Page | None = None
        for n in (2, 3, 4, 5):
            _press(fac, "Næste trin")
            _heading(fac, f"^Trin {n}:")
            timings[n] = _follow(phones, str(n - 1), time.monotonic())
            for name, page in phones.items():
                if n < 4:
                    assert not _hint_shown(page), f"{name}: the back side in step {n}"
                else:
                    expect(page.locator(".bc-hint").first).to_be_attached()
                    expect(page.get_by_text("HINT – ").first).to_be_attached()
                _no_overflow_x(page, f"{name}, step {n}")
            if n == 3:
                projector = _step_3(m)
            if n == 5:
                assert projector is not None
                _step_5(m, projector)
        print(f"seconds until each phone showed the new step: {timings}")
        for name, page in phones.items():
            html = page.content()
            for secret in ("Team Telefonkæden", team_code, m.meeting_id, *PEOPLE):
                assert secret not in html, f"{name}: »{secret}« in the phone's HTML"

        # »Afslut mødet«: the phones say the meeting is over.
        _press(fac, "Afslut mødet")
        _heading(fac, "^Mødet er slut")
        _follow(phones, "done", time.monotonic())
        for name, page in phones.items():
            expect(page.get_by_text("Mødet er slut").first).to_be_visible()
            assert page.get_by_role("button", name="Send anonymt").count() == 0, name
            assert page.get_by_role("button", name="Send forslag").count() == 0, name
            _no_overflow_x(page, f"{name}, finished")
        assert m.alerts == [], f"a script ran from a phone's text: {m.alerts}"

        # After the grace period the link opens nothing, and says so in Danish.
        with store.engine.begin() as conn:
            conn.execute(
                update(MeetingRow)
                .where(MeetingRow.id == m.meeting_id)
                .values(finished_at=time.time() - pa.GRACE_SECONDS - 60)
            )
        late = m.new(**PHONES["360x640"])
        late.goto(href)
        expect(late.get_by_text(pa.JOIN_CLOSED)).to_be_visible(timeout=20000)
        wait_idle(late)
        assert late.evaluate(MAIN_TEXT_JS) == f"Deltag i teammødet {pa.JOIN_CLOSED}"
        assert late.evaluate(BUTTONS_JS) == []
        assert late.locator(".bc-pstep, .bc-timer, .bc-case, .bc-hint, textarea").count() == 0
        _shot(late, shots, "phone-360x640-light-7-link-closed")
    finally:
        m.close()


def _step_3(m: Meeting) -> Page:
    """Two phones send thoughts, one is refused a CPR number; the facilitator sees them, hides
    one, and a projector screen does not show it. axe on both screens. Returns the projector's
    page (it follows the meeting on)."""
    fac, phones, store = m.fac, m.phones, m.store
    small, dark, wide = phones["360x640"], phones["390x844-dark"], phones["1366x768"]
    _send_thought(small, 2, HOSTILE)
    _send_thought(dark, 1, KIND)
    sent = time.monotonic()
    for page in (small, dark):
        expect(page.get_by_text("Sendt anonymt. Tak!")).to_be_visible()
        expect(page.get_by_role("textbox", name="Din tanke (uden navn)")).to_have_value("")

    # The facilitator's screen shows both within one heartbeat, the hostile text literally.
    thoughts = fac.locator(".bc-thought")
    left = FOLLOW_SECONDS - (time.monotonic() - sent)
    expect(thoughts).to_have_count(2, timeout=max(left, 0.5) * 1000)
    shown = thoughts.all_inner_texts()
    assert HOSTILE in shown and KIND in shown, shown
    assert fac.locator(".bc-thought img, .bc-thought strong, img[src='x']").count() == 0
    expect(fac.get_by_text("Fra telefonerne: 1 tanke", exact=True)).to_have_count(2)

    # A CPR number is refused in Danish, and the text stays in the field.
    _send_thought(wide, 1, CPR_TEXT)
    expect(wide.get_by_role("alert").filter(has_text="CPR")).to_be_visible()
    expect(wide.get_by_role("textbox", name="Din tanke (uden navn)")).to_have_value(CPR_TEXT)
    assert "Sendt anonymt" not in wide.evaluate(MAIN_TEXT_JS)
    stored = {t.text: t for t in store.thoughts(m.team_id, m.meeting_id)}
    assert set(stored) == {HOSTILE, KIND}  # the CPR number was not stored
    assert (stored[HOSTILE].question, stored[KIND].question) == (1, 0)

    # Hide the hostile one from the projector.
    wait_idle(fac)
    row = fac.locator(f".st-key-bc_thought_{stored[HOSTILE].id}")
    row.get_by_role("button", name="Skjul på projektoren").click()
    expect(row.get_by_role("button", name="Vis på projektoren")).to_be_visible()
    expect(fac.get_by_text("heraf 1 skjult på projektoren")).to_be_visible()
    hidden = {t.text: t.hidden for t in store.thoughts(m.team_id, m.meeting_id)}
    assert hidden == {HOSTILE: True, KIND: False}

    projector = m.new()
    projector.goto(f"{m.papp.url}?{meeting_query(m.store, m.meeting_id, p='1')}")
    _heading(projector, "^Trin 3:")
    expect(projector.locator(".bc-thought")).to_have_count(1)
    wait_idle(projector)
    wait_idle(fac)
    assert projector.locator(".bc-thought").inner_text() == KIND
    assert "onerror" not in projector.locator("body").inner_text()
    assert projector.locator(".bc-thought--hidden").count() == 0

    # axe on the facilitator's screen with thoughts, normal and projector.
    screens = {"1366x768": fac, "1366x768-projector": projector}
    for page in screens.values():
        start_axe(page)
    found = [f"{name}: {v}" for name, page in screens.items() for v in axe_result(page)]
    assert found == [], "axe, facilitator at step 3 with thoughts:\n" + "\n".join(found)
    m.facilitator_sizes(3, ".bc-thought")
    m.facilitator_shots(projector, "facilitator-1366x768-projector-step3", ".bc-thought")
    return projector


def _step_5(m: Meeting, projector: Page) -> None:
    """A phone proposes a follow-up; the facilitator accepts it as the meeting's follow-up."""
    fac, store = m.fac, m.store
    dark = m.phones["390x844-dark"]
    dark.get_by_role("textbox", name="Jeg følger op på …").fill(PROPOSAL)
    dark.get_by_role("textbox", name="Mit navn (frivilligt)").fill("Bo")
    dark.get_by_role("button", name="Send forslag").click()
    expect(dark.get_by_text("Forslaget er sendt")).to_be_visible()
    heading = "Forslag fra telefonerne (1)"
    expect(fac.get_by_role("heading", name=heading)).to_be_visible(timeout=FOLLOW_SECONDS * 1000)
    _heading(projector, "^Trin 5:")
    expect(projector.get_by_role("heading", name=heading)).to_be_visible()
    for page in (fac, projector):
        wait_idle(page)
    m.facilitator_sizes(5, "[data-testid='stForm']")
    m.facilitator_shots(projector, "facilitator-1366x768-projector-step5", "[data-testid='stForm']")
    projector.context.close()

    expect(fac.get_by_role("textbox", name="Hvem følger op på forslaget?")).to_have_value("Bo")
    fac.get_by_role("button", name="Godkend som aftale").click()
    expect(fac.get_by_role("heading", name="Aftaler fra dette møde (1)")).to_be_visible()
    expect(fac.get_by_role("heading", name=re.compile("^Forslag fra telefonerne"))).to_have_count(0)
    (fu,) = store.follow_ups(m.team_id, meeting_id=m.meeting_id)
    assert (fu.who, fu.what) == ("Bo", PROPOSAL)
    assert store.proposals(m.team_id, m.meeting_id) == []
    wait_idle(fac)
    _shot(fac, m.shots, "facilitator-1366x768-step5-accepted")


# --- Seeding (tests 2 and 3: the browser flow to get here is test 1's) --------------------------


def _seed(store: Storage, name: str) -> tuple[Any, str, str, str]:
    """A team with a meeting of case 9, its moderator and a note; returns (team, team code,
    meeting id, join code)."""
    team, code = store.create_team(name)
    mid = store.create_meeting(team, date.today(), 9, PEOPLE, [60, 180, 360, 180, 120])
    store.set_moderator(team.id, mid, PEOPLE[0])
    return team, code, mid, store.join_code(team.id, mid)


def _go(store: Storage, team_id: int, mid: str, step: int | str) -> None:
    """Move the meeting to step index ``step`` (0–4), or finish it (»done«)."""
    now = time.time()

    def change(s: tm.TimerState) -> tm.TimerState:
        if s.status == tm.NOT_STARTED:
            s = tm.start(s, now)
        return tm.finish(s, now) if step == "done" else tm.go_to(s, int(step), now)

    store.update_timer(team_id, mid, change)


def _load(pages: list[Page], url: str, marker: str) -> None:
    """Load ``url`` in every page at once and wait until each shows step ``marker``."""
    for page in pages:
        page.goto(url, wait_until="commit")
    for page in pages:
        expect(page.locator(f".bc-pstep[data-pstep='{marker}']")).to_be_attached(timeout=30000)
    for page in pages:
        wait_idle(page, 300)


# --- 2: the join link opens nothing of the team -------------------------------------------------

NOTE = "Hemmelig note: borgerens mor ringede til jobcentret"
OTHER_PHONE = "En anden telefons tanke om mentorordningen"


def test_the_join_link_opens_nothing_of_the_team(
    browser: Browser, papp: AppServer, store: Storage
) -> None:
    team, team_code, mid, join = _seed(store, "Team Fortroligt Nord")
    store.save_note(team.id, mid, "q0", NOTE)
    _go(store, team.id, mid, 2)
    store.add_thought(join, 0, OTHER_PHONE)
    secrets = {
        "the team's name": team.name,
        "the team's code": team_code,
        "the team's code without dashes": team_code.replace("-", ""),
        "the meeting's id": mid,
        "the note": NOTE,
        "another phone's thought": OTHER_PHONE,
        **{f"a participant's name ({p})": p for p in PEOPLE},
    }
    context = _context(browser, **PHONES["360x640"])
    frames: list[str] = []

    def listen(ws: WebSocket) -> None:
        def keep(payload: str | bytes) -> None:
            raw = payload if isinstance(payload, bytes) else payload.encode()
            frames.append(raw.decode("utf-8", errors="replace"))

        ws.on("framereceived", keep)

    try:
        page = context.new_page()
        page.on("websocket", listen)
        url = f"{papp.url}?j={join}"
        for step in (2, 3, 4, "done"):
            _go(store, team.id, mid, step)
            _load([page], url, str(step))
            where = f"phone at step {step}"
            assert page.url == url, f"{where}: the address changed to {page.url}"
            kept = page.evaluate(STORAGE_JS)
            looked_at = {
                "the page's HTML": page.content(),
                "localStorage/sessionStorage/cookies": repr(kept),
                "the address": page.url,
                "what the server sent (WebSocket)": "\n".join(frames),
            }
            leaks = [
                f"{what} in {place}"
                for place, content in looked_at.items()
                for what, secret in secrets.items()
                if secret.lower() in content.lower()
            ]
            assert leaks == [], f"{where}: " + "; ".join(leaks)
            assert not re.search(r"[?&][ms]=", page.content()), f"{where}: ?m= or ?s= in the HTML"
            for item in page.evaluate(BUTTONS_JS):
                if item["tag"] == "a":
                    href = item["href"] or ""
                    # Only the case's »Læs mere« links, out of the app.
                    assert re.match(r"https?://(?!127\.0\.0\.1)", href), (where, item)
                else:
                    assert item["name"] in PHONE_BUTTONS, f"{where}: a button {item}"
        assert frames, "no WebSocket frames were seen: the check above looked at nothing"

        # From the join page to the app's root: the start page, without the team.
        page.goto(papp.url)
        expect(page.get_by_role("textbox", name=re.compile("^Team(ets )?kode$"))).to_be_visible(
            timeout=20000
        )
        wait_idle(page)
        assert team.name not in page.content()
        assert not re.search(r"[?&][ms]=", page.url), page.url
        assert page.get_by_role("button", name="Skift team").count() == 0
        kept = page.evaluate(STORAGE_JS)
        assert not any(k.startswith("borgercases") for k in kept["local"]), kept
    finally:
        context.close()


# --- 3: accessibility and looks of the phone -----------------------------------------------------

AXE_STEPS = {0, 2, 3, 4}  # step 1, 3 (with a message shown), 4 and 5
SMALL: dict[str, Any] = {
    "viewport": {"width": 360, "height": 640},
    "is_mobile": True,
    "has_touch": True,
}

# The height of the page's content: the main area scrolls, not the document.
CONTENT_HEIGHT_JS = """() => {
  const m = document.querySelector('[data-testid="stMain"]');
  return Math.max(m ? m.scrollHeight : 0, document.documentElement.scrollHeight);
}"""


def _whole_shot(page: Page, folder: Path, name: str) -> None:
    """The whole page, as if the screen were tall enough (the first screen: ``_shot``)."""
    size = page.viewport_size
    assert size is not None
    page.set_viewport_size({"width": size["width"], "height": page.evaluate(CONTENT_HEIGHT_JS)})
    page.wait_for_timeout(150)
    _shot(page, folder, name)
    page.set_viewport_size(size)


def test_the_phone_page_passes_axe_and_fits_a_small_screen(
    browser: Browser, papp: AppServer, store: Storage, shots: Path
) -> None:
    """axe finds nothing on a 360×640 phone, light and dark, at steps 1, 3 (with the success
    message), 4 and 5; the page is never wider than the screen and shows no English;
    »Send anonymt« is on the first screen. Screenshots of every step. (The facilitator's
    screens with thoughts: test 1.)"""
    team, _code, mid, join = _seed(store, "Team Tilgængelig")
    url = f"{papp.url}?j={join}"
    contexts = [
        _context(browser, **SMALL, color_scheme="light"),
        _context(browser, **SMALL, color_scheme="dark"),
    ]
    phones = {"light": contexts[0].new_page(), "dark": contexts[1].new_page()}
    problems: list[str] = []
    try:
        for step in (0, 1, 2, 3, 4, "done"):
            _go(store, team.id, mid, step)
            _load(list(phones.values()), url, str(step))
            n = step + 1 if isinstance(step, int) else 6
            label = f"{n}-step-{n}" if isinstance(step, int) else "6-finished"
            if step == 2:
                for scheme, page in phones.items():
                    box = page.get_by_role("button", name="Send anonymt").bounding_box()
                    assert box is not None, scheme
                    if box["y"] + box["height"] > 640:
                        problems.append(
                            f"phone 360x640 {scheme}, step 3: »Send anonymt« is not on the first "
                            f"screen (its bottom at y={round(box['y'] + box['height'])})"
                        )
                _send_thought(phones["light"], 1, KIND)
                _send_thought(phones["dark"], 2, "Hvad siger borgeren selv om praktikken?")
                for page in phones.values():
                    expect(page.get_by_text("Sendt anonymt. Tak!")).to_be_visible()
                    wait_idle(page, 200)
            if step == 4:
                for page in phones.values():
                    page.get_by_role("textbox", name="Jeg følger op på …").fill(PROPOSAL)
                    page.get_by_role("button", name="Send forslag").click()
                for page in phones.values():
                    expect(page.get_by_text("Forslaget er sendt")).to_be_visible()
                    wait_idle(page, 200)
            if step in AXE_STEPS:
                for page in phones.values():
                    start_axe(page)
            for scheme, page in phones.items():
                where = f"phone 360x640 {scheme}, {label}"
                if step in AXE_STEPS:
                    problems += [f"{where}: axe: {v}" for v in axe_result(page)]
                o = _too_wide(page)
                if o is not None:
                    problems.append(f"{where}: wider than the screen: {o}")
                problems += [f"{where}: English: {e}" for e in _english(page)]
                _shot(page, shots, f"phone-360x640-{scheme}-{label}")
                _whole_shot(page, shots, f"phone-360x640-{scheme}-{label}-whole")
    finally:
        for context in contexts:
            context.close()
    assert problems == [], "\n".join(problems)
