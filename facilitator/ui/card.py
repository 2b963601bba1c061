"""The case card's two sides, drawn the same way on the meeting page and on a phone."""

from __future__ import annotations

import streamlit as st

from facilitator.cases import Case
from facilitator.exports import md_escape
from facilitator.rule_changes import RuleChangeError, danish_date, load_rule_changes
from facilitator.ui import text as ui_text
from facilitator.ui.common import site_url

RULES_PAGE = "regler-i-dag.html"


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
    changes(case)
    st.subheader("Læs mere")
    for r in case.resources:
        st.markdown(f"- {md_escape(r.text)} [{md_escape(r.url)}]({r.url})")


def changes(case: Case) -> None:
    """What has changed since the source in the rules the card states, as on the site's card
    (includes/rule_changes.yml)."""
    try:
        changed = load_rule_changes().mentioned_in(case.texts())
    except (OSError, RuleChangeError):
        st.warning(
            "Oplysningerne om ændrede regler kunne ikke læses. Reglerne i casen er gengivet, "
            "som kilden beskrev dem, og kan være ændret siden.",
            icon=":material/warning:",
        )
        return
    for change in changed:
        first = change.primary[0]  # the page »Regler i dag« lists them all
        sources = (
            f"<a href='{ui_text.attr(first.url)}' target='_blank' rel='noopener'>"
            f"{ui_text.text(first.title)}</a> ({ui_text.text(first.host)}, tjekket "
            f"{ui_text.text(danish_date(first.checked))})"
        )
        more = ui_text.attr(f"{site_url()}{RULES_PAGE}#{change.id}")
        ui_text.show(
            f"<div class='bc-change' role='note' aria-label='Ændret siden kilden'>"
            f"<p class='bc-change__title'><strong>Ændret siden kilden</strong> · "
            f"{ui_text.text(change.title)} ({ui_text.text(change.when)})</p>"
            f"<p>{ui_text.text(change.today)}</p>"
            f"<p><strong>Kilde:</strong> {sources}. <a href='{more}' target='_blank' "
            f"rel='noopener'>Flere kilder og alle ændringer: Regler i dag</a></p></div>"
        )
