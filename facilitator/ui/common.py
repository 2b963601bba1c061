"""Shared pieces of the Streamlit views: storage, styles, the page helper, error guard."""

from __future__ import annotations

import functools
import logging
import os
import threading
import traceback
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import streamlit as st

from facilitator.cases import Case, load_cases
from facilitator.exports import literal
from facilitator.records import StorageError

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


BASE_CSS = """
<style>
/* Larger default type and visible focus for the meeting room. */
html { font-size: 18px; }
:focus-visible { outline: 3px solid #a03a10 !important; outline-offset: 2px; }
.block-container, [data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
.bc-timer { border-radius: 0.6rem; padding: 0.5rem 1rem; margin-bottom: 0.4rem;
  background: #eef4f9; color: #102a3d; border: 2px solid #1d4f73; }
.bc-timer.bc-overrun { background: #fbe9e7; color: #7a1a00; border-color: #a01f00; }
.bc-timer.bc-paused { background: #f3f3f3; color: #303030; border-color: #606060; }
.bc-timer__big { font-size: 3rem; font-weight: 700; line-height: 1.1;
  font-variant-numeric: tabular-nums; }
.bc-timer__note { font-size: 0.85rem; margin-top: 0.3rem; }
.bc-timer__label { font-size: 1.05rem; font-weight: 600; }
.bc-timer__total { font-size: 1.05rem; }
.bc-case p { font-size: 1.25rem; line-height: 1.6; }
.bc-steps { display: flex; flex-direction: column; gap: 0.3rem; margin: 0 0 0.6rem 0;
  padding: 0; list-style: none; }
.bc-steps li { padding: 0.25rem 0.7rem; border-radius: 1rem; border: 1px solid #506070;
  font-size: 0.95rem; color: #1b2631; background: #fff; }
.bc-steps li[aria-current="step"] { background: #1d4f73; color: #fff; border-color: #1d4f73;
  font-weight: 700; }
.bc-steps li.bc-done { background: #e3ecf3; }
.bc-hint { border-left: 6px solid #1d4f73; background: #eef4f9; padding: 0.6rem 1rem;
  border-radius: 0.3rem; margin: 0.6rem 0; color: #102a3d; }
.bc-muted { color: #4a5560; }
/* Streamlit fades captions (opacity 0.6) below 4.5:1 on white (WCAG 1.4.3). */
[data-testid="stCaptionContainer"], [data-testid="stImageCaption"] { opacity: 1 !important; }
[data-testid="stCaptionContainer"] p,
[data-testid="stImageCaption"] p { color: #4a5560 !important; }
</style>
"""

PROJECTOR_CSS = """
<style>
html { font-size: 24px; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stToolbar"],
[data-testid="stHeader"], [data-testid="stDecoration"], footer { display: none !important; }
.block-container, [data-testid="stMainBlockContainer"] { max-width: 100% !important;
  padding: 1rem 2.5vw !important; }
body, .stApp { background: #ffffff !important; color: #000000 !important; }
.bc-case p { font-size: 1.2rem; }
.bc-timer__big { font-size: 3.6rem; }
h1 { font-size: 1.9rem !important; padding-top: 0 !important; }
h2 { font-size: 1.4rem !important; }
.bc-steps li { font-size: 0.8rem; }
</style>
"""


def apply_styles(projector: bool) -> None:
    st.html(BASE_CSS)
    if projector:
        st.html(PROJECTOR_CSS)


