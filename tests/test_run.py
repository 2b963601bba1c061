"""`make run` (scripts/run.py) serves this machine only and refuses foreign Host headers.

Streamlit checks `server.allowedHosts` on the WebSocket, which carries all of the app's data:
a web page whose domain is rebound to 127.0.0.1 (DNS rebinding) sends its own name as Host, so
refusing that handshake is what keeps such a page away from the teams' notes.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest

from harness.nginx import free_port
from tests.conftest import ROOT, import_script


def _handshake(port: int, host: str, origin: str | None = None) -> str:
    """The status line Streamlit answers a WebSocket handshake to /_stcore/stream with."""
    lines = [
        "GET /_stcore/stream HTTP/1.1",
        f"Host: {host}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}",
        "Sec-WebSocket-Version: 13",
    ]
    if origin:
        lines.append(f"Origin: {origin}")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        answer = b""
        while b"\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode()


def _accepts(address: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family) as s:
        s.settimeout(2)
        return s.connect_ex((address, port)) == 0


def _all_addresses_reach_loopback() -> bool:
    """Whether a socket bound to every interface answers on 127.0.0.2 (all of 127/8, Linux)."""
    with socket.socket() as server:
        server.bind(("0.0.0.0", 0))
        server.listen()
        return _accepts("127.0.0.2", server.getsockname()[1])


class Kit:
    def __init__(self, proc: subprocess.Popen[str], site_port: int, app_port: int) -> None:
        self.proc = proc
        self.site_port = site_port
        self.app_port = app_port


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kit]:
    """scripts/run.py as `make run` starts it, in its own process group so nothing outlives it."""
    tmp_path = tmp_path_factory.mktemp("run")
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "BORGERCASES_DATA_DIR": str(tmp_path / "data"),
        "SITE_PORT": str(free_port()),
        "APP_PORT": str(free_port()),
    }
    log = tmp_path / "run.log"
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "run.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
        start_new_session=True,
    )
    try:
        out = ""
        deadline = time.monotonic() + 90
        assert proc.stdout is not None
        while "Tryk Ctrl+C" not in out and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            out += line
        site = re.search(r"Sitet .*http://127\.0\.0\.1:(\d+)/", out)
        app = re.search(r"Facilitatorværktøjet .*http://127\.0\.0\.1:(\d+)/", out)
        assert site and app, out + log.read_text(errors="replace")
        yield Kit(proc, int(site.group(1)), int(app.group(1)))
    finally:
        proc.send_signal(signal.SIGTERM)  # run.py stops both servers, as on Ctrl+C
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        try:  # anything left in the group would be a server run.py failed to stop
            os.killpg(proc.pid, signal.SIGKILL)
            leftover = True
        except ProcessLookupError:
            leftover = False
        assert not leftover, "scripts/run.py efterlod processer"


def test_make_run_refuses_foreign_host_headers(kit: Kit) -> None:
    port = kit.app_port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        assert _handshake(port, host, origin=f"http://{host}").startswith("HTTP/1.1 101"), host
    # A page on a rebound domain: its own name as Host and Origin; and one without Origin.
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}"):
        assert _handshake(port, host, origin=f"http://{host}").startswith("HTTP/1.1 403"), host
        assert _handshake(port, host).startswith("HTTP/1.1 403"), host


def test_make_run_listens_on_127_0_0_1_only(kit: Kit) -> None:
    for port in (kit.app_port, kit.site_port):
        assert _accepts("127.0.0.1", port)
        assert not _accepts("::1", port)
        if _all_addresses_reach_loopback():
            assert not _accepts("127.0.0.2", port), f"port {port} lytter på alle adresser"


def test_make_run_serves_a_home_page_that_links_to_the_app(kit: Kit) -> None:
    """run.py builds the site with the app's address, so the home page leads to the tool."""
    url = f"http://127.0.0.1:{kit.site_port}/index.html"
    with urllib.request.urlopen(url, timeout=10) as response:
        home = response.read().decode("utf-8")
    assert f'href="http://127.0.0.1:{kit.app_port}/"' in home


def test_phones_are_let_in_only_when_asked_and_only_under_the_lan_address() -> None:
    """`make run PHONES=1`: the app listens on the network too, accepting this machine's LAN
    address as its host name besides the local ones – and nothing else changes without it."""
    run = import_script("run")

    local = run.app_command(8501)
    assert local[local.index("--server.address") + 1] == "127.0.0.1"
    hosts = [local[i + 1] for i, a in enumerate(local) if a == "--server.allowedHosts"]
    assert hosts == ["localhost", "127.0.0.1"]
    phones = run.app_command(8501, "192.168.1.20")
    assert phones[phones.index("--server.address") + 1] == "0.0.0.0"
    hosts = [phones[i + 1] for i, a in enumerate(phones) if a == "--server.allowedHosts"]
    assert hosts == ["localhost", "127.0.0.1", "192.168.1.20"]
    lan = run.lan_address()
    assert lan is None or not lan.startswith("127.")
