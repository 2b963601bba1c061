"""Timer arithmetic from timestamps, with an injected clock."""

from __future__ import annotations

import random

import pytest

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
        assert v.total_elapsed == pytest.approx(running_time, abs=1e-6)
        # While there is time left, the plan still ends on the minute.
        if v.status != t.FINISHED and v.total_elapsed + v.step_allocated < sum(PLAN):
            assert v.projected_total == pytest.approx(sum(PLAN), abs=1)
    assert sum(state.used) == pytest.approx(running_time, abs=1e-6)


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
