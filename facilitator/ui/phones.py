"""The facilitator's side of the participants' phones: the join code (QR and address), the
anonymous thoughts as they arrive, and the proposed follow-ups to accept or dismiss."""

from __future__ import annotations

import io
import os
from datetime import date
from urllib.parse import urlsplit

import streamlit as st

from facilitator import validation
from facilitator.exports import literal
from facilitator.records import Meeting, Proposal, StorageError, Thought
from facilitator.ui import address
from facilitator.ui import text as ui_text
from facilitator.ui.common import flash, guarded, storage

_SIGNATURE = "_phones_seen_{}"  # meeting id -> participation_signature last drawn


def public_base() -> str:
    """The app's address as phones reach it: ``BORGERCASES_PUBLIC_URL`` when set (behind a
    reverse proxy or on a meeting-room network), else the address this browser uses."""
    configured = os.environ.get("BORGERCASES_PUBLIC_URL", "").strip()
    if configured:
        return configured
    try:
        return st.context.url or "http://127.0.0.1:8501/"
    except Exception:
        return "http://127.0.0.1:8501/"


def _local_only(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")


@st.cache_data(show_spinner=False, max_entries=256)
def qr_png(url: str) -> bytes:
    import segno  # only when a QR code is drawn

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def join_block(meeting: Meeting, key: str, width: int = 180) -> None:
    """»Deltag fra din telefon«: the QR code and the short address of this meeting's join
    link, which opens nothing but the participant page of this meeting."""
    try:
        code = storage().join_code(meeting.team.id, meeting.id)
    except StorageError as exc:
        st.error(literal(str(exc)), icon=":material/error:")
        return
    url = address.join_link(public_base(), code)
    st.markdown("**Deltag fra din telefon**")
    st.image(qr_png(url), width=width, alt="QR-kode: deltag i mødet fra din telefon")
    short = url.split("://", 1)[-1]
    ui_text.show(
        f"<p class='bc-join'><a href='{ui_text.attr(url)}' target='_blank' "
        f"rel='noopener'>{ui_text.text(short)}</a></p>"
    )
    st.caption(
        "Uden login og navn. Linket viser kun dette møde og holder op med at virke, når mødet "
        "er slut."
    )
    if _local_only(url):
        st.caption(
            "Adressen peger på denne computer, så telefoner kan ikke åbne den. Den, der driver "
            "værktøjet, kan sætte BORGERCASES_PUBLIC_URL (se README)."
        )
    st.button(
        "Lav et nyt link",
        key=f"renew_join_{key}",
        icon=":material/autorenew:",
        on_click=guarded(_renew),
        args=(meeting,),
        help="Det gamle link holder op med at virke med det samme.",
    )


def _renew(meeting: Meeting) -> None:
    storage().renew_join_code(meeting.team.id, meeting.id)
    flash("Der er lavet et nyt link. Det gamle virker ikke længere.")


# --- Live: what the phones sent ---------------------------------------------------------------


def remember_drawn(meeting_id: str) -> None:
    """Note what this screen drew, before reading it, so a send in between is not missed."""
    st.session_state[_SIGNATURE.format(meeting_id)] = storage().participation_signature(meeting_id)


def changed_since_drawn(meeting_id: str) -> bool:
    """For the heartbeat: did a phone send (or another screen hide, copy, accept …) since this
    screen drew the lists? Only when it drew any."""
    seen = st.session_state.get(_SIGNATURE.format(meeting_id))
    return seen is not None and storage().participation_signature(meeting_id) != seen


def forget_drawn(meeting_id: str) -> None:
    st.session_state.pop(_SIGNATURE.format(meeting_id), None)


def thoughts_by_question(meeting: Meeting) -> dict[int, list[Thought]]:
    out: dict[int, list[Thought]] = {}
    for t in storage().thoughts(meeting.team.id, meeting.id):
        out.setdefault(t.question, []).append(t)
    return out


def thought_list(
    meeting: Meeting, question: int, items: list[Thought], projector: bool, note_key: str
) -> None:
    """The thoughts sent to one question, newest last, each shown literally. In projector view
    the hidden ones are left out; the facilitator's own screen shows them marked."""
    visible = [t for t in items if not t.hidden]
    shown = visible if projector else items
    if not shown:
        return  # the room does not learn that something was hidden
    hidden = len(items) - len(visible)
    label = f"Fra telefonerne: {len(shown)} tanke{'r' if len(shown) != 1 else ''}"
    if hidden and not projector:
        label += f", heraf {hidden} skjult på projektoren"
    ui_text.show(f"<p class='bc-thoughts-count'>{ui_text.text(label)}</p>")
    for t in shown:
        cls = "bc-thought bc-thought--hidden" if t.hidden else "bc-thought"
        mark = "<span class='bc-thought__mark'>Skjult på projektoren</span>" if t.hidden else ""
        ui_text.show(f"<div class='{cls}'>{mark}{ui_text.text(t.text)}</div>")
        row = st.container(horizontal=True, gap="small", key=f"bc_thought_{t.id}")
        row.button(
            "Vis på projektoren" if t.hidden else "Skjul på projektoren",
            key=f"thought_hide_{t.id}",
            icon=":material/visibility:" if t.hidden else ":material/visibility_off:",
            on_click=guarded(_hide),
            args=(meeting, t.id, not t.hidden),
            width="content",
        )
        row.button(
            "Kopieret til noten" if t.copied else "Kopiér til noten",
            key=f"thought_copy_{t.id}",
            icon=":material/content_copy:",
            on_click=guarded(_copy),
            args=(meeting, t.id, note_key),
            disabled=t.copied,
            width="content",
        )
        row.button(
            "Slet",
            key=f"thought_delete_{t.id}",
            icon=":material/delete:",
            on_click=guarded(_delete_thought),
            args=(meeting, t.id),
            help="Sletter tanken for altid, fx hvis den nævner en rigtig borger.",
            width="content",
        )


def _hide(meeting: Meeting, thought_id: int, hidden: bool) -> None:
    storage().set_thought_hidden(meeting.team.id, meeting.id, thought_id, hidden)


def _copy(meeting: Meeting, thought_id: int, note_key: str) -> None:
    storage().copy_thought_to_note(meeting.team.id, meeting.id, thought_id, note_key)


def _delete_thought(meeting: Meeting, thought_id: int) -> None:
    storage().delete_thought(meeting.team.id, meeting.id, thought_id)


# --- Proposed follow-ups ----------------------------------------------------------------------


def proposal_list(meeting: Meeting) -> None:
    """Follow-ups proposed from the phones: each becomes a normal follow-up when accepted (the
    facilitator can correct it first) or goes when dismissed."""
    try:
        items = storage().proposals(meeting.team.id, meeting.id)
    except StorageError as exc:
        st.error(literal(str(exc)), icon=":material/error:")
        return
    if not items:
        return
    st.subheader(f"Forslag fra telefonerne ({len(items)})")
    for p in items:
        _proposal(meeting, p)


def _proposal(meeting: Meeting, p: Proposal) -> None:
    with st.form(f"bc_proposal_{p.id}", border=True, enter_to_submit=False):
        ui_text.show(
            f"<div class='bc-thought'>{ui_text.text(p.what)}</div>"
            f"<p class='bc-muted'>Foreslået af {ui_text.text(p.who or 'en anonym deltager')}"
            + (f", frist {ui_text.text(p.due.strftime('%d.%m.%Y'))}" if p.due else "")
            + "</p>"
        )
        who = st.text_input(
            "Hvem følger op på forslaget?",
            value=p.who or "",
            max_chars=validation.MAX_NAME,
            key=f"pw_{p.id}",
        )
        row = st.container(horizontal=True, gap="small")
        with row:
            accept = st.form_submit_button(
                "Godkend som aftale", type="primary", icon=":material/check:"
            )
            dismiss = st.form_submit_button("Afvis", icon=":material/close:")
    if accept:
        _accept(meeting, p, who)
    elif dismiss:
        _dismiss(meeting, p)


@guarded
def _accept(meeting: Meeting, p: Proposal, who: str) -> None:
    due = p.due if p.due is None or p.due >= date.today() else None
    who_clean, what = validation.follow_up(who, p.what, due, date.today())
    what = validation.sentence_case(what)  # »Eva: At spørge …«, as a follow-up typed here reads
    storage().accept_proposal(meeting, p.id, who_clean, what, due)
    flash(f"Forslaget er nu en aftale: {literal(who_clean)} følger op.")
    st.rerun(scope="fragment")


@guarded
def _dismiss(meeting: Meeting, p: Proposal) -> None:
    storage().dismiss_proposal(meeting.team.id, meeting.id, p.id)
    flash("Forslaget er afvist og slettet.")
    st.rerun(scope="fragment")
