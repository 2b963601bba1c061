"""The budgets the figures are held against, and the verdict printed under the table."""

from __future__ import annotations

from bench.common import SITE_PAGES
from bench.report import Report

BUDGET_CASE_KB = 120
BUDGET_LH_PERFORMANCE = 95
BUDGET_LH_ACCESSIBILITY = 100
BUDGET_COLD_RATIO = 1.3


def print_budgets(report: Report) -> None:
    m = report.metrics

    def verdict(ok: bool | None) -> str:
        return "n/a " if ok is None else ("PASS" if ok else "FAIL")

    lines = []
    case_kb = m.get("case_kb")
    lines.append(
        (
            None if case_kb is None else case_kb <= BUDGET_CASE_KB,
            f"Case page transferred ≤ {BUDGET_CASE_KB} KB",
            "not measured" if case_kb is None else f"{case_kb:.1f} KB",
        )
    )
    for cat, floor in (
        ("performance", BUDGET_LH_PERFORMANCE),
        ("accessibility", BUDGET_LH_ACCESSIBILITY),
    ):
        values = {p: m.get(f"lh_{p}_{cat}") for p in SITE_PAGES}
        known = [v for v in values.values() if v is not None]
        ok: bool | None = all(v >= floor for v in known) if known else None
        if ok and len(known) < len(values):
            ok = None  # what was measured holds, but not everything was measured
        label = f"Lighthouse {cat} " + ("= 100" if floor == 100 else f"≥ {floor}")
        shown = ", ".join(f"{p} {'n/a' if v is None else int(v)}" for p, v in values.items())
        lines.append((ok, label, shown))
    ratio = m.get("cold_ratio")
    lines.append(
        (
            None if ratio is None else ratio <= BUDGET_COLD_RATIO,
            f"App cold start ≤ {BUDGET_COLD_RATIO}× hello-world Streamlit",
            "not measured" if ratio is None else f"{ratio:.2f}×",
        )
    )
    third = {p: m.get(f"{p}_third") for p in SITE_PAGES}
    third["app"] = m.get("app_third")
    measured = {k: v for k, v in third.items() if v is not None}
    ok3: bool | None = None
    if measured:
        ok3 = all(v == 0 for v in measured.values())
        if ok3 and len(measured) < len(third):
            ok3 = None
    lines.append(
        (
            ok3,
            "Zero third-party requests",
            ", ".join(f"{k} {'n/a' if v is None else int(v)}" for k, v in third.items()),
        )
    )
    print("Budgets:")
    for ok, label, value in lines:
        print(f"  {verdict(ok)}  {label}: {value}")
    failed = sum(1 for ok, _, _ in lines if ok is False)
    unknown = sum(1 for ok, _, _ in lines if ok is None)
    summary = f"{len(lines) - failed - unknown} of {len(lines)} budgets hold"
    if failed:
        summary += f", {failed} FAIL"
    if unknown:
        summary += f", {unknown} not measured"
    print(f"  => {summary}")
