"""Timer arithmetic for the exercise, computed from stored timestamps.

The timer never counts ticks. Its whole state is a few numbers that the
database stores (like Parabol's ``scheduledEndTime``): the plan, the seconds
each step has used so far, and the moment the running step was last started.
Every view computes the time left from these and the current clock, so a
reload, a second device or a restarted server shows the same time.

All functions take ``now`` (seconds since the epoch) so tests inject a clock.
Nothing here moves to the next step by itself: only the facilitator does.
"""

from __future__ import annotations

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
    )  # seconds used per step, excluding the running segment
    allocated: tuple[int | None, ...] = field(
        default=()
    )  # seconds given to a step when first entered
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
    """What the screen shows at one moment."""

    status: str
    current: int
    step_allocated: int
    step_elapsed: float
    step_remaining: float  # negative when the step overruns
    overrun: float  # seconds over the step's time, 0 when within
    total_elapsed: float
    total_remaining: float  # negative when the meeting as a whole runs over
    allocations: tuple[int, ...]  # the time each step has now (rebalanced)
    rebalanced: bool  # allocations differ from the plan
    projected_total: float  # when the meeting ends if the remaining steps keep their time

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


def _share(plan: tuple[int, ...], indices: list[int], budget: float) -> dict[int, int]:
    """Split ``budget`` seconds over ``indices`` in proportion to the plan, in whole seconds."""
    weight = sum(plan[i] for i in indices)
    seconds = max(0, round(budget))
    out: dict[int, int] = {}
    given = 0
    for n, i in enumerate(indices):
        if n == len(indices) - 1:
            out[i] = seconds - given
        else:
            out[i] = round(seconds * plan[i] / weight)
            given += out[i]
    return out


def _unentered(state: TimerState, exclude: int | None = None) -> list[int]:
    return [i for i, a in enumerate(state.allocated) if a is None and i != exclude]


def allocations(state: TimerState, now: float) -> tuple[int, ...]:
    """The time each step has now.

    A step gets its time when it is first entered and keeps it. Steps not yet
    entered share what is left of the budget in proportion to the plan: the
    time other entered steps actually used is spent, and the running step is
    counted with its full time or, if it runs over, with the time it has used.
    So an overrun shrinks the later steps and the meeting can still end on time.
    """
    if state.status == NOT_STARTED:
        return state.plan
    cur = state.current
    result = [a if a is not None else p for a, p in zip(state.allocated, state.plan, strict=True)]
    spent = sum(
        max(float(result[i]), step_elapsed(state, i, now))
        if i == cur
        else step_elapsed(state, i, now)
        for i, a in enumerate(state.allocated)
        if a is not None
    )
    later = _unentered(state)
    for i, seconds in _share(state.plan, later, state.total - spent).items():
        result[i] = seconds
    return tuple(result)


def view(state: TimerState, now: float) -> TimerView:
    allocs = allocations(state, now)
    cur = state.current
    elapsed = step_elapsed(state, cur, now)
    remaining = allocs[cur] - elapsed
    used = total_elapsed(state, now)
    projected = sum(
        max(float(allocs[i]), step_elapsed(state, i, now))
        if i == cur and state.status != FINISHED
        else step_elapsed(state, i, now)
        if a is not None
        else float(allocs[i])
        for i, a in enumerate(state.allocated)
    )
    return TimerView(
        status=state.status,
        current=cur,
        step_allocated=allocs[cur],
        step_elapsed=elapsed,
        step_remaining=remaining,
        overrun=max(0.0, -remaining),
        total_elapsed=used,
        total_remaining=state.total - used,
        allocations=allocs,
        rebalanced=allocs != state.plan,
        projected_total=projected if state.status != NOT_STARTED else float(state.total),
    )


# --- Transitions: each returns a new state; none depends on ticks ---------------------------


def _enter(state: TimerState, index: int) -> TimerState:
    """Make ``index`` the current step, giving it its share of the time left on first entry."""
    if state.allocated[index] is not None:
        return replace(state, current=index)
    spent = sum(u for i, u in enumerate(state.used) if state.allocated[i] is not None)
    share = _share(state.plan, [index, *_unentered(state, exclude=index)], state.total - spent)
    allocated = list(state.allocated)
    allocated[index] = share[index]
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
    """Move to another step (next, skip or back). Keeps running if it was running."""
    if not 0 <= index < len(state.plan):
        raise ValueError("no such step")
    if state.status == FINISHED:
        raise ValueError("the meeting is finished")
    was_running = state.status == RUNNING
    frozen = _freeze(state, now)
    moved = _enter(frozen, index)
    if was_running:
        return replace(moved, status=RUNNING, running_since=now)
    if state.status == NOT_STARTED:
        return replace(moved, status=PAUSED, running_since=None)
    return moved


def next_step(state: TimerState, now: float) -> TimerState:
    if state.current + 1 >= len(state.plan):
        return finish(state, now)
    return go_to(state, state.current + 1, now)


def previous_step(state: TimerState, now: float) -> TimerState:
    return go_to(state, max(0, state.current - 1), now)


def finish(state: TimerState, now: float) -> TimerState:
    frozen = _freeze(state, now)
    return replace(frozen, status=FINISHED, running_since=None)


def fmt(seconds: float) -> str:
    """Minutes and seconds, e.g. 3:07; negative values get a minus sign."""
    sign = "-" if seconds < 0 else ""
    whole = int(abs(seconds) // 1) if seconds >= 0 else int(-(-abs(seconds) // 1))
    return f"{sign}{whole // 60}:{whole % 60:02d}"
