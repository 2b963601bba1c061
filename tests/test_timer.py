"""Timer arithmetic from timestamps, with an injected clock."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facilitator import timer as t
from facilitator.exercise import STEPS

PLAN = tuple(s.default_minutes * 60 for s in STEPS)  # 60, 180, 360, 180, 120


class Clock:
    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


def test_default_plan_is_fifteen_minutes() -> None:
    assert sum(PLAN) == 15 * 60


def test_countdown_comes_from_timestamps_not_ticks() -> None:
    clock = Clock()
    state = t.start(t.new_timer(PLAN), clock.now)
    # Nothing is stored while time passes: the view is computed from the clock.
    v = t.view(state, clock.advance(42.5))
    assert v.step_elapsed == pytest.approx(42.5)
    assert v.step_remaining == pytest.approx(60 - 42.5)
    assert v.total_remaining == pytest.approx(900 - 42.5)
    # A second device (or a reload) with the same stored state sees the same time.
    assert t.view(state, clock.now) == v


def test_pause_freezes_and_resume_continues() -> None:
    clock = Clock()
    state = t.start(t.new_timer(PLAN), clock.now)
    state = t.pause(state, clock.advance(20))
    frozen = t.view(state, clock.advance(500))
    assert frozen.step_elapsed == pytest.approx(20)
    state = t.resume(state, clock.now)
    assert t.view(state, clock.advance(5)).step_elapsed == pytest.approx(25)


def test_overrun_counts_up_and_never_moves_on_by_itself() -> None:
    clock = Clock()
    state = t.start(t.new_timer(PLAN), clock.now)
    v = t.view(state, clock.advance(75))
    assert v.current == 0
    assert v.is_overrun and v.overrun == pytest.approx(15)
    v = t.view(state, clock.advance(3600))
    assert v.current == 0 and v.status == t.RUNNING


def test_overrun_rebalances_the_remaining_steps_so_the_meeting_ends_on_time() -> None:
    clock = Clock()
    state = t.start(t.new_timer(PLAN), clock.now)
    v = t.view(state, clock.advance(60 + 120))  # step 1 runs two minutes over
    assert v.rebalanced
    later = v.allocations[1:]
    assert sum(later) == 900 - 180
    # Shrunk in proportion to the plan.
    # Shrunk in proportion to the plan (read 180, discuss 360, knowledge 180, follow-up 120).
    assert later[1] / later[0] == pytest.approx(360 / 180, rel=0.02)
    assert later[3] / later[0] == pytest.approx(120 / 180, rel=0.02)
    assert v.projected_total == pytest.approx(900, abs=1)
    state = t.next_step(state, clock.now)
    assert t.view(state, clock.now).step_allocated == later[0]


def test_finishing_early_gives_the_time_to_later_steps() -> None:
    clock = Clock()
    state = t.start(t.new_timer(PLAN), clock.now)
    state = t.next_step(state, clock.advance(30))
    v = t.view(state, clock.now)
    assert sum(v.allocations[1:]) == 900 - 30
    assert v.step_allocated > 180


def test_back_and_skip_keep_used_time() -> None:
    clock = Clock()
    state = t.start(t.new_timer(PLAN), clock.now)
    state = t.next_step(state, clock.advance(60))
    state = t.next_step(state, clock.advance(100))
    state = t.previous_step(state, clock.advance(50))
    assert state.current == 1
    v = t.view(state, clock.advance(10))
    assert v.step_elapsed == pytest.approx(110)
    assert v.total_elapsed == pytest.approx(220)
    state = t.go_to(state, 4, clock.now)  # skip ahead
    assert state.current == 4 and state.status == t.RUNNING


def test_fifteen_minute_run_with_pauses_and_overruns_has_zero_drift() -> None:
    """Drive a whole meeting with random actions; elapsed equals real running time exactly."""
    rng = random.Random(7)
    clock = Clock()
    state = t.start(t.new_timer(PLAN), clock.now)
    running_time = 0.0
    while state.status != t.FINISHED:
        dt = rng.choice([0.25, 1.0, 3.3, 17.0, 61.7])
        clock.advance(dt)
        if state.status == t.RUNNING:
            running_time += dt
        action = rng.random()
        if action < 0.15:
            state = t.pause(state, clock.now)
        elif action < 0.3:
            state = t.resume(state, clock.now)
        elif action < 0.36:
            state = t.next_step(state, clock.now)
        v = t.view(state, clock.now)
        assert v.total_elapsed == pytest.approx(running_time, abs=1e-4)
        # While there is time left, the plan still ends on the minute.
        if v.status != t.FINISHED and v.total_elapsed + v.step_allocated < sum(PLAN):
            assert v.projected_total == pytest.approx(sum(PLAN), abs=1)
    assert sum(state.used) == pytest.approx(running_time, abs=1e-4)


def test_exactly_on_plan_ends_at_zero() -> None:
    clock = Clock()
    state = t.start(t.new_timer(PLAN), clock.now)
    for seconds in PLAN:
        clock.advance(seconds)
        v = t.view(state, clock.now)
        assert v.step_remaining == pytest.approx(0)
        assert not v.rebalanced
        state = t.next_step(state, clock.now)
    assert state.status == t.FINISHED
    assert t.view(state, clock.advance(100)).total_remaining == pytest.approx(0)


def test_steps_need_positive_durations() -> None:
    with pytest.raises(ValueError):
        t.new_timer([60, 0, 60])
    with pytest.raises(ValueError):
        t.new_timer([])


def test_fmt() -> None:
    assert t.fmt(0) == "0:00"
    assert t.fmt(61.9) == "1:01"
    assert t.fmt(-5.2) == "-0:06" or t.fmt(-5.2) == "-0:05"
    assert t.fmt(900) == "15:00"


# --- One timer truth: the numbers on the screen always agree ----------------------------------


def _agree(state: t.TimerState, now: float) -> t.TimerView:
    """Invariants 1, 2, 4 and the shown whole seconds, for one moment."""
    v = t.view(state, now)
    assert v.total_remaining == pytest.approx(state.total - v.total_elapsed)
    assert sum(t.step_elapsed(state, i, now) for i in range(len(state.plan))) == pytest.approx(
        v.total_elapsed
    )
    if v.status == t.FINISHED:
        return v
    left = max(0.0, v.total_remaining)
    later = v.allocations[v.current + 1 :]
    assert all(x >= 0 for x in later)
    # 1. the step never has more time than the meeting
    assert v.step_remaining <= left + 1e-6
    # 2. the remaining steps add up to the meeting's time left ...
    assert max(0.0, v.step_remaining) + sum(later) == pytest.approx(left, abs=1)
    # ... exactly in the whole seconds fmt shows
    assert int(max(0.0, v.step_remaining)) + sum(later) == int(left)
    # ... and the later steps share it in proportion to the plan
    rest = state.plan[v.current + 1 :]
    for seconds, weight in zip(later, rest, strict=True):
        assert abs(seconds - sum(later) * weight / sum(rest)) <= 1
    assert v.step_allocated == round(v.step_elapsed + v.step_remaining)
    return v


def test_reported_back_and_next_sequence_keeps_the_numbers_in_agreement() -> None:
    """The projector report: Start, Next… with an overrun, Back, Back, Next, Next.

    With the old rule (a step kept its first allocation forever) the last step showed 5:25
    left while the meeting had 3:05, and after Back the later steps' times added up to more
    than the meeting had left."""
    clock = Clock()
    state = t.start(t.new_timer(PLAN), clock.now)
    moves = [
        (20, t.next_step),
        (30, t.next_step),
        (500, t.next_step),  # the discussion runs well over
        (10, t.next_step),  # to the last step
        (15, t.previous_step),
        (10, t.previous_step),
        (120, t.next_step),
        (10, t.next_step),
    ]
    for seconds, move in moves:
        state = move(state, clock.advance(seconds))
        for later in (0, 0.4, 7, 95, 400):
            _agree(state, clock.now + later)
    v = t.view(state, clock.now)
    assert v.current == 4
    assert v.total_remaining == pytest.approx(900 - 715)
    # The last step has exactly what the meeting has left, not its allocation from before.
    assert v.step_remaining == pytest.approx(v.total_remaining)


def test_going_back_gives_a_fresh_share_of_the_time_left() -> None:
    clock = Clock()
    state = t.start(t.new_timer(PLAN), clock.now)
    state = t.next_step(state, clock.advance(60))
    state = t.next_step(state, clock.advance(180))  # step 3 with 660 s left: exactly its plan
    assert t.view(state, clock.now).step_remaining == pytest.approx(360)
    state = t.previous_step(state, clock.advance(300))  # back to step 2 with 360 s left
    v = _agree(state, clock.now)
    # Step 2 gets 180/840 of 360 s for this visit, on top of the 180 s it used before.
    assert v.step_remaining == pytest.approx(360 * 180 // 840)
    assert v.step_elapsed == pytest.approx(180)
    assert v.step_allocated == 180 + 360 * 180 // 840
    state = t.next_step(state, clock.advance(20))
    v = _agree(state, clock.now)
    # Step 3 again: a new share of the 340 s left, not the 360 s it got first.
    assert v.step_remaining == pytest.approx(340 * 360 // 660)
    assert v.step_elapsed == pytest.approx(300)  # its first visit still counts for the referat


def test_later_steps_keep_their_time_while_the_step_has_time_left() -> None:
    clock = Clock(1_700_000_000.37)  # a clock between whole seconds
    state = t.start(t.new_timer(PLAN), clock.now)
    state = t.next_step(state, clock.advance(47.81))
    first = t.view(state, clock.now).later
    for _ in range(80):
        v = _agree(state, clock.advance(3.3))
        if v.step_remaining >= 0:
            assert v.later == first
    # Over time: the later steps shrink with every second, never below zero.
    assert v.is_overrun and sum(v.later) < sum(first)


def test_overrun_of_the_whole_meeting_leaves_nothing_for_later_steps() -> None:
    clock = Clock()
    state = t.start(t.new_timer(PLAN), clock.now)
    state = t.next_step(state, clock.advance(1000))
    v = _agree(state, clock.now)
    assert v.step_remaining == 0 and v.later == (0, 0, 0)
    v = _agree(state, clock.advance(30))
    assert v.overrun == pytest.approx(30) and v.total_remaining == pytest.approx(-130)
    assert v.projected_total == pytest.approx(1030)


def test_share_later_is_proportional_whole_and_never_negative() -> None:
    # The example the browser's mirror can be checked against.
    assert t.share_later((60, 180, 360, 180, 120), 0, 720) == (154, 308, 155, 103)
    assert t.share_later((60, 180, 360, 180, 120), 4, 500) == ()
    assert t.share_later((5, 3, 3, 3, 1), 0, 2) == (0, 1, 0, 1)  # rounding up each: -1 last
    assert t.share_later((5, 1), 0, 0) == (0,)
    assert t.later_seconds(100.2, 600.7) == 500
    assert t.later_seconds(-30.0, 600.7) == 600
    assert t.later_seconds(-30.0, -5.0) == 0


def test_visit_budget_gives_the_fraction_to_the_current_step() -> None:
    assert t.visit_budget(PLAN, 0, 900) == 60
    assert t.visit_budget(PLAN, 4, 123.25) == pytest.approx(123.25)
    assert t.visit_budget(PLAN, 1, 840.5) == pytest.approx(180.5)
    assert t.visit_budget(PLAN, 1, -40) == 0


def test_a_timer_stored_by_the_old_rule_still_shows_numbers_that_agree() -> None:
    """Step 5 entered early got 340 s and kept it; back on step 5 with 185 s left."""
    clock = Clock()
    state = t.TimerState(
        plan=PLAN,
        status=t.RUNNING,
        current=4,
        used=(20.0, 30.0, 630.0, 20.0, 15.0),
        allocated=(60, 188, 463, 210, 340),
        running_since=clock.now,
    )
    v = _agree(state, clock.now)
    assert v.step_remaining == pytest.approx(185)
    # The next move gives a visit by the new rule.
    state = t.previous_step(state, clock.advance(5))
    _agree(state, clock.now)


# --- Reopening a finished meeting -------------------------------------------------------------


def test_reopen_goes_back_to_the_last_step_paused_with_the_time_left() -> None:
    clock = Clock()
    state = t.start(t.new_timer(PLAN), clock.now)
    for seconds in (50, 170, 300, 150):
        state = t.next_step(state, clock.advance(seconds))
    state = t.next_step(state, clock.advance(100))  # "Afslut mødet" with 130 s to spare
    assert state.status == t.FINISHED
    state = t.reopen(state, clock.advance(600))
    assert state.status == t.PAUSED and state.current == 4
    v = _agree(state, clock.advance(50))  # paused: the clock does not count
    assert v.total_elapsed == pytest.approx(770)
    assert v.step_remaining == pytest.approx(130) and v.step_elapsed == pytest.approx(100)
    state = t.resume(state, clock.now)
    v = _agree(state, clock.advance(30))
    assert v.step_remaining == pytest.approx(100)
    state = t.next_step(state, clock.now)
    assert state.status == t.FINISHED
    assert t.view(state, clock.now).total_elapsed == pytest.approx(800)


def test_reopen_after_running_over_shows_the_overrun() -> None:
    clock = Clock()
    state = t.start(t.new_timer(PLAN), clock.now)
    state = t.go_to(state, 4, clock.advance(850))
    state = t.finish(state, clock.advance(200))
    state = t.reopen(state, clock.advance(5))
    v = _agree(state, clock.now)
    assert v.step_remaining == 0 and not v.is_overrun
    assert v.total_remaining == pytest.approx(-150)
    state = t.resume(state, clock.now)
    v = _agree(state, clock.advance(12))
    assert v.is_overrun and v.overrun == pytest.approx(12)


def test_only_a_finished_meeting_can_be_reopened() -> None:
    clock = Clock()
    fresh = t.new_timer(PLAN)
    assert t.reopen(fresh, clock.now) == fresh
    running = t.start(fresh, clock.now)
    assert t.reopen(running, clock.advance(10)) == running
    paused = t.pause(running, clock.now)
    assert t.reopen(paused, clock.now) == paused


# --- Properties: any sequence of presses and clock jumps ------------------------------------

ACTIONS = st.one_of(
    st.sampled_from(["start", "pause", "resume", "next", "back", "finish", "reopen"]),
    st.tuples(st.just("go_to"), st.integers(0, 7)),
    st.tuples(st.just("wait"), st.integers(0, 2000)),
    st.tuples(st.just("wait"), st.floats(0, 2000, allow_nan=False)),
)


@settings(max_examples=200, deadline=None)
@given(
    plan=st.lists(st.integers(1, 900), min_size=1, max_size=8),
    actions=st.lists(ACTIONS, max_size=40),
    start=st.floats(1_600_000_000, 1_800_000_000, allow_nan=False),
    looks=st.lists(st.floats(0, 3000, allow_nan=False), min_size=1, max_size=3),
)
def test_the_numbers_agree_after_any_presses_and_clock_jumps(
    plan: list[int], actions: list[object], start: float, looks: list[float]
) -> None:
    state = t.new_timer(plan)
    clock = Clock(start)
    running_time = 0.0
    # 5. Before the start: the plan as it is.
    v = _agree(state, clock.now)
    assert v.allocations == state.plan and v.later == state.plan[1:]
    assert v.step_remaining == plan[0] and v.total_remaining == sum(plan)
    moves = {
        "start": t.start,
        "pause": t.pause,
        "resume": t.resume,
        "next": t.next_step,
        "back": t.previous_step,
        "finish": t.finish,
        "reopen": t.reopen,
    }
    for action in actions:
        before = state
        if isinstance(action, tuple) and action[0] == "wait":
            then = clock.now
            clock.advance(action[1])
            if state.status == t.RUNNING:
                running_time += clock.now - then
        else:
            try:
                if isinstance(action, tuple):
                    state = t.go_to(state, action[1] % len(plan), clock.now)
                else:
                    state = moves[str(action)](state, clock.now)
            except ValueError:  # only a finished meeting refuses a move
                assert before.status == t.FINISHED
        v = _agree(state, clock.now)
        assert v.later == (v.allocations[v.current + 1 :] if v.status != t.FINISHED else ())
        # 3./4. Elapsed time is the running time, however the steps were visited.
        assert v.total_elapsed == pytest.approx(running_time, abs=1e-4)
        assert sum(state.used) + (
            clock.now - state.running_since if state.running_since is not None else 0
        ) == pytest.approx(running_time, abs=1e-4)
        if action == "reopen" and before.status == t.FINISHED:
            assert state.status == t.PAUSED and state.current == len(plan) - 1
            assert v.total_elapsed == pytest.approx(t.view(before, clock.now).total_elapsed)
        if state.status == t.NOT_STARTED:
            assert v.allocations == state.plan and v.total_remaining == sum(plan)
        # Later looks at the same stored state: agreement at any moment, nothing moves while
        # not running, and the meeting's time runs exactly with the clock while running.
        for look in looks:
            w = _agree(state, clock.now + look)
            if state.status != t.RUNNING:
                assert w == v
            else:
                assert w.total_elapsed == pytest.approx(v.total_elapsed + look, abs=1e-6)
                assert w.step_remaining == pytest.approx(v.step_remaining - look, abs=1e-6)
