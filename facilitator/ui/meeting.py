"""The meeting: five steps, the timer, notes and follow-ups. Everything is saved as entered."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from facilitator import timer as tm
from facilitator import validation
from facilitator.cases import Case
from facilitator.exercise import STEPS
from facilitator.exports import literal, md_escape
from facilitator.notes import NoteField
from facilitator.privacy import REMINDER
from facilitator.records import FollowUp, Meeting, Note, NoteConflict, StorageError, Thought
from facilitator.rotation import next_in_rotation, random_moderator
from facilitator.ui import access, address, card, exports_view, phones
from facilitator.ui import text as ui_text
from facilitator.ui import timer_text as tt
from facilitator.ui.common import (
    GENERIC_ERROR,
    case_by_number,
    guarded,
    log_failure,
    show_flashes,
    site_url,
    storage,
)
from facilitator.ui.follow_ups import follow_up_form, follow_up_list, open_or_just_done

GENERAL = "general"


def question_key(index: int) -> str:
    return f"q{index}"


def render(meeting: Meeting) -> None:
    case = case_by_number(meeting.case_number)
    if case is None:
        st.error(f"Case {meeting.case_number:d} findes ikke længere i docs/cases/.")
        return
    st.session_state["rendered_timer"] = page_state(meeting)
    _state(_FIELDS).pop(meeting.id, None)  # only the note fields on this page are watched
    phones.forget_drawn(meeting.id)  # and the phones' lists only if this page draws them
    st.session_state.pop(_FOLLOW_UPS_DRAWN.format(meeting.id), None)  # and its follow-ups
    ui_text.show(
        f"<p class='bc-muted bc-meta'>{ui_text.text(meeting.team.name)} · "
        f"{meeting.meeting_date.strftime('%d.%m.%Y')}</p>"
    )
    st.title(case.heading)
    show_flashes()
    main, side_column = st.columns([2.3, 1], gap="large")
    # The timer, the step buttons and the steps stay in view while the notes scroll (sticky).
    with side_column, st.container(key="bc_side"):
        timer_panel(meeting.id)
        _step_list(meeting)
        if meeting.timer.status != tm.FINISHED:
            with st.popover("Deltag fra telefonen", icon=":material/smartphone:"):
                phones.join_block(meeting, key="side")
    with main:
        step = STEPS[meeting.timer.current] if meeting.timer.status != tm.FINISHED else None
        if step is None:
            _finished(meeting, case)
            return
        st.header(f"Trin {meeting.timer.current + 1}: {step.text}")
        {
            "moderator": _step_moderator,
            "read": _step_read,
            "discuss": _step_discuss,
            "knowledge": _step_knowledge,
            "follow_up": _step_follow_up,
        }[step.key](meeting, case)


def _step_list(meeting: Meeting) -> None:
    items = []
    finished = meeting.timer.status == tm.FINISHED
    for i, step in enumerate(STEPS):
        current = i == meeting.timer.current and not finished
        cls = "bc-done" if (i < meeting.timer.current or finished) else ""
        aria = ' aria-current="step"' if current else ""
        items.append(f'<li class="{cls}"{aria}>{i + 1}. {ui_text.text(step.short)}</li>')
    ui_text.show(f'<ol class="bc-steps" aria-label="Øvelsens fem trin">{"".join(items)}</ol>')


# --- The timer -----------------------------------------------------------------------------


def _change_timer(team_id: int, meeting_id: str, action: str, seen: int) -> None:
    """Apply a timer button's action. ``seen`` is the step the button was drawn on: a click
    that reaches the server after the step changed (a double click, another screen) is
    ignored rather than applied to the new step – »Næste trin« twice never ends the meeting."""
    now = time.time()
    changes: dict[str, Callable[[tm.TimerState], tm.TimerState]] = {
        "start": lambda s: tm.start(s, now),
        "pause": lambda s: tm.pause(s, now),
        "resume": lambda s: tm.resume(s, now),
        "next": lambda s: tm.next_step(s, now),
        "back": lambda s: tm.previous_step(s, now),
        "finish": lambda s: tm.finish(s, now),
        "reopen": lambda s: tm.reopen(s, now),
    }

    def change(state: tm.TimerState) -> tm.TimerState:
        if state.current != seen and action in ("next", "back", "finish"):
            return state
        return changes[action](state)

    changed = guarded(storage().update_timer)(team_id, meeting_id, change)
    if changed is not None and action not in ("pause", "resume"):
        # The page shows another step: the panel's rerun goes straight on to the page.
        st.session_state[_MOVED] = meeting_id
    if changed is not None and action == "back" and changed.timer.current != seen:
        # The step gets a new share of the time left (timer.go_to): the panel says so.
        st.session_state[_REVISIT] = (meeting_id, changed.timer.current)
    elif changed is not None and action in ("next", "finish"):
        st.session_state.pop(_REVISIT, None)


_MOVED = "_timer_moved"  # set by a click that changes what the page shows
_REVISIT = "_timer_revisit"  # (meeting id, step) this screen went back to


# The countdown ticks in the browser every second from the stored timestamps (see
# common._HELPER_JS); the server redraws the panel only this often, to pick up changes made on
# another device and the rebalanced plan. A running meeting costs the server one small rerun
# every few seconds instead of one every second. Four seconds: a second screen follows a step
# change within five, counting the redraw itself.
TIMER_REFRESH_SECONDS = 4.0


@st.fragment(run_every=TIMER_REFRESH_SECONDS)
def timer_panel(meeting_id: str) -> None:
    """Redrawn on its own every few seconds; the rest of the page is not rerun.

    Also the meeting's heartbeat: it notices a step or a note changed on another screen, and
    saves notes that could not be saved during a database outage once the database is back –
    and that this session's access to the team has ended (new code, »Glem denne computer« in
    any tab, »Skift team«, expiry, deletion, a removed member): then the page closes.
    """
    if st.session_state.pop(_MOVED, None) == meeting_id:
        st.rerun(scope="app")  # before any query: a step change costs one page run, no more
    last: Meeting | None = st.session_state.get(f"_last_meeting_{meeting_id}")
    try:
        meeting = storage().get_meeting(meeting_id)
        if meeting is not None and not access.still_open(meeting.team.id):
            st.rerun(scope="app")  # the access has ended: the page asks for the code again
        if meeting is not None:
            _retry_pending_notes(meeting)
            _pick_up_notes(meeting)
            if phones.changed_since_drawn(meeting.id):
                st.rerun(scope="app")  # a phone sent something: show it
            if _follow_ups_changed(meeting):
                st.rerun(scope="app")  # another screen saved, ticked or deleted a follow-up
    except StorageError as exc:
        # Database trouble: say so, keep the clock running from what was last known, and
        # disable the buttons until the database answers again (next redraw).
        st.error(literal(str(exc)), icon=":material/error:")
        if last is not None:
            _draw_timer(last)
            _timer_buttons(last, disabled=True)
        return
    except Exception as exc:
        log_failure("timer panel", exc)
        st.error(GENERIC_ERROR, icon=":material/error:")
        return
    if meeting is None:
        # Deleted on another screen: the whole page says so once (not beside »Mødet er slut«).
        st.rerun(scope="app")
    st.session_state[f"_last_meeting_{meeting_id}"] = meeting
    if page_state(meeting) != st.session_state.get("rendered_timer"):
        # Another screen moved the meeting on, finished or reopened it: redraw the page once.
        st.rerun(scope="app")
    _draw_timer(meeting)
    _timer_buttons(meeting)


def page_state(meeting: Meeting) -> tuple[int, bool, bool]:
    """What the meeting page depends on beyond the timer panel: the step, and whether the
    meeting has started or finished (pause and resume change only the panel). A change redraws
    the page, and (shell._view) brings it to its top."""
    return step_state(meeting.timer)


def step_state(state: tm.TimerState) -> tuple[int, bool, bool]:
    return state.current, state.status == tm.NOT_STARTED, state.status == tm.FINISHED


def _draw_timer(meeting: Meeting) -> None:
    revisit = st.session_state.get(_REVISIT) == (meeting.id, meeting.timer.current)
    draw_timer(
        meeting.timer,
        f"{meeting.id}:{meeting.timer.current}",
        st.session_state.get("sound", True),
        revisit=revisit and meeting.timer.status != tm.FINISHED,
    )


def draw_timer(state: tm.TimerState, key: str, sound: bool, revisit: bool = False) -> None:
    """The panel, worded by timer_text – the same templates the browser's countdown fills.
    ``key`` names the step for the browser's one end-of-step signal (and never leaks an id
    where it is drawn)."""
    now = time.time()
    v = tm.view(state, now)

    if state.status == tm.FINISHED:
        ui_text.show(
            "<div class='bc-timer'><div class='bc-timer__label'>"
            f"{ui_text.text(tt.finished_label())}</div><div class='bc-timer__total'>"
            f"{ui_text.text(tt.used_line(v.total_elapsed, state.total))}</div>"
            "</div>"
        )
        return

    step = STEPS[v.current]
    if tm.never_run(state):
        cls, label = "bc-paused", tt.fill("not_started")
    elif state.status == tm.PAUSED:
        # A pause shows as a pause, also while the step is over its time (grey, not red).
        cls = "bc-paused bc-paused-over" if v.is_overrun else "bc-paused"
        label = tt.paused_label(step.short, overrun=v.is_overrun)
    elif v.is_overrun:
        cls, label = "bc-overrun", tt.step_label(step.short, overrun=True)
    else:
        cls, label = "", tt.step_label(step.short, overrun=False)
    rebalance = ""
    rest = range(v.current + 1, len(STEPS))
    if not tm.never_run(state) and v.later:
        # The steps after this one share the time left, with the same numbers as above, so
        # they always add up; the browser recomputes them each second while the step overruns.
        line = tt.later_line(
            [(STEPS[i].short, t) for i, t in zip(rest, v.later, strict=True)],
            [state.plan[i] for i in rest],
        )
        weights = json.dumps([[STEPS[i].short, state.plan[i]] for i in rest], ensure_ascii=False)
        rebalance = (
            f"<div class='bc-timer__note' data-later='{ui_text.attr(weights)}'>"
            f"{ui_text.text(line)}</div>"
        )
    live = (
        f" data-live='1' data-status='{ui_text.attr(state.status)}' data-rendered='{now:.3f}'"
        f" data-step-remaining='{v.step_remaining:.3f}'"
        f" data-total-remaining='{v.total_remaining:.3f}' data-total='{state.total:d}'"
        f" data-short='{ui_text.attr(step.short)}'"
        f" data-key='{ui_text.attr(key)}' data-sound='{1 if sound else 0}'"
    )
    again = (
        f"<div class='bc-timer__again'>{ui_text.text(tt.fill('revisit', short=step.short))}</div>"
        if revisit
        else ""
    )
    ui_text.show(
        f"<div class='bc-timer {cls}' role='timer' aria-live='off'{live}>"
        f"<div class='bc-timer__label'>{ui_text.text(label)}</div>"
        f"<div class='bc-timer__big'>{ui_text.text(tt.big(v.step_remaining))}</div>"
        "<div class='bc-timer__total'>"
        f"{ui_text.text(tt.total_line(v.total_remaining, state.total))}"
        f"</div>{again}{rebalance}</div>"
    )


def _timer_buttons(meeting: Meeting, disabled: bool = False) -> None:
    """In the timer's fragment, so they are disabled while the database is away (a click
    would otherwise rerun the whole page, which cannot be drawn then, and take the unsaved
    text in the note fields with it).

    On the last step »Afslut mødet« comes first, above the place »Næste trin« had a moment
    before (the panel is never taller on the last step), so a hasty second click lands on
    »Pause« or »Forrige trin«, never on the end of the meeting; and every step button names
    the step it was pressed on, so a click that arrives after the step changed does nothing.
    """
    state = meeting.timer
    seen = state.current

    def button(
        label: str,
        action: str,
        icon: str,
        kind: str = "secondary",
        help: str | None = None,
        off: bool = False,
    ) -> None:
        st.button(
            label,
            key=f"t_{action}",
            type=kind,  # type: ignore[arg-type]
            icon=icon,
            help=help,
            on_click=_change_timer,
            args=(meeting.team.id, meeting.id, action, seen),
            width="stretch",
            disabled=disabled or off,
        )

    if state.status == tm.FINISHED:
        button(
            "Genåbn mødet",
            "reopen",
            ":material/undo:",
            help="Tilbage til trin 5, hvor aftalerne kan rettes og suppleres.",
        )
        return
    last = state.current == len(STEPS) - 1
    if last:
        button(
            "Afslut mødet",
            "finish",
            ":material/done_all:",
            "primary",
            help="Mødet kan genåbnes bagefter.",
        )
    if tm.never_run(state):
        label, action, kind, icon = "Start uret", "start", "primary", ":material/play_arrow:"
    elif state.status == tm.RUNNING:
        label, action, kind, icon = "Pause", "pause", "secondary", ":material/pause:"
    else:
        label, action, kind, icon = "Fortsæt", "resume", "primary", ":material/play_arrow:"
    button(label, action, icon, "secondary" if last else kind)
    if not last:
        next_kind = "secondary" if tm.never_run(state) else "primary"
        button("Næste trin", "next", ":material/skip_next:", next_kind)
    button("Forrige trin", "back", ":material/skip_previous:", off=state.current == 0)
    if not disabled:
        # The keyboard's way (helper.js), said where the buttons are.
        st.caption("Tryk N for næste trin, F for forrige – når du ikke skriver i et felt.")


# --- Notes ---------------------------------------------------------------------------------
#
# Each field remembers the stored note it is based on (facilitator.notes.NoteField). A save
# names that revision: if another screen saved the note in between, nothing is overwritten – the
# field keeps this screen's text and shows the other screen's text with a choice. A field nobody
# is typing in takes over the other screen's note on the next heartbeat (the timer's redraw).

_NOTES = "note_fields_state"  # widget key -> NoteField
_FIELDS = "note_fields"  # meeting id -> {note key: (widget key, label)}
_PENDING = "note_pending"  # widget keys whose save failed for database trouble


def _state(name: str) -> dict[str, Any]:
    state: dict[str, Any] = st.session_state.setdefault(name, {})
    return state


def _field(widget_key: str) -> NoteField | None:
    field: NoteField | None = _state(_NOTES).get(widget_key)
    return field


def _dirty(widget_key: str) -> bool:
    field = _field(widget_key)
    typed = validation.clean_text(st.session_state.get(widget_key, ""))
    return field is None or typed != field.base.text


def _mark_saved(widget_key: str, text: str) -> None:
    st.session_state.setdefault("note_saved", {})[widget_key] = (
        f"{time.strftime('%H:%M:%S')} · {len(text)} tegn"
    )


def _save_note(team_id: int, meeting_id: str, note_key: str, widget_key: str, label: str) -> None:
    text = st.session_state.get(widget_key, "")
    errors = st.session_state.setdefault("note_errors", {})
    field = _field(widget_key) or NoteField(Note("", 0))
    try:
        clean = validation.note(text)  # shown under its field: no need to repeat the question
        revision = storage().save_note(
            team_id, meeting_id, note_key, clean, field.revision_for(clean)
        )
    except validation.InputError as exc:
        errors[widget_key] = str(exc)
        return
    except NoteConflict as exc:
        errors.pop(widget_key, None)
        _state(_NOTES)[widget_key] = field.refused(clean, exc.current)
        _state(_PENDING).pop(widget_key, None)
        return
    except StorageError as exc:  # keep the text in the field, say so, try again later
        errors[widget_key] = str(exc)
        _state(_PENDING)[widget_key] = (team_id, meeting_id, note_key, label)
        return
    except Exception as exc:
        log_failure("saving a note", exc)
        errors[widget_key] = "Noten kunne ikke gemmes. Prøv igen – teksten står stadig i feltet."
        return
    _state(_NOTES)[widget_key] = field.saved(clean, revision)
    _state(_PENDING).pop(widget_key, None)
    errors.pop(widget_key, None)
    _mark_saved(widget_key, clean)


def _retry_pending_notes(meeting: Meeting) -> None:
    """Notes that failed to save during an outage are saved when the database is back."""
    pending = _state(_PENDING)
    mine = [(k, v) for k, v in pending.items() if v[1] == meeting.id]
    if not mine:
        return
    for widget_key, (team_id, meeting_id, note_key, label) in mine:
        _save_note(team_id, meeting_id, note_key, widget_key, label)
    if not any(k in pending for k, _ in mine):
        st.rerun(scope="app")  # show »Gemt« in the notes


def _pick_up_notes(meeting: Meeting) -> None:
    """A note saved on another screen: redraw this page, where idle fields take it over."""
    fields = _state(_FIELDS).get(meeting.id)
    if not fields:
        return
    revisions = storage().note_revisions(meeting.id)
    for note_key, (widget_key, _label) in fields.items():
        field = _field(widget_key)
        if field is None or field.conflict is not None:
            continue
        if revisions.get(note_key, 0) != field.base.revision:
            st.rerun(scope="app")


def _resolve(
    team_id: int, meeting_id: str, note_key: str, widget_key: str, label: str, how: str
) -> None:
    field = _field(widget_key)
    if field is None or field.conflict is None:
        return
    mine = validation.clean_text(st.session_state.get(widget_key, ""))
    shown, chosen = field.choose(mine, how)
    st.session_state[widget_key] = shown
    _state(_NOTES)[widget_key] = chosen
    st.session_state.get("note_errors", {}).pop(widget_key, None)
    if how == "theirs":
        _mark_saved(widget_key, shown)  # the field shows what is stored
        return
    _save_note(team_id, meeting_id, note_key, widget_key, label)
    after = _field(widget_key)
    if after is not None and after.conflict is None:
        # The server replaced the field's text. A save of the old text still on its way from
        # the browser (the autosave fired just before the click) must not overwrite it.
        _state(_NOTES)[widget_key] = after.after_choice(mine, shown)


def _note_field(
    meeting: Meeting,
    note_key: str,
    label: str,
    stored: dict[str, Note] | None,
    height: int = 110,
) -> None:
    """A note field. ``stored`` is None when the notes could not be read (database trouble):
    the field then keeps what is on the screen."""
    widget_key = f"note_{meeting.id}_{note_key}"
    fields = _state(_NOTES)
    _state(_FIELDS).setdefault(meeting.id, {})[note_key] = (widget_key, label)
    current = stored.get(note_key, Note("", 0)) if stored is not None else None
    if widget_key not in st.session_state:
        st.session_state[widget_key] = current.text if current else ""
        if current is not None:
            fields[widget_key] = NoteField(current)
    elif current is not None:
        field = _field(widget_key)
        if field is None:
            fields[widget_key] = NoteField(current)
        elif (
            current.revision != field.base.revision
            and field.conflict is None
            and not _dirty(widget_key)
        ):
            fields[widget_key] = field.taken_over(current)
            st.session_state[widget_key] = current.text  # saved on another screen
            if current.text:
                _mark_saved(widget_key, current.text)  # it is stored: say so
            else:
                st.session_state.get("note_saved", {}).pop(widget_key, None)
    args = (meeting.team.id, meeting.id, note_key, widget_key, label)
    st.text_area(
        label,
        # The field's default is what the server holds for it, not "". A browser that draws
        # the field before it applies the server's value (a reload, or a first run cut short
        # by a rerun) would otherwise report "" with its next message: an empty save over
        # the stored note. (Keyed text areas keep their identity when the default changes.)
        value=st.session_state[widget_key],
        key=widget_key,
        height=height,
        max_chars=validation.MAX_NOTE,
        on_change=_save_note,
        args=args,
        placeholder="Skriv teamets pointer – ingen personoplysninger.",
    )
    field = _field(widget_key)
    conflict = field.conflict if field is not None else None
    error = st.session_state.get("note_errors", {}).get(widget_key)
    if conflict is not None:
        st.warning(
            "Noten er ændret på en anden skærm, mens du skrev. Din tekst står i feltet og er "
            "ikke gemt endnu. Den anden skærms tekst:",
            icon=":material/sync_problem:",
        )
        st.text(conflict.text or "(tom)")
        # A row that wraps: the whole label is always readable, also at 1366 px with the
        # timer column beside the notes.
        row = st.container(horizontal=True, gap="small")
        for how, text, icon in (
            ("merge", "Sæt teksterne sammen", ":material/merge:"),
            ("mine", "Gem min tekst i stedet", ":material/save:"),
            ("theirs", "Brug den anden skærms tekst", ":material/undo:"),
        ):
            row.button(
                text,
                key=f"{widget_key}_{how}",
                icon=icon,
                on_click=_resolve,
                args=(*args, how),
                width="content",
            )
    elif error:
        st.error(literal(error), icon=":material/error:")  # may quote what was typed
    elif widget_key in st.session_state.get("note_saved", {}):
        st.caption(f"Gemt kl. {literal(st.session_state['note_saved'][widget_key])}")


def _stored_notes(meeting: Meeting) -> dict[str, Note] | None:
    try:
        return storage().note_entries(meeting.id)
    except StorageError as exc:
        st.error(
            f"{literal(str(exc))} Det, der står i felterne, bliver gemt, "
            "når databasen svarer igen.",
            icon=":material/error:",
        )
        return None


# --- The five steps ------------------------------------------------------------------------


def _step_moderator(meeting: Meeting, case: Case) -> None:
    left, right = st.columns([3, 1])
    with right:
        phones.join_block(meeting, key="moderator", width=260 if address.is_projector() else 180)
    with left:
        _choose_moderator(meeting)


def _choose_moderator(meeting: Meeting) -> None:
    st.write("Ordstyreren styrer tiden og leder den fælles diskussion.")
    people = list(meeting.participants)
    if meeting.moderator:
        st.success(
            f"Ordstyrer: **{literal(meeting.moderator)}**", icon=":material/record_voice_over:"
        )
    if not people:
        st.write("Der er ingen deltagere på listen. Skriv ordstyrerens navn:")
        name = st.text_input(
            "Ordstyrer", value=meeting.moderator or "", max_chars=validation.MAX_NAME
        )
        if st.button("Gem ordstyrer", icon=":material/save:"):
            _set_moderator(meeting.team.id, meeting.id, name)
        return
    rotation = next_in_rotation(people, storage().last_moderated(meeting.team.id))
    # A row that wraps: long names stay readable at 1366 px beside the timer.
    row = st.container(horizontal=True, gap="small")
    row.button(
        f"Næste i rotationen: {literal(rotation or '')}",
        icon=":material/autorenew:",
        on_click=guarded(_set_moderator_cb),
        args=(meeting.team.id, meeting.id, rotation),
        help="Den, der længst har ventet på at være ordstyrer.",
        width="content",
    )
    row.button(
        "Vælg tilfældigt",
        icon=":material/casino:",
        on_click=guarded(_set_moderator_cb),
        args=(meeting.team.id, meeting.id, random_moderator(people)),
        width="content",
    )
    choice = st.selectbox(
        "Eller vælg selv",
        options=[None, *people],
        index=(people.index(meeting.moderator) + 1) if meeting.moderator in people else 0,
        format_func=lambda p: "–" if p is None else p,
    )
    if choice and choice != meeting.moderator:
        _set_moderator(meeting.team.id, meeting.id, choice)


def _set_moderator_cb(team_id: int, meeting_id: str, name: str | None) -> None:
    storage().set_moderator(team_id, meeting_id, name)


@guarded
def _set_moderator(team_id: int, meeting_id: str, name: str) -> None:
    clean = validation.participants(name)
    if len(clean) != 1:
        raise validation.InputError("Skriv ét navn.")
    storage().set_moderator(team_id, meeting_id, clean[0])
    st.rerun()


def _case_link(case: Case) -> str:
    return site_url() + case.site_path


def _step_read(meeting: Meeting, case: Case) -> None:
    st.caption(f"Læsetid: {case.reading_time} min.")
    left, right = st.columns([3, 1])
    with left:
        card.front(case)
    with right:
        # Everyone reads the case on their own phone, following the meeting.
        phones.join_block(meeting, key="read", width=260 if address.is_projector() else 180)
        st.link_button("Åbn casen på sitet", _case_link(case), icon=":material/open_in_new:")


def _step_discuss(meeting: Meeting, case: Case) -> None:
    st.write("Ordstyreren leder en fælles diskussion. Skriv teamets pointer ved hvert spørgsmål.")
    st.caption(REMINDER)
    _discussion_notes(meeting, case)


# Saving a note reruns only its fragment, not the whole page: cheap for the server when many
# meetings type at once, and nothing else on the screen flickers.
@st.fragment
def _discussion_notes(meeting: Meeting, case: Case) -> None:
    stored = _stored_notes(meeting)
    thoughts = _phone_thoughts(meeting)
    for i, question in enumerate(case.questions):
        _note_field(meeting, question_key(i), f"{i + 1:d}. {question}", stored)
        if thoughts is not None and thoughts.get(i):
            phones.thought_list(
                meeting, i, thoughts[i], address.is_projector(), note_key=question_key(i)
            )
    _note_field(meeting, GENERAL, "Generelle noter", stored, height=140)


def _phone_thoughts(meeting: Meeting) -> dict[int, list[Thought]] | None:
    """The thoughts the phones sent, per question (None: could not be read now)."""
    try:
        phones.remember_drawn(meeting.id)
        return phones.thoughts_by_question(meeting)
    except StorageError as exc:
        st.error(literal(str(exc)), icon=":material/error:")
        return None


@st.fragment
def _general_note(meeting: Meeting) -> None:
    stored = _stored_notes(meeting)
    _note_field(meeting, GENERAL, "Generelle noter", stored, height=120)


def _step_knowledge(meeting: Meeting, case: Case) -> None:
    st.write("Bagsiden af casen: viden, gode råd og links til at arbejde videre med.")
    card.back(case)
    _general_note(meeting)
    _later_thoughts(meeting, case.questions)


@st.fragment
def _later_thoughts(meeting: Meeting, questions: tuple[str, ...]) -> None:
    """Thoughts still arrive in step 4; each can go into its question's note."""
    thoughts = _phone_thoughts(meeting)
    if not thoughts:
        return
    st.subheader("Tanker fra telefonerne")
    for i, question in enumerate(questions):
        if thoughts.get(i):
            st.markdown(f"**{i + 1}. {md_escape(question)}**")
            phones.thought_list(
                meeting, i, thoughts[i], address.is_projector(), note_key=question_key(i)
            )


