"""Run the facilitator app as several processes on one database, for nginx to spread browsers
over (README, "Drift på en server"). Called by ``make serve``.

    make serve APP_PROCESSES=2 DATABASE_URL=postgresql://… PORT=8501

starts ``APP_PROCESSES`` × ``streamlit run app.py`` on 127.0.0.1:PORT, PORT+1, … with the same
environment, prints their addresses, and stops them all on Ctrl+C or SIGTERM. A process that
stops by itself is reported and not restarted (that is systemd's job, deploy/borgercases@.service);
the others go on, and nginx sends its browsers to them.

Every process gets the same ``STREAMLIT_SERVER_COOKIE_SECRET`` (generated for this run unless
given): Streamlit signs its session cookie and st.login's cookie with it (unless ``[auth]`` in
secrets.toml has its own ``cookie_secret``), and a browser that fails over from one process to
another must still be trusted there.

More than one process needs PostgreSQL. SQLite would keep the data correct across processes (its
file locks work between processes), but it lets one writer at a time into the whole file, so
more processes add waiting instead of capacity; and the scrub after a deletion (a WAL checkpoint
that truncates the log) cannot finish while another process is reading, so deleted notes could
stay in the log longer than promised.

``ALLOWED_HOSTS`` (comma-separated) are the host names users type, e.g. the proxy's
``borgercases.kommune.dk``; the local names are always allowed.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import HOST, ROOT, app_command, stop_all, stop_on_sigterm, wait_for

from facilitator.deployment import cookie_secret_problem

COOKIE_SECRET = "STREAMLIT_SERVER_COOKIE_SECRET"

NEEDS_POSTGRES = (
    "Flere processer (APP_PROCESSES={n}) kræver PostgreSQL: sæt DATABASE_URL=postgresql://… "
    "SQLite lukker kun én skrivende ind i filen ad gangen, så flere processer venter på hinanden "
    "i stedet for at hjælpe, og oprydningen efter en sletning kan ikke blive færdig, mens en anden "
    "proces læser. Med SQLite: kør én proces (APP_PROCESSES=1)."
)


class ServeError(Exception):
    """A start that is refused, with the Danish reason."""


def is_postgres(url: str) -> bool:
    return url.strip().startswith(("postgresql://", "postgresql+", "postgres://"))


def plan(
    processes: int, port: int, environ: Mapping[str, str], hosts: tuple[str, ...] = ()
) -> list[tuple[list[str], dict[str, str]]]:
    """The command line and environment of each process; refused (ServeError) when unsafe."""
    if processes < 1:
        raise ServeError(f"APP_PROCESSES skal være mindst 1 (fik {processes}).")
    if processes > 1 and not is_postgres(environ.get("DATABASE_URL", "")):
        raise ServeError(NEEDS_POSTGRES.format(n=processes))
    env = dict(environ)
    problem = cookie_secret_problem(env, several_processes=False)
    if problem:  # the example's secret; an empty one is generated below, shared by all
        raise ServeError(problem)
    if not env.get(COOKIE_SECRET, "").strip():
        env[COOKIE_SECRET] = secrets.token_urlsafe(32)
    return [(app_command(port + i, hosts=hosts), dict(env)) for i in range(processes)]


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip() or str(default)
    try:
        return int(raw)
    except ValueError:
        raise ServeError(f"{name} skal være et helt tal (fik {raw!r}).") from None


def main() -> int:
    try:
        processes, port = _int("APP_PROCESSES", 1), _int("PORT", 8501)
        names = os.environ.get("ALLOWED_HOSTS", "").split(",")
        hosts = tuple(h.strip() for h in names if h.strip())
        planned = plan(processes, port, os.environ, hosts)
    except ServeError as exc:
        print(exc, file=sys.stderr)
        return 2
    generated = not os.environ.get(COOKIE_SECRET, "").strip()
    procs: list[subprocess.Popen[bytes]] = []
    stop_on_sigterm(procs)
    for cmd, env in planned:
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env))
    ports = [port + i for i in range(processes)]
    if not all(wait_for(p) for p in ports):
        stop_all(procs)
        print("Kunne ikke starte alle processer (se fejlen ovenfor).", file=sys.stderr)
        return 1
    database = "PostgreSQL" if is_postgres(os.environ.get("DATABASE_URL", "")) else "SQLite"
    print()
    print(f"Facilitatorværktøjet kører som {processes} proces(ser) på {database}:")
    for p in ports:
        print(f"  http://{HOST}:{p}/")
    print("Sæt dem alle i nginx' upstream-blok (README, »Drift på en server«).")
    if generated:
        print(
            "Cookie-hemmeligheden er lavet til denne kørsel og fælles for processerne; "
            f"sæt {COOKIE_SECRET} for at beholde den efter en genstart."
        )
    print("Tryk Ctrl+C for at stoppe.")
    reported: set[int] = set()
    try:
        while True:
            for proc, address in zip(procs, ports, strict=True):
                code = proc.poll()
                if code is not None and address not in reported:
                    reported.add(address)
                    print(
                        f"Processen på port {address} er stoppet (kode {code}) og genstartes "
                        "ikke; nginx sender dens browsere til de andre.",
                        file=sys.stderr,
                    )
            if len(reported) == len(procs):
                print("Alle processer er stoppet.", file=sys.stderr)
                return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop_all(procs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
