"""Exports of a meeting: the referat (Markdown, printable page, in the app), CSV and .ics.

The Markdown referat is read as a plain file (Notepad, Word) as often as in a Markdown
program: ordinary prose must come out without a single backslash, and any text at all must
still render as exactly that text. Checked with Python-Markdown (what MkDocs uses) and, when
installed, markdown-it-py (CommonMark with GFM tables and strikethrough).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facilitator.cases import load_cases
from facilitator.exports import (
    FollowUpRow,
    MeetingSummary,
    follow_ups_ics,
    md_heading,
    md_lines,
    md_text,
    summary_markdown,
)

# --- the referat reads cleanly as plain text ---

DANISH_PROSE = [
    "Borgeren har en fagord-liste fra sprogskolen og vil gerne vise den til arbejdsgiver.",
    "Hun gik i 2. klasse i Syrien (FVU) og læser nu på niveau 3.",
    "Aftale: Anne ringer kl. 10.30 - efter mødet - og skriver til jobcentret!",
    'Han sagde: "Jeg vil hellere arbejde end gå på kursus."',
    "Mål: ca. 20-25 timer/uge; løn 145,50 kr. i timen (overenskomst).",
    "Virksomheden [navn udeladt] har 3 ledige pladser.",
    "Unge <30 år og borgere >50 år; 100 % fremmøde = 5 dage.",
    "Ca. ~20 timer om ugen, 2 * 3 timer på lager og resten i kantinen.",
    "Snake_case, e-mail og 50/50 ordning: intet at escape.",
    "Næste skridt? Opfølgning d. 1.12. – se sagen.",
]


def _case_texts() -> list[str]:
    texts: list[str] = []
    for case in load_cases():
        texts += [case.title, case.person_line, case.turn_prompt]
        texts += [*case.story, *case.questions, *case.considerations]
    return texts


@pytest.mark.parametrize("text", DANISH_PROSE + _case_texts())
def test_ordinary_prose_has_no_backslash(text: str) -> None:
    for out in (md_text(text), md_lines(text), md_heading(text)):
        assert "\\" not in out and "&" not in out, out
    assert md_text(text) == " ".join(text.split())


def test_a_referat_of_ordinary_prose_has_no_backslash_at_all() -> None:
    case = load_cases()[0]
    summary = _summary(
        team="Team Øst-Jylland (Aarhus)",
        participants=["Anne-Marie", "Bo", "مريم"],
        questions=list(case.questions),
        notes=["\n".join(DANISH_PROSE[:3]), DANISH_PROSE[3], *DANISH_PROSE[4:]],
        general="\n\n".join(DANISH_PROSE),
        what=DANISH_PROSE,
    )
    md = summary_markdown(summary)
    assert "\\" not in md, [line for line in md.splitlines() if "\\" in line]


def test_only_markdown_syntax_is_escaped() -> None:
    assert md_text("1. marts er fristen") == "1\\. marts er fristen"
    assert md_text("den 1. marts") == "den 1. marts"
    assert md_text("- punkt") == "\\- punkt"
    assert md_text("a - b") == "a - b"
    assert md_text("# 1") == "\\# 1"
    assert md_text("C# og F#") == "C# og F#"
    assert md_heading("C# og F#") == "C# og F\\#"
    assert md_text("---") == "\\---"
    assert md_text("[tekst](side) [a][b] [c]: d [sic]") == "[tekst\\](side) [a\\][b] [c\\]: d [sic]"
    assert md_text("**fed**") == "\\*\\*fed\\*\\*"
    assert md_text("<b>") == "&lt;b>"
    assert md_text("&amp;") == "&amp;amp;"
    assert md_text("a|b") == "a\\|b"
    assert md_text("~a~") == "\\~a\\~"
    assert md_lines("") == md_lines(" \n ") == "–"


# --- any text renders as exactly that text ---


def _python_markdown(source: str) -> str:
    md = markdown.Markdown(extensions=["tables"])
    # CommonMark escapes Python-Markdown does not know: without this the backslash shows
    # (safe, but not the text as typed). ~ and $ are GFM and math syntax, = setext underlines.
    md.ESCAPED_CHARS = [*md.ESCAPED_CHARS, "~", "$", "="]
    return md.convert(source)


def _markdown_it() -> Callable[[str], str] | None:
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        return None
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render


RENDERERS = [
    pytest.param(_python_markdown, id="python-markdown"),
    pytest.param(
        _markdown_it(),
        id="commonmark",
        marks=pytest.mark.skipif(_markdown_it() is None, reason="markdown-it-py not installed"),
    ),
]

SPECIAL = "#>-+*=_`|[]()!<>&;:~$\\@/.wx1 \n\t"
TEXTS = st.one_of(st.text(max_size=60), st.text(alphabet=SPECIAL, max_size=30))


def _visible(text: str) -> str:
    """What a reader can see of a text: no control characters, whitespace collapsed."""
    text = "".join(c for c in text if not (unicodedata.category(c) == "Cc" and not c.isspace()))
    return " ".join(text.split())


def _rendered(html: str, render: Callable[[str], str]) -> tuple[set[str], str]:
    tags = set(re.findall(r"<(\w+)", html))
    text = unescape(re.sub(r"<[^>]+>", " ", re.sub(r"</?code>", "", html)))
    return tags, " ".join(text.split())


CONTEXTS = {
    # context: (Markdown around the escaped text, the tags it may give, text around it)
    "paragraph": (lambda t: md_lines(t), {"p", "br"}, "{}"),
    "list item": (lambda t: "- " + md_text(t), {"ul", "li"}, "{}"),
    "table cell": (
        lambda t: f"| Hvem | Hvad |\n|---|---|\n| {md_text(t)} | x |",
        {"table", "thead", "tbody", "tr", "th", "td"},
        "Hvem Hvad {} x",
    ),
    "heading": (lambda t: "### 1. " + md_heading(t), {"h3"}, "1. {}"),
}


@pytest.mark.parametrize("render", RENDERERS)
@pytest.mark.parametrize("context", list(CONTEXTS))
@settings(max_examples=300, deadline=None)
@given(text=TEXTS)
def test_any_text_renders_as_exactly_that_text(
    render: Callable[[str], str], context: str, text: str
) -> None:
    build, block_tags, around = CONTEXTS[context]
    html = render(build(text))
    tags, shown = _rendered(html, render)
    # Addresses are code spans (never links); nothing else but the block itself.
    assert tags <= block_tags | {"code"}, (html, tags)
    visible = _visible(text)
    expected = visible or ("–" if context == "paragraph" else "")
    assert shown == " ".join(around.format(expected).split()), html
    if "code" in tags:
        assert re.search(r"(?i)://|www\.|@", visible), html


# --- helpers ---


def _summary(
    *,
    team: str = "Team Øst",
    participants: list[str] | None = None,
    questions: list[str] | None = None,
    notes: list[str] | None = None,
    general: str = "",
    what: list[str] | None = None,
) -> MeetingSummary:
    rows = [
        FollowUpRow(
            i + 1,
            who="Anne",
            what=w,
            due=date(2026, 12, 1),
            case_number=9,
            case_title="Sprog og arbejdsmarkedet",
            done=False,
            meeting_id="m-test",
        )
        for i, w in enumerate(what or [])
    ]
    return MeetingSummary(
        team=team,
        meeting_date=date(2026, 11, 22),
        case_number=9,
        case_title="Sprog og arbejdsmarkedet",
        participants=participants or [],
        moderator="Anne",
        questions=questions or ["Hvilke muligheder?"],
        question_notes=notes or [],
        general_notes=general,
        follow_ups=rows,
        minutes_used=[60, 60, 60, 60, 60],
    )


# --- .ics: titles and UIDs ---


def _events(rows: list[FollowUpRow]) -> list[Any]:
    from icalendar import Calendar

    return list(Calendar.from_ical(follow_ups_ics(rows, "Team Øst")).walk("VEVENT"))


def _stored_rows(db: Path) -> list[FollowUpRow]:
    """Follow-ups as the app exports them, from a fresh database with one meeting."""
    from facilitator.storage import Storage
    from facilitator.ui.exports_view import follow_up_rows

    store = Storage(f"sqlite:///{db}")
    store.create_schema()
    try:
        team, _ = store.create_team("Team Øst")
        mid = store.create_meeting(team, date(2026, 11, 22), 9, ["Anne"], [60, 180, 360, 180, 120])
        meeting = store.get_meeting(mid)
        assert meeting is not None
        store.add_follow_up(meeting, "Anne", "Ring til VUC", date(2026, 12, 1), 9)
        store.add_follow_up(meeting, "Bo", "Skriv til sprogskolen", date(2026, 12, 2), 9)
        return follow_up_rows(store.follow_ups(team.id, meeting_id=mid))
    finally:
        store.dispose()


def test_ics_uids_are_unique_across_installations_and_stable_on_re_export(
    tmp_path: Path,
) -> None:
    one = _stored_rows(tmp_path / "one.sqlite3")
    other = _stored_rows(tmp_path / "other.sqlite3")
    assert [r.id for r in one] == [r.id for r in other] == [1, 2]  # the same ids in both
    uids_one = [str(e["uid"]) for e in _events(one)]
    uids_other = [str(e["uid"]) for e in _events(other)]
    assert len(set(uids_one)) == 2
    assert not set(uids_one) & set(uids_other)
    # Exported again (later, the follow-up done): the same calendar entries are updated.
    again = [dataclasses.replace(r, done=True) for r in one]
    assert [str(e["uid"]) for e in _events(again)] == uids_one
    assert all("followup-" not in uid for uid in uids_one)


def test_ics_needs_the_meeting_id_for_its_uids() -> None:
    row = FollowUpRow(1, "Anne", "Ring", date(2026, 12, 1), None, None, False)
    with pytest.raises(ValueError):
        follow_ups_ics([row], "Team Øst")


@pytest.mark.parametrize(
    ("who", "what", "title"),
    [
        ("Anne", "Ring til VUC", "Anne følger op: Ring til VUC"),
        (
            "Anne",
            "Kontakt sprogskolen og aftal et møde med borgeren og hendes mentor om "
            "praktikken hos Netto i Brabrand efter jul",
            "Anne følger op: Kontakt sprogskolen og aftal et møde med borgeren og hendes…",
        ),
        ("Bo", "Ring til VUC\nog spørg om FVU-prøven", "Bo følger op: Ring til VUC…"),
        ("Bo", "x" * 100, "Bo følger op: " + "x" * 65 + "…"),
        ("  Eva   Hansen ", "Skriv til sprogskolen", "Eva Hansen følger op: Skriv til sprogskolen"),
    ],
)
def test_ics_titles_say_who_and_are_cut_at_a_word(who: str, what: str, title: str) -> None:
    row = FollowUpRow(1, who, what, date(2026, 12, 1), None, None, False, meeting_id="m1")
    (event,) = _events([row])
    assert str(event["summary"]) == title
    assert len(title) <= 80
    assert what in str(event["description"])  # the whole text stays in the description


def test_a_done_follow_ups_title_says_so() -> None:
    row = FollowUpRow(
        1, "Anne", "Ring til VUC", date(2026, 12, 1), None, None, True, meeting_id="m"
    )
    (event,) = _events([row])
    assert str(event["summary"]) == "Anne følger op (udført): Ring til VUC"


# --- in the app (AppTest): downloads built on click, the referat on the finished page ---

LABELS = [
    "Referat som tekstfil (.md)",
    "Excel-liste over aftaler (.csv)",
    "Kalender med aftaler (.ics)",
    "Udskriv referatet",
]


def _view_script(meeting_id: str, view: str) -> None:
    from facilitator.ui import exports_view
    from facilitator.ui.common import case_by_number, storage

    meeting = storage().get_meeting(meeting_id)
    assert meeting is not None
    case = case_by_number(meeting.case_number)
    assert case is not None
    getattr(exports_view, view)(meeting, case)


def _seed_meeting(data_dir: Path, notes: dict[str, str]) -> str:
    from facilitator.storage import Storage

    store = Storage(f"sqlite:///{data_dir / 'borgercases.sqlite3'}")
    store.create_schema()
    try:
        team, _ = store.create_team("Team Øst")
        mid = store.create_meeting(team, date(2026, 11, 22), 9, ["Anne"], [60, 180, 360, 180, 120])
        meeting = store.get_meeting(mid)
        assert meeting is not None
        for key, text in notes.items():
            store.save_note(team.id, mid, key, text)
        store.add_follow_up(meeting, "Anne", "Ring til VUC om FVU-prøven", date(2026, 12, 1), 9)
        return mid
    finally:
        store.dispose()


def _run(meeting_id: str, view: str) -> Any:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_view_script, args=(meeting_id, view), default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_exports_are_built_only_when_downloaded(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facilitator.ui import exports_view

    calls: list[str] = []

    def counted(name: str) -> Callable[..., Any]:
        real = getattr(exports_view, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return real(*args, **kwargs)

        return wrapper

    for name in ("summary", "summary_markdown", "follow_ups_csv", "follow_ups_ics"):
        monkeypatch.setattr(exports_view, name, counted(name))
    mid = _seed_meeting(data_dir, {"q0": "Noter"})
    at = _run(mid, "render")
    at.run()  # a rerun of the page, as the sidebar has on every click
    assert calls == []
    labels = [e.proto.label for e in at.get("download_button")]
    labels += [e.proto.label for e in at.get("link_button")]
    assert labels == LABELS
    # Labels that still tell apart when a narrow screen cuts them: each starts differently.
    assert len({label.split()[0] for label in labels}) == len(labels)


def test_the_finished_page_shows_each_question_with_its_note_as_plain_text(
    data_dir: Path,
) -> None:
    from facilitator.ui.common import case_by_number

    case = case_by_number(9)
    assert case is not None and len(case.questions) >= 2
    first = "**fed** <b>html</b> [link](https://evil.example)\n- ikke en liste\n\n  indrykket"
    mid = _seed_meeting(data_dir, {"q0": first, "general": "Generelt: 1. marts\nAnden linje"})
    at = _run(mid, "render_summary")
    texts = [t.value for t in at.text]
    # Every question's note, as typed (no Markdown, no HTML), "–" for an empty one.
    assert texts == [first] + ["–"] * (len(case.questions) - 1) + [
        "Generelt: 1. marts\nAnden linje"
    ]
    shown = "\n".join(m.value for m in at.markdown)
    for i, question in enumerate(case.questions, 1):
        assert f"{i}" in shown and question.split()[0] in shown
    assert "Generelle noter" in shown
    # Not the follow-ups: the page lists them itself.
    everything = shown + "\n".join(texts) + "\n".join(s.value for s in at.subheader)
    assert "Ring til VUC" not in everything


def test_the_markdown_referat_lists_every_question_with_its_note_and_the_follow_ups() -> None:
    summary = _summary(
        questions=["Hvilke muligheder?", "Hvem gør hvad?", "Og så?"],
        notes=["Sprogmentor.\nMåske FVU.", ""],  # one note fewer than questions
        general="Godt møde.",
        what=["Ring til VUC", "Skriv til sprogskolen"],
    )
    md = summary_markdown(summary)
    assert (
        "### 1. Hvilke muligheder?\n\nSprogmentor.  \nMåske FVU.\n\n"
        "### 2. Hvem gør hvad?\n\n–\n\n### 3. Og så?\n\n–\n\n"
        "## Generelle noter\n\nGodt møde.\n\n"
        "## Aftaler om opfølgning\n\n| Hvem | Hvad | Frist | Status |\n|---|---|---|---|\n"
        "| Anne | Ring til VUC | 01.12.2026 | Åben |\n"
        "| Anne | Skriv til sprogskolen | 01.12.2026 | Åben |\n"
    ) in md
