"""Meetings made straight in the database, as the tests, the load script and the bench need
them: a team, a meeting of one case, its timer started and moved to a step."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from facilitator import timer as tm
from facilitator.exercise import default_plan_minutes


def running_meeting(
    store: Any,
    team_name: str,
    step: int,
    case_number: int = 1,
    plan_seconds: list[int] | None = None,
) -> tuple[int, str]:
    """A new team with one meeting whose timer runs at step index ``step`` (0 = »Trin 1«):
    (team id, meeting id). Participants Anne and Bo; the follow-ups are due in a week."""
    team, _code = store.create_team(team_name)
    plan = plan_seconds if plan_seconds is not None else [m * 60 for m in default_plan_minutes()]
    meeting_id: str = store.create_meeting(
        team, date.today(), case_number, ["Anne", "Bo"], plan, date.today() + timedelta(days=7)
    )
    now = time.time()
    store.update_timer(team.id, meeting_id, lambda s: tm.go_to(tm.start(s, now), step, now))
    return team.id, meeting_id


def meeting_query(store: Any, meeting_id: str, **extra: str) -> str:
    """The query of a facilitator page for a meeting made straight in the database: the meeting
    and a grant of its team (a meeting's address alone opens nothing), e.g. ``m=…&s=…``."""
    meeting = store.get_meeting(meeting_id)
    assert meeting is not None, meeting_id
    return urlencode({"m": meeting_id, **extra, "s": store.grant_access(meeting.team.id)})


def open_meeting(
    page: Any, server: Any, store: Any, meeting_id: str, step: int, **extra: str
) -> None:
    """Open a meeting made in the database over the wire (``meeting_query``), and wait until
    step ``step``'s heading shows and Streamlit is idle."""
    import re

    from playwright.sync_api import expect

    from harness.app_server import wait_idle

    page.goto(f"{server.url}?{meeting_query(store, meeting_id, **extra)}")
    expect(page.get_by_role("heading", name=re.compile(f"^Trin {step}:"))).to_be_visible(
        timeout=20000
    )
    wait_idle(page)
