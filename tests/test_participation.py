"""Participants on their phones: the join code, what a phone shows and may send at each step,
the validation of what they type, and the storage on both back ends (``store`` / ``db_url``
run every storage test on SQLite and on PostgreSQL).

A phone knows only the join code: it never learns the team or the meeting id, it can send only
at the steps meant for it, and it is refused (nothing stored) when the link is closed or the
meeting's phones have sent too much.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, inspect, text

from facilitator import participation as pa
from facilitator import timer as t
from facilitator import validation as v
from facilitator.exercise import STEPS
from facilitator.records import (
    MEETING_GONE,
    PROPOSAL_GONE,
    THOUGHT_GONE,
    JoinRefused,
    PhoneMeeting,
    Thought,
)
from facilitator.storage import Storage, StorageError, Team, alembic_config, make_engine
from facilitator.storage.models import ProposalRow, ThoughtRow
from tests.test_migrations import _current, _head

TODAY = date(2026, 11, 22)
PLAN = [60, 180, 360, 180, 120]
FW = "\uff10\uff11\uff10\uff12\uff10\uff13\uff0d\uff11\uff12\uff13\uff14"  # 010203-1234

# --- Pure domain: the join code --------------------------------------------------------------


def test_the_step_constants_name_the_exercise_steps() -> None:
    keys = [s.key for s in STEPS]
    assert [keys[pa.READ], keys[pa.DISCUSS], keys[pa.KNOWLEDGE], keys[pa.FOLLOW_UP]] == [
        "read",
        "discuss",
        "knowledge",
        "follow_up",
    ]


def test_a_new_join_code_uses_only_the_alphabet_and_has_its_length() -> None:
    codes = {pa.new_join_code() for _ in range(300)}
    assert len(codes) == 300  # random, not a counter
    assert all(len(c) == pa.JOIN_LENGTH and set(c) <= set(pa.JOIN_ALPHABET) for c in codes)
    # No look-alikes to misread from the projector.
    assert not set("0o1li") & set(pa.JOIN_ALPHABET)
    assert len(set(pa.JOIN_ALPHABET)) == len(pa.JOIN_ALPHABET) == 31


def test_normalize_forgives_case_dashes_and_spaces() -> None:
    code = "abcdefghjkmn"
    for typed in (
        code,
        code.upper(),
        "ABCD-efgh-JKMN",
        "abcd efgh jkmn",
        " abcd - efgh - jkmn ",
        "a-b-c-d-e-f-g-h-j-k-m-n",
        "--abcdefghjkmn--",
    ):
        assert pa.normalize_join_code(typed) == code, typed


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        " ",
        "----",
        "abcdefghjkm",  # one short
        "abcdefghjkmnp",  # one too many
        "abcdefghjkm0",  # 0 is not in the alphabet
        "abcdefghjkmo",  # nor o
        "abcdefghjkm1",  # nor 1
        "abcdefghjkml",  # nor l
        "abcdefghjkmi",  # nor i
        "ABCDEFGHJKMI",  # upper-case I is i
        "abcd_efgh_jkmn",  # only dashes and spaces are ignored
        "abcd.efgh.jkmn",
        "abcd\tefgh\tjkmn",
        "abcdéfghjkmn",
        "ａｂｃｄｅｆｇｈｊｋｍｎ",  # full-width letters
        "' OR 1=1 --",
        "abcdefghjkmn" * 2,
        "a" + " " * 40 + "bcdefghjkmn",  # right once the spaces go, but far too long to read
        "x" * 10_000,
        "a" * 100_000,
    ],
)
def test_normalize_refuses_what_cannot_be_a_join_code(raw: str | None) -> None:
    assert pa.normalize_join_code(raw) is None


def test_display_code_groups_by_four() -> None:
    assert pa.display_code("abcdefghjkmn") == "abcd-efgh-jkmn"
    assert pa.normalize_join_code(pa.display_code("abcdefghjkmn")) == "abcdefghjkmn"


CODES = st.text(alphabet=pa.JOIN_ALPHABET, min_size=pa.JOIN_LENGTH, max_size=pa.JOIN_LENGTH)


@given(code=CODES, upper=st.booleans())
def test_any_code_survives_display_and_typing_back(code: str, upper: bool) -> None:
    shown = pa.display_code(code)
    assert len(shown) == pa.JOIN_LENGTH + 2 and shown.count("-") == 2
    typed = shown.upper() if upper else shown
    assert pa.normalize_join_code(typed) == code
    assert pa.normalize_join_code(typed.replace("-", " ")) == code


@pytest.mark.slow  # Hypothesis, 100 texts
@given(raw=st.text(max_size=60))
def test_normalize_gives_a_valid_code_or_none_for_any_text(raw: str) -> None:
    code = pa.normalize_join_code(raw)
    if code is not None:
        assert len(code) == pa.JOIN_LENGTH and set(code) <= set(pa.JOIN_ALPHABET)
        assert len(raw) <= 40


# --- Pure domain: when the link opens the page ------------------------------------------------

NOW = 1_800_000_000.0


@pytest.mark.parametrize("status", [t.NOT_STARTED, t.RUNNING, t.PAUSED])
def test_link_is_open_while_the_meeting_is_not_finished(status: str) -> None:
    assert pa.link_open(status, None, NOW - 3600, NOW)
    assert pa.link_open(status, None, None, NOW)  # no recorded draw time: no lifetime
    # A stale finished_at (from before a reopen) does not close a meeting that runs again.
    assert pa.link_open(status, NOW - 10 * pa.GRACE_SECONDS, NOW - 60, NOW)


def test_link_stays_open_for_the_grace_period_after_finishing() -> None:
    created = NOW - 3600
    assert pa.link_open(t.FINISHED, NOW, created, NOW)
    assert pa.link_open(t.FINISHED, NOW - pa.GRACE_SECONDS + 1, created, NOW)
    assert pa.link_open(t.FINISHED, NOW - pa.GRACE_SECONDS, created, NOW)
    assert not pa.link_open(t.FINISHED, NOW - pa.GRACE_SECONDS - 1, created, NOW)
    assert not pa.link_open(t.FINISHED, NOW - 5 * pa.GRACE_SECONDS, created, NOW)
    # Finished with no recorded time (before migration 0004): closed.
    assert not pa.link_open(t.FINISHED, None, created, NOW)


def test_no_link_lives_longer_than_its_lifetime() -> None:
    life = pa.LINK_LIFETIME_SECONDS
    assert pa.link_open(t.RUNNING, None, NOW - life, NOW)
    assert not pa.link_open(t.RUNNING, None, NOW - life - 1, NOW)
    assert not pa.link_open(t.PAUSED, None, NOW - 10 * life, NOW)
    # Within the grace period, but the code itself is too old.
    assert not pa.link_open(t.FINISHED, NOW - 60, NOW - life - 1, NOW)
    assert life > pa.GRACE_SECONDS


# --- Pure domain: what a phone shows at each step ---------------------------------------------


def _state(index: int, status: str = t.PAUSED) -> t.TimerState:
    return t.TimerState(plan=tuple(PLAN), status=status, current=index)


def test_phone_view_per_step() -> None:
    assert pa.phone_view(t.new_timer(PLAN)) == pa.PhoneView(
        story=False, back_side=False, thoughts=False, proposals=False
    )
    expected = {
        0: (False, False, False, False),
        1: (True, False, False, False),
        2: (True, False, True, False),
        3: (True, True, True, False),
        4: (True, True, False, True),
    }
    for status in (t.RUNNING, t.PAUSED):
        for index, (story, back, thoughts, proposals) in expected.items():
            assert pa.phone_view(_state(index, status)) == pa.PhoneView(
                story, back, thoughts, proposals
            ), (status, index)


@pytest.mark.parametrize("index", range(5))
def test_a_finished_meeting_shows_everything_and_takes_nothing(index: int) -> None:
    assert pa.phone_view(_state(index, t.FINISHED)) == pa.PhoneView(
        story=True, back_side=True, thoughts=False, proposals=False
    )


MOVES: dict[str, Callable[[t.TimerState, float], t.TimerState]] = {
    "start": t.start,
    "pause": t.pause,
    "resume": t.resume,
    "next": t.next_step,
    "back": t.previous_step,
    "finish": t.finish,
    "reopen": t.reopen,
}


@settings(max_examples=300, deadline=None)
@given(
    plan=st.lists(st.integers(1, 900), min_size=5, max_size=5),
    actions=st.lists(
        st.tuples(st.sampled_from(sorted(MOVES)), st.floats(0, 2000, allow_nan=False)),
        max_size=40,
    ),
)
def test_no_reachable_timer_shows_the_back_side_too_early(
    plan: list[int], actions: list[tuple[str, float]]
) -> None:
    """Whatever the facilitator presses: the back side (knowledge and inspiration) never shows
    before step 4 of a meeting that is not finished, the story never before step 2, and a
    phone can send only at the steps meant for it."""
    state = t.new_timer(plan)
    now = NOW
    for name, wait in actions:
        now += wait
        try:
            state = MOVES[name](state, now)
        except ValueError:  # only a finished meeting refuses a move
            assert state.status == t.FINISHED
        view = pa.phone_view(state)
        if state.status == t.FINISHED:
            assert view == pa.PhoneView(True, True, False, False)
            continue
        assert view.back_side == (state.current >= pa.KNOWLEDGE)
        assert view.story == (state.current >= pa.READ)
        assert view.thoughts == (state.current in (pa.DISCUSS, pa.KNOWLEDGE))
        assert view.proposals == (state.current == pa.FOLLOW_UP)
        assert not (view.thoughts and view.proposals)


# --- Pure domain: the flood guards ------------------------------------------------------------


def test_flood_message() -> None:
    assert pa.flood_message("thought", 0, 0) is None
    assert pa.flood_message("thought", pa.LINK_PER_MINUTE - 1, pa.MEETING_MAX_THOUGHTS - 1) is None
    assert pa.flood_message("thought", pa.LINK_PER_MINUTE, 0) == pa.LINK_FLOODED
    assert pa.flood_message("proposal", pa.LINK_PER_MINUTE + 5, 0) == pa.LINK_FLOODED
    assert pa.flood_message("thought", 0, pa.MEETING_MAX_THOUGHTS) == pa.MEETING_FULL_THOUGHTS
    assert pa.flood_message("proposal", 0, pa.MEETING_MAX_PROPOSALS) == pa.MEETING_FULL_PROPOSALS
    # Each cap counts its own kind: many thoughts do not stop a proposal.
    assert pa.flood_message("proposal", 0, pa.MEETING_MAX_PROPOSALS - 1) is None
    assert pa.MEETING_MAX_PROPOSALS < pa.MEETING_MAX_THOUGHTS
    # The rate limit is told first: waiting helps there.
    assert pa.flood_message("thought", pa.LINK_PER_MINUTE, pa.MEETING_MAX_THOUGHTS) == (
        pa.LINK_FLOODED
    )
    assert str(pa.MEETING_MAX_THOUGHTS) in pa.MEETING_FULL_THOUGHTS
    assert str(pa.MEETING_MAX_PROPOSALS) in pa.MEETING_FULL_PROPOSALS


def test_phone_wait() -> None:
    assert pa.phone_wait([], NOW) == 0
    assert pa.phone_wait([NOW], NOW) == pytest.approx(pa.PHONE_MIN_INTERVAL)
    assert pa.phone_wait([NOW - 1], NOW) == pytest.approx(pa.PHONE_MIN_INTERVAL - 1)
    assert pa.phone_wait([NOW - pa.PHONE_MIN_INTERVAL], NOW) == 0
    assert pa.phone_wait([NOW - 120], NOW) == 0
    # Ten sends 4 s apart: the eleventh waits until the first is a minute old.
    ten = [NOW - 40 + 4 * i for i in range(pa.PHONE_PER_MINUTE)]
    assert pa.phone_wait(ten, NOW + 4) == pytest.approx(60 - 44)
    assert pa.phone_wait(ten, NOW + 20) == 0
    assert pa.phone_wait(ten[1:], NOW + 4) == 0  # nine in the last minute: only the interval


TIMES = st.floats(0, 200, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(ages=st.lists(TIMES, max_size=25), now=st.floats(1e9, 2e9, allow_nan=False))
def test_phone_wait_is_never_negative_and_waiting_it_is_enough(
    ages: list[float], now: float
) -> None:
    sent = sorted(now - age for age in ages)
    wait = pa.phone_wait(sent, now)
    assert 0 <= wait <= 60
    assert pa.phone_wait(sent, now + wait) == 0


@settings(max_examples=200, deadline=None)
@given(
    pauses=st.lists(st.floats(0, 30, allow_nan=False), min_size=1, max_size=40),
    start=st.floats(1e9, 2e9, allow_nan=False),
)
def test_a_page_that_always_waits_keeps_both_limits(pauses: list[float], start: float) -> None:
    """A page that sends as soon as phone_wait allows, after any pauses of its own, never sends
    two within PHONE_MIN_INTERVAL nor more than PHONE_PER_MINUTE in any minute."""
    sent: list[float] = []
    now = start
    for pause in pauses:
        now += pause
        now += pa.phone_wait(sent, now)
        assert pa.phone_wait(sent, now) == 0
        sent.append(now)
    for i, at in enumerate(sent):
        if i:
            assert at - sent[i - 1] >= pa.PHONE_MIN_INTERVAL - 1e-6
        assert sum(1 for s in sent if at - 60 < s <= at) <= pa.PHONE_PER_MINUTE


# --- Validation -------------------------------------------------------------------------------


def _refused(call: Callable[[], object]) -> str:
    with pytest.raises(v.InputError) as err:
        call()
    return str(err.value)


def test_thought_is_cleaned_and_required() -> None:
    assert v.thought("  Vi ringer til jobcentret.  ", pa.MAX_THOUGHT) == "Vi ringer til jobcentret."
    assert v.thought("Linje et\nlinje to", pa.MAX_THOUGHT) == "Linje et\nlinje to"
    assert v.thought("Zo\u200be", pa.MAX_THOUGHT) == "Zoe"  # invisible characters go
    assert v.thought("👩🏽‍💼 مرحبا", pa.MAX_THOUGHT) == "👩🏽‍💼 مرحبا"
    for empty in (None, "", "   ", "\n\t ", "\u200b\u200b", "\u2066\u2069"):
        assert _refused(lambda e=empty: v.thought(e, pa.MAX_THOUGHT)) == (
            "Skriv en tanke, før du sender."
        )


def test_thought_has_a_limit() -> None:
    assert v.thought("a" * pa.MAX_THOUGHT, pa.MAX_THOUGHT) == "a" * pa.MAX_THOUGHT
    # Spaces around it and invisible characters do not count.
    assert v.thought(" " + "a" * pa.MAX_THOUGHT + "\u200b ", pa.MAX_THOUGHT)
    msg = _refused(lambda: v.thought("a" * (pa.MAX_THOUGHT + 1), pa.MAX_THOUGHT))
    assert msg == (
        "Tanken er for lang (501 tegn; højst 500). Den er ikke sendt – teksten står stadig i "
        "feltet."
    )
    assert "(20.001 tegn; højst 20.000)" in _refused(lambda: v.thought("a" * 20_001, 20_000))


@pytest.mark.parametrize(
    "raw",
    [
        "010203-1234",
        "Borgeren 0102031234 ringede",
        "010203 1234",
        "010203\u20131234",
        "01.02.03-1234",
        "01\u200b0203-1234",  # zero-width space inside
        "0102\u200d03-1234",  # zero-width joiner inside
        "\ufeff010203-1234",
        "010203-\n1234",
        FW,  # full-width digits and dash
        "610203-1234",  # replacement number
    ],
)
def test_thought_and_proposal_refuse_cpr_numbers(raw: str) -> None:
    msg = _refused(lambda: v.thought(raw, pa.MAX_THOUGHT))
    assert msg.startswith("Tanken: Teksten ser ud til at indeholde et CPR-nummer")
    assert "1234" not in msg and "\uff11\uff12\uff13\uff14" not in msg  # masked
    msg = _refused(lambda: v.proposal(None, f"Ring om {raw}", None, TODAY, pa.MAX_PROPOSAL))
    assert msg.startswith("Hvad: Teksten ser ud til at indeholde et CPR-nummer")
    msg = _refused(lambda: v.proposal(raw, "Ring til jobcentret", None, TODAY, pa.MAX_PROPOSAL))
    assert msg.startswith("Navn: Teksten ser ud til at indeholde et CPR-nummer")


def test_thought_leaves_ordinary_numbers_alone() -> None:
    for ok in ("Ring 70 12 34 56 kl. 10.30", "Mødet 01.02.2026", "Ydelsen er 12.345 kr."):
        assert v.thought(ok, pa.MAX_THOUGHT) == ok


def test_proposal_name_is_optional_and_cleaned() -> None:
    assert v.proposal(None, "Ring til sprogskolen", None, TODAY, pa.MAX_PROPOSAL) == (
        None,
        "Ring til sprogskolen",
    )
    for blank in ("", "   ", "\u200b"):
        assert v.proposal(blank, " Ring ", None, TODAY, pa.MAX_PROPOSAL) == (None, "Ring")
    assert v.proposal("  Anne \n  Berg ", "Ring", TODAY, TODAY, pa.MAX_PROPOSAL) == (
        "Anne Berg",
        "Ring",
    )
    later = TODAY + timedelta(days=14)
    assert v.proposal("Bo", "Ring", later, TODAY, pa.MAX_PROPOSAL) == ("Bo", "Ring")


def test_proposal_refusals_are_danish() -> None:
    def call(who: str | None, what: str | None, due: date | None = None) -> str:
        return _refused(lambda: v.proposal(who, what, due, TODAY, pa.MAX_PROPOSAL))

    for empty in (None, "", "  \n ", "\u200b"):
        assert call("Anne", empty) == "Skriv, hvad du vil følge op på."
    assert call(None, "a" * (pa.MAX_PROPOSAL + 1)) == (
        "»Hvad« må højst have 500 tegn. Intet er sendt."
    )
    assert v.proposal(None, "a" * pa.MAX_PROPOSAL, None, TODAY, pa.MAX_PROPOSAL)[1]
    assert call("A" * (v.MAX_NAME + 1), "Ring") == (
        f"Navnet må højst have {v.MAX_NAME} tegn. Intet er sendt."
    )
    assert v.proposal("A" * v.MAX_NAME, "Ring", None, TODAY, pa.MAX_PROPOSAL)[0]
    assert call("Anne", "Ring", TODAY - timedelta(days=1)) == (
        "Fristen ligger i fortiden. Vælg i dag eller en senere dato."
    )


# --- Storage: helpers -------------------------------------------------------------------------


def _team(store: Storage, name: str = "Team Nord") -> Team:
    teams: dict[str, Team] = store.__dict__.setdefault("_test_teams", {})
    if name not in teams:
        teams[name] = store.create_team(name)[0]
    return teams[name]


def _meeting(store: Storage, team: str = "Team Nord", case: int = 9) -> tuple[int, str]:
    team_obj = _team(store, team)
    mid = store.create_meeting(team_obj, TODAY, case, ["Anne", "Bo"], PLAN)
    return team_obj.id, mid


def _at(store: Storage, tid: int, mid: str, index: int) -> None:
    """The meeting paused at step ``index`` (0-based), as the facilitator's Next/Back do."""
    store.update_timer(tid, mid, lambda s: t.go_to(s, index, 1000.0))


