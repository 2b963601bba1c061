"""Exports of a meeting: summary (referat) as Markdown, follow-ups as CSV and iCalendar.

Pure functions over plain data; the views only offer the bytes for download.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
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
    meeting_id: str = ""  # the meeting's random id: makes the calendar entry's UID unique


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
    # Participants' thoughts from their phones per question (not the hidden ones).
    anonymous: Sequence[Sequence[str]] = ()


ANONYMOUS_HEADING = "Anonyme bidrag fra deltagerne (sendt fra telefon)"


def not_in_note(thoughts: Sequence[str], note: str) -> list[str]:
    """The thoughts the referat lists under the note: a thought copied into the note (»Kopiér
    til noten«, every line of it still there) is in the referat once, in the note; one edited
    or deleted there again stays in the list, so nothing a participant sent goes missing."""
    lines = {line.strip() for line in note.splitlines()}
    return [t for t in thoughts if not all(line.strip() in lines for line in t.splitlines())]


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def md_escape(text: str) -> str:
    """Show user text literally in Markdown: no links, no HTML, no formatting."""
    return _MD_SPECIAL.sub(r"\\\1", text)


_WORD_JOINER = "\u2060"  # invisible; neither space nor punctuation to a Markdown parser
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_WWW_DOT = re.compile(r"(?i)(?<=www)(?=\.)")
_ARROW = re.compile(r"(?<!\S)(<->|->|<-|--|>=|<=|~=)(?!\S)")


def literal(text: str) -> str:
    """User text shown exactly as typed wherever Streamlit reads Markdown: st.markdown/write,
    headers, st.success & co., and widget labels (button, checkbox, expander, radio).

    A backslash before every ASCII punctuation mark stops links, images, HTML, emphasis,
    headings and lists, LaTeX (``$``) and Streamlit's directives (``:red[…]``,
    ``:material/…:``). Some rewriting happens on the parsed text, where escapes no longer
    count: autolinks (``www.``, ``https://``, e-mail addresses), icon and emoji short codes
    (``:name:``) and arrows (``->``). An invisible WORD JOINER breaks those patterns: after
    every ``:`` and ``@``, between ``www`` and ``.``, inside an arrow. Line breaks become
    spaces. Not for selectbox options or field values: Streamlit shows those as plain text.
    """
    text = " ".join(text.split())
    text = _WWW_DOT.sub(_WORD_JOINER, text)
    text = _ARROW.sub(lambda m: m[0][0] + _WORD_JOINER + m[0][1:], text)
    text = text.replace(":", ":" + _WORD_JOINER).replace("@", "@" + _WORD_JOINER)
    return _ASCII_PUNCTUATION.sub(r"\\\1", text)


# The referat (.md) is read as a plain file (Notepad, Word) and in Markdown programs, so it
# escapes only what a Markdown reader would take as syntax: plain words keep their full stops,
# hyphens, brackets, colons and numbers. What counts, in CommonMark with GFM's tables and
# strikethrough (and Python-Markdown, which MkDocs uses):
# - anywhere: backticks, | (table cells), < before a tag or autolink, & before a character
#   reference, a backslash before punctuation, * and _ that could open or close emphasis,
#   ]( ][ ]: (links, images, reference definitions), ~ and $ when two could pair up
#   (strikethrough, math);
# - at the start of a line: headings, quotes, list markers, 1. and 1), setext underlines and
#   thematic breaks, task-list boxes.
# Addresses become code spans: shown as typed, never a link, in any Markdown program.
_ADDRESS = re.compile(r"(?i)://|www\.|@")
_SENTENCE_END = re.compile(r"[.,;:!?]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")  # invisible, not whitespace
_ASCII_PUNCT = r"!-/:-@\[-`{-~"
_INLINE = re.compile(
    rf"\\(?=[{_ASCII_PUNCT}]|$)"  # a backslash that would escape what follows it
    r"|[`|]"  # code, table cells
    r"|\*"  # emphasis (a word of only asterisks between others is left alone: _md_token)
    r"|(?<![^\W_])_|_(?![^\W_])"  # underscores, except inside a word (snake_case)
    r"|\](?=[(\[:])"  # inline links and images, reference links and definitions
    r"|<(?=[A-Za-z/!?])"  # HTML and <autolinks>
    r"|&(?=#?\w+;|#\w)"  # character references (Python-Markdown needs no ; after &#1)
)
_BLOCK_START = re.compile(
    r"^(?:#|>"  # headings (Python-Markdown needs no space after #), block quotes
    r"|[-+*](?=\s|$)"  # bullet lists
    r"|([-*_])(?:\s*\1){2,}\s*$"  # thematic breaks: - - - or ***
    r"|-+$|=+$"  # setext underlines
    r"|\[(?=[ xX]\])"  # task-list boxes
    r"|\d+(?=[.)](?:\s|$)))"  # ordered lists: 1. and 1)
)
_PAIRED = "~$"  # strikethrough, math: escaped only when a second one could close the first


def _code_span(text: str) -> str:
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_inline(match: re.Match[str]) -> str:
    char = match[0]
    if char == "<":
        return "&lt;"
    if char == "&":
        return "&amp;"
    return "\\" + char


def _md_word(word: str, paired: str) -> str:
    if not _ADDRESS.search(word):
        out = _INLINE.sub(_md_inline, word)
        for char in paired:
            out = out.replace(char, "\\" + char)
        return out
    # Addresses become code: shown as typed, never a link, in any Markdown program.
    end = _SENTENCE_END.search(word)
    core, tail = (word[: end.start()], end[0]) if end else (word, "")
    return _code_span(core) + tail if core else tail


def _md_token(token: str, paired: str, inside: bool) -> str:
    if inside and token.strip("*") == "":
        return token  # space on both sides: cannot open or close emphasis
    # A | splits table cells even inside code, so it stays outside, escaped.
    return "\\|".join(_md_word(part, paired) for part in token.split("|"))


def _paired(text: str) -> str:
    return "".join(char for char in _PAIRED if text.count(char) > 1)


def _md_line(text: str, paired: str | None) -> str:
    tokens = _CONTROL.sub("", text).split()
    pairs = _paired("".join(tokens)) if paired is None else paired
    last = len(tokens) - 1
    line = " ".join(_md_token(t, pairs, 0 < i < last) for i, t in enumerate(tokens))
    start = _BLOCK_START.match(line)
    if start is None:
        return line
    at = start.end() if line[0].isdigit() else 0  # 1\. or \# \> \- \+ \* \= \[
    return line[:at] + "\\" + line[at:]


def md_text(text: str) -> str:
    """One line of user text, shown literally in the referat: no links, images, HTML,
    emphasis, headings or lists; plain words stay as typed, so the file reads well as text.
    Line breaks and runs of spaces become one space; invisible control characters go."""
    return _md_line(text, None)


def md_lines(text: str) -> str:
    """User text of several lines as one Markdown paragraph with its line breaks kept,
    shown literally; "–" when there is nothing to show."""
    text = _CONTROL.sub("", text)
    if not text.split():
        return "–"
    # ~ and $ pair up across the lines of a paragraph, so they count for the whole text.
    paired = _paired(text)
    return "  \n".join(_md_line(line, paired) for line in text.splitlines())


def md_heading(text: str) -> str:
    """User text at the end of an ATX heading (``### …``), where a closing run of # would
    be dropped; otherwise as :func:`md_text`."""
    line = md_text(text)
    closing = re.search(r"(\\*)(#+)$", line)
    if closing is None:
        return line
    at = closing.start(2) + len(closing[1]) % 2  # after an escaped first #
    return line[:at] + "\\#" * (len(line) - at)


def danish_date(d: date | None) -> str:
    return d.strftime("%d.%m.%Y") if d else "–"


def summary_markdown(s: MeetingSummary) -> str:
    out = [
        f"# Referat: {md_text(s.team)} – {danish_date(s.meeting_date)}",
        "",
        f"**Case {s.case_number}: {md_text(s.case_title)}**",
        "",
        f"- Deltagere: {md_text(', '.join(s.participants)) if s.participants else '–'}",
        f"- Ordstyrer: {md_text(s.moderator) if s.moderator else '–'}",
        "",
        "## Refleksionsspørgsmål",
        "",
    ]
    for i, question in enumerate(s.questions):
        note = s.question_notes[i] if i < len(s.question_notes) else ""
        out += [f"### {i + 1}. {md_heading(question)}", "", md_lines(note), ""]
        thoughts = s.anonymous[i] if i < len(s.anonymous) else ()
        if thoughts:
            out += [f"*{ANONYMOUS_HEADING}:*", ""]
            out += [f"- {md_text(t)}" for t in thoughts]
            out.append("")
    out += ["## Generelle noter", "", md_lines(s.general_notes), ""]
    out += ["## Aftaler om opfølgning", ""]
    if s.follow_ups:
        out += ["| Hvem | Hvad | Frist | Status |", "|---|---|---|---|"]
        for f in s.follow_ups:
            cells = [
                md_text(f.who),
                md_text(f.what),
                danish_date(f.due),
                "Udført" if f.done else "Åben",
            ]
            out.append("| " + " | ".join(cells) + " |")
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


# Fixed for Borgercases: UIDs are UUIDs from this and the follow-up's meeting id and id.
_UID_NAMESPACE = uuid.UUID("5b0f3c2e-8f5e-4c1a-9a47-2f6d1e0c9b31")
TITLE_LENGTH = 80  # a calendar entry's whole title, who included: what a phone's agenda shows


def follow_up_uid(row: FollowUpRow) -> str:
    """The follow-up's calendar UID: the same on every export from this database (importing
    again updates the entry), and unique across installations, because the meeting id is 128
    random bits. A hash of it, so the calendar never holds the meeting's address."""
    if not row.meeting_id:
        raise ValueError("follow-up without its meeting id: no unique calendar UID")
    return str(uuid.uuid5(_UID_NAMESPACE, f"{row.meeting_id}/follow-up/{row.id}"))


def short_title(text: str, length: int = TITLE_LENGTH) -> str:
    """The first line of a text, at most ``length`` characters: cut after a whole word and
    ended with "…" when anything is left out."""
    lines = text.strip().splitlines()
    first = " ".join(lines[0].split()) if lines else ""
    if len(first) <= length and len(lines) <= 1:
        return first
    if len(first) > length:
        cut = first[:length]
        space = cut.rfind(" ")
        first = cut[:space] if space > 0 else cut[: length - 1]
    return first.rstrip(" ,;:-–") + "…"


def event_title(who: str, what: str, done: bool = False) -> str:
    """A follow-up's calendar title: who follows up, then the start of what (whole words, at
    most ``TITLE_LENGTH`` characters in all), e.g. »Anne følger op: Ring til VUC om …«."""
    who = " ".join(who.split())
    lead = f"{who} følger op" if who else "Opfølgning"
    lead += " (udført): " if done else ": "
    return lead + short_title(what, max(TITLE_LENGTH - len(lead), 30))


def follow_ups_ics(
    rows: Sequence[FollowUpRow],
    team: str,
    stamp: datetime | None = None,
) -> bytes:
    """One all-day calendar entry per follow-up with a due date; the title says who and the
    start of the text (``event_title``), the whole text is in the description."""
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
        event.add("uid", follow_up_uid(r))
        event.add("dtstamp", stamp)
        event.add("dtstart", r.due)
        event.add("dtend", r.due + timedelta(days=1))
        event.add("summary", event_title(r.who, r.what, r.done))
        case = f"Case {r.case_number}: {r.case_title}. " if r.case_number else ""
        event.add("description", f"{case}Ansvarlig: {r.who}. Aftalt i {team}.\n\n{r.what}")
        event.add("status", "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
