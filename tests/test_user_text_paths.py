"""User text reaches the screen through one path: facilitator/ui/text.py.

An AST walk over facilitator/ and app.py. Every call that draws HTML (st.markdown with
unsafe_allow_html, st.html, ui_text.show/html_page) may only carry constants, values that
went through ``ui_text.text``/``ui_text.attr``, and names whose every assignment in the
function (or module) is such an expression. Every call that Streamlit reads as Markdown
(st.markdown, st.caption, st.write, headers, st.error & co., flash(), widget labels and
help texts, expander and popover titles, metric values, radio options) may only carry
constants, ``literal``/``md_escape`` calls, numbers from ``len`` and dates from
``strftime``/``danish_date``. Anything else – an attribute, a parameter, a loop variable, a
call to something else – fails with its file and line.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = [*sorted((ROOT / "facilitator").rglob("*.py")), ROOT / "app.py"]
HELPER = ROOT / "facilitator" / "ui" / "text.py"

HTML_ESCAPERS = {"text", "attr"}  # ui_text.text / ui_text.attr
MD_ESCAPERS = {"literal", "md_escape"}
# Calls whose result cannot carry user text: counts, dates, the app's own style sheets.
SAFE_CALLS = {"len", "strftime", "danish_date", "style"}
MARKDOWN_SINKS = {
    "markdown", "caption", "write", "title", "header", "subheader",
    "error", "warning", "info", "success", "toast", "flash",
}  # fmt: skip
LABELLED = {
    "button", "checkbox", "toggle", "radio", "selectbox", "multiselect", "text_input",
    "text_area", "number_input", "date_input", "time_input", "slider", "select_slider",
    "form_submit_button", "download_button", "link_button", "page_link", "popover",
    "expander", "metric", "pills", "segmented_control", "color_picker", "file_uploader",
}  # fmt: skip
MD_KEYWORDS = {"label", "help", "value", "delta", "captions", "body"}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


class _Scope:
    """Assignments in one function (or module) body: name -> assigned expressions."""

    def __init__(self, body: ast.AST, parent: _Scope | None) -> None:
        self.parent = parent
        self.values: dict[str, list[ast.expr]] = {}
        self.opaque: set[str] = set()  # parameters, loop targets, with/except names
        if isinstance(body, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            a = body.args
            for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
                if arg is not None:
                    self.opaque.add(arg.arg)
        for node in _own_nodes(body):
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    self._target(t, node.value)
            elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and node.value:
                self._target(node.target, node.value)
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                self._target(node.target, None)
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                self._target(node.optional_vars, None)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                # items.append(x) / items.extend(xs) / items += [...]
                owner = node.func.value
                if isinstance(owner, ast.Name) and node.func.attr in ("append", "extend"):
                    for item in node.args:
                        value = item if node.func.attr == "append" else _element(item)
                        self.values.setdefault(owner.id, []).append(value)

    def _target(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            if value is None:
                self.opaque.add(target.id)
            else:
                self.values.setdefault(target.id, []).append(value)
        elif isinstance(target, ast.Tuple | ast.List | ast.Starred):
            elts = target.elts if not isinstance(target, ast.Starred) else [target.value]
            for t in elts:
                self._target(t, None)

    def lookup(self, name: str) -> list[ast.expr] | None:
        """What ``name`` was assigned, or None when it is opaque or unknown."""
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.opaque:
                return None
            if name in scope.values:
                return scope.values[name]
            scope = scope.parent
        return None


def _element(node: ast.expr) -> ast.expr:
    """The element expression of a list/comprehension, for ``extend`` and ``join``."""
    if isinstance(node, ast.ListComp | ast.GeneratorExp | ast.SetComp):
        return node.elt
    return node


def _own_nodes(body: ast.AST) -> Iterator[ast.AST]:
    """Nodes of this scope, not of nested functions (their comprehensions included)."""
    stack = list(ast.iter_child_nodes(body))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


class Checker:
    def __init__(self, path: Path, module: str | None) -> None:
        self.path = path
        self.module = module
        self.problems: list[str] = []

    def _constant_attr(self, node: ast.expr) -> bool:
        """An UPPER_CASE module constant that is a plain string or number when imported."""
        name = _name(node)
        if name is None or not name.isupper() or self.module is None:
            return False
        try:
            obj: object = importlib.import_module(self.module)
            parts: list[str] = []
            cur = node
            while isinstance(cur, ast.Attribute):
                parts.insert(0, cur.attr)
                cur = cur.value
            if not isinstance(cur, ast.Name):
                return False
            parts.insert(0, cur.id)
            for part in parts:
                obj = getattr(obj, part)
        except (ImportError, AttributeError):
            return False
        return isinstance(obj, str | int | float)

    def safe(self, node: ast.expr, scope: _Scope, escapers: set[str], seen: frozenset) -> bool:
        def ok(n: ast.expr) -> bool:
            return self.safe(n, scope, escapers, seen)

        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):
            return all(ok(v) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            return ok(node.value) and (node.format_spec is None or ok(node.format_spec))
        if isinstance(node, ast.BinOp) and any(
            isinstance(side, ast.Constant) and type(side.value) in (int, float)
            for side in (node.left, node.right)
        ):
            return True  # i + 1: a number (a string plus a number would raise)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return ok(node.left) and ok(node.right)
        if isinstance(node, ast.IfExp):
            return ok(node.body) and ok(node.orelse)
        if isinstance(node, ast.BoolOp):  # a or b: either is drawn
            return all(ok(v) for v in node.values)
        if isinstance(node, ast.List | ast.Tuple):
            return all(ok(e) for e in node.elts)
        if isinstance(node, ast.ListComp | ast.GeneratorExp):
            inner = _Scope(node, scope)
            return self.safe(node.elt, inner, escapers, seen)
        if isinstance(node, ast.Lambda):
            return self.safe(node.body, _Scope(node, scope), escapers, seen)
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name in escapers:
                return True
            if name in SAFE_CALLS:
                return all(isinstance(a, ast.Constant) for a in node.args) or name == "len"
            if name == "join" and isinstance(node.func, ast.Attribute):
                return ok(node.func.value) and all(ok(_element(a)) for a in node.args)
            return False
        if isinstance(node, ast.Name | ast.Attribute) and self._constant_attr(node):
            return True
        if isinstance(node, ast.Name):
            if node.id in seen:
                return True  # x = x + …: the other assignments decide
            values = scope.lookup(node.id)
            if values is None:
                return False
            return all(self.safe(v, scope, escapers, seen | {node.id}) for v in values)
        return False

    def check_call(self, node: ast.Call, scope: _Scope) -> None:
        name = _name(node.func)
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        unsafe = keywords.get("unsafe_allow_html")
        html_call = (
            (name == "markdown" and not (isinstance(unsafe, ast.Constant) and not unsafe.value))
            and unsafe is not None
        ) or name in ("html", "show", "html_page")
        if html_call:
            if self.path != HELPER and name in ("html", "markdown"):
                self.fail(node, f"{name}(…) with HTML outside facilitator/ui/text.py")
            elif self.path != HELPER:
                for arg in node.args:
                    if not self.safe(arg, scope, HTML_ESCAPERS, frozenset()):
                        self.fail(node, f"{name}(…) with text not escaped by ui_text.text/attr")
            return
        carried: list[ast.expr] = []
        if name in MARKDOWN_SINKS and self._streamlit_or_flash(node):
            carried = list(node.args[:1]) + [keywords[k] for k in ("body",) if k in keywords]
        elif name in LABELLED and self._streamlit_or_flash(node):
            carried = list(node.args[:1])
            if name == "metric":
                carried = list(node.args[:3])
            if name == "radio" and "format_func" in keywords:
                carried.append(keywords["format_func"])
            carried += [keywords[k] for k in MD_KEYWORDS & keywords.keys()]
            if name == "metric":
                carried += [keywords[k] for k in ("value", "delta") if k in keywords]
            elif "value" in keywords:
                carried.remove(keywords["value"])  # a field's value is not Markdown
        for arg in carried:
            if not self.safe(arg, scope, MD_ESCAPERS | {"literal"}, frozenset()):
                self.fail(node, f"{name}(…) with text not escaped by literal()")

    def _streamlit_or_flash(self, node: ast.Call) -> bool:
        func = node.func
        if isinstance(func, ast.Name):
            return func.id == "flash"
        # st.x(…), col.x(…), cols[0].x(…), st.sidebar.x(…): anything but str methods
        return isinstance(func, ast.Attribute) and not isinstance(func.value, ast.Constant)

    def fail(self, node: ast.AST, what: str) -> None:
        rel = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        self.problems.append(f"{rel}:{getattr(node, 'lineno', '?')}: {what}")

    def run(self) -> list[str]:
        tree = ast.parse(self.path.read_text(encoding="utf-8"))
        self._walk(tree, _Scope(tree, None))
        return self.problems

    def _walk(self, node: ast.AST, scope: _Scope) -> None:
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                inner = _Scope(child, scope)
            if isinstance(child, ast.Call):
                self.check_call(child, inner)
            self._walk(child, inner)


def _module(path: Path) -> str | None:
    rel = path.relative_to(ROOT).with_suffix("")
    return ".".join(rel.parts) if rel.parts[0] == "facilitator" else None


def problems_in(path: Path) -> list[str]:
    return Checker(path, _module(path)).run()


# Files with calls not yet routed through the helper (Markdown labels and messages; the HTML
# views are done). strict: a file that passes must leave this list.
PENDING = {
    "facilitator/ui/access.py", "facilitator/ui/card.py", "facilitator/ui/common.py",
    "facilitator/ui/exports_view.py", "facilitator/ui/follow_ups.py", "facilitator/ui/meeting.py",
    "facilitator/ui/participant.py", "facilitator/ui/phones.py", "facilitator/ui/shell.py",
    "facilitator/ui/start.py",
}  # fmt: skip


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, marks=pytest.mark.xfail(strict=True, reason="not yet routed"))
        if str(p.relative_to(ROOT)) in PENDING
        else p
        for p in FILES
    ],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_user_text_reaches_the_screen_only_through_the_helper(path: Path) -> None:
    assert problems_in(path) == []


def _check_source(tmp_path: Path, source: str) -> list[str]:
    path = tmp_path / "view.py"
    path.write_text(source, encoding="utf-8")
    return Checker(path, None).run()


@pytest.mark.parametrize(
    "source",
    [
        # the calls the issue found, and ways around a naive check
        "def f(t):\n    st.markdown(f\"<div class='x'>{html.escape(t.text)}</div>\","
        " unsafe_allow_html=True)\n",
        'def f(t):\n    ui_text.show(f"<div>{html.escape(t.text)}</div>")\n',
        "def f(t):\n    s = t.text\n    ui_text.show(f'<p>{s}</p>')\n",
        "def f(t):\n    s = ui_text.text(t)\n    s = t\n    ui_text.show(f'<p>{s}</p>')\n",
        "def f(ts):\n    for t in ts:\n        ui_text.show('<p>' + t + '</p>')\n",
        "def f(ts):\n    ui_text.show(''.join(f'<li>{t}</li>' for t in ts))\n",
        "def f(ts):\n    parts = []\n    parts.append(ts[0])\n    ui_text.show(''.join(parts))\n",
        "def f(t):\n    st.html(f'<p>{ui_text.text(t)}</p>')\n",
        "def f(t):\n    st.markdown(t)\n",
        "def f(t):\n    st.caption(f'Af {t.who}')\n",
        "def f(t):\n    st.checkbox(f'**{t.who}**: {t.what}', key='k')\n",
        "def f(t):\n    with st.expander(t.name):\n        pass\n",
        "def f(t):\n    st.error(str(t), icon=':material/error:')\n",
        "def f(t):\n    flash(f'Gemt: {t}.')\n",
        "def f(t):\n    st.radio('Vælg', [1], format_func=lambda i: t[i])\n",
        "def f(t):\n    st.metric('Tanker', t.count, help=t.text)\n",
        "def f(t):\n    st.button(label=t)\n",
    ],
)
def test_the_check_catches_user_text(tmp_path: Path, source: str) -> None:
    assert _check_source(tmp_path, source), source


@pytest.mark.parametrize(
    "source",
    [
        "def f(t):\n    ui_text.show(f\"<div class='x'>{ui_text.text(t.text)}</div>\")\n",
        "def f(t):\n    cls = 'a' if t else 'b'\n    ui_text.show(f\"<p class='{cls}'>x</p>\")\n",
        "def f(ts):\n    ui_text.show(''.join(f'<li>{ui_text.text(t)}</li>' for t in ts))\n",
        "def f(ts):\n    p = []\n    for t in ts:\n"
        "        p.append(f'<li>{ui_text.text(t)}</li>')\n"
        "    ui_text.show(''.join(p))\n",
        "def f(t):\n    st.markdown(f'**{literal(t.who)}** ({len(t)})')\n",
        "def f(t):\n    st.checkbox(f'{literal(t.what)} – {t.due.strftime(\"%d.%m\")}')\n",
        "def f(t):\n    st.radio('Vælg', [1], format_func=lambda i: f'Spørgsmål {i + 1}')\n",
        "def f(t):\n    st.radio('Vælg', [1], format_func=lambda i: literal(t[i]))\n",
        "def f(t):\n    st.text_input('Navn', value=t.name)\n",
    ],
)
def test_the_check_lets_the_helper_through(tmp_path: Path, source: str) -> None:
    assert _check_source(tmp_path, source) == [], source
