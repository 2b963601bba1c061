"""Pure domain logic: CPR detection, input checks, moderator rotation, exports."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from facilitator import validation as v
from facilitator.exports import (
    FollowUpRow,
    MeetingSummary,
    follow_up_uid,
    follow_ups_csv,
    follow_ups_ics,
    md_escape,
    neutralise_cell,
    summary_markdown,
)
from facilitator.privacy import contains_cpr, find_cpr
from facilitator.rotation import next_in_rotation, random_moderator

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    "text",
    [
        "010190-1234",
        "0101901234",
        "Borger 311299-4321 ringede",
        "cpr: 290204 1234",
        "(150575-0001)",
    ],
)
def test_cpr_numbers_are_found(text: str) -> None:
    assert find_cpr(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Mødet 22.11.2026 kl. 10",
        "tlf 12345678",
        "321299-1234",
        "011399-1234",
        "12345678901",
        "case 10, 3 spørgsmål",
        "postnr. 8000 og 2100",
    ],
)
def test_non_cpr_text_is_not_flagged(text: str) -> None:
    assert not find_cpr(text)


def test_contains_cpr_checks_every_field() -> None:
    assert contains_cpr("ok", "også 010190-1234")
    assert not contains_cpr("ok", "fint")


def test_team_name_rules() -> None:
    assert v.team_name("  Team  Nord ") == "Team Nord"
    for bad in ("", "   ", "\t\n", "x" * 200):
        with pytest.raises(v.InputError):
            v.team_name(bad)


def test_participants_are_cleaned_and_duplicates_refused() -> None:
    assert v.participants("Anne\n\n  Bo \n,Camilla") == ["Anne", "Bo", "Camilla"]
    assert v.participants("") == []
    with pytest.raises(v.InputError, match="to gange"):
        v.participants("Anne\nanne")
    with pytest.raises(v.InputError, match="CPR"):
        v.participants("Anne 010190-1234")


def test_right_to_left_and_emoji_names_are_kept() -> None:
    names = v.participants("أحمد\nمريم\nZoë 👩🏽‍💼")
    assert names == ["أحمد", "مريم", "Zoë 👩🏽‍💼"]


@pytest.mark.parametrize("bad", [[1, 0, 3], [1, -2, 3], [None, 2], [1.5, 2], [61, 1]])
def test_bad_durations_get_a_danish_message(bad: list) -> None:
    with pytest.raises(v.InputError, match="Trin"):
        v.step_minutes(bad)


def test_good_durations() -> None:
    assert v.step_minutes([1, 3, 6, 3, 2]) == [1, 3, 6, 3, 2]


def test_note_limits_and_cpr() -> None:
    assert v.note("  <b>fed</b> [link](http://x) ") == "<b>fed</b> [link](http://x)"
    with pytest.raises(v.InputError, match="for lang"):
        v.note("x" * 1_000_000)
    with pytest.raises(v.InputError, match="CPR"):
        v.note("Han har cpr 0101901234")


def test_follow_up_rules() -> None:
    assert v.follow_up(" Anne ", " Ring til VUC ", TODAY, TODAY) == ("Anne", "Ring til VUC")
    with pytest.raises(v.InputError, match="fortiden"):
        v.follow_up("Anne", "Noget", date(2026, 11, 1), TODAY)
    with pytest.raises(v.InputError, match="hvem"):
        v.follow_up("  ", "Noget", None, TODAY)
    with pytest.raises(v.InputError, match="hvad"):
        v.follow_up("Anne", "", None, TODAY)


def test_random_moderator_is_a_participant() -> None:
    people = ["Anne", "Bo", "Camilla"]
    rng = random.Random(1)
    picks = {random_moderator(people, rng) for _ in range(50)}
    assert picks == set(people)
    assert random_moderator([], rng) is None


def test_rotation_picks_who_waited_longest() -> None:
    people = ["Anne", "Bo", "Camilla"]
    t = lambda d: datetime(2026, 11, d, tzinfo=UTC)  # noqa: E731
    assert next_in_rotation(people, {}) == "Anne"
    assert next_in_rotation(people, {"anne": t(1)}) == "Bo"
    assert next_in_rotation(people, {"anne": t(8), "bo": t(1), "camilla": t(15)}) == "Bo"
    assert next_in_rotation([], {}) is None


ROWS = [
    FollowUpRow(
        1,
        "Anne",
        '=HYPERLINK("http://evil")',
        date(2026, 12, 1),
        9,
        "Sprog og arbejdsmarkedet",
        False,
        TODAY,
        "m-test",
    ),
    FollowUpRow(
        2,
        "أحمد",
        'Kontakt sprogskolen; aftal møde\nmed "VUC"',
        None,
        9,
        "Sprog og arbejdsmarkedet",
        True,
        TODAY,
        "m-test",
    ),
    FollowUpRow(3, "+Bo", "-1+2", date(2026, 12, 24), None, None, False, TODAY, "m-test"),
]


def test_csv_opens_in_danish_excel() -> None:
    data = follow_ups_csv(ROWS, "Team Øst")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Team", "Hvem", "Hvad", "Frist", "Case", "Status", "Mødedato"]
    assert rows[1][2].startswith("'=")  # formula neutralised
    assert rows[1][3] == "01.12.2026"
    assert rows[2][1] == "أحمد" and "\n" in rows[2][2] and rows[2][5] == "Udført"
    assert rows[3][1] == "'+Bo" and rows[3][2] == "'-1+2"
    assert len(rows) == 4


def test_neutralise_cell() -> None:
    for value in ("=1", "+1", "-1", "@x", "\tx"):
        assert neutralise_cell(value).startswith("'")
    assert neutralise_cell("Anne") == "Anne"


def test_ics_has_one_event_per_follow_up_with_a_date() -> None:
    cal = Calendar.from_ical(follow_ups_ics(ROWS, "Team Øst"))
    events = cal.walk("VEVENT")
    assert len(events) == 2
    first = events[0]
    assert first.decoded("dtstart") == date(2026, 12, 1)
    assert "Anne" in str(first.get("description"))
    assert str(first.get("uid")) == follow_up_uid(ROWS[0])  # more in test_exports.py


def test_markdown_summary_shows_user_text_literally() -> None:
    summary = MeetingSummary(
        team="Team [Øst](http://x)",
        meeting_date=TODAY,
        case_number=9,
        case_title="Sprog og arbejdsmarkedet",
        participants=["Anne", "<script>alert(1)</script>"],
        moderator="Anne",
        questions=["Hvilke muligheder?", "Er der muligheder?"],
        question_notes=["Sprogmentor *virker*", ""],
        general_notes="# ikke en overskrift",
        follow_ups=ROWS,
        minutes_used=[60, 190, 300, 200, 100],
    )
    md = summary_markdown(summary)
    assert "# Referat: Team `[Øst](http://x)`" in md  # an address: shown as code, never a link
    assert "<script>" not in md
    assert "\\# ikke en overskrift" in md
    assert "Sprogmentor \\*virker\\*" in md
    assert "| Anne |" in md
    assert md_escape("a|b") == "a\\|b"


def test_case_suggestion_prefers_undiscussed_then_oldest() -> None:
    from facilitator.exercise import suggest_case

    assert suggest_case([1, 2, 3], []) == 1
    assert suggest_case([1, 2, 3], [(1, TODAY)]) == 2
    older = date(2026, 1, 1)
    assert suggest_case([1, 2], [(1, TODAY), (2, older), (1, older)]) == 2


def test_the_meeting_to_continue_is_todays_newest_unfinished_one() -> None:
    from facilitator.exercise import unfinished_today
    from facilitator.records import MeetingSummaryRow

    def row(mid: str, day: date, status: str) -> MeetingSummaryRow:
        return MeetingSummaryRow(mid, day, 1, 3, None, status, 0, 0)

    older = date(2026, 1, 1)
    assert unfinished_today([], TODAY) is None
    assert unfinished_today([row("a", TODAY, "finished")], TODAY) is None
    assert unfinished_today([row("a", older, "running")], TODAY) is None  # history, not now
    newest_first = [
        row("c", TODAY, "finished"),
        row("b", TODAY, "paused"),
        row("a", TODAY, "running"),
    ]
    found = unfinished_today(newest_first, TODAY)
    assert found is not None and found.id == "b"


def test_last_discussed_is_the_latest_date_of_that_case() -> None:
    from facilitator.exercise import last_discussed

    older = date(2026, 1, 1)
    assert last_discussed(2, []) is None
    assert last_discussed(2, [(1, TODAY)]) is None
    assert last_discussed(1, [(1, older), (2, TODAY), (1, TODAY)]) == TODAY


def test_sentence_case_raises_only_the_first_letter() -> None:
    from facilitator.validation import sentence_case

    assert sentence_case("at spørge Eva om iPad") == "At spørge Eva om iPad"
    assert sentence_case("»ring« til VUC") == "»Ring« til VUC"
    assert sentence_case("3 ugers praktik") == "3 ugers praktik"
    assert sentence_case("Allerede stort") == "Allerede stort"
    assert sentence_case("") == ""
