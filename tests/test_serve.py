"""`make serve` (scripts/serve.py): N app processes with one cookie secret, PostgreSQL for N > 1.

Streamlit signs its cookies with ``server.cookieSecret``; processes behind one nginx must share it,
or a browser that fails over to another process is no longer trusted there. SQLite is refused for
more than one process (the reasons are in serve.py and the README).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import ModuleType

import pytest

from harness import ROOT
from harness.nginx import free_port
from harness.postgres import PostgresServer

PG = "postgresql://borgercases@127.0.0.1:5432/borgercases"


def _serve() -> ModuleType:
    sys.path.insert(0, str(ROOT / "scripts"))
    import serve

    return serve


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PORT")}
    env.pop("STREAMLIT_SERVER_COOKIE_SECRET", None)
    return {**env, **values}


@pytest.mark.parametrize("database", [None, "sqlite:////tmp/borgercases.sqlite3"])
def test_several_processes_refuse_sqlite_in_danish(database: str | None, tmp_path: Path) -> None:
    env = _env(APP_PROCESSES="2", PORT=str(free_port()), BORGERCASES_DATA_DIR=str(tmp_path))
    if database:
        env["DATABASE_URL"] = database
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "scripts/serve.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "kræver PostgreSQL" in result.stderr and "DATABASE_URL" in result.stderr
    assert time.monotonic() - started < 30, "refused before starting anything"
    assert "streamlit" not in result.stdout.lower()


def test_one_process_may_use_sqlite_and_n_processes_get_consecutive_ports() -> None:
    serve = _serve()
    (single,) = serve.plan(1, 8501, _env())
    cmd, _ = single
    assert cmd[cmd.index("--server.port") + 1] == "8501"
    planned = serve.plan(3, 8501, _env(DATABASE_URL=PG), ("borgercases.kommune.dk",))
    ports = [c[c.index("--server.port") + 1] for c, _ in planned]
    assert ports == ["8501", "8502", "8503"]
    for c, _ in planned:
        assert c[c.index("--server.address") + 1] == "127.0.0.1"
        hosts = [c[i + 1] for i, a in enumerate(c) if a == "--server.allowedHosts"]
        assert hosts == ["localhost", "127.0.0.1", "borgercases.kommune.dk"]
    with pytest.raises(serve.ServeError, match="mindst 1"):
        serve.plan(0, 8501, _env(DATABASE_URL=PG))


def test_all_processes_share_one_cookie_secret_never_on_the_command_line() -> None:
    serve = _serve()
    planned = serve.plan(2, 8501, _env(DATABASE_URL=PG))
    secrets_ = {env[serve.COOKIE_SECRET] for _, env in planned}
    assert len(secrets_) == 1, "one secret for all processes"
    (secret,) = secrets_
    assert len(secret) >= 32
    assert all(secret not in " ".join(cmd) for cmd, _ in planned), "not visible in ps"
    again = serve.plan(2, 8501, _env(DATABASE_URL=PG))
    assert again[0][1][serve.COOKIE_SECRET] != secret, "generated anew when not given"
    given = serve.plan(2, 8501, _env(DATABASE_URL=PG, STREAMLIT_SERVER_COOKIE_SECRET="fast"))
    assert [env[serve.COOKIE_SECRET] for _, env in given] == ["fast", "fast"]
    assert all(env["DATABASE_URL"] == PG for _, env in given)


def _health(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.mark.postgres
@pytest.mark.slow
def test_serve_starts_n_processes_reports_a_dead_one_and_stops_all_on_sigterm(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    name = postgres_server.create_database()
    port = free_port()
    while not all(_free(p) for p in (port, port + 1)):
        port = free_port()
    env = _env(
        APP_PROCESSES="2",
        PORT=str(port),
        DATABASE_URL=postgres_server.url(name),
        BORGERCASES_DATA_DIR=str(tmp_path),
    )
    out, err = tmp_path / "out.log", tmp_path / "err.log"
    proc = subprocess.Popen(
        [sys.executable, "scripts/serve.py"],
        cwd=ROOT,
        env=env,
        stdout=out.open("w"),
        stderr=err.open("w"),
    )
    try:
        deadline = time.monotonic() + 90
        while f"http://127.0.0.1:{port + 1}/" not in out.read_text():
            assert proc.poll() is None, err.read_text()
            assert time.monotonic() < deadline, out.read_text() + err.read_text()
            time.sleep(0.3)
        assert "2 proces(ser) på PostgreSQL" in out.read_text()
        assert _health(port) and _health(port + 1)
        # One process dies: reported, not restarted; the other goes on.
        children = _children(proc.pid)
        assert len(children) == 2, children
        os.kill(children[1], signal.SIGKILL)
        deadline = time.monotonic() + 20
        while "genstartes ikke" not in err.read_text():
            assert time.monotonic() < deadline, err.read_text()
            time.sleep(0.3)
        time.sleep(2)
        assert proc.poll() is None and len(_children(proc.pid)) == 1
        assert _health(port) or _health(port + 1)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert _children(proc.pid) == []
        assert not _health(port) and not _health(port + 1)
    finally:
        if proc.poll() is None:
            proc.kill()
        for child in _children(proc.pid):
            os.kill(child, signal.SIGKILL)
        postgres_server.drop_database(name)


def _free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _children(pid: int) -> list[int]:
    import psutil

    try:
        children = psutil.Process(pid).children()
        return [c.pid for c in children if c.status() != psutil.STATUS_ZOMBIE]
    except psutil.NoSuchProcess:
        return []


@pytest.mark.parametrize("secret", ["SKIFT-MIG", " skift-mig "])
def test_the_example_cookie_secret_is_refused_in_danish(secret: str) -> None:
    serve = _serve()
    for n in (1, 2):
        with pytest.raises(serve.ServeError, match="eksemplets værdi"):
            serve.plan(n, 8501, _env(DATABASE_URL=PG, STREAMLIT_SERVER_COOKIE_SECRET=secret))


def test_a_systemd_instance_refuses_an_example_or_empty_secret() -> None:
    """deploy/borgercases@.service runs `python -m facilitator.deployment` before each instance:
    every instance is one of several processes, so an empty secret is refused too."""
    for secret, refused in (("SKIFT-MIG", "eksemplets værdi"), ("", "er tom"), ("x" * 43, None)):
        result = subprocess.run(
            [sys.executable, "-m", "facilitator.deployment"],
            cwd=ROOT,
            env=_env(STREAMLIT_SERVER_COOKIE_SECRET=secret),
            capture_output=True,
            text=True,
            timeout=30,
        )
        if refused:
            assert result.returncode == 2 and refused in result.stderr
        else:
            assert result.returncode == 0 and result.stderr == ""
    assert "ExecStartPre=/opt/borgercases/.venv/bin/python -m facilitator.deployment" in (
        ROOT / "deploy" / "borgercases@.service"
    ).read_text(encoding="utf-8")
