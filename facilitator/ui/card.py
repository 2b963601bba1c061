"""The case card's two sides, drawn the same way on the meeting page and on a phone."""

from __future__ import annotations

import streamlit as st

from facilitator.cases import Case
from facilitator.exports import md_escape
from facilitator.ui import text as ui_text


def front(case: Case) -> None:
    """The person, the story and the reflection questions."""
    st.markdown(f"**{md_escape(case.person_line)}**")
    paragraphs = "".join(f"<p>{ui_text.text(p)}</p>" for p in case.story)
    ui_text.show(f"<div class='bc-case'>{paragraphs}</div>")
    st.subheader("Refleksionsspørgsmål")
    st.markdown("\n".join(f"{i}. {md_escape(q)}" for i, q in enumerate(case.questions, 1)))


def back(case: Case) -> None:
    """»Har I overvejet…« as the card's hint, and the links to read more."""
    hint = "".join(f"<li>{ui_text.text(c)}</li>" for c in case.considerations)
    ui_text.show(
        f"<div class='bc-hint'><strong>HINT – {ui_text.text(case.considerations_heading)}</strong>"
        f"<ul>{hint}</ul></div>"
    )
    st.subheader("Læs mere")
    for r in case.resources:
        st.markdown(f"- {md_escape(r.text)} [{md_escape(r.url)}]({r.url})")
