"""Two teams on one server, in two browsers: neither can reach the other's data."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from harness.app_server import AppServer, create_team_in_browser, go_to_step, wait_idle

pytestmark = pytest.mark.browser

SECRET_NOTE = "Hemmelig note fra Team Alfa"
SECRET_TASK = "Alfas opgave om sprogskolen"


def _new_page(browser: Browser) -> Page:
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="da-DK", accept_downloads=True
    )
    return context.new_page()


def _create_team(page: Page, app: AppServer, name: str) -> str:
    return create_team_in_browser(page, app, name)


def _start_meeting(page: Page) -> str:
    page.get_by_role("textbox", name="Deltagere (valgfrit, ét navn pr. linje)").fill("Anne\nBo")
    page.get_by_role("button", name="Start mødet").click()
    expect(page.get_by_role("heading", name="Trin 1: Vælg en ordstyrer")).to_be_visible(
        timeout=20000
    )
    match = re.search(r"[?&]m=([\w-]+)", page.url)
    assert match
    return match.group(1)


def _wrong_code(page: Page, code: str) -> float:
    field = page.get_by_role("textbox", name="Teamkode")
    field.fill(code)
    started = time.monotonic()
    page.get_by_role("button", name="Åbn teamet").click()
    expect(page.get_by_text("Koden passer ikke")).to_be_visible(timeout=20000)
    return time.monotonic() - started


def test_two_teams_cannot_see_each_other(browser: Browser, app: AppServer, artifacts: Path) -> None:
    alfa = _new_page(browser)
    code_alfa = _create_team(alfa, app, "Team Alfa")
    meeting_alfa = _start_meeting(alfa)
    for n in (2, 3):
        go_to_step(alfa, n)
    note = alfa.get_by_role("textbox").first
    note.click()
    note.type(SECRET_NOTE, delay=5)
    alfa.wait_for_timeout(2500)
    for n in (4, 5):
        go_to_step(alfa, n)
    alfa.get_by_role("textbox", name="Hvad skal der følges op på?").fill(SECRET_TASK)
    alfa.get_by_role("button", name="Gem aftalen").click()
    expect(alfa.get_by_text("Aftalen er gemt")).to_be_visible()

    beta = _new_page(browser)
    # Without a code, the start page lists no teams and nothing of Alfa's.
    beta.goto(app.url)
    wait_idle(beta)
    assert "Alfa" not in beta.content()
    # Alfa's name, a made-up code and an old-style ?team= address get nothing.
    # (Wrong codes are counted on the server: tests/test_isolation.py, tests/test_access_flow.py.)
    _wrong_code(beta, "Team Alfa")
    _wrong_code(beta, "AAAA-BBBB-CCCC-DDDD")
    beta.goto(f"{app.url}?team=Team+Alfa")
    wait_idle(beta)
    assert "Alfa" not in beta.content()
    beta.goto(f"{app.url}?t=AAAA-BBBB-CCCC-DDDD")
    expect(beta.get_by_text("Koden passer ikke")).to_be_visible(timeout=20000)
    # A guessed meeting id finds nothing, and Alfa's own meeting address asks for a code.
    for mid in (f"{meeting_alfa[:-4]}AAAA", meeting_alfa):
        beta.goto(f"{app.url}?m={mid}")
        expect(beta.get_by_role("textbox", name="Teamkode")).to_be_visible(timeout=20000)
        wait_idle(beta)
        assert "Alfa" not in beta.content() and SECRET_NOTE not in beta.content()

    # Beta's own space: its history, meeting, exports and print view hold nothing of Alfa's.
    code_beta = _create_team(beta, app, "Team Beta")
    assert code_beta != code_alfa
    meeting_beta = _start_meeting(beta)
    beta.goto(f"{app.url}?t={code_beta}")
    expect(beta.get_by_role("heading", name="Teamets møder (1)")).to_be_visible(timeout=20000)
    wait_idle(beta)
    page_text = beta.content()
    for secret in ("Alfa", SECRET_NOTE, SECRET_TASK, meeting_alfa, code_alfa):
        assert secret not in page_text
    beta.screenshot(path=artifacts / "app-team-beta-start.png", full_page=True)
    beta.goto(f"{app.url}?m={meeting_beta}&view=print")
    expect(beta.get_by_role("heading", name=re.compile("Referat"))).to_be_visible(timeout=20000)
    assert SECRET_NOTE not in beta.content() and SECRET_TASK not in beta.content()
    beta.goto(f"{app.url}?m={meeting_beta}")
    wait_idle(beta)
    beta.get_by_text("Referat og aftaler").click()
    sidebar = beta.get_by_test_id("stSidebar")
    for label in (
        "Referat som tekstfil (.md)",
        "Excel-liste over aftaler (.csv)",
        "Kalender med aftaler (.ics)",
    ):
        with beta.expect_download() as download:
            sidebar.get_by_role("button", name=label).click()
        data = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert SECRET_NOTE not in data and SECRET_TASK not in data and "Alfa" not in data

    # Alfa's own link still shows Alfa's data (the check above is not vacuous).
    alfa.goto(f"{app.url}?t={code_alfa}")
    expect(alfa.get_by_text(SECRET_TASK)).to_be_visible(timeout=20000)
