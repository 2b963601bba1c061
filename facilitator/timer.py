"""Timer arithmetic for the exercise, computed from stored timestamps.

The timer never counts ticks. Its whole state is a few numbers that the
database stores (like Parabol's ``scheduledEndTime``): the plan, the seconds
each step has used so far, the deadline of the current step's visit and the
moment the running step was last started. Every view computes the time left
from these and the current clock, so a reload, a second device or a restarted
server shows the same time.

One rule gives every number on the screen (a *visit* is one stay on a step,
from entering it by Start, Next, Back, a jump or reopening, until leaving it):

* When a step is entered it gets a fresh budget for this visit: its share, by
  plan weight, of the meeting's time left, split over itself and the steps
  after it (:func:`visit_budget`). Going back to a step gives it a new share of
  what is left then, never the time it had before.
* The step's countdown is that budget minus the time used during this visit.
  It never shows more than the meeting has left.
* The steps after the current one share the rest of the meeting's time left,
  ``max(0, total left) - max(0, step left)``, in proportion to the plan
  (:func:`later_seconds`, :func:`share_later`). So when a step runs over, the
  later steps shrink and the meeting can still end on time; when it ends
  early, they grow.
* The time each step used keeps adding up over its visits (the minutes in
  the referat); Back and Next never lose or invent time.

All functions take ``now`` (seconds since the epoch) so tests inject a clock.
Nothing here moves to the next step by itself: only the facilitator does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

NOT_STARTED = "not_started"
RUNNING = "running"
PAUSED = "paused"
FINISHED = "finished"


@dataclass(frozen=True)
class TimerState:
    plan: tuple[int, ...]  # planned seconds per step; their sum is the meeting's budget
    status: str = NOT_STARTED
    current: int = 0
    used: tuple[float, ...] = field(
        default=()
    )  # seconds used per step over all its visits, excluding the running segment
    allocated: tuple[float | None, ...] = field(
        default=()
    )  # per step: its used time when its latest visit began plus that visit's budget,
    # i.e. the step's deadline in its own used seconds; None until first entered. Only the
    # current step's value counts. (Timers stored before visits existed hold the whole
    # seconds the step got on first entry; they read the same way.)
    running_since: float | None = None

    def __post_init__(self) -> None:
        n = len(self.plan)
        if not self.used:
            object.__setattr__(self, "used", (0.0,) * n)
        if not self.allocated:
            object.__setattr__(self, "allocated", (None,) * n)

    @property
    def total(self) -> int:
        return sum(self.plan)


@dataclass(frozen=True)
class TimerView:
    """What the screen shows at one moment.

    While the meeting is not finished the numbers agree: ``step_remaining`` never exceeds
    ``max(0, total_remaining)``, and ``floor(max(0, step_remaining)) + sum(later)`` equals
    ``floor(max(0, total_remaining))`` – the whole seconds :func:`fmt` shows.
    """

    status: str
    current: int
    step_allocated: int  # the step's time over all its visits: used before this visit + budget
    step_elapsed: float  # over all visits
    step_remaining: float  # negative when the step overruns
    overrun: float  # seconds over the step's time, 0 when within
    total_elapsed: float
    total_remaining: float  # negative when the meeting as a whole runs over
    allocations: tuple[int, ...]  # done steps: time used; current: step_allocated; later: share
    rebalanced: bool  # allocations differ from the plan
    projected_total: float  # when the meeting ends if the remaining steps keep their time
    later: tuple[int, ...] = ()  # the time of the steps after the current one (allocations)

    @property
    def is_overrun(self) -> bool:
        return self.step_remaining < 0


def new_timer(plan: tuple[int, ...] | list[int]) -> TimerState:
    plan = tuple(int(s) for s in plan)
    if not plan or any(s <= 0 for s in plan):
        raise ValueError("every step needs a positive duration")
    return TimerState(plan=plan)


def _segment(state: TimerState, now: float) -> float:
    if state.status == RUNNING and state.running_since is not None:
        return max(0.0, now - state.running_since)
    return 0.0


def step_elapsed(state: TimerState, index: int, now: float) -> float:
    extra = _segment(state, now) if index == state.current else 0.0
    return state.used[index] + extra


def total_elapsed(state: TimerState, now: float) -> float:
    return sum(state.used) + _segment(state, now)


# --- Sharing time in proportion to the plan ---------------------------------------------------


def _share(weights: tuple[int, ...], seconds: int) -> tuple[int, ...]:
    """Split whole ``seconds`` over ``weights`` by cumulative floor: never negative, the sum
    is exactly ``seconds`` (the last one takes the remainder), each within 1 s of its share."""
    if not weights:
        return ()
    seconds = max(0, seconds)
    weight = sum(weights)
    out: list[int] = []
    cumulative = given = 0
    for w in weights:
        cumulative += w
        upto = seconds * cumulative // weight
        out.append(upto - given)
        given = upto
    return tuple(out)


def share_later(plan: tuple[int, ...], current: int, seconds: int) -> tuple[int, ...]:
    """Split whole ``seconds`` over the steps after ``current`` in proportion to the plan.

    The browser's countdown mirrors this exactly (integers only, so Python and JS agree)::

        W = plan[current+1] + ... + plan[n-1]
        cumulative = 0; given = 0
        for j = current+1 .. n-1:
            cumulative += plan[j]
            upto = floor(seconds * cumulative / W)    # Python: seconds * cumulative // W
            time[j] = upto - given
            given = upto

    The last step gets the remainder (``upto`` is ``seconds`` there), none gets less than 0.
    ``seconds`` comes from :func:`later_seconds`.
    """
    return _share(plan[current + 1 :], seconds)


def later_seconds(step_remaining: float, total_remaining: float) -> int:
    """Whole seconds the steps after the current one share between them::

        floor(max(0, total_remaining)) - floor(max(0, step_remaining))

    Both are the numbers the screen shows (``fmt`` floors), so the shown step time plus the
    later steps always equals the shown time left for the meeting. The browser ticks both
    remainders down from the server's values and recomputes this each second: while the
    step has time left both fall together and the later steps keep their time; once the step
    runs over, the later steps shrink second by second until the meeting's time is gone.
    """
    return max(0, math.floor(max(0.0, total_remaining)) - math.floor(max(0.0, step_remaining)))


def visit_budget(plan: tuple[int, ...], index: int, seconds_left: float) -> float:
    """The time a step gets for a visit that begins with ``seconds_left`` for the meeting.

    ``left = max(0, seconds_left)``; the steps from ``index`` on share ``floor(left)`` by
    plan weight (``_share``), and the step gets ``left`` minus the later steps' part, i.e.
    its share plus the fraction of a second. So right after entering, the step's countdown
    and the meeting's have the same fraction and the later steps get whole seconds.
    """
    left = max(0.0, seconds_left)
    whole = math.floor(left)
    weights = plan[index:]
    own = whole * weights[0] // sum(weights)
    return left - (whole - own)


# --- The view -----------------------------------------------------------------------------


def _step_remaining(state: TimerState, now: float) -> float:
    cur = state.current
    elapsed = step_elapsed(state, cur, now)
    if state.status == NOT_STARTED:
        return state.plan[cur] - elapsed
    deadline = state.allocated[cur]
    remaining = (float(state.plan[cur]) if deadline is None else deadline) - elapsed
    # A state made by this module never needs the cap (bar float noise); a timer stored by
    # the old rule, where a step kept its first allocation forever, may.
    return min(remaining, max(0.0, state.total - total_elapsed(state, now)))


def allocations(state: TimerState, now: float) -> tuple[int, ...]:
    """The time each step has now (see :class:`TimerView`.allocations)."""
    return view(state, now).allocations


def view(state: TimerState, now: float) -> TimerView:
    cur = state.current
    elapsed = step_elapsed(state, cur, now)
    used = total_elapsed(state, now)
    total_remaining = state.total - used
    remaining = _step_remaining(state, now)
    if state.status == NOT_STARTED:
        allocs = state.plan
        later = state.plan[cur + 1 :]
        projected = float(state.total)
    elif state.status == FINISHED:
        allocs = tuple(round(step_elapsed(state, i, now)) for i in range(len(state.plan)))
        later = ()
        projected = used
    else:
        later = share_later(state.plan, cur, later_seconds(remaining, total_remaining))
        done = tuple(round(step_elapsed(state, i, now)) for i in range(cur))
        allocs = (*done, round(elapsed + remaining), *later)
        projected = used + max(0.0, remaining) + sum(later)
    return TimerView(
        status=state.status,
        current=cur,
        step_allocated=allocs[cur],
        step_elapsed=elapsed,
        step_remaining=remaining,
        overrun=max(0.0, -remaining),
        total_elapsed=used,
        total_remaining=total_remaining,
        allocations=allocs,
        rebalanced=allocs != state.plan,
        projected_total=projected,
        later=later,
    )


# --- Transitions: each returns a new state; none depends on ticks ---------------------------


def _enter(state: TimerState, index: int) -> TimerState:
    """Make ``index`` the current step with a fresh visit: its share of the time left now."""
    left = state.total - sum(state.used)  # call on a frozen state: no running segment
    allocated = list(state.allocated)
    allocated[index] = state.used[index] + visit_budget(state.plan, index, left)
    return replace(state, current=index, allocated=tuple(allocated))


def _freeze(state: TimerState, now: float) -> TimerState:
    """Fold the running segment into the current step's used time."""
    if state.status != RUNNING or state.running_since is None:
        return state
    used = list(state.used)
    used[state.current] += _segment(state, now)
    return replace(state, used=tuple(used), running_since=now)


