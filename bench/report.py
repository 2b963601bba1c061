"""The bench's report: one table of rows (label, value, budget, status), and the helpers every
section uses (copied verbatim from scripts/bench.py)."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

T0 = time.monotonic()


def log(msg: str) -> None:
    print(f"[bench {time.monotonic() - T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


def short(exc: BaseException | str, limit: int = 90) -> str:
    """The first meaningful line of an error, short enough for a table cell."""
    text = exc if isinstance(exc, str) else (str(exc) or type(exc).__name__)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    line = lines[0] if lines else type(exc).__name__
    return line if len(line) <= limit else line[: limit - 1] + "…"


def median(values: list[float]) -> float:
    return float(statistics.median(values))


@dataclass
class Row:
    label: str
    budget: str = ""
    value: str | None = None
    status: str = ""


class Report:
    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.metrics: dict[str, float] = {}
        self.notes: list[str] = []

    def declare(self, key: str, label: str, budget: str = "") -> None:
        self.rows[key] = Row(label, budget)

    def set(self, key: str, value: str, status: str = "") -> None:
        self.rows[key].value = value
        self.rows[key].status = status

    def unset(self, keys: list[str], reason: str) -> None:
        for key in keys:
            if self.rows[key].value is None:
                self.rows[key].value = f"n/a ({reason})"

    def section(self, name: str, keys: list[str], fn: Callable[[], None]) -> None:
        """Run one measurement; a failure fills its remaining rows with n/a (reason)."""
        log(f"{name} …")
        started = time.monotonic()
        try:
            fn()
        except Exception as exc:
            reason = short(exc)
            log(f"{name} failed: {reason}")
            self.unset(keys, reason)
        else:
            self.unset(keys, "not measured")
        log(f"{name} done in {time.monotonic() - started:.1f}s")

    def print_table(self) -> None:
        headers = ("Measurement", "Value", "Budget", "Status")
        body = [(r.label, r.value or "n/a", r.budget, r.status) for r in self.rows.values()]
        widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(headers)]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        print(line(headers))
        print(line(tuple("-" * w for w in widths)))
        for cells in body:
            print(line(cells))
