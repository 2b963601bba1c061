"""The one path from what people type to the screen.

Everything a user typed (thoughts, proposals, names, follow-ups, notes, team and meeting
names) reaches Streamlit through this module, in one of two ways:

- inside the app's own HTML (``show`` and ``html_page``): ``text`` and ``attr`` turn a value
  into HTML in which every character Markdown or HTML could read as syntax is a numeric
  character reference (``&#42;``), and a line break is ``<br>``. ``show`` refuses a line
  break in the HTML it draws, so the whole element is one CommonMark HTML block – no blank
  line can end it and let the rest be read as Markdown; even read as Markdown, only letters,
  digits, spaces and entities would be left.
- where Streamlit itself reads Markdown (st.markdown without HTML, st.error & co., headers,
  widget labels, expander titles, radio options): ``literal`` (facilitator.exports).

tests/test_user_text_paths.py walks facilitator/ and fails for a call that draws anything
else.
"""

from __future__ import annotations

import re

import streamlit as st

from facilitator.exports import literal

__all__ = ["Html", "attr", "html_page", "literal", "show", "text"]

_LINE_BREAK = re.compile(r"\r\n?|\n")
# Every ASCII punctuation mark: Markdown's escapable characters, HTML's & < > " ' included.
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_ENTITY = {ord(c): f"&#{ord(c)};" for c in _PUNCTUATION}


class Html(str):
    """HTML built by this module: user text in it is escaped (see ``text``)."""

    __slots__ = ()


def text(value: object) -> Html:
    """``value`` as HTML text content: shown exactly as typed, line breaks as ``<br>``."""
    lines = _LINE_BREAK.split(str(value))
    return Html("<br>".join(line.translate(_ENTITY) for line in lines))


def attr(value: object) -> Html:
    """``value`` for a quoted attribute value (``class='…'``, ``data-x='…'``)."""
    return Html(str(value).translate(_ENTITY).replace("\r", "&#13;").replace("\n", "&#10;"))


def show(markup: str) -> None:
    """Draw the app's own HTML (a template whose every inserted value came from ``text`` or
    ``attr``) with the CSS classes of facilitator/ui/assets."""
    if "\n" in markup or "\r" in markup:
        raise ValueError("HTML for st.markdown must be one line (a blank line ends the block)")
    st.markdown(markup, unsafe_allow_html=True)


def html_page(markup: str) -> None:
    """Draw a whole page of the app's own HTML with st.html (no Markdown at all), e.g. the
    print view."""
    st.html(markup)
