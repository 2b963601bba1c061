"""Every page of the built site passes axe-core's WCAG 2.1 A/AA rules and the Nu Html Checker."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.accessibility import axe_violations
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def site_pages(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html") if "assets" not in p.parts)


@pytest.mark.parametrize("mode", ["lyst", "mørkt", "projektor"])
def test_every_page_has_no_wcag_violations(
    browser: Browser, any_site: Path, any_site_server: str, mode: str
) -> None:
    context = browser.new_context(
        viewport={"width": 1366, "height": 768},
        locale="da-DK",
        color_scheme="dark" if mode == "mørkt" else "light",
    )
    if mode == "projektor":
        context.add_init_script("localStorage.setItem('borgercases.projector', 'on')")
    page = context.new_page()
    pages = site_pages(any_site)
    assert len(pages) >= 25, pages
    failures: dict[str, list[str]] = {}
    for path in pages:
        page.goto(any_site_server + path)
        if mode == "projektor":
            expect(page.locator("html.projector")).to_have_count(1)
        if mode == "mørkt":
            expect(page.locator("body[data-md-color-scheme=slate]")).to_have_count(1)
        found = axe_violations(page)
        if found:
            failures[path] = found
    context.close()
    assert failures == {}, "\n".join(f"{p}:\n  " + "\n  ".join(v) for p, v in failures.items())


def test_the_built_site_is_valid_html(built_site: Path) -> None:
    java = shutil.which("java")
    if java is None:
        pytest.fail("Java mangler: Nu Html Checker (vnu.jar) kræver Java.")
    if not VNU.exists():
        pytest.fail(f"vnu.jar mangler ({VNU}): kør `make test`, som installerer npm-pakkerne.")
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--skip-non-html", str(built_site)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    errors = result.stderr.strip() or result.stdout.strip()
    assert result.returncode == 0 and not errors, errors[:5000]


def test_the_html_checker_catches_an_error(tmp_path: Path) -> None:
    """The gate is live: an invalid page makes vnu.jar fail."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><html lang=da><title>x</title><p><div></p>", encoding="utf-8")
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", str(bad)], capture_output=True, text=True
    )
    assert result.returncode != 0 and "error" in result.stderr.lower()


def test_axe_catches_a_violation(browser: Browser) -> None:
    """The gate is live: a page with a nameless image and low contrast fails."""
    page = browser.new_page()
    page.set_content(
        '<!doctype html><html lang="da"><title>x</title><main>'
        '<img src="data:,"><p style="color:#bbb;background:#fff">lav kontrast</p></main></html>'
    )
    found = " ".join(axe_violations(page))
    assert "image-alt" in found and "color-contrast" in found
    page.close()
