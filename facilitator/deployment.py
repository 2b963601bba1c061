"""Checks before the app starts for real users (scripts/serve.py, the systemd unit's
``ExecStartPre``, the app's own start): no example or missing cookie secret where it matters.

    python -m facilitator.deployment   # exit 0, or 2 with the Danish reason (systemd)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

COOKIE_SECRET = "STREAMLIT_SERVER_COOKIE_SECRET"
# The placeholder deploy/borgercases.env.example ships; anyone who read the repository knows it.
EXAMPLE_SECRETS = frozenset({"SKIFT-MIG", "skift-mig"})

EXAMPLE_SECRET = (
    f"{COOKIE_SECRET} er stadig eksemplets værdi (SKIFT-MIG). Alle, der har set eksemplet, kan "
    "lave gyldige cookies med den. Lav en ny med "
    '`python3 -c "import secrets; print(secrets.token_urlsafe(32))"` og sæt den i '
    "/etc/borgercases/borgercases.env."
)
MISSING_SECRET = (
    f"{COOKIE_SECRET} er tom. Flere processer skal have den samme hemmelighed, ellers er en "
    "browser, der skifter proces, ikke længere logget ind. Lav en med "
    '`python3 -c "import secrets; print(secrets.token_urlsafe(32))"` og sæt den i '
    "/etc/borgercases/borgercases.env."
)


def cookie_secret_problem(environ: Mapping[str, str], several_processes: bool) -> str | None:
    """The Danish reason not to start, or None: the example secret is refused always, an empty
    one when the app runs as several processes (each would make its own)."""
    secret = environ.get(COOKIE_SECRET, "").strip()
    if secret.upper() in {s.upper() for s in EXAMPLE_SECRETS}:
        return EXAMPLE_SECRET
    if not secret and several_processes:
        return MISSING_SECRET
    return None


def main() -> int:
    """For the systemd unit: every instance is one of possibly several processes."""
    problem = cookie_secret_problem(os.environ, several_processes=True)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