def start(state: TimerState, now: float) -> TimerState:
    if state.status == RUNNING:
        return state
    if state.status == FINISHED:
        raise ValueError("the meeting is finished")
    if state.status == PAUSED:
        return resume(state, now)
    entered = _enter(state, state.current)
    return replace(entered, status=RUNNING, running_since=now)


def pause(state: TimerState, now: float) -> TimerState:
    if state.status != RUNNING:
        return state
    frozen = _freeze(state, now)
    return replace(frozen, status=PAUSED, running_since=None)


def resume(state: TimerState, now: float) -> TimerState:
    if state.status != PAUSED:
        return state
    return replace(state, status=RUNNING, running_since=now)


def go_to(state: TimerState, index: int, now: float) -> TimerState:
    """Move to another step (next, skip or back). Keeps running if it was running.

    Entering a step starts a new visit with a fresh budget; "moving" to the current step of a
    started meeting changes nothing."""
    if not 0 <= index < len(state.plan):
        raise ValueError("no such step")
    if state.status == FINISHED:
        raise ValueError("the meeting is finished")
    if index == state.current and state.status != NOT_STARTED:
        return state
    was_running = state.status == RUNNING
    frozen = _freeze(state, now)
    moved = _enter(frozen, index)
    if was_running:
        return replace(moved, status=RUNNING, running_since=now)
    if state.status == NOT_STARTED:
        return replace(moved, status=PAUSED, running_since=None)
    return moved


