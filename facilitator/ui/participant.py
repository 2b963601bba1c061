"""A participant's page on their own phone (``?j=<join code>``).

It follows the meeting: the current step and its time, the case from step 2, the card's back
side only from step 4, as on the printed card. In step 3 (and 4) it takes anonymous thoughts
per reflection question, in step 5 a proposed follow-up. It holds nothing but the join code:
no team, no meeting id, no names – and no widget on it can change the step, the timer, the
notes or anything else of the meeting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import TypeVar

import streamlit as st

from facilitator import participation as pa
from facilitator import timer as tm
from facilitator import validation
from facilitator.cases import Case
from facilitator.exercise import STEPS
from facilitator.exports import literal
from facilitator.privacy import REMINDER
from facilitator.records import PhoneMeeting, StorageError
from facilitator.ui import address, card
from facilitator.ui import text as ui_text
from facilitator.ui.access import client_address
from facilitator.ui.common import GENERIC_ERROR, case_by_number, log_failure, storage
from facilitator.ui.meeting import TIMER_REFRESH_SECONDS, draw_timer, step_state

T = TypeVar("T")

_RENDERED = "_phone_rendered"  # the step this page was drawn for
_SENT = "_phone_sent"  # times of this page's own sends (the flood guard for one phone)
_MINE = "_phone_mine"  # this page's own thoughts, shown back to it only (never stored with it)
_MESSAGE = "_phone_message"  # (kind, text) shown under the form once
_UNSENT = "_phone_unsent"  # what a refused send held, shown if its field is gone (new step)
# (code, monotonic time, meeting) just read by this page, for its next read to reuse once: the
# fragment's read that saw a new step serves the page run it asks for, and that run's read
# serves the fragment drawn inside it – one query per step change instead of three.
_READ = "_phone_read"
# No older than the page is anyway between two of the fragment's reads.
READ_REUSE_SECONDS = TIMER_REFRESH_SECONDS
THOUGHT_KEY = "phone_thought"
QUESTION_KEY = "phone_question"
WHAT_KEY = "phone_what"
WHO_KEY = "phone_who"
DUE_KEY = "phone_due"


def rendered_view() -> str:
    """What the page shows, for the helper that scrolls to the top when it changes."""
    return "phone:" + ":".join(str(x) for x in st.session_state.get(_RENDERED, ()))


def _read(code: str) -> PhoneMeeting | None:
    """The meeting as this page last read it, if that was just now (and is used only once),
    else as the database has it."""
    kept = st.session_state.pop(_READ, None)
    if kept is not None:
        kept_code, at, meeting = kept
        if kept_code == code and 0 <= time.monotonic() - at < READ_REUSE_SECONDS:
            return meeting
    return storage().phone_meeting(code)


def _keep(code: str, meeting: PhoneMeeting) -> None:
    st.session_state[_READ] = (code, time.monotonic(), meeting)


def render(code: str) -> None:
    """Database trouble is left to the shell, which says so and redraws when it is back."""
    meeting = _read(code)
    if meeting is None:
        st.session_state.pop(_RENDERED, None)
        st.title("Deltag i teammødet")
        st.error(pa.JOIN_CLOSED, icon=":material/link_off:")
        return
    case = case_by_number(meeting.case_number)
    if case is None:
        st.error("Casen findes ikke længere.", icon=":material/error:")
        return
    st.session_state[_RENDERED] = step_state(meeting.timer)
    ui_text.show("<p class='bc-muted bc-meta'>Deltager i teammødet · du er anonym</p>")
    st.title(case.heading)
    _keep(code, meeting)
    _follow(code)
    view = pa.phone_view(meeting.timer)
    finished = meeting.timer.status == tm.FINISHED
    if finished:
        st.success(
            "Mødet er slut. Tak for i dag! Casen kan læses her en halv time endnu.",
            icon=":material/check_circle:",
        )
    elif not view.story:
        st.info(
            "Ordstyreren vælges nu. Casen kommer frem her, når mødet går videre til trin 2.",
            icon=":material/hourglass_top:",
        )
    # The form first, in the same place in steps 3 and 4: a step change never moves it.
    if view.thoughts:
        _thought_form(code, case)
    elif view.proposals:
        _proposal_form(code)
    if _MESSAGE in st.session_state:
        # The step moved on while this page sent: the field is gone, its text is not.
        _message(None)
    if view.back_side and not finished and meeting.timer.current == pa.KNOWLEDGE:
        st.subheader("Viden og inspiration")
        card.back(case)
        with st.expander("Casen og spørgsmålene"):
            card.front(case)
    elif view.back_side:
        with st.expander("Viden og inspiration (bagsiden)"):
            card.back(case)
        with st.expander("Casen og spørgsmålene"):
            card.front(case)
    elif view.story and view.thoughts:
        with st.expander("Casen og spørgsmålene", expanded=False):
            card.front(case)
    elif view.story:
        card.front(case)


@st.fragment(run_every=TIMER_REFRESH_SECONDS)
def _follow(code: str) -> None:
    """Redrawn every few seconds: the step and its time; a new step redraws the page."""
    try:
        meeting = _read(code)
    except StorageError as exc:
        st.caption(f"{literal(str(exc))} Siden prøver igen af sig selv.")
        return
    except Exception as exc:
        log_failure("participant page", exc)
        st.caption(GENERIC_ERROR)
        return
    if meeting is None or step_state(meeting.timer) != st.session_state.get(_RENDERED):
        if meeting is not None:
            _keep(code, meeting)
        st.rerun(scope="app")
    assert meeting is not None
    _step_line(meeting)
    draw_timer(meeting.timer, f"phone:{meeting.timer.current}", sound=False)


def _step_line(meeting: PhoneMeeting) -> None:
    state = meeting.timer
    if state.status == tm.FINISHED:
        marker, text = "done", "Mødet er slut"
    else:
        step = STEPS[state.current]
        marker, text = str(state.current), f"Trin {state.current + 1} af {len(STEPS)}: {step.short}"
    ui_text.show(
        f"<p class='bc-pstep' data-pstep='{ui_text.attr(marker)}'>"
        f"<strong>{ui_text.text(text)}</strong></p>"
    )


# --- Sending ---------------------------------------------------------------------------------


def _raise_if_waiting(now: float, kind: str) -> None:
    """This phone's own flood guard, from the times of its earlier sends."""
    wait = pa.phone_wait(st.session_state.get(_SENT, []), now)
    refused = pa.CLIENTS.refused(address.join_code() or "", client_address(), now, kind)
    if refused:
        raise validation.InputError(refused)
    if wait > 0:
        seconds = max(1, round(wait))
        raise validation.InputError(
            f"Vent {seconds} sekund{'er' if seconds != 1 else ''}, før du sender igen – "
            "teksten står stadig i feltet."
        )


