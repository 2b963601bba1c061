"""The page helper's browser side (facilitator/ui/assets/helper.js) in headless Chromium:
the device token, scrolling to the top on a new view, the side column that stays in view,
no text cut off with »…«, and the countdown's arithmetic against the Python it mirrors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import Browser, Page, expect

from facilitator import timer as tm
from facilitator.ui import timer_text
from harness.app_server import free_port, wait_idle
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

HELPER_JS = ROOT / "facilitator" / "ui" / "assets" / "helper.js"


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run tests/helper_probe_app.py` (this worktree's package first on the path)."""
    port = free_port()
    log = tmp_path_factory.mktemp("probe") / "streamlit.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "tests" / "helper_probe_app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(log.read_text(errors="replace"))
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _status(page: Page) -> tuple[str, int]:
    text = page.get_by_text(re.compile(r"^token=")).inner_text()
    match = re.fullmatch(r"token=(\S+) runs=(\d+)", text.strip())
    assert match, text
    return match.group(1), int(match.group(2))


def _open(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_text(re.compile(r"^token="))).to_be_visible(timeout=20000)
    wait_idle(page, 800)


def test_device_token_survives_reload_until_forgotten(browser: Browser, probe: str) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="da-DK")
    page = context.new_page()
    _open(page, probe)
    assert _status(page) == ("-", 1)  # nothing stored: no report, no extra run

    page.get_by_role("button", name="Gem A").click()
    expect(page.get_by_text(re.compile(r"^token=tok-A "))).to_be_visible()
    wait_idle(page)
    assert page.evaluate("localStorage.getItem('borgercases.device')") == "tok-A"
    # The wish holds through later runs (it was passed only once).
    page.get_by_role("button", name="Kør igen").click()
    wait_idle(page)
    assert _status(page)[0] == "tok-A"

    # A reload is a new server session: the browser reports its token, one rerun.
    page.reload()
    expect(page.get_by_text(re.compile(r"^token=tok-A runs=2$"))).to_be_visible(timeout=20000)
    page.wait_for_timeout(3000)
    assert _status(page) == ("tok-A", 2), "no rerun loop"

    # A new browser page (closed lid, browser restart) in the same profile: the same.
    page.close()
    page = context.new_page()
    _open(page, probe)
    expect(page.get_by_text(re.compile(r"^token=tok-A runs=2$"))).to_be_visible()

    # Another token replaces it, once.
    page.get_by_role("button", name="Gem B").click()
    expect(page.get_by_text(re.compile(r"^token=tok-B "))).to_be_visible()
    wait_idle(page)
    assert page.evaluate("localStorage.getItem('borgercases.device')") == "tok-B"

    # »Skift team«: forgotten at once, and after a reload.
    page.get_by_role("button", name="Glem").click()
    expect(page.get_by_text(re.compile(r"^token=- "))).to_be_visible()
    wait_idle(page)
    assert page.evaluate("localStorage.getItem('borgercases.device')") is None
    page.get_by_role("button", name="Kør igen").click()
    wait_idle(page)
    assert _status(page)[0] == "-"
    page.reload()
    expect(page.get_by_text(re.compile(r"^token="))).to_be_visible(timeout=20000)
    page.wait_for_timeout(2000)
    assert _status(page) == ("-", 1)
    context.close()


SCROLLED = """() => [window.scrollY,
  ...['[data-testid="stMain"]', '[data-testid="stAppViewContainer"]', 'section.main']
     .flatMap((s) => [...document.querySelectorAll(s)].map((e) => e.scrollTop))]"""


@pytest.mark.parametrize("projector", [False, True], ids=["normal", "projektor"])
def test_a_new_view_starts_at_the_top(browser: Browser, probe: str, projector: bool) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="da-DK")
    page = context.new_page()
    _open(page, probe + ("?p=1" if projector else ""))
    page.get_by_text("Linje 59 med noter").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    assert max(page.evaluate(SCROLLED)) > 300
    # The button sits at the top; pressing it by keyboard keeps the page where it is.
    page.get_by_role("button", name="Næste visning").focus()
    page.get_by_text("Linje 59 med noter").scroll_into_view_if_needed()
    page.keyboard.press("Enter")
    # Waits for the new view to reach the browser (on a loaded machine the rerun may start
    # only after an idle check has passed, and its scroll would then land on a later step).
    page.wait_for_function("v => window.__bcView === v", arg=f"1:{'p' if projector else 'n'}")
    page.wait_for_function(f"() => Math.max(...({SCROLLED})()) === 0")
    wait_idle(page, 800)
    assert max(page.evaluate(SCROLLED)) == 0
    # A rerun with the same view leaves the scroll position alone.
    page.get_by_text("Linje 59 med noter").scroll_into_view_if_needed()
    _token, runs = _status(page)
    page.get_by_role("button", name="Kør igen").evaluate("b => b.click()")
    expect(page.get_by_text(re.compile(rf"runs={runs + 1}$"))).to_be_visible()
    wait_idle(page, 800)
    assert max(page.evaluate(SCROLLED)) > 300
    context.close()


CUT_OFF = """() => [...document.querySelectorAll('body *')].filter((e) => {
  if (!e.checkVisibility() || e.closest('[data-testid="stIconMaterial"]')) return false;
  if (e.clientWidth <= 1 || e.clientHeight <= 1) return false;  // for screen readers only
  const s = getComputedStyle(e);
  if (s.textOverflow !== 'ellipsis' && !(s.whiteSpace === 'nowrap' && s.overflowX === 'hidden'))
    return false;
  return e.scrollWidth > e.clientWidth + 1 && e.textContent.trim() !== '';
}).map((e) => (e.getAttribute('data-testid') || e.tagName) + ': ' + e.textContent.trim())"""