def _finish(store: Storage, tid: int, mid: str) -> None:
    store.update_timer(tid, mid, lambda s: t.finish(s, 2000.0))


def _reopen(store: Storage, tid: int, mid: str) -> None:
    store.update_timer(tid, mid, lambda s: t.reopen(s, 3000.0))


def _count(store: Storage, table: str, mid: str) -> int:
    with store.engine.connect() as conn:
        return int(
            conn.execute(
                text(f"SELECT count(*) FROM {table} WHERE meeting_id = :mid"), {"mid": mid}
            ).scalar_one()
        )


def _refused_join(call: Callable[[], object]) -> str:
    with pytest.raises(JoinRefused) as err:
        call()
    return str(err.value)


def _storage_error(call: Callable[[], object]) -> str:
    with pytest.raises(StorageError) as err:
        call()
    assert not isinstance(err.value, JoinRefused)
    return str(err.value)


# --- Storage: the join code -------------------------------------------------------------------


def test_join_code_is_stable_and_unique_per_meeting(store: Storage) -> None:
    tid, mid = _meeting(store)
    _, other = _meeting(store)
    code = store.join_code(tid, mid)
    assert pa.normalize_join_code(code) == code
    assert store.join_code(tid, mid) == code
    assert Storage(store.url).join_code(tid, mid) == code  # a fresh connection: the same
    assert store.join_code(tid, other) != code
    # Separate from the team's code and from the meeting's id.
    assert code not in mid


