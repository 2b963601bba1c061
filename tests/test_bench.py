"""The bench's pure parts (`python -m bench`): the table, the sections chosen on the command line,
and the CPU time of a process tree. The measurements themselves are not tests."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest

import bench.__main__ as bench_main
from bench.procs import descendants, stop_process, tree_cpu_seconds
from bench.report import Report
from harness.app_server import AppServer


def _table(report: Report, capsys: pytest.CaptureFixture[str]) -> list[str]:
    report.print_table()
    return capsys.readouterr().out.splitlines()


def test_a_failing_section_fills_its_rows_with_the_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = Report()
    report.declare("a", "First", "≤ 1 s")
    report.declare("b", "Second")
    report.declare("c", "Third")

    def measure() -> None:
        report.set("a", "0.50 s", "OK")
        raise RuntimeError("Chromium did not start\nand more detail")

    report.section("ab", ["a", "b"], measure)
    report.section("c", ["c"], lambda: None)
    assert [r.value for r in report.rows.values()] == [
        "0.50 s",
        "n/a (Chromium did not start)",
        "n/a (not measured)",
    ]
    lines = _table(report, capsys)
    assert lines[0].split() == ["Measurement", "Value", "Budget", "Status"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    # Columns line up: every value starts where the header's does.
    col = lines[0].index("Value")
    assert [ln[col:].split("  ")[0] for ln in lines[2:]] == [
        "0.50 s",
        "n/a (Chromium did not start)",
        "n/a (not measured)",
    ]
    assert lines[2].endswith("≤ 1 s   OK")


def test_only_runs_the_sections_asked_for(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[str] = []

    def section(name: str, fails: bool = False) -> SimpleNamespace:
        def declare(report: Report) -> None:
            report.declare(f"{name}_x", f"{name} figure")

        def run(report: Report, tmp: Path) -> None:
            ran.append(name)
            if fails:
                raise ValueError("a bug in the bench")
            report.set(f"{name}_x", "42")

        return SimpleNamespace(declare=declare, run=run)

    fake = {"site": section("site"), "app": section("app"), "participants": section("p", True)}
    monkeypatch.setattr(bench_main, "SECTIONS", fake)
    monkeypatch.setattr(bench_main, "machine_line", lambda: "Machine: this one")
    assert bench_main.main(["--only", "participants"]) == 0
    out = capsys.readouterr().out
    assert ran == ["p"]
    assert re.search(r"\np figure +n/a \(bench stopped early: a bug in the bench\)\n", out)
    assert "site figure" not in out and "Budgets:" not in out

    ran.clear()
    assert bench_main.main(["--only", "app", "--only", "site"]) == 0
    assert ran == ["site", "app"]  # in the bench's order, not the command line's
    assert "Budgets:" in capsys.readouterr().out

    with pytest.raises(SystemExit):
        bench_main.parse_args(["--only", "nonsense"])


# Python programs for the process tree: one burns 0.3 CPU-seconds and says so on the shared
# stdout, one starts another and sleeps, one runs another to its end and then says so.
BURN = """
import time
t = time.process_time()
while time.process_time() - t < 0.3:
    pass
print("burnt", flush=True)
time.sleep(60)
"""


def _starts(code: str) -> str:
    return (
        f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', {code!r}])\n"
        "time.sleep(60)\n"
    )


def _runs(code: str) -> str:
    return (
        f"import subprocess, sys, time\nsubprocess.run([sys.executable, '-c', {code!r}])\n"
        "print('burnt', flush=True)\ntime.sleep(60)\n"
    )


def _burnt(code: str) -> subprocess.Popen[str]:
    """Start ``code`` and wait until something in its tree has burnt its CPU time."""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "burnt":
        _stop(proc)
        raise AssertionError("the program did not run")
    return proc


def _stop(proc: subprocess.Popen[str]) -> None:
    stop_process(proc, timeout=5)
    if proc.stdout is not None:
        proc.stdout.close()


def _own_cpu(pid: int) -> float:
    t = psutil.Process(pid).cpu_times()
    return float(t.user + t.system + t.children_user + t.children_system)


def _ended(proc: psutil.Process) -> bool:
    """Gone, or a zombie nobody reaps (an orphan whose new parent does not wait for it)."""
    try:
        return proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_tree_cpu_includes_grandchildren_and_stop_takes_them_along() -> None:
    proc = _burnt(_starts(_starts(BURN)))  # parent → child → grandchild burning
    try:
        tree = descendants(proc.pid)
        assert len(tree) == 2
        assert _own_cpu(proc.pid) < 0.2  # the parent itself hardly works …
        assert tree_cpu_seconds(proc.pid) >= 0.25  # … its grandchild does
        assert tree_cpu_seconds(tree[0]) >= 0.25
        others = [psutil.Process(pid) for pid in tree]
    finally:
        _stop(proc)
    assert proc.poll() is not None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(_ended(p) for p in others):
        time.sleep(0.05)
    assert all(_ended(p) for p in others)
    with pytest.raises(RuntimeError, match="is gone"):
        tree_cpu_seconds(proc.pid)


def test_tree_cpu_includes_children_that_have_ended() -> None:
    proc = _burnt(_runs(BURN.split("print")[0]))  # the child burns and ends
    try:
        assert descendants(proc.pid) == []
        t = psutil.Process(proc.pid).cpu_times()
        assert t.user + t.system < 0.2
        assert tree_cpu_seconds(proc.pid) >= 0.25  # the reaped child's time
    finally:
        _stop(proc)


@pytest.mark.slow
def test_app_server_runs_another_script_and_tells_how_it_died(tmp_path: Path) -> None:
    """What the bench needs of the harness's AppServer: another script (the hello-world app),
    extra environment, the pid, and check() raising once the server has died."""
    hello = tmp_path / "hello.py"
    hello.write_text('import streamlit as st\n\nst.write("Hej")\n')
    with AppServer(tmp_path / "data", script=hello, env={"BENCH_MARK": "1"}) as server:
        server.start()
        assert 0 < server.started_at < time.monotonic()
        proc = psutil.Process(server.pid)
        assert str(hello) in proc.cmdline()
        assert proc.environ()["BENCH_MARK"] == "1"
        server.check()  # running: nothing to say
        os.kill(server.pid, signal.SIGKILL)  # from outside, as the kernel's OOM killer would
        assert server.proc is not None
        server.proc.wait(10)
        with pytest.raises(RuntimeError, match=r"streamlit stopped \(killed by SIGKILL\)"):
            server.check()
    assert server.proc is None
