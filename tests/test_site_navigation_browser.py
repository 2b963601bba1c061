"""Finding one's way on the site, on both builds (MkDocs and Zensical), as a person does it.

- P toggles the projector view whatever has focus, and never turns the page.
- The case card's back is reached by any link, table-of-contents entry, search hit or address
  that points into it; the side shown is in the address (shared, kept on reload, back/forward).
- The home page leads to every section in one click, in normal and projector view, and to the
  facilitator tool when its address is set at build time.
- A glossary explanation is at least body size, inside the window and on top of everything,
  on hover, tap and keyboard focus, in normal and projector view.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from playwright.sync_api import Browser, Locator, Page, expect

from tests.conftest import ROOT, copy_project, mkdocs_build, serve_folder, zensical_build

pytestmark = pytest.mark.browser

PROJECTOR = re.compile(r"\bprojector\b")
FRONT_TEXT = "Salman er 30 år."  # the start of case 9's front
APP_URL = "https://borgercases.kommune.example/vaerktoej/"


@pytest.fixture(scope="session")
def site_artifacts(artifacts: Path) -> Path:
    folder = artifacts / "site"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def build(request: pytest.FixtureRequest) -> str:
    """The name of the build under test (the ``any_site`` parameter)."""
    return str(request.node.callspec.params["any_site"])


@pytest.fixture(params=["http", "file"])
def base(request: pytest.FixtureRequest, any_site: Path, any_site_server: str) -> str:
    """The site's address: served over HTTP, or opened from disk (file://)."""
    return any_site_server if request.param == "http" else any_site.as_uri() + "/"


def back(page: Page) -> Locator:
    return page.get_by_role("heading", name="Læs mere")


def front(page: Page) -> Locator:
    return page.get_by_text(FRONT_TEXT)


def expect_back(page: Page) -> None:
    expect(back(page)).to_be_visible()
    expect(front(page)).to_be_hidden()


def expect_front(page: Page) -> None:
    expect(front(page)).to_be_visible()
    expect(back(page)).to_be_hidden()


IN_VIEW = """(selector) => {
  const r = document.querySelector(selector).getBoundingClientRect();
  const header = document.querySelector('.md-header');
  const top = header && header.offsetHeight ? header.getBoundingClientRect().bottom : 0;
  return r.top >= top - 1 && r.bottom <= innerHeight;
}"""


def expect_in_view(page: Page, element_id: str) -> None:
    """The element is on screen, below the (sticky) header if there is one; for a side's own
    heading (visually hidden), the tab labels above it are, so one sees the side shown."""
    selector = f'[id="{element_id}"]'
    if element_id in ("casen", "viden-og-inspiration"):
        selector = ".md-content .tabbed-labels"
    page.wait_for_function(IN_VIEW, arg=selector, timeout=5_000)


def tab(page: Page, name: str) -> Locator:
    return page.locator(".tabbed-labels label").filter(has_text=name)


# -- Point 1: P toggles the projector view whatever has focus --------------------------------


def test_p_toggles_the_projector_view_whatever_has_focus(offline_page: Page, base: str) -> None:
    page = offline_page
    page.goto(base + "cases/case-09.html")
    visited: list[str] = []
    page.on("framenavigated", lambda f: visited.append(f.url) if f == page.main_frame else None)
    html = page.locator("html")
    page.keyboard.press("p")
    expect(html).to_have_class(PROJECTOR)
    # Turning the card with its tab leaves keyboard focus on the tab (its radio button).
    tab(page, "Viden og inspiration").click()
    expect_back(page)
    expect(page.locator(".md-content .tabbed-set > input").nth(1)).to_be_focused()
    page.keyboard.press("p")
    expect(html).not_to_have_class(PROJECTOR)
    # A link, then a button.
    page.get_by_role("link", name="Tilbage til casen").focus()
    page.keyboard.press("p")
    expect(html).to_have_class(PROJECTOR)
    exit_button = page.get_by_role("button", name="Afslut projektorvisning")
    exit_button.focus()
    page.keyboard.press("P")
    expect(html).not_to_have_class(PROJECTOR)
    # Still the same page: no key press turned it.
    expect(page).to_have_url(re.compile(r"/cases/case-09\.html(#.*)?$"))
    assert all("/cases/case-09.html" in url for url in visited), visited
    expect_back(page)


