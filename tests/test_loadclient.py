"""The facilitator's actions of the browser-free client (harness/loadclient.py) against the
real app: what it reports as acknowledged is what the database holds, once."""

from __future__ import annotations

import asyncio
import importlib.util
import statistics
import sys
import time
from typing import Any

import pytest

from facilitator.storage import Storage
from harness import ROOT
from harness.app_server import AppServer
from harness.loadclient import Facilitator
from harness.meetings import running_meeting
from tests.test_stclient import _run


def _load_script() -> Any:
    """scripts/load.py as a module, without putting scripts/ on sys.path (where its bench.py
    would hide the bench package)."""
    spec = importlib.util.spec_from_file_location("load_script", ROOT / "scripts" / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def test_a_committed_note_is_stored_as_typed_and_acknowledged(
    served: tuple[AppServer, Storage],
) -> None:
    app, store = served
    team_id, mid = running_meeting(store, "Team Last", 2, case_number=4)

    async def scenario() -> dict[str, object]:
        async with Facilitator(app.url, mid, store.grant_access(team_id)) as f:
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
    team_id, mid = running_meeting(store, "Team Last", 4, case_number=4)

    async def scenario() -> tuple[list[str], list[str]]:
        async with Facilitator(app.url, mid, store.grant_access(team_id)) as f:
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
    team_id, mid = running_meeting(store, "Team Last", 2, case_number=4)

    async def scenario() -> tuple[int | None, int | None, float, str, list[str]]:
        async with Facilitator(app.url, mid, store.grant_access(team_id)) as f:
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


TRUST_SECONDS = 15


def _stored(store: Storage, users: list[Any]) -> list[tuple[str, int, int]]:
    """Per user: the stored note text, how many times it was saved, how many follow-ups."""
    out = []
    for user in users:
        meeting = store.get_meeting(user.meeting_id)
        assert meeting is not None
        note = store.note_entries(user.meeting_id).get("q0")
        follow_ups = store.follow_ups(meeting.team.id, meeting_id=user.meeting_id)
        out.append((note.text if note else "", note.revision if note else 0, len(follow_ups)))
    return out


def _acknowledged(users: list[Any]) -> list[tuple[str, int, int]]:
    """Per user, the same as ``_stored`` from what the pages showed as saved."""
    out = []
    for user in users:
        notes = len(user.latencies) - len(user.follow_ups_acked)
        out.append((user.note_acked or "", notes, len(user.follow_ups_acked)))
    return out


def _typed_sequence(index: int, n: int) -> str:
    """The note the load script's n-th change leaves behind (each change appends a word)."""
    return " ".join(f"m{index:02d}s{k:03d}." for k in range(1, n + 1))


@pytest.mark.browser
@pytest.mark.slow
def test_client_and_chromium_drive_the_load_scenario_alike(
    served: tuple[AppServer, Storage],
) -> None:
    """scripts/load.py's scenario (one meeting typing a note, one adding follow-ups) for
    15 s, once in Chromium and once through the client, on the same server: in both, every
    acknowledged write is stored once and nothing else is; the database ends up with the same
    kind of data; the acknowledgement times are printed side by side."""
    app, store = served
    load = _load_script()
    results: dict[str, dict[str, Any]] = {}
    for driver, drive in (("chromium", load._run), ("client", load._run_client)):
        users = load._prepare(store, 2)
        started = time.monotonic()
        _run(lambda users=users, drive=drive: drive(app.url, users, TRUST_SECONDS, app, False))
        results[driver] = {
            "users": users,
            "took": time.monotonic() - started,
            "problems": load._verify(store, users),
            "stored": _stored(store, users),
            "acked": _acknowledged(users),
            "failures": sum(u.failures for u in users),
            "errors": [e for u in users for e in u.errors],
        }
    for driver, r in results.items():
        note_user, fu_user = r["users"]
        print(
            f"\n{driver:8s}: {r['took']:.0f} s, {r['stored'][0][1]} note saves and "
            f"{r['stored'][1][2]} follow-ups, acknowledged = stored: {r['acked'] == r['stored']}"
        )
        for what, user in (("note", note_user), ("follow-up", fu_user)):
            for name, values in (
                ("from message", user.wire_latencies),
                ("as typed", user.latencies),
            ):
                if driver == "client" and name == "as typed":
                    continue
                v = sorted(values)
                print(
                    f"  {what:9s} ack {name:12s} median {statistics.median(v) * 1000:5.0f} ms, "
                    f"max {v[-1] * 1000:5.0f} ms ({len(v)})"
                )
    print("(Chromium 'as typed' counts from the fill, with the page helper's 700 ms autosave")
    print(" pause before a note's commit; 'from message' from the frame that carried the write,")
    print(" as the client counts. The client writes back to back: it loads the server more.)")
    for driver, r in results.items():
        # Nothing lost or stored twice (the load script's own check).
        assert r["problems"] == [], (driver, r["problems"])
        (note_text, note_saves, note_fus), (fu_text, fu_saves, fu_count) = r["stored"]
        (_acked_text, acked_notes, _n), (_t, _s, acked_fus) = r["acked"]
        failures = r["failures"]
        if failures == 0:
            # What the screens acknowledged is exactly what the database holds.
            assert r["acked"] == r["stored"], (driver, r["acked"], r["stored"], r["errors"])
            # The same data: the note is the load script's sequence of changes, one per save.
            assert note_text == _typed_sequence(0, note_saves), (driver, note_text)
        else:
            # A write whose acknowledgement never came (printed above) may still be stored:
            # never more stored than was sent.
            print(f"{driver}: {failures} writes without acknowledgement: {r['errors'][:3]}")
            assert acked_notes <= note_saves <= acked_notes + failures, (driver, r)
            assert acked_fus <= fu_count <= acked_fus + failures, (driver, r)
        assert note_saves >= 3 and note_fus == 0 and fu_text == "" and fu_saves == 0
        assert fu_count >= 3, (driver, r["stored"])
        assert len(r["users"][0].wire_latencies) == acked_notes, driver  # each commit was seen
        assert len(r["users"][1].wire_latencies) == acked_fus, driver
        meeting = store.get_meeting(r["users"][1].meeting_id)
        assert meeting is not None
        whats = sorted(f.what for f in store.follow_ups(meeting.team.id, meeting_id=meeting.id))
        assert len(set(whats)) == len(whats) == fu_count, (driver, whats)
        assert set(r["users"][1].follow_ups_acked) <= set(whats), driver
