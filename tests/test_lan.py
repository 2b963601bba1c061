"""`make run PHONES=1` serves the LAN through lan_app.py (facilitator/lan.py): the README's
nginx headers on every answer and no /_stcore/metrics, checked on the real server."""

from __future__ import annotations

import re
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from facilitator.lan import HEADERS
from harness import ROOT
from harness.app_server import AppServer
from harness.nginx import readme_nginx_config
from harness.stclient import StreamlitClient, run_in_thread

sys.path.insert(0, str(ROOT / "scripts"))


def test_the_headers_are_the_readme_nginx_blocks() -> None:
    block = dict(re.findall(r'add_header ([\w-]+) "([^"]*)" always;', readme_nginx_config()))
    block.pop("Strict-Transport-Security")  # plain http on the LAN: browsers ignore it
    assert block == HEADERS


def test_phones_run_the_guarded_entry() -> None:
    import run

    assert "lan_app.py" in run.app_command(8501, "192.168.1.20")
    assert "app.py" in run.app_command(8501) and "lan_app.py" not in run.app_command(8501)


@pytest.mark.slow
def test_the_lan_server_sends_the_headers_and_hides_the_metrics(tmp_path: Path) -> None:
    with AppServer(tmp_path, script=ROOT / "lan_app.py") as app:
        app.start()
        for path in ("", "_stcore/health", "static/favicon.png"):
            try:
                answer = urllib.request.urlopen(app.url + path, timeout=10)
                headers = answer.headers
            except urllib.error.HTTPError as exc:
                headers = exc.headers
            for name, value in HEADERS.items():
                assert headers[name] == value, (path, name)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(app.url + "_stcore/metrics", timeout=10)
        assert refused.value.code == 404

        async def page() -> None:
            async with StreamlitClient(app.url) as client:
                await client.wait_for(lambda c: any("Opret team" in t for t in c.texts()), 30)

        run_in_thread(page, timeout=120)  # the app itself runs behind the guard
