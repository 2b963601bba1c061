"""facilitator/ui/text.py: user text as HTML that neither HTML nor Markdown can read as syntax."""

from __future__ import annotations

import re
import string
from html import unescape

from hypothesis import given
from hypothesis import strategies as st

from facilitator.ui import text as ui_text


@given(st.text())
def test_text_is_inert_and_round_trips(typed: str) -> None:
    out = ui_text.text(typed)
    assert "\n" not in out and "\r" not in out  # no line, so no blank line, in the HTML
    assert "<" not in out.replace("<br>", "")  # no tag but the helper's own
    bare = re.sub(r"&#\d+;", "", out.replace("<br>", ""))
    assert not set(bare) & set(string.punctuation)  # every Markdown special is an entity
    assert unescape(out.replace("<br>", "\n")) == re.sub(r"\r\n?", "\n", typed)


@given(st.text())
def test_attr_stays_inside_its_quotes(typed: str) -> None:
    out = ui_text.attr(typed)
    assert not set(out) & set("'\"<>\n\r")
    assert unescape(out) == typed
