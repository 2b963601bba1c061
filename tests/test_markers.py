"""The markers `make test-fast` filters on: registered, and given by tests/conftest.py's hook
from a test's file name, fixtures and parameters."""

from __future__ import annotations

import pytest

CONFTEST = """
import pytest

from tests.conftest import pytest_collection_modifyitems  # noqa: F401 (the hook under test)


def pytest_configure(config):
    for name in ("browser", "postgres", "slow"):
        config.addinivalue_line("markers", name)


@pytest.fixture
def page():
    return None


@pytest.fixture
def postgres_server():
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    return request.param


@pytest.fixture
def store(backend):
    return backend


@pytest.fixture(scope="session")
def built_site():
    return None


@pytest.fixture
def site_pages(built_site):
    return built_site
"""

TESTS = """
import pytest


def test_plain():
    pass


def test_with_page(page):
    pass


def test_on_each_backend(store):
    pass


def test_with_postgres(postgres_server):
    pass


@pytest.mark.parametrize("backend", ["postgresql"])
def test_parametrized_backend(backend):
    pass


def test_on_the_site(site_pages):
    pass
"""


def test_the_markers_are_registered(pytestconfig: pytest.Config) -> None:
    names = {line.split(":")[0].strip() for line in pytestconfig.getini("markers")}
    assert {"browser", "postgres", "slow"} <= names


def test_the_hook_marks_by_file_name_fixture_and_backend(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_things=TESTS, test_screen_browser="def test_anything():\n    pass\n")
    items, _ = pytester.inline_genitems("-p", "no:cacheprovider")
    # pytest-playwright runs a test with ``page`` once per browser: [chromium]
    marks = {
        item.name.replace("[chromium]", ""): {m.name for m in item.iter_markers()}
        - {"parametrize", "usefixtures"}
        for item in items
    }
    assert marks == {
        "test_plain": set(),
        "test_with_page": {"browser"},
        "test_on_each_backend[sqlite]": set(),
        "test_on_each_backend[postgresql]": {"postgres"},
        "test_with_postgres": {"postgres"},
        "test_parametrized_backend[postgresql]": {"postgres"},
        "test_on_the_site": {"slow"},
        "test_anything": {"browser"},
    }
