"""Code flood: many wrong team codes at once, while a real team opens with its right code.

    python scripts/code_flood.py --start-app [--sessions 16] [--seconds 20]
    python scripts/code_flood.py --url http://127.0.0.1:8501/ [--code XXXX-XXXX-XXXX-XXXX]

Measures what guessing team codes costs an attacker and what it does to everybody else. No
browser: the script speaks Streamlit's own websocket protocol, the same protobuf messages the
browser's JavaScript sends and receives (``streamlit.proto``), so one Python process can play
dozens of "browsers". ``--start-app`` starts the app itself (``streamlit run app.py`` with a
temporary data folder) and stops it afterwards; without it the app at ``--url`` is measured.

The run, in order:

1. Team: the victim's team is created through the page's »Opret team« form and its code read
   from the success message (»Teamets kode er **XXXX-…**«), unless ``--code`` is given.
2. Baseline: the victim opens the team ``--baseline`` times with nobody else on the server.
3. Flood: ``--sessions`` attacker sessions send well-formed wrong codes to the »Åbn teamet«
   form in a loop for ``--seconds`` seconds: by default a fresh websocket session per guess (as
   an attacker does who wants a fresh per-session throttle), with ``--reuse`` one session each.
   Meanwhile the victim opens the team every ``--victim-every`` seconds, each time in a fresh
   session, as a facilitator does who loads the page and types the code.
4. After: the victim opens the team ``--after`` times more once the flood has stopped.

Figures printed (``--json FILE`` writes them as JSON too): wrong-code guesses per second,
sent and answered (answered = the page said »Koden passer ikke«; refused = any other error or
warning, e.g. a »Vent …« from a throttle), the attacker's response time (form sent → page
finished), and the victim's time-to-open (form sent → team page finished; median, max, n)
before, during and after the flood. The page load (websocket opened → start page finished) is
shown next to it.

Source addresses: against a loopback address (127.0.0.1/localhost) the attacker connects from
127.0.0.2 (``--attacker-addresses N``: 127.0.0.2 … 127.0.0.N+1, round robin over the sessions)
and the victim from 127.0.0.1, so a server-side throttle per client address can tell them
apart as it would on the internet. ``--same-address`` puts both on 127.0.0.1. Streamlit's
``st.context.ip_address`` reports 127.0.0.1 as None and the others as they are. uvicorn
replaces the address with ``X-Forwarded-For`` only for connections from 127.0.0.1 and ::1 (its
default ``FORWARDED_ALLOW_IPS``, meant for a reverse proxy on the same host); the attacker's
127.0.0.2 cannot claim another address that way.

The protocol, as the browser speaks it (Streamlit 1.67, starlette/uvicorn server):

* Connect a websocket to ``/_stcore/stream`` with the subprotocol list ``streamlit,
  <token>[, <last session id>]``. The server selects the first entry; the second carries the
  XSRF cookie ``_streamlit_xsrf`` if the page set one, else the literal
  ``PLACEHOLDER_AUTH_TOKEN`` (it only matters for ``st.login`` cookies); the third asks to
  resume an earlier session and is left out here, so every connection is a new session.
  Frames are binary protobufs both ways: ``BackMsg`` up, ``ForwardMsg`` down.
* Nothing runs until the client sends a ``BackMsg.rerun_script`` (a ``ClientState``): the
  query string of the address (without ``?``), an empty ``page_script_hash`` on the first run
  (later the one from ``new_session``), ``context_info`` (time zone, locale, url, …) and the
  ``widget_states``. ``cached_message_hashes`` stays empty, so the server sends every message
  in full and never a ``ref_hash`` to look up in a browser cache.
* A run answers with ``new_session`` (session id, page hash, config), ``session_status_changed``,
  ``page_config_changed``, ``delta`` messages – each with ``metadata.delta_path``, the
  element's place in the page tree, and ``delta.new_element`` (an ``Element`` whose oneof
  ``type`` is ``text_input``, ``button``, ``alert``, ``heading``, …) or ``delta.add_block``
  (columns, forms) – ``page_info_changed`` when the script sets ``st.query_params`` (the team's
  ``?t=`` link), and finally ``script_finished``. ``st.rerun()`` ends a run with
  ``FINISHED_EARLY_FOR_RERUN`` and starts the next one at once with a new ``new_session``; the
  page is complete only at the first ``script_finished`` with any other status, and only the
  elements after the last ``new_session`` are on screen.
* Widget ids come from the element protos: ``TextInput.id`` (``$$ID-<hash>-team_code_input``),
  ``Button.id`` of the form's submit button (``is_form_submitter``, ``form_id``). They are
  deterministic: the same for every session of the same app version.
* Submitting a form (the frontend's ``WidgetStateManager.submitForm``): the form's pending
  values are copied into the widget states, the submit button gets ``trigger_value = true``,
  and one ``rerun_script`` carries them all. Here: the text input's ``string_value`` and the
  button's ``trigger_value``; widgets left out keep their defaults on the server, which is
  what the browser would send for untouched widgets anyway. The trigger is not sent again on
  the next rerun (the server resets triggers after a run, the browser deletes its copy).
* ``--direct`` skips the start page: since the ids are stable, an attacker can send the form
  submission as a session's very first ``rerun_script``; the server accepts widget states for
  widgets it has not seen yet and applies them when the script registers the widget. That
  halves the script runs per guess.
* Outcome, from the elements of the finished page: a »Skift team« button (next to the team's
  name as header) means the team opened; an error or warning ``alert`` that asks to wait
  (»Vent …«, »Prøv igen om …«, »For mange …«) a refusal by a throttle; else one with »Koden
  passer ikke« a wrong code; any other error or warning a refusal too. A throttle that answers
  with the plain wrong-code text counts as answered: only the response time tells them apart.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.typing import Origin, Subprotocol

from facilitator import teamcode

OPEN_FORM, CODE_LABEL = "open_team", "Teamkode"
NEW_FORM, NAME_LABEL = "new_team", "Teamets navn"
WRONG_CODE_TEXT = "Koden passer ikke"
THROTTLE_RE = re.compile(r"\b(vent|prøv igen om|for mange)\b", re.IGNORECASE)
TEAM_PAGE_BUTTON = "Skift team"
# The code is drawn through literal(): its dashes arrive escaped for Markdown (»\-«).
NEW_CODE_RE = re.compile(r"Teamets kode er \*\*([0-9A-Z\\-]+)\*\*")
AUTH_PLACEHOLDER = "PLACEHOLDER_AUTH_TOKEN"

DeltaPath = tuple[int, ...]


class ProtocolError(RuntimeError):
    """The server said something this client does not understand (or nothing it expected)."""


# --- One browser-less Streamlit session --------------------------------------------------


@dataclass
class Form:
    """Widget ids of one ``st.form``: its inputs by label and its submit button."""

    form_id: str
    inputs: dict[str, str]
    submit: str


@dataclass
class Page:
    """What the last script run put on the screen, element by element (by delta path)."""

    elements: dict[DeltaPath, tuple[str, Any]] = field(default_factory=dict)
    forms: set[str] = field(default_factory=set)
    query_string: str = ""
    status: int = ForwardMsg.FINISHED_SUCCESSFULLY

    def of_kind(self, kind: str) -> Iterator[Any]:
        for path in sorted(self.elements):
            k, proto = self.elements[path]
            if k == kind:
                yield proto

    def form(self, form_id: str) -> Form:
        inputs: dict[str, str] = {}
        submit = ""
        for kind, proto in self.elements.values():
            if getattr(proto, "form_id", None) != form_id or not getattr(proto, "id", ""):
                continue
            if kind == "button" and proto.is_form_submitter:
                submit = submit or proto.id  # the first submit button, as the browser does
            elif kind != "button":
                inputs[proto.label] = proto.id
        if not submit:
            raise ProtocolError(f"no form {form_id!r} with a submit button on the page")
        return Form(form_id, inputs, submit)

    def alerts(self, *formats: int) -> list[str]:
        return [a.body for a in self.of_kind("alert") if a.format in formats]

    def has_button(self, label: str) -> bool:
        return any(b.label == label for b in self.of_kind("button"))

    def outcome(self) -> tuple[str, str]:
        """("opened" | "wrong" | "refused" | "unclear", the message shown)."""
        if self.has_button(TEAM_PAGE_BUTTON):
            headers = [h.body for h in self.of_kind("heading") if h.tag == "h2"]
            return "opened", headers[0] if headers else ""
        problems = self.alerts(Alert.ERROR, Alert.WARNING)
        for text in problems:
            if THROTTLE_RE.search(text):
                return "refused", text
        for text in problems:
            if WRONG_CODE_TEXT in text:
                return "wrong", text
        if problems:
            return "refused", problems[0]
        return "unclear", ""


class StreamlitSession:
    """One websocket session on ``/_stcore/stream``: run the script, submit forms, read pages."""

    def __init__(self, url: str, local_address: str | None = None) -> None:
        parts = urlsplit(url)
        self.http_url = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))
        ws_scheme = "wss" if parts.scheme == "https" else "ws"
        path = (parts.path or "/").rstrip("/") + "/_stcore/stream"
        self.ws_url = urlunsplit((ws_scheme, parts.netloc, path, "", ""))
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.query_string = parts.query
        self.local_address = local_address
        self.page_script_hash = ""
        self.session_id = ""
        self.ws: Any = None

    async def connect(self, timeout: float) -> None:
        # Passed on to the event loop's create_connection: the address to send from.
        extra: dict[str, Any] = (
            {"local_addr": (self.local_address, 0)} if self.local_address else {}
        )
        self.ws = await websockets.connect(
            self.ws_url,
            subprotocols=[Subprotocol("streamlit"), Subprotocol(AUTH_PLACEHOLDER)],
            origin=Origin(self.origin),
            open_timeout=timeout,
            max_size=None,
            proxy=None,
            **extra,
        )
        if self.ws.subprotocol != "streamlit":
            raise ProtocolError(f"server chose subprotocol {self.ws.subprotocol!r}")

    async def close(self) -> None:
        if self.ws is not None:
            ws, self.ws = self.ws, None
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 5)

    async def run(self, widgets: Iterable[tuple[str, str, Any]] = (), *, timeout: float) -> Page:
        """Send a rerun with these (widget id, value field, value) states; the finished page."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_script_hash
        info = state.context_info
        info.timezone, info.timezone_offset, info.locale = "Europe/Copenhagen", -60, "da-DK"
        info.url = self.http_url + (f"?{self.query_string}" if self.query_string else "")
        info.is_embedded, info.color_scheme = False, "light"
        for widget_id, value_field, value in widgets:
            widget = state.widget_states.widgets.add()
            widget.id = widget_id
            setattr(widget, value_field, value)
        await self.ws.send(msg.SerializeToString())
        async with asyncio.timeout(timeout):
            return await self._read_page()

    async def submit_form(self, form: Form, values: dict[str, str], *, timeout: float) -> Page:
        """Fill the form's text inputs (by label) and press its submit button."""
        widgets: list[tuple[str, str, Any]] = [
            (form.inputs[label], "string_value", text) for label, text in values.items()
        ]
        widgets.append((form.submit, "trigger_value", True))
        return await self.run(widgets, timeout=timeout)

    async def _read_page(self) -> Page:
        page = Page(query_string=self.query_string)
        while True:
            frame = await self.ws.recv()
            if isinstance(frame, str):
                raise ProtocolError("text frame from the server")
            msg = ForwardMsg()
            msg.ParseFromString(frame)
            kind = msg.WhichOneof("type")
            if kind == "new_session":  # a (re)run starts: the screen is rebuilt from here
                page = Page(query_string=self.query_string)
                self.page_script_hash = msg.new_session.page_script_hash
                if msg.new_session.HasField("initialize"):
                    self.session_id = msg.new_session.initialize.session_id
            elif kind == "delta":
                path = tuple(msg.metadata.delta_path)
                delta_kind = msg.delta.WhichOneof("type")
                if delta_kind == "new_element":
                    element_kind = msg.delta.new_element.WhichOneof("type")
                    if element_kind is None:
                        raise ProtocolError("an element without a type")
                    element = getattr(msg.delta.new_element, element_kind)
                    page.elements[path] = (element_kind, element)
                    if element_kind == "exception":
                        raise ProtocolError(f"exception on the page: {element.message}")
                elif delta_kind == "add_block" and msg.delta.add_block.HasField("form"):
                    page.forms.add(msg.delta.add_block.form.form_id)
            elif kind == "page_info_changed":  # the browser would update its address bar
                self.query_string = page.query_string = msg.page_info_changed.query_string
            elif kind == "script_finished":
                if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # st.rerun(): the next run follows on its own
                page.status = msg.script_finished
                if page.status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise ProtocolError("the app's script does not compile")
                return page
            elif kind == "ref_hash":
                raise ProtocolError("ref_hash for a message this client never cached")
            elif kind == "session_event" and msg.session_event.HasField(
                "script_compilation_exception"
            ):
                raise ProtocolError("the app's script raised while compiling")


