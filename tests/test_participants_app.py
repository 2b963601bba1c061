"""Participants on their phones, in AppTest: the join page shows what the step allows and
nothing of the team, takes anonymous thoughts and proposals with the notes' guards, and the
facilitator's page shows them live to hide, copy, accept or dismiss. (The browsers' side:
tests/test_participants_browser.py.)"""

from __future__ import annotations

import html
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text, update
from streamlit.testing.v1 import AppTest

from facilitator import participation as pa
from facilitator import timer as t
from facilitator.cases import load_cases
from facilitator.exercise import STEPS
from facilitator.records import Meeting, Team
from facilitator.storage import Storage
from facilitator.storage.models import MeetingRow
from tests.test_app_flow import _app, _click, _db, _errors, _no_errors, _text, shown

# Every test runs the app in AppTest, most for a whole flow: about a second each.
pytestmark = pytest.mark.slow

CASE = next(c for c in load_cases() if c.number == 9)
PHONE_WIDGETS = {
    "Til spørgsmål",
    "Din tanke (uden navn)",
    "Send anonymt",
    "Jeg følger op på …",
    "Mit navn (frivilligt)",
    "Frist (frivillig)",
    "Send forslag",
}


def _meeting(store: Storage, step: int | None = 0) -> tuple[Team, Meeting, str]:
    """A meeting of case 9 with its join code; ``step``: started at that step (None: not)."""
    store.create_schema()
    team, _code = store.create_team("Team Hemmelig")
    mid = store.create_meeting(
        team, date.today(), 9, ["Anne Andersen", "Bo Bøgh"], [60, 180, 360, 180, 120]
    )
    store.set_moderator(team.id, mid, "Anne Andersen")
    if step is not None:
        _go(store, team, mid, step)
    meeting = store.get_meeting(mid)
    assert meeting is not None
    return team, meeting, store.join_code(team.id, mid)


def _go(store: Storage, team: Team, mid: str, step: int) -> None:
    now = time.time()
    store.update_timer(
        team.id,
        mid,
        lambda s: t.go_to(t.start(s, now) if s.status == t.NOT_STARTED else s, step, now),
    )


def _phone(code: str) -> AppTest:
    at = _app()
    at.query_params["j"] = code
    at.run()
    _no_errors(at)
    return at


def _widget_labels(at: AppTest) -> set[str]:
    labels = {str(w.label) for w in at.button}
    for kind in (at.text_area, at.text_input, at.radio, at.date_input, at.checkbox, at.toggle):
        labels |= {str(w.label) for w in kind}
    labels |= {str(w.label) for w in at.selectbox}
    return labels


def _everything(at: AppTest) -> str:
    """Every text the page holds, including raw HTML of markdown elements."""
    return _text(at) + "\n" + "\n".join(str(e) for e in at.main) + str(at.session_state)


def test_an_unknown_or_garbage_code_opens_nothing(data_dir: Path) -> None:
    _meeting(_db(data_dir))
    for code in ("abcdefghjkmn", "x", "'; DROP TABLE meetings; --", "a" * 500):
        at = _phone(code)
        assert pa.JOIN_CLOSED in [e.value for e in at.error]
        assert not at.text_area and not at.button
        assert "Team Hemmelig" not in _text(at)


@pytest.mark.parametrize("step", range(5))
def test_the_phone_shows_only_what_the_step_allows_and_nothing_of_the_team(
    data_dir: Path, step: int
) -> None:
    store = _db(data_dir)
    team, meeting, code = _meeting(store, step)
    at = _phone(code)
    shown = _text(at)
    assert f"data-pstep='{step}'" in shown
    assert f"Trin {step + 1} af 5: {STEPS[step].short}" in shown
    # The card's front from step 2, its back side only from step 4.
    assert (CASE.story[0] in shown) == (step >= 1)
    assert (f"HINT – {CASE.considerations_heading}" in shown) == (step >= 3)
    # Nothing of the team, the meeting's id, its people or notes.
    everything = _everything(at)
    for secret in (team.name, meeting.id, "Anne Andersen", "Bo Bøgh"):
        assert secret not in everything
    # No widget that could change anything but the phone's own contributions.
    assert _widget_labels(at) <= PHONE_WIDGETS
    assert ("Send anonymt" in _widget_labels(at)) == (step in (2, 3))
    assert ("Send forslag" in _widget_labels(at)) == (step == 4)


