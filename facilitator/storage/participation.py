"""Participants' phones: the join code, anonymous thoughts and proposed follow-ups.

A phone knows only the join code. Every phone-side method takes the code, never a meeting id,
and refuses (``JoinRefused``, nothing stored) when the code no longer opens its meeting, the
meeting is not at a step that takes this kind of contribution, or the meeting's phones have
sent too much. The facilitator-side methods name the team and the meeting, as everywhere else.
"""

from __future__ import annotations

import time
from datetime import date

from sqlalchemy import bindparam, case, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer

from facilitator import participation as pa
from facilitator import validation
from facilitator.records import (
    MEETING_GONE,
    PROPOSAL_GONE,
    THOUGHT_GONE,
    JoinRefused,
    Meeting,
    NoteConflict,
    PhoneMeeting,
    Proposal,
    StorageError,
    Thought,
)
from facilitator.storage.engine import PARTICIPATION_TABLES
from facilitator.storage.meetings import (
    MeetingQueries,
    _owned_meeting,
    _rows_changed,
    _timer,
    existing_follow_up,
    insert_follow_up,
)
from facilitator.storage.models import MeetingRow, ProposalRow, ThoughtRow
from facilitator.validation import MAX_NOTE, no_cpr

_PHONE_QUERY = select(
    MeetingRow.case_number,
    MeetingRow.meeting_date,
    MeetingRow.plan,
    MeetingRow.status,
    MeetingRow.current_step,
    MeetingRow.used,
    MeetingRow.allocated,
    MeetingRow.running_since,
    MeetingRow.finished_at,
    MeetingRow.join_created,
).where(MeetingRow.join_code == bindparam("code"))


