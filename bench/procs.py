"""Process trees: their CPU time, and stopping a process with everything it started (psutil)."""

from __future__ import annotations

import contextlib
import signal
import subprocess
from typing import Any

import psutil


def descendants(pid: int) -> list[int]:
    """The pids of every process ``pid`` started, and those they started, still running."""
    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _cpu_seconds(proc: psutil.Process) -> float:
    """User and system time of a process and of its children it has waited for."""
    t = proc.cpu_times()
    return float(t.user + t.system + t.children_user + t.children_system)


def tree_cpu(root: psutil.Process) -> float:
    """CPU time of a process and all its descendants, including reaped children. Raises
    psutil.NoSuchProcess when ``root`` is gone."""
    total = _cpu_seconds(root)
    for child in root.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess, psutil.ZombieProcess):
            total += _cpu_seconds(child)  # a child that ended meanwhile counts in its parent
    return total


def tree_cpu_seconds(pid: int) -> float:
    """``tree_cpu`` of the process ``pid``; RuntimeError when it is gone."""
    try:
        return tree_cpu(psutil.Process(pid))
    except psutil.NoSuchProcess as exc:
        raise RuntimeError(f"process {pid} is gone") from exc


def stop_process(proc: subprocess.Popen[Any] | None, timeout: float = 10) -> None:
    """Stop a process started here and everything it started (by pid, never by name)."""
    if proc is None:
        return
    tree: list[psutil.Process] = []
    if proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            tree = psutil.Process(proc.pid).children(recursive=True)
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
    for child in tree:  # children that outlived their parent (e.g. a detached Chromium)
        with contextlib.suppress(psutil.Error):
            child.kill()
