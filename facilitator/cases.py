"""The citizen cases: one Markdown file per case in ``docs/cases/``.

This module is the single reader of those files. The static site (through the
MkDocs hook and macros) and the facilitator app both use it, so a case that
parses here is a case that both can show. Content editors write plain Markdown
with a fixed set of headings; :func:`parse_case` checks that every part is there
and raises :class:`CaseFormatError` naming the file and the missing part.

No Streamlit import here: this is domain code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

CASES_DIR = Path(__file__).resolve().parent.parent / "docs" / "cases"

# The headings an editor writes, in this order.
H_FRONT = "Casen"
H_QUESTIONS = "Refleksionsspørgsmål"
H_BACK = "Viden og inspiration"
H_CONSIDER_PREFIX = "Har I overvejet"
H_RESOURCES = "Læs mere"

THEMES = (
    "Motivation",
    "Kompetencer og jobmuligheder",
    "Uddannelse",
    "Virksomhedssamarbejde",
    "Løntimer og ansættelse",
    "Sprog",
    "Fastholdelse og opfølgning",
    "Helbred og sygdom",
    "Kønsroller og familie",
    "Barsel",
    "Sanktioner",
    "Organisering og samarbejde",
    "IGU",
    "Mentor",
)

CHECKLISTS = {
    "opfoelgning-under-praktikken": "Opfølgning under praktikken",
    "forebyg-frafald": "Forebyggelse af frafald fra virksomhedspraktik",
    "foer-under-efter": "Før, under og efter praktikforløbet",
    "raad-til-ledere": "Gode råd til ledere",
}

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$")
_H1 = re.compile(r"^Case\s+(\d+):\s+(.+)$")
_RESOURCE = re.compile(r"^(?P<text>.+?)\s*<(?P<url>https?://[^<>\s]+)>\s*$")


class CaseFormatError(ValueError):
    """A case file lacks a part the site and the app rely on."""

    def __init__(self, path: Path | str, part: str, detail: str) -> None:
        self.path = str(path)
        self.part = part
        self.detail = detail
        super().__init__(f"{self.path}: {part}: {detail}")


@dataclass(frozen=True)
class Resource:
    text: str
    url: str

    @property
    def host(self) -> str:
        host = urlsplit(self.url).hostname or ""
        return host.removeprefix("www.")


@dataclass(frozen=True)
class Case:
    number: int
    title: str
    person: str
    age: int | None
    origin: str | None
    themes: tuple[str, ...]
    reading_time: int
    checklists: tuple[str, ...]
    story: tuple[str, ...]
    questions: tuple[str, ...]
    turn_prompt: str
    considerations_heading: str
    considerations: tuple[str, ...]
    resources: tuple[Resource, ...]
    slug: str

    @property
    def heading(self) -> str:
        return f"Case {self.number}: {self.title}"

    @property
    def label(self) -> str:
        """Short Danish label for pickers: number, title and person."""
        return f"{self.number}. {self.title} ({self.person})"

    @property
    def person_line(self) -> str:
        parts = [self.person]
        if self.age is not None:
            parts.append(f"{self.age} år")
        if self.origin:
            parts.append(f"fra {self.origin}")
        return ", ".join(parts)

    @property
    def site_path(self) -> str:
        """Path of the case page relative to the site root (no directory URLs)."""
        return f"cases/{self.slug}.html"

    def texts(self) -> list[str]:
        """Every text of the card a reader reads (where a rule the card states is found)."""
        return [
            self.title,
            *self.story,
            *self.questions,
            self.turn_prompt,
            self.considerations_heading,
            *self.considerations,
            *(r.text for r in self.resources),
        ]

    def word_count(self) -> int:
        words = " ".join((*self.story, *self.questions)).split()
        return len(words)


def _sections(lines: list[str]) -> list[tuple[int, str, list[str]]]:
    """Split Markdown lines into (level, heading, body lines); level 0 is the preamble."""
    out: list[tuple[int, str, list[str]]] = [(0, "", [])]
    in_fence = False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            out.append((len(match.group(1)), match.group(2), []))
        else:
            out[-1][2].append(line)
    return out


def _paragraphs(body: list[str]) -> list[str]:
    paras: list[str] = []
    current: list[str] = []
    for line in body:
        if line.strip():
            current.append(line.strip())
        elif current:
            paras.append(" ".join(current))
            current = []
    if current:
        paras.append(" ".join(current))
    return paras


def _list_items(body: list[str]) -> tuple[list[str], list[str]]:
    """Return (list items, other paragraphs) of a section body."""
    items: list[str] = []
    others: list[str] = []
    for para in _paragraphs(_split_list_lines(body)):
        if para.startswith(("- ", "* ")):
            items.append(para[2:].strip())
        else:
            others.append(para)
    return items, others


def _split_list_lines(body: list[str]) -> list[str]:
    """Put a blank line before each list item so every item is its own paragraph."""
    out: list[str] = []
    for line in body:
        if line.lstrip().startswith(("- ", "* ")) and not line.startswith((" ", "\t")):
            out.append("")
        out.append(line)
    return out


def _require_meta(meta: dict[str, Any], key: str, kind: type | tuple[type, ...], path: Path) -> Any:
    if key not in meta:
        raise CaseFormatError(path, f"front matter »{key}«", "feltet mangler")
    value = meta[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise CaseFormatError(path, f"front matter »{key}«", f"ugyldig værdi: {value!r}")
    return value


def body_of(text: str) -> str:
    """The Markdown after the front matter (what a site builder hands to Markdown)."""
    fm = _FRONT_MATTER.match(text)
    return text[fm.end() :] if fm else text


def parse_case(text: str, path: Path | str = "<case>") -> Case:
    """Parse one case file. Raises CaseFormatError naming the missing part."""
    path = Path(path)
    fm = _FRONT_MATTER.match(text)
    if not fm:
        raise CaseFormatError(
            path, "front matter", "filen skal begynde med YAML mellem to linjer ---"
        )
    try:
        meta = yaml.safe_load(fm.group(1)) or {}
    except yaml.YAMLError as exc:
        raise CaseFormatError(path, "front matter", f"ugyldig YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise CaseFormatError(path, "front matter", "skal være en samling af felter")

    number = _require_meta(meta, "case", int, path)
    title = str(_require_meta(meta, "title", str, path)).strip()
    person = str(_require_meta(meta, "person", str, path)).strip()
    age = meta.get("age")
    if age is not None and (not isinstance(age, int) or isinstance(age, bool) or age <= 0):
        raise CaseFormatError(path, "front matter »age«", f"ugyldig alder: {age!r}")
    origin = meta.get("origin")
    if origin is not None and not isinstance(origin, str):
        raise CaseFormatError(path, "front matter »origin«", f"ugyldig værdi: {origin!r}")
    themes = _require_meta(meta, "themes", list, path)
    unknown = [t for t in themes if t not in THEMES]
    if not themes or unknown:
        raise CaseFormatError(
            path, "front matter »themes«", f"ukendte eller manglende temaer: {unknown or themes}"
        )
    reading_time = _require_meta(meta, "reading_time", int, path)
    if not 1 <= reading_time <= 3:
        raise CaseFormatError(
            path, "front matter »reading_time«", "skal være 1, 2 eller 3 minutter"
        )
    checklists = meta.get("checklists") or []
    bad = [c for c in checklists if c not in CHECKLISTS]
    if not isinstance(checklists, list) or bad:
        raise CaseFormatError(path, "front matter »checklists«", f"ukendte tjeklister: {bad}")

    sections = _sections(text[fm.end() :].splitlines())
    titles = [(level, heading) for level, heading, _ in sections]

    h1 = [heading for level, heading in titles if level == 1]
    if len(h1) != 1 or not (m := _H1.match(h1[0])):
        raise CaseFormatError(path, "overskrift »# Case N: Titel«", "mangler eller er forkert")
    if int(m.group(1)) != number or m.group(2).strip() != title:
        raise CaseFormatError(
            path,
            "overskrift »# Case N: Titel«",
            "stemmer ikke med »case« og »title« i front matter",
        )

    def find(level: int, name: str, *, prefix: bool = False) -> int:
        for i, (lvl, heading) in enumerate(titles):
            if lvl == level and (heading.startswith(name) if prefix else heading == name):
                return i
        raise CaseFormatError(path, f"afsnittet »{'#' * level} {name}«", "mangler")

    i_front = find(2, H_FRONT)
    i_questions = find(3, H_QUESTIONS)
    i_back = find(2, H_BACK)
    i_consider = find(3, H_CONSIDER_PREFIX, prefix=True)
    i_resources = find(3, H_RESOURCES)
    if not i_front < i_questions < i_back < i_consider < i_resources:
        raise CaseFormatError(
            path,
            "rækkefølgen af afsnit",
            f"skal være ## {H_FRONT}, ### {H_QUESTIONS}, ## {H_BACK}, "
            f"### {H_CONSIDER_PREFIX}…, ### {H_RESOURCES}",
        )

    story = _paragraphs(sections[i_front][2])
    if not story:
        raise CaseFormatError(path, f"afsnittet »## {H_FRONT}«", "historien mangler")
    questions, after_questions = _list_items(sections[i_questions][2])
    if not questions:
        raise CaseFormatError(path, f"afsnittet »### {H_QUESTIONS}«", "ingen spørgsmål")
    turn = [p for p in after_questions if p.startswith("Vend siden")]
    if len(turn) != 1 or len(after_questions) != 1:
        raise CaseFormatError(
            path, f"afsnittet »### {H_QUESTIONS}«", "skal slutte med ét afsnit »Vend siden …«"
        )
    considerations, stray = _list_items(sections[i_consider][2])
    if not considerations or stray:
        raise CaseFormatError(
            path, f"afsnittet »### {titles[i_consider][1]}«", "skal være en punktliste"
        )
    resource_items, stray = _list_items(sections[i_resources][2])
    if not resource_items or stray:
        raise CaseFormatError(path, f"afsnittet »### {H_RESOURCES}«", "skal være en punktliste")
    resources = []
    for item in resource_items:
        rm = _RESOURCE.match(item)
        if not rm:
            raise CaseFormatError(
                path,
                f"afsnittet »### {H_RESOURCES}«",
                f"punktet mangler et link <https://…>: {item!r}",
            )
        parts = urlsplit(rm.group("url"))
        if parts.scheme not in ("http", "https") or not parts.netloc or "." not in parts.netloc:
            raise CaseFormatError(
                path, f"afsnittet »### {H_RESOURCES}«", f"ugyldigt link: {item!r}"
            )
        resources.append(Resource(text=rm.group("text").rstrip(), url=rm.group("url")))

    return Case(
        number=number,
        title=title,
        person=person,
        age=age,
        origin=origin,
        themes=tuple(themes),
        reading_time=reading_time,
        checklists=tuple(checklists),
        story=tuple(story),
        questions=tuple(questions),
        turn_prompt=turn[0],
        considerations_heading=titles[i_consider][1],
        considerations=tuple(considerations),
        resources=tuple(resources),
        slug=path.stem,
    )


def case_files(directory: Path = CASES_DIR) -> list[Path]:
    return sorted(p for p in directory.glob("case-*.md"))


def load_cases(directory: Path = CASES_DIR) -> list[Case]:
    """All cases, sorted by number. Raises CaseFormatError on the first broken file."""
    cases = [parse_case(p.read_text(encoding="utf-8"), p) for p in case_files(directory)]
    cases.sort(key=lambda c: c.number)
    numbers = [c.number for c in cases]
    if len(set(numbers)) != len(numbers):
        raise CaseFormatError(directory, "casenumre", f"samme nummer bruges flere gange: {numbers}")
    return cases
