"""The timer panel's Danish wording, in one place for the server and the browser.

The server draws the panel with these templates, and ``page_helper`` hands the very same
dict to the browser (component data ``labels``), whose countdown only fills the
placeholders (assets/helper.js, ``fill``). A placeholder is a name in braces, e.g.
``{short}``; both sides replace it the same way (no format specs, no escaping), so a
template never needs to be written twice.

Time values are given as ``m:ss`` by :func:`facilitator.timer.fmt`; the browser's ``fmt``
in helper.js behaves identically (tests/test_timer_text_browser.py compares them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from facilitator.timer import fmt

__all__ = [
    "LABELS",
    "big",
    "fill",
    "finished_label",
    "fmt",
    "labels",
    "later_line",
    "paused_label",
    "step_label",
    "total_line",
    "used_line",
]

LABELS: dict[str, str] = {
    # The big number while a step overruns: "+1:05".
    "big_over": "+{time}",
    # The label above the big number.
    "step_left": "Tid tilbage – {short}",
    "step_over": "Tiden for {short} er gået – over tid",
    "paused": "Pause – {short}",
    "paused_over": "Pause – {short} er over tid",
    "not_started": "Uret er ikke startet",
    "finished": "Mødet er slut",
    # Under the clock after going back a step, which then gets a new share of the time left.
    "revisit": "Tilbage til {short}: trinnet har fået en ny andel af den tid, der er tilbage",
    # The line under the big number.
    "total_left": "Tid tilbage i alt: {total} af {budget}",
    "total_over": "Mødet er {over} over tid",
    "used": "Brugt tid: {used} af {budget}",
    # The note on the later steps' time after a rebalance: "{why}: A 2:59, B 2:00".
    "later": "{why}: {steps}",
    "later_step": "{short} {time}",
    "later_separator": ", ",
    "why_saved": "Den sparede tid er fordelt på de næste trin",
    "why_shortened": "Tiden er fordelt om, så mødet kan slutte til tiden",
    "why_plan": "De næste trin",
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template: str, **values: object) -> str:
    """Replace each ``{name}`` in ``template`` (a key of :data:`LABELS` or a template itself)
    by ``values[name]``; unknown placeholders stay as they are, as in helper.js."""
    text = LABELS.get(template, template)
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def big(step_remaining: float) -> str:
    """The big number: the time left, or »+m:ss« over once the step has run out."""
    if step_remaining < 0:
        return fill("big_over", time=fmt(-step_remaining))
    return fmt(step_remaining)


def step_label(short: str, overrun: bool) -> str:
    return fill("step_over" if overrun else "step_left", short=short)


def paused_label(short: str, overrun: bool = False) -> str:
    return fill("paused_over" if overrun else "paused", short=short)


def finished_label() -> str:
    return LABELS["finished"]


def total_line(total_remaining: float, budget: float) -> str:
    if total_remaining >= 0:
        return fill("total_left", total=fmt(total_remaining), budget=fmt(budget))
    return fill("total_over", over=fmt(-total_remaining))


def used_line(used: float, budget: float) -> str:
    return fill("used", used=fmt(used), budget=fmt(budget))


def later_line(steps: Sequence[tuple[str, float]], planned: Sequence[float] | None = None) -> str:
    """»{why}: A 2:59, B 2:00« for the later steps' (short name, seconds). ``why`` says the
    time saved earlier was handed on when they now have more than ``planned`` in all, that the
    time was shortened so the meeting can end on time when less, else just »De næste trin«."""
    given = sum(s for _, s in steps)
    wanted = given if planned is None else sum(planned)
    why = "why_saved" if given > wanted else "why_shortened" if given < wanted else "why_plan"
    parts = [fill("later_step", short=short, time=fmt(s)) for short, s in steps]
    return fill("later", why=LABELS[why], steps=LABELS["later_separator"].join(parts))


def labels() -> Mapping[str, str]:
    """The templates as sent to the browser."""
    return dict(LABELS)
