"""A minimal Streamlit session client: the browser's side of the protocol, without a browser.

Used by the bench (bench/participants.py, rows ``participants_*``) to hold a few hundred passive
"follower" pages open on a small machine, where as many Chromium pages would not fit.

It talks to ``/_stcore/stream`` the way Streamlit 1.67's frontend does:

* ``GET /_stcore/health`` first (the server sets the ``_streamlit_xsrf`` cookie there), then
  ``GET /_stcore/host-config``, then the WebSocket with the subprotocols
  ``["streamlit", <xsrf cookie or PLACEHOLDER_AUTH_TOKEN>]``, the cookie and an ``Origin``
  header, binary frames only (one protobuf per frame);
* a first ``BackMsg.rerun_script`` with the query string, empty widget states, the page name
  from the path and the browser's ``ContextInfo`` (time zone, locale, URL, colour scheme);
* ``ForwardMsg.auto_rerun`` (from ``st.fragment(run_every=…)``) starts a timer that sends
  ``rerun_script`` with that ``fragment_id`` and ``is_auto_rerun`` on that interval – the
  frontend's ``setInterval`` in ``handleAutoRerun`` – until ``stop_auto_rerun`` or the next
  full run (``new_session`` without fragment ids), as ``cleanupAutoReruns`` does;
* the ForwardMsg cache: large ``new_element`` deltas marked ``cacheable`` are kept, their
  hashes reported in every ``rerun_script`` (``cached_message_hashes``), and ``ref_hash``
  messages resolved from them; entries age out after ``max_cached_message_age`` runs;
* the page model: ``new_element`` and ``add_block`` deltas kept by delta path, with the run
  and fragment that wrote them; ``script_finished`` clears stale nodes as the frontend's
  ``clearStaleNodes`` does (a full run: everything not written by it; a fragment run: stale
  nodes inside that fragment's blocks only).

WebSocket pings from the server are answered by the ``websockets`` library while the reader
runs; an app heartbeat is only sent by the frontend when an embedding host asks for it.

Known limits: widgets are barely emulated – every rerun carries the values of the page's
checkboxes and text fields as the server drew them (as a browser nobody types into), and the
trigger of a button pressed with ``click``; other widgets send no value, and components (v1
and v2) never report one (so a page load costs one run less than in a browser when a
component answers on load);
transient elements (spinners, toasts), navigation between pages, reconnecting after a lost
connection and TLS are not supported.

    async with StreamlitClient("http://127.0.0.1:8501/", query="m=abc") as c:
        await c.wait_for(lambda c: c.find("Trin 3:") is not None, timeout=20)
        print(c.texts())
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import urllib.parse
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol

XSRF_COOKIE = "_streamlit_xsrf"
PLACEHOLDER_TOKEN = "PLACEHOLDER_AUTH_TOKEN"  # what the frontend sends without a cookie

# What the frontend reports about the browser (ContextInfo), here a Danish desktop browser.
TIMEZONE = "Europe/Copenhagen"
LOCALE = "da-DK"
COLOR_SCHEME = "light"

Path = tuple[int, ...]
DeltaHook = Callable[[str, float], None]
T = TypeVar("T")


class ProtocolError(RuntimeError):
    """The server sent something this client cannot make sense of."""


@dataclass
class Node:
    """One element or block of the page, as the last delta at its path left it."""

    path: Path
    kind: str  # the Element's type ("markdown", "heading", "button", …) or "block:<type>"
    text: str  # the element's body or label ("" for most blocks)
    run_id: str  # the script run that wrote it
    fragment_id: str  # the fragment it belongs to ("" outside fragments)
    widget_id: str = ""  # for widgets: the id their state is reported under

    @property
    def is_block(self) -> bool:
        return self.kind.startswith("block:")


def element_text(element: Element) -> tuple[str, str, str]:
    """(type, text, widget id) of an element: its body, label or code, whichever it has."""
    kind = element.WhichOneof("type") or ""
    if not kind:
        return "", "", ""
    inner: Any = getattr(element, kind)
    fields = inner.DESCRIPTOR.fields_by_name
    text = ""
    for name in ("body", "label", "code_text"):
        if name in fields and getattr(inner, name):
            text = str(getattr(inner, name))
            break
    widget_id = str(inner.id) if "id" in fields else ""
    return kind, text, widget_id


def _parse_headers(raw: bytes) -> tuple[int, list[tuple[str, str]]]:
    head = raw.decode("latin-1").split("\r\n")
    parts = head[0].split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise ProtocolError(f"not an HTTP response: {head[0]!r}")
    headers = []
    for line in head[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers.append((name.strip().lower(), value.strip()))
    return int(parts[1]), headers


async def http_get(
    url: str, headers: dict[str, str] | None = None, timeout: float = 10.0
) -> tuple[int, list[tuple[str, str]], bytes]:
    """A plain HTTP/1.1 GET without blocking the event loop: (status, headers, body)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"only http:// addresses are supported: {url}")
    port = parts.port or 80
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    lines = [f"GET {target} HTTP/1.1", f"Host: {parts.hostname}:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]

    async def exchange() -> bytes:
        reader, writer = await asyncio.open_connection(parts.hostname, port)
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            await writer.drain()
            return await reader.read()  # to EOF: the server closes (Connection: close)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    raw = await asyncio.wait_for(exchange(), timeout)
    head, _, body = raw.partition(b"\r\n\r\n")
    status, response_headers = _parse_headers(head)
    return status, response_headers, body


@dataclass
class _Cached:
    encoded: bytes
    run_count: int
    fragment_id: str


class StreamlitClient:
    """One browser tab's Streamlit session, headless. Use as ``async with``.

    ``on_delta(text, t)`` is called for every new element with its text and the
    ``time.monotonic()`` at which its frame was read, so a caller can time when a marker
    first appears. ``query`` is the page's query string without ``?`` (``"j=abc123"``);
    ``path`` the page's path below the app's address ("" for the main page).
    """

    def __init__(
        self,
        base_url: str,
        query: str = "",
        *,
        path: str = "",
        on_delta: DeltaHook | None = None,
        open_timeout: float = 30.0,
        http_handshake: bool = True,
    ) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"only http:// addresses are supported: {base_url}")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.ws_url = "ws://" + parts.netloc + urllib.parse.urlsplit(self.base_url).path
        self.ws_url += "_stcore/stream"
        self.query = query.lstrip("?")
        self.page_name = path.strip("/")
        self.on_delta = on_delta
        self.open_timeout = open_timeout
        self.http_handshake = http_handshake

        self.nodes: dict[Path, Node] = {}
        self.session_id = ""
        self.page_script_hash = ""
        self.run_id = ""  # the run the page's state belongs to (from the last new_session)
        self.fragment_ids_this_run: list[str] = []
        self.script_running = False
        self.runs_started = 0  # new_session messages (full and fragment runs)
        self.runs_finished = 0  # script_finished messages
        self.messages = 0
        self.reruns_sent = 0  # rerun_script messages sent, auto-reruns included
        self.auto_reruns_sent = 0
        self.bytes_received = 0
        self.page_not_found = False
        self.errors: list[str] = []  # exceptions the app showed (Exception elements)

        # Widget values the page holds, sent with every rerun as the browser does: only
        # checkboxes and text fields, at the value the server gave them.
        self.widgets: dict[str, WidgetState] = {}

        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._auto: dict[str, tuple[float, asyncio.Task[None]]] = {}
        self._cache: dict[str, _Cached] = {}
        self._cache_runs = 0
        self._max_cache_age = 2
        self._changed = asyncio.Event()
        self._closed_reason: str | None = None

    # --- Connecting ---------------------------------------------------------------------

    async def __aenter__(self) -> StreamlitClient:
        try:
            await self.connect()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def connect(self) -> None:
        """Health check, WebSocket, first run request – what a page load does."""
        cookie = ""
        status, headers, body = await http_get(
            self.base_url + "_stcore/health", timeout=self.open_timeout
        )
        if status != 200:
            raise ConnectionError(f"/_stcore/health answered {status}: {body[:200]!r}")
        for name, value in headers:
            if name == "set-cookie" and value.startswith(XSRF_COOKIE + "="):
                cookie = value.split(";", 1)[0].split("=", 1)[1]
        if self.http_handshake:
            await http_get(self.base_url + "_stcore/host-config", timeout=self.open_timeout)
        extra = {"Cookie": f"{XSRF_COOKIE}={cookie}"} if cookie else {}
        self._ws = await connect(
            self.ws_url,
            origin=Origin(self.origin),
            subprotocols=[Subprotocol("streamlit"), Subprotocol(cookie or PLACEHOLDER_TOKEN)],
            additional_headers=extra,
            open_timeout=self.open_timeout,
            ping_interval=None,  # browsers send no pings; the server's are answered
            max_size=None,
            proxy=None,
        )
        self._reader = asyncio.create_task(self._read(), name=f"stclient-read {self.query}")
        await self.rerun()

    async def close(self) -> None:
        for _interval, task in self._auto.values():
            task.cancel()
        self._auto.clear()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), 5)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        self._closed_reason = self._closed_reason or "closed"
        self._notify()

    @property
    def auto_reruns(self) -> dict[str, float]:
        """The fragments this page reruns on its own: fragment id -> interval in seconds."""
        return {fragment_id: interval for fragment_id, (interval, _) in self._auto.items()}

    @property
    def closed(self) -> str | None:
        """Why the connection ended, or None while it is open."""
        return self._closed_reason

    # --- Sending ------------------------------------------------------------------------

    def _context(self, msg: BackMsg) -> None:
        info = msg.rerun_script.context_info
        info.timezone = TIMEZONE
        offset = datetime.now(ZoneInfo(TIMEZONE)).utcoffset() or timedelta(0)
        info.timezone_offset = -int(offset.total_seconds()) // 60  # as getTimezoneOffset()
        info.locale = LOCALE
        info.url = self.base_url + self.page_name  # the frontend leaves the query out
        info.is_embedded = False
        info.color_scheme = COLOR_SCHEME

    async def rerun(
        self,
        fragment_id: str = "",
        is_auto_rerun: bool = False,
        widgets: list[WidgetState] | None = None,
    ) -> None:
        """Send ``rerun_script`` as the frontend's ``sendRerunBackMsg`` does."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        extra = widgets or []
        held = [w for key, w in self.widgets.items() if all(x.id != key for x in extra)]
        state.widget_states.CopyFrom(WidgetStates(widgets=held + extra))
        state.page_script_hash = self.page_script_hash
        if not self.page_script_hash:
            state.page_name = self.page_name  # the first run: the page comes from the path
        state.fragment_id = fragment_id
        state.is_auto_rerun = is_auto_rerun
        state.cached_message_hashes.extend(self._cache)
        self._context(msg)
        await self._send(msg)
        self.reruns_sent += 1
        self.auto_reruns_sent += is_auto_rerun

    async def _send(self, msg: BackMsg) -> None:
        if self._ws is None or self._closed_reason:
            raise ConnectionError(f"not connected ({self._closed_reason or 'not opened'})")
        await self._ws.send(msg.SerializeToString())

    async def click(self, label: str) -> None:
        """Press the button labelled ``label`` (its trigger value, sent once, as on a click)."""
        for node in self.nodes.values():
            if node.kind == "button" and node.text == label and node.widget_id:
                trigger = WidgetState(id=node.widget_id, trigger_value=True)
                await self.rerun(fragment_id=node.fragment_id, widgets=[trigger])
                return
        raise LookupError(f"no button labelled {label!r}; buttons: {self.buttons()}")

    # --- Reading the page ---------------------------------------------------------------

    def elements(self) -> list[Node]:
        """The page's elements (not blocks) in page order."""
        return [self.nodes[p] for p in sorted(self.nodes) if not self.nodes[p].is_block]

    def texts(self) -> list[str]:
        """The text of every element on the page, in page order (empty texts left out)."""
        return [n.text for n in self.elements() if n.text]

    def buttons(self) -> list[str]:
        return [n.text for n in self.elements() if n.kind == "button"]

    def find(self, prefix: str, kind: str | None = None) -> Node | None:
        """The first element whose text starts with ``prefix`` (of type ``kind``, if given)."""
        for node in self.elements():
            if node.text.startswith(prefix) and (kind is None or node.kind == kind):
                return node
        return None

    async def wait_for(
        self, predicate: Callable[[StreamlitClient], bool], timeout: float = 20.0
    ) -> None:
        """Until ``predicate(self)`` holds; TimeoutError after ``timeout`` seconds,
        ConnectionError when the connection ends first."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if self._closed_reason:
                raise ConnectionError(f"connection ended: {self._closed_reason}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"not shown within {timeout:.0f} s; page: {self.texts()[:12]}")
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), left)

    async def wait_idle(self, timeout: float = 20.0) -> None:
        """Until no script run is in progress (the status the frontend shows as running)."""
        await self.wait_for(lambda c: not c.script_running and c.runs_finished > 0, timeout)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # --- Receiving ----------------------------------------------------------------------

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for frame in self._ws:
                now = time.monotonic()
                if isinstance(frame, str):
                    raise ProtocolError("text frame from the server")
                self.messages += 1
                self.bytes_received += len(frame)
                await self._handle(self._decode(frame), now)
                self._notify()
            self._closed_reason = "closed by the server"
        except ConnectionClosed as exc:
            self._closed_reason = f"connection closed ({exc})"
        except asyncio.CancelledError:
            self._closed_reason = self._closed_reason or "closed"
            raise
        except Exception as exc:
            self._closed_reason = f"{type(exc).__name__}: {exc}"
        finally:
            for _interval, task in self._auto.values():
                task.cancel()
            self._auto.clear()
            self._notify()

    def _decode(self, frame: bytes) -> ForwardMsg:
        """A ForwardMsg, with ``ref_hash`` references resolved from the message cache."""
        msg = ForwardMsg()
        msg.ParseFromString(frame)
        if msg.WhichOneof("type") == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                raise ProtocolError(f"cached ForwardMsg missing: {msg.ref_hash}")
            cached.run_count = self._cache_runs
            full = ForwardMsg()
            full.ParseFromString(cached.encoded)
            full.metadata.CopyFrom(msg.metadata)
            return full
        if msg.metadata.cacheable and msg.hash:
            if msg.hash in self._cache:
                self._cache[msg.hash].run_count = self._cache_runs
            else:
                fragment = msg.delta.fragment_id if msg.HasField("delta") else ""
                self._cache[msg.hash] = _Cached(frame, self._cache_runs, fragment)
        return msg

    async def _handle(self, msg: ForwardMsg, now: float) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self._new_session(msg)
        elif kind == "delta":
            self._delta(msg, now)
        elif kind == "script_finished":
            self._script_finished(msg)
        elif kind == "session_status_changed":
            self.script_running = msg.session_status_changed.script_is_running
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "auto_rerun":
            self._start_auto_rerun(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment_id in msg.stop_auto_rerun.fragment_ids:
                self._stop_auto_rerun(fragment_id)
        elif kind == "page_not_found":
            self.page_not_found = True
        # heartbeat_ack, page_config_changed, page_profile, git_info_changed, logo,
        # navigation, session_event, parent_message: nothing on the page to update.

    def _new_session(self, msg: ForwardMsg) -> None:
        session = msg.new_session
        if session.initialize.session_id:
            self.session_id = session.initialize.session_id
        self.page_script_hash = session.page_script_hash
        self._max_cache_age = session.config.max_cached_message_age or self._max_cache_age
        self.run_id = msg.metadata.run.script_run_id
        self.fragment_ids_this_run = list(msg.metadata.run.fragment_ids)
        self.runs_started += 1
        if not self.fragment_ids_this_run:
            for fragment_id in list(self._auto):  # a full run: its fragments start anew
                self._stop_auto_rerun(fragment_id)

    def _delta(self, msg: ForwardMsg, now: float) -> None:
        path = tuple(msg.metadata.delta_path)
        delta = msg.delta
        run_id = msg.metadata.run.script_run_id or self.run_id
        kind = delta.WhichOneof("type")
        if kind == "new_element":
            etype, text, widget_id = element_text(delta.new_element)
            self._drop_below(path)
            self.nodes[path] = Node(path, etype, text, run_id, delta.fragment_id, widget_id)
            self._hold_widget_value(delta.new_element, etype, widget_id)
            if etype == "exception":
                self.errors.append(delta.new_element.exception.message)
            if self.on_delta is not None:
                self.on_delta(text, now)
        elif kind == "add_block":
            block = delta.add_block
            btype = "block:" + (block.WhichOneof("type") or "")
            old = self.nodes.get(path)
            if old is None or old.kind != btype:
                self._drop_below(path)  # a new kind of block starts without children
            label = block.expandable.label if block.HasField("expandable") else ""
            self.nodes[path] = Node(path, btype, label, run_id, delta.fragment_id)
        # new_transient (spinners, toasts): not kept.

    def _hold_widget_value(self, element: Element, etype: str, widget_id: str) -> None:
        """The value a checkbox or text field starts with in the browser: the one the server
        sets, else the one it already has, else its default."""
        if not widget_id:
            return
        if etype == "checkbox":
            box = element.checkbox
            if box.set_value or widget_id not in self.widgets:
                value = box.value if box.set_value else box.default
                self.widgets[widget_id] = WidgetState(id=widget_id, bool_value=value)
        elif etype in ("text_area", "text_input"):
            field: Any = getattr(element, etype)
            if field.set_value or widget_id not in self.widgets:
                if field.set_value and field.HasField("value"):
                    text: str | None = field.value
                else:
                    text = field.default if field.HasField("default") else None
                if text is None:
                    self.widgets.pop(widget_id, None)
                else:
                    self.widgets[widget_id] = WidgetState(id=widget_id, string_value=text)

    def _drop_below(self, path: Path) -> None:
        n = len(path)
        for p in [p for p in self.nodes if len(p) > n and p[:n] == path]:
            del self.nodes[p]

    def _script_finished(self, msg: ForwardMsg) -> None:
        status = msg.script_finished
        run = msg.metadata.run
        self.runs_finished += 1
        ok = (
            ForwardMsg.FINISHED_SUCCESSFULLY,
            ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
        )
        if msg.metadata.HasField("run") and status in ok:
            fragment_ids = list(run.fragment_ids)
            if fragment_ids or run.script_run_id == self.run_id:
                self._clear_stale(run.script_run_id, fragment_ids)
        if msg.metadata.HasField("run") and status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self._age_cache(list(run.fragment_ids))

    def _clear_stale(self, run_id: str, fragment_ids: list[str]) -> None:
        """The frontend's clearStaleNodes: drop what the finished run did not (re)write."""
        if not fragment_ids:
            stale = [p for p, n in self.nodes.items() if n.run_id != run_id]
        else:
            roots = [
                p
                for p, n in self.nodes.items()
                if n.is_block and n.fragment_id in fragment_ids and n.run_id == run_id
            ]

            def inside(p: Path) -> bool:
                return any(len(p) > len(r) and p[: len(r)] == r for r in roots)

            stale = [
                p
                for p, n in self.nodes.items()
                if n.run_id != run_id and inside(p) and (n.is_block or n.fragment_id)
            ]
        for path in stale:
            if path in self.nodes:
                del self.nodes[path]
                self._drop_below(path)
        # removeInactiveWidgetState: values of widgets no longer on the page are dropped.
        shown = {n.widget_id for n in self.nodes.values() if n.widget_id}
        for widget_id in [w for w in self.widgets if w not in shown]:
            del self.widgets[widget_id]

    def _age_cache(self, fragment_ids: list[str]) -> None:
        """The frontend's incrementRunCount: forget messages unused for too many runs."""
        self._cache_runs += 1
        for key, entry in list(self._cache.items()):
            if fragment_ids and (not entry.fragment_id or entry.fragment_id not in fragment_ids):
                continue
            if self._cache_runs - entry.run_count > self._max_cache_age:
                del self._cache[key]

    # --- Fragments that rerun on their own ----------------------------------------------

    def _start_auto_rerun(self, fragment_id: str, interval: float) -> None:
        if not fragment_id:
            return  # the frontend ignores these too
        current = self._auto.get(fragment_id)
        if current is not None and current[0] == interval:
            return
        self._stop_auto_rerun(fragment_id)
        task = asyncio.create_task(self._auto_rerun(fragment_id, interval))
        self._auto[fragment_id] = (interval, task)

    def _stop_auto_rerun(self, fragment_id: str) -> None:
        entry = self._auto.pop(fragment_id, None)
        if entry is not None:
            entry[1].cancel()

    async def _auto_rerun(self, fragment_id: str, interval: float) -> None:
        """setInterval(…, interval): fixed ticks from now on, whether or not a run is busy."""
        if interval <= 0:
            return
        started = time.monotonic()
        tick = 0
        while not self._closed_reason:
            tick += 1
            await asyncio.sleep(max(0.0, started + tick * interval - time.monotonic()))
            try:
                await self.rerun(fragment_id=fragment_id, is_auto_rerun=True)
            except (ConnectionError, ConnectionClosed):
                return


def run_in_thread(scenario: Callable[[], Coroutine[Any, Any, T]], timeout: float) -> T:
    """Run a coroutine in a fresh event loop in a thread of its own: the caller's thread may
    hold a running loop (Playwright's sync API keeps one after browser tests ran)."""
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["value"] = asyncio.run(scenario())
        except BaseException as exc:
            out["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"still running after {timeout:.0f} s")
    if "error" in out:
        raise out["error"]
    value: T = out["value"]
    return value