def _step_follow_up(meeting: Meeting, case: Case) -> None:
    st.write("Aftal, hvem der følger op på hvad indtil næste møde.")
    _follow_ups(meeting)
    _earlier_follow_ups(meeting)


@st.fragment
def _earlier_follow_ups(meeting: Meeting) -> None:
    """Open follow-ups from the team's earlier meetings, reviewed here and ticked off."""
    try:
        items = [f for f in open_or_just_done(meeting.team.id) if f.meeting_id != meeting.id]
    except StorageError as exc:
        st.error(literal(str(exc)), icon=":material/error:")
        return
    open_count = sum(1 for f in items if not f.done)
    st.subheader(f"Åbne aftaler fra tidligere møder ({open_count})")
    if not items:
        st.write("Teamet har ingen åbne aftaler fra tidligere møder.")
        return
    st.write("Sæt flueben ved dem, der er udført. Et flueben kan fjernes igen her.")
    follow_up_list(meeting.team.id, items, key_prefix="earlier")


_FOLLOW_UPS_DRAWN = "_follow_ups_drawn_{}"


def _follow_up_signature(items: list[FollowUp]) -> tuple[tuple[object, ...], ...]:
    return tuple((f.id, f.done, f.who, f.what, f.due, f.case_number) for f in items)


