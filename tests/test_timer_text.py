"""The timer's Danish wording (facilitator/ui/timer_text.py) and the front-end assets that
ship with the package."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch

from facilitator.ui import timer_text as tt
from tests.conftest import ROOT

ASSETS = ROOT / "facilitator" / "ui" / "assets"


def test_templates_are_filled() -> None:
    assert tt.step_label("Ordstyrer", overrun=False) == "Tid tilbage – Ordstyrer"
    assert tt.step_label("Opfølgning", overrun=True) == "Tiden for Opfølgning er gået – over tid"
    assert tt.paused_label("Læs casen") == "Pause – Læs casen"
    assert tt.total_line(720.4, 900) == "Tid tilbage i alt: 12:00 af 15:00"
    assert tt.total_line(-65.2, 900) == "Mødet er 1:05 over tid"
    assert tt.used_line(65, 900) == "Brugt tid: 1:05 af 15:00"
    assert tt.big(61.9) == "1:01"
    assert tt.big(-5.2) == "+0:05"
    assert tt.fill("{a} og {b}", a=1) == "1 og {b}"  # unknown placeholders stay, as in JS


def test_later_steps_line() -> None:
    line = tt.later_line([("Viden og inspiration", 179), ("Opfølgning", 120)], [180, 120])
    assert line == (
        "Tiden er fordelt om, så mødet kan slutte til tiden: "
        "Viden og inspiration 2:59, Opfølgning 2:00"
    )
    saved = tt.later_line([("Opfølgning", 150)], [120])
    assert saved == "Den sparede tid er fordelt på de næste trin: Opfølgning 2:30"
    as_planned = tt.later_line([("Opfølgning", 120)], [120])
    assert as_planned == "De næste trin: Opfølgning 2:00"


def test_labels_are_the_templates_sent_to_the_browser() -> None:
    assert tt.labels() == tt.LABELS
    helper = (ASSETS / "helper.js").read_text(encoding="utf-8")
    for name in tt.LABELS:
        assert f"labels.{name}" in helper or name in {
            "paused", "paused_over", "not_started", "finished", "used", "revisit",
        }, name  # fmt: skip
    # No Danish timer wording is written out in the JS itself.
    for text in ("Tid tilbage", "over tid", "Pause –", "fordelt"):
        assert text not in helper


def test_assets_ship_with_the_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["facilitator"]
    for path in ASSETS.iterdir():
        rel = path.relative_to(ROOT / "facilitator").as_posix()
        assert any(fnmatch(rel, p) for p in patterns), rel


def test_style_sheets_survive_the_html_sanitiser() -> None:
    """st.html runs DOMPurify in the browser, which drops a <style> whose text contains »<«
    followed by a letter (even in a comment): the whole sheet would silently vanish."""
    for sheet in ASSETS.glob("*.css"):
        assert "<" not in sheet.read_text(encoding="utf-8"), sheet.name