# --- Attacker and victim -----------------------------------------------------------------


@dataclass
class Figures:
    """Timings in seconds and outcome counts of one kind of client in one phase."""

    times: list[float] = field(default_factory=list)  # form sent -> page finished
    loads: list[float] = field(default_factory=list)  # websocket opened -> start page finished
    outcomes: Counter[str] = field(default_factory=Counter)
    messages: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        return {
            "n": len(self.times),
            "median_s": _median(self.times),
            "p95_s": _p95(self.times),
            "max_s": max(self.times) if self.times else None,
            "page_load_median_s": _median(self.loads),
            "outcomes": dict(self.outcomes),
            "messages": dict(self.messages.most_common(5)),
        }


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _p95(values: list[float]) -> float | None:
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


@dataclass
class Options:
    url: str
    timeout: float
    attacker_addresses: list[str | None]
    victim_address: str | None
    reuse: bool
    direct: bool
    guess_key: str | None  # the lookup key every guess uses, or None for random keys


async def open_page(url: str, address: str | None, opts: Options) -> tuple[StreamlitSession, Page]:
    session = StreamlitSession(url, address)
    try:
        await session.connect(opts.timeout)
        return session, await session.run(timeout=opts.timeout)
    except BaseException:
        await session.close()
        raise


async def create_team(opts: Options, name: str) -> str:
    """Create a team through the »Opret team« form; its code from the success message."""
    session, page = await open_page(opts.url, opts.victim_address, opts)
    try:
        done = await session.submit_form(
            page.form(NEW_FORM), {NAME_LABEL: name}, timeout=opts.timeout
        )
    finally:
        await session.close()
    for text in done.alerts(Alert.SUCCESS):
        match = NEW_CODE_RE.search(text)
        if match:
            return match.group(1).replace("\\", "")
    raise ProtocolError(f"no team code on the page after »Opret team«: {done.outcome()}")


