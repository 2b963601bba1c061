"""Python-Markdown extension: validates every case file and renders it as a two-sided card.

MkDocs and Zensical both run it (a hook would run under MkDocs only). Content editors
write plain Markdown (see ``facilitator/cases.py``). It parses each case with the same
reader the facilitator app uses, fails the build with the file and the missing part when a
case is broken, and turns the two halves into tabs (*Casen* / *Viden og inspiration*) that
both stay on the page for search and print.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from facilitator.cases import (
    CHECKLISTS,
    Case,
    CaseFormatError,
    Resource,
    body_of,
    case_files,
    load_cases,
)
from sitebuild.changes import change_notes, checked_changes
from sitebuild.links import link_notes, load_report

_CASE_HEADING = re.compile(r"^# Case \d+: ")

FRONT_ID = "casen"
BACK_ID = "viden-og-inspiration"


def _indent(text: str, level: int = 1) -> str:
    return textwrap.indent(text, "    " * level, lambda line: True)


def _bullets(items: tuple[str, ...] | list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def facts_line(case: Case) -> str:
    """The line under the heading: who the citizen is and the reading time (HTML)."""
    facts = [
        f"<strong>{html.escape(case.person_line)}</strong>",
        f"Læsetid: {case.reading_time} min.",
    ]
    return '<p class="case-facts">' + " · ".join(facts) + "</p>"


def resource_item(resource: Resource) -> str:
    """One »Læs mere« entry (Markdown, one line): the source's text and its original address,
    then an archived copy and what the last link check found (``sitebuild/links.py``)."""
    return f"{resource.text} <{resource.url}>{link_notes(resource.url, load_report())}"


def _heading(level: int, text: str, attrs: str = "") -> str:
    return f"{'#' * level} {text}" + (f" {{ {attrs} }}" if attrs else "")


def front_side(case: Case, *, turn_link: bool = True, level: int = 2, id_prefix: str = "") -> str:
    """The front of the card (Markdown): the story, the questions and »Vend siden …«.

    ``level`` is the level of the side's heading and ``id_prefix`` goes before its id, so
    that a page holding several cards (the print deck) keeps its headings in order and its
    ids unique.
    """
    parts = [
        _heading(level, "Casen", f"#{id_prefix}{FRONT_ID} .card-side"),
        *case.story,
        _heading(level + 1, "Refleksionsspørgsmål"),
        _bullets(case.questions),
    ]
    if turn_link:
        parts.append(f'[{case.turn_prompt}](#{BACK_ID}){{ .turn-card data-turn="back" }}')
    else:
        parts.append(case.turn_prompt)
    return "\n\n".join(parts)


def back_side(case: Case, *, turn_link: bool = True, level: int = 2, id_prefix: str = "") -> str:
    """The back of the card (Markdown): the hint, what has changed in the rules the card
    states (``includes/rule_changes.yml``) and the links to read more.

    ``level`` and ``id_prefix`` as for :func:`front_side`. Case pages and the print deck both
    sit in ``cases/``, one folder below the site's root.
    """
    hint = "\n\n".join(
        [_heading(level + 1, case.considerations_heading), _bullets(case.considerations)]
    )
    parts = [
        _heading(level, "Viden og inspiration", f"#{id_prefix}{BACK_ID} .card-side"),
        '!!! tip "HINT"\n\n' + _indent(hint),
    ]
    changed = checked_changes().mentioned_in(case.texts())
    if changed:
        parts.append(change_notes(changed, "../"))
    parts += [
        _heading(level + 1, "Læs mere"),
        _bullets([resource_item(r) for r in case.resources]),
    ]
    if turn_link:
        parts.append(f'[Tilbage til casen](#{FRONT_ID}){{ .turn-card data-turn="front" }}')
    return "\n\n".join(parts)


def _and_list(items: list[str]) -> str:
    """Danish enumeration: »a«, »a og b«, »a, b og c«."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def theme_id(theme: str) -> str:
    return "tema-" + re.sub(r"\s+", "-", theme.strip().casefold())


