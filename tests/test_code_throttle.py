"""Team codes (issue 20, point 2): every attempt costs the same whether or not its lookup key
belongs to a team, and no stranger can lock a known team out – the right code typed on a new
computer is slowed by other people's wrong guesses, never refused, and answered within
``KEY_MAX_WAIT``. And »Opret team« is counted per client (point 6)."""

from __future__ import annotations

import contextlib
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitator import teamcode
from facilitator.records import CreateThrottled, Throttled
from facilitator.storage import Storage
from facilitator.storage import teams as team_queries

_REAL_HASH = teamcode.hash_code


class FakeTime:
    """The clock ``storage.teams`` sees: ``sleep`` moves it on at once (and may run what other
    clients do meanwhile); every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 2_000_000_000.0
        self.slept: list[float] = []
        self.meanwhile: Callable[[], None] | None = None

    def time(self) -> float:
        return self.now

    def perf_counter(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        hook, self.meanwhile = self.meanwhile, None
        if hook is not None:
            hook()  # other clients' attempts while this one waits: the clock stays
        self.now += seconds


@contextmanager
def fake_world(count: list[int] | None = None) -> Iterator[FakeTime]:
    """A fake clock for the throttle and a cheap hash (1,000 rounds, counted in ``count``)."""
    clock = FakeTime()

    def cheap_hash(code: str, salt: bytes | None = None, iterations: int = 0) -> str:
        if count is not None:
            count.append(1)
        return _REAL_HASH(code, salt, iterations or 1_000)  # a stored hash keeps its rounds

    dummy = _REAL_HASH("0000-0000-0000-0000", b"borgercases-dummy", 1_000)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(team_queries, "time", clock)
        mp.setattr(teamcode, "hash_code", cheap_hash)
        mp.setattr(team_queries, "_dummy", lambda: (dummy, 0.045))
        yield clock


def _wrong(code: str) -> str:
    return code[:5] + ("2222" if code[5:9] != "2222" else "3333") + code[9:]


def _missing_key(store: Storage) -> str:
    while True:
        code, key = teamcode.new_code()
        with store.engine.connect() as conn:
            taken = conn.exec_driver_sql(
                "SELECT 1 FROM teams WHERE access_key = ?"
                if store.sqlite
                else "SELECT 1 FROM teams WHERE access_key = %s",
                (key,),
            ).first()
        if taken is None:
            return code


# --- the same work whether or not the lookup key exists -----------------------------------


def test_every_attempt_costs_exactly_one_hash_and_a_refused_one_none(store: Storage) -> None:
    """On main a code whose lookup key matched no team ran no hash at all (2 ms against
    45 ms): the time told whether a team has that key."""
    team, code = store.create_team("Team")
    hashes: list[int] = []
    with fake_world(hashes) as clock:
        for label, guess in [
            ("existing key, wrong secret", _wrong(code)),
            ("missing key", _missing_key(store)),
            ("malformed", "ABC-12"),
        ]:
            hashes.clear()
            assert store.open_team(guess, f"198.51.100.{len(label)}") is None
            assert len(hashes) == 1, label
        # A blocked client: refused as cheaply (no hash) and as slowly for either kind of key.
        for n in range(team_queries.FREE_FAILURES + 1):
            assert store.open_team(_missing_key(store), "203.0.113.1") is None, n
        for guess in (_wrong(code), _missing_key(store), code):
            hashes.clear()
            clock.slept.clear()
            with pytest.raises(Throttled):
                store.open_team(guess, "203.0.113.1")
            assert hashes == [] and clock.slept == [team_queries._dummy()[1]]
    assert store.open_team(code, "198.51.100.200") == team


# --- no stranger locks a known team out ---------------------------------------------------


def test_guessing_one_teams_secret_slows_that_key_and_never_refuses_it(store: Storage) -> None:
    team, code = store.create_team("Team")
    other, other_code = store.create_team("Andet")
    with fake_world() as clock:
        for n in range(team_queries.FREE_FAILURES + 1):
            assert store.open_team(_wrong(code), f"10.1.0.{n}") is None  # new address each time
        assert clock.slept == []  # the free ones were not slowed
        for n in range(30):  # a distributed attacker keeps the key hot …
            assert store.open_team(_wrong(code), f"10.3.0.{n}") is None
        assert 0 < max(clock.slept) <= team_queries.KEY_MAX_WAIT
        clock.slept.clear()
        assert store.open_team(code, "10.2.0.1") == team  # … the right code still opens
        assert 0 < sum(clock.slept) <= team_queries.KEY_MAX_WAIT
        clock.slept.clear()
        assert store.open_team(code, "10.2.0.2") == team  # and its success cooled the key
        assert store.open_team(other_code, "10.2.0.1") == other
        assert clock.slept == []  # other teams were never slowed


def test_a_remembered_computer_a_grant_or_a_member_never_needs_the_code(store: Storage) -> None:
    """They never type the code, so no throttle applies to them."""
    team, code = store.create_team("Team")
    session = store.grant_access(team.id)
    device = store.grant_access(team.id, device=True)
    store.add_member(team.id, "anne@kommune.dk")
    with fake_world():
        for n in range(40):  # the team's key hot, the shared address blocked
            with contextlib.suppress(Throttled):
                store.open_team(_wrong(code), "local" if n % 2 else f"10.4.0.{n}")
        with pytest.raises(Throttled):
            store.open_team(code, "local")
    assert store.team_for_grant(session) == team and store.team_for_grant(device) == team
    assert store.member_teams("anne@kommune.dk") == [team]


GUESS = st.tuples(
    st.sampled_from(["team key", "other team", "missing key", "malformed"]),
    st.integers(0, 6),  # which of seven attacker addresses
    st.floats(0, 120),  # seconds since the attempt before
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.lists(GUESS, max_size=30),
    meanwhile=st.lists(GUESS, max_size=10),
    after=st.lists(GUESS, max_size=5),
)
def test_the_right_code_from_a_fresh_client_always_opens_within_the_cap(
    before: list[tuple[str, int, float]],
    meanwhile: list[tuple[str, int, float]],
    after: list[tuple[str, int, float]],
) -> None:
    """Any wrong guesses from any clients, before the right attempt, while it waits and after
    it: the right code from a client that guessed nothing is never refused and waits at most
    ``KEY_MAX_WAIT`` in all."""
    store = _property_store()
    run = secrets.token_hex(4)  # fresh addresses for every example
    with fake_world() as clock:
        team, code = store.create_team("Offer")
        other, other_code = store.create_team("Andet")
        free_key = next(k for k in ("ZZZZ", "YYYY", "XXXX") if k not in (code[:4], other_code[:4]))

        def guess(kind: str, client: int, gap: float, *, wait: bool = True) -> None:
            if wait:
                clock.now += gap
            text = {
                "team key": _wrong(code),
                "other team": _wrong(other_code),
                "missing key": f"{free_key}-ZZZZ-ZZZZ-ZZZZ",
                "malformed": "12-34",
            }[kind]
            with contextlib.suppress(Throttled):
                assert store.open_team(text, f"{run}-attacker-{client}") is None

        for g in before:
            guess(*g)
        clock.slept.clear()

        def while_it_waits() -> None:
            for g in meanwhile:
                guess(*g, wait=False)

        clock.meanwhile = while_it_waits
        assert store.open_team(code, f"{run}-fresh") == team
        own = clock.slept[0] if clock.slept else 0.0  # the first sleep is the right attempt's
        assert own <= team_queries.KEY_MAX_WAIT
        for g in after:
            guess(*g)
        assert store.open_team(other_code, f"{run}-fresh-2") == other


_STORES: dict[str, Storage] = {}


def _property_store() -> Storage:
    """One SQLite storage for all the property's examples (each uses a team of its own)."""
    if "s" not in _STORES:
        folder = Path(tempfile.mkdtemp(prefix="code-throttle-"))
        _STORES["s"] = Storage(f"sqlite:///{folder / 'db.sqlite3'}")
        _STORES["s"].create_schema()
    return _STORES["s"]


