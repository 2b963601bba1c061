"""Meetings, their notes and follow-ups. Every change names the team it belongs to: a stale or
foreign id changes nothing and is answered with a Danish message."""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from facilitator import validation
from facilitator.records import (
    FOLLOW_UP_GONE,
    MEETING_GONE,
    TEAM_GONE,
    FollowUp,
    Meeting,
    MeetingSummaryRow,
    Note,
    NoteConflict,
    StorageError,
    Team,
)
from facilitator.storage.engine import (
    FOLLOW_UP_TABLES,
    MEETING_TABLES,
    TEAM_TABLES,
    Database,
)
from facilitator.storage.models import FollowUpRowDB, MeetingRow, NoteRow, TeamRow, utcnow
from facilitator.timer import FINISHED, TimerState, never_run
from facilitator.validation import no_cpr


class _SavedInBetween(Exception):
    """Another screen saved the note between reading and writing it."""


def new_meeting_id() -> str:
    """Unguessable: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def _rows_changed(result: object) -> int:
    return int(getattr(result, "rowcount", 0))


def existing_follow_up(s: Session, meeting_id: str, client_key: str) -> int | None:
    """The follow-up already stored under this ``client_key`` (a double click, a second
    screen), if any."""
    found = s.scalar(
        select(FollowUpRowDB.id).where(
            FollowUpRowDB.meeting_id == meeting_id, FollowUpRowDB.client_key == client_key
        )
    )
    return None if found is None else int(found)


def insert_follow_up(
    s: Session,
    meeting: Meeting,
    client_key: str,
    who: str,
    what: str,
    due: date | None,
    case_number: int | None,
) -> int:
    row = FollowUpRowDB(
        team_id=meeting.team.id,
        meeting_id=meeting.id,
        client_key=client_key,
        who=who,
        what=what,
        due=due,
        case_number=case_number,
    )
    s.add(row)
    s.flush()
    return int(row.id)


def _owned_meeting(s: Session, team_id: int, meeting_id: str) -> None:
    found = s.scalar(
        select(MeetingRow.id).where(MeetingRow.id == meeting_id, MeetingRow.team_id == team_id)
    )
    if found is None:
        raise StorageError(MEETING_GONE)


class MeetingQueries(Database):
    def create_meeting(
        self,
        team: Team,
        meeting_date: date,
        case_number: int,
        participants: list[str],
        plan_seconds: list[int],
        next_meeting_date: date | None = None,
    ) -> str:
        if len(participants) > validation.MAX_PARTICIPANTS:
            raise validation.TooLong(f"Højst {validation.MAX_PARTICIPANTS} deltagere.")
        for name in participants:
            validation.max_length(name, "Deltager", validation.MAX_NAME)
        no_cpr("\n".join(participants), "Deltagere")  # also a number split over two names
        timer = TimerState(plan=tuple(plan_seconds))
        meeting_id = new_meeting_id()
        try:
            with self._session() as s:
                # Only these columns: later ones keep their database defaults.
                s.execute(
                    insert(MeetingRow).values(
                        id=meeting_id,
                        team_id=team.id,
                        meeting_date=meeting_date,
                        next_meeting_date=next_meeting_date,
                        case_number=case_number,
                        participants=list(participants),
                        moderator=None,
                        plan=list(timer.plan),
                        status=timer.status,
                        current_step=timer.current,
                        used=list(timer.used),
                        allocated=list(timer.allocated),
                        running_since=None,
                    )
                )
        except IntegrityError as exc:  # the team is gone
            raise StorageError(TEAM_GONE) from exc
        return meeting_id

    def get_meeting(self, meeting_id: str) -> Meeting | None:
        if not meeting_id or len(meeting_id) > 40:
            return None
        with self._session() as s:
            found = s.execute(
                select(MeetingRow, TeamRow.name)
                .join(TeamRow, TeamRow.id == MeetingRow.team_id)
                .where(MeetingRow.id == meeting_id)
            ).first()
            if found is None:
                return None
            row, name = found
            # Only id and name: the code hash never leaves the storage package.
            return _meeting(row, Team(row.team_id, name))

    def update_timer(
        self,
        team_id: int,
        meeting_id: str,
        change: Callable[[TimerState], TimerState],
        retries: int = 5,
    ) -> Meeting:
        """Apply ``change`` to the stored timer; concurrent changes are retried, never lost.

        The row is locked while ``change`` runs – ``FOR NO KEY UPDATE`` on PostgreSQL, the
        database's write lock (``BEGIN IMMEDIATE``) on SQLite – so a second screen waits its
        turn. The version check is a second guard: a change made in between is tried again.
        """
        for attempt in range(retries):
            with self._session() as s:
                conn = s.connection()
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                row = s.scalar(
                    select(MeetingRow)
                    .where(MeetingRow.id == meeting_id, MeetingRow.team_id == team_id)
                    .with_for_update(key_share=True)
                )
                if row is None:
                    raise StorageError(MEETING_GONE)
                version = row.version
                old = _timer(row)
                new = change(old)
                # When it finished: a participant's join link closes a while after.
                finished: dict[str, float | None] = {}
                if new.status == FINISHED and old.status != FINISHED:
                    finished["finished_at"] = time.time()
                elif old.status == FINISHED and new.status != FINISHED:
                    finished["finished_at"] = None
                result = s.execute(
                    update(MeetingRow)
                    .where(MeetingRow.id == meeting_id, MeetingRow.version == version)
                    .values(
                        status=new.status,
                        current_step=new.current,
                        used=list(new.used),
                        allocated=list(new.allocated),
                        plan=list(new.plan),
                        running_since=new.running_since,
                        **finished,
                        version=version + 1,
                        updated_at=utcnow(),
                    )
                    .execution_options(synchronize_session=False)
                )
                if _rows_changed(result) == 1:
                    break
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))  # let the other writer finish
        else:
            raise StorageError("Mødet blev ændret fra en anden skærm samtidig. Prøv igen.")
        updated = self.get_meeting(meeting_id)
        if updated is None:
            raise StorageError(MEETING_GONE)
        return updated

    def set_moderator(self, team_id: int, meeting_id: str, name: str | None) -> None:
        validation.stored(name, "Ordstyreren", validation.MAX_NAME)
        with self._session() as s:
            result = s.execute(
                update(MeetingRow)
                .where(MeetingRow.id == meeting_id, MeetingRow.team_id == team_id)
                .values(moderator=name, updated_at=utcnow())
            )
            if _rows_changed(result) != 1:
                raise StorageError(MEETING_GONE)

    def delete_meeting(self, team_id: int, meeting_id: str) -> None:
        """The meeting with its notes and follow-ups (``ON DELETE CASCADE``), bytes scrubbed."""
        with self._session() as s:
            result = s.execute(
                delete(MeetingRow).where(MeetingRow.id == meeting_id, MeetingRow.team_id == team_id)
            )
            if _rows_changed(result) != 1:
                raise StorageError(MEETING_GONE)
        self._scrub(MEETING_TABLES)

    def team_meetings(self, team_id: int) -> list[MeetingSummaryRow]:
        with self._session() as s:
            rows = s.scalars(
                select(MeetingRow)
                .where(MeetingRow.team_id == team_id)
                .order_by(MeetingRow.meeting_date.desc(), MeetingRow.created_at.desc())
            ).all()
            counts = {
                mid: (total, open_)
                for mid, total, open_ in s.execute(
                    select(
                        FollowUpRowDB.meeting_id,
                        func.count(FollowUpRowDB.id),
                        func.sum(func.cast(~FollowUpRowDB.done, Integer)),
                    )
                    .where(FollowUpRowDB.team_id == team_id)
                    .group_by(FollowUpRowDB.meeting_id)
                )
            }
            return [
                MeetingSummaryRow(
                    id=r.id,
                    meeting_date=r.meeting_date,
                    case_number=r.case_number,
                    participants=len(r.participants or []),
                    moderator=r.moderator,
                    status=r.status,
                    follow_ups=counts.get(r.id, (0, 0))[0],
                    open_follow_ups=int(counts.get(r.id, (0, 0))[1] or 0),
                    current_step=r.current_step,
                    clock_started=not never_run(_timer(r)),
                )
                for r in rows
            ]

    def last_participants(self, team_id: int) -> list[str]:
        """Who took part in the team's most recently created meeting (to prefill the next)."""
        with self._session() as s:
            found = s.scalars(
                select(MeetingRow.participants)
                .where(MeetingRow.team_id == team_id)
                .order_by(MeetingRow.created_at.desc(), MeetingRow.meeting_date.desc())
                .limit(1)
            ).first()
            return [str(p) for p in found or []]

    def last_moderated(self, team_id: int) -> dict[str, datetime]:
        """When each person (by case-folded name) last moderated a meeting of the team."""
        with self._session() as s:
            out: dict[str, datetime] = {}
            for name, when in s.execute(
                select(MeetingRow.moderator, func.max(MeetingRow.created_at))
                .where(MeetingRow.team_id == team_id, MeetingRow.moderator.is_not(None))
                .group_by(MeetingRow.moderator)
            ):
                key = str(name).casefold()
                when = _aware(when)
                if key not in out or when > out[key]:
                    out[key] = when
            return out

    def purge_older_than(self, days: int, today: date) -> int:
        """Retention: delete meetings (with notes and follow-ups) created more than ``days`` ago
        – by when they were made, not by the meeting date the user picked (a date years ahead
        must not keep a meeting forever) – then teams created before that with no meetings left
        (their members and grants with them). Returns the number of meetings deleted."""
        cutoff = today - timedelta(days=days)
        cutoff_time = datetime(cutoff.year, cutoff.month, cutoff.day, tzinfo=UTC)
        with self._session() as s:
            meetings = _rows_changed(
                s.execute(delete(MeetingRow).where(MeetingRow.created_at < cutoff_time))
            )
            teams = _rows_changed(
                s.execute(
                    delete(TeamRow).where(
                        TeamRow.created_at < cutoff_time,
                        ~select(MeetingRow.id).where(MeetingRow.team_id == TeamRow.id).exists(),
                    )
                )
            )
        if meetings or teams:
            self._scrub(TEAM_TABLES if teams else MEETING_TABLES)
        return meetings

    # --- notes ---

    def save_note(
        self,
        team_id: int,
        meeting_id: str,
        key: str,
        text: str,
        base_revision: int | None = None,
    ) -> int:
        """Save a note; returns its new revision.

        ``base_revision`` is the revision the screen loaded (0: none yet). If the note was saved
        from another screen since, nothing is written and ``NoteConflict`` carries the other
        screen's text – unless it is the same text. ``None`` overwrites whatever is stored.
        A text with a CPR number in it is refused (``CprRefused``), whatever put it together;
        over-long text is refused here too (validation.note_length), whoever calls.
        """
        validation.note_length(text)
        no_cpr(text, "Noten")
        try:
            with self._session() as s:
                _owned_meeting(s, team_id, meeting_id)
                row = s.get(NoteRow, (meeting_id, key))
                current = 0 if row is None else row.revision
                if row is not None and row.text == text:
                    return current
                if base_revision is not None and base_revision != current:
                    raise NoteConflict(Note(row.text if row else "", current))
                if row is None:
                    s.add(
                        NoteRow(
                            meeting_id=meeting_id,
                            key=key,
                            text=text,
                            revision=1,
                            updated_at=utcnow(),
                        )
                    )
                    s.flush()
                    return 1
                result = s.execute(
                    update(NoteRow)
                    .where(
                        NoteRow.meeting_id == meeting_id,
                        NoteRow.key == key,
                        NoteRow.revision == current,
                    )
                    .values(text=text, revision=current + 1, updated_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
                if _rows_changed(result) != 1:
                    raise _SavedInBetween
                return current + 1
        except (IntegrityError, _SavedInBetween):  # another screen saved first
            latest = self.note_entries(meeting_id).get(key, Note("", 0))
            if latest.text == text:
                return latest.revision
            if base_revision is None:
                return self.save_note(team_id, meeting_id, key, text, latest.revision)
            raise NoteConflict(latest) from None

    def note_entries(self, meeting_id: str) -> dict[str, Note]:
        with self._session() as s:
            return {
                r.key: Note(r.text, r.revision)
                for r in s.scalars(select(NoteRow).where(NoteRow.meeting_id == meeting_id))
            }

    def notes(self, meeting_id: str) -> dict[str, str]:
        return {k: n.text for k, n in self.note_entries(meeting_id).items()}

    def note_revisions(self, meeting_id: str) -> dict[str, int]:
        """Cheap: only the revisions, to notice a note saved on another screen."""
        with self._session() as s:
            rows = s.execute(
                select(NoteRow.key, NoteRow.revision).where(NoteRow.meeting_id == meeting_id)
            )
            return {key: int(revision) for key, revision in rows}

    # --- follow-ups ---

    def add_follow_up(
        self,
        meeting: Meeting,
        who: str,
        what: str,
        due: date | None,
        case_number: int | None,
        client_key: str | None = None,
    ) -> int:
        """Store a follow-up once: the same ``client_key`` twice (a double click) stores one."""
        validation.stored(who, "Hvem", validation.MAX_NAME)
        validation.stored(what, "Hvad", validation.MAX_FOLLOW_UP)
        client_key = client_key or secrets.token_hex(8)
        with self._session() as s:
            _owned_meeting(s, meeting.team.id, meeting.id)
            existing = existing_follow_up(s, meeting.id, client_key)
            if existing is not None:
                return existing
            return insert_follow_up(s, meeting, client_key, who, what, due, case_number)

    def set_follow_up_done(self, team_id: int, follow_up_id: int, done: bool) -> None:
        with self._session() as s:
            result = s.execute(
                update(FollowUpRowDB)
                .where(FollowUpRowDB.id == follow_up_id, FollowUpRowDB.team_id == team_id)
                .values(done=done, done_at=utcnow() if done else None)
            )
            if _rows_changed(result) != 1:
                raise StorageError(FOLLOW_UP_GONE)

    def delete_follow_up(self, team_id: int, follow_up_id: int) -> None:
        with self._session() as s:
            result = s.execute(
                delete(FollowUpRowDB).where(
                    FollowUpRowDB.id == follow_up_id, FollowUpRowDB.team_id == team_id
                )
            )
            if _rows_changed(result) != 1:
                raise StorageError(FOLLOW_UP_GONE)
        self._scrub(FOLLOW_UP_TABLES)

    def follow_ups(
        self, team_id: int, *, meeting_id: str | None = None, open_only: bool = False
    ) -> list[FollowUp]:
        with self._session() as s:
            q = (
                select(FollowUpRowDB, MeetingRow.meeting_date)
                .join(MeetingRow, MeetingRow.id == FollowUpRowDB.meeting_id)
                .where(FollowUpRowDB.team_id == team_id)
            )
            if meeting_id is not None:
                q = q.where(FollowUpRowDB.meeting_id == meeting_id)
            if open_only:
                q = q.where(FollowUpRowDB.done.is_(False))
            q = q.order_by(FollowUpRowDB.due.is_(None), FollowUpRowDB.due, FollowUpRowDB.id)
            return [
                FollowUp(
                    id=r.id,
                    meeting_id=r.meeting_id,
                    who=r.who,
                    what=r.what,
                    due=r.due,
                    case_number=r.case_number,
                    done=r.done,
                    meeting_date=md,
                    created_at=_aware(r.created_at),
                )
                for r, md in s.execute(q)
            ]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _timer(row: MeetingRow | Row[*tuple[Any, ...]]) -> TimerState:
    """The timer of a mapped meeting or of a Core row with the same column names."""
    return TimerState(
        plan=tuple(int(x) for x in row.plan),
        status=row.status,
        current=row.current_step,
        used=tuple(float(x) for x in row.used),
        allocated=tuple(None if x is None else float(x) for x in row.allocated),
        running_since=row.running_since,
    )


def _meeting(row: MeetingRow, team: Team) -> Meeting:
    return Meeting(
        id=row.id,
        team=team,
        meeting_date=row.meeting_date,
        next_meeting_date=row.next_meeting_date,
        case_number=row.case_number,
        participants=tuple(row.participants or ()),
        moderator=row.moderator,
        timer=_timer(row),
        version=row.version,
        created_at=_aware(row.created_at),
    )
