"""Follow-up list and form, used on the start page and in step 5."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date

import streamlit as st

from facilitator import validation
from facilitator.exports import literal
from facilitator.records import FollowUp, Meeting
from facilitator.ui.common import case_by_number, cases, flash, guarded, storage

OTHER = "Andet navn …"


_DONE_HERE = "_done_here"  # follow-ups ticked done in this session: kept in open lists (undo)


def _done_changed(team_id: int, follow_up_id: int, key: str) -> None:
    done = bool(st.session_state[key])
    guarded(storage().set_follow_up_done)(team_id, follow_up_id, done)
    if done:
        st.session_state.setdefault(_DONE_HERE, set()).add(follow_up_id)


def open_or_just_done(team_id: int) -> list[FollowUp]:
    """The team's open follow-ups, and those ticked done in this session: a tick can be undone
    from the same list instead of the row vanishing under the pointer. The team's whole history
    is read only once something has been ticked here."""
    just_done = st.session_state.get(_DONE_HERE, set())
    items = storage().follow_ups(team_id, open_only=not just_done)
    return [f for f in items if not f.done or f.id in just_done]


def follow_up_list(
    team_id: int, items: Sequence[FollowUp], key_prefix: str, allow_delete: bool = False
) -> None:
    for f in items:
        case = case_by_number(f.case_number) if f.case_number else None
        due = f"frist {f.due.strftime('%d.%m.%Y')}" if f.due else "ingen frist"
        origin = f"aftalt {f.meeting_date.strftime('%d.%m.%Y')}"
        cols = st.columns([4, 1]) if allow_delete else [st.container()]
        key = f"{key_prefix}_done_{f.id}"
        label = f"**{literal(f.who)}**: {literal(f.what)} – {due}"
        if case:
            label += f" – case {case.number}"
        label += f" ({origin})"
        cols[0].checkbox(
            label, value=f.done, key=key, on_change=_done_changed, args=(team_id, f.id, key)
        )
        if allow_delete:
            cols[1].button(
                "Slet",
                key=f"{key_prefix}_del_{f.id}",
                on_click=_delete,
                args=(team_id, f.id),
                icon=":material/delete:",
                help="Slet aftalen",
            )


def _delete(team_id: int, follow_up_id: int) -> None:
    guarded(storage().delete_follow_up)(team_id, follow_up_id)


def follow_up_form(meeting: Meeting) -> None:
    form_key = st.session_state.setdefault(f"fu_key_{meeting.id}", secrets.token_hex(8))
    with st.form(f"follow_up_{meeting.id}", clear_on_submit=False, enter_to_submit=False):
        st.markdown("**Ny aftale**")
        options = [*meeting.participants, OTHER] if meeting.participants else [OTHER]
        col1, col2 = st.columns(2)
        who_choice = col1.selectbox(
            "Hvem følger op?", options=options, key=f"fu_who_{meeting.id}_{form_key}"
        )
        who_free = col2.text_input(
            "Andet navn (hvis ikke på listen)",
            max_chars=validation.MAX_NAME,
            key=f"fu_who_free_{meeting.id}_{form_key}",
        )
        what = st.text_area(
            "Hvad skal der følges op på?",
            max_chars=validation.MAX_FOLLOW_UP,
            key=f"fu_what_{meeting.id}_{form_key}",
            height=90,
        )
        col3, col4 = st.columns(2)
        due = col3.date_input(
            "Frist",
            value=meeting.next_meeting_date,
            format="DD.MM.YYYY",
            key=f"fu_due_{meeting.id}_{form_key}",
        )
        numbers = [None, *[c.number for c in cases()]]
        case_number = col4.selectbox(
            "Fra case",
            options=numbers,
            index=numbers.index(meeting.case_number),
            format_func=lambda n: "Ingen" if n is None else f"Case {n}",
            key=f"fu_case_{meeting.id}_{form_key}",
        )
        submitted = st.form_submit_button("Gem aftalen", type="primary", icon=":material/add_task:")
    if submitted:
        who = who_free if (who_choice == OTHER or who_free.strip()) else who_choice
        _add(meeting, who, what, due if isinstance(due, date) else None, case_number, form_key)


@guarded
def _add(
    meeting: Meeting, who: str, what: str, due: date | None, case_number: int | None, form_key: str
) -> None:
    who_clean, what_clean = validation.follow_up(who, what, due, date.today())
    storage().add_follow_up(meeting, who_clean, what_clean, due, case_number, client_key=form_key)
    # A fresh form: a new idempotency key, and with it new (empty) fields.
    st.session_state[f"fu_key_{meeting.id}"] = secrets.token_hex(8)
    flash(f"Aftalen er gemt: {literal(who_clean)}.")
    st.rerun(scope="fragment")