_HELPER_JS = r"""
export default function (component) {
  const { data } = component;
  document.documentElement.lang = "da";
  const w = window;
  if (!w.__bcDanishLabels) {
    w.__bcDanishLabels = true;
    // Streamlit names its help buttons in English ("Help for …"); screen readers get Danish.
    const danish = () => {
      document.querySelectorAll('button[aria-label^="Help for "]').forEach((b) => {
        b.setAttribute("aria-label", "Hjælp til " + b.getAttribute("aria-label").slice(9));
      });
    };
    danish();
    new MutationObserver(danish).observe(document.body, {
      subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"],
    });
  }
  if (!w.__bcAutosave) {
    w.__bcAutosave = true;
    // Notes are committed while typing (after a short pause), not only when the field
    // loses focus, so a reload or a closed lid never costs what was typed.
    const timers = new WeakMap();
    document.addEventListener("input", (event) => {
      const el = event.target;
      if (!(el instanceof HTMLTextAreaElement) || !el.closest('[data-testid="stTextArea"]')) return;
      if (el.closest('[data-testid="stForm"]')) return;
      clearTimeout(timers.get(el));
      timers.set(el, setTimeout(() => {
        el.dispatchEvent(new KeyboardEvent("keydown", {
          key: "Enter", code: "Enter", keyCode: 13, which: 13, ctrlKey: true, bubbles: true,
        }));
      }, 700));
    }, true);
  }
  if (data && data.view) {
    // A new step starts at the top of the page, with its heading in view.
    if (w.__bcView !== undefined && w.__bcView !== data.view) {
      const main = document.querySelector('[data-testid="stMain"]');
      if (main) main.scrollTo({ top: 0 });
      window.scrollTo({ top: 0 });
    }
    w.__bcView = data.view;
  }
  if (!w.__bcTimer) {
    w.__bcTimer = true;
    // Two short tones: the end-of-step signal (where the browser allows sound).
    w.__bcBeep = () => {
      try {
        const ctx = new (w.AudioContext || w.webkitAudioContext)();
        [0, 0.35].forEach((offset) => {
          const osc = ctx.createOscillator();
          const gain = ctx.createGain();
          osc.frequency.value = 880;
          gain.gain.value = 0.25;
          osc.connect(gain); gain.connect(ctx.destination);
          osc.start(ctx.currentTime + offset);
          osc.stop(ctx.currentTime + offset + 0.25);
        });
      } catch (e) { /* no sound available */ }
    };
    // The countdown, computed from what the server stored (seconds left when it drew the
    // panel) and the browser's own clock since then: no server work per second, no drift.
    const fmt = (s) => {
      const whole = s >= 0 ? Math.floor(s) : Math.ceil(-s);
      const sign = s < 0 ? "-" : "";
      return sign + Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
    };
    const seen = new Map();
    w.__bcBeeped = w.__bcBeeped || new Set();
    const beeped = w.__bcBeeped;
    w.__bcLastOver = w.__bcLastOver || new Map();
    const lastOver = w.__bcLastOver;
    const tick = () => {
      const now = Date.now() / 1000;
      document.querySelectorAll(".bc-timer[data-live]").forEach((el) => {
        const d = el.dataset;
        if (d.status !== "running") return;
        if (!seen.has(d.rendered)) seen.set(d.rendered, now);
        const dt = now - seen.get(d.rendered);
        const drawn = parseFloat(d.stepRemaining);
        const step = drawn - dt;
        const total = parseFloat(d.totalRemaining) - dt;
        const over = step <= 0;
        const big = el.querySelector(".bc-timer__big");
        const label = el.querySelector(".bc-timer__label");
        const sum = el.querySelector(".bc-timer__total");
        el.classList.toggle("bc-overrun", over);
        if (big) big.textContent = over ? "+" + fmt(-step) : fmt(step);
        if (label) {
          label.textContent = over
            ? "Tiden for " + d.short + " er gået – over tid"
            : "Tid tilbage – " + d.short;
        }
        if (sum) {
          sum.textContent = total >= 0
            ? "Tid tilbage i alt: " + fmt(total) + " af " + fmt(parseFloat(d.total))
            : "Mødet er " + fmt(-total) + " over tid";
        }
        // Remembered per step, not per drawn panel: a server redraw that lands just after
        // zero must not swallow the signal.
        const wasOver = lastOver.has(d.key) ? lastOver.get(d.key) : drawn <= 0;
        // One signal per step and page, however often the panel is redrawn.
        if (over && !wasOver && d.sound === "1" && !beeped.has(d.key)) {
          beeped.add(d.key);
          w.__bcBeep();
        }
        lastOver.set(d.key, over);
      });
      if (seen.size > 50) seen.clear();
    };
    if (w.__bcTick) clearInterval(w.__bcTick);
    w.__bcTick = setInterval(tick, 250);
  }
}
"""

_helper = st.components.v2.component("borgercases_helper", js=_HELPER_JS)


def page_helper(
    key: str = "bc_helper",
    view: str | None = None,
    device_store: str | None = None,
    device_forget: bool = False,
) -> str | None:
    """Sets lang="da", autosaves notes while typing, runs the countdown and its end-of-step
    signal in the browser, and scrolls to the top when ``view`` (e.g. the step) changes."""
    _helper(key=key, data={"view": view})
    return None
