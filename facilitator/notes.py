"""A note field shared by several screens: which stored revision a save is based on, what a
conflict holds, and how »Sæt teksterne sammen« merges two texts. Pure: no Streamlit, no storage.

A screen's field is based on one stored revision of the note. A save names that revision; the
store refuses it (a conflict) when another screen saved in between. Two moments make the base
uncertain, because the browser may still send text from before the server replaced the field:

* after a choice in the conflict box (»Sæt teksterne sammen«, »Brug den anden skærms tekst«)
  an autosave of the old text may already be on its way: exactly that old text counts as based
  on nothing (a new conflict), any other text is the user's next edit of the new text;
* after an idle field took over another screen's note (the heartbeat), the browser may still
  hold words typed just before, which it keeps on the screen: a text that neither continues the
  taken-over note nor keeps most of its words is based on the note before the take-over.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from facilitator.records import Note

# A text after a take-over that keeps at least this share of the taken-over note's words is an
# edit of it (not words typed before the take-over arrived).
KEPT_WORDS = 0.6


@dataclass(frozen=True)
class NoteField:
    base: Note  # the stored note the field's text is based on
    stale: str | None = None  # after a choice: the old text an autosave may still carry
    before: Note | None = None  # after a take-over: the note the field was based on before
    conflict: Note | None = None  # another screen's note a save ran into
    ancestor: str = ""  # the text both sides of ``conflict`` started from

    def made_from(self, text: str) -> Note:
        """The stored note a save of ``text`` is based on: its revision is the one the save
        names (-1: none, always a conflict), its text the ancestor for a merge."""
        if self.stale is not None and text == self.stale:
            # The old text is already part of what the field was replaced with.
            return Note("", -1)
        if self.before is not None and not continues(text, self.base.text):
            return self.before
        return self.base

    def revision_for(self, text: str) -> int:
        return self.made_from(text).revision

    def saved(self, text: str, revision: int) -> NoteField:
        return NoteField(Note(text, revision))

    def refused(self, text: str, current: Note) -> NoteField:
        """A save of ``text`` ran into ``current``, saved on another screen."""
        if self.stale is not None and text == self.stale:
            # The late autosave of the text a choice replaced: the screen shows the chosen text,
            # and typing on in it is saved as usual; the old text stays refused.
            return NoteField(self.base, stale=self.stale, conflict=current)
        # Based, from now on, on what the refused text was made from: typing on while the
        # conflict box is open runs into the same conflict, never over the other screen's note.
        made_from = self.made_from(text)
        return NoteField(made_from, conflict=current, ancestor=made_from.text)

    def taken_over(self, current: Note) -> NoteField:
        """The idle field shows ``current``, saved on another screen."""
        return NoteField(current, before=self.before or self.base)

    def choose(self, mine: str, how: str) -> tuple[str, NoteField]:
        """The text the field shows after a choice in the conflict box, and the field to save it
        from (``how``: "merge", "mine" or "theirs"). "theirs" needs no save."""
        other = self.conflict
        if other is None:
            return mine, self
        if how == "mine":
            return mine, NoteField(other)
        text = other.text if how == "theirs" else merge(self.ancestor, mine, other.text)
        return text, NoteField(other, stale=mine if mine != text else None)

    def after_choice(self, mine: str, shown: str) -> NoteField:
        """Once the chosen text is saved: the old text still counts as stale."""
        return replace(self, stale=mine if mine != shown else None)


def continues(text: str, base: str) -> bool:
    """``text`` is an edit of ``base``: it goes on from it or keeps most of its words."""
    if text.startswith(base):
        return True
    words = _words(base)
    if not words:
        return False
    left = _words(text)
    kept = 0
    for word in words:
        if word in left:
            left.remove(word)
            kept += 1
    return kept / len(words) >= KEPT_WORDS


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


# --- Merging -------------------------------------------------------------------------------


def merge(ancestor: str, mine: str, theirs: str) -> str:
    """Both texts in one, each thing once: a three-way merge of lines against ``ancestor``,
    the text both started from. Lines only one side changed take that side's change; where both
    changed the same place, the other screen's lines come first and this screen's new lines
    follow – and within a single line two additions to the same sentence both stay in it."""
    lines = _merge(
        ancestor.splitlines(), mine.splitlines(), theirs.splitlines(), _merge_conflicting_lines
    )
    return "\n".join(lines)


Resolver = Callable[[list[str], list[str], list[str]], list[str]]


def _merge(
    base: Sequence[str], mine: Sequence[str], theirs: Sequence[str], resolve: Resolver
) -> list[str]:
    hunks = sorted(
        [(*h, "theirs") for h in _hunks(base, theirs)] + [(*h, "mine") for h in _hunks(base, mine)],
        key=lambda h: (h[0], h[1]),
    )
    out: list[str] = []
    pos = 0
    i = 0
    while i < len(hunks):
        group = [hunks[i]]
        start, end = hunks[i][0], hunks[i][1]
        i += 1
        # Hunks overlap when they change the same base lines, or when an insertion meets
        # another change at the same place; two changes that only touch stay apart.
        while i < len(hunks) and (
            hunks[i][0] < end
            or (hunks[i][0] == end and (hunks[i][1] == end or _inserts_at(group, end)))
        ):
            end = max(end, hunks[i][1])
            group.append(hunks[i])
            i += 1
        out.extend(base[pos:start])
        segment = list(base[start:end])
        sides = {
            side: _apply(segment, start, [h for h in group if h[3] == side])
            for side in ("mine", "theirs")
        }
        changed = {h[3] for h in group}
        if changed == {"theirs"} or sides["mine"] == sides["theirs"]:
            out.extend(sides["theirs"])
        elif changed == {"mine"}:
            out.extend(sides["mine"])
        else:
            out.extend(resolve(segment, sides["mine"], sides["theirs"]))
        pos = end
    out.extend(base[pos:])
    return out


def _hunks(base: Sequence[str], other: Sequence[str]) -> list[tuple[int, int, list[str]]]:
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    return [
        (i1, i2, list(other[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _inserts_at(group: list[tuple[int, int, list[str], str]], point: int) -> bool:
    return any(h[0] == h[1] == point for h in group)


def _apply(
    segment: list[str], offset: int, hunks: list[tuple[int, int, list[str], str]]
) -> list[str]:
    out: list[str] = []
    pos = 0
    for start, end, lines, _side in hunks:
        out.extend(segment[pos : start - offset])
        out.extend(lines)
        pos = end - offset
    out.extend(segment[pos:])
    return out


def _merge_conflicting_lines(base: list[str], mine: list[str], theirs: list[str]) -> list[str]:
    if len(base) == len(mine) == len(theirs) == 1:
        try:
            words = _merge(_tokens(base[0]), _tokens(mine[0]), _tokens(theirs[0]), _insertions_only)
        except _Overlap:
            pass
        else:
            return ["".join(words)]
    seen = set(theirs) | set(base)
    return theirs + [line for line in mine if line not in seen or not line.strip()]


class _Overlap(Exception):
    pass


def _insertions_only(base: list[str], mine: list[str], theirs: list[str]) -> list[str]:
    """Within a line: two additions at the same place both stay (the other screen's first);
    two different changes of the same words are a real overlap (kept as two lines)."""
    if base:
        raise _Overlap
    return theirs + mine


def _tokens(line: str) -> list[str]:
    return re.findall(r"\s+|\S+", line)
