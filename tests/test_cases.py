"""Every case file has the structure the site and the app rely on, and is faithful to the seed."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from facilitator.cases import (
    CASES_DIR,
    THEMES,
    Case,
    CaseFormatError,
    case_files,
    load_cases,
    parse_case,
)
from tests.seeds import case_chunks, norm, seed_text, seed_urls

CASES = load_cases()
BY_NUMBER = {c.number: c for c in CASES}

# Hyphenated words that are real Danish (or names) and not PDF damage.
REAL_HYPHENS = {
    "idlib-provinsen",
    "igu-forløb",
    "igu-forløbet",
    "al-shabaab",
    "bip-projektet",
    "sms-er",
    "ikke-vestlig",
    "bip-projekt",
}


def test_there_are_ten_cases_numbered_one_to_ten() -> None:
    assert [c.number for c in CASES] == list(range(1, 11))
    assert [p.name for p in case_files()] == [f"case-{n:02d}.md" for n in range(1, 11)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_case_has_every_part(case: Case) -> None:
    assert case.title and case.person
    assert case.story and all(len(p) > 20 for p in case.story)
    assert len(case.questions) >= 3
    assert all(q.endswith("?") for q in case.questions), case.questions
    assert case.turn_prompt.startswith("Vend siden")
    assert case.considerations_heading.startswith("Har I overvejet")
    assert len(case.considerations) >= 2
    assert case.resources
    assert set(case.themes) <= set(THEMES)
    assert 1 <= case.reading_time <= 3


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_reading_time_matches_the_text(case: Case) -> None:
    # Reading time in front matter: about 150 words a minute, 1 to 3 minutes.
    expected = min(3, max(1, -(-case.word_count() // 150)))
    assert case.reading_time == expected, (case.word_count(), case.reading_time)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_resource_links_are_valid_absolute_urls(case: Case) -> None:
    for r in case.resources:
        parts = urlsplit(r.url)
        assert parts.scheme in {"http", "https"}, r.url
        assert parts.hostname and "." in parts.hostname, r.url
        assert not re.search(r"\s", r.url), r.url
        assert r.text and not r.text.startswith("http"), r


def test_every_link_in_the_seed_is_in_a_case() -> None:
    in_seed = set(seed_urls(seed_text()))
    in_cases = {r.url for c in CASES for r in c.resources}
    assert len(in_seed) >= 25
    assert in_seed == in_cases


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_case_links_sit_in_the_same_case_in_the_seed(case: Case) -> None:
    chunk = case_chunks()[case.number]
    assert [r.url for r in case.resources if r.url not in seed_urls(chunk)] == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_case_is_faithful_and_complete(case: Case) -> None:
    """Every piece of the case file is in the seed's case, and nothing of the seed is left over."""
    remaining = norm(case_chunks()[case.number])
    pieces = [
        case.heading,
        *case.story,
        *case.questions,
        case.turn_prompt,
        case.considerations_heading,
        *case.considerations,
        *(r.text + r.url for r in case.resources),
    ]
    for piece in pieces:
        key = norm(piece)
        assert key in remaining, f"Ikke i kilden (eller brugt to gange): {piece!r}"
        remaining = remaining.replace(key, "", 1)
    # Layout labels of the printed card that the site renders as tabs and boxes.
    for label in ("refleksionsspørgsmål", "videnoginspiration", "hint"):
        remaining = remaining.replace(label, "")
    assert remaining == "", f"Tekst fra kilden mangler i {case.slug}: {remaining!r}"


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.name)
def test_no_pdf_hyphenation_artefacts(path: Path) -> None:
    text = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]  # after the front matter
    prose = re.sub(r"<https?://[^>]+>", "", text)
    hyphenated = {w.lower() for w in re.findall(r"\b\w+-\w+\b", prose)}
    assert hyphenated <= REAL_HYPHENS, hyphenated - REAL_HYPHENS
    # »sagsbehandler- og virksomhedskonsulentsamarbejdet« is a real suspended compound.
    assert not re.search(r"\w- (?!og |eller )\w", prose), "orddeling med mellemrum"
    assert "  " not in prose.replace("  \n", "\n")


def test_exercise_steps_are_the_sources_words() -> None:
    from facilitator.exercise import STEPS, TOTAL_DEFAULT_MINUTES

    intro = norm(case_chunks()[0])
    steps = "".join(f"{i}{s.text}" for i, s in enumerate(STEPS, 1))
    assert norm(steps) in intro
    assert TOTAL_DEFAULT_MINUTES == 15


def test_home_page_intro_is_faithful() -> None:
    home = norm((CASES_DIR.parent / "index.md").read_text(encoding="utf-8"))
    # The booklet's introduction is on the home page word for word (with the one
    # typo fix »indvandre« -> »indvandrere«); the steps come from facilitator.exercise.
    for paragraph in re.split(r"\n\s*\n", case_chunks()[0]):
        key = norm(paragraph).replace("indvandreijob", "indvandrereijob")
        if len(key) > 40 and not paragraph.strip()[:1].isdigit():
            assert key in home, paragraph


GOOD = (CASES_DIR / "case-01.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("broken", "part"),
    [
        (GOOD.replace("### Refleksionsspørgsmål", "### Spørgsmål"), "### Refleksionsspørgsmål"),
        (GOOD.replace("## Viden og inspiration", "## Bagsiden"), "## Viden og inspiration"),
        (GOOD.replace("### Læs mere", "### Links"), "### Læs mere"),
        (GOOD.replace("### Har I overvejet…", "### Overvej"), "### Har I overvejet"),
        (GOOD.replace("reading_time: 2\n", ""), "reading_time"),
        (GOOD.replace("person: Jamir\n", ""), "person"),
        (GOOD.replace("  - Motivation\n", "  - Opfundet tema\n"), "themes"),
        (
            GOOD.replace("<https://star.dk/media/1644/haandbog-i-jobrettede-samtaler.pdf>", ""),
            "link",
        ),
        (GOOD.replace("Vend siden", "Drej siden"), "Vend siden"),
        (GOOD.replace("# Case 1:", "# Case 2:"), "Case N: Titel"),
        (GOOD.replace("---\ncase: 1", "case: 1"), "front matter"),
    ],
)
def test_broken_case_is_reported_with_file_and_part(broken: str, part: str) -> None:
    with pytest.raises(CaseFormatError) as err:
        parse_case(broken, Path("docs/cases/case-99.md"))
    assert "case-99.md" in str(err.value)
    assert part in str(err.value)


def test_the_good_case_parses() -> None:
    case = parse_case(GOOD, Path("case-01.md"))
    assert case.number == 1 and case.person == "Jamir" and case.age == 33
