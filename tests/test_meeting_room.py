"""Issue 9 in AppTest: the meeting room's ordinary mess – a reload, a step back, a finished
meeting that needs one more follow-up, a tick by mistake, a shared computer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from facilitator.exercise import STEPS
from tests.test_app_flow import _app, _click, _create_team, _db, _no_errors, _start_meeting, _text

# Every test runs the app in AppTest, most for a whole flow: about a second each.
pytestmark = pytest.mark.slow


def _labels(at: AppTest) -> list[str]:
    return [str(b.label) for b in at.button]


def _to_step(at: AppTest, n: int) -> AppTest:
    """From step 1 (timer started) to step ``n``."""
    for _ in range(n - 1):
        _click(at, "Næste trin")
    return at


def test_deleting_a_meeting_asks_first(data_dir: Path) -> None:
    at = _start_meeting(_app())
    mid = str(at.query_params["m"])
    store = _db(data_dir)
    _click(at, "Slet mødet …")
    assert store.get_meeting(mid) is not None  # nothing deleted by the first click
    _click(at, "Fortryd")
    assert "Ja, slet mødet" not in _labels(at)
    _click(at, "Slet mødet …")
    _click(at, "Ja, slet mødet")
    assert store.get_meeting(mid) is None
    assert "m" not in at.query_params
    assert "Mødet er slettet." in _text(at)


def test_finish_is_not_where_next_was_and_a_finished_meeting_can_be_reopened(
    data_dir: Path,
) -> None:
    at = _start_meeting(_app())
    _click(at, "Start uret")
    _to_step(at, 4)
    _click(at, "Næste trin")
    labels = _labels(at)
    assert "Næste trin" not in labels  # (the spot on screen: tests/test_meeting_room_browser.py)
    # Above the place »Næste trin« had: a hasty second click lands on »Pause« at most.
    assert labels.index("Afslut mødet") < labels.index("Pause") < labels.index("Forrige trin")
    _click(at, "Afslut mødet")
    assert "Mødet er slut" in _text(at)
    _click(at, "Genåbn mødet")
    assert f"Trin 5: {STEPS[4].text}" in _text(at)
    assert "Gem aftalen" in _labels(at)  # follow-ups can be added again
    meeting = _db(data_dir).get_meeting(str(at.query_params["m"]))
    assert meeting is not None and meeting.timer.status == "paused"
    assert meeting.timer.current == 4


def test_a_ticked_follow_up_can_be_unticked_from_the_same_list(data_dir: Path) -> None:
    store = _db(data_dir)
    at = _app()
    _create_team(at)
    team = at.session_state["_team"]
    mid = store.create_meeting(team, date(2026, 11, 1), 2, ["Anne"], [60] * 5)
    meeting = store.get_meeting(mid)
    assert meeting is not None
    fu = store.add_follow_up(meeting, "Anne", "Ring til sprogcentret", None, 2)
    at.run()
    box = next(c for c in at.checkbox if c.key == f"start_done_{fu}")
    box.check().run()
    _no_errors(at)
    assert store.follow_ups(team.id, open_only=True) == []
    box = next(c for c in at.checkbox if c.key == f"start_done_{fu}")  # still in the list
    assert box.value is True
    box.uncheck().run()
    assert [f.id for f in store.follow_ups(team.id, open_only=True)] == [fu]


def test_step_5_reviews_the_teams_earlier_open_follow_ups(data_dir: Path) -> None:
    store = _db(data_dir)
    at = _app()
    _create_team(at)
    team = at.session_state["_team"]
    old = store.get_meeting(store.create_meeting(team, date(2026, 11, 1), 2, ["Bo"], [60] * 5))
    assert old is not None
    fu = store.add_follow_up(old, "Bo", "Find en mentor", None, 2)
    at.run()
    at.button[_labels(at).index("Start mødet")].click().run()
    _click(at, "Start uret")
    _to_step(at, 5)
    assert "Åbne aftaler fra tidligere møder (1)" in _text(at)
    assert any("Find en mentor" in str(c.label) for c in at.checkbox)
    next(c for c in at.checkbox if c.key == f"earlier_done_{fu}").check().run()
    assert store.follow_ups(team.id, open_only=True) == []
    assert next(c for c in at.checkbox if c.key == f"earlier_done_{fu}").value is True


def test_participants_are_prefilled_from_the_teams_last_meeting(data_dir: Path) -> None:
    at = _start_meeting(_app(), people="Anne\nBo\nCamilla")
    _click(at, "Nyt møde / teamets historik")
    assert at.text_area[0].value == "Anne\nBo\nCamilla"


def test_the_moderator_is_named_once(data_dir: Path) -> None:
    at = _start_meeting(_app())
    _click(at, "Start uret")
    _click(at, "Vælg tilfældigt")
    text = _text(at)
    assert text.count("Ordstyrer:") == 1, text


def test_a_cpr_warning_does_not_repeat_the_question_as_a_list_item(data_dir: Path) -> None:
    at = _start_meeting(_app())
    _click(at, "Start uret")
    _to_step(at, 3)
    field = at.text_area[0]
    field.set_value("Borgeren 010190-1234 sagde ja").run()
    errors = [str(e.value) for e in at.error]
    assert len(errors) == 1
    assert errors[0].startswith("Noten"), errors  # not »1\. Hvilke …?: …«
    assert "?:" not in errors[0]


def test_leaving_projector_mode_turns_the_sidebar_switch_off(data_dir: Path) -> None:
    at = _start_meeting(_app())
    at.toggle(key="projector_toggle").set_value(True).run()
    assert _has_button(at, "exit_projector")
    at.button(key="exit_projector").click().run()
    assert at.toggle(key="projector_toggle").value is False
    assert not _has_button(at, "exit_projector")
    at.toggle(key="projector_toggle").set_value(True).run()  # the first click works
    assert at.toggle(key="projector_toggle").value is True
    assert _has_button(at, "exit_projector")


def test_an_address_with_projector_mode_opens_in_it(data_dir: Path) -> None:
    at = _app()
    at.query_params["p"] = "1"  # a reload or a copied address of a page in projector mode
    at.run()
    assert at.toggle(key="projector_toggle").value is True
    assert _has_button(at, "exit_projector")


def test_projector_mode_is_the_sessions_setting_not_the_addresss(data_dir: Path) -> None:
    """The server no longer writes ``p`` into the address on a switch (each write is a new
    history entry, and Back would only switch the mode back); the session keeps the mode
    across pages, and a new page's address carries it."""
    at = _start_meeting(_app())
    before = dict(at.query_params)
    at.toggle(key="projector_toggle").set_value(True).run()
    assert dict(at.query_params) == before
    assert _has_button(at, "exit_projector")
    _click(at, "Nyt møde / teamets historik")
    assert at.query_params.get("p") in (["1"], "1")
    assert _has_button(at, "exit_projector")


