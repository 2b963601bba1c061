"""The facilitator app passes axe-core's WCAG 2.1 A/AA rules on every step and works by keyboard."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from harness.app_server import AppServer, create_team_in_browser, wait_idle
from tests.accessibility import Allowed, axe_violations

pytestmark = pytest.mark.browser

# Violations rendered by Streamlit itself that the app cannot change. Keep this short.
STREAMLIT_ALLOWED: tuple[Allowed, ...] = ()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    server = AppServer(tmp_path_factory.mktemp("a11y-app"))
    server.start()
    yield server
    server.stop()


def _check(page: Page, where: str, failures: dict[str, list[str]]) -> None:
    wait_idle(page)
    found = axe_violations(page, STREAMLIT_ALLOWED)
    if found:
        failures[where] = found


def _start_meeting(page: Page, app: AppServer, team: str) -> str:
    """Create a team and start a meeting; returns the team's code (from the team's link)."""
    code = create_team_in_browser(page, app, team)
    page.get_by_role("textbox", name="Deltagere (valgfrit, ét navn pr. linje)").fill("Anne\nBo")
    page.get_by_role("button", name="Start mødet").click()
    expect(page.get_by_role("heading", name="Trin 1: Vælg en ordstyrer")).to_be_visible(
        timeout=20000
    )
    return code


@pytest.mark.parametrize("projector", [False, True], ids=["normal", "projektor"])
def test_every_step_has_no_wcag_violations(
    browser: Browser, app: AppServer, projector: bool
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="da-DK")
    page = context.new_page()
    failures: dict[str, list[str]] = {}
    team = f"Team axe {projector}"
    page.goto(app.url)
    expect(page.locator("html")).to_have_attribute("lang", "da", timeout=15000)
    _check(page, "startside", failures)
    # Streamlit's English help-button names are replaced by Danish ones.
    expect(page.get_by_role("button", name="Hjælp til Teamkode")).to_have_count(1)
    expect(page.locator('[aria-label^="Help for"]')).to_have_count(0)
    code = _start_meeting(page, app, team)
    if projector:
        page.goto(page.url + "&p=1")
        expect(page.get_by_role("button", name="Afslut projektorvisning")).to_be_visible(
            timeout=20000
        )
    page.get_by_role("button", name="Start uret").click()
    # The click redraws the page; until that run ends, Streamlit keeps the old (faded) heading
    # beside the new one.
    wait_idle(page)
    for n in range(1, 6):
        expect(page.get_by_role("heading", name=re.compile(f"Trin {n}"))).to_be_visible()
        _check(page, f"trin {n}", failures)
        if n == 5:
            page.get_by_role("textbox", name="Hvad skal der følges op på?").fill("Ring til VUC")
            page.get_by_role("button", name="Gem aftalen").click()
            expect(page.get_by_text("Aftalen er gemt")).to_be_visible()
            _check(page, "trin 5 med aftale", failures)
        wait_idle(page)
        page.get_by_role("button", name="Afslut mødet" if n == 5 else "Næste trin").click()
    expect(page.get_by_role("heading", name="Mødet er slut")).to_be_visible()
    _check(page, "mødet er slut", failures)
    if not projector:
        page.get_by_text("Referat og aftaler").click()
        _check(page, "referat i sidepanelet", failures)
        meeting = re.search(r"m=([\w-]+)", page.url)
        assert meeting
        page.goto(f"{app.url}?m={meeting.group(1)}&view=print")
        expect(page.get_by_role("heading", name=re.compile("Referat"))).to_be_visible()
        _check(page, "udskriftsvisning", failures)
        # The team's next meeting: open follow-ups and history first.
        page.goto(f"{app.url}?t={code}")
        expect(page.get_by_text("Ring til VUC")).to_be_visible(timeout=20000)
        _check(page, "næste møde med åbne aftaler", failures)
    context.close()
    assert failures == {}, "\n".join(f"{w}:\n  " + "\n  ".join(v) for w, v in failures.items())


def _focus(page: Page, target: Locator, limit: int = 120) -> None:
    """Press Tab until the target (or something inside it) has the keyboard focus."""
    for _ in range(limit):
        if target.evaluate(
            "e => e === document.activeElement || e.contains(document.activeElement)"
        ):
            visible = page.evaluate(
                """() => { const s = getComputedStyle(document.activeElement);
                   return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                       || s.boxShadow !== 'none'; }"""
            )
            assert visible, "Fokus er ikke synligt"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Kunne ikke nå {target} med Tab")


def test_whole_exercise_by_keyboard_alone(
    browser: Browser, app: AppServer, artifacts: Path
) -> None:
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="da-DK", accept_downloads=True
    )
    page = context.new_page()
    page.goto(app.url)
    wait_idle(page)

    _focus(page, page.get_by_label("Teamets navn"))
    page.keyboard.type("Team tastatur")
    _focus(page, page.get_by_role("button", name="Opret team"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Teamets kode er")).to_be_visible(timeout=20000)
    wait_idle(page)
    _focus(page, page.get_by_role("textbox", name="Deltagere (valgfrit, ét navn pr. linje)"))
    page.keyboard.type("Anne")
    page.keyboard.press("Enter")
    page.keyboard.type("Bo")
    _focus(page, page.get_by_role("button", name="Start mødet"))
    page.screenshot(path=artifacts / "app-keyboard-focus.png")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Trin 1: Vælg en ordstyrer")).to_be_visible(
        timeout=20000
    )
    wait_idle(page)
    _focus(page, page.get_by_role("button", name="Start uret"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    for n in (2, 3):
        wait_idle(page)
        _focus(page, page.get_by_role("button", name="Næste trin"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name=re.compile(f"Trin {n}"))).to_be_visible()
    wait_idle(page)
    _focus(page, page.get_by_role("textbox").first)
    page.keyboard.type("Skrevet med tastaturet")
    page.wait_for_timeout(2500)  # autosave after a pause in typing
    for n in (4, 5):
        wait_idle(page)
        _focus(page, page.get_by_role("button", name="Næste trin"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name=re.compile(f"Trin {n}"))).to_be_visible()
    wait_idle(page)
    _focus(page, page.get_by_role("textbox", name="Hvad skal der følges op på?"))
    page.keyboard.type("Kontakt jobkonsulenten")
    _focus(page, page.get_by_role("button", name="Gem aftalen"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Aftalen er gemt")).to_be_visible()
    wait_idle(page)
    _focus(page, page.get_by_role("button", name="Afslut mødet"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Mødet er slut")).to_be_visible()
    wait_idle(page)
    main = page.get_by_role("main")
    _focus(page, main.get_by_role("button", name="Referat som tekstfil (.md)"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    referat = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Skrevet med tastaturet" in referat
    assert "Kontakt jobkonsulenten" in referat
    context.close()
