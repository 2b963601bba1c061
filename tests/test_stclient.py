"""The headless Streamlit client of the bench (harness/stclient.py) against the real app.

It must show the meeting page as a browser tab does, follow a step change made in the database
purely through the timer fragment's auto-rerun (nothing else asks the server for a run), press
a button, and see the same step change a Chromium tab on the same address sees. One app server
for the whole module."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench import participants
from facilitator import timer as t
from facilitator.storage import Storage
from harness.app_server import AppServer
from harness.meetings import meeting_query, running_meeting
from harness.stclient import StreamlitClient, run_in_thread

T = TypeVar("T")


def _run(scenario: Callable[[], Coroutine[Any, Any, T]], timeout: float = 90) -> T:
    return run_in_thread(scenario, timeout)


def _heading(prefix: str) -> Callable[[Any], bool]:
    return lambda c: c.find(prefix, "heading") is not None


def test_client_follows_a_step_change_through_the_timer_fragment(
    served: tuple[AppServer, Storage],
) -> None:
    app, store = served
    team_id, mid = running_meeting(store, "Team Klient", 2, case_number=3)

    async def scenario() -> dict[str, Any]:
        async with StreamlitClient(app.url, meeting_query(store, mid)) as c:
            await c.wait_for(_heading("Trin 3:"), 30)
            await c.wait_idle()
            auto = c.auto_reruns
            held = {k: w.WhichOneof("value") for k, w in c.widgets.items()}
            kinds = {n.kind for n in c.nodes.values()}
            sent, auto_sent = c.reruns_sent, c.auto_reruns_sent
            await asyncio.to_thread(
                store.update_timer, team_id, mid, lambda s: t.go_to(s, 3, time.time())
            )
            changed = time.monotonic()
            await c.wait_for(_heading("Trin 4:"), 10)
            took = time.monotonic() - changed
            await c.wait_idle()
            return {
                "auto": auto,
                "held": held,
                "kinds": kinds,
                "took": took,
                "steps": [n.text for n in c.elements() if n.text.startswith("Trin ")],
                "sent": c.reruns_sent - sent,
                "auto_sent": c.auto_reruns_sent - auto_sent,
                "closed": c.closed,
                "errors": c.errors,
                "buttons": c.buttons(),
            }

    got = _run(scenario)
    # The timer panel asks to be rerun every 4 s; the page also mounts the v2 component
    # (whose device token a headless client never reports) and still works.
    assert list(got["auto"].values()) == [4.0], got["auto"]
    assert {"heading", "bidi_component", "button"} <= got["kinds"], got["kinds"]
    # Only the fragment's own reruns were sent, and one of them brought the new step.
    assert got["sent"] >= 1 and got["sent"] == got["auto_sent"], got
    # One redraw interval (4 s) plus the page's run, with room for a busy 2-core machine.
    assert got["took"] < 8, got
    # The old step's heading is gone (stale elements cleared after the new full run).
    assert len(got["steps"]) == 1 and got["steps"][0].startswith("Trin 4: "), got["steps"]
    assert "Næste trin" in got["buttons"], got["buttons"]
    # Like Chromium, the reruns carry the values of the note fields the page shows.
    notes = {k: v for k, v in got["held"].items() if f"-note_{mid}_" in k}
    assert notes and set(notes.values()) == {"string_value"}, got["held"]
    assert got["closed"] is None and got["errors"] == [], got


def test_client_presses_a_button(served: tuple[AppServer, Storage]) -> None:
    app, store = served
    _team_id, mid = running_meeting(store, "Team Klient", 1, case_number=3)

    async def scenario() -> list[str]:
        async with StreamlitClient(app.url, meeting_query(store, mid)) as c:
            await c.wait_for(_heading("Trin 2:"), 30)
            await c.wait_idle()
            await c.click("Næste trin")
            await c.wait_for(_heading("Trin 3:"), 15)
            await c.wait_idle()
            return [n.text for n in c.elements() if n.text.startswith("Trin ")]

    steps = _run(scenario)
    assert len(steps) == 1 and steps[0].startswith("Trin 3: "), steps
    meeting = store.get_meeting(mid)
    assert meeting is not None and meeting.timer.current == 2


def _msg(run_id: str, fragments: tuple[str, ...] = ()) -> ForwardMsg:
    msg = ForwardMsg()
    msg.metadata.run.script_run_id = run_id
    msg.metadata.run.fragment_ids.extend(fragments)
    return msg


def _element(run_id: str, path: tuple[int, ...], body: str, fragment: str = "") -> ForwardMsg:
    msg = _msg(run_id)
    msg.metadata.delta_path.extend(path)
    msg.delta.new_element.markdown.body = body
    msg.delta.fragment_id = fragment
    return msg


def _block(run_id: str, path: tuple[int, ...], fragment: str = "") -> ForwardMsg:
    msg = _msg(run_id)
    msg.metadata.delta_path.extend(path)
    msg.delta.add_block.vertical.SetInParent()
    msg.delta.fragment_id = fragment
    return msg


def _session(run_id: str, fragments: tuple[str, ...] = ()) -> ForwardMsg:
    msg = _msg(run_id, fragments)
    msg.new_session.page_script_hash = "main"
    return msg


def _finished(run_id: str, fragments: tuple[str, ...] = ()) -> ForwardMsg:
    msg = _msg(run_id, fragments)
    done = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
    msg.script_finished = done if fragments else ForwardMsg.FINISHED_SUCCESSFULLY
    return msg


def test_stale_elements_and_cached_messages_as_the_frontend_handles_them() -> None:
    """Without a server: a fragment run clears only its own stale elements, a full run every
    element it did not write; a ``ref_hash`` message is the cached message it refers to."""

    async def scenario() -> list[list[str]]:
        c = StreamlitClient("http://127.0.0.1:9/")
        pages: list[list[str]] = []
        big = _element("r1", (0, 0), "stor tekst")
        big.hash, big.metadata.cacheable = "h1", True
        run1 = [
            _session("r1"),
            big,
            _block("r1", (0, 1), "f"),
            _element("r1", (0, 1, 0), "nedtælling", "f"),
            _element("r1", (0, 1, 1), "knap", "f"),
            _element("r1", (0, 2), "Trin 2: Læs"),
            _finished("r1"),
        ]
        # The fragment's run writes one element only: the other one in its block goes.
        run2 = [
            _session("r2", ("f",)),
            _block("r2", (0, 1), "f"),
            _element("r2", (0, 1, 0), "nedtælling 2", "f"),
            _finished("r2", ("f",)),
        ]
        ref = _msg("r3")
        ref.metadata.delta_path.extend((0, 0))
        ref.ref_hash = "h1"
        # A full run that no longer writes the fragment: only what it wrote stays.
        run3 = [_session("r3"), ref, _element("r3", (0, 1), "Trin 3: Diskutér"), _finished("r3")]
        for run in (run1, run2, run3):
            for msg in run:
                await c._handle(c._decode(msg.SerializeToString()), time.monotonic())
            pages.append(c.texts())
        return pages

    # In a thread of its own: a browser test earlier in the session may have left a running
    # event loop in this one (Playwright's sync API).
    assert _run(scenario) == [
        ["stor tekst", "nedtælling", "knap", "Trin 2: Læs"],
        ["stor tekst", "nedtælling 2", "Trin 2: Læs"],
        ["stor tekst", "Trin 3: Diskutér"],
    ]


@pytest.mark.browser
def test_client_and_chromium_see_the_same_step_change(served: tuple[AppServer, Storage]) -> None:
    """Two headless followers and one Chromium tab on the same address: all show the new
    step, each within one redraw interval of the timer (4 s) plus the page's run."""
    app, store = served
    team_id, mid = running_meeting(store, "Team Klient", participants.FROM_STEP, case_number=3)
    got = _run(lambda: participants.compare_with_chromium(app.url, store, team_id, mid, clients=2))
    assert got["chromium"] is not None and got["chromium"] < 8, got
    assert len(got["clients"]) == 2, got
    assert all(s is not None and s < 8 for s in got["clients"]), got
    if got["kind"] == "facilitator":
        for texts in got["client_texts"]:
            steps = [x for x in texts if x.startswith("Trin ")]
            assert len(steps) == 1 and steps[0].startswith("Trin 3: "), texts


def test_websocket_address_follows_the_base_path() -> None:
    """The WebSocket address follows the app's base path (behind a proxy at /app/)."""
    c = StreamlitClient("http://127.0.0.1:9/app/", "j=abc", path="")
    assert c.ws_url == "ws://127.0.0.1:9/app/_stcore/stream"
    assert c.query == "j=abc"