def test_join_code_of_another_teams_meeting_is_refused(store: Storage) -> None:
    tid, mid = _meeting(store)
    other_tid, _ = _meeting(store, "Team Syd")
    assert _storage_error(lambda: store.join_code(other_tid, mid)) == MEETING_GONE
    assert _storage_error(lambda: store.renew_join_code(other_tid, mid)) == MEETING_GONE
    assert _storage_error(lambda: store.join_code(tid, "does-not-exist")) == MEETING_GONE
    code = store.join_code(tid, mid)
    assert _storage_error(lambda: store.renew_join_code(other_tid, mid)) == MEETING_GONE
    assert store.join_code(tid, mid) == code  # the failed renewal changed nothing
    assert store.phone_meeting(code) is not None


def test_a_join_code_drawn_twice_is_drawn_again(
    store: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    tid, mid = _meeting(store)
    _, other = _meeting(store)
    draws = iter(["aaaaaaaaaaaa", "aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    monkeypatch.setattr(pa, "new_join_code", lambda: next(draws))
    assert store.join_code(tid, mid) == "aaaaaaaaaaaa"
    assert store.join_code(tid, other) == "bbbbbbbbbbbb"
    assert store.phone_meeting("aaaa-aaaa-aaaa") is not None


def test_renewing_the_join_code_stops_the_old_one(store: Storage) -> None:
    tid, mid = _meeting(store)
    old = store.join_code(tid, mid)
    new = store.renew_join_code(tid, mid)
    assert new != old and store.join_code(tid, mid) == new
    assert store.phone_meeting(old) is None
    assert store.phone_meeting(new) is not None
    _at(store, tid, mid, pa.DISCUSS)
    assert _refused_join(lambda: store.add_thought(old, 0, "Hej")) == pa.JOIN_CLOSED
    store.add_thought(new, 0, "Hej")


def test_phone_meeting_is_none_for_unknown_or_garbage_codes(store: Storage) -> None:
    tid, mid = _meeting(store)
    code = store.join_code(tid, mid)
    unknown = "".join("b" if c != "b" else "c" for c in code)
    for bad in (None, "", unknown, code[:-1], code + "b", "' OR 1=1 --", "x" * 10_000, mid):
        assert store.phone_meeting(bad) is None, bad
    found = store.phone_meeting(pa.display_code(code).upper())  # as typed from the projector
    assert found is not None


def test_phone_meeting_carries_no_team_or_meeting_id(store: Storage) -> None:
    tid, mid = _meeting(store, case=7)
    code = store.join_code(tid, mid)
    _at(store, tid, mid, pa.READ)
    found = store.phone_meeting(code)
    assert isinstance(found, PhoneMeeting)
    assert {f.name for f in dataclasses.fields(PhoneMeeting)} == {
        "case_number",
        "meeting_date",
        "timer",
    }
    assert found.case_number == 7 and found.meeting_date == TODAY
    assert found.timer.current == pa.READ and found.timer.status == t.PAUSED
    assert mid not in repr(found) and "Team Nord" not in repr(found) and "Anne" not in repr(found)


def test_phone_meeting_follows_the_meetings_life(store: Storage) -> None:
    tid, mid = _meeting(store)
    code = store.join_code(tid, mid)
    assert store.phone_meeting(code) is not None  # not started yet: the page waits
    _at(store, tid, mid, pa.FOLLOW_UP)
    _finish(store, tid, mid)
    now = time.time()
    assert store.phone_meeting(code, now=now) is not None
    assert store.phone_meeting(code, now=now + pa.GRACE_SECONDS - 60) is not None
    assert store.phone_meeting(code, now=now + pa.GRACE_SECONDS + 60) is None
    _reopen(store, tid, mid)  # reopened: open again, with no grace period counting
    assert store.phone_meeting(code, now=now + pa.GRACE_SECONDS + 60) is not None
    assert store.phone_meeting(code, now=now + pa.LINK_LIFETIME_SECONDS + 60) is None
    store.delete_meeting(tid, mid)
    assert store.phone_meeting(code) is None
    assert _refused_join(lambda: store.add_thought(code, 0, "Hej")) == pa.JOIN_CLOSED


def test_finishing_records_when_and_reopening_clears_it(store: Storage) -> None:
    tid, mid = _meeting(store)

    def finished_at() -> float | None:
        with store.engine.connect() as conn:
            value = conn.execute(
                text("SELECT finished_at FROM meetings WHERE id = :mid"), {"mid": mid}
            ).scalar_one()
            return None if value is None else float(value)

    assert finished_at() is None
    _at(store, tid, mid, pa.FOLLOW_UP)
    before = time.time()
    store.update_timer(tid, mid, lambda s: t.next_step(s, 2000.0))  # Next on the last step
    stamped = finished_at()
    assert stamped is not None and before - 1 <= stamped <= time.time() + 1
    store.update_timer(tid, mid, lambda s: s)  # a change that keeps it finished keeps the time
    assert finished_at() == stamped
    _reopen(store, tid, mid)
    assert finished_at() is None


# --- Storage: the phone sends -----------------------------------------------------------------


def test_thoughts_only_at_the_discussion_steps(store: Storage) -> None:
    tid, mid = _meeting(store)
    code = store.join_code(tid, mid)
    empty = store.participation_signature(mid)
    assert _refused_join(lambda: store.add_thought(code, 0, "For tidligt")) == pa.NOT_NOW_THOUGHTS
    for index in (0, pa.READ, pa.FOLLOW_UP):
        _at(store, tid, mid, index)
        assert _refused_join(lambda: store.add_thought(code, 0, "Nej")) == pa.NOT_NOW_THOUGHTS
    assert store.thoughts(tid, mid) == [] and store.participation_signature(mid) == empty
    _at(store, tid, mid, pa.DISCUSS)
    store.add_thought(code, 0, "Ved trin 3")
    _at(store, tid, mid, pa.KNOWLEDGE)
    store.update_timer(tid, mid, lambda s: t.start(s, 1500.0))  # running as well as paused
    store.add_thought(code, 1, "Ved trin 4")
    _finish(store, tid, mid)
    assert _refused_join(lambda: store.add_thought(code, 0, "Efter")) == pa.NOT_NOW_THOUGHTS
    assert [th.text for th in store.thoughts(tid, mid)] == ["Ved trin 3", "Ved trin 4"]
    for question in (-1, 50):
        _reopen(store, tid, mid)
        _at(store, tid, mid, pa.DISCUSS)
        assert "Spørgsmålet findes ikke" in _refused_join(
            lambda q=question: store.add_thought(code, q, "Hej")
        )
    assert len(store.thoughts(tid, mid)) == 2


def test_proposals_only_at_the_follow_up_step(store: Storage) -> None:
    tid, mid = _meeting(store)
    code = store.join_code(tid, mid)
    for index in (0, pa.READ, pa.DISCUSS, pa.KNOWLEDGE):
        _at(store, tid, mid, index)
        assert (
            _refused_join(lambda: store.add_proposal(code, "Anne", "Ring", None))
            == pa.NOT_NOW_PROPOSALS
        )
    assert store.proposals(tid, mid) == []
    _at(store, tid, mid, pa.FOLLOW_UP)
    due = TODAY + timedelta(days=7)
    first = store.add_proposal(code, "Anne", "Ring til sprogskolen", due)
    second = store.add_proposal(code, None, "Find en mentor", None)
    assert [(p.id, p.who, p.what, p.due) for p in store.proposals(tid, mid)] == [
        (first, "Anne", "Ring til sprogskolen", due),
        (second, None, "Find en mentor", None),
    ]
    _finish(store, tid, mid)
    assert (
        _refused_join(lambda: store.add_proposal(code, None, "Sent", None)) == pa.NOT_NOW_PROPOSALS
    )
    assert len(store.proposals(tid, mid)) == 2


def test_the_link_flood_guard_counts_all_phones_for_a_minute(store: Storage) -> None:
    tid, mid = _meeting(store)
    _, other = _meeting(store)
    code = store.join_code(tid, mid)
    other_code = store.join_code(tid, other)
    _at(store, tid, mid, pa.KNOWLEDGE)
    _at(store, tid, other, pa.DISCUSS)
    start = time.time()
    for i in range(pa.LINK_PER_MINUTE):
        store.add_thought(code, i % 3, f"Tanke {i}", now=start)
    signature = store.participation_signature(mid)
    assert _refused_join(lambda: store.add_thought(code, 0, "En for meget", now=start + 30)) == (
        pa.LINK_FLOODED
    )
    # Proposals count with the thoughts: the same phones, the same minute.
    _at(store, tid, mid, pa.FOLLOW_UP)
    assert _refused_join(lambda: store.add_proposal(code, None, "Ring", None, now=start + 59)) == (
        pa.LINK_FLOODED
    )
    assert store.participation_signature(mid) == signature
    # Another meeting's phones are not held back.
    store.add_thought(other_code, 0, "Andet møde", now=start + 30)
    # A minute later the meeting's phones may send again.
    store.add_proposal(code, None, "Ring", None, now=start + 61)
    _at(store, tid, mid, pa.KNOWLEDGE)
    store.add_thought(code, 0, "Igen", now=start + 61)
    assert len(store.thoughts(tid, mid)) == pa.LINK_PER_MINUTE + 1


def _old_rows(
    store: Storage, table: type[ThoughtRow] | type[ProposalRow], mid: str, n: int
) -> None:
    """``n`` rows sent long ago (outside the flood guard's minute), in one statement."""
    long_ago = time.time() - 3600
    if table is ThoughtRow:
        values: list[dict[str, object]] = [
            {
                "meeting_id": mid,
                "question": 0,
                "text": f"Gammel {i}",
                "hidden": False,
                "copied": False,
                "created": long_ago,
            }
            for i in range(n)
        ]
    else:
        values = [{"meeting_id": mid, "what": f"Gammel {i}", "created": long_ago} for i in range(n)]
    with store.engine.begin() as conn:
        conn.execute(insert(table), values)


def test_a_meeting_takes_at_most_so_many_thoughts_and_proposals(store: Storage) -> None:
    tid, mid = _meeting(store)
    code = store.join_code(tid, mid)
    _old_rows(store, ThoughtRow, mid, pa.MEETING_MAX_THOUGHTS - 1)
    _at(store, tid, mid, pa.DISCUSS)
    store.add_thought(code, 0, "Den sidste")
    assert _refused_join(lambda: store.add_thought(code, 0, "En for meget")) == (
        pa.MEETING_FULL_THOUGHTS
    )
    assert _count(store, "thoughts", mid) == pa.MEETING_MAX_THOUGHTS
    _at(store, tid, mid, pa.FOLLOW_UP)
    _old_rows(store, ProposalRow, mid, pa.MEETING_MAX_PROPOSALS - 1)
    store.add_proposal(code, None, "Det sidste", None)  # a full thought box stops no proposal
    assert _refused_join(lambda: store.add_proposal(code, None, "Et for meget", None)) == (
        pa.MEETING_FULL_PROPOSALS
    )
    assert _count(store, "proposals", mid) == pa.MEETING_MAX_PROPOSALS


def test_the_thoughts_table_cannot_identify_a_sender(store: Storage) -> None:
    columns = {c["name"] for c in inspect(store.engine).get_columns("thoughts")}
    assert columns == {"id", "meeting_id", "question", "text", "hidden", "copied", "created"}
    # A proposal keeps a name only if the participant typed one.
    columns = {c["name"] for c in inspect(store.engine).get_columns("proposals")}
    assert columns == {"id", "meeting_id", "who", "what", "due", "created"}


# --- Storage: the facilitator's side ----------------------------------------------------------


def test_thoughts_are_ordered_by_question_and_scoped_to_the_team(store: Storage) -> None:
    tid, mid = _meeting(store)
    other_tid, other_mid = _meeting(store, "Team Syd")
    code = store.join_code(tid, mid)
    _at(store, tid, mid, pa.DISCUSS)
    ids = [store.add_thought(code, q, txt) for q, txt in ((1, "B"), (0, "A"), (1, "C"), (0, "D"))]
    assert store.thoughts(tid, mid) == [
        Thought(ids[1], 0, "A", False, False),
        Thought(ids[3], 0, "D", False, False),
        Thought(ids[0], 1, "B", False, False),
        Thought(ids[2], 1, "C", False, False),
    ]
    assert store.thoughts(other_tid, other_mid) == []
    assert _storage_error(lambda: store.thoughts(other_tid, mid)) == MEETING_GONE
    assert _storage_error(lambda: store.proposals(other_tid, mid)) == MEETING_GONE
    assert _storage_error(lambda: store.thoughts(tid, "does-not-exist")) == MEETING_GONE


def test_hiding_and_deleting_a_thought_is_scoped_to_team_and_meeting(store: Storage) -> None:
    tid, mid = _meeting(store)
    _, second = _meeting(store)
    other_tid, _ = _meeting(store, "Team Syd")
    code = store.join_code(tid, mid)
    second_code = store.join_code(tid, second)
    _at(store, tid, mid, pa.DISCUSS)
    _at(store, tid, second, pa.DISCUSS)
    mine = store.add_thought(code, 0, "Min")
    theirs = store.add_thought(second_code, 0, "Deres")

    store.set_thought_hidden(tid, mid, mine, True)
    assert store.thoughts(tid, mid)[0].hidden
    store.set_thought_hidden(tid, mid, mine, False)
    assert not store.thoughts(tid, mid)[0].hidden

    # A thought of another meeting, even of the same team, is not found through this one.
    assert _storage_error(lambda: store.set_thought_hidden(tid, mid, theirs, True)) == THOUGHT_GONE
    assert _storage_error(lambda: store.delete_thought(tid, mid, theirs)) == THOUGHT_GONE
    assert _storage_error(lambda: store.copy_thought_to_note(tid, mid, theirs, "q0")) == (
        THOUGHT_GONE
    )
    # Another team's id gets the meeting's message, never the thought.
    assert _storage_error(lambda: store.set_thought_hidden(other_tid, mid, mine, True)) == (
        MEETING_GONE
    )
    assert _storage_error(lambda: store.delete_thought(other_tid, mid, mine)) == MEETING_GONE
    assert store.thoughts(tid, second) == [Thought(theirs, 0, "Deres", False, False)]
    assert store.notes(mid) == {}

    store.delete_thought(tid, mid, mine)
    assert store.thoughts(tid, mid) == []
    assert _storage_error(lambda: store.delete_thought(tid, mid, mine)) == THOUGHT_GONE
    assert _storage_error(lambda: store.set_thought_hidden(tid, mid, mine, True)) == THOUGHT_GONE
    assert len(store.thoughts(tid, second)) == 1


def test_the_signature_changes_with_every_change(store: Storage) -> None:
    tid, mid = _meeting(store)
    code = store.join_code(tid, mid)
    _at(store, tid, mid, pa.DISCUSS)
    seen = [store.participation_signature(mid)]

    def changed() -> None:
        now = store.participation_signature(mid)
        assert now != seen[-1]
        seen.append(now)

    first = store.add_thought(code, 0, "Et")
    changed()
    second = store.add_thought(code, 1, "To")
    changed()
    store.set_thought_hidden(tid, mid, first, True)
    changed()
    store.copy_thought_to_note(tid, mid, second, "q1")
    changed()
    store.delete_thought(tid, mid, first)
    changed()
    _at(store, tid, mid, pa.FOLLOW_UP)
    proposal = store.add_proposal(code, None, "Ring", None)
    changed()
    store.dismiss_proposal(tid, mid, proposal)
    changed()
    accepted = store.add_proposal(code, None, "Skriv", None)
    changed()
    meeting = store.get_meeting(mid)
    assert meeting
    store.accept_proposal(meeting, accepted, "Bo", "Skriv", None)
    changed()
    assert store.participation_signature(mid) == seen[-1]  # reading changes nothing


def test_copying_a_thought_appends_it_to_the_note_once(store: Storage) -> None:
    tid, mid = _meeting(store)
    code = store.join_code(tid, mid)
    _at(store, tid, mid, pa.DISCUSS)
    first = store.add_thought(code, 0, "Spørg sprogskolen")
    second = store.add_thought(code, 0, "Brug en tolk")
    # Into an empty note: the thought is the note.
    assert store.copy_thought_to_note(tid, mid, first, "q0") == 1
    assert store.notes(mid) == {"q0": "Spørg sprogskolen"}
    assert store.copy_thought_to_note(tid, mid, first, "q0") == 1  # twice copies once
    assert store.notes(mid) == {"q0": "Spørg sprogskolen"}
    assert [th.copied for th in store.thoughts(tid, mid)] == [True, False]

    # Into a note the facilitator wrote: kept, the thought on a line of its own.
    store.save_note(tid, mid, "q1", "Vores egen tekst\n\n", 0)
    assert store.copy_thought_to_note(tid, mid, second, "q1") == 2
    assert store.note_entries(mid)["q1"].text == "Vores egen tekst\nBrug en tolk"
    assert store.copy_thought_to_note(tid, mid, first, "q1") == 3
    assert store.notes(mid)["q1"] == "Vores egen tekst\nBrug en tolk\nSpørg sprogskolen"
    assert store.note_revisions(mid) == {"q0": 1, "q1": 3}
    assert all(th.copied for th in store.thoughts(tid, mid))


def test_copying_a_thought_of_several_lines_twice_copies_it_once(store: Storage) -> None:
    tid, mid = _meeting(store)
    code = store.join_code(tid, mid)
    _at(store, tid, mid, pa.DISCUSS)
    thought = store.add_thought(code, 0, "Første linje\nAnden linje")
    store.save_note(tid, mid, "q0", "Noten", 0)
    assert store.copy_thought_to_note(tid, mid, thought, "q0") == 2
    assert store.copy_thought_to_note(tid, mid, thought, "q0") == 2
    assert store.notes(mid)["q0"] == "Noten\nFørste linje\nAnden linje"


def test_accepting_a_proposal_makes_one_follow_up(store: Storage) -> None:
    tid, mid = _meeting(store)
    code = store.join_code(tid, mid)
    _at(store, tid, mid, pa.FOLLOW_UP)
    proposal = store.add_proposal(code, None, "Ring til sprogskolen", None)
    kept = store.add_proposal(code, "Bo", "Find en mentor", None)
    meeting = store.get_meeting(mid)
    assert meeting
    due = TODAY + timedelta(days=14)
    # The facilitator may fill in who and edit the text.
    fid = store.accept_proposal(meeting, proposal, "Anne", "Ring til sprogskolen i dag", due)
    assert store.accept_proposal(meeting, proposal, "Anne", "Ring", due) == fid  # double click
    (follow_up,) = store.follow_ups(tid, meeting_id=mid)
    assert (follow_up.id, follow_up.who, follow_up.what, follow_up.due) == (
        fid,
        "Anne",
        "Ring til sprogskolen i dag",
        due,
    )
    assert follow_up.case_number == 9 and not follow_up.done
    assert [p.id for p in store.proposals(tid, mid)] == [kept]


def test_a_dismissed_proposal_cannot_be_accepted(store: Storage) -> None:
    tid, mid = _meeting(store)
    _, second = _meeting(store)
    other_tid, _ = _meeting(store, "Team Syd")
    code = store.join_code(tid, mid)
    second_code = store.join_code(tid, second)
    _at(store, tid, mid, pa.FOLLOW_UP)
    _at(store, tid, second, pa.FOLLOW_UP)
    proposal = store.add_proposal(code, None, "Ring", None)
    elsewhere = store.add_proposal(second_code, None, "Andet møde", None)
    meeting = store.get_meeting(mid)
    assert meeting

    assert _storage_error(lambda: store.dismiss_proposal(other_tid, mid, proposal)) == (
        MEETING_GONE
    )
    foreign = dataclasses.replace(meeting, team=_team(store, "Team Syd"))
    assert _storage_error(lambda: store.accept_proposal(foreign, proposal, "A", "B", None)) == (
        MEETING_GONE
    )
    # A proposal of another meeting is not reached through this one.
    assert _storage_error(lambda: store.dismiss_proposal(tid, mid, elsewhere)) == PROPOSAL_GONE
    assert _storage_error(lambda: store.accept_proposal(meeting, elsewhere, "A", "B", None)) == (
        PROPOSAL_GONE
    )
    assert [p.id for p in store.proposals(tid, second)] == [elsewhere]

    store.dismiss_proposal(tid, mid, proposal)
    assert store.proposals(tid, mid) == []
    assert _storage_error(lambda: store.accept_proposal(meeting, proposal, "A", "B", None)) == (
        PROPOSAL_GONE
    )
    assert _storage_error(lambda: store.dismiss_proposal(tid, mid, proposal)) == PROPOSAL_GONE
    assert store.follow_ups(tid) == []


def test_deleting_the_meeting_deletes_its_thoughts_and_proposals(store: Storage) -> None:
    tid, mid = _meeting(store)
    _, kept = _meeting(store)
    code = store.join_code(tid, mid)
    kept_code = store.join_code(tid, kept)
    for m, c in ((mid, code), (kept, kept_code)):
        _at(store, tid, m, pa.DISCUSS)
        store.add_thought(c, 0, "Tanke")
        _at(store, tid, m, pa.FOLLOW_UP)
        store.add_proposal(c, None, "Forslag", None)
    store.delete_meeting(tid, mid)
    assert _count(store, "thoughts", mid) == 0 and _count(store, "proposals", mid) == 0
    assert _count(store, "thoughts", kept) == 1 and _count(store, "proposals", kept) == 1
    store.delete_team(tid)
    assert _count(store, "thoughts", kept) == 0 and _count(store, "proposals", kept) == 0


# --- Migration --------------------------------------------------------------------------------


def test_upgrading_from_0003_keeps_meetings_without_a_join_code(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0003")
    finally:
        engine.dispose()
    old = Storage(db_url)  # the queries of a meeting use only the columns 0003 has
    team = old.create_team("Team Nord")[0]
    mid = old.create_meeting(team, TODAY, 9, ["Anne", "Bo"], PLAN)
    old.update_timer(team.id, mid, lambda s: t.start(s, 1000.0))
    before = old.get_meeting(mid)
    old.dispose()
    assert _current(db_url) == "0003"

    new = Storage(db_url)
    new.create_schema()
    try:
        assert _current(db_url) == _head()
        assert new.get_meeting(mid) == before
        with new.engine.connect() as conn:
            row = conn.execute(
                text("SELECT join_code, join_created, finished_at FROM meetings WHERE id = :m"),
                {"m": mid},
            ).one()
        assert tuple(row) == (None, None, None)
        code = new.join_code(team.id, mid)  # drawn when first asked for
        found = new.phone_meeting(code)
        assert found is not None and found.timer.status == t.RUNNING
    finally:
        new.dispose()