# -- Point 2: the back of the card by link, address and search hit ---------------------------


def test_an_address_into_the_back_opens_the_back(
    offline_page: Page, base: str, build: str, site_artifacts: Path
) -> None:
    page = offline_page
    for anchor in ("viden-og-inspiration", "har-i-overvejet", "læs-mere"):
        page.goto("about:blank")
        page.goto(base + f"cases/case-09.html#{quote(anchor)}")
        expect_back(page)
        expect_in_view(page, anchor)
        if anchor == "viden-og-inspiration" and base.startswith("http"):
            page.screenshot(path=site_artifacts / f"card-back-by-address-{build}.png")
    # Reloading keeps the side, and the front has its own address.
    page.reload()
    expect_back(page)
    expect_in_view(page, "læs-mere")
    page.goto(base + "cases/case-09.html#casen")
    expect_front(page)


def test_table_of_contents_links_turn_the_card(offline_page: Page, base: str) -> None:
    page = offline_page
    page.goto(base + "cases/case-09.html")
    expect_front(page)
    toc = page.locator(".md-sidebar--secondary")
    toc.get_by_role("link", name="Læs mere").click()
    expect_back(page)
    expect(page).to_have_url(re.compile(r"#l%C3%A6s-mere$"))
    expect_in_view(page, "læs-mere")
    toc.get_by_role("link", name="Refleksionsspørgsmål").click()
    expect_front(page)
    toc.get_by_role("link", name="Har I overvejet…").click()
    expect_back(page)
    expect_in_view(page, "har-i-overvejet")


def test_the_side_shown_is_in_the_address(offline_page: Page, base: str) -> None:
    page = offline_page
    page.goto(base + "cases/case-09.html")
    # The tabs: the address names the side, and a reload keeps it.
    tab(page, "Viden og inspiration").click()
    expect_back(page)
    expect(page).to_have_url(re.compile(r"case-09\.html#viden-og-inspiration$"))
    page.reload()
    expect_back(page)
    tab(page, "Casen").click()
    expect_front(page)
    expect(page).to_have_url(re.compile(r"case-09\.html#casen$"))
    page.reload()
    expect_front(page)
    # The links on the card are links: the browser's back button turns the card back.
    page.get_by_role("link", name=re.compile("^Vend siden")).click()
    expect_back(page)
    expect(page).to_have_url(re.compile(r"#viden-og-inspiration$"))
    expect_in_view(page, "viden-og-inspiration")
    page.go_back()
    expect_front(page)
    page.go_forward()
    expect_back(page)
    page.get_by_role("link", name="Tilbage til casen").click()
    expect_front(page)
    expect(page).to_have_url(re.compile(r"#casen$"))
    expect_in_view(page, "casen")
    page.go_back()
    expect_back(page)


def open_search(page: Page) -> Locator:
    """The search field, opened as a person does it (Material: key S; Zensical: the button)."""
    page.wait_for_load_state("load")
    material = page.locator("input.md-search__input")
    if material.count():
        page.keyboard.press("s")
        expect(material).to_be_focused()
        return material
    page.locator(".md-search__button").click()
    box = page.locator("input[aria-autocomplete=list]")
    expect(box).to_be_focused()
    return box


def test_a_search_hit_in_the_back_opens_the_back(offline_page: Page, any_site_server: str) -> None:
    page = offline_page
    page.goto(any_site_server + "index.html")
    box = open_search(page)
    page.keyboard.type("sprogmentor", delay=20)
    # Typing in the search field is text: the p stays in the word, no projector view.
    expect(box).to_have_value("sprogmentor")
    expect(page.locator("html")).not_to_have_class(PROJECTOR)
    hit = page.locator('a[href*="case-09.html"][href*="#har-i-overvejet"]').first
    expect(hit).to_be_visible(timeout=30_000)
    hit.click()
    expect(page).to_have_url(re.compile(r"case-09\.html\?h=.*#har-i-overvejet$"))
    expect_back(page)
    expect_in_view(page, "har-i-overvejet")