@pytest.mark.parametrize("projector", [False, True], ids=["normal", "projektor"])
@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366", "1920"])
def test_side_column_stays_in_view_and_nothing_is_cut_off(
    browser: Browser, probe: str, projector: bool, size: tuple[int, int], artifacts: Path
) -> None:
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK")
    page = context.new_page()
    _open(page, probe + ("?p=1" if projector else ""))
    page.get_by_role("combobox").first.click()  # the selectbox's options are checked open too
    page.wait_for_timeout(400)
    assert page.evaluate(CUT_OFF) == []
    expect(page.get_by_text(re.compile("options available"))).to_have_count(0)
    page.keyboard.press("Escape")
    assert page.evaluate(CUT_OFF) == []

    side = page.locator(".st-key-bc_side")
    page.get_by_text("Linje 59 med noter").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = side.bounding_box()
    assert box is not None
    header = 0 if projector else page.locator('[data-testid="stHeader"]').bounding_box()["height"]  # type: ignore[index]
    # Still in view under the header after scrolling to the end of the notes.
    assert header - 1 <= box["y"] < height / 3, box
    expect(page.locator(".bc-timer__big")).to_be_in_viewport()
    name = f"probe-side-{'p' if projector else 'n'}-{width}.png"
    page.screenshot(path=artifacts / name)
    context.close()


# ---- The countdown's arithmetic in the browser against the Python it mirrors -------------


@pytest.fixture(scope="module")
def helper_module(browser: Browser) -> Iterator[Page]:
    """A page with helper.js imported as a module (its exports on window.helper)."""
    page = browser.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.evaluate(
        """async (src) => {
             const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
             window.helper = await import(url);
           }""",
        HELPER_JS.read_text(encoding="utf-8"),
    )
    yield page
    page.close()


def _js(page: Page, fn: str, args: list[object]) -> list[object]:
    return page.evaluate(f"(args) => args.map((a) => window.helper.{fn}(...a))", args)  # type: ignore[no-any-return]


FMT_TABLE = [0, 0.4, 0.5, 0.999, 1, 59, 59.99, 60, 61.5, 599, 3599.9, 3600, 5400.25,
             -0.0, -0.001, -0.5, -1, -59.2, -60, -61, -3600.5, 1e-9, -1e-9, 12345.678]  # fmt: skip


def test_fmt_table_matches_python(helper_module: Page) -> None:
    assert _js(helper_module, "fmt", [[v] for v in FMT_TABLE]) == [tm.fmt(v) for v in FMT_TABLE]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.floats(min_value=-20000, max_value=20000, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=40,
    )
)
def test_fmt_matches_python(helper_module: Page, values: list[float]) -> None:
    assert _js(helper_module, "fmt", [[v] for v in values]) == [tm.fmt(v) for v in values]


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=0, max_value=3 * 3600),
    st.lists(st.integers(min_value=30, max_value=1800), min_size=1, max_size=4),
)
def test_later_steps_share_like_the_server(
    helper_module: Page, seconds: int, weights: list[int]
) -> None:
    """The browser splits the later steps' time exactly as facilitator.timer does."""
    js = _js(helper_module, "shares", [[seconds, weights]])[0]
    py = list(tm.share_later((1, *weights), 0, seconds))
    assert js == py
    assert sum(py) == seconds


def test_js_fills_the_same_templates(helper_module: Page) -> None:
    labels = timer_text.labels()
    cases = [
        (labels["step_left"], {"short": "Ordstyrer"}),
        (labels["step_over"], {"short": "Viden og inspiration"}),
        (labels["total_left"], {"total": "12:00", "budget": "15:00"}),
        (labels["total_over"], {"over": "1:05"}),
        ("{unknown} og {short}", {"short": "x"}),
    ]
    assert _js(helper_module, "fill", [list(c) for c in cases]) == [
        timer_text.fill(t, **v) for t, v in cases
    ]
    later = [["Viden og inspiration", 180], ["Opfølgning", 120]]
    line = _js(helper_module, "laterLine", [[labels, later, 299]])[0]
    assert line == timer_text.later_line(
        [("Viden og inspiration", 179), ("Opfølgning", 120)], [180, 120]
    )
    assert line == (
        "Tiden er fordelt om, så mødet kan slutte til tiden: "
        "Viden og inspiration 2:59, Opfølgning 2:00"
    )
    more = _js(helper_module, "laterLine", [[labels, later, 400]])[0]
    assert more == timer_text.later_line(
        [("Viden og inspiration", 240), ("Opfølgning", 160)], [180, 120]
    )
    assert str(more).startswith("Den sparede tid")


def test_streamlit_english_is_put_into_danish(helper_module: Page) -> None:
    cases = {
        ("Press Enter to submit form", False): "Tryk Enter for at sende",
        ("Help for Teamkode", False): "Hjælp til Teamkode",
        ("Selected Date: December 04, 2026", False): "Valgt dato: 4. december 2026",
        ("day, Frist", True): "dag, Frist",
        ("Choose date, December 2026", True): "Vælg dato, december 2026",
        ("11 – November", True): "11 – november",
        ("Friday, December 4, 2026 selected", True): "fredag den 4. december 2026 valgt",
        # Under a download button when its file could not be made (Streamlit's own words).
        ("Failed to generate file for download", False): (
            "Filen kunne ikke laves. Prøv igen om lidt."
        ),
        ("Request timed out", False): "Serveren svarede ikke i tide. Prøv igen.",
        ("May", False): None,  # a participant called May stays May
        ("Anne", True): None,
    }
    got = _js(helper_module, "danish", [list(k) for k in cases])
    assert dict(zip(cases, got, strict=True)) == cases
