"""Phones cannot paint the facilitator's screen or the projector (issue 20, point 3): a thought
or a proposal with a blank line, a heading, a link, a data: image, bold, a script tag and a raw
address is shown as the text that was typed – on the facilitator's screen and in projector
view."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from facilitator import timer as tm
from facilitator.storage import Storage
from harness.app_server import AppServer, open_team_by_link, wait_idle

pytestmark = pytest.mark.browser

SVG = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='400' height='80'%3E"
    "%3C/svg%3E"
)
HOSTILE = (
    "Godt spørgsmål.\n\n"
    "# Vigtigt fra IT\n\n"
    "[Klik her og log ind med teamkoden](https://evil.example/login)\n\n"
    f"![x]({SVG})\n\n"
    "**fed** <script>alert(1)</script> https://evil.example/sti"
)
PROPOSAL = HOSTILE.replace("Godt spørgsmål.", "Jeg ringer til mentoren.")
PEOPLE = ["Anne", "Bo"]


@pytest.fixture
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    server = AppServer(tmp_path_factory.mktemp("phones-text"))
    server.start()
    yield server
    server.stop()


def _at_step(store: Storage, team_id: int, mid: str, step: int) -> None:
    now = time.time()
    store.update_timer(team_id, mid, lambda s: tm.go_to(tm.start(s, now), step, now))


def _page(browser: Browser, width: int, height: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK")
    return context.new_page()


def _literal(page: Page, selector: str, typed: str) -> None:
    box = page.locator(selector).filter(
        has_text="Godt spørgsmål" if typed == HOSTILE else "mentoren"
    )
    expect(box).to_have_count(1, timeout=20000)
    wait_idle(page)
    for tag in ("h1", "h2", "a", "img", "strong", "script", "svg"):
        assert box.locator(tag).count() == 0, f"{tag} inside {selector}"
    shown = box.evaluate("(el) => el.innerText")
    assert shown.replace("\xa0", " ").strip() == typed, shown
    assert page.locator("img[src^='data:image/svg']").count() == 0
    assert page.get_by_role("link", name="Klik her og log ind med teamkoden").count() == 0


def test_a_phone_cannot_put_markdown_on_the_screens(browser: Browser, served: AppServer) -> None:
    store = Storage(f"sqlite:///{served.data_dir / 'borgercases.sqlite3'}")
    store.create_schema()
    try:
        team, code = store.create_team("Team Tekst")
        mid = store.create_meeting(team, date.today(), 9, PEOPLE, [60, 180, 360, 180, 120])
        join = store.join_code(team.id, mid)
        _at_step(store, team.id, mid, 2)

        phone = _page(browser, 360, 640)
        phone.goto(f"{served.url}?j={join}")
        field = phone.get_by_role("textbox", name="Din tanke (uden navn)")
        expect(field).to_be_visible(timeout=30000)
        field.fill(HOSTILE)
        wait_idle(phone, 200)
        phone.get_by_role("button", name="Send anonymt").click()
        expect(phone.get_by_text("Sendt anonymt. Tak!")).to_be_visible(timeout=20000)
        assert [t.text for t in store.thoughts(team.id, mid)] == [HOSTILE]

        fac = _page(browser, 1366, 768)
        # the computer remembers the team before the meeting's bare address is opened
        open_team_by_link(fac, served.url, code)
        fac.goto(f"{served.url}?m={mid}")
        _literal(fac, ".bc-thought", HOSTILE)
        projector = _page(browser, 1920, 1080)
        open_team_by_link(projector, served.url, code)
        projector.goto(f"{served.url}?m={mid}&p=1")
        _literal(projector, ".bc-thought", HOSTILE)

        _at_step(store, team.id, mid, 4)
        what = phone.get_by_role("textbox", name="Jeg følger op på …")
        expect(what).to_be_visible(timeout=30000)
        what.fill(PROPOSAL)
        phone.get_by_role("textbox", name="Mit navn (frivilligt)").fill(
            "**Bo** [x](https://evil.example)"
        )
        wait_idle(phone, 200)
        phone.get_by_role("button", name="Send forslag").click()
        expect(phone.get_by_role("textbox", name="Jeg følger op på …")).to_have_value(
            "", timeout=20000
        )
        fac.reload()
        _literal(fac, ".bc-thought", PROPOSAL)
        by = fac.locator(".bc-muted").filter(has_text="Foreslået af")
        expect(by).to_have_count(1)
        assert by.locator("a, strong").count() == 0
        assert "**Bo** [x](https://evil.example)" in by.inner_text()
    finally:
        store.dispose()
