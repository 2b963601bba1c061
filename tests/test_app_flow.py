"""Streamlit AppTest flows: start → five steps → notes → follow-ups → export."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from facilitator.storage import Storage
from facilitator.timer import TimerState
from tests.conftest import ROOT

# Every test runs the app in AppTest, most for a whole flow: about a second each.
pytestmark = pytest.mark.slow

APP = str(ROOT / "app.py")


CODES: dict[int, str] = {}  # the code each AppTest's team got


def _db(data_dir: Path) -> Storage:
    return Storage(f"sqlite:///{data_dir / 'borgercases.sqlite3'}")


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=30)


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def shown(value: object) -> str:
    """Text as a reader sees it: Markdown backslash escapes, HTML entities (user text is drawn
    with every punctuation mark as one, facilitator/ui/text.py) and invisible joiners gone."""
    return html.unescape(re.sub(r"\\(.)", r"\1", str(value))).replace("\u2060", "")


class _Shown:
    """An element's text as a reader sees it: Markdown escapes and invisible joiners gone."""

    def __init__(self, value: object) -> None:
        self.value = shown(value)


def _errors(at: AppTest) -> list[_Shown]:
    return [_Shown(e.value) for e in at.error]


def _text(at: AppTest) -> str:
    # User text and the HTML around it are drawn with every ASCII punctuation mark as an entity
    # (facilitator/ui/text.py), so read the Markdown as a reader sees it.
    parts = (
        [m.value for m in at.markdown]
        + [e.value for e in _errors(at)]
        + [s.value for s in at.success]
    )
    parts += (
        [h.value for h in at.header] + [h.value for h in at.title] + [c.value for c in at.caption]
    )
    parts += [h.value for h in at.subheader]
    return "\n".join(shown(p) for p in parts)


def _create_team(at: AppTest, team: str = "Team Nord") -> str:
    """Create a team on the start page; returns the code shown once."""
    at.run()
    at.text_input(key="team_name_input").set_value(team)
    _click(at, "Opret team")
    _team_id, code = at.session_state["_new_code"]
    assert code in _text(at)
    CODES[id(at)] = str(code)
    return str(code)


def _start_meeting(
    at: AppTest, team: str = "Team Nord", people: str = "Anne\nBo\nCamilla"
) -> AppTest:
    _create_team(at, team)
    at.text_area[0].set_value(people)
    at.button[[b.label for b in at.button].index("Start mødet")].click().run()
    _no_errors(at)
    return at


def _by_label(elements, label: str):  # type: ignore[no-untyped-def]
    return next(e for e in elements if e.label == label)


def _click(at: AppTest, label: str) -> AppTest:
    labels = [b.label for b in at.button]
    assert label in labels, labels
    at.button[labels.index(label)].click().run()
    _no_errors(at)
    return at


def test_start_page_speaks_danish_and_reminds_of_confidentiality(data_dir: Path) -> None:
    at = _app().run()
    _no_errors(at)
    assert at.title[0].value == "Borgercases – teammødet"
    assert "ikke om rigtige borgere" in at.info[0].value


def test_whole_meeting_flow(data_dir: Path) -> None:
    at = _start_meeting(_app())
    meeting_id = at.query_params["m"]
    assert meeting_id and isinstance(meeting_id, str)
    store = _db(data_dir)
    meeting = store.get_meeting(meeting_id)
    assert meeting and meeting.participants == ("Anne", "Bo", "Camilla")
    assert sum(meeting.timer.plan) == 15 * 60
    assert "Trin 1: Vælg en ordstyrer" in _text(at)

    _click(at, "Start uret")
    _click(at, "Næste i rotationen: Anne")
    assert store.get_meeting(meeting_id).moderator == "Anne"  # type: ignore[union-attr]

    _click(at, "Næste trin")
    assert "Trin 2: Alle læser casen" in _text(at)
    case_text = _text(at)
    assert "Refleksionsspørgsmål" in case_text and "Jamir er 33 år" in case_text

    _click(at, "Næste trin")
    assert "Trin 3: Ordstyrer faciliterer" in _text(at)
    note = at.text_area[0]
    note.set_value("Vi bruger motiverende samtale. <b>ikke html</b> [link](http://x)").run()
    _no_errors(at)
    assert store.notes(meeting_id)["q0"].startswith("Vi bruger motiverende samtale.")

    # A CPR number is flagged and not stored; what was saved before stays.
    at.text_area[0].set_value("Borgeren har CPR 010190-1234").run()
    assert any("CPR-nummer" in e.value for e in _errors(at))
    assert store.notes(meeting_id)["q0"].startswith("Vi bruger motiverende samtale.")

    _click(at, "Næste trin")
    assert "HINT" in _text(at)
    _click(at, "Næste trin")
    assert "Trin 5: Aftal, hvem der følger op" in _text(at)

    _by_label(at.text_area, "Hvad skal der følges op på?").set_value(
        "Undersøg realkompetencevurdering"
    )
    _click(at, "Gem aftalen")
    items = store.follow_ups(meeting.team.id, meeting_id=meeting_id)
    assert [(f.who, f.what) for f in items] == [("Anne", "Undersøg realkompetencevurdering")]
    assert items[0].due == date.today() + timedelta(days=7)  # the next meeting by default

    _click(at, "Afslut mødet")
    assert "Mødet er slut" in _text(at)
    assert store.get_meeting(meeting_id).timer.status == "finished"  # type: ignore[union-attr]


