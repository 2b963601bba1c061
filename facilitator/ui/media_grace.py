"""A download keeps working for a minute after the page that showed it was redrawn.

Streamlit gives every download button a new id on each page run and forgets an id as soon as
no page references it: at the end of *any* session's run. A click that reaches the server
while its page is being redrawn (a phone sent a thought, another screen moved the step) names
an id that is already gone: nothing is downloaded, and Streamlit shows its English error under
the button. The same holds for the file a click produced, which the browser fetches right after:
under load, two other sessions' runs can end first and delete it.

``install`` makes the sweep keep a download (its deferred maker and the file made from it) for
``GRACE_SECONDS`` after the last page stopped referencing it. Images and other media are swept
as before. Streamlit's own sweep marks a download and deletes it one sweep later, which is no
grace at all when many sessions run at once.

It replaces ``MediaFileManager.remove_orphaned_files`` and reads the manager's private fields;
``tests/test_media_grace.py`` fails when an upgrade of Streamlit changes them.
"""

from __future__ import annotations

import logging
import time

from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileKind

GRACE_SECONDS = 60.0

_ORPHANED_AT = "_borgercases_orphaned_at"
_PRIVATE_FIELDS = (
    "_lock",
    "_file_metadata",
    "_files_by_session_and_coord",
    "_deferred_callables",
    "_delete_file",
    "_drop_deferred_id",
)

_log = logging.getLogger(__name__)


def _remove_orphaned_files_with_grace(self: MediaFileManager) -> None:
    now = time.monotonic()
    with self._lock:
        orphaned_at: dict[str, float] = self.__dict__.setdefault(_ORPHANED_AT, {})
        active = {
            file_id
            for by_coord in self._files_by_session_and_coord.values()
            for file_id in by_coord.values()
        }
        orphans = set(self._deferred_callables) - active
        for file_id, meta in list(self._file_metadata.items()):
            if file_id in active:
                continue
            if meta.kind == MediaFileKind.MEDIA:
                self._delete_file(file_id)
            elif meta.kind == MediaFileKind.DOWNLOADABLE:
                orphans.add(file_id)
        for file_id in list(orphaned_at):
            if file_id not in orphans:
                del orphaned_at[file_id]  # referenced again, or removed by Streamlit itself
        for file_id in orphans:
            if now - orphaned_at.setdefault(file_id, now) < GRACE_SECONDS:
                continue
            del orphaned_at[file_id]
            if file_id in self._file_metadata:
                self._delete_file(file_id)
            self._drop_deferred_id(file_id)


def install() -> bool:
    """Replace Streamlit's sweep once per process. False (and a log line) if this Streamlit's
    manager lacks the fields the replacement reads: then Streamlit's own sweep stays."""
    current = MediaFileManager.remove_orphaned_files
    if current is _remove_orphaned_files_with_grace:
        return True
    probe = MediaFileManager.__new__(MediaFileManager)
    try:  # any change in the constructor means: do not patch
        MediaFileManager.__init__(probe, storage=None)  # type: ignore[arg-type]
        complete = all(hasattr(probe, name) for name in _PRIVATE_FIELDS)
    except Exception:
        complete = False
    if not complete:
        _log.warning("media_grace: Streamlit's MediaFileManager changed; not installed")
        return False
    MediaFileManager.remove_orphaned_files = _remove_orphaned_files_with_grace  # type: ignore[method-assign]
    return True
