"""Downloads of a meeting: referat (Markdown and printable page), follow-ups as CSV and .ics."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

import streamlit as st

from facilitator import timer as tm
from facilitator.cases import Case
from facilitator.exports import (
    ANONYMOUS_HEADING,
    FollowUpRow,
    MeetingSummary,
    danish_date,
    follow_ups_csv,
    follow_ups_ics,
    literal,
    not_in_note,
    summary_markdown,
)
from facilitator.records import FollowUp, Meeting
from facilitator.ui import address, media_grace
from facilitator.ui import text as ui_text
from facilitator.ui.common import case_by_number, storage, style

# The buttons below make their files on click; a click during a redraw must still find them.
media_grace.install()


def follow_up_rows(items: Sequence[FollowUp]) -> list[FollowUpRow]:
    """Stored follow-ups as the exports need them (with their case's title)."""
    rows = []
    for f in items:
        case = case_by_number(f.case_number) if f.case_number else None
        rows.append(
            FollowUpRow(
                id=f.id,
                who=f.who,
                what=f.what,
                due=f.due,
                case_number=f.case_number,
                case_title=case.title if case else None,
                done=f.done,
                meeting_date=f.meeting_date,
                meeting_id=f.meeting_id,
            )
        )
    return rows


def _meeting_rows(meeting: Meeting) -> list[FollowUpRow]:
    return follow_up_rows(storage().follow_ups(meeting.team.id, meeting_id=meeting.id))


def summary(meeting: Meeting, case: Case) -> MeetingSummary:
    notes = storage().notes(meeting.id)
    state = meeting.timer
    return MeetingSummary(
        team=meeting.team.name,
        meeting_date=meeting.meeting_date,
        case_number=case.number,
        case_title=case.title,
        participants=list(meeting.participants),
        moderator=meeting.moderator,
        questions=list(case.questions),
        question_notes=[notes.get(f"q{i}", "") for i in range(len(case.questions))],
        general_notes=notes.get("general", ""),
        follow_ups=_meeting_rows(meeting),
        minutes_used=[tm.step_elapsed(state, i, time.time()) for i in range(len(state.plan))],
        anonymous=[
            not_in_note(thoughts, notes.get(f"q{i}", ""))
            for i, thoughts in enumerate(anonymous_thoughts(meeting, len(case.questions)))
        ],
    )


def anonymous_thoughts(meeting: Meeting, questions: int) -> list[list[str]]:
    """The participants' thoughts per question, as the referat shows them: not the hidden."""
    out: list[list[str]] = [[] for _ in range(questions)]
    for t in storage().thoughts(meeting.team.id, meeting.id):
        if not t.hidden and 0 <= t.question < questions:
            out[t.question].append(t.text)
    return out


def _filename(meeting: Meeting, kind: str) -> str:
    team = re.sub(r"[^\w-]+", "-", meeting.team.name).strip("-")[:40] or "team"
    return f"borgercases-{team}-{meeting.meeting_date.isoformat()}-{kind}"


def render(meeting: Meeting, case: Case) -> None:
    """The downloads, side by side, wrapping onto a new line where there is no room (never
    cut off). The files are made only when a button is clicked: Streamlit calls ``data``
    then, in its own thread, so a rerun of the page reads and builds nothing."""
    team = meeting.team.name
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            "Referat som tekstfil (.md)",
            data=lambda: summary_markdown(summary(meeting, case)).encode("utf-8"),
            file_name=_filename(meeting, "referat.md"),
            mime="text/markdown",
            icon=":material/description:",
            on_click="ignore",
        )
        st.download_button(
            "Excel-liste over aftaler (.csv)",
            data=lambda: follow_ups_csv(_meeting_rows(meeting), team),
            file_name=_filename(meeting, "aftaler.csv"),
            mime="text/csv",
            icon=":material/table:",
            on_click="ignore",
        )
        st.download_button(
            "Kalender med aftaler (.ics)",
            data=lambda: follow_ups_ics(_meeting_rows(meeting), team),
            file_name=_filename(meeting, "aftaler.ics"),
            mime="text/calendar",
            icon=":material/event:",
            on_click="ignore",
        )
        st.link_button("Udskriv referatet", address.print_link(meeting.id), icon=":material/print:")


