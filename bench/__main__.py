"""`python -m bench [--only SECTION]…`: run the sections, then print the table and budgets."""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from bench import app, capacity, participants, site
from bench.budgets import print_budgets
from bench.machine import load_average, machine_line
from bench.report import T0, Report, log, short

# In the order they run and print. Participants last: its own asyncio loop, after the sync
# Playwright of the others.
SECTIONS: dict[str, ModuleType] = {
    "site": site,
    "app": app,
    "participants": participants,
    "capacity": capacity,
}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Speed and size figures for Borgercases."
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=list(SECTIONS),
        metavar="SECTION",
        help=f"run only this section ({', '.join(SECTIONS)}); may be given more than once",
    )
    return parser.parse_args(argv)


def run_sections(report: Report, names: list[str], tmp: Path) -> None:
    """Declare every chosen section's rows, then run them in order; a bug that escapes a
    section still leaves a table."""
    for name in names:
        SECTIONS[name].declare(report)
    try:
        for name in names:
            run: Callable[[Report, Path], None] = SECTIONS[name].run
            run(report, tmp)
    except Exception as exc:  # a bug in the bench itself: still print what was measured
        log(f"bench stopped early: {exc!r}")
        report.unset(list(report.rows), f"bench stopped early: {short(exc)}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    names = [n for n in SECTIONS if not args.only or n in args.only]
    report = Report()
    log("describing the machine")
    machine = machine_line()
    load_before = load_average()
    tmp = Path(tempfile.mkdtemp(prefix="borgercases-bench-"))
    try:
        run_sections(report, names, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    total = time.monotonic() - T0
    print()
    print("Borgercases bench – " + time.strftime("%Y-%m-%d %H:%M"))
    print(machine)
    print(f"Load average (1/5/15 min): {load_before} at start, {load_average()} at end")
    print()
    report.print_table()
    print()
    for note in report.notes:
        print(f"Note: {note}")
    if "site" in names:
        print(
            "Note: KB = 1024 bytes; transferred = status lines + headers + gzip bodies on the wire."
        )
    if "site" in names or "app" in names:
        print()
        print_budgets(report)
        print()
    print(f"Total runtime: {int(total // 60)} min {total % 60:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
