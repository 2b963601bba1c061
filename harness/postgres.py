"""A throwaway PostgreSQL server for the tests (Debian's ``postgresql`` package).

``initdb`` into a temporary directory, ``pg_ctl start`` on a free loopback port with the socket in
that directory, and ``pg_ctl stop`` at the end. PostgreSQL refuses to run as root, so under root
the server runs as the ``postgres`` system user (or ``nobody``) and owns the directory.
Nothing is written outside the temporary directory.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

SUPERUSER = "postgres"


def find_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/N/bin`` that has the server, or ``PG_BINDIR``."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])

    def version(path: str) -> int:
        part = Path(path).parent.name
        return int(part) if part.isdigit() else 0

    candidates = [d for d in glob.glob("/usr/lib/postgresql/*/bin") if Path(d, "postgres").exists()]
    return Path(max(candidates, key=version)) if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = 0
        self.root = Path(tempfile.mkdtemp(prefix="borgercases-pg-"))
        self.datadir = self.root / "data"
        self.sockdir = self.root / "run"
        self.logfile = self.root / "server.log"
        self._user: pwd.struct_passwd | None = None
        self._counter = 0
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    self._user = pwd.getpwnam(name)
                    break
                except KeyError:
                    continue
            if self._user is None:
                raise RuntimeError("Ingen almindelig bruger at køre PostgreSQL som")

    # --- running the server ---

    def _run(self, *args: str, timeout: float = 120) -> None:
        kwargs: dict[str, Any] = {}
        if self._user is not None:
            kwargs = {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C",
            "LC_ALL": "C",
            "HOME": str(self.root),
        }
        result = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            **kwargs,
        )
        if result.returncode != 0:
            log = self.logfile.read_text(errors="replace") if self.logfile.exists() else ""
            raise RuntimeError(
                f"{args[0]} fejlede ({result.returncode}):\n{result.stdout}\n{result.stderr}\n{log}"
            )

    def start(self) -> None:
        self.sockdir.mkdir()
        if self._user is not None:
            for path in (self.root, self.sockdir):
                os.chown(path, self._user.pw_uid, self._user.pw_gid)
        self._run(
            "initdb",
            "--pgdata",
            str(self.datadir),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        )
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.sockdir}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
            ]
        )
        for _attempt in range(5):  # the free port may be taken before the server binds it
            self.port = _free_port()
            try:
                self._run(
                    "pg_ctl",
                    "start",
                    "--pgdata",
                    str(self.datadir),
                    "--log",
                    str(self.logfile),
                    "--wait",
                    "--timeout",
                    "60",
                    "-o",
                    f"{options} -c port={self.port}",
                )
                return
            except RuntimeError:
                if "already in use" not in self.logfile.read_text(errors="replace"):
                    raise
        raise RuntimeError("PostgreSQL fandt ingen ledig port")

    def stop(self) -> None:
        try:
            if (self.datadir / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "--pgdata", str(self.datadir), "-m", "immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    # --- databases ---

    def url(self, database: str = "postgres", driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        )

    def create_database(self) -> str:
        """A new, empty database; returns its name."""
        self._counter += 1
        name = f"test_{os.getpid()}_{self._counter}_{int(time.time() * 1000) % 100000}"
        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def drop_database(self, name: str) -> None:
        with self._admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
