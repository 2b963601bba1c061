"""User text reaches the screen through one path: facilitator/ui/text.py.

An AST walk over facilitator/ and app.py. Every call that draws HTML (st.markdown with
unsafe_allow_html, st.html, ui_text.show/html_page) may only carry constants, values that
went through ``ui_text.text``/``ui_text.attr``, and names whose every assignment in the
function (or module) is such an expression. Every call that Streamlit reads as Markdown
(st.markdown, st.caption, st.write, headers, st.error & co., flash(), widget labels and
help texts, expander and popover titles, metric values, radio options) may only carry
constants, ``literal``/``md_escape`` calls, numbers (``len``, ``sum``, a numeric format
such as ``{n:d}``) and dates from ``strftime``/``danish_date``.

Two kinds of value are accepted because their origin is known, not their escaping:
- app text: values of the types in APP_TEXT_TYPES (the cases the repository ships in
  docs/cases, the exercise's steps) – a parameter annotated with one, a module constant of
  one, what a function annotated to return one returns, their attributes and elements, and
  loop variables over them;
- a parameter of a private or nested function whose every call in the file passes a safe
  value (and which is not handed on as a callback), and messages read back from flash()'s
  queue, since every flash() call is itself checked.

Anything else – an attribute of a record, an unchecked parameter, a call to something else –
fails with its file and line.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = [*sorted((ROOT / "facilitator").rglob("*.py")), ROOT / "app.py"]
HELPER = ROOT / "facilitator" / "ui" / "text.py"

HTML_ESCAPERS = {"text", "attr"}  # ui_text.text / ui_text.attr
MD_ESCAPERS = {"literal", "md_escape"}
# Calls whose result cannot carry user text: counts, dates, the app's own style sheets.
SAFE_CALLS = {"len", "sum", "strftime", "danish_date", "style"}
# Calls that return a number or a date string whatever they are given (``sum`` of strings
# raises; ``danish_date`` formats a date).
ANY_ARGUMENT = {"len", "sum", "danish_date"}
# Types whose values are written by the team that ships the kit, never typed by a user:
# facilitator.cases.Case/Resource (parsed from docs/cases) and facilitator.exercise.Step.
APP_TEXT_TYPES = {"Case", "Resource", "Step"}
_CONTAINERS = {"None", "tuple", "list", "Sequence", "Iterable", "Iterator"}
NUMERIC_FORMAT = re.compile(r"^[^a-zA-Z]*[bdoxXeEfFgGn%]$")  # a str would raise ValueError
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
        self.params: dict[str, ast.arg] = {}
        # loop variable -> (iterable, position in a tuple target or None)
        self.loops: dict[str, tuple[ast.expr, int | None]] = {}
        self.func = body if isinstance(body, ast.FunctionDef | ast.AsyncFunctionDef) else None
        if isinstance(body, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            a = body.args
            for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
                if arg is not None:
                    self.opaque.add(arg.arg)
                    if arg not in (a.vararg, a.kwarg):
                        self.params[arg.arg] = arg
        for node in _own_nodes(body):
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    self._target(t, node.value)
            elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and node.value:
                self._target(node.target, node.value)
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                self._target(node.target, None)
                if isinstance(node.target, ast.Name):
                    self.loops[node.target.id] = (node.iter, None)
                elif isinstance(node.target, ast.Tuple):
                    for i, t in enumerate(node.target.elts):
                        if isinstance(t, ast.Name):
                            self.loops[t.id] = (node.iter, i)
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
        elif (
            isinstance(target, ast.Tuple)
            and isinstance(value, ast.Tuple)
            and len(target.elts) == len(value.elts)
            and not any(isinstance(e, ast.Starred) for e in [*target.elts, *value.elts])
        ):
            for t, v in zip(target.elts, value.elts, strict=True):  # a, b = x, y
                self._target(t, v)
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

    def owner(self, name: str) -> _Scope | None:
        """The scope in which ``name`` is a parameter or loop variable (it is opaque there)."""
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.values and name not in scope.opaque:
                return None
            if name in scope.opaque:
                return scope
            scope = scope.parent
        return None


def _annotation_is_app_text(annotation: str) -> bool:
    names = set(re.findall(r"[A-Za-z_][A-Za-z_0-9.]*", annotation))
    names = {n.rsplit(".", 1)[-1] for n in names}
    return bool(names & APP_TEXT_TYPES) and names <= APP_TEXT_TYPES | _CONTAINERS


def _element(node: ast.expr) -> ast.expr:
    """The element expression of a list/comprehension, for ``extend`` and ``join``."""
    if isinstance(node, ast.ListComp | ast.GeneratorExp | ast.SetComp):
        return node.elt
    return node


def _part(iterable: ast.expr, position: int | None) -> ast.expr | None:
    """What a loop variable takes from ``iterable`` (at ``position`` in a tuple target):
    an element, an element of one of zip's arguments, enumerate's element (its index is a
    number), or the same position in every tuple of a literal list."""
    if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name):
        args = iterable.args
        if iterable.func.id == "enumerate" and position is not None and args:
            return ast.Constant(0) if position == 0 else _part(args[0], None)
        if iterable.func.id == "zip" and position is not None and position < len(args):
            return _part(args[position], None)
        if iterable.func.id in ("sorted", "reversed", "list", "tuple") and args:
            return _part(args[0], position)
    if isinstance(iterable, ast.List | ast.Tuple) and iterable.elts:
        if position is None:
            return ast.List(elts=list(iterable.elts), ctx=ast.Load())
        parts = []
        for e in iterable.elts:
            if not isinstance(e, ast.Tuple) or position >= len(e.elts):
                return None
            parts.append(e.elts[position])
        return ast.List(elts=parts, ctx=ast.Load())
    if position is None:
        return ast.Subscript(value=iterable, slice=ast.Constant(0), ctx=ast.Load())
    return None


def _flash_queue(iterable: ast.expr) -> bool:
    """``st.session_state.pop("_flash", …)``: what flash() queued."""
    return (
        isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Attribute)
        and iterable.func.attr in ("pop", "get")
        and _name(iterable.func.value) == "session_state"
        and bool(iterable.args)
        and isinstance(iterable.args[0], ast.Constant)
        and iterable.args[0].value == "_flash"
    )


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
        self.calls: dict[str, list[tuple[ast.Call, _Scope]]] = {}
        self.references: dict[str, int] = {}

    def _import(self, node: ast.expr) -> object:
        """The object a module-level name (or dotted name) stands for, or None."""
        if self.module is None:
            return None
        try:
            obj: object = importlib.import_module(self.module)
            parts: list[str] = []
            cur = node
            while isinstance(cur, ast.Attribute):
                parts.insert(0, cur.attr)
                cur = cur.value
            if not isinstance(cur, ast.Name):
                return None
            for part in [cur.id, *parts]:
                obj = getattr(obj, part)
        except (ImportError, AttributeError):
            return None
        return obj

    def app_text(self, node: ast.expr, scope: _Scope) -> bool:
        """A value of one of APP_TEXT_TYPES, or a part of one."""
        if isinstance(node, ast.Attribute | ast.Subscript):
            if isinstance(node, ast.Attribute) and self._app_object(self._import(node)):
                return True
            return self.app_text(node.value, scope)
        if isinstance(node, ast.IfExp):
            return all(
                self.app_text(v, scope) or (isinstance(v, ast.Constant) and v.value is None)
                for v in (node.body, node.orelse)
            )
        if isinstance(node, ast.Call):
            fn = self._import(node.func) if isinstance(node.func, ast.Name) else None
            if not callable(fn):
                return False
            try:
                returns = inspect.signature(fn).return_annotation
            except (TypeError, ValueError):
                return False
            return isinstance(returns, str) and _annotation_is_app_text(returns)
        if not isinstance(node, ast.Name):
            return False
        owner = scope.owner(node.id)
        if owner is None:
            if self._app_object(self._import(node)):
                return True
            values = scope.lookup(node.id)
            return values is not None and all(
                self.app_text(v, scope) or (isinstance(v, ast.Constant) and v.value is None)
                for v in values
            )
        if node.id in owner.params:
            ann = owner.params[node.id].annotation
            return ann is not None and _annotation_is_app_text(ast.unparse(ann))
        if node.id in owner.loops:
            iterable, position = owner.loops[node.id]
            part = _part(iterable, position)
            return part is not None and self.app_text(part, owner)
        return False

    @staticmethod
    def _app_object(obj: object) -> bool:
        if isinstance(obj, tuple | list) and obj:
            return all(type(o).__name__ in APP_TEXT_TYPES for o in obj)
        return type(obj).__name__ in APP_TEXT_TYPES

    def _param_safe(self, name: str, owner: _Scope, escapers: set[str], seen: frozenset) -> bool:
        """A parameter of a private or nested function, safe at every call in this file."""
        func = owner.func
        if func is None or name not in owner.params:
            return False
        nested = owner.parent is not None and owner.parent.parent is not None
        calls = self.calls.get(func.name, [])
        if not (func.name.startswith("_") or nested) or not calls:
            return False
        if self.references.get(func.name, 0) != len(calls):
            return False  # handed on (a callback): its arguments are not seen here
        a = func.args
        positional = [*a.posonlyargs, *a.args]
        defaults = dict(zip([p.arg for p in positional][::-1], a.defaults[::-1], strict=False))
        defaults.update(
            {k.arg: d for k, d in zip(a.kwonlyargs, a.kw_defaults, strict=True) if d is not None}
        )
        index = next((i for i, p in enumerate(positional) if p.arg == name), None)
        for call, scope in calls:
            if any(isinstance(x, ast.Starred) for x in call.args) or any(
                k.arg is None for k in call.keywords
            ):
                return False
            given = {k.arg: k.value for k in call.keywords}
            if index is not None and index < len(call.args):
                value: ast.expr | None = call.args[index]
            else:
                value = given.get(name, defaults.get(name))
            if value is None or not self.safe(value, scope, escapers, seen | {name}):
                return False
        return True

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
            spec = node.format_spec
            parts = spec.values if isinstance(spec, ast.JoinedStr) else []
            written = "".join(str(v.value) for v in parts if isinstance(v, ast.Constant))
            constant = all(isinstance(v, ast.Constant) for v in parts)
            if parts and constant and NUMERIC_FORMAT.match(written):
                return True  # {n:d}, {x:.3f}: a number (a str would raise)
            return ok(node.value) and (spec is None or ok(spec))
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
                return name in ANY_ARGUMENT or all(
                    isinstance(a, ast.Constant)
                    or (isinstance(a, ast.Starred) and ok(a.value))  # style(*names)
                    for a in node.args
                )
            if name == "join" and isinstance(node.func, ast.Attribute):
                return ok(node.func.value) and all(ok(_element(a)) for a in node.args)
            return False
        if isinstance(node, ast.Name | ast.Attribute) and self._constant_attr(node):
            return True
        if isinstance(node, ast.Name | ast.Attribute | ast.Subscript) and self.app_text(
            node, scope
        ):
            return True
        if isinstance(node, ast.Name):
            if node.id in seen:
                return True  # x = x + …: the other assignments decide
            values = scope.lookup(node.id)
            if values is None:
                owner = scope.owner(node.id)
                if owner is None:
                    return False
                if node.id in owner.loops:
                    iterable, position = owner.loops[node.id]
                    if _flash_queue(iterable):
                        return True  # every flash(…) call is checked like st.error
                    part = _part(iterable, position)
                    return part is not None and self.safe(part, owner, escapers, seen | {node.id})
                return self._param_safe(node.id, owner, escapers, seen)
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
        for n in ast.walk(tree):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                self.references[n.id] = self.references.get(n.id, 0) + 1
        self._walk(tree, _Scope(tree, None), check=False)  # collects the calls first
        self._walk(tree, _Scope(tree, None), check=True)
        return self.problems

    def _walk(self, node: ast.AST, scope: _Scope, check: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                inner = _Scope(child, scope)
            if isinstance(child, ast.Call):
                if check:
                    self.check_call(child, inner)
                elif isinstance(child.func, ast.Name):
                    self.calls.setdefault(child.func.id, []).append((child, inner))
            self._walk(child, inner, check)


def _module(path: Path) -> str | None:
    rel = path.relative_to(ROOT).with_suffix("")
    return ".".join(rel.parts) if rel.parts[0] == "facilitator" else None


def problems_in(path: Path) -> list[str]:
    return Checker(path, _module(path)).run()


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
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
        # what the accepted origins must not let through
        "def f(t):\n    st.write(f'{t.name:>10}')\n",
        "def f(team: Team):\n    st.header(team.name)\n",
        "def f(case: Case | Team):\n    st.header(case.name)\n",
        "def f(ts):\n    for t in ts:\n        st.write(t.name)\n",
        "def f(ts):\n    for i, t in enumerate(ts):\n        st.write(f'{i}. {t}')\n",
        "def _b(label):\n    st.button(label)\ndef f(t):\n    _b('Start')\n    _b(t.name)\n",
        "def _b(label):\n    st.button(label)\ndef f(t):\n    _b('Start')\n    g(_b)\n",
        "def _b(label):\n    st.button(label)\n",
        "def b(label):\n    st.button(label)\ndef f():\n    b('Start')\n",
        "def f():\n    for kind, m in st.session_state.pop('_other', []):\n        st.error(m)\n",
        "def f(t):\n    a, b = 'x', t\n    st.write(b)\n",
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
        "def f(case: Case):\n    st.header(case.heading)\n",
        "def f(case: Case | None):\n    for r in case.resources:\n        st.write(r.text)\n",
        "def f(case: Case):\n"
        "    st.write('\\n'.join(f'{i}. {q}' for i, q in enumerate(case.questions)))\n",
        "def f(m):\n    st.write(f'{m.count:d} aftaler, {m.share:.1f} %')\n",
        "def _b(label, help=None):\n    st.button(label, help=help)\ndef f():\n    _b('Start')\n"
        "    _b(label='Stop', help='Stopper uret')\n",
        "def f():\n    for kind, m in st.session_state.pop('_flash', []):\n        st.error(m)\n",
        "def f():\n    for k, label in (('a', 'Gem'), ('b', 'Slet')):\n"
        "        st.button(label, key=k)\n",
        "def f(t):\n    a, b = t, 'x'\n    st.write(b)\n",
    ],
)
def test_the_check_lets_the_helper_through(tmp_path: Path, source: str) -> None:
    assert _check_source(tmp_path, source) == [], source