def _send(form: str, field: str, attempt: Callable[[float], T], success: str) -> T | None:
    """Run ``attempt`` (check, then store) and answer under ``form``: a refused send keeps the
    text of ``field``, a stored one empties it and counts for this phone's flood guard."""
    now = time.time()
    st.session_state[_UNSENT] = st.session_state.get(field) or ""
    try:
        result = attempt(now)
    except (validation.InputError, StorageError) as exc:
        st.session_state[_MESSAGE] = ("error", str(exc), form)
        return None
    except Exception as exc:
        log_failure(f"sending a {form}", exc)
        st.session_state[_MESSAGE] = ("error", GENERIC_ERROR, form)
        return None
    sent = [t for t in st.session_state.get(_SENT, []) if now - t < 60]
    st.session_state[_SENT] = [*sent, now]
    pa.CLIENTS.spend(address.join_code() or "", client_address(), now, form)
    st.session_state.pop(_UNSENT, None)
    st.session_state[field] = ""
    st.session_state[_MESSAGE] = ("success", success, form)
    return result


def _send_thought(code: str, questions: int) -> None:
    def attempt(now: float) -> tuple[int, str]:
        question = st.session_state.get(QUESTION_KEY)
        if not isinstance(question, int) or not 0 <= question < questions:
            raise validation.InputError("Vælg et spørgsmål.")
        text = validation.thought(st.session_state.get(THOUGHT_KEY), pa.MAX_THOUGHT)
        _raise_if_waiting(now, "thought")
        storage().add_thought(code, question, text, now)
        return question, text

    mine = _send("thought", THOUGHT_KEY, attempt, "Sendt anonymt. Tak! Du kan sende flere.")
    if mine is not None:
        st.session_state.setdefault(_MINE, []).append(mine)