def _follow_ups_changed(meeting: Meeting) -> bool:
    """For the heartbeat: did the meeting's follow-ups change since this screen drew them at the
    step it still shows? Another screen (or app process) saved one, ticked or deleted it."""
    drawn = st.session_state.get(_FOLLOW_UPS_DRAWN.format(meeting.id))
    if drawn is None or drawn[0] != page_state(meeting):
        return False
    items = storage().follow_ups(meeting.team.id, meeting_id=meeting.id)
    return _follow_up_signature(items) != drawn[1]


@st.fragment
def _follow_ups(meeting: Meeting) -> None:
    """The meeting's follow-ups and the form: saving one reruns only this part."""
    show_flashes()
    try:
        items = storage().follow_ups(meeting.team.id, meeting_id=meeting.id)
    except StorageError as exc:  # the form stays, with what was typed in it
        st.error(literal(str(exc)), icon=":material/error:")
    else:
        # What this screen drew, for the heartbeat (another screen's follow-up redraws it).
        drawn = (page_state(meeting), _follow_up_signature(items))
        st.session_state[_FOLLOW_UPS_DRAWN.format(meeting.id)] = drawn
        st.subheader(f"Aftaler fra dette møde ({len(items)})")
        if items:
            follow_up_list(meeting.team.id, items, key_prefix="meeting", allow_delete=True)
        else:
            st.write("Ingen aftaler endnu.")
    try:
        phones.remember_drawn(meeting.id)
        phones.proposal_list(meeting)
    except StorageError as exc:
        st.error(literal(str(exc)), icon=":material/error:")
    follow_up_form(meeting)


def _finished(meeting: Meeting, case: Case) -> None:
    st.header("Mødet er slut")
    # The downloads and their instructions: on screen only, never on paper (base.css).
    with st.container(key="bc_finished_exports"):
        st.write(
            "Hent referatet og aftalerne. Mangler der en aftale, så tryk »Genåbn mødet« – mødet "
            "går tilbage til trin 5."
        )
        exports_view.render(meeting, case)
    items = storage().follow_ups(meeting.team.id, meeting_id=meeting.id)
    st.subheader(f"Aftaler fra mødet ({len(items)})")
    if items:
        follow_up_list(meeting.team.id, items, key_prefix="final", allow_delete=False)
    else:
        st.write("Ingen aftaler.")
    exports_view.render_summary(meeting, case)
