from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from facilitator import admin
from facilitator.storage import Storage


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Storage:
    monkeypatch.setenv("BORGERCASES_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    s = Storage()
    s.create_schema()
    return s


def test_new_code_opens_the_team_and_is_printed_once(
    store: Storage, capsys: pytest.CaptureFixture[str]
) -> None:
    team, old = store.create_team("Team Nord")
    assert admin.main(["ny-kode", str(team.id)]) == 0
    out = capsys.readouterr().out
    code = out.strip().rsplit(" ", 1)[-1]
    assert store.open_team(code) == team and store.open_team(old) is None


def test_unknown_team_and_bad_days_get_danish_messages(
    store: Storage, capsys: pytest.CaptureFixture[str]
) -> None:
    assert admin.main(["ny-kode", "999"]) == 1
    assert "Intet team" in capsys.readouterr().err
    assert admin.main(["slet-gamle", "0"]) == 2


def test_delete_team_and_purge(store: Storage, capsys: pytest.CaptureFixture[str]) -> None:
    team, _ = store.create_team("Team Syd")
    old = store.create_meeting(team, date(2020, 1, 1), 1, [], [60] * 5)
    with store.engine.begin() as conn:  # retention goes by when a meeting was made
        conn.execute(text("UPDATE meetings SET created_at = '2020-01-01 00:00:00'"))
    assert admin.main(["slet-gamle", "365"]) == 0
    assert store.get_meeting(old) is None
    assert admin.main(["slet-team", str(team.id)]) == 0
    assert store.get_team(team.id) is None