def _has_button(at: AppTest, key: str) -> bool:
    return any(b.key == key for b in at.button)


@pytest.fixture
def browser_token(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Stands in for the browser's local storage: what the page helper reports, and what the
    app last told it to keep or forget."""
    browser: dict[str, object] = {"token": None, "forgot": False}

    def helper(
        key: str = "bc_helper",
        view: str | None = None,
        device_store: str | None = None,
        device_forget: bool = False,
        device_ask: bool = False,
        projector: bool | None = None,
    ) -> str | None:
        if device_store:
            browser["token"] = device_store
        elif device_forget:
            browser["token"] = None
            browser["forgot"] = True
        token = browser["token"]
        return str(token) if token else None

    monkeypatch.setattr("facilitator.ui.shell.page_helper", helper)
    return browser


def test_a_reload_of_the_meeting_page_keeps_the_team_open(
    data_dir: Path, browser_token: dict[str, object]
) -> None:
    at = _start_meeting(_app())
    mid = str(at.query_params["m"])
    assert browser_token["token"]  # the computer keeps a device token, not the code
    assert browser_token["token"] != at.session_state["_grant"]
    reload = _app()
    reload.query_params["m"] = mid  # the meeting's address holds only the meeting
    reload.run()
    reload.run()  # the helper reports the token after the page has loaded
    _click(reload, "Nyt møde / teamets historik")
    assert "Teamkode" not in [t.label for t in reload.text_input]
    assert "Team Nord" in _text(reload)
    assert "s" in reload.query_params  # the team page's own address
    # A browser restart: a fresh session on the start page.
    restart = _app().run()
    restart.run()
    assert "Team Nord" in _text(restart)


def test_skift_team_and_forget_this_computer_end_the_device_token(
    data_dir: Path, browser_token: dict[str, object]
) -> None:
    at = _app()
    _create_team(at)
    token = str(browser_token["token"])
    store = _db(data_dir)
    assert store.team_for_grant(token) is not None
    _click(at, "Skift team")
    assert store.team_for_grant(token) is None  # ended in the database …
    assert browser_token["token"] is None  # … and forgotten by the browser
    later = _app().run()
    later.run()
    assert "Teamkode" in [t.label for t in later.text_input]

    _create_team(at, "Team Syd")
    token = str(browser_token["token"])
    _click(at, "Glem denne computer")
    assert store.team_for_grant(token) is None and browser_token["token"] is None
    assert "Computeren har glemt teamet" in _text(at)
    assert "Teamkode" in [t.label for t in at.text_input]


def test_a_new_code_ends_the_device_token_of_other_computers(
    data_dir: Path, browser_token: dict[str, object]
) -> None:
    at = _app()
    code = _create_team(at)
    token = str(browser_token["token"])
    team = at.session_state["_team"]
    store = _db(data_dir)
    store.new_team_code(team.id)
    assert store.team_for_grant(token) is None
    fresh = _app().run()  # a computer that still holds the old token
    fresh.run()
    assert "Teamkode" in [t.label for t in fresh.text_input]
    assert browser_token["token"] is None  # told to forget it
    assert code not in _text(fresh)


def test_a_new_code_is_not_shown_on_the_projector(data_dir: Path) -> None:
    at = _app()
    at.query_params["p"] = "1"
    at.run()
    at.text_input(key="team_name_input").set_value("Team Lærred")
    _click(at, "Opret team")
    _team_id, code = at.session_state["_new_code"]
    assert code not in _text(at)
    assert any("vises ikke i projektorvisning" in str(i.value) for i in at.info)
    at.button(key="exit_projector").click().run()
    assert code in _text(at)  # shown once projector mode is off


def test_a_reloaded_note_field_starts_from_the_stored_note(
    data_dir: Path, browser_token: dict[str, object]
) -> None:
    """A browser draws a field with its default before it applies the server's value; a
    message sent in between (the page helper's first report, the timer's redraw) reports that
    default. It was "", so a reload could save an empty note over the stored one."""
    at = _to_step(_start_meeting(_app()), 3)
    at.text_area[0].input("Fokus på jobmål").run()
    mid = str(at.query_params["m"])
    reload = _app()
    reload.query_params["m"] = mid
    reload.run()
    reload.run()  # the helper reports the device token
    field = reload.text_area[0]
    assert field.value == "Fokus på jobmål"
    assert field.proto.default == "Fokus på jobmål"
    assert _db(data_dir).note_entries(mid)["q0"].text == "Fokus på jobmål"


def _sidebar_slot(at: AppTest, label: str) -> int:
    """The position of the sidebar expander ``label`` among the sidebar's elements."""
    for index, node in at.sidebar.children.items():
        if getattr(node, "label", None) == label:
            return int(index)
    raise AssertionError(f"no expander {label!r} in the sidebar")


def test_an_open_sidebar_panel_stays_open_when_the_computer_is_recognised(
    data_dir: Path,
) -> None:
    """A fresh page runs once before the browser says which team this computer remembers, and
    again after; »Glem denne computer« appears in the second run. The panels below it must keep
    their place, or Streamlit draws them anew and closes the one the user has just opened
    (seen as a download button that kept vanishing under the click)."""
    at = _start_meeting(_app())
    token = at.session_state["_device"]
    assert token and "Glem denne computer" in _labels(at)
    remembered = {name: _sidebar_slot(at, name) for name in ("Referat og aftaler", "Slet mødet")}
    at.session_state["_device"] = None
    at.run()
    assert "Glem denne computer" not in _labels(at)
    assert {name: _sidebar_slot(at, name) for name in remembered} == remembered


# --- Issue 22: the team's page after Back, and the next case said out loud -------------------


def test_the_team_page_shows_todays_unfinished_meeting_with_the_way_back(data_dir: Path) -> None:
    at = _start_meeting(_app())
    meeting_id = at.query_params["m"]
    _click(at, "Start uret")
    _click(at, "Næste trin")
    _click(at, "Nyt møde / teamets historik")
    assert "Mødet er i gang" in _text(at)
    assert f"Trin 2 af 5: {STEPS[1].short}. Uret kører." in _text(at)
    _click(at, "Fortsæt mødet")
    assert at.query_params["m"] == meeting_id
    assert f"Trin 2: {STEPS[1].text}" in _text(at)


def test_a_finished_meeting_is_not_offered_to_continue(data_dir: Path) -> None:
    at = _start_meeting(_app())
    _click(at, "Start uret")
    _to_step(at, 5)
    _click(at, "Afslut mødet")
    _click(at, "Nyt møde / teamets historik")
    assert "Mødet er i gang" not in _text(at)
    assert "Fortsæt mødet" not in _labels(at)


def test_a_step_skipped_before_the_clock_ran_is_no_start_on_the_team_page(data_dir: Path) -> None:
    at = _start_meeting(_app())
    _click(at, "Næste trin")  # the clock never ran
    _click(at, "Nyt møde / teamets historik")
    assert f"Trin 2 af 5: {STEPS[1].short}. Uret er ikke startet." in _text(at)
    _click(at, "Fortsæt mødet")
    _click(at, "Start uret")
    _click(at, "Pause")
    _click(at, "Nyt møde / teamets historik")
    assert f"Trin 2 af 5: {STEPS[1].short}. Uret står på pause." in _text(at)


def test_the_suggested_case_is_said_on_the_page_not_in_a_tooltip(data_dir: Path) -> None:
    at = _app()
    _create_team(at)
    assert "Forslag: 1. Den motiverende samtale med borger (Jamir)" in _text(at)
    assert "teamet har ikke drøftet den endnu" in _text(at)
    select = at.selectbox[0]
    assert select.value == 1
    # Searching the list finds words as typed (»sprog«), not scattered letters (fuzzy).
    from streamlit.proto.SelectWidgetFilterMode_pb2 import FILTER_MODE_CONTAINS

    assert select.proto.filter_mode == FILTER_MODE_CONTAINS
