"""A flood of oversize WebSocket messages against a fresh app server, with its memory.

    .venv/bin/python scripts/ws_flood.py [--messages 12] [--mb 15] [--limit-mb N]

Starts `streamlit run app.py` (harness.app_server) with the project's .streamlit/config.toml
(``server.maxMessageSize``; ``--limit-mb`` overrides it, e.g. 200 for Streamlit's default),
sends ``--messages`` binary messages of ``--mb`` MB at once, each on its own WebSocket, and
prints the server's RSS before, at its peak and after, and whether another page still loads.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.app_server import AppServer
from harness.stclient import StreamlitClient, run_in_thread


def rss_mb(pid: int) -> float:
    proc = psutil.Process(pid)
    total = proc.memory_info().rss
    for child in proc.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += child.memory_info().rss
    return total / 1e6


async def _one(url: str, size: int) -> str:
    """One WebSocket that sends ``size`` bytes; how the server answered."""
    try:
        async with StreamlitClient(url) as client:
            ws = client._ws
            assert ws is not None
            await ws.send(b"\x00" * size)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.wait_closed(), 20)
            return f"closed {ws.close_code}" if ws.close_code else "open"
    except Exception as exc:
        return type(exc).__name__


async def _page_seconds(url: str) -> float:
    started = time.monotonic()
    async with StreamlitClient(url) as client:
        await client.wait_for(lambda c: any("Opret team" in t for t in c.texts()), 30)
    return time.monotonic() - started


def flood(app: AppServer, messages: int, size: int) -> dict[str, object]:
    peak = [rss_mb(app.pid)]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            with contextlib.suppress(psutil.Error):
                peak[0] = max(peak[0], rss_mb(app.pid))
            stop.wait(0.05)

    before = rss_mb(app.pid)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    async def run() -> tuple[list[str], float]:
        answers = asyncio.gather(*(_one(app.url, size) for _ in range(messages)))
        await asyncio.sleep(0.5)
        page = await _page_seconds(app.url)
        return list(await answers), page

    answers, page = run_in_thread(run, timeout=300)
    time.sleep(2)  # let the server hand back what it freed before the last sample
    stop.set()
    sampler.join()
    return {
        "before": before,
        "peak": peak[0],
        "after": rss_mb(app.pid),
        "answers": answers,
        "page_s": page,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=12)
    parser.add_argument("--mb", type=float, default=15)
    parser.add_argument("--limit-mb", type=int, default=None)
    args = parser.parse_args()
    env = {"STREAMLIT_SERVER_MAX_MESSAGE_SIZE": str(args.limit_mb)} if args.limit_mb else {}
    with tempfile.TemporaryDirectory() as tmp, AppServer(Path(tmp), env=env) as app:
        app.start()
        run_in_thread(
            lambda: _page_seconds(app.url), timeout=120
        )  # warm: the first page run imports everything
        result = flood(app, args.messages, int(args.mb * 1e6))
    print(f"{args.messages} × {args.mb} MB WebSocket-beskeder:")
    print(
        f"  RSS før {result['before']:.0f} MB, top {result['peak']:.0f} MB, "
        f"efter {result['after']:.0f} MB"
    )
    print(f"  serverens svar: {sorted(set(map(str, result['answers'])))}")  # type: ignore[call-overload]
    print(f"  en anden sides indlæsning under flodbølgen: {result['page_s']:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
