"""axe-core in the browser: the WCAG 2.0/2.1 A and AA rules, run on a Playwright page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.conftest import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass(frozen=True)
class Allowed:
    """A violation the app cannot fix because the framework renders it."""

    rule: str
    selector: str  # a substring of the offending node's CSS selector
    reason: str


def _require_axe() -> Path:
    if not AXE.exists():
        raise FileNotFoundError(
            f"axe-core mangler ({AXE}): kør `make test`, som installerer npm-pakkerne."
        )
    return AXE


_RUN_AXE = """(tags) => {
    window.__axeRun = axe.run(document, {
        runOnly: {type: 'tag', values: tags},
        resultTypes: ['violations'],
    }).then(r => ({violations: r.violations.map(v => ({
        id: v.id, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))
    }))}));
}"""


def start_axe(page: Page) -> None:
    """Start axe-core on the page without waiting, so axe can run in several tabs at once."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(_require_axe()))
    page.evaluate(_RUN_AXE, WCAG_TAGS)


def axe_result(page: Page, allowed: tuple[Allowed, ...] = ()) -> list[str]:
    """Wait for the run ``start_axe`` began; readable lines for every violation not allowed."""
    result: dict[str, Any] = page.evaluate("() => window.__axeRun")
    lines = []
    for violation in result["violations"]:
        for node in violation["nodes"]:
            if any(a.rule == violation["id"] and a.selector in node["target"] for a in allowed):
                continue
            lines.append(
                f"{violation['id']} ({violation['help']}): {node['target']} – {node['summary']}"
            )
    return lines


def axe_violations(page: Page, allowed: tuple[Allowed, ...] = ()) -> list[str]:
    """Run axe-core on the page; return readable lines for every violation not allowed."""
    start_axe(page)
    return axe_result(page, allowed)


SETTLED = """() => Promise.race([
    Promise.all(document.getAnimations().map(a => a.finished.catch(() => null))),
    new Promise(done => setTimeout(done, 1000)),
]).then(() => null)"""


def set_site_mode(page: Page, mode: str) -> None:
    """Switch the loaded page to light, dark or projector view (light) with the page's own
    controls: the palette toggle in the header, the projector button (clicked without moving
    the mouse, so no tooltip opens). Then let transitions finish: axe reads final colours."""
    projector = page.locator("html.projector")
    if mode != "projektor" and projector.count():
        page.get_by_role("button", name="Afslut projektorvisning").dispatch_event("click")
        expect(projector).to_have_count(0)
    scheme = "slate" if mode == "mørkt" else "default"
    body = page.locator(f"body[data-md-color-scheme={scheme}]")
    if not body.count():
        page.locator(f"label[for=__palette_{1 if mode == 'mørkt' else 0}]").dispatch_event("click")
        expect(body).to_have_count(1)
    if mode == "projektor":
        page.get_by_role("button", name="Projektorvisning").dispatch_event("click")
        expect(projector).to_have_count(1)
    page.evaluate(SETTLED)