async def victim_open(opts: Options, code: str, figures: Figures) -> str:
    """Load the start page in a fresh session, type the right code; record the timings."""
    started = time.monotonic()
    try:
        session, page = await open_page(opts.url, opts.victim_address, opts)
    except (TimeoutError, OSError, websockets.WebSocketException, ProtocolError) as exc:
        figures.outcomes["no page"] += 1
        figures.messages[type(exc).__name__] += 1
        return "no page"
    figures.loads.append(time.monotonic() - started)
    sent = time.monotonic()
    try:
        done = await session.submit_form(
            page.form(OPEN_FORM), {CODE_LABEL: code}, timeout=opts.timeout
        )
        outcome, message = done.outcome()
    except (TimeoutError, OSError, websockets.WebSocketException, ProtocolError) as exc:
        outcome, message = "timeout" if isinstance(exc, TimeoutError) else "error", str(exc)
    finally:
        await session.close()
    figures.outcomes[outcome] += 1
    if outcome == "opened":
        figures.times.append(time.monotonic() - sent)
    elif message:
        figures.messages[message[:80]] += 1
    return outcome


async def victim_series(opts: Options, code: str, figures: Figures, count: int) -> None:
    for i in range(count):
        if i:
            await asyncio.sleep(0.3)
        await victim_open(opts, code, figures)