def test_next_meeting_shows_open_follow_ups_first(data_dir: Path) -> None:
    at = _start_meeting(_app())
    meeting_id = at.query_params["m"]
    store = _db(data_dir)
    meeting = store.get_meeting(meeting_id)
    assert meeting
    store.add_follow_up(meeting, "Bo", "Ring til sprogskolen", date.today(), 9)

    nxt = _app()
    nxt.query_params["s"] = at.session_state["_grant"]  # the address after a reload
    nxt.run()
    _no_errors(nxt)
    assert "Åbne aftaler fra tidligere møder (1)" in [s.value for s in nxt.subheader]
    box = nxt.checkbox[0]
    assert "Ring til sprogskolen" in box.label
    box.check().run()
    _no_errors(nxt)
    assert store.follow_ups(meeting.team.id, open_only=True) == []
    assert "Teamets møder (1)" in [s.value for s in nxt.subheader]


def test_reload_brings_back_the_meeting(data_dir: Path) -> None:
    at = _start_meeting(_app())
    meeting_id = at.query_params["m"]
    _click(at, "Start uret")
    _click(at, "Næste trin")
    again = _app()
    again.query_params["m"] = meeting_id
    again.query_params["s"] = at.session_state["_grant"]  # a browser with the team open
    again.run()
    _no_errors(again)
    assert "Trin 2: Alle læser casen" in _text(again)
    assert any(b.label == "Pause" for b in again.button)


@pytest.mark.parametrize(
    ("team", "people", "message"),
    [
        ("   ", "", None),
        ("Team", "Anne\nanne", "to gange"),
        ("Team", "Anne 0101901234", "CPR"),
    ],
)
def test_bad_setup_input_gets_a_danish_message(
    data_dir: Path, team: str, people: str, message: str | None
) -> None:
    at = _app().run()
    at.text_input(key="team_name_input").set_value(team)
    _click(at, "Opret team")
    if message is None:
        assert any("Skriv teamets navn" in e.value for e in _errors(at))
        return
    at.text_area[0].set_value(people)
    _click(at, "Start mødet")
    assert any(message in e.value for e in _errors(at)), [e.value for e in _errors(at)]
    assert "m" not in at.query_params


def test_zero_duration_is_refused(data_dir: Path) -> None:
    at = _app()
    _create_team(at, "Team")
    at.number_input[1].set_value(0)
    _click(at, "Start mødet")
    assert any("mindst 1 minut" in e.value for e in _errors(at))


def test_unknown_meeting_id_gets_a_message(data_dir: Path) -> None:
    at = _app()
    store = _db(data_dir)
    store.create_schema()
    team, _code = store.create_team("Team Søg")
    at.query_params["m"] = "finder-ikke-mig"
    at.query_params["s"] = store.grant_access(team.id)
    at.run()
    _no_errors(at)
    assert any("Mødet findes ikke" in e.value for e in _errors(at))


def test_follow_up_with_past_date_is_refused(data_dir: Path) -> None:
    at = _start_meeting(_app())
    meeting_id = at.query_params["m"]
    for _ in range(4):
        _click(at, "Næste trin")
    _by_label(at.text_area, "Hvad skal der følges op på?").set_value("Noget")
    _by_label(at.date_input, "Frist").set_value(date.today() - timedelta(days=3))
    _click(at, "Gem aftalen")
    assert any("fortiden" in e.value for e in _errors(at))
    meeting = _db(data_dir).get_meeting(meeting_id)
    assert meeting and _db(data_dir).follow_ups(meeting.team.id) == []


