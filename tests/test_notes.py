"""A note shared by two screens (facilitator.notes): no false conflict after a merge or a choice,
no silent overwrite, and a merge that keeps one copy of what both texts had."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from facilitator.notes import NoteField, continues, merge
from facilitator.records import Note

# --- The merge ------------------------------------------------------------------------------


def test_a_sentence_both_screens_had_appears_once() -> None:
    base = "Jamir vil gerne arbejde med biler."
    a = base + "\nSpørg ham om kørekort."
    b = base + "\nTal med virksomhedskonsulenten."
    assert merge(base, b, a) == (
        "Jamir vil gerne arbejde med biler.\nSpørg ham om kørekort.\n"
        "Tal med virksomhedskonsulenten."
    )


def test_two_additions_to_one_sentence_stay_in_it() -> None:
    assert merge(
        "Mødet er fredag.", "Mødet er fredag. Ring før.", "Mødet er fredag. Tag tolk med."
    ) == ("Mødet er fredag. Tag tolk med. Ring før.")


def test_the_same_words_written_on_both_screens_from_nothing_appear_once() -> None:
    both = "Fokus på hans egne mål."
    assert merge("", f"{both}\nB's pointe.", f"{both}\nA's pointe.") == (
        f"{both}\nA's pointe.\nB's pointe."
    )


def test_changes_to_different_lines_both_survive_and_nothing_is_doubled() -> None:
    assert merge("a\nb\nc", "a\nB\nc", "a\nb\nC") == "a\nB\nC"
    assert merge("a\nb\nc", "a\nc", "a\nb\nc\nd") == "a\nc\nd"  # a deletion is kept


def test_two_different_rewrites_of_one_sentence_keep_both() -> None:
    assert merge("Møde fredag.", "Møde tirsdag.", "Møde mandag.") == "Møde mandag.\nMøde tirsdag."


_line = st.text(alphabet="abcdefg", min_size=1, max_size=2)  # no spaces: lines stay whole
_lines = st.lists(_line, max_size=6)


@given(_lines, _lines, _lines)
def test_merge_keeps_every_line_either_screen_added(
    base: list[str], mine: list[str], theirs: list[str]
) -> None:
    merged = merge("\n".join(base), "\n".join(mine), "\n".join(theirs)).splitlines()
    for added in (set(mine) | set(theirs)) - set(base):
        assert added in merged
    assert merge("\n".join(base), "\n".join(base), "\n".join(theirs)) == "\n".join(theirs)
    assert merge("\n".join(base), "\n".join(mine), "\n".join(base)) == "\n".join(mine)
    assert merge("\n".join(base), "\n".join(mine), "\n".join(mine)) == "\n".join(mine)


# --- Two screens, any interleaving ----------------------------------------------------------


class _Store:
    """The stored note with storage.save_note's rules: the same text is no change; a save based
    on another revision is refused and carries the stored note."""

    def __init__(self) -> None:
        self.note = Note("", 0)
        self.writes: list[str] = []  # which screen wrote each revision

    def save(self, who: str, text: str, base_revision: int) -> Note | int:
        if text == self.note.text:
            return self.note.revision
        if base_revision != self.note.revision:
            return self.note
        self.note = Note(text, self.note.revision + 1)
        self.writes.append(who)
        return self.note.revision


@dataclass
class _Screen:
    name: str
    field: NoteField = field(default_factory=lambda: NoteField(Note("", 0)))
    shown: str = ""  # what the browser shows and will send
    origin: int = 0  # the stored revision the shown text was made from
    in_flight: tuple[str, int] | None = None  # an autosave of the old text, sent before a choice
    replaced: str | None = None  # the text the last choice replaced, until a save goes through


class TwoScreens(RuleBasedStateMachine):
    """Two screens type in one note, save, run into conflicts and choose in the conflict box; an
    autosave of the old text may arrive just after a choice. A save is refused only when the
    other screen really saved since the text on the screen was made, and a save that is written
    was made from what was stored – never a silent overwrite."""

    def __init__(self) -> None:
        super().__init__()
        self.store = _Store()
        self.screens = {"A": _Screen("A"), "B": _Screen("B")}

    def _save(self, screen: _Screen, text: str, origin: int, base: NoteField) -> NoteField:
        before = self.store.note
        result = self.store.save(screen.name, text, base.revision_for(text))
        if isinstance(result, Note):
            # The one text that is refused without a save elsewhere: the very text a choice
            # just replaced – it cannot be told from an autosave of it still on its way.
            if text != screen.replaced:
                assert before.revision != origin, "a conflict although nobody else saved"
            return base.refused(text, result)
        screen.replaced = None
        if result != before.revision:
            assert before.revision == origin, "written on top of a note it was not made from"
        return base.saved(text, result)

    @rule(
        who=st.sampled_from("AB"),
        how=st.sampled_from(["append", "prepend", "drop_first_line", "replace"]),
        word=st.sampled_from(["kørekort", "tolk", "praktik", "mentor", "Jamir kan selv."]),
    )
    def edit(self, who: str, how: str, word: str) -> None:
        s = self.screens[who]
        s.in_flight = None
        lines = s.shown.splitlines()
        s.shown = {
            "append": s.shown + ("\n" if s.shown else "") + word,
            "prepend": word + " " + s.shown,
            "drop_first_line": "\n".join(lines[1:]),
            "replace": word,
        }[how]

    @rule(who=st.sampled_from("AB"))
    def save(self, who: str) -> None:
        s = self.screens[who]
        s.in_flight = None
        s.field = self._save(s, s.shown, s.origin, s.field)
        if s.field.conflict is None:
            s.origin = s.field.base.revision

    @precondition(lambda self: any(s.field.conflict for s in self.screens.values()))
    @rule(who=st.sampled_from("AB"), how=st.sampled_from(["merge", "mine", "theirs"]))
    def choose(self, who: str, how: str) -> None:
        s = self.screens[who]
        if s.field.conflict is None:
            return
        mine, old_origin = s.shown, s.origin
        other = s.field.conflict
        shown, chosen = s.field.choose(mine, how)
        if how == "theirs":
            s.field, s.origin = chosen, other.revision
        else:
            # Saved on top of the other screen's note, which the screen now knows.
            saved = self._save(s, shown, other.revision, chosen)
            s.field = saved if saved.conflict else saved.after_choice(mine, shown)
            s.origin = other.revision if saved.conflict else saved.base.revision
        s.shown = shown
        s.in_flight = (mine, old_origin) if mine != shown else None
        s.replaced = mine if mine != shown else None

    @precondition(lambda self: any(s.in_flight for s in self.screens.values()))
    @rule(who=st.sampled_from("AB"))
    def late_autosave_of_the_old_text(self, who: str) -> None:
        s = self.screens[who]
        if s.in_flight is None:
            return
        old, origin = s.in_flight
        s.in_flight = None
        s.field = self._save(s, old, origin, s.field)
        if s.field.conflict is None:  # the old text was the stored one: nothing changed
            s.shown, s.origin = old, s.field.base.revision
        # Otherwise the browser still shows the chosen text: the server never sends a field's
        # value back to the browser it came from.

    @invariant()
    def a_conflict_shows_what_is_stored_or_was(self) -> None:
        for s in self.screens.values():
            if s.field.conflict is not None:
                assert s.field.conflict.revision <= self.store.note.revision


TwoScreens.TestCase.settings = settings(max_examples=300, stateful_step_count=30, deadline=None)
test_two_screens_never_conflict_falsely_nor_overwrite = TwoScreens.TestCase


def test_the_edit_after_a_merge_is_no_conflict() -> None:
    """The reported case: after »Sæt teksterne sammen« the next edit removed a line of the
    merged text and raised the conflict again, showing the screen's own merged text."""
    base = NoteField(Note("", 0)).refused("Pointe fra B.", Note("Tekst fra A.", 1))
    shown, chosen = base.choose("Pointe fra B.", "merge")
    assert shown == "Tekst fra A.\nPointe fra B."
    after = chosen.saved(shown, 2).after_choice("Pointe fra B.", shown)
    assert after.revision_for("Pointe fra B. Og mere.") == 2
    assert after.revision_for("Tekst fra A.") == 2
    assert after.revision_for("Pointe fra B.") == -1  # only the old text itself is stale


def test_words_typed_before_a_take_over_are_not_an_edit_of_the_taken_note() -> None:
    field = NoteField(Note("", 0)).taken_over(Note("Tekst fra A.", 1))
    assert field.revision_for("Pointe fra B: spørg Jamir selv.") == 0  # a conflict to choose
    assert field.revision_for("Tekst fra A. Og B's ord.") == 1
    assert field.revision_for("Tekst A.") == 1  # an edit in the middle keeps most words
    assert continues("Tekst fra A, med rettelse.", "Tekst fra A.")