def wrong_guess(key: str | None) -> str:
    code, _ = teamcode.new_code()
    return f"{key}{code[4:]}" if key else code


@dataclass
class Flood:
    """The attacker side of the flood phase: every guess counted, in flight or answered."""

    figures: Figures = field(default_factory=Figures)
    sent: int = 0
    in_flight: int = 0
    errors: Counter[str] = field(default_factory=Counter)


async def attacker(opts: Options, index: int, form: Form, flood: Flood) -> None:
    """Send wrong codes until cancelled: a fresh session per guess, or one with ``reuse``."""
    address = opts.attacker_addresses[index % len(opts.attacker_addresses)]
    session: StreamlitSession | None = None
    try:
        while True:
            sent_before = flood.sent
            try:
                if session is None:
                    started = time.monotonic()
                    if opts.direct:
                        session = StreamlitSession(opts.url, address)
                        await session.connect(opts.timeout)
                    else:
                        session, page = await open_page(opts.url, address, opts)
                        form = page.form(OPEN_FORM)
                        flood.figures.loads.append(time.monotonic() - started)
                sent = time.monotonic()
                flood.sent += 1
                flood.in_flight += 1
                try:
                    done = await session.submit_form(
                        form, {CODE_LABEL: wrong_guess(opts.guess_key)}, timeout=opts.timeout
                    )
                finally:
                    flood.in_flight -= 1
                outcome, message = done.outcome()
                flood.figures.outcomes[outcome] += 1
                if outcome in {"wrong", "refused"}:
                    flood.figures.times.append(time.monotonic() - sent)
                if outcome != "wrong" and message:
                    flood.figures.messages[message[:80]] += 1
            except (TimeoutError, OSError, websockets.WebSocketException, ProtocolError) as exc:
                if flood.sent == sent_before:  # the guess never left: no page, no connection
                    kind = "no page"
                else:
                    kind = "timeout" if isinstance(exc, TimeoutError) else "error"
                flood.figures.outcomes[kind] += 1
                flood.errors[f"{kind}: {type(exc).__name__}: {str(exc)[:60]}"] += 1
                if session is not None:
                    await session.close()
                    session = None
                await asyncio.sleep(0.2)  # no hot loop while the server refuses connections
                continue
            if not opts.reuse:
                await session.close()
                session = None
    finally:
        if session is not None:
            await session.close()


