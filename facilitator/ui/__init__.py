"""Thin Streamlit views. Only this package imports Streamlit."""
