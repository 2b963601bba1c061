"""A download still works when its page was redrawn a moment before the click
(facilitator/ui/media_grace.py): Streamlit's sweep forgot its id at the end of any run."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.runtime import backend_operation_handler
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from facilitator.ui import exports_view, media_grace

SESSION = "dontcare"  # the session id Streamlit's manager uses outside a script run


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(media_grace.time, "monotonic", c)
    return c


@pytest.fixture
def manager() -> MediaFileManager:
    assert media_grace.install()
    return MediaFileManager(MemoryMediaFileStorage("/media"))


def _page_run(mgr: MediaFileManager, body: bytes = b"referat") -> str:
    """What one run of the facilitator page does with one download button."""
    return mgr.add_deferred(lambda: body, "text/markdown", "sidebar.exports.0", "referat.md")


def _redraw_started(mgr: MediaFileManager) -> None:
    """A full rerun of the page begins: Streamlit drops the session's references, and another
    session's run, ending meanwhile, sweeps."""
    mgr.clear_session_refs(SESSION)
    mgr.remove_orphaned_files()


def test_the_id_on_screen_still_downloads_while_the_page_is_redrawn(
    manager: MediaFileManager, clock: Clock
) -> None:
    shown = _page_run(manager)
    _redraw_started(manager)
    clock.now += 5
    url = manager.execute_deferred(shown)  # Streamlit without the grace: "not found"
    file_id = url.rsplit("/", 1)[-1].split(".")[0]
    # The browser fetches the file right after; two other sessions' runs end first.
    manager.remove_orphaned_files()
    manager.remove_orphaned_files()
    assert manager.read_file(file_id) is not None
    assert manager.read_file(file_id).content == b"referat"  # type: ignore[union-attr]


def test_a_download_is_forgotten_after_the_grace(manager: MediaFileManager, clock: Clock) -> None:
    shown = _page_run(manager)
    url = manager.execute_deferred(shown)
    file_id = url.rsplit("/", 1)[-1].split(".")[0]
    _redraw_started(manager)
    clock.now += media_grace.GRACE_SECONDS + 1
    manager.remove_orphaned_files()
    with pytest.raises(Exception, match="not found"):
        manager.execute_deferred(shown)
    assert manager.read_file(file_id) is None
    assert manager._deferred_callables == {}
    assert manager.__dict__[media_grace._ORPHANED_AT] == {}


def test_a_referenced_download_is_never_swept(manager: MediaFileManager, clock: Clock) -> None:
    shown = _page_run(manager)
    for _ in range(3):
        clock.now += media_grace.GRACE_SECONDS * 2
        manager.remove_orphaned_files()
    assert manager.execute_deferred(shown)


def test_images_are_swept_at_once_as_before(manager: MediaFileManager, clock: Clock) -> None:
    url = manager.add(b"\x89PNG qr", "image/png", "main.qr")
    file_id = url.rsplit("/", 1)[-1].split(".")[0]
    _redraw_started(manager)
    assert manager.read_file(file_id) is None


def test_streamlit_still_has_what_the_patch_reads() -> None:
    """An upgrade of Streamlit that changes the manager's fields, or the English error the
    browser shows (put into Danish in assets/helper.js), fails here."""
    assert media_grace.install()
    assert MediaFileManager.remove_orphaned_files is media_grace._remove_orphaned_files_with_grace
    source = inspect.getsource(backend_operation_handler)
    assert '"Failed to generate file for download"' in source
    assert "media_grace.install()" in inspect.getsource(exports_view)


OPS = st.lists(
    st.one_of(
        st.just(("run",)),
        st.just(("redraw",)),
        st.just(("sweep",)),
        st.tuples(st.just("wait"), st.floats(min_value=0.1, max_value=90)),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(ops=OPS)
def test_any_id_shown_within_the_grace_downloads_and_older_ones_are_gone(
    ops: list[tuple[Any, ...]],
) -> None:
    """For any sequence of page runs, redraws, sweeps and waits: an id that left the screen
    less than the grace ago still downloads, and a sweep keeps no id it first found orphaned
    longer than the grace ago (memory stays bounded)."""
    assert media_grace.install()
    clock = Clock()
    original = media_grace.time.monotonic
    media_grace.time.monotonic = clock  # type: ignore[assignment]
    try:
        mgr = MediaFileManager(MemoryMediaFileStorage("/media"))
        left_screen: dict[str, float] = {}
        first_swept: dict[str, float] = {}
        current: str | None = None

        def swept() -> None:
            for file_id in left_screen:
                first_swept.setdefault(file_id, clock.now)
            for file_id, since in first_swept.items():
                if clock.now - since >= media_grace.GRACE_SECONDS:
                    assert file_id not in mgr._deferred_callables

        for op in ops:
            if op[0] in ("run", "redraw") and current is not None:
                left_screen[current] = clock.now
                current = None
            if op[0] == "run":
                current = _page_run(mgr)
            elif op[0] == "redraw":
                _redraw_started(mgr)
                swept()
            elif op[0] == "sweep":
                mgr.remove_orphaned_files()
                swept()
            else:
                clock.now += op[1]
        if current is not None:
            assert mgr.execute_deferred(current)
        for file_id, since in left_screen.items():
            if clock.now - since < media_grace.GRACE_SECONDS:
                assert mgr.execute_deferred(file_id)
    finally:
        media_grace.time.monotonic = original  # type: ignore[assignment]