async def flood_phase(
    opts: Options, code: str, sessions: int, seconds: float, every: float, victim: Figures
) -> tuple[Flood, float]:
    """Attackers for ``seconds``; the victim opens the team every ``every`` seconds meanwhile.

    The attackers keep going until the victim's last open has finished, so every victim figure
    is taken under the flood; the guess rates are over the flood's real duration."""
    first, page = await open_page(opts.url, opts.attacker_addresses[0], opts)
    await first.close()
    form = page.form(OPEN_FORM)  # for --direct: the ids every later session will use
    flood = Flood()
    started = time.monotonic()
    tasks = [asyncio.create_task(attacker(opts, i, form, flood)) for i in range(sessions)]
    deadline = started + seconds
    await asyncio.sleep(min(1.0, seconds / 4))  # let the flood build up first
    while time.monotonic() < deadline:
        opened_at = time.monotonic()
        await victim_open(opts, code, victim)
        await asyncio.sleep(max(0.0, opened_at + every - time.monotonic()))
    for task in tasks:
        task.cancel()
    duration = time.monotonic() - started
    flood.figures.outcomes["cut off at the end"] += flood.in_flight
    await asyncio.gather(*tasks, return_exceptions=True)
    return flood, duration


# --- Reporting -----------------------------------------------------------------------------


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def victim_line(label: str, s: dict[str, Any]) -> str:
    line = (
        f"{label:<24}median {_s(s['median_s'])}  max {_s(s['max_s'])}  n={s['n']}"
        f"  (page load median {_s(s['page_load_median_s'])})"
    )
    failed = {k: n for k, n in s["outcomes"].items() if k != "opened"}
    if failed:
        line += f"\n  NOT OPENED            {failed} {s['messages']}"
    return line


