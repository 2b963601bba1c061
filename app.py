"""Borgercases facilitator tool. Start with `make run` (or `streamlit run app.py`)."""

from facilitator.ui.shell import main

main()
