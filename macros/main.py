"""mkdocs-macros module: renders data that already exists (case files, glossary).

Every function returns Markdown. Nothing here holds content of its own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from facilitator.cases import CASES_DIR, CHECKLISTS, Case, Resource, load_cases
from facilitator.exercise import STEPS
from sitebuild.cards import resource_item
from sitebuild.links import check_note, load_report, status_line

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY_FILE = ROOT / "includes" / "abbreviations.md"

# Publisher of each host that the cases cite, by the host's own name.
PUBLISHERS = {
    "cabiweb.dk": "CABI – Center for Aktiv BeskæftigelsesIndsats",
    "star.dk": "STAR – Styrelsen for Arbejdsmarked og Rekruttering",
    "info.jobnet.dk": "Jobnet",
    "ufm.dk": "Uddannelses- og Forskningsministeriet",
    "integrationsviden.dk": "Integrationsviden",
    "uim.dk": "Udlændinge- og Integrationsministeriet",
    "sammenomintegration.dk": "Sammen om integration",
    "vaeksthusets-forskningscenter.dk": "Væksthusets Forskningscenter",
}

_ABBR = re.compile(r"^\*\[(?P<term>[^\]]+)\]:\s*(?P<definition>.+)$")


def _case_link(case: Case, prefix: str) -> str:
    return f"[{case.heading}]({prefix}cases/{case.slug}.md)"


def _src_path(page: Any) -> str:
    """The page's path below docs/ (MkDocs has page.file, Zensical page.path)."""
    file = getattr(page, "file", None)
    return str(file.src_uri if file is not None else page.path)


def _prefix(page: Any) -> str:
    return "../" * _src_path(page).count("/")


def glossary_entries(path: Path = GLOSSARY_FILE) -> list[tuple[str, str]]:
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _ABBR.match(line.strip())
        if m:
            entries.append((m.group("term"), m.group("definition").strip()))
    return sorted(entries, key=lambda e: e[0].casefold())


def define_env(env: Any) -> None:
    def cases() -> list[Case]:
        return load_cases(CASES_DIR)

    @env.macro
    def exercise_steps() -> str:
        return "\n".join(f"{i}. {s.text}" for i, s in enumerate(STEPS, 1))

    @env.macro
    def case_overview() -> str:
        prefix = _prefix(env.page)
        rows = [
            "| Nr. | Case | Borger | Temaer | Læsetid |",
            "|---:|---|---|---|---:|",
        ]
        for c in cases():
            link = f"[{c.title}]({prefix}cases/{c.slug}.md)"
            rows.append(
                f"| {c.number} | {link} | {c.person_line} | {', '.join(c.themes)} | "
                f"{c.reading_time} min. |"
            )
        return "\n".join(rows)

    @env.macro
    def resources_index() -> str:
        prefix = _prefix(env.page)
        by_publisher: dict[str, dict[str, tuple[Resource, list[Case]]]] = defaultdict(dict)
        for c in cases():
            for r in c.resources:
                publisher = PUBLISHERS.get(r.host)
                if publisher is None:
                    raise ValueError(f"Ukendt udgiver for {r.host}: tilføj den i macros/main.py")
                _, cited = by_publisher[publisher].setdefault(r.url, (r, []))
                if c not in cited:
                    cited.append(c)
        report = load_report()
        out = []
        for publisher in sorted(by_publisher, key=str.casefold):
            out.append(f"## {publisher}\n")
            for url, (resource, cited) in by_publisher[publisher].items():
                used = ", ".join(_case_link(c, prefix) for c in cited)
                status = status_line(url, report)
                lines = [resource_item(resource), *([status] if status else [])]
                lines.append(f"*Bruges i:* {used}")
                out.append("- " + "  \n  ".join(lines))
            out.append("")
        return "\n".join(out)

    @env.macro
    def link_check_note() -> str:
        urls = [r.url for c in cases() for r in c.resources]
        return check_note(load_report(), urls)

    @env.macro
    def resource_count() -> int:
        return len({r.url for c in cases() for r in c.resources})

    @env.macro
    def cases_for_checklist(slug: str | None = None) -> str:
        slug = slug or Path(_src_path(env.page)).stem
        if slug not in CHECKLISTS:
            raise ValueError(f"Ukendt tjekliste: {slug}")
        prefix = _prefix(env.page)
        using = [c for c in cases() if slug in c.checklists]
        if not using:
            return ""
        items = "\n".join(f"- {_case_link(c, prefix)}" for c in using)
        return f"## Cases der bruger tjeklisten\n\n{items}\n"

    @env.macro
    def glossary() -> str:
        rows = ["| Begreb | Forklaring |", "|---|---|"]
        rows += [f"| **{term}** | {definition} |" for term, definition in glossary_entries()]
        return "\n".join(rows)
