"""Exports of a meeting: summary (referat) as Markdown, follow-ups as CSV and iCalendar.

Pure functions over plain data; the views only offer the bytes for download.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from facilitator.exercise import STEPS


@dataclass(frozen=True)
class FollowUpRow:
    id: int
    who: str
    what: str
    due: date | None
    case_number: int | None
    case_title: str | None
    done: bool
    meeting_date: date | None = None


@dataclass(frozen=True)
class MeetingSummary:
    team: str
    meeting_date: date
    case_number: int
    case_title: str
    participants: Sequence[str]
    moderator: str | None
    questions: Sequence[str]
    question_notes: Sequence[str]
    general_notes: str
    follow_ups: Sequence[FollowUpRow]
    minutes_used: Sequence[float]  # per step


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def md_escape(text: str) -> str:
    """Show user text literally in Markdown: no links, no HTML, no formatting."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_block(text: str) -> str:
    lines = [md_escape(line) for line in text.splitlines()]
    return "  \n".join(lines) if lines else "–"


def danish_date(d: date | None) -> str:
    return d.strftime("%d.%m.%Y") if d else "–"


def summary_markdown(s: MeetingSummary) -> str:
    out = [
        f"# Referat: {md_escape(s.team)} – {danish_date(s.meeting_date)}",
        "",
        f"**Case {s.case_number}: {md_escape(s.case_title)}**",
        "",
        f"- Deltagere: {md_escape(', '.join(s.participants)) if s.participants else '–'}",
        f"- Ordstyrer: {md_escape(s.moderator) if s.moderator else '–'}",
        "",
        "## Refleksionsspørgsmål",
        "",
    ]
    for i, question in enumerate(s.questions):
        note = s.question_notes[i] if i < len(s.question_notes) else ""
        out += [f"### {i + 1}. {md_escape(question)}", "", _md_block(note) if note else "–", ""]
    out += ["## Generelle noter", "", _md_block(s.general_notes) if s.general_notes else "–", ""]
    out += ["## Aftaler om opfølgning", ""]
    if s.follow_ups:
        out += ["| Hvem | Hvad | Frist | Status |", "|---|---|---|---|"]
        for f in s.follow_ups:
            cells = [
                md_escape(f.who),
                md_escape(f.what).replace("\n", " "),
                danish_date(f.due),
                "Udført" if f.done else "Åben",
            ]
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    else:
        out.append("Ingen aftaler.")
    out += ["", "## Tidsforbrug", ""]
    for step, seconds in zip(STEPS, s.minutes_used, strict=False):
        out.append(f"- {step.short}: {int(seconds // 60)} min. {int(seconds % 60)} sek.")
    out += ["", "*Noterne handler om casen og teamets praksis – ikke om rigtige borgere.*", ""]
    return "\n".join(out)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """Stop spreadsheet programs from running a cell as a formula (CSV injection)."""
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


def follow_ups_csv(rows: Sequence[FollowUpRow], team: str) -> bytes:
    """CSV for Danish Excel: UTF-8 with BOM, semicolon separator, dd.mm.yyyy dates."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(["Team", "Hvem", "Hvad", "Frist", "Case", "Status", "Mødedato"])
    for r in rows:
        case = f"Case {r.case_number}: {r.case_title}" if r.case_number else ""
        writer.writerow(
            [
                neutralise_cell(team),
                neutralise_cell(r.who),
                neutralise_cell(r.what),
                danish_date(r.due) if r.due else "",
                neutralise_cell(case),
                "Udført" if r.done else "Åben",
                danish_date(r.meeting_date) if r.meeting_date else "",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def follow_ups_ics(
    rows: Sequence[FollowUpRow],
    team: str,
    uid_domain: str = "borgercases.local",
    stamp: datetime | None = None,
) -> bytes:
    """One all-day calendar entry per follow-up with a due date."""
    from icalendar import Calendar, Event  # only when exporting: keeps the app's start quick

    cal = Calendar()
    cal.add("prodid", "-//Borgercases//Facilitator//DA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Opfølgning – {team}")
    stamp = stamp or datetime.now(UTC)
    for r in rows:
        if r.due is None:
            continue
        event = Event()
        event.add("uid", f"followup-{r.id}@{uid_domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", r.due)
        event.add("dtend", r.due + timedelta(days=1))
        title = r.what.splitlines()[0][:80] if r.what else ""
        event.add("summary", f"Opfølgning{' (udført)' if r.done else ''}: {title}")
        case = f"Case {r.case_number}: {r.case_title}. " if r.case_number else ""
        event.add("description", f"{case}Ansvarlig: {r.who}. Aftalt i {team}.\n\n{r.what}")
        event.add("status", "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