def themes_block(case: Case, cases: Sequence[Case]) -> str:
    """The case's themes, each with the other cases that share it (Markdown).

    Each theme is a heading of its own, and its text begins with the theme's name. Besides
    leading to related cases, that is what makes a search for a theme (»IGU«, »mentor«)
    find the case first in Zensical, whose search ranks a heading above running text and
    knows no page boost (MkDocs Material gets a boost for case pages, see macros/main.py).
    """
    parts = ['<div class="case-themes" markdown>', "## Temaer i casen"]
    for theme in case.themes:
        others = [f"[{c.heading}]({c.slug}.md)" for c in cases if theme in c.themes and c != case]
        parts.append(f"### {theme} {{ #{theme_id(theme)} }}")
        if others:
            parts.append(f"{theme} går også igen i {_and_list(others)}.")
        else:
            parts.append(f"{theme} er kun tema i denne case.")
    parts += ["Se alle cases ordnet efter [tema](../temaer.md).", "</div>"]
    return "\n\n".join(parts)


def render_case(case: Case, cases: Sequence[Case] | None = None) -> str:
    """Markdown for a case page, built only from the parsed case (and, for its themes, the
    other cases: by default those in ``docs/cases``)."""
    related = ""
    if case.checklists:
        links = [f"[{CHECKLISTS[slug]}](../checklists/{slug}.md)" for slug in case.checklists]
        related = "\n\n".join(
            [
                '<div class="case-related" markdown>',
                "**Relaterede tjeklister:** " + " · ".join(links),
                "</div>",
            ]
        )
    return (
        "\n\n".join(
            [
                f"# {case.heading}",
                facts_line(case),
                '=== "Casen"\n\n' + _indent(front_side(case)),
                '=== "Viden og inspiration"\n\n' + _indent(back_side(case)),
                related,
                themes_block(case, load_cases() if cases is None else cases),
            ]
        ).rstrip()
        + "\n"
    )


class CaseBuildError(Exception):
    """A case file the site cannot show: the build stops with this Danish message."""


class CardPreprocessor(Preprocessor):
    """Replaces the text of a case page with its two-sided card.

    Both builders strip the front matter before Markdown sees the page, so the page is
    recognised by its text: the case file in ``cases_dir`` whose body is exactly this text.
    That file is parsed whole (front matter included) by the app's own reader, and a broken
    file stops the build with the file and the missing part.
    """

    def __init__(self, md: Markdown, cases_dir: str) -> None:
        super().__init__(md)
        self.cases_dir = Path(cases_dir)

    def _source(self, body: str) -> Path | None:
        for path in case_files(self.cases_dir):
            if body_of(path.read_text(encoding="utf-8")).strip() == body:
                return path
        return None

    def run(self, lines: list[str]) -> list[str]:
        first = next((line for line in lines if line.strip()), "")
        if not _CASE_HEADING.match(first):
            return lines
        path = self._source("\n".join(lines).strip())
        if path is None:
            return lines
        try:
            cases = load_cases(self.cases_dir)  # this case and the others (for its themes)
        except CaseFormatError as exc:
            raise CaseBuildError(f"Casefilen er ikke gyldig – {exc}") from exc
        case = next(c for c in cases if c.slug == path.stem)
        return render_case(case, cases).splitlines()


class CardExtension(Extension):
    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "cases_dir": [
                "docs/cases",
                "Folder of the case files, relative to the project (where the builder runs)",
            ]
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        # Before macros (35) and the snippets that append the glossary (32).
        md.preprocessors.register(
            CardPreprocessor(md, self.getConfig("cases_dir")), "borgercases_cards", 36
        )


def makeExtension(**kwargs: Any) -> CardExtension:
    return CardExtension(**kwargs)
