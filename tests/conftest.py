from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from harness import CHROMIUM, CHROMIUM_LAUNCH, ROOT
from harness.postgres import PostgresServer, find_bindir

ARTIFACTS = ROOT / "test-artifacts"

pytest_plugins = ["pytester"]  # tests/test_markers.py runs the marking hook on tiny test files

# Markers (registered in pyproject.toml) given by what a test uses, not by hand in every file:
# `make test-fast` runs `-m "not slow and not browser and not postgres"`.
BROWSER_FIXTURES = frozenset({"page", "browser", "context"})
# A subprocess server or a site build: seconds before the test's first line runs.
SLOW_FIXTURES = frozenset(
    {
        "built_site",  # mkdocs build
        "zensical_site",  # zensical build
        "any_site",  # each of the two in turn (taken with getfixturevalue)
        "site_server",
        "any_site_server",
        "checked_site",  # tests/test_links.py: both builds with a link check's data file
        "app",  # `streamlit run app.py`
        "served",  # the same, one per module with its database at hand
        "stack",  # tests/test_proxy.py: the app behind nginx
        "kit",  # tests/test_run.py: `make run`
    }
)


def markers_for(path: Path, fixtures: Iterable[str], params: dict[str, object]) -> set[str]:
    """The markers a test gets from its file's name, its fixtures and its parameters."""
    used = set(fixtures)
    found = set()
    if used & BROWSER_FIXTURES or path.name.endswith("_browser.py"):
        found.add("browser")
    if "postgres_server" in used or params.get("backend") == "postgresql":
        found.add("postgres")
    if used & SLOW_FIXTURES:
        found.add("slow")
    return found


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = dict(callspec.params) if callspec is not None else {}
        for name in markers_for(item.path, getattr(item, "fixturenames", ()), params):
            item.add_marker(name)


# CI runs on 2 cores with Streamlit, Chromium and PostgreSQL side by side: a rerun can take
# several seconds there. Waiting longer never makes a failing check pass.
expect.set_options(timeout=15_000)


def import_script(name: str) -> ModuleType:
    """scripts/NAME.py as a module, without putting the scripts folder on the import path."""
    path = ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


def mkdocs_build(dest: Path, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(dest)]
    if config is not None:
        cmd += ["--config-file", str(config)]
    cwd = config.parent if config is not None else ROOT
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


ZENSICAL = Path(sys.executable).with_name("zensical")
BUILDERS = ("mkdocs", "zensical")


def copy_project(dest: Path) -> Path:
    """The project's site sources in a fresh folder (for builds that write into the project)."""
    shutil.copytree(
        ROOT,
        dest,
        ignore=shutil.ignore_patterns(
            ".venv", "site", ".git", "test-artifacts", "data", "*cache*", "node_modules"
        ),
    )
    return dest


def zensical_build(project: Path) -> subprocess.CompletedProcess[str]:
    """`zensical build --strict` of a project folder; the site lands in project/site."""
    if not ZENSICAL.exists():
        pytest.fail("zensical er ikke installeret (dev-afhængighed i pyproject.toml)")
    return subprocess.run(
        [str(ZENSICAL), "build", "--clean", "--strict"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site as MkDocs builds it (`make site`)."""
    dest = tmp_path_factory.mktemp("site")
    result = mkdocs_build(dest)
    assert result.returncode == 0, result.stderr
    return dest


@pytest.fixture(scope="session")
def zensical_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same mkdocs.yml and content as Zensical (Material's successor) builds them."""
    project = copy_project(tmp_path_factory.mktemp("zensical") / "project")
    result = zensical_build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project / "site"


@pytest.fixture(scope="session", params=BUILDERS)
def any_site(request: pytest.FixtureRequest) -> Path:
    """Each build in turn: a test using it checks the MkDocs and the Zensical site."""
    name = "built_site" if request.param == "mkdocs" else "zensical_site"
    return Path(request.getfixturevalue(name))


@pytest.fixture
def site_builder(request: pytest.FixtureRequest) -> str:
    """The builder ("mkdocs" or "zensical") of the ``any_site`` the test runs with."""
    return str(request.node.callspec.params["any_site"])


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve_folder(folder: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


@pytest.fixture(scope="session")
def site_server(built_site: Path) -> Iterator[str]:
    url, server = serve_folder(built_site)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def any_site_server(any_site: Path) -> Iterator[str]:
    """The address of each build in turn (see ``any_site``)."""
    url, server = serve_folder(any_site)
    yield url
    server.shutdown()


# What a site page may load: its own server (127.0.0.1), its own files, and inline data.
SITE_LOCAL = ("http://127.0.0.1", "file://", "data:", "blob:", "about:")


@pytest.fixture
def offline_page(page: Page) -> Iterator[Page]:
    """A site page whose every request to another host is blocked and recorded; the test
    fails on such a request and on any script error."""
    leaked: list[str] = []

    def guard(route: Route) -> None:
        if route.request.url.startswith(SITE_LOCAL):
            route.continue_()
        else:
            leaked.append(route.request.url)
            route.abort()

    page.context.route("**/*", guard)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    assert leaked == [], f"Forespørgsler til andre værter: {leaked}"
    assert errors == [], f"JavaScript-fejl: {errors}"


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium mangler ({CHROMIUM}): kør `make test`, som installerer det.")
    return dict(CHROMIUM_LAUNCH)


@pytest.fixture(scope="session")
def browser_context_args() -> dict[str, object]:
    return {"viewport": {"width": 1366, "height": 768}, "locale": "da-DK"}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir()
    return ARTIFACTS


@pytest.fixture
def contexts(browser: Any) -> Iterator[list[Any]]:
    """Browser contexts a test opens (``contexts.append``), each closed after the test."""
    opened: list[Any] = []
    yield opened
    for context in opened:
        context.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server in a temporary folder, started once for the whole run."""
    bindir = find_bindir()
    if bindir is None:
        pytest.fail(
            "PostgreSQL mangler (/usr/lib/postgresql/*/bin): kør `make test`, som installerer det."
        )
    server = PostgresServer(bindir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty database on each back end: a SQLite file, or a fresh PostgreSQL database."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database()
    request.addfinalizer(lambda: server.drop_database(name))
    return server.url(name)


@pytest.fixture
def store(db_url: str) -> Iterator[Any]:
    """A migrated, empty storage on each back end (with ``db_url``)."""
    from facilitator.storage import Storage

    s = Storage(db_url)
    s.create_schema()
    yield s
    s.dispose()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app's data folder for AppTest runs in this process: an empty SQLite database."""
    from facilitator.ui import common

    monkeypatch.setenv("BORGERCASES_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    common.reset_storage()
    yield tmp_path
    common.reset_storage()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Any]:
    """The facilitator app under `streamlit run`, with its own empty data folder."""
    from harness.app_server import AppServer

    server = AppServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    """One app server for a whole module, with a Storage on its SQLite database: the tests
    prepare meetings in the database (harness.meetings) and open them over the wire."""
    from facilitator.storage import Storage
    from harness.app_server import AppServer

    data = tmp_path_factory.mktemp("served")
    server = AppServer(data)
    store = Storage(f"sqlite:///{data / 'borgercases.sqlite3'}")
    try:
        store.create_schema()
        server.start()
        yield server, store
    finally:
        server.stop()
        store.dispose()
