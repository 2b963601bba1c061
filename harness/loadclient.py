"""A facilitator's actions on the meeting page, through the browser-free client (stclient).

What a facilitator's browser sends, and what it waits for before it counts as done:

* **a note** (``commit_note``): the meeting page's note fields are ``st.text_area(…,
  on_change=_save_note)`` inside the fragment ``_discussion_notes`` (facilitator/ui/meeting.py).
  The browser commits a field – on blur, or through the page helper's autosave while typing –
  as one ``rerun_script`` with the field's whole new text in ``widget_states`` and the
  fragment's ``fragment_id``; the client sends exactly that, and from then on carries the new
  text with every rerun, as the browser does. Acknowledged when the caption under the field
  reads »Gemt kl. HH:MM:SS · N tegn« with N the length of the saved (cleaned) text – the
  per-note acknowledgement the user sees, drawn by ``_note_field`` after ``_save_note`` stored
  the text; the text grows with each commit, so an old caption never counts.
* **»Næste trin«** (``next_step``): a button inside the ``timer_panel`` fragment; the click is
  its ``trigger_value`` with that fragment's id (``StreamlitClient.click``). Acknowledged when
  the page's heading shows the next step (the callback stores the step, the fragment's run
  turns into a full page run).
* **a follow-up** (``add_follow_up``): the form in the fragment ``_follow_ups``
  (facilitator/ui/follow_ups.py) – its text field »Hvad skal der følges op på?« and the submit
  button »Gem aftalen«, sent together (the form's other fields at their defaults: the first
  participant, the next meeting's date, the meeting's case). Acknowledged when the new
  follow-up is listed among the meeting's follow-ups (a checkbox »…: <text> – frist …«), as
  scripts/load.py waits for in Chromium.
* **the timer panel** (``timer``): the ``.bc-timer`` markdown with its ``data-*`` attributes.

Every action returns the seconds from sending to the frame that acknowledged it.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass
from typing import Any

from streamlit.proto.WidgetStates_pb2 import WidgetState

from facilitator.validation import clean_text
from harness.stclient import Node, StreamlitClient

SAVED_PREFIX = "Gemt kl. "
FOLLOW_UP_FIELD = "Hvad skal der følges op på?"
FOLLOW_UP_BUTTON = "Gem aftalen"
NEXT_STEP = "Næste trin"
_STEP_HEADING = re.compile(r"^Trin (\d+):")
_ESCAPE = re.compile(r"\\(.)")
_ATTR = re.compile(r"data-([\w-]+)='([^']*)'")


def plain(label: str) -> str:
    """A label written with ``exports.literal`` as the user reads it (escapes and word
    joiners dropped)."""
    return _ESCAPE.sub(r"\1", label).replace("\u2060", "")


@dataclass
class TimerReading:
    """What the timer panel showed when it was last drawn."""

    status: str
    short: str  # the step's short name
    step_remaining: float  # seconds, as of ``rendered``
    total_remaining: float
    rendered: float  # the server's time.time() when it drew the panel


class ActionFailed(RuntimeError):
    """The page showed an error instead of the acknowledgement, or none came in time."""


class Facilitator:
    """The facilitator's meeting page (``?m=<meeting id>``) in one headless client."""

    def __init__(
        self, base_url: str, meeting_id: str, grant: str | None = None, **client_args: Any
    ) -> None:
        """``grant``: a grant of the meeting's team (``Storage.grant_access``) – without one the
        page asks for the team's code."""
        self.meeting_id = meeting_id
        query = f"m={meeting_id}" + (f"&s={grant}" if grant else "")
        self.client = StreamlitClient(base_url, query, **client_args)

    async def __aenter__(self) -> Facilitator:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(self, timeout: float = 60.0) -> None:
        """Load the page until it shows a step and its script run has finished."""
        try:
            await self.client.connect()
            await self.client.wait_for(lambda c: self.step() is not None, timeout)
            await self.client.wait_idle(timeout)
        except BaseException:
            await self.client.close()
            raise

    async def close(self) -> None:
        await self.client.close()

    # --- Reading the page ---------------------------------------------------------------

    def step(self) -> int | None:
        """The step number (1–5) the page's heading shows, or None."""
        for node in self.client.elements():
            if node.kind == "heading":
                match = _STEP_HEADING.match(node.text)
                if match:
                    return int(match.group(1))
        return None

    def note_fields(self) -> list[Node]:
        """The page's note fields (text areas whose key is ``note_<meeting>_<note key>``), in
        page order."""
        mark = f"note_{self.meeting_id}_"
        return [n for n in self.client.elements() if n.kind == "text_area" and mark in n.widget_id]

    def note_field(self, note_key: str) -> Node:
        suffix = f"note_{self.meeting_id}_{note_key}"
        for node in self.note_fields():
            if node.widget_id.endswith(suffix):
                return node
        keys = [n.widget_id.rsplit("_", 1)[-1] for n in self.note_fields()]
        raise LookupError(f"no note field {note_key!r} on the page (fields: {keys})")

    def note_text(self, note_key: str) -> str | None:
        """The text the field holds in this page (what the browser would send)."""
        held = self.client.widgets.get(self.note_field(note_key).widget_id)
        return held.string_value if held is not None else None

    def _after(self, node: Node) -> Node | None:
        """The element drawn right after ``node`` in the same block (its caption)."""
        return self.client.nodes.get((*node.path[:-1], node.path[-1] + 1))

    def note_status(self, note_key: str) -> str:
        """What is written under a note field: »Gemt kl. …«, an error, a conflict, or ""."""
        after = self._after(self.note_field(note_key))
        return after.text if after is not None and after.kind != "text_area" else ""

    def follow_ups(self) -> list[str]:
        """The meeting's follow-ups as listed (the checkboxes' labels, as read)."""
        labels = [plain(n.text) for n in self.client.elements() if n.kind == "checkbox"]
        return [label for label in labels if "(aftalt " in label]

    def timer(self) -> TimerReading | None:
        for node in self.client.elements():
            if node.kind == "markdown" and "bc-timer" in node.text and "data-live" in node.text:
                attrs = {k: html.unescape(v) for k, v in _ATTR.findall(node.text)}
                return TimerReading(
                    status=attrs.get("status", ""),
                    short=attrs.get("short", ""),
                    step_remaining=float(attrs.get("step-remaining", "nan")),
                    total_remaining=float(attrs.get("total-remaining", "nan")),
                    rendered=float(attrs.get("rendered", "nan")),
                )
        return None

    # --- Acting -------------------------------------------------------------------------

    async def commit_note(self, note_key: str, text: str, timeout: float = 30.0) -> float:
        """Commit ``text`` as the note's new content, as the browser does; wait for »Gemt kl.
        … · N tegn« under it. Returns the seconds from sending to that caption."""
        node = self.note_field(note_key)
        expected = f" · {len(clean_text(text))} tegn"
        state = WidgetState(id=node.widget_id, string_value=text)
        self.client.widgets[node.widget_id] = state  # what the field holds from now on
        started = time.monotonic()
        await self.client.rerun(fragment_id=node.fragment_id)

        def acknowledged(_c: StreamlitClient) -> bool:
            status = self.note_status(note_key)
            return status.startswith(SAVED_PREFIX) and status.endswith(expected)

        await self._until(acknowledged, timeout, f"note {note_key}")
        return time.monotonic() - started

    async def next_step(self, timeout: float = 30.0) -> float:
        """Press »Næste trin«; wait until the heading shows the next step."""
        before = self.step()
        if before is None:
            raise ActionFailed("the page shows no step")
        started = time.monotonic()
        await self.client.click(NEXT_STEP)
        await self._until(lambda c: self.step() == before + 1, timeout, f"step {before + 1}")
        return time.monotonic() - started

    async def add_follow_up(self, what: str, timeout: float = 30.0) -> float:
        """Fill in »Hvad skal der følges op på?« and press »Gem aftalen«; wait until the
        follow-up is listed."""
        # The form as drawn by the last finished run (a user does not type into a form that is
        # being redrawn; after a save the fragment draws a fresh one with new widget ids).
        await self._until(
            lambda c: not c.script_running and self._labelled("button", FOLLOW_UP_BUTTON),
            timeout,
            "the follow-up form",
        )
        field = self._labelled("text_area", FOLLOW_UP_FIELD)
        button = self._labelled("button", FOLLOW_UP_BUTTON)
        if field is None or button is None:
            raise ActionFailed("the follow-up form is incomplete")
        text = WidgetState(id=field.widget_id, string_value=what)
        self.client.widgets[field.widget_id] = text
        trigger = WidgetState(id=button.widget_id, trigger_value=True)
        listed = f"{clean_text(what)} – frist"
        started = time.monotonic()
        await self.client.rerun(fragment_id=button.fragment_id, widgets=[trigger])
        await self._until(
            lambda c: any(listed in label for label in self.follow_ups()),
            timeout,
            f"follow-up {what!r}",
        )
        return time.monotonic() - started

    def _labelled(self, kind: str, label: str) -> Node | None:
        for node in self.client.elements():
            if node.kind == kind and node.text == label and node.widget_id:
                return node
        return None

    async def _until(self, predicate: Any, timeout: float, what: str) -> None:
        errors = len(self.client.errors)

        def done(c: StreamlitClient) -> bool:
            if len(c.errors) > errors:
                raise ActionFailed(f"{what}: the app failed: {c.errors[-1][:200]}")
            return bool(predicate(c))

        try:
            await self.client.wait_for(done, timeout)
        except TimeoutError as exc:
            raise ActionFailed(f"{what}: not acknowledged within {timeout:.0f} s") from exc