class ParticipationQueries(MeetingQueries):
    # --- the join code (facilitator side) ---

    def join_code(self, team_id: int, meeting_id: str) -> str:
        """The meeting's join code, drawn the first time it is asked for – and again when the
        old one has outlived ``LINK_LIFETIME_SECONDS`` (it would open nothing)."""
        with self._session() as s:
            found = s.execute(
                select(MeetingRow.join_code, MeetingRow.join_created).where(
                    MeetingRow.id == meeting_id, MeetingRow.team_id == team_id
                )
            ).first()
            if found is None:
                raise StorageError(MEETING_GONE)
            code, created = found
            if code and time.time() - (created or 0) <= pa.LINK_LIFETIME_SECONDS:
                return str(code)
        return self.renew_join_code(team_id, meeting_id, replacing=code)

    def renew_join_code(
        self, team_id: int, meeting_id: str, replacing: str | bool | None = False
    ) -> str:
        """A new join code: the old one stops working at once. With ``replacing`` (the code
        this screen saw, or None for none) only that one is replaced: two screens drawing at
        the same moment end up with one code."""
        for _attempt in range(5):
            code = pa.new_join_code()
            try:
                with self._session() as s:
                    q = update(MeetingRow).where(
                        MeetingRow.id == meeting_id, MeetingRow.team_id == team_id
                    )
                    if replacing is None:
                        q = q.where(MeetingRow.join_code.is_(None))
                    elif isinstance(replacing, str):
                        q = q.where(MeetingRow.join_code == replacing)
                    result = s.execute(q.values(join_code=code, join_created=time.time()))
                    if _rows_changed(result) == 1:
                        return code
                    current = s.scalar(
                        select(MeetingRow.join_code).where(
                            MeetingRow.id == meeting_id, MeetingRow.team_id == team_id
                        )
                    )
                    if current:  # another screen drew it first
                        return current
                    raise StorageError(MEETING_GONE)
            except IntegrityError:  # the same code twice: draw again
                continue
        raise StorageError("Linket til deltagerne kunne ikke laves. Prøv igen.")

    # --- the phone's side: only the code ---

    def _open_row(self, s: Session, code: str | None, now: float) -> MeetingRow | None:
        code = pa.normalize_join_code(code)
        if code is None:
            return None
        # One query: the columns the check needs are deferred on ordinary reads.
        row = s.scalar(
            select(MeetingRow)
            .options(undefer(MeetingRow.finished_at), undefer(MeetingRow.join_created))
            .where(MeetingRow.join_code == code)
        )
        if row is None or not pa.link_open(row.status, row.finished_at, row.join_created, now):
            return None
        return row

    def phone_meeting(self, code: str | None, now: float | None = None) -> PhoneMeeting | None:
        """What a participant's page shows, or None when the code opens nothing (never was,
        drawn anew, meeting deleted, finished longer ago than the grace period)."""
        now = time.time() if now is None else now
        code = pa.normalize_join_code(code)
        if code is None:
            return None
        # Every phone asks every few seconds: one prepared Core query of the columns it needs,
        # no ORM session and no mapped object (a third of the cost of ``_open_row``).
        with self._guard(), self.engine.connect() as conn:
            row = conn.execute(_PHONE_QUERY, {"code": code}).first()
        if row is None or not pa.link_open(row.status, row.finished_at, row.join_created, now):
            return None
        return PhoneMeeting(row.case_number, row.meeting_date, _timer(row))

    def _check_send(self, s: Session, row: MeetingRow, kind: str, now: float) -> None:
        view = pa.phone_view(_timer(row))
        if kind == "thought" and not view.thoughts:
            raise JoinRefused(pa.NOT_NOW_THOUGHTS)
        if kind == "proposal" and not view.proposals:
            raise JoinRefused(pa.NOT_NOW_PROPOSALS)
        recent = 0
        for table in (ThoughtRow, ProposalRow):
            recent += int(
                s.scalar(
                    select(func.count(table.id)).where(
                        table.meeting_id == row.id, table.created > now - 60
                    )
                )
                or 0
            )
        table_for_kind = ThoughtRow if kind == "thought" else ProposalRow
        total = int(
            s.scalar(
                select(func.count(table_for_kind.id)).where(table_for_kind.meeting_id == row.id)
            )
            or 0
        )
        message = pa.flood_message(kind, recent, total)
        if message:
            raise JoinRefused(message)

    def add_thought(self, code: str, question: int, text: str, now: float | None = None) -> int:
        """Store an anonymous thought (already checked by ``validation.thought``; the CPR guard
        runs here again, on what is stored)."""
        validation.stored(text, "Tanken", pa.MAX_THOUGHT)
        now = time.time() if now is None else now
        if not 0 <= question < 50:
            raise JoinRefused("Spørgsmålet findes ikke. Intet er sendt.")
        with self._session() as s:
            row = self._open_row(s, code, now)
            if row is None:
                raise JoinRefused(pa.JOIN_CLOSED)
            self._check_send(s, row, "thought", now)
            thought = ThoughtRow(meeting_id=row.id, question=question, text=text, created=now)
            s.add(thought)
            s.flush()
            return int(thought.id)

    def add_proposal(
        self, code: str, who: str | None, what: str, due: date | None, now: float | None = None
    ) -> int:
        """Store a proposed follow-up (already checked by ``validation.proposal``; the CPR
        guard runs here again, on what is stored)."""
        validation.stored(who, "Navn", validation.MAX_NAME)
        validation.stored(what, "Hvad", pa.MAX_PROPOSAL)
        now = time.time() if now is None else now
        with self._session() as s:
            row = self._open_row(s, code, now)
            if row is None:
                raise JoinRefused(pa.JOIN_CLOSED)
            self._check_send(s, row, "proposal", now)
            proposal = ProposalRow(meeting_id=row.id, who=who, what=what, due=due, created=now)
            s.add(proposal)
            s.flush()
            return int(proposal.id)

    # --- the facilitator's side: team and meeting ---

    def participation_signature(self, meeting_id: str) -> tuple[int, ...]:
        """Cheap: changes whenever a thought or proposal arrives, is hidden, copied or goes."""
        with self._session() as s:
            t = s.execute(
                select(
                    func.count(ThoughtRow.id),
                    func.coalesce(func.max(ThoughtRow.id), 0),
                    # Sums of ids, not counts: hiding one and showing another changes them too.
                    func.coalesce(func.sum(case((ThoughtRow.hidden, ThoughtRow.id), else_=0)), 0),
                    func.coalesce(func.sum(case((ThoughtRow.copied, ThoughtRow.id), else_=0)), 0),
                ).where(ThoughtRow.meeting_id == meeting_id)
            ).one()
            p = s.execute(
                select(
                    func.count(ProposalRow.id), func.coalesce(func.max(ProposalRow.id), 0)
                ).where(ProposalRow.meeting_id == meeting_id)
            ).one()
            return (*(int(x) for x in t), *(int(x) for x in p))

    def thoughts(self, team_id: int, meeting_id: str) -> list[Thought]:
        with self._session() as s:
            _owned_meeting(s, team_id, meeting_id)
            return [
                Thought(r.id, r.question, r.text, r.hidden, r.copied)
                for r in s.scalars(
                    select(ThoughtRow)
                    .where(ThoughtRow.meeting_id == meeting_id)
                    .order_by(ThoughtRow.question, ThoughtRow.id)
                )
            ]

    def _owned_thought(self, s: Session, team_id: int, meeting_id: str, thought_id: int) -> None:
        _owned_meeting(s, team_id, meeting_id)
        found = s.scalar(
            select(ThoughtRow.id).where(
                ThoughtRow.id == thought_id, ThoughtRow.meeting_id == meeting_id
            )
        )
        if found is None:
            raise StorageError(THOUGHT_GONE)

    def set_thought_hidden(
        self, team_id: int, meeting_id: str, thought_id: int, hidden: bool
    ) -> None:
        with self._session() as s:
            self._owned_thought(s, team_id, meeting_id, thought_id)
            s.execute(update(ThoughtRow).where(ThoughtRow.id == thought_id).values(hidden=hidden))

    def delete_thought(self, team_id: int, meeting_id: str, thought_id: int) -> None:
        with self._session() as s:
            self._owned_thought(s, team_id, meeting_id, thought_id)
            s.execute(delete(ThoughtRow).where(ThoughtRow.id == thought_id))
        self._scrub(PARTICIPATION_TABLES)

    def copy_thought_to_note(
        self, team_id: int, meeting_id: str, thought_id: int, note_key: str
    ) -> int:
        """Append the thought to the team's note (a line of its own); returns the note's new
        revision. Another screen saving the note at the same moment is retried, never lost.
        The note with the thought in it is checked for CPR numbers as a whole: two thoughts
        that pass alone may make one together (»… født 010203-« and »1234 …«)."""
        with self._session() as s:
            self._owned_thought(s, team_id, meeting_id, thought_id)
            text = s.scalar(select(ThoughtRow.text).where(ThoughtRow.id == thought_id)) or ""
        for _attempt in range(5):
            current = self.note_entries(meeting_id).get(note_key)
            base = current.text if current else ""
            lines, own = base.splitlines(), text.splitlines()
            # Copied before (as whole lines, however many the thought has): once is enough.
            if any(lines[i : i + len(own)] == own for i in range(len(lines) - len(own) + 1)):
                revision = current.revision if current else 0
                break
            joined = f"{base.rstrip()}\n{text}" if base.strip() else text
            no_cpr(joined, "Noten med tanken")
            if len(joined) > MAX_NOTE:
                raise StorageError(
                    "Noten er for lang til også at rumme tanken. Ret noten til, og prøv igen."
                )
            try:
                revision = self.save_note(
                    team_id, meeting_id, note_key, joined, current.revision if current else 0
                )
                break
            except NoteConflict:
                continue
        else:
            raise StorageError("Noten blev ændret samtidig fra en anden skærm. Prøv igen.")
        with self._session() as s:
            s.execute(update(ThoughtRow).where(ThoughtRow.id == thought_id).values(copied=True))
        return revision

    def proposals(self, team_id: int, meeting_id: str) -> list[Proposal]:
        with self._session() as s:
            _owned_meeting(s, team_id, meeting_id)
            return [
                Proposal(r.id, r.who, r.what, r.due)
                for r in s.scalars(
                    select(ProposalRow)
                    .where(ProposalRow.meeting_id == meeting_id)
                    .order_by(ProposalRow.id)
                )
            ]

    def accept_proposal(
        self,
        meeting: Meeting,
        proposal_id: int,
        who: str,
        what: str,
        due: date | None,
    ) -> int:
        """The proposal becomes one of the meeting's follow-ups (once, also on a double click
        or from two screens); returns the follow-up's id."""
        validation.stored(who, "Hvem", validation.MAX_NAME)
        validation.stored(what, "Hvad", validation.MAX_FOLLOW_UP)
        client_key = f"proposal-{proposal_id}"
        with self._session() as s:
            _owned_meeting(s, meeting.team.id, meeting.id)
            existing = existing_follow_up(s, meeting.id, client_key)
            if existing is not None:
                return existing
            gone = s.execute(
                delete(ProposalRow).where(
                    ProposalRow.id == proposal_id, ProposalRow.meeting_id == meeting.id
                )
            )
            if _rows_changed(gone) != 1:
                raise StorageError(PROPOSAL_GONE)
            return insert_follow_up(s, meeting, client_key, who, what, due, meeting.case_number)

    def dismiss_proposal(self, team_id: int, meeting_id: str, proposal_id: int) -> None:
        with self._session() as s:
            _owned_meeting(s, team_id, meeting_id)
            gone = s.execute(
                delete(ProposalRow).where(
                    ProposalRow.id == proposal_id, ProposalRow.meeting_id == meeting_id
                )
            )
            if _rows_changed(gone) != 1:
                raise StorageError(PROPOSAL_GONE)
        self._scrub(PARTICIPATION_TABLES)