def report(result: dict[str, Any]) -> None:
    fl = result["flood"]
    attack = fl["attacker"]
    outcomes = Counter(attack["outcomes"])
    print(f"app                     {result['url']}")
    print(f"team                    {result['team_key']}-****-****-**** ({result['team_from']})")
    print(victim_line("victim before flood", result["victim_before"]))
    print(
        f"flood                   {fl['sessions']} sessions from {fl['attacker_addresses']},"
        f" {fl['mode']}, {fl['duration_s']:.1f} s"
    )
    print(f"  guesses sent          {fl['sent']}  ({fl['sent_per_s']:.1f}/s)")
    print(f"  answered (wrong code) {fl['answered']}  ({fl['answered_per_s']:.1f}/s)")
    refused = f"  {attack['messages']}" if outcomes["refused"] else ""
    rate = outcomes["refused"] / fl["duration_s"]
    print(f"  refused (other msg)   {outcomes['refused']}  ({rate:.1f}/s){refused}")
    unanswered = {k: outcomes[k] for k in ("timeout", "error", "cut off at the end", "unclear")}
    print(f"  not answered          {sum(unanswered.values())}  {unanswered}")
    if outcomes["no page"]:
        print(f"  no page (not sent)    {outcomes['no page']}  (connection or start page failed)")
    if outcomes["opened"]:
        print(f"  OPENED BY A GUESS     {outcomes['opened']}")
    print(
        f"  attacker response     median {_s(attack['median_s'])}  p95 {_s(attack['p95_s'])}"
        f"  max {_s(attack['max_s'])}  (page load median {_s(attack['page_load_median_s'])})"
    )
    for error, n in Counter(fl["errors"]).most_common(3):
        print(f"  error x{n}: {error}")
    print(victim_line("victim during flood", result["victim_during"]))
    if result["victim_after"]["outcomes"]:
        print(victim_line("victim after flood", result["victim_after"]))
    cpu = result["cpu_during_flood_s"]
    if cpu["server"] is not None:
        sent = max(1, fl["sent"])
        print(
            f"server CPU in flood     {cpu['server']:.1f} s"
            f"  ({cpu['server'] / sent * 1000:.0f} ms per guess sent, victim's opens included)"
        )
    print(f"client CPU in flood     {cpu['client']:.1f} s (this script)")
    load = result["load_average"]
    print(
        f"load average (1 min)    {load['before_flood']:.1f} before the flood,"
        f" {load['end_of_flood']:.1f} at its end ({os.cpu_count()} CPUs, this machine)"
    )


