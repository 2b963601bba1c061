"""Shared pieces of the Streamlit views: storage, styles, the page helper, error guard."""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import streamlit as st

from facilitator.cases import Case, load_cases
from facilitator.exports import literal
from facilitator.records import StorageError
from facilitator.ui import text as ui_text
from facilitator.ui import timer_text

if TYPE_CHECKING:
    from facilitator.storage import Storage
from facilitator.validation import InputError

log = logging.getLogger("borgercases")

T = TypeVar("T")

GENERIC_ERROR = (
    "Der skete en uventet fejl. Det, der allerede er gemt, er ikke gået tabt. "
    "Genindlæs siden, og prøv igen."
)


_STORE: Storage | None = None
_STORE_LOCK = threading.Lock()


def storage() -> Storage:
    """The one storage of this server process, made (schema migrated, retention applied) on
    first use. A plain module global, not ``st.cache_resource``: any browser can send
    Streamlit's »clear cache« message, and that must not re-run migrations and the retention
    purge or drop the connection pool for everyone."""
    global _STORE
    if _STORE is not None:
        return _STORE
    with _STORE_LOCK:
        if _STORE is None:
            # Imported on first use: SQLAlchemy is not needed to show the start page.
            from facilitator.storage import Storage

            store = Storage()
            try:
                store.create_schema()
                days = retention_days()
                if days:
                    removed = store.purge_older_than(days, date.today())
                    if removed:
                        log.info("retention: removed %d meetings older than %d days", removed, days)
            except BaseException:
                store.dispose()
                raise
            _STORE = store
        return _STORE


def reset_storage() -> None:
    """Forget the storage (tests that switch data folders); the next use makes a new one."""
    global _STORE
    with _STORE_LOCK:
        if _STORE is not None:
            _STORE.dispose()
        _STORE = None


def retention_days() -> int | None:
    raw = os.environ.get("BORGERCASES_RETENTION_DAYS", "").strip()
    if not raw:
        return None
    try:
        days = int(raw)
    except ValueError:
        log.warning("BORGERCASES_RETENTION_DAYS is not a whole number: %r", raw)
        return None
    return days if days > 0 else None


@st.cache_data(show_spinner=False)
def cases() -> list[Case]:
    return load_cases()


def case_by_number(number: int) -> Case | None:
    return next((c for c in cases() if c.number == number), None)


def site_url() -> str:
    url = os.environ.get("BORGERCASES_SITE_URL", "http://127.0.0.1:8000/")
    return url if url.endswith("/") else url + "/"


def log_failure(what: str, exc: BaseException) -> None:
    """Log an unexpected error with its type and where it happened, never its message: a
    database error's message can hold what people typed or a working meeting id (e.g.
    PostgreSQL's »Key (meeting_id)=(…) already exists«)."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("%s: %s (message not logged)\n%s", what, type(exc).__name__, frames)


def guarded(fn: Callable[..., T]) -> Callable[..., T | None]:
    """Run a view or callback; show Danish messages instead of tracebacks."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T | None:
        try:
            return fn(*args, **kwargs)
        except (InputError, StorageError) as exc:
            st.error(literal(str(exc)), icon=":material/error:")  # may quote user input
        except Exception as exc:
            log_failure(f"unexpected error in {fn.__name__}", exc)
            st.error(GENERIC_ERROR, icon=":material/error:")
        return None

    return wrapper


def flash(message: str, kind: str = "success") -> None:
    """A message shown once on the next run (survives st.rerun)."""
    st.session_state.setdefault("_flash", []).append((kind, message))


def show_flashes() -> None:
    for kind, message in st.session_state.pop("_flash", []):
        if kind == "success":
            st.success(message, icon=":material/check_circle:")
        elif kind == "warning":
            st.warning(message, icon=":material/warning:")
        else:
            st.error(message, icon=":material/error:")


ASSETS = Path(__file__).with_name("assets")


@functools.cache
def asset(name: str) -> str:
    """The text of a file in facilitator/ui/assets/ (shipped as package data)."""
    return (ASSETS / name).read_text(encoding="utf-8")


@functools.cache
def style(*names: str) -> str:
    """Style sheets from assets/, in this order, as one block ready for ``st.html``: comments
    and indentation left out. Made once per process – Streamlit dedents and scans the text of
    every ``st.html`` call on every run of every page."""
    css = re.sub(r"/\*.*?\*/", "", "\n".join(asset(n) for n in names), flags=re.DOTALL)
    css = "\n".join(line.strip() for line in css.splitlines() if line.strip())
    # The leading newline matters: the browser's HTML sanitiser (DOMPurify) drops a <style>
    # that opens the fragment.
    return f"\n<style>\n{css}\n</style>\n"


def apply_styles(projector: bool, phone: bool = False) -> None:
    names = ["base.css"]
    if projector:
        names.append("projector.css")
    if phone:
        names.append("phone.css")
    ui_text.html_page(style(*names))


_helper = st.components.v2.component("borgercases_helper", js=asset("helper.js"))

# The one page_helper instance that keeps the device token (shell.py mounts it on every page).
DEVICE_HELPER_KEY = "bc_helper"


def page_helper(
    key: str = DEVICE_HELPER_KEY,
    view: str | None = None,
    device_store: str | None = None,
    device_forget: bool = False,
    device_ask: bool = False,
    projector: bool | None = None,
) -> str | None:
    """Sets lang="da", puts Streamlit's own English texts into Danish, autosaves notes while
    typing, runs the countdown (with the wording of ``timer_text``) and its end-of-step signal
    in the browser, and scrolls to the top when ``view`` (e.g. meeting, step and screen mode)
    changes. With ``projector`` (True/False) the address's ``p=1`` follows projector mode without
    a new entry in the browser's history (so Back goes to the previous page, and a reload keeps
    the mode).

    The instance with key ``bc_helper`` also keeps this device's token in the browser's
    ``localStorage["borgercases.device"]``: ``device_store`` saves one, ``device_forget``
    removes it. The caller passes its instruction on every run (``access.device_instruction``
    keeps it in the session); the browser applies it once per distinct value. Returns the token
    this device has: the one to store, None when forgetting, otherwise the one the browser
    reported from its storage (once per page load, causing one rerun), None until then or when
    there is none. With ``device_ask`` (a team link in the address) a browser that keeps no
    token says so too: then "" is returned. Other keys return None.
    """
    data: dict[str, Any] = {"view": view, "labels": timer_text.labels(), "projector": projector}
    if key != DEVICE_HELPER_KEY:
        _helper(key=key, data=data)
        return None
    known_key = f"_{key}_device_known"
    forget = device_forget and not device_store
    data["device"] = {
        "store": device_store,
        "forget": forget,
        "known": device_store or st.session_state.get(known_key),
        "ask": device_ask,
    }
    result = _helper(key=key, data=data)
    raw = result.get("device") if result is not None else None
    reported = raw if isinstance(raw, str) and raw else None
    st.session_state[known_key] = reported
    if device_store:
        return device_store
    if forget:
        return None
    return "" if raw == "" else reported
