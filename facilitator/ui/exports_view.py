"""Downloads of a meeting: referat (Markdown and printable page), follow-ups as CSV and .ics."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Sequence

import streamlit as st

from facilitator import timer as tm
from facilitator.cases import Case
from facilitator.exports import (
    FollowUpRow,
    MeetingSummary,
    danish_date,
    follow_ups_csv,
    follow_ups_ics,
    summary_markdown,
)
from facilitator.records import FollowUp, Meeting
from facilitator.ui.common import case_by_number, storage


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
        follow_ups=follow_up_rows(storage().follow_ups(meeting.team.id, meeting_id=meeting.id)),
        minutes_used=[tm.step_elapsed(state, i, time.time()) for i in range(len(state.plan))],
    )


def _filename(meeting: Meeting, kind: str) -> str:
    team = re.sub(r"[^\w-]+", "-", meeting.team.name).strip("-")[:40] or "team"
    return f"borgercases-{team}-{meeting.meeting_date.isoformat()}-{kind}"


def render(meeting: Meeting, case: Case) -> None:
    s = summary(meeting, case)
    rows = list(s.follow_ups)
    cols = st.columns(4)
    cols[0].download_button(
        "Referat (Markdown)",
        data=summary_markdown(s).encode("utf-8"),
        file_name=_filename(meeting, "referat.md"),
        mime="text/markdown",
        icon=":material/description:",
        on_click="ignore",
    )
    cols[1].download_button(
        "Aftaler (CSV til Excel)",
        data=follow_ups_csv(rows, meeting.team.name),
        file_name=_filename(meeting, "aftaler.csv"),
        mime="text/csv",
        icon=":material/table:",
        on_click="ignore",
    )
    cols[2].download_button(
        "Aftaler (kalender .ics)",
        data=follow_ups_ics(rows, meeting.team.name),
        file_name=_filename(meeting, "aftaler.ics"),
        mime="text/calendar",
        icon=":material/event:",
        on_click="ignore",
    )
    cols[3].link_button(
        "Printvenligt referat", f"?m={meeting.id}&view=print", icon=":material/print:"
    )


def render_print(meeting: Meeting) -> None:
    """A plain page with only the referat, for the browser's print command."""
    case = case_by_number(meeting.case_number)
    if case is None:
        st.error("Casen findes ikke.")
        return
    s = summary(meeting, case)
    st.html(
        "<style>[data-testid='stSidebar'],[data-testid='stHeader'],[data-testid='stToolbar']"
        "{display:none!important} @media print {.bc-noprint{display:none!important}}</style>"
    )
    parts = [
        f"<h1>Referat: {html.escape(s.team)} – {danish_date(s.meeting_date)}</h1>",
        f"<p><strong>Case {s.case_number}: {html.escape(s.case_title)}</strong></p>",
        f"<p>Deltagere: {html.escape(', '.join(s.participants) or '–')}<br>"
        f"Ordstyrer: {html.escape(s.moderator or '–')}</p>",
        "<h2>Refleksionsspørgsmål</h2>",
    ]
    for i, q in enumerate(s.questions):
        note = s.question_notes[i] if i < len(s.question_notes) else ""
        parts.append(f"<h3>{i + 1}. {html.escape(q)}</h3>")
        parts.append(f"<p style='white-space:pre-wrap'>{html.escape(note) or '–'}</p>")
    parts.append("<h2>Generelle noter</h2>")
    parts.append(f"<p style='white-space:pre-wrap'>{html.escape(s.general_notes) or '–'}</p>")
    parts.append("<h2>Aftaler om opfølgning</h2>")
    if rows := list(s.follow_ups):
        parts.append(
            "<table><thead><tr><th>Hvem</th><th>Hvad</th><th>Frist</th><th>Status</th></tr></thead><tbody>"
        )
        for r in rows:
            parts.append(
                f"<tr><td>{html.escape(r.who)}</td><td style='white-space:pre-wrap'>"
                f"{html.escape(r.what)}</td><td>{danish_date(r.due)}</td>"
                f"<td>{'Udført' if r.done else 'Åben'}</td></tr>"
            )
        parts.append("</tbody></table>")
    else:
        parts.append("<p>Ingen aftaler.</p>")
    parts.append(
        "<p><em>Noterne handler om casen og teamets praksis – ikke om rigtige borgere.</em></p>"
    )
    st.html("".join(parts))
    cols = st.columns([1, 1, 4])
    cols[0].button(
        "Tilbage til mødet", on_click=_back, args=(meeting.id,), icon=":material/arrow_back:"
    )
    cols[1].caption("Udskriv med Ctrl+P.")


def _back(meeting_id: str) -> None:
    st.query_params.clear()
    st.query_params["m"] = meeting_id