def test_the_phone_follows_a_step_change_and_the_end_of_the_meeting(data_dir: Path) -> None:
    store = _db(data_dir)
    team, meeting, code = _meeting(store, 1)
    at = _phone(code)
    assert "HINT" not in _text(at)
    _go(store, team, meeting.id, 3)
    at.run()
    assert "data-pstep='3'" in _text(at)
    assert f"HINT – {CASE.considerations_heading}" in _text(at)
    store.update_timer(team.id, meeting.id, lambda s: t.finish(s, time.time()))
    at.run()
    assert "data-pstep='done'" in _text(at)
    assert not at.text_area  # nothing more to send
    # After the grace period the link opens nothing.
    with store.engine.begin() as conn:
        conn.execute(
            update(MeetingRow)
            .where(MeetingRow.id == meeting.id)
            .values(finished_at=time.time() - pa.GRACE_SECONDS - 5)
        )
    at.run()
    assert pa.JOIN_CLOSED in [e.value for e in at.error]


def test_a_deleted_meeting_or_a_new_link_closes_the_phone_page(data_dir: Path) -> None:
    store = _db(data_dir)
    team, meeting, code = _meeting(store, 2)
    at = _phone(code)
    assert "Send anonymt" in _widget_labels(at)
    new = store.renew_join_code(team.id, meeting.id)
    at.run()
    assert pa.JOIN_CLOSED in [e.value for e in at.error]
    at2 = _phone(new)
    assert "Send anonymt" in _widget_labels(at2)
    store.delete_meeting(team.id, meeting.id)
    at2.run()
    assert pa.JOIN_CLOSED in [e.value for e in at2.error]


def _send(at: AppTest, question: int, thought: str) -> AppTest:
    at.radio(key="phone_question").set_value(question)
    at.text_area(key="phone_thought").set_value(thought)
    _click(at, "Send anonymt")
    return at


def test_a_thought_is_stored_without_identity_and_shown_literally(data_dir: Path) -> None:
    store = _db(data_dir)
    team, meeting, code = _meeting(store, 2)
    hostile = "<script>alert(1)</script> **fed** [link](https://evil.example) # Overskrift"
    at = _send(_phone(code), 1, hostile)
    assert "Sendt anonymt" in _text(at)
    assert at.text_area(key="phone_thought").value == ""  # ready for the next
    (stored,) = store.thoughts(team.id, meeting.id)
    assert (stored.question, stored.text) == (1, hostile)
    with store.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM thoughts")).mappings().one()
    assert set(row) == {"id", "meeting_id", "question", "text", "hidden", "copied", "created"}
    # The facilitator's page shows it under question 2, as text.
    fac = _app()
    fac.query_params["m"] = meeting.id
    fac.query_params["s"] = _grant(meeting)
    fac.run()
    _no_errors(fac)
    raw = "\n".join(m.value for m in fac.markdown)
    # Every mark that HTML or Markdown could read is an entity: no tag, no emphasis, no link.
    assert "&#60;script&#62;alert&#40;1&#41;&#60;&#47;script&#62; &#42;&#42;fed&#42;&#42;" in raw
    assert "<script>" not in raw and "**fed**" not in raw and "](https" not in raw
    assert hostile in html.unescape(raw)
    assert "Fra telefonerne: 1 tanke" in _text(fac)


@pytest.mark.parametrize(
    "cpr",
    ["010203-1234", "0102031234", "01.02.03 1234", "０１０２０３－１２３４", "0102\u200b03-1234"],
)
def test_a_cpr_number_is_refused_and_the_text_stays(data_dir: Path, cpr: str) -> None:
    store = _db(data_dir)
    team, meeting, code = _meeting(store, 2)
    typed = f"Borgeren {cpr} har meget fravær"
    at = _send(_phone(code), 0, typed)
    assert any("CPR" in e.value for e in at.error), [e.value for e in at.error]
    assert at.text_area(key="phone_thought").value == typed  # nothing lost
    assert store.thoughts(team.id, meeting.id) == []


def test_one_phone_cannot_flood_the_meeting(data_dir: Path) -> None:
    store = _db(data_dir)
    team, meeting, code = _meeting(store, 2)
    at = _send(_phone(code), 0, "Første tanke")
    at = _send(at, 0, "Anden tanke lige efter")
    assert any("Vent" in e.value for e in _errors(at))
    assert at.text_area(key="phone_thought").value == "Anden tanke lige efter"
    assert [x.text for x in store.thoughts(team.id, meeting.id)] == ["Første tanke"]