def test_a_team_opens_with_its_code_and_only_its_own_data(data_dir: Path) -> None:
    a = _start_meeting(_app(), team="Team Syd")
    code_a = CODES[id(a)]
    b = _start_meeting(_app(), team="Team Syd")  # same name, other municipality
    code_b = CODES[id(b)]
    assert code_a != code_b

    visitor = _app().run()
    visitor.text_input(key="team_code_input").set_value(code_b.lower().replace("-", " "))
    _click(visitor, "Åbn teamet")
    assert "Teamets møder (1)" in [s.value for s in visitor.subheader]
    meeting_b = b.query_params["m"]
    meeting_a = a.query_params["m"]
    assert f"open_{meeting_b}" in [btn.key for btn in visitor.button]
    assert f"open_{meeting_a}" not in [btn.key for btn in visitor.button]


def test_a_wrong_code_gets_a_danish_message_and_shows_nothing(data_dir: Path) -> None:
    _start_meeting(_app(), team="Team Øst")
    at = _app().run()
    at.text_input(key="team_code_input").set_value("AAAA-BBBB-CCCC-DDDD")
    _click(at, "Åbn teamet")
    assert any("Koden passer ikke" in e.value for e in _errors(at))
    assert "Team Øst" not in _text(at)
    assert not [h for h in at.subheader if "Teamets møder" in h.value]

    bad_link = _app()
    bad_link.query_params["t"] = "AAAA-BBBB-CCCC-DDDD"
    bad_link.run()
    _no_errors(bad_link)
    assert any("Koden passer ikke" in e.value for e in _errors(bad_link))
    assert "t" not in bad_link.query_params


def test_a_new_code_locks_out_the_old_one(data_dir: Path) -> None:
    at = _app()
    old = _create_team(at, "Team Vest")
    _click(at, "Jeg har gemt koden")
    _click(at, "Lav en ny kode")
    _team_id, new = at.session_state["_new_code"]
    assert new != old and new in _text(at)
    assert "Teamet har fået en ny kode" in _text(at)
    store = _db(data_dir)
    assert store.open_team(old) is None and store.open_team(new) is not None


@pytest.mark.parametrize(
    ("step_one_seconds", "message"),
    [
        (240, "Tiden er fordelt om, så mødet kan slutte til tiden"),  # 3 minutes over
        (10, "Den sparede tid er fordelt på de næste trin"),
    ],
)
def test_the_facilitator_sees_how_time_was_rebalanced(
    data_dir: Path, step_one_seconds: int, message: str
) -> None:
    import time

    from facilitator import timer as t

    store = _db(data_dir)
    store.create_schema()
    team, _ = store.create_team("Team Tid")
    mid = store.create_meeting(team, date.today(), 1, [], [60, 180, 360, 180, 120])
    begun = time.time() - step_one_seconds
    store.update_timer(team.id, mid, lambda s: t.next_step(t.start(s, begun), time.time()))
    at = _app()
    at.query_params["m"] = mid
    at.query_params["s"] = store.grant_access(team.id)
    at.run()
    _no_errors(at)
    assert message in _text(at)


def test_a_late_save_of_the_old_text_after_merging_is_not_an_overwrite(data_dir: Path) -> None:
    """Screen B merges its note with A's; an autosave of B's old text that reaches the server
    after the click (the browser sent it just before) must become a conflict, not silently
    replace the merged note."""
    store, mid, (a, b) = _at_discussion(data_dir, "Team To Skærme", screens=2)
    a.text_area[0].set_value("Tekst fra A.").run()
    b.text_area[0].set_value("Pointe fra B.").run()  # B loaded before A saved: a conflict
    assert store.notes(mid)["q0"] == "Tekst fra A."
    _click(b, "Sæt teksterne sammen")
    merged = "Tekst fra A.\nPointe fra B."
    assert store.notes(mid)["q0"] == merged
    b.text_area[0].set_value("Pointe fra B.").run()  # the late autosave of the old text
    assert store.notes(mid)["q0"] == merged
    assert any("ændret på en anden skærm" in w.value for w in b.warning)
    b.text_area[0].set_value(merged + " Og mere.").run()  # typing on: saved as usual
    assert store.notes(mid)["q0"] == merged + " Og mere."


