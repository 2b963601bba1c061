"""The facilitator's actions of the browser-free client (harness/loadclient.py) against the
real app: what it reports as acknowledged is what the database holds, once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from facilitator import timer as t
from facilitator.exercise import default_plan_minutes
from facilitator.storage import Storage
from harness.app_server import AppServer
from harness.loadclient import Facilitator
from tests.test_stclient import _run


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, Storage]]:
    data = tmp_path_factory.mktemp("loadclient")
    app = AppServer(data)
    store = Storage(f"sqlite:///{data / 'borgercases.sqlite3'}")
    try:
        store.create_schema()
        app.start()
        yield app, store
    finally:
        app.stop()
        store.dispose()


def _meeting(store: Storage, step: int) -> tuple[int, str]:
    team, _code = store.create_team("Team Last")
    mid = store.create_meeting(
        team,
        date.today(),
        4,
        ["Anne", "Bo"],
        [m * 60 for m in default_plan_minutes()],
        date.today() + timedelta(days=7),
    )
    now = time.time()
    store.update_timer(team.id, mid, lambda s: t.go_to(t.start(s, now), step, now))
    return team.id, mid


def test_a_committed_note_is_stored_as_typed_and_acknowledged(
    served: tuple[AppServer, Storage],
) -> None:
    app, store = served
    _team_id, mid = _meeting(store, 2)

    async def scenario() -> dict[str, object]:
        async with Facilitator(app.url, mid) as f:
            keys = [n.widget_id.rsplit("_", 1)[-1] for n in f.note_fields()]
            first = await f.commit_note("q0", "Borgeren")
            second = await f.commit_note("q0", "Borgeren skal høres først.")
            other = await f.commit_note("q1", "Tal med  lederen ")
            status = f.note_status("q0")
            # The timer panel reruns on its own (every 4 s) carrying the fields' values:
            # the committed text must stay, not be replaced by what the page first showed.
            runs = f.client.auto_reruns_sent
            await f.client.wait_for(lambda c: c.auto_reruns_sent >= runs + 2, 15)
            await f.client.wait_idle()
            return {
                "keys": keys,
                "acks": [first, second, other],
                "status": status,
                "held": f.note_text("q0"),
                "errors": f.client.errors,
            }

    got = _run(scenario)
    assert got["keys"] == ["q0", "q1", "q2", "general"], got
    assert str(got["status"]).startswith("Gemt kl. ") and str(got["status"]).endswith(" · 26 tegn")
    assert got["held"] == "Borgeren skal høres først."
    assert got["errors"] == []
    notes = store.note_entries(mid)
    assert notes["q0"].text == "Borgeren skal høres først." and notes["q0"].revision == 2
    assert notes["q1"].text == "Tal med  lederen"  # cleaned as the app cleans it
    assert "q2" not in notes or notes["q2"].text == ""


def test_a_follow_up_is_stored_once_and_listed(served: tuple[AppServer, Storage]) -> None:
    app, store = served
    team_id, mid = _meeting(store, 4)

    async def scenario() -> tuple[list[str], list[str]]:
        async with Facilitator(app.url, mid) as f:
            await f.add_follow_up("Ring til a-kassen")
            await f.add_follow_up("Book et møde med virksomheden")
            await f.client.wait_idle()
            await asyncio.sleep(1)
            return f.follow_ups(), f.client.errors

    listed, errors = _run(scenario)
    assert errors == []
    assert [x.split(": ", 1)[1].split(" – ")[0] for x in listed] == [
        "Ring til a-kassen",
        "Book et møde med virksomheden",
    ], listed
    stored = store.follow_ups(team_id, meeting_id=mid)
    assert sorted(f.what for f in stored) == ["Book et møde med virksomheden", "Ring til a-kassen"]
    assert {f.who for f in stored} == {"Anne"}


def test_a_step_click_moves_the_meeting_one_step(served: tuple[AppServer, Storage]) -> None:
    app, store = served
    _team_id, mid = _meeting(store, 2)

    async def scenario() -> tuple[int | None, int | None, float, str, list[str]]:
        async with Facilitator(app.url, mid) as f:
            before = f.step()
            timer = f.timer()
            assert timer is not None
            await f.next_step()
            await f.client.wait_idle()
            # Two more panel redraws: the click is not applied again.
            runs = f.client.auto_reruns_sent
            await f.client.wait_for(lambda c: c.auto_reruns_sent >= runs + 2, 15)
            await f.client.wait_idle()
            return before, f.step(), timer.step_remaining, timer.short, f.client.errors

    before, after, remaining, short, errors = _run(scenario)
    assert (before, after) == (3, 4)
    assert short == "Fælles diskussion" and 0 < remaining < 3600
    assert errors == []
    meeting = store.get_meeting(mid)
    assert meeting is not None and meeting.timer.current == 3
