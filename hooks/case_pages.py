"""MkDocs hook: validates every case file and renders it as a two-sided card.

Content editors write plain Markdown (see ``facilitator/cases.py``). This hook
parses each case with the same reader the facilitator app uses, fails the build
with the file and the missing part when a case is broken, and turns the two
halves into tabs (*Casen* / *Viden og inspiration*) that both stay on the page
for search and print.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

from mkdocs.exceptions import PluginError

from facilitator.cases import CHECKLISTS, Case, CaseFormatError, parse_case

FRONT_ID = "casen"
BACK_ID = "viden-og-inspiration"


def _indent(text: str, level: int = 1) -> str:
    return textwrap.indent(text, "    " * level, lambda line: True)


def _bullets(items: tuple[str, ...] | list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def render_case(case: Case) -> str:
    """Markdown for a case page, built only from the parsed case."""
    facts = [
        f"<strong>{html.escape(case.person_line)}</strong>",
        f"Læsetid: {case.reading_time} min.",
    ]
    front = "\n\n".join(
        [
            f"## Casen {{ #{FRONT_ID} .card-side }}",
            *case.story,
            "### Refleksionsspørgsmål",
            _bullets(case.questions),
            f'[{case.turn_prompt}](#{BACK_ID}){{ .turn-card data-turn="back" }}',
        ]
    )
    hint = "\n\n".join([f"### {case.considerations_heading}", _bullets(case.considerations)])
    back = "\n\n".join(
        [
            f"## Viden og inspiration {{ #{BACK_ID} .card-side }}",
            '!!! tip "HINT"\n\n' + _indent(hint),
            "### Læs mere",
            _bullets([f"{r.text} <{r.url}>" for r in case.resources]),
            f'[Tilbage til casen](#{FRONT_ID}){{ .turn-card data-turn="front" }}',
        ]
    )
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
                '<p class="case-facts">' + " · ".join(facts) + "</p>",
                '=== "Casen"\n\n' + _indent(front),
                '=== "Viden og inspiration"\n\n' + _indent(back),
                related,
            ]
        ).rstrip()
        + "\n"
    )


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str | None:
    src = page.file.src_uri
    if not (src.startswith("cases/case-") and src.endswith(".md")):
        return None
    try:
        with open(page.file.abs_src_path, encoding="utf-8") as fh:
            # MkDocs strips the front matter before this event: parse the file itself.
            case = parse_case(fh.read(), page.file.abs_src_path)
    except CaseFormatError as exc:
        raise PluginError(f"Casefilen er ikke gyldig – {exc}") from exc
    page.meta["case_obj"] = case
    return render_case(case)