def _send_proposal(code: str) -> None:
    def attempt(now: float) -> bool:
        due = st.session_state.get(DUE_KEY)
        who, what = validation.proposal(
            st.session_state.get(WHO_KEY),
            st.session_state.get(WHAT_KEY),
            due,
            date.today(),
            pa.MAX_PROPOSAL,
        )
        _raise_if_waiting(now, "proposal")
        storage().add_proposal(code, who, what, due, now)
        return True

    done = _send(
        "proposal",
        WHAT_KEY,
        attempt,
        "Forslaget er sendt til ordstyreren, som godkender eller afviser det.",
    )
    if done:
        st.session_state[DUE_KEY] = None


def _message(form: str | None) -> None:
    """The last send's answer, once, under the form it came from (``form``). A refused text is
    still in its field – or, when the step moved on and took the form away (``form`` None),
    shown here to copy."""
    kind, text, sent_from = st.session_state.get(_MESSAGE, (None, "", None))
    if form is not None and sent_from != form:
        return
    st.session_state.pop(_MESSAGE, None)
    field_shown = form is not None
    unsent = st.session_state.pop(_UNSENT, "")
    if kind == "success":
        st.success(literal(text), icon=":material/check_circle:")
    elif kind == "error":
        st.error(literal(text), icon=":material/error:")  # may quote what was typed
        if unsent and not field_shown:
            st.caption("Det, du skrev, og som ikke blev sendt:")
            st.text(unsent)


def _thought_form(code: str, case: Case) -> None:
    """Not a form: the chosen question's text shows at once, and it all fits a phone's first
    screen with the button."""
    st.subheader("Del en tanke – anonymt")
    numbers = list(range(len(case.questions)))
    if st.session_state.get(QUESTION_KEY) not in numbers:
        st.session_state[QUESTION_KEY] = 0
    question = st.radio(
        "Til spørgsmål",
        options=numbers,
        format_func=lambda i: f"Spørgsmål {i + 1}",
        key=QUESTION_KEY,
        horizontal=True,
    )
    ui_text.show(f"<p class='bc-question'>{ui_text.text(case.questions[question or 0])}</p>")
    st.text_area(
        "Din tanke (uden navn)",
        key=THOUGHT_KEY,
        max_chars=pa.MAX_THOUGHT,
        height=100,
        placeholder="Kort og om casen – ingen navne eller personoplysninger.",
    )
    st.button(
        "Send anonymt",
        type="primary",
        icon=":material/send:",
        on_click=_send_thought,
        args=(code, len(case.questions)),
        width="stretch",
    )
    _message("thought")
    st.caption("Ordstyreren ser tanken uden navn og kan vise den for alle. " + REMINDER)
    mine = st.session_state.get(_MINE, [])
    if mine:
        with st.expander(f"Det, du har sendt ({len(mine)}) – kun synligt her"):
            for number, text in mine:
                st.caption(f"Spørgsmål {number + 1}")
                st.text(text)


def _proposal_form(code: str) -> None:
    st.subheader("Foreslå en opfølgning")
    with st.form("bc_phone_proposal", border=False, enter_to_submit=False):
        st.text_area(
            "Jeg følger op på …",
            key=WHAT_KEY,
            max_chars=pa.MAX_PROPOSAL,
            height=100,
        )
        st.text_input("Mit navn (frivilligt)", key=WHO_KEY, max_chars=validation.MAX_NAME)
        st.date_input(
            "Frist (frivillig)",
            key=DUE_KEY,
            value=None,
            min_value=date.today(),
            format="DD.MM.YYYY",
        )
        st.form_submit_button(
            "Send forslag",
            type="primary",
            icon=":material/send:",
            on_click=_send_proposal,
            args=(code,),
            width="stretch",
        )
    _message("proposal")
    st.caption("Ordstyreren ser forslaget og godkender eller afviser det. " + REMINDER)