def cpu_seconds(pid: int | None) -> float | None:
    """CPU time (user + system) of a process on this machine so far, from /proc (Linux)."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def measure(
    args: argparse.Namespace, url: str, server_pid: int | None = None
) -> dict[str, Any]:
    local = loopback(url) and not args.same_address
    opts = Options(
        url=url,
        timeout=args.timeout,
        attacker_addresses=(
            [f"127.0.0.{2 + i}" for i in range(args.attacker_addresses)] if local else [None]
        ),
        victim_address="127.0.0.1" if local else None,
        reuse=args.reuse,
        direct=args.direct,
        guess_key=None,
    )
    if args.code:
        code, team_from = teamcode.normalise(args.code), "--code"
    else:
        code = await create_team(opts, f"Kodeflod {time.strftime('%H.%M.%S')}")
        team_from = "created through »Opret team«"
    if args.guess_key == "team":
        opts.guess_key = teamcode.lookup_key(code)

    before, during, after = Figures(), Figures(), Figures()
    await victim_series(opts, code, before, args.baseline)
    if args.baseline and not before.times:
        raise ProtocolError(f"the victim could not open the team: {dict(before.messages)}")
    load_before = os.getloadavg()[0]
    server_cpu, client_cpu = cpu_seconds(server_pid), time.process_time()
    flood, duration = await flood_phase(
        opts, code, args.sessions, args.seconds, args.victim_every, during
    )
    load_during = os.getloadavg()[0]
    client_cpu = time.process_time() - client_cpu
    server_end = cpu_seconds(server_pid)
    if server_cpu is not None and server_end is not None:
        server_cpu = server_end - server_cpu
    if args.after:
        await asyncio.sleep(0.5)
        await victim_series(opts, code, after, args.after)

    mode = "one session per attacker" if args.reuse else "fresh session per guess"
    if args.direct:
        mode += ", form sent without loading the page"
    if opts.guess_key:
        mode += ", guesses with the team's lookup key"
    answered = flood.figures.outcomes["wrong"]
    return {
        "url": url,
        "team_key": teamcode.lookup_key(code),
        "team_from": team_from,
        "victim_before": before.summary(),
        "flood": {
            "sessions": args.sessions,
            "mode": mode,
            "attacker_addresses": ", ".join(a or "default" for a in opts.attacker_addresses),
            "duration_s": duration,
            "sent": flood.sent,
            "answered": answered,
            "sent_per_s": flood.sent / duration,
            "answered_per_s": answered / duration,
            "attacker": flood.figures.summary(),
            "errors": dict(flood.errors),
        },
        "load_average": {"before_flood": load_before, "end_of_flood": load_during},
        "cpu_during_flood_s": {"server": server_cpu, "client": client_cpu},
        "victim_during": during.summary(),
        "victim_after": after.summary(),
    }


async def timing(url: str, codes: list[str], timeout: float) -> dict[str, Any]:
    """The timing oracle: one wrong code per fresh session, in random order with a lookup key that
    belongs to a team (``codes``, one guess per team, so no key's throttle gets hot) and one
    that belongs to none; each address sends at most ``FREE_FAILURES`` guesses. Form sent →
    page finished, over the websocket."""
    from facilitator.storage.teams import FREE_FAILURES

    keys = {c[:4] for c in codes}
    times: dict[str, list[float]] = {"existing key": [], "missing key": []}
    opts = Options(url, timeout, [None], None, False, False, None)
    kinds = ["existing key", "missing key"] * len(codes)
    random.shuffle(kinds)  # in random order: no drift in the machine's load favours a kind
    unused = list(codes)
    for i, kind in enumerate(kinds):
        if kind == "existing key":
            guess = wrong_guess(unused.pop()[:4])
        else:
            guess = wrong_guess(None)
            while guess[:4] in keys:
                guess = wrong_guess(None)
        session, page = await open_page(
            url, f"127.0.{1 + i // 750}.{2 + i // FREE_FAILURES % 250}", opts
        )
        try:
            sent = time.monotonic()
            done = await session.submit_form(
                page.form(OPEN_FORM), {CODE_LABEL: guess}, timeout=timeout
            )
            elapsed = time.monotonic() - sent
        finally:
            await session.close()
        if done.outcome()[0] != "wrong":
            raise ProtocolError(f"a guess was not answered as wrong: {done.outcome()}")
        times[kind].append(elapsed)
    everything = sorted(times["existing key"] + times["missing key"])
    cut = statistics.median(everything)
    right = sum(t > cut for t in times["existing key"]) + sum(
        t <= cut for t in times["missing key"]
    )
    result: dict[str, Any] = {"classifier_success": right / len(everything)}
    for kind, values in times.items():
        deciles = statistics.quantiles(values, n=10, method="inclusive")
        result[kind] = {
            "n": len(values),
            "median_ms": statistics.median(values) * 1000,
            "p10_ms": deciles[0] * 1000,
            "p90_ms": deciles[-1] * 1000,
        }
    return result


def timing_main(args: argparse.Namespace) -> int:
    """``--timing N``: start the app, make N teams in its database, measure the oracle."""
    from facilitator.storage import Storage
    from harness.app_server import AppServer

    with tempfile.TemporaryDirectory(prefix="code-timing-") as tmp:
        app = AppServer(Path(tmp))
        app.start()
        try:
            store = Storage(f"sqlite:///{app.db}")
            store.create_schema()
            codes = [store.create_team(f"Team {n}")[1] for n in range(args.timing)]
            store.dispose()
            result = asyncio.run(timing(app.url, codes, args.timeout))
        finally:
            app.stop()
    for kind in ("existing key", "missing key"):
        r = result[kind]
        print(
            f"wrong code, {kind:<13} n={r['n']}  median {r['median_ms']:.1f} ms"
            f"  p10 {r['p10_ms']:.1f} ms  p90 {r['p90_ms']:.1f} ms"
        )
    print(
        f"classifier »existing if slower than the median of all«: "
        f"{result['classifier_success']:.0%} right (50 % = no oracle)"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="the app's address, e.g. http://127.0.0.1:8501/")
    where.add_argument("--start-app", action="store_true", help="start the app (temp data dir)")
    parser.add_argument("--sessions", type=int, default=16, help="parallel attacker sessions")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the flood")
    parser.add_argument("--reuse", action="store_true", help="one session per attacker")
    parser.add_argument("--direct", action="store_true", help="submit without loading the page")
    parser.add_argument(
        "--guess-key",
        choices=["random", "team"],
        default="random",
        help="lookup key of the wrong codes: random, or the victim team's own",
    )
    parser.add_argument("--code", help="the victim team's code (default: create a team)")
    parser.add_argument("--baseline", type=int, default=5, help="victim opens before the flood")
    parser.add_argument("--after", type=int, default=3, help="victim opens after the flood")
    parser.add_argument("--victim-every", type=float, default=3.0, help="seconds between opens")
    parser.add_argument("--attacker-addresses", type=int, default=1, help="127.0.0.2 … (N)")
    parser.add_argument(
        "--same-address", action="store_true", help="attacker and victim both from 127.0.0.1"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per page")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--server-pid", type=int, help="app process on this machine (CPU time)")
    parser.add_argument(
        "--timing",
        type=int,
        metavar="N",
        help="instead of the flood: N wrong codes with an existing and N with a missing lookup "
        "key, timed over the websocket (starts its own app; give --start-app)",
    )
    args = parser.parse_args(argv)
    if args.timing:
        return timing_main(args)
    if not 1 <= args.attacker_addresses <= 250:
        parser.error("--attacker-addresses must be 1 … 250")

    app = None
    tmp = None
    try:
        if args.start_app:
            from harness.app_server import AppServer

            tmp = tempfile.TemporaryDirectory(prefix="code-flood-")
            app = AppServer(Path(tmp.name))
            print(f"app started in {app.start():.1f} s")
            url = app.url
        else:
            url = args.url
        try:
            pid = app.proc.pid if app is not None and app.proc is not None else args.server_pid
            result = asyncio.run(measure(args, url, pid))
            report(result)
        except ProtocolError as exc:
            print(f"protocol error: {exc}", file=sys.stderr)
            return 1
    finally:
        if app is not None:
            app.stop()
        if tmp is not None:
            tmp.cleanup()
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
