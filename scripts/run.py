"""Start the whole kit: the site and the facilitator app, and print both addresses.

Called by ``make run``. Builds the site first, with the app's address for the home page's
link to the facilitator tool (``BORGERCASES_APP_URL``, as the app gets the site's address in
``BORGERCASES_SITE_URL``). Stops both servers on Ctrl+C.

Both servers listen on 127.0.0.1 only, and the app accepts its WebSocket (which carries all of
its data) only for the host names it is served under here, so neither other machines nor a web
page whose domain is rebound to 127.0.0.1 (DNS rebinding) can use it. A server for many teams
runs behind a reverse proxy instead (README, "Drift på en server").

``PHONES=1`` (``make run PHONES=1``) lets the participants' phones in: the app then also
listens on this machine's address in the local network and accepts that host name only, and
the meeting page's QR code points there (``BORGERCASES_PUBLIC_URL``). The site stays local.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# The host names the app is reached under from this machine; any other Host header is refused.
ALLOWED_HOSTS = ("localhost", HOST)


def free_port(preferred: int) -> int:
    for port in range(preferred, preferred + 50):
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return port
    raise SystemExit(f"Ingen ledig port fra {preferred}")


def wait_for(port: int, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex((HOST, port)) == 0:
                return True
        time.sleep(0.2)
    return False


def app_command(port: int, lan: str | None = None, hosts: Sequence[str] = ()) -> list[str]:
    """`streamlit run` for the facilitator app, bound to this machine only – or, with ``lan``
    (this machine's address in the local network), reachable from phones on that network too,
    under that address and no other host name. ``hosts``: further host names users type (a
    reverse proxy's public name, scripts/serve.py)."""
    # On the LAN no nginx stands in front: lan_app.py sets its headers and hides the metrics.
    cmd = [sys.executable, "-m", "streamlit", "run", "lan_app.py" if lan else "app.py"]
    cmd += ["--server.port", str(port), "--server.address", "0.0.0.0" if lan else HOST]
    cmd += ["--server.headless", "true"]
    for host in (*ALLOWED_HOSTS, *([lan] if lan else []), *hosts):
        cmd += ["--server.allowedHosts", host]
    return cmd


def stop_all(procs: Sequence[subprocess.Popen[bytes]]) -> None:
    """Ask every process still running to stop; kill the ones not gone after 10 s."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def stop_on_sigterm(procs: Sequence[subprocess.Popen[bytes]]) -> None:
    """On SIGTERM (systemd, `kill`): stop the processes, then exit with 0."""

    def on_sigterm(*_: object) -> None:
        stop_all(procs)
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_sigterm)


def lan_address() -> str | None:
    """This machine's address in the local network (the one its default route uses); no
    packet is sent. None without a network."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            address = str(s.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") else address


def build_site(app_url: str) -> bool:
    """`mkdocs build --strict` into site/, linking the home page to the facilitator tool."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "BORGERCASES_APP_URL": app_url}
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode == 0


def main() -> int:
    site_port = free_port(int(os.environ.get("SITE_PORT", "8000")))
    app_port = free_port(int(os.environ.get("APP_PORT", "8501")))
    data_dir = Path(os.environ.get("BORGERCASES_DATA_DIR", ROOT / "data"))
    data_dir.mkdir(parents=True, exist_ok=True)
    site_url = f"http://{HOST}:{site_port}/"
    app_url = f"http://{HOST}:{app_port}/"
    lan = lan_address() if os.environ.get("PHONES", "").strip() in ("1", "ja", "true") else None
    if os.environ.get("PHONES", "").strip() in ("1", "ja", "true") and lan is None:
        print("Fandt ingen netværksadresse – telefonerne kan ikke komme med.", file=sys.stderr)
    phones_url = f"http://{lan}:{app_port}/" if lan else None
    env = {
        **os.environ,
        "BORGERCASES_DATA_DIR": str(data_dir),
        "BORGERCASES_SITE_URL": os.environ.get("BORGERCASES_SITE_URL", site_url),
    }
    if phones_url:
        env.setdefault("BORGERCASES_PUBLIC_URL", phones_url)
    if not build_site(os.environ.get("BORGERCASES_APP_URL", app_url)):
        print("Kunne ikke bygge sitet (se fejlen ovenfor).", file=sys.stderr)
        return 1
    py = sys.executable
    procs = [
        subprocess.Popen(
            [py, "-m", "http.server", str(site_port), "--bind", HOST, "--directory", "site"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            app_command(app_port, lan),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        ),
    ]

    stop_on_sigterm(procs)
    ok = wait_for(site_port) and wait_for(app_port)
    if not ok:
        stop_all(procs)
        print("Kunne ikke starte sitet og facilitatorværktøjet.", file=sys.stderr)
        return 1
    print()
    print("Borgercases kører:")
    print(f"  Sitet (cases, tjeklister, viden):  {site_url}")
    print(f"  Facilitatorværktøjet (teammødet):  {app_url}")
    if phones_url:
        print(f"  Deltagernes telefoner (samme net):  {phones_url}")
    print(f"  Data gemmes i:                     {data_dir}")
    print("Tryk Ctrl+C for at stoppe.")
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop_all(procs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