# --- »Opret team« per client --------------------------------------------------------------


def test_creating_teams_is_throttled_per_client(store: Storage) -> None:
    """On main 40 teams took 6.6 s from one client, ~70 ms CPU each, without any limit."""
    hashes: list[int] = []
    with fake_world(hashes) as clock:
        for n in range(team_queries.FREE_CREATES):
            store.create_team(f"Team {n}", "192.0.2.50")
        store.create_team("Nummer elleve", "192.0.2.50")  # the first one that costs a wait
        hashes.clear()
        with pytest.raises(CreateThrottled) as err:
            store.create_team("For mange", "192.0.2.50")
        assert hashes == []  # refused before the expensive hash
        message = str(err.value)
        assert "Vent 1 sekund" in message and "navnet står stadig i feltet" in message
        store.create_team("Et andet sted", "192.0.2.51")  # other clients are not held up
        store.create_team("Uden adresse")  # scripts and tests: no client, no count
        clock.now += err.value.seconds
        store.create_team("Efter ventetiden", "192.0.2.50")
        with pytest.raises(CreateThrottled) as err:  # the wait doubles
            store.create_team("Igen", "192.0.2.50")
        assert "Vent 2 sekunder" in str(err.value)
        clock.now += team_queries.FORGET_AFTER + 1  # a quarter of an hour later: free again
        store.create_team("Senere", "192.0.2.50")
    names = {t for t in _names(store)}
    assert "For mange" not in names and "Igen" not in names and "Senere" in names


def _names(store: Storage) -> list[str]:
    with store.engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT name FROM teams")]


def test_the_create_bucket_holds_no_address(store: Storage) -> None:
    store.create_team("Team", "192.0.2.77")
    with store.engine.connect() as conn:
        rows: list[Any] = list(conn.exec_driver_sql("SELECT bucket FROM code_failures"))
    assert len(rows) == 1 and "192.0.2" not in rows[0][0]


@pytest.mark.slow
def test_opret_team_says_when_to_try_again_and_keeps_the_name(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    from facilitator.ui import access
    from tests.conftest import ROOT

    monkeypatch.setattr(access, "client_address", lambda: "192.0.2.8")
    monkeypatch.setattr(team_queries, "FREE_CREATES", 1)
    # A long first wait, so the check doesn't depend on how fast this machine runs the app.
    monkeypatch.setattr(team_queries, "failure_delay", lambda n, free, cap: 60.0 * (n > free))

    def create(name: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
        at.text_input(key="team_name_input").set_value(name)
        labels = [b.label for b in at.button]
        at.button[labels.index("Opret team")].click().run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    for name in ("Team A", "Team B"):  # a fresh browser session each time
        assert "Teamet er oprettet" in " ".join(s.value for s in create(name).success)
    refused = create("Team C")
    errors = " ".join(e.value for e in refused.error)
    assert "Der er oprettet mange teams herfra" in errors
    # the wait counts down from the window's 60 seconds (a loaded machine may be a second in)
    wait = re.search(r"Vent (\d+) sekunder", errors)
    assert wait and 50 <= int(wait.group(1)) <= 60, errors
    assert refused.text_input(key="team_name_input").value == "Team C"  # nothing typed lost
    store = Storage(f"sqlite:///{data_dir / 'borgercases.sqlite3'}")
    assert "Team C" not in _names(store) and {"Team A", "Team B"} <= set(_names(store))
    store.dispose()
