"""Python-Markdown extension: marks the notes »Ændret siden kilden« (out of search, a note to
the reader), and appends the glossary to every page, so each term gets its tooltip – the
explanation as ``includes/abbreviations.md`` has it, and, for a rule that has changed since its
source, what it is today (``includes/rule_changes.yml``).

MkDocs and Zensical both run it (like ``sitebuild.cards``). Editors edit the two files; the
tooltip lines are built from them, so a change is written once.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from sitebuild.changes import checked_changes
from sitebuild.glossary import GLOSSARY_FILE, abbreviation_lines, load_glossary
from sitebuild.sources import load_sources


class GlossaryAppender(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        entries = load_glossary(load_sources(), GLOSSARY_FILE)
        return [*lines, "", *abbreviation_lines(entries, checked_changes()).splitlines()]


class ChangeNotes(Treeprocessor):
    """The notes »Ændret siden kilden« (admonitions ``bc-change``, sitebuild/changes.py) are a
    note to the reader and stay out of search: a search for today's words finds the page
    »Regler i dag« first, whose entries say the most."""

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            if "bc-change" in (element.get("class") or "").split():
                element.set("data-search-exclude", "")
                element.set("role", "note")
                element.set("aria-label", "Ændret siden kilden")


class GlossaryExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After the cards (36) and macros; where snippets' auto_append (32) put it before.
        md.preprocessors.register(GlossaryAppender(md), "borgercases_glossary", 32)
        md.treeprocessors.register(ChangeNotes(md), "borgercases_change_notes", 1)


def makeExtension(**kwargs: Any) -> GlossaryExtension:
    return GlossaryExtension(**kwargs)