def render_summary(meeting: Meeting, case: Case) -> None:
    """The referat on the finished-meeting page: every reflection question with the team's
    note, then the general notes, as plain text (never read as Markdown or HTML); "–" for an
    empty note. Not the follow-ups: the page lists them itself."""
    notes = storage().notes(meeting.id)
    anonymous = [
        not_in_note(thoughts, notes.get(f"q{i}", ""))
        for i, thoughts in enumerate(anonymous_thoughts(meeting, len(case.questions)))
    ]
    st.subheader("Referat")
    for i, question in enumerate(case.questions):
        st.markdown(f"**{i + 1}. {literal(question)}**")
        st.text(_note(notes.get(f"q{i}", "")))
        if anonymous[i]:
            st.caption(ANONYMOUS_HEADING)
            st.text("\n".join(f"– {t}" for t in anonymous[i]))
    st.markdown("**Generelle noter**")
    st.text(_note(notes.get("general", "")))


def _note(text: str) -> str:
    return text if text.strip() else "–"


def render_print(meeting: Meeting) -> None:
    """A plain page with only the referat, for the browser's print command. On screen the
    controls stand above the referat, where the user sees them first; on paper everything but
    the referat (the controls, Streamlit's header, toolbar and sidebar) is hidden, a heading
    never ends a page and the follow-ups table fits the page's width."""
    case = case_by_number(meeting.case_number)
    if case is None:
        st.error("Casen findes ikke.")
        return
    s = summary(meeting, case)
    ui_text.html_page(style("print.css"))
    with st.container(key="bc_print_controls", horizontal=True, vertical_alignment="center"):
        st.button(
            "Tilbage til mødet", on_click=_back, args=(meeting.id,), icon=":material/arrow_back:"
        )
        st.caption("Udskriv med Ctrl+P (⌘+P på Mac).")
    parts = [
        "<div class='bc-referat'>",
        f"<h1>Referat: {ui_text.text(s.team)} – {danish_date(s.meeting_date)}</h1>",
        f"<p><strong>Case {s.case_number:d}: {ui_text.text(s.case_title)}</strong></p>",
        f"<p>Deltagere: {ui_text.text(', '.join(s.participants) or '–')}<br>"
        f"Ordstyrer: {ui_text.text(s.moderator or '–')}</p>",
        "<h2>Refleksionsspørgsmål</h2>",
    ]
    for i, q in enumerate(s.questions):
        note = s.question_notes[i] if i < len(s.question_notes) else ""
        parts.append(f"<h3>{i + 1}. {ui_text.text(q)}</h3>")
        parts.append(f"<p class='bc-pre'>{ui_text.text(_note(note))}</p>")
        thoughts = s.anonymous[i] if i < len(s.anonymous) else ()
        if thoughts:
            parts.append(f"<p class='bc-anonymous'><em>{ANONYMOUS_HEADING}:</em></p><ul>")
            parts += [f"<li class='bc-pre'>{ui_text.text(t)}</li>" for t in thoughts]
            parts.append("</ul>")
    parts.append("<h2>Generelle noter</h2>")
    parts.append(f"<p class='bc-pre'>{ui_text.text(_note(s.general_notes))}</p>")
    parts.append("<h2>Aftaler om opfølgning</h2>")
    if rows := list(s.follow_ups):
        parts.append(
            "<table><colgroup><col class='bc-who'><col><col class='bc-due'>"
            "<col class='bc-status'></colgroup>"
            "<thead><tr><th>Hvem</th><th>Hvad</th><th>Frist</th><th>Status</th></tr>"
            "</thead><tbody>"
        )
        for r in rows:
            parts.append(
                f"<tr><td>{ui_text.text(r.who)}</td><td class='bc-pre'>"
                f"{ui_text.text(r.what)}</td><td>{danish_date(r.due)}</td>"
                f"<td>{'Udført' if r.done else 'Åben'}</td></tr>"
            )
        parts.append("</tbody></table>")
    else:
        parts.append("<p>Ingen aftaler.</p>")
    parts.append(
        "<p><em>Noterne handler om casen og teamets praksis – ikke om rigtige borgere.</em></p>"
    )
    parts.append("</div>")
    ui_text.html_page("".join(parts))


def _back(meeting_id: str) -> None:
    address.open_meeting(meeting_id)
