"""The machine the figures were measured on, and how busy it was."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
from pathlib import Path

from bench.report import short
from harness import CHROMIUM


def chromium_version() -> str:
    try:
        out = subprocess.run(
            [CHROMIUM, "--version"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"Chromium n/a ({short(exc)})"
    lines = [ln.strip() for ln in out.splitlines() if ln.lower().startswith("chromium")]
    return lines[0].split(" built on")[0] if lines else "Chromium (version unknown)"


def machine_line() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    ram = "? GiB"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for ln in Path("/proc/meminfo").read_text().splitlines():
            if ln.startswith("MemTotal:"):
                ram = f"{int(ln.split()[1]) / 1024**2:.1f} GiB RAM"
    os_name = platform.system()
    with contextlib.suppress(OSError):
        for ln in Path("/etc/os-release").read_text().splitlines():
            if ln.startswith("PRETTY_NAME="):
                os_name = ln.split("=", 1)[1].strip('"')
    return (
        f"Machine: {cpu}, {os.cpu_count()} cores, {ram}, {os_name} (Linux {platform.release()}), "
        f"Python {platform.python_version()}, {chromium_version()}"
    )


def load_average() -> str:
    """Other work on the machine skews every figure: the 1/5/15-minute load averages."""
    try:
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"
