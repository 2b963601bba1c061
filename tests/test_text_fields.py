"""Every text field stops at the limit the storage enforces (issue 20, point 6): ``max_chars``
on each ``st.text_input`` / ``st.text_area`` / ``st.chat_input`` of the screens, and always one
of the named limits in facilitator/validation.py or facilitator/participation.py, so a field and
the storage's refusal (``validation.stored``) can never drift apart."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from facilitator import participation as pa
from facilitator import validation
from tests.conftest import ROOT

TEXT_WIDGETS = {"text_input", "text_area", "chat_input"}
LIMIT_MODULES = {"facilitator.validation", "facilitator.participation"}
SOURCES = [*sorted((ROOT / "facilitator" / "ui").rglob("*.py")), ROOT / "app.py"]


def _module_aliases(tree: ast.Module) -> dict[str, str]:
    """Local name → module, for the modules that hold the limits."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "facilitator":
            for name in node.names:
                aliases[name.asname or name.name] = f"facilitator.{name.name}"
        elif isinstance(node, ast.Import):
            for name in node.names:
                if name.asname:
                    aliases[name.asname] = name.name
    return aliases


def _text_widget_calls(path: Path) -> list[tuple[int, ast.Call, dict[str, str]]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    aliases = _module_aliases(tree)
    return [
        (node.lineno, node, aliases)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in TEXT_WIDGETS
    ]


def _limit_of(call: ast.Call, aliases: dict[str, str]) -> int | None:
    """The named limit a call's ``max_chars`` is, or None if it is missing or not a named
    ``MAX_…`` constant of the limits' modules (a literal, an expression, a local name)."""
    value = next((k.value for k in call.keywords if k.arg == "max_chars"), None)
    if not (
        isinstance(value, ast.Attribute)
        and isinstance(value.value, ast.Name)
        and aliases.get(value.value.id) in LIMIT_MODULES
        and value.attr.startswith("MAX_")
    ):
        return None
    limit = getattr(importlib.import_module(aliases[value.value.id]), value.attr, None)
    return limit if isinstance(limit, int) and limit > 0 else None


def test_every_text_field_has_a_named_max_chars() -> None:
    found, missing = 0, []
    for path in SOURCES:
        for line, call, aliases in _text_widget_calls(path):
            found += 1
            if _limit_of(call, aliases) is None:
                missing.append(f"{path.relative_to(ROOT)}:{line}")
    assert found >= 11, found  # the walk sees the screens' fields (not vacuous)
    assert missing == [], f"text fields without a named max_chars: {missing}"


def test_the_walk_refuses_a_field_without_a_named_limit(tmp_path: Path) -> None:
    source = tmp_path / "view.py"
    source.write_text(
        "import streamlit as st\n"
        "from facilitator import validation\n"
        "from facilitator import participation as pa\n"
        "st.text_input('a', max_chars=validation.MAX_NAME)\n"
        "st.text_area('b', max_chars=pa.MAX_THOUGHT)\n"
        "st.text_input('c', max_chars=40)\n"
        "st.text_area('d')\n"
        "col.text_input('e', max_chars=validation.clean_text)\n"
        "st.chat_input('f', max_chars=other.MAX_NAME)\n",
        encoding="utf-8",
    )
    limits = [_limit_of(call, aliases) for _line, call, aliases in _text_widget_calls(source)]
    assert limits == [validation.MAX_NAME, pa.MAX_THOUGHT, None, None, None, None]


def test_the_participants_field_holds_the_longest_allowed_list() -> None:
    names = "\n".join(f"{i:02d}" + "x" * (validation.MAX_NAME - 2) for i in range(40))
    assert validation.MAX_PARTICIPANTS == 40
    assert len(names) <= validation.MAX_PARTICIPANTS_TEXT
    assert validation.participants(names)[0] == names.splitlines()[0]


@pytest.mark.slow
def test_the_running_app_draws_the_fields_with_their_limits(data_dir: Path) -> None:
    from tests.test_app_flow import _app, _click, _no_errors, _start_meeting

    at = _app().run()
    _no_errors(at)
    assert at.text_input(key="team_name_input").max_chars == validation.MAX_NAME
    assert at.text_input(key="team_code_input").max_chars == validation.MAX_TEAM_CODE
    at = _start_meeting(at)
    _click(at, "Start uret")
    _click(at, "Næste trin")
    _click(at, "Næste trin")  # step 3: the notes
    note = at.text_area[0]
    assert note.max_chars == validation.MAX_NOTE
    # Typing stops at the limit (AppTest's input() is the browser's keyboard here).
    note.input("Vi bruger motiverende samtale.").run()
    note = at.text_area[0]
    note.input("x" * (validation.MAX_NOTE + 1)).run()
    assert at.text_area[0].value == "Vi bruger motiverende samtale."