# -- Point 4: a home that leads everywhere -----------------------------------------------------


class _AnyTagLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without running its tags (!ENV, !!python/…)."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    return None


_AnyTagLoader.add_multi_constructor("!", _ignore_tag)
_AnyTagLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)


def sections() -> dict[str, str]:
    """Every top-level section of the navigation (mkdocs.yml) but the home: its first page."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), _AnyTagLoader)
    found = {}
    for entry in config["nav"]:
        ((title, target),) = entry.items()
        page = target if isinstance(target, str) else target[0]
        if page != "index.md":
            found[title] = page.replace(".md", ".html")
    return found


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_every_section_is_one_click_from_the_home(
    offline_page: Page,
    any_site_server: str,
    build: str,
    site_artifacts: Path,
    width: int,
    height: int,
) -> None:
    page = offline_page
    page.set_viewport_size({"width": width, "height": height})
    wanted = sections()
    assert len(wanted) >= 7, wanted
    for mode in ("normal", "projektor"):
        page.goto(any_site_server + "index.html")
        if mode == "projektor":
            page.keyboard.press("p")
            expect(page.locator(".md-header")).to_be_hidden()
        content = page.locator(".md-content")
        for title, target in wanted.items():
            link = content.locator(f'a[href="{target}"], a[href="./{target}"]')
            expect(link.first, f"{title} ({target}) mangler på forsiden").to_be_visible()
            # On the first screen, without scrolling.
            box = link.first.bounding_box()
            assert box is not None and box["y"] + box["height"] <= height, (title, mode, box)
        # The facilitator tool is linked exactly when its address was set for the build.
        tool = content.get_by_role("link", name="Facilitatorværktøjet")
        expect(tool).to_have_count(2 if os.environ.get("BORGERCASES_APP_URL") else 0)
        page.screenshot(path=site_artifacts / f"home-{build}-{width}-{mode}.png")
    content.get_by_role("link", name="Ordliste").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ordliste")


@pytest.fixture(scope="module", params=["mkdocs", "zensical"])
def app_linked_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Each build made with the facilitator tool's address set (as `make run` does)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("BORGERCASES_APP_URL", APP_URL)
        if request.param == "mkdocs":
            site = tmp_path_factory.mktemp("app-linked-site")
            result = mkdocs_build(site)
        else:
            project = copy_project(tmp_path_factory.mktemp("app-linked") / "project")
            result = zensical_build(project)
            site = project / "site"
    assert result.returncode == 0, result.stdout + result.stderr
    url, server = serve_folder(site)
    yield url
    server.shutdown()


@pytest.mark.parametrize("mode", ["normal", "projektor"])
def test_the_home_links_to_the_facilitator_tool(
    offline_page: Page, app_linked_site: str, site_artifacts: Path, mode: str, request: Any
) -> None:
    page = offline_page
    page.goto(app_linked_site + "index.html")
    if mode == "projektor":
        page.keyboard.press("p")
    tool = page.locator(".md-content").get_by_role("link", name="Facilitatorværktøjet").first
    expect(tool).to_have_attribute("href", APP_URL)
    expect(tool).to_be_in_viewport()
    build = request.node.callspec.params["app_linked_site"]
    page.screenshot(path=site_artifacts / f"home-with-tool-{build}-{mode}.png")


# -- Point 5: readable glossary explanations ----------------------------------------------------

TOOLTIP = """(term) => {
  const node = document.querySelector('.md-tooltip2--active');
  const box = node && node.firstElementChild;
  if (!box) return null;
  const r = box.getBoundingClientRect();
  const inset = parseFloat(getComputedStyle(box).borderTopLeftRadius) + 2;
  const corners = [[r.left + inset, r.top + inset], [r.right - inset, r.top + inset],
                   [r.left + inset, r.bottom - inset], [r.right - inset, r.bottom - inset]];
  return {
    text: box.textContent.trim(),
    size: parseFloat(getComputedStyle(box).fontSize),
    body: parseFloat(getComputedStyle(term).fontSize),
    rect: [r.left, r.top, r.right, r.bottom],
    window: [document.documentElement.clientWidth, innerHeight],
    onTop: corners.map(([x, y]) => box.contains(document.elementFromPoint(x, y))),
  };
}"""


def expect_readable_explanation(page: Page, term: Locator) -> dict[str, Any]:
    expect(page.locator(".md-tooltip2--active")).to_have_count(1)
    page.wait_for_timeout(450)  # Material's fade and slide-in (0.4 s) must end before measuring
    found: dict[str, Any] = term.evaluate(TOOLTIP)
    assert found is not None
    left, top, right, bottom = found["rect"]
    width, height = found["window"]
    assert found["size"] >= found["body"], found
    assert left >= 0 and top >= 0 and right <= width and bottom <= height, found
    assert all(found["onTop"]), found
    return found


def terms_to_try(page: Page) -> list[Locator]:
    """Two terms in running text: the leftmost on the first screen (its explanation reaches
    over the menu), and one that will be moved to the bottom of the window (no room below).
    Not a term inside a link (»… (STAR)« in the rules notice): a tap there follows the link."""
    picked = page.evaluate(
        """() => {
          const all = [...document.querySelectorAll('.md-content abbr')]
            .filter(a => a.closest('p, li') && !a.closest('h1, h2, h3, h4, h5, h6, a'));
          const seen = all.filter(a => { const r = a.getBoundingClientRect();
                                         return r.height && r.bottom < innerHeight; });
          const left = seen.reduce((a, b) =>
            b.getBoundingClientRect().left < a.getBoundingClientRect().left ? b : a);
          const low = all.findIndex(a => a.getBoundingClientRect().top > innerHeight);
          const every = [...document.querySelectorAll('.md-content abbr')];
          return [every.indexOf(left), every.indexOf(all[low])];
        }"""
    )
    return [page.locator(".md-content abbr").nth(i) for i in picked]


def to_the_bottom(page: Page, term: Locator) -> None:
    term.evaluate("t => window.scrollBy(0, t.getBoundingClientRect().bottom - innerHeight + 40)")


@pytest.mark.parametrize("mode", ["normal", "projektor"])
def test_glossary_explanations_are_readable(
    browser: Browser, any_site_server: str, build: str, site_artifacts: Path, mode: str
) -> None:
    for touch in (False, True):
        context = browser.new_context(
            viewport={"width": 1366, "height": 768}, locale="da-DK", has_touch=touch
        )
        if mode == "projektor":
            context.add_init_script("localStorage.setItem('borgercases.projector', 'on')")
        page = context.new_page()
        page.goto(any_site_server + "viden/ordninger.html")
        leftmost, low = terms_to_try(page)
        for where, term in (("left", leftmost), ("low", low)):
            if where == "low":
                to_the_bottom(page, term)
            if touch:
                term.tap()
            else:
                term.hover()
            found = expect_readable_explanation(page, term)
            assert len(found["text"]) > 10, found
            if not touch:
                page.screenshot(path=site_artifacts / f"tooltip-{build}-{mode}-{where}.png")
            # Away again: the explanation goes.
            if touch:
                page.locator("h1").tap()
            else:
                page.mouse.move(5, 5)
            expect(page.locator(".md-tooltip2--active")).to_have_count(0)
        # By keyboard: the term takes focus and shows its explanation.
        page.evaluate("window.scrollTo(0, 0)")
        leftmost.focus()
        expect(leftmost).to_be_focused()
        expect_readable_explanation(page, leftmost)
        context.close()
