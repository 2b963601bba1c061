"""The static site builds strictly, fails clearly on a broken case, and holds every case whole."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from facilitator.cases import load_cases
from facilitator.exercise import STEPS
from macros.main import glossary_entries
from tests.conftest import copy_project, mkdocs_build, zensical_build

# Every test builds the site (MkDocs or Zensical) from a copy of the project.
pytestmark = pytest.mark.slow

CASES = load_cases()


def _text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<script.*?</script>", " ", raw, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", raw))


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_page_is_built(built_site: Path) -> None:
    pages = sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html"))
    for case in CASES:
        assert f"cases/{case.slug}.html" in pages
    for page in ("index.html", "ressourcer.html", "temaer.html", "ordliste.html"):
        assert page in pages
    assert any(p.startswith("checklists/") for p in pages)
    assert any(p.startswith("viden/") for p in pages)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_case_page_holds_the_whole_card(built_site: Path, case) -> None:
    page = built_site / "cases" / f"{case.slug}.html"
    raw = page.read_text(encoding="utf-8")
    # Glossary terms are wrapped in <abbr>; compare the text only, ignoring whitespace.
    text = re.sub(r"\s+", "", _text(page))
    for piece in (*case.story, *case.questions, *case.considerations, case.turn_prompt):
        assert re.sub(r"\s+", "", html.unescape(piece)) in text, piece
    for r in case.resources:
        assert f'href="{html.escape(r.url)}"' in raw or f'href="{r.url}"' in raw, r.url
    # Both halves are on the one page, as tabs.
    assert 'class="tabbed-set' in raw
    assert raw.count('class="tabbed-block"') == 2
    assert ">Casen</label>" in raw and ">Viden og inspiration</label>" in raw
    assert "HINT" in raw


def test_home_page_has_the_five_steps_and_all_cases(built_site: Path) -> None:
    raw = (built_site / "index.html").read_text(encoding="utf-8")
    steps = re.search(r"<ol>(.*?)</ol>", raw, flags=re.DOTALL)
    assert steps
    items = [
        _squash(html.unescape(re.sub(r"<[^>]+>", "", li)))
        for li in re.findall(r"<li>(.*?)</li>", steps.group(1), flags=re.DOTALL)
    ]
    assert items == [s.text for s in STEPS]
    text = _squash(_text(built_site / "index.html"))
    assert "Workshop (45 minutter)" in text and "Selvstudium" in text
    for case in CASES:
        assert f'href="cases/{case.slug}.html"' in raw
        assert case.title in text


def test_resources_index_lists_every_link_with_its_cases(built_site: Path) -> None:
    raw = (built_site / "ressourcer.html").read_text(encoding="utf-8")
    for case in CASES:
        for r in case.resources:
            assert f'href="{html.escape(r.url)}"' in raw, r.url
    # A link cited by several cases names all of them.
    ufm = "https://ufm.dk/uddannelse/integration-pa-uddannelsesomradet"
    citing = {c.number for c in CASES if any(r.url == ufm for r in c.resources)}
    assert len(citing) >= 2
    block = raw.split(ufm, 2)[-1].split("</li>", 1)[0]
    for number in citing:
        assert f"case-{number:02d}.html" in block


def test_theme_pages_list_the_cases(built_site: Path) -> None:
    text = _squash(_text(built_site / "temaer.html"))
    for case in CASES:
        for theme in case.themes:
            assert theme in text
    assert "Sanktioner" in text


def test_glossary_terms_show_on_hover(built_site: Path) -> None:
    terms = dict(glossary_entries())
    assert {"IGU", "STAR", "SIRI", "VUC", "CABI", "DREAM"} <= set(terms)
    raw = (built_site / "cases" / "case-04.html").read_text(encoding="utf-8")
    assert re.search(r'<abbr title="[^"]+">IGU</abbr>', raw)
    page = _squash(_text(built_site / "ordliste.html"))
    for term in terms:
        assert term in page


def test_checklists_and_cases_link_both_ways(built_site: Path) -> None:
    for case in CASES:
        raw = (built_site / "cases" / f"{case.slug}.html").read_text(encoding="utf-8")
        for slug in case.checklists:
            assert f'href="../checklists/{slug}.html"' in raw
            back = (built_site / "checklists" / f"{slug}.html").read_text(encoding="utf-8")
            assert f'href="../cases/{case.slug}.html"' in back
    raw = (built_site / "checklists" / "forebyg-frafald.html").read_text(encoding="utf-8")
    assert raw.count('type="checkbox"') >= 5


def test_no_third_party_requests_in_the_built_html(built_site: Path) -> None:
    """Nothing is loaded from another host: no fonts, no CDN, no analytics."""
    offenders = []
    for page in built_site.rglob("*.html"):
        raw = page.read_text(encoding="utf-8")
        for m in re.finditer(
            r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(https?:)?//([^"]+)"', raw
        ):
            offenders.append((page.name, m.group(0)[:120]))
    assert offenders == []
    assert not list(built_site.rglob("*.woff*"))


def test_the_search_index_is_danish_and_inlined_for_file_urls(built_site: Path) -> None:
    index = (built_site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert '"lang":["da"]' in index.replace(" ", "")
    assert (built_site / "search" / "search_index.js").exists()


def _copy_project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def test_a_broken_case_fails_the_build_naming_file_and_part(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    case = project / "docs" / "cases" / "case-03.md"
    case.write_text(
        case.read_text(encoding="utf-8").replace("### Refleksionsspørgsmål", "### Spørgsmål")
    )
    result = mkdocs_build(tmp_path / "out", project / "mkdocs.yml")
    assert result.returncode != 0
    assert "case-03.md" in result.stderr
    assert "Refleksionsspørgsmål" in result.stderr


def test_a_macro_error_fails_the_build(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    page = project / "docs" / "ressourcer.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n{{ no_such_macro() }}\n")
    result = mkdocs_build(tmp_path / "out", project / "mkdocs.yml")
    assert result.returncode != 0
    assert "no_such_macro" in result.stderr


def test_a_broken_case_fails_the_zensical_build_too(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    case = project / "docs" / "cases" / "case-03.md"
    case.write_text(
        case.read_text(encoding="utf-8").replace("### Refleksionsspørgsmål", "### Spørgsmål")
    )
    result = zensical_build(project)
    assert result.returncode != 0
    assert "case-03.md" in result.stderr + result.stdout
    assert "Refleksionsspørgsmål" in result.stderr + result.stdout


def test_the_same_configuration_builds_under_zensical(zensical_site: Path) -> None:
    """Zensical (Material's successor) builds mkdocs.yml unchanged: macros and card sides."""
    site = zensical_site
    for case in CASES:
        page = site / "cases" / f"{case.slug}.html"
        text = page.read_text(encoding="utf-8")
        assert case.heading in _squash(_text(page))
        assert all(html.escape(r.url) in text or r.url in text for r in case.resources)
        assert 'class="tabbed-set' in text and 'id="viden-og-inspiration"' in text
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "{{" not in home and "case-09.html" in home
    checklist = (site / "checklists" / "forebyg-frafald.html").read_text(encoding="utf-8")
    assert "{{" not in checklist and "../cases/case-07.html" in checklist
    assert "sprogmentor" in (site / "cases" / "case-09.html").read_text(encoding="utf-8")
    for page in site.rglob("*.html"):
        assert not re.search(
            r"(src|href)=\"https?://(?!127\.0\.0\.1)[^\"]+\.(js|css|woff2?)",
            page.read_text(encoding="utf-8"),
        ), page
