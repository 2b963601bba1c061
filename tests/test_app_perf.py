"""What the app does to stay cheap per script run with many screens open (scripts/bench.py
--only participants), and that none of it shows stale or wrong content: the favicon is no
per-session media file, and what is reused between runs follows every change."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from unittest import mock

import streamlit as st

from facilitator.ui import shell
from tests.test_app_flow import _app, _db, _no_errors
from tests.test_participants_app import _meeting


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
    png = Path(shell.__file__).with_name("favicon.png").read_bytes()
    for icon in icons:
        assert isinstance(icon, str) and icon.startswith("data:image/png;base64,")
        assert base64.b64decode(icon.split(",", 1)[1]) == png
