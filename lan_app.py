"""The facilitator app for `make run PHONES=1`: app.py behind facilitator.lan.LanGuard (the
README's nginx headers, no /_stcore/metrics), as Streamlit's documented st.App."""

import streamlit as st
from starlette.middleware import Middleware

from facilitator.lan import LanGuard

app = st.App("app.py", middleware=[Middleware(LanGuard)])
