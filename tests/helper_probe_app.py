"""A throwaway Streamlit page for tests/test_page_helper_browser.py: the page helper alone,
with buttons that store or forget the device token, change the view, and a long page with a
side column like the meeting's (st.container(key="bc_side"))."""

from __future__ import annotations

import streamlit as st

from facilitator.ui.common import apply_styles, page_helper

st.set_page_config(page_title="Probe", layout="wide")
st.session_state["runs"] = st.session_state.get("runs", 0) + 1
projector = st.query_params.get("p") == "1"
apply_styles(projector)

wish = st.session_state.get("wish")  # passed on every run, as access.py does
token = page_helper(
    device_store=wish if wish not in (None, "forget") else None,
    device_forget=wish == "forget",
)
view = f"{st.session_state.get('view', 0)}:{'p' if projector else 'n'}"
page_helper(key="bc_view_helper", view=view)


def _set(name: str, value: object) -> None:
    st.session_state[name] = value


st.markdown(f"token={token or '-'} runs={st.session_state['runs']}")
cols = st.columns(5)
cols[0].button("Gem A", on_click=_set, args=("wish", "tok-A"))
cols[1].button("Gem B", on_click=_set, args=("wish", "tok-B"))
cols[2].button("Glem", on_click=_set, args=("wish", "forget"))
cols[3].button("Kør igen")
cols[4].button("Næste visning", on_click=_set, args=("view", st.session_state.get("view", 0) + 1))

main, side = st.columns([2.6, 1], gap="large")
with main:
    for n in range(60):
        st.markdown(f"Linje {n} med noter, der fylder, så siden kan rulle.")
with side, st.container(key="bc_side"):
    st.markdown(
        "<div class='bc-timer'><div class='bc-timer__big'>3:00</div></div>", unsafe_allow_html=True
    )
    st.button("Et meget langt knapnavn der ikke må klippes af med prikker", key="long1")
    st.download_button(
        "Aftaler som kalenderfil til Outlook og andre kalendere", b"x", file_name="x.ics"
    )
    st.selectbox(
        "Case med en lang etiket der skal brydes på flere linjer i sidekolonnen",
        ["Case 1: Den motiverende samtale med borgeren om jobmål og uddannelse", "Case 2"],
    )
    st.checkbox("Lyd ved trinskift, også når projektoren viser en anden fane")
    st.toggle("Projektorvisning med stor tekst og uden sidepanel")