def test_a_new_page_does_not_reset_the_send_limit_of_one_client(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-phone limits live in the page session; the per-client budget in the server's
    memory: a sender who opens a new page for every thought stays counted, another address
    still gets through. (AppTest has no client address: the test gives each page one, and a
    small budget, so it runs in seconds; the real sizes: tests/test_client_budget.py.)"""
    from facilitator.ui import participant

    store = _db(data_dir)
    team, meeting, code = _meeting(store, 2)
    monkeypatch.setattr(pa, "CLIENTS", pa.ClientBudget(per_minute=100, total=3))
    sender = {"address": "198.51.100.66"}
    monkeypatch.setattr(participant, "client_address", lambda: sender["address"])
    for i in range(3):  # a new page for every send: the page's own 3-second limit is reset
        at = _send(_phone(code), 0, f"Tanke nummer {i}")
        assert "Sendt anonymt" in _text(at)
    at = _send(_phone(code), 0, "En tanke for meget")
    assert pa.CLIENT_FLOODED in [e.value for e in _errors(at)]
    assert at.text_area(key="phone_thought").value == "En tanke for meget"  # nothing lost
    assert len(store.thoughts(team.id, meeting.id)) == 3
    sender["address"] = "198.51.100.7"  # an honest phone elsewhere
    at = _send(_phone(code), 1, "Min egen tanke")
    assert "Sendt anonymt" in _text(at)
    assert len(store.thoughts(team.id, meeting.id)) == 4


def test_a_thought_sent_after_the_step_moved_on_is_refused_in_danish(data_dir: Path) -> None:
    store = _db(data_dir)
    team, meeting, code = _meeting(store, 2)
    at = _phone(code)
    _go(store, team, meeting.id, 4)  # the facilitator moved on; this page has not redrawn yet
    at.radio(key="phone_question").set_value(0)
    at.text_area(key="phone_thought").set_value("For sent")
    at.button[[b.label for b in at.button].index("Send anonymt")].click().run()
    assert pa.NOT_NOW_THOUGHTS in [e.value for e in _errors(at)]
    assert "For sent" in [x.value for x in at.text]  # the field is gone, the text is not
    assert store.thoughts(team.id, meeting.id) == []


def _grant(meeting: Meeting) -> str:
    """A grant of the meeting's team, as a browser that has the team open holds one."""
    from facilitator.ui import common

    return common.storage().grant_access(meeting.team.id)


def _facilitator(meeting: Meeting, projector: bool = False) -> AppTest:
    at = _app()
    at.query_params["m"] = meeting.id
    at.query_params["s"] = _grant(meeting)
    if projector:
        at.query_params["p"] = "1"
    at.run()
    _no_errors(at)
    return at


def test_the_facilitator_hides_a_thought_from_the_projector_and_copies_one_into_the_note(
    data_dir: Path,
) -> None:
    store = _db(data_dir)
    team, meeting, code = _meeting(store, 2)
    keep = store.add_thought(code, 0, "Spørg sprogskolen om fraværet")
    hide = store.add_thought(code, 0, "Noget, der ikke skal på væggen")
    fac = _facilitator(meeting)
    _click(fac, "Skjul på projektoren")  # the first thought's button comes first
    assert [x.hidden for x in store.thoughts(team.id, meeting.id)] == [True, False]
    # Put it right: show the first again, hide the second.
    fac.button(key=f"thought_hide_{keep}").click().run()
    fac.button(key=f"thought_hide_{hide}").click().run()
    _no_errors(fac)
    assert {x.id: x.hidden for x in store.thoughts(team.id, meeting.id)} == {
        keep: False,
        hide: True,
    }
    projector = "\n".join(shown(m.value) for m in _facilitator(meeting, projector=True).markdown)
    assert "Spørg sprogskolen om fraværet" in projector
    assert "Noget, der ikke skal på væggen" not in projector
    own = "\n".join(shown(m.value) for m in fac.markdown)
    assert "Noget, der ikke skal på væggen" in own and "Skjult på projektoren" in own
    fac.button(key=f"thought_copy_{keep}").click().run()
    _no_errors(fac)
    assert store.notes(meeting.id)["q0"] == "Spørg sprogskolen om fraværet"
    assert fac.text_area(key=f"note_{meeting.id}_q0").value == "Spørg sprogskolen om fraværet"
    assert fac.button(key=f"thought_copy_{keep}").disabled


def test_a_new_thought_reaches_the_facilitator_by_the_heartbeat(data_dir: Path) -> None:
    store = _db(data_dir)
    _team, meeting, code = _meeting(store, 2)
    fac = _facilitator(meeting)
    assert "Fra telefonerne" not in _text(fac)
    store.add_thought(code, 2, "Kommer mens siden står åben")
    fac.run()  # the timer panel's redraw notices it and redraws the page
    assert "Kommer mens siden står åben" in "\n".join(m.value for m in fac.markdown)


def test_a_proposal_is_accepted_as_a_follow_up_or_dismissed(data_dir: Path) -> None:
    store = _db(data_dir)
    team, meeting, code = _meeting(store, 4)
    phone = _phone(code)
    phone.text_area(key="phone_what").set_value("ringe til sprogskolen")  # as phones type
    phone.text_input(key="phone_who").set_value("Bo")
    phone.date_input(key="phone_due").set_value(date.today() + timedelta(days=7))
    _click(phone, "Send forslag")
    assert "Forslaget er sendt" in _text(phone)
    later = store.add_proposal(code, None, "Finde en sprogmentor", None, time.time() + 10)
    fac = _facilitator(meeting)
    assert "Forslag fra telefonerne (2)" in _text(fac)
    first = store.proposals(team.id, meeting.id)[0].id
    # The anonymous one needs a name before it can be accepted.
    fac.text_input(key=f"pw_{later}").set_value("")
    fac.button(key=f"FormSubmitter:bc_proposal_{later}-Godkend som aftale").click().run()
    assert "Skriv, hvem der følger op." in [e.value for e in _errors(fac)]
    fac.button(key=f"FormSubmitter:bc_proposal_{first}-Godkend som aftale").click().run()
    _no_errors(fac)
    (fu,) = store.follow_ups(team.id, meeting_id=meeting.id)
    # Issue 22: it read »Bo: ringe til …« in lower case in the list and the calendar.
    assert (fu.who, fu.what, fu.due) == ("Bo", "Ringe til sprogskolen", date.today() + timedelta(7))
    fac.button(key=f"FormSubmitter:bc_proposal_{later}-Afvis").click().run()
    _no_errors(fac)
    assert store.proposals(team.id, meeting.id) == []
    assert len(store.follow_ups(team.id, meeting_id=meeting.id)) == 1


def test_the_meeting_page_shows_the_join_link_and_the_referat_marks_anonymous_thoughts(
    data_dir: Path,
) -> None:
    store = _db(data_dir)
    team, meeting, code = _meeting(store, 0)
    fac = _facilitator(meeting)
    raw = "\n".join(shown(m.value) for m in fac.markdown)
    assert f"?j={code}" in raw and "Deltag fra din telefon" in raw
    assert meeting.id not in raw.split("?j=")[1][:40]
    _go(store, team, meeting.id, 2)
    store.add_thought(code, 0, "Synlig *tanke*")
    hidden = store.add_thought(code, 0, "Skjult tanke", time.time() + 5)
    store.set_thought_hidden(team.id, meeting.id, hidden, True)
    from facilitator.exports import ANONYMOUS_HEADING, summary_markdown
    from facilitator.ui.exports_view import summary

    fresh = store.get_meeting(meeting.id)
    assert fresh is not None
    md = summary_markdown(summary(fresh, CASE))
    assert ANONYMOUS_HEADING in md
    assert "Synlig \\*tanke\\*" in md
    assert "Skjult tanke" not in md


def test_a_database_outage_on_the_phone_is_said_in_danish_and_passes(data_dir: Path) -> None:
    from facilitator.records import StorageError
    from facilitator.storage.engine import BUSY
    from facilitator.ui import common

    store = _db(data_dir)
    *_rest, code = _meeting(store, 1)
    real = common.storage()

    def down(*_args: object, **_kwargs: object) -> None:
        raise StorageError(BUSY)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(real, "phone_meeting", down)
        at = _phone(code)
        assert [e.value for e in _errors(at)] == [BUSY]
    at.run()
    _no_errors(at)
    assert not at.error and CASE.story[0] in _text(at)


def test_the_printed_referat_and_the_finished_page_mark_anonymous_thoughts(data_dir: Path) -> None:
    from facilitator.exports import ANONYMOUS_HEADING

    store = _db(data_dir)
    team, meeting, code = _meeting(store, 2)
    store.add_thought(code, 1, "<i>Sprogmentor</i> på pladsen")
    gone = store.add_thought(code, 1, "Skjult for alle", time.time() + 5)
    store.set_thought_hidden(team.id, meeting.id, gone, True)
    store.update_timer(team.id, meeting.id, lambda s: t.finish(s, time.time()))
    printed = _app()
    printed.query_params["m"] = meeting.id
    printed.query_params["s"] = _grant(meeting)
    printed.query_params["view"] = "print"
    printed.run()
    _no_errors(printed)
    html_ = "\n".join(str(h.proto.body) for h in printed.get("html"))
    assert f"{ANONYMOUS_HEADING}:" in html_
    assert "&#60;i&#62;Sprogmentor&#60;&#47;i&#62; på pladsen" in html_  # as text, no tag
    assert "Skjult for alle" not in html_
    finished = _facilitator(meeting)
    assert ANONYMOUS_HEADING in [c.value for c in finished.caption]
    assert "– <i>Sprogmentor</i> på pladsen" in [x.value for x in finished.text]


def test_copying_two_thoughts_that_make_a_cpr_number_together_is_refused(data_dir: Path) -> None:
    """Issue 20: each thought passes alone; the note they make together is what is checked."""
    store = _db(data_dir)
    _team, meeting, code = _meeting(store, 2)
    first = store.add_thought(code, 0, "Borgeren er født 010203-")
    second = store.add_thought(code, 0, "1234 er resten")
    fac = _facilitator(meeting)
    fac.button(key=f"thought_copy_{first}").click().run()
    _no_errors(fac)
    fac.button(key=f"thought_copy_{second}").click().run()
    assert [e.value for e in _errors(fac)] == [
        "Noten med tanken: Teksten ser ud til at indeholde et CPR-nummer (»010203- ••••«). "
        "Den er ikke gemt. Fjern nummeret – her må ikke stå personoplysninger om borgere."
    ]
    assert store.notes(meeting.id)["q0"] == "Borgeren er født 010203-"
    assert not fac.button(key=f"thought_copy_{second}").disabled


def test_a_copied_thought_is_in_the_referat_once_and_the_note_says_it_is_saved(
    data_dir: Path,
) -> None:
    """Issue 22: a thought copied into the note stood in the referat twice (in the note and
    under the anonymous thoughts), and the note's »Gemt kl.« went away although it was saved.
    A thought edited out of the note again stays in the list."""
    from facilitator.exports import ANONYMOUS_HEADING

    store = _db(data_dir)
    team, meeting, code = _meeting(store, 2)
    copied = store.add_thought(code, 0, "Spørg om hans erfaring fra Syrien")
    store.add_thought(code, 0, "Praktik først")
    fac = _facilitator(meeting)
    fac.text_area[0].set_value("Teamets pointe.").run()
    assert any("Gemt kl." in c.value for c in fac.caption)
    fac.button(key=f"thought_copy_{copied}").click().run()
    _no_errors(fac)
    assert store.notes(meeting.id)["q0"] == "Teamets pointe.\nSpørg om hans erfaring fra Syrien"
    assert fac.text_area[0].value == store.notes(meeting.id)["q0"]
    assert any("Gemt kl." in c.value for c in fac.caption)

    store.update_timer(team.id, meeting.id, lambda s: t.finish(s, time.time()))
    finished = _facilitator(meeting)
    listed = [x.value for x in finished.text if x.value.startswith("– ")]
    assert listed == ["– Praktik først"]
    printed = _app()
    printed.query_params["m"] = meeting.id
    printed.query_params["s"] = _grant(meeting)
    printed.query_params["view"] = "print"
    printed.run()
    html_ = "\n".join(str(h.proto.body) for h in printed.get("html"))
    assert html_.count("Syrien") == 1 and ANONYMOUS_HEADING in html_

    store.save_note(team.id, meeting.id, "q0", "Teamets pointe.")  # the copy edited out again
    finished = _facilitator(meeting)
    listed = [x.value for x in finished.text if x.value.startswith("– ")]
    assert listed == ["– Spørg om hans erfaring fra Syrien\n– Praktik først"]