def test_the_next_edit_after_merging_raises_no_conflict(data_dir: Path) -> None:
    """After »Sæt teksterne sammen« the screen's next edit – here a word in the middle and the
    other screen's line deleted – is saved: nobody else saved, so there is no conflict."""
    store, mid, (a, b) = _at_discussion(data_dir, "Team Sammen", screens=2)
    shared = "Jamir vil gerne arbejde med biler."
    a.text_area[0].set_value(f"{shared}\nSpørg om kørekort.").run()
    b.text_area[0].set_value(f"{shared}\nTal med konsulenten.").run()  # a conflict
    _click(b, "Sæt teksterne sammen")
    merged = f"{shared}\nSpørg om kørekort.\nTal med konsulenten."
    assert store.notes(mid)["q0"] == merged  # the shared sentence once
    assert b.text_area[0].value == merged
    edited = "Jamir vil gerne arbejde med biler og busser.\nTal med konsulenten."
    b.text_area[0].set_value(edited).run()
    assert not any("ændret på en anden skærm" in w.value for w in b.warning)
    assert store.notes(mid)["q0"] == edited
    assert any("Gemt kl." in c.value for c in b.caption)


def _meeting_screens(
    data_dir: Path,
    team_name: str,
    change: Callable[[TimerState], TimerState] | None,
    case: int = 1,
    screens: int = 1,
) -> tuple[Storage, str, list[AppTest]]:
    """A meeting with its timer changed by ``change``, open on ``screens`` screens."""
    store = _db(data_dir)
    store.create_schema()
    team, _ = store.create_team(team_name)
    mid = store.create_meeting(team, date.today(), case, ["Anne"], [60, 180, 360, 180, 120])
    if change is not None:
        store.update_timer(team.id, mid, change)
    apps = []
    for _ in range(screens):
        at = _app()
        at.query_params["m"] = mid
        at.query_params["s"] = store.grant_access(team.id)
        at.run()
        _no_errors(at)
        apps.append(at)
    return store, mid, apps


def _at_discussion(
    data_dir: Path, team_name: str, screens: int
) -> tuple[Storage, str, list[AppTest]]:
    """Case 9's meeting running at step 3, the discussion with its notes."""
    from facilitator import timer as t

    now = time.time()
    return _meeting_screens(
        data_dir, team_name, lambda s: t.go_to(t.start(s, now), 2, now), case=9, screens=screens
    )


def _panel(at: AppTest) -> str:
    return "\n".join(shown(m.value) for m in at.markdown if "role='timer'" in m.value)


def test_a_pause_during_an_overrun_shows_as_a_pause(data_dir: Path) -> None:
    """Issue 22: paused while over time, the panel stayed red with »… er gået – over tid«."""
    from facilitator import timer as t

    begun = time.time() - 90  # step 1 has 60 s: 30 s over
    _store, _mid, (at,) = _meeting_screens(data_dir, "Team Uret", lambda s: t.start(s, begun))
    assert "bc-overrun" in _panel(at) and "over tid" in _panel(at)
    _click(at, "Pause")
    panel = _panel(at)
    assert "Pause – Ordstyrer er over tid" in panel
    assert "bc-paused" in panel and "bc-overrun" not in panel
    assert "+0:3" in panel  # the overrun is still shown as a number
    assert "Fortsæt" in [b.label for b in at.button]


def test_skipping_a_step_before_the_clock_started_still_offers_start(data_dir: Path) -> None:
    """Issue 22: »Næste trin« before »Start uret« showed »Pause« and »Fortsæt«."""
    _store, _mid, (at,) = _meeting_screens(data_dir, "Team Uret", None)
    _click(at, "Næste trin")
    assert "Trin 2:" in " ".join(h.value for h in at.header)
    panel = _panel(at)
    assert "Uret er ikke startet" in panel and "Pause" not in panel
    labels = [b.label for b in at.button]
    assert "Start uret" in labels and "Fortsæt" not in labels


def test_going_back_a_step_says_it_gets_a_new_share_of_the_time(data_dir: Path) -> None:
    """Issue 22: going back gave the step a fresh share of the time left without a word."""
    from facilitator import timer as t

    now = time.time()
    _store, _mid, (at,) = _meeting_screens(
        data_dir, "Team Uret", lambda s: t.go_to(t.start(s, now - 100), 2, now)
    )
    assert "ny andel" not in _panel(at)
    _click(at, "Forrige trin")
    assert "Tilbage til Læs casen: trinnet har fået en ny andel af den tid" in _panel(at)
    _click(at, "Næste trin")
    assert "ny andel" not in _panel(at)
    assert any("Tryk N for næste trin" in c.value for c in at.caption)
