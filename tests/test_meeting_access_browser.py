"""Issue 20, points 1 and 5 in Chromium: a meeting's address is no key (nor on paper), every
revocation closes an open meeting screen within one heartbeat, and a link with another team
asks before it replaces the team this computer remembers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from harness.app_server import AppServer, create_team_in_browser, go_to_step, wait_idle
from tests.test_team_spaces_browser import _start_meeting

pytestmark = pytest.mark.browser

SECRET = "Fortrolig pointe fra mødet"
HEARTBEAT_MS = 4000 + 8000  # one redraw of the timer panel, plus the page's run on a busy machine


def _context(browser: Browser) -> BrowserContext:
    return browser.new_context(viewport={"width": 1366, "height": 768}, locale="da-DK")


def _meeting_with_note(page: Page, app: AppServer, team: str) -> tuple[str, str]:
    code = create_team_in_browser(page, app, team)
    mid = _start_meeting(page)
    for n in (2, 3):
        go_to_step(page, n)
    note = page.get_by_role("textbox").first
    note.click()
    note.type(SECRET, delay=5)
    expect(page.get_by_text(re.compile("^Gemt kl"))).to_be_visible(timeout=20000)
    return code, mid


def _code_form_only(page: Page, *secrets: str) -> None:
    expect(page.get_by_role("textbox", name="Teamkode")).to_be_visible(timeout=HEARTBEAT_MS)
    wait_idle(page)
    html = page.content()
    for secret in secrets:
        assert secret not in html
    assert "Trin 3" not in page.inner_text("body")
    assert page.locator(".bc-timer").count() == 0


def test_a_meeting_address_opens_nothing_without_the_team(browser: Browser, app: AppServer) -> None:
    context = _context(browser)
    page = context.new_page()
    code, mid = _meeting_with_note(page, app, "Team Lukket")
    page.get_by_role("button", name="Glem denne computer").click()
    expect(page.get_by_text("Computeren har glemt teamet")).to_be_visible(timeout=20000)
    fresh = _context(browser)
    for address in (f"?m={mid}", f"?m={mid}&view=print"):
        other = fresh.new_page()
        other.goto(app.url + address)
        _code_form_only(other, "Team Lukket", SECRET, "Mødet findes ikke")
        other.close()
    # The same browser that forgot the team: the bare address asks for the code as well …
    page.goto(f"{app.url}?m={mid}")
    _code_form_only(page, "Team Lukket", SECRET)
    # … and the code typed right opens the meeting, with nothing lost.
    page.get_by_role("textbox", name="Teamkode").fill(code)
    page.get_by_role("button", name="Åbn teamet").click()
    expect(page.get_by_role("heading", name=re.compile("^Trin 3"))).to_be_visible(timeout=20000)
    expect(page.get_by_role("textbox").first).to_have_value(SECRET)
    # A reload in the remembered browser opens it again by itself.
    page.reload()
    expect(page.get_by_role("heading", name=re.compile("^Trin 3"))).to_be_visible(timeout=20000)
    context.close()
    fresh.close()


def test_a_new_code_closes_an_open_meeting_screen_within_a_heartbeat(
    browser: Browser, app: AppServer
) -> None:
    context = _context(browser)
    page = context.new_page()
    _code, mid = _meeting_with_note(page, app, "Team Ny Kode")
    screen = _context(browser).new_page()  # a second computer with the team open
    screen.goto(app.url)
    screen.get_by_role("textbox", name="Teamkode").fill(_code)
    screen.get_by_role("button", name="Åbn teamet").click()
    expect(screen.get_by_role("heading", name="Team Ny Kode")).to_be_visible(timeout=20000)
    screen.goto(f"{app.url}?m={mid}")
    expect(screen.get_by_role("heading", name=re.compile("^Trin 3"))).to_be_visible(timeout=20000)
    page.get_by_role("button", name="Nyt møde / teamets historik").click()
    page.get_by_text("Teamets kode og adgang").click()
    page.get_by_role("button", name="Lav en ny kode").click()
    expect(page.get_by_text("Teamet har fået en ny kode")).to_be_visible(timeout=20000)
    _code_form_only(screen, SECRET)  # no click, no reload: the heartbeat closed it
    context.close()


def test_forget_in_one_tab_ends_the_team_in_the_other(browser: Browser, app: AppServer) -> None:
    context = _context(browser)
    page = context.new_page()
    _code, mid = _meeting_with_note(page, app, "Team To Faner")
    tab = context.new_page()
    tab.goto(f"{app.url}?m={mid}")  # the remembered computer opens it
    expect(tab.get_by_role("heading", name=re.compile("^Trin 3"))).to_be_visible(timeout=20000)
    page.get_by_role("button", name="Glem denne computer").click()
    expect(page.get_by_text("Computeren har glemt teamet")).to_be_visible(timeout=20000)
    _code_form_only(tab, SECRET)
    context.close()


def test_printed_referat_has_no_page_header_or_footer(browser: Browser, app: AppServer) -> None:
    context = _context(browser)
    page = context.new_page()
    _code, mid = _meeting_with_note(page, app, "Team Papir")
    page.goto(f"{app.url}?m={mid}&view=print")
    expect(page.get_by_role("heading", name=re.compile("Referat"))).to_be_visible(timeout=20000)
    boxes = page.evaluate(
        """() => [...document.styleSheets].flatMap((s) => [...s.cssRules])
             .filter((r) => r instanceof CSSPageRule)
             .flatMap((r) => [...r.cssRules].map((m) => [m.name, m.style.content]))"""
    )
    names = {name for name, content in boxes if content in ('""', "''")}
    assert {"top-left", "top-center", "top-right"} <= names, boxes
    assert {"bottom-left", "bottom-center", "bottom-right"} <= names, boxes
    context.close()


def test_a_team_link_asks_before_replacing_the_remembered_team(
    browser: Browser, app: AppServer
) -> None:
    stranger = _context(browser).new_page()
    their_code = create_team_in_browser(stranger, app, "Team Fremmed")
    context = _context(browser)
    page = context.new_page()
    create_team_in_browser(page, app, "Team Mit")
    before = page.evaluate("localStorage.getItem('borgercases.device')")
    assert before
    link = context.new_page()
    link.goto(f"{app.url}?t={their_code}")
    question = link.get_by_text("Åbn Team Fremmed i stedet for Team Mit?")
    expect(question).to_be_visible(timeout=20000)
    assert link.evaluate("localStorage.getItem('borgercases.device')") == before
    link.get_by_role("button", name="Nej, behold Team Mit").click()
    expect(link.get_by_role("heading", name="Team Mit")).to_be_visible(timeout=20000)
    assert link.evaluate("localStorage.getItem('borgercases.device')") == before
    link.goto(f"{app.url}?t={their_code}")
    expect(question).to_be_visible(timeout=20000)
    link.get_by_role("button", name="Ja, åbn Team Fremmed").click()
    expect(link.get_by_role("heading", name="Team Fremmed")).to_be_visible(timeout=20000)
    link.wait_for_function(
        "(b) => localStorage.getItem('borgercases.device') !== b", arg=before, timeout=20000
    )
    context.close()
