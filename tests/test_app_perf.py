"""What the app does to stay cheap per script run with many screens open (scripts/bench.py
--only participants), and that none of it shows stale or wrong content: the favicon is no
per-session media file, and what is reused between runs follows every change."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any
from unittest import mock

import streamlit as st

from facilitator import participation as pa
from facilitator.storage import Storage
from facilitator.ui import participant, shell
from facilitator.ui.common import ASSETS, style
from tests.test_app_flow import _app, _db, _no_errors, _text
from tests.test_participants_app import _go, _meeting, _phone


def test_the_favicon_is_a_data_url_of_the_icon_not_a_file_per_session(data_dir: Path) -> None:
    code = _meeting(_db(data_dir), 1)[2]
    icons: list[Any] = []
    real = st.set_page_config

    def record(*args: Any, **kwargs: Any) -> None:
        icons.append(kwargs.get("page_icon"))
        real(*args, **kwargs)

    with mock.patch("streamlit.set_page_config", record):
        for query in ({}, {"j": code}):
            at = _app()
            for k, v in query.items():
                at.query_params[k] = v
            at.run()
            _no_errors(at)
    assert len(icons) == 2
    # a static URL (not a file Streamlit would keep per session, not a data: image the CSP refuses)
    assert icons == ["/app/static/favicon.png"] * 2
    assert (Path(shell.__file__).parents[2] / "static" / "favicon.png").read_bytes()[
        :4
    ] == b"\x89PNG"


def _counting(store_calls: list[str]) -> Any:
    real = Storage.phone_meeting

    def counted(self: Storage, code: str | None, now: float | None = None) -> Any:
        store_calls.append(str(code))
        return real(self, code, now)

    return mock.patch.object(Storage, "phone_meeting", counted)


def test_a_phone_page_run_reads_the_meeting_once_and_keeps_nothing_for_later(
    data_dir: Path,
) -> None:
    store = _db(data_dir)
    team, meeting, code = _meeting(store, 1)
    calls: list[str] = []
    with _counting(calls):
        at = _phone(code)
        assert len(calls) == 1  # the page and the fragment drawn in it share one read
        assert participant._READ not in at.session_state
        _go(store, team, meeting.id, 3)
        at.run()
    assert len(calls) == 2
    assert "data-pstep='3'" in _text(at)  # nothing of the earlier run was reused


def test_the_fragments_read_serves_the_page_run_it_asks_for_only_when_fresh_and_its_own(
    data_dir: Path,
) -> None:
    """What the fragment keeps when it sees a new step (``_keep`` before ``st.rerun``) is used
    by the next page run – but not when it is older than the fragment's interval, nor for
    another code, nor twice."""
    store = _db(data_dir)
    team, meeting, code = _meeting(store, 1)
    at = _phone(code)
    stale = store.phone_meeting(code)  # step 2 (index 1)
    assert stale is not None
    _go(store, team, meeting.id, 3)
    calls: list[str] = []
    with _counting(calls):
        # Kept just now by this page's fragment: shown without a query.
        at.session_state[participant._READ] = (code, time.monotonic(), stale)
        at.run()
        assert calls == [] and "data-pstep='1'" in _text(at)
        # Nothing kept any more: the database's step.
        at.run()
        assert len(calls) == 1 and "data-pstep='3'" in _text(at)
        # Too old, or another page's code: not used.
        for kept in (
            (code, time.monotonic() - participant.READ_REUSE_SECONDS - 1, stale),
            ("other" + code, time.monotonic(), stale),
        ):
            at.session_state[participant._READ] = kept
            at.run()
            assert "data-pstep='3'" in _text(at)
        assert len(calls) == 3
        # A deleted meeting closes the page on the next read, whatever was shown.
        store.delete_meeting(team.id, meeting.id)
        at.run()
    assert pa.JOIN_CLOSED in [e.value for e in at.error]


def _rules(css: str) -> str:
    """A sheet's rules without comments and white space, for comparing."""
    return re.sub(r"\s+", "", re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL))


def test_the_prepared_style_block_holds_every_rule_of_its_sheets_in_order() -> None:
    sheets = [p.name for p in ASSETS.glob("*.css")]
    assert {"base.css", "phone.css", "projector.css", "print.css"} <= set(sheets)
    for names in (
        ("base.css",),
        ("base.css", "phone.css"),
        ("base.css", "projector.css"),
        tuple(sheets),
    ):
        block = style(*names)
        assert block.startswith("\n<style>\n") and block.endswith("</style>\n")
        assert block.count("<") == 2  # the sanitiser keeps it (tests/test_timer_text.py)
        inner = block.removeprefix("\n<style>\n").removesuffix("</style>\n")
        assert _rules(inner) == "".join(_rules((ASSETS / n).read_text("utf-8")) for n in names)
        assert "/*" not in inner