def never_run(state: TimerState) -> bool:
    """The clock has not run yet: not started, or moved to another step before it was started
    (a paused state without a second used) – shown as »not started«, with »Start uret«."""
    return state.status in (NOT_STARTED, PAUSED) and not any(state.used)


def next_step(state: TimerState, now: float) -> TimerState:
    if state.current + 1 >= len(state.plan):
        return finish(state, now)
    return go_to(state, state.current + 1, now)


def previous_step(state: TimerState, now: float) -> TimerState:
    return go_to(state, max(0, state.current - 1), now)


def finish(state: TimerState, now: float) -> TimerState:
    frozen = _freeze(state, now)
    return replace(frozen, status=FINISHED, running_since=None)


def reopen(state: TimerState, now: float) -> TimerState:
    """Open a finished meeting again: paused at the last step, with the time used kept.

    The last step gets a fresh visit with the meeting's time left (none if the meeting ran
    over – then it shows as over time as soon as the clock runs). Only a finished meeting can
    be reopened; any other state comes back unchanged."""
    if state.status != FINISHED:
        return state
    last = len(state.plan) - 1
    entered = _enter(replace(state, running_since=None), last)
    return replace(entered, status=PAUSED, running_since=None)


def fmt(seconds: float) -> str:
    """Minutes and seconds, e.g. 3:07; negative values get a minus sign."""
    sign = "-" if seconds < 0 else ""
    whole = int(abs(seconds) // 1) if seconds >= 0 else int(-(-abs(seconds) // 1))
    return f"{sign}{whole // 60}:{whole % 60:02d}"
