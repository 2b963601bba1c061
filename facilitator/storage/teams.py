"""Team spaces: codes, access grants, single-sign-on members, the wrong-code throttle."""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
from datetime import timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from facilitator import teamcode
from facilitator.records import (
    TEAM_GONE,
    CreateThrottled,
    Member,
    StorageError,
    Team,
    Throttled,
)
from facilitator.storage.engine import TEAM_TABLES, Database
from facilitator.storage.models import (
    CodeFailureRow,
    TeamGrantRow,
    TeamMemberRow,
    TeamRow,
    utcnow,
)
from facilitator.validation import MAX_NAME, stored

# Wrong codes: a few are free (typos), then each one doubles the wait. A client (address) that
# guessed wrong too often is refused for that wait, up to a minute. A team's lookup key that
# was guessed wrong too often (from anywhere) only slows every code typed for it, by at most
# KEY_MAX_WAIT: the right code always opens, so nobody can lock a team out (README, »Teamrum«).
FREE_FAILURES = 3
MAX_DELAY = 60.0
KEY_MAX_WAIT = 10.0
FORGET_AFTER = 15 * 60  # seconds without a wrong code before the count starts again
# New teams per client: a few are free, then each one doubles the wait, up to a minute.
FREE_CREATES = 10
_VALID_DUMMY = "0000-0000-0000-0001"  # hashed in place of a code that is no code at all


@functools.cache
def _dummy() -> tuple[str, float]:
    """A hash to verify against when a code's lookup key matches no team, so a miss costs the
    same time, and how long one verification takes here (to answer a refused guess just as
    slowly without spending the CPU). Made on first use: a cold start should not wait."""
    dummy = teamcode.hash_code("0000-0000-0000-0000", salt=b"borgercases-dummy")
    started = time.perf_counter()
    teamcode.verify_code(_VALID_DUMMY, dummy)
    return dummy, time.perf_counter() - started


def failure_delay(failures: int, free: int = FREE_FAILURES, cap: float = MAX_DELAY) -> float:
    """Seconds a bucket is blocked after its ``failures``-th counted event in a row."""
    if failures <= free:
        return 0.0
    return float(min(2.0 ** (failures - free - 1), cap))


def _bucket(kind: str, value: str) -> str:
    # Hashed: the table never holds a client's address or a part of a code.
    return hashlib.sha256(f"borgercases-throttle:{kind}:{value}".encode()).hexdigest()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TeamQueries(Database):
    def create_team(self, name: str, client: str | None = None) -> tuple[Team, str]:
        """A new team space and its code. The code is returned once and stored only hashed.

        With a ``client`` (address), new teams are counted per client: after ``FREE_CREATES``
        within ``FORGET_AFTER`` each further one waits longer (``CreateThrottled``), so a flood
        of »Opret team« costs neither CPU (no hash is made) nor rows."""
        stored(name, "Teamets navn", MAX_NAME)
        if client:
            bucket = _bucket("create", client)
            now = time.time()
            with self._session() as s:
                until = s.scalar(
                    select(CodeFailureRow.blocked_until).where(CodeFailureRow.bucket == bucket)
                )
            if until is not None and until > now:
                raise CreateThrottled(until - now)
        for _attempt in range(5):
            code, key = teamcode.new_code()
            try:
                with self._session() as s:
                    row = TeamRow(name=name, access_key=key, code_hash=teamcode.hash_code(code))
                    s.add(row)
                    s.flush()
                    team = Team(row.id, row.name)
                if client:
                    self._count([(bucket, FREE_CREATES, MAX_DELAY)], time.time())
                return team, code
            except IntegrityError:  # the lookup key is taken: draw another code
                continue
        raise StorageError("Teamet kunne ikke oprettes. Prøv igen.")

    def open_team(self, code: str, client: str | None = None) -> Team | None:
        """The team whose code this is, or None – the same answer for every kind of wrong code.

        Wrong codes are counted in the database per lookup key and per client address, so
        neither a new browser session nor a restart resets the count. Every attempt costs the
        same, whether or not its lookup key belongs to a team (one hash, or none):

        * a blocked client is refused (``Throttled``) without the hash, after as long as a
          check takes – a flood of guesses costs the server almost nothing;
        * any other attempt is checked with exactly one hash, against the team's or a dummy;
          if its lookup key had too many wrong codes lately, it first waits until the key's
          block ends, at most ``KEY_MAX_WAIT`` (a sleep in this request only: other sessions
          and teams go on). Wrong codes meanwhile do not make that wait longer, so the right
          code typed from a client that is not blocked always opens its team.
        """
        now = time.time()
        try:
            key: str | None = teamcode.lookup_key(code)
        except teamcode.InvalidCode:
            key = None
        key_bucket = _bucket("key", key) if key else ""
        client_bucket = _bucket("client", client) if client else ""
        # (bucket, free failures, longest wait): a key only slows, a client is refused.
        limits = [
            (key_bucket, FREE_FAILURES, KEY_MAX_WAIT),
            (client_bucket, FREE_FAILURES, MAX_DELAY),
        ]
        limits = [limit for limit in limits if limit[0]]
        buckets = [bucket for bucket, _free, _cap in limits]
        dummy, verify_seconds = _dummy()
        with self._session() as s:
            until = dict(
                s.execute(
                    select(CodeFailureRow.bucket, CodeFailureRow.blocked_until).where(
                        CodeFailureRow.bucket.in_(buckets)
                    )
                ).all()
            )
            row = s.scalar(select(TeamRow).where(TeamRow.access_key == key)) if key else None
        client_wait = until.get(client_bucket, 0.0) - now
        if client_wait > 0:
            time.sleep(verify_seconds)  # as slow as a check, without the CPU
            raise Throttled(client_wait)
        key_wait = min(until.get(key_bucket, 0.0) - now, KEY_MAX_WAIT)
        if key_wait > 0:
            time.sleep(key_wait)  # slowed, not refused: the right code still opens
        stored = row.code_hash if row is not None and row.code_hash else dummy
        # Exactly one hash whether or not the key exists, so timing tells nothing.
        right = teamcode.verify_code(code if key else _VALID_DUMMY, stored)
        if right and row is not None and row.code_hash:
            with self._session() as s:
                s.execute(delete(CodeFailureRow).where(CodeFailureRow.bucket == key_bucket))
            return Team(row.id, row.name)
        self._count(limits, time.time())
        return None

    def _count(self, buckets: list[tuple[str, int, float]], now: float) -> None:
        """Count one event in each (bucket, free events, longest wait) and set its block."""
        table = CodeFailureRow.__table__
        with self._session() as s:
            insert = sqlite_insert if self.sqlite else pg_insert
            for bucket, free, cap in buckets:
                values = insert(CodeFailureRow).values(
                    bucket=bucket, failures=1, last_failure=now, blocked_until=0.0
                )
                stmt = values.on_conflict_do_update(
                    index_elements=[table.c.bucket],
                    set_={
                        "failures": case(
                            (table.c.last_failure < now - FORGET_AFTER, 1),
                            else_=table.c.failures + 1,
                        ),
                        "last_failure": now,
                    },
                ).returning(table.c.failures)
                failures = int(s.execute(stmt).scalar_one())
                s.execute(
                    update(CodeFailureRow)
                    .where(CodeFailureRow.bucket == bucket)
                    .values(blocked_until=now + failure_delay(failures, free, cap))
                )
            s.execute(delete(CodeFailureRow).where(CodeFailureRow.last_failure < now - 86_400))

    def new_team_code(self, team_id: int) -> str:
        """Replace the team's code. The old code stops working at once, and so does every
        access given with it: all browser sessions and single-sign-on memberships end."""
        for _attempt in range(5):
            code, key = teamcode.new_code()
            try:
                with self._session() as s:
                    row = s.get(TeamRow, team_id)
                    if row is None:
                        raise StorageError(TEAM_GONE)
                    row.access_key = key
                    row.code_hash = teamcode.hash_code(code)
                    s.execute(delete(TeamGrantRow).where(TeamGrantRow.team_id == team_id))
                    s.execute(delete(TeamMemberRow).where(TeamMemberRow.team_id == team_id))
                return code
            except IntegrityError:
                continue
        raise StorageError("Der kunne ikke laves en ny kode. Prøv igen.")

    def teams_without_code(self) -> list[Team]:
        """Teams from before team spaces; an administrator gives them codes."""
        with self._session() as s:
            rows = s.scalars(
                select(TeamRow).where(TeamRow.code_hash.is_(None)).order_by(TeamRow.id)
            )
            return [Team(r.id, r.name) for r in rows]

    # --- access grants: one per opening of a team in a browser session ---

    def grant_access(
        self,
        team_id: int,
        subject: str | None = None,
        *,
        device: bool = False,
        parent: str | None = None,
    ) -> str:
        """A new random token that gives this browser session the team; only its hash is kept.

        A ``device`` grant is the one the browser itself keeps (local storage) so the team stays
        open on that computer through a reload, a closed lid or a browser restart; it lasts
        ``DEVICE_DAYS``. A session grant (in the team page's address) lasts ``GRANT_HOURS``;
        ``parent`` is the device token it was opened from, so revoking that ends it too."""
        lifetime = (
            timedelta(days=teamcode.DEVICE_DAYS)
            if device
            else timedelta(hours=teamcode.GRANT_HOURS)
        )
        token = secrets.token_urlsafe(24)
        now = utcnow()
        try:
            with self._session() as s:
                s.execute(delete(TeamGrantRow).where(TeamGrantRow.expires_at < now))
                s.add(
                    TeamGrantRow(
                        token_hash=_token_hash(token),
                        team_id=team_id,
                        subject=subject,
                        parent=_token_hash(parent) if parent else None,
                        created_at=now,
                        expires_at=now + lifetime,
                    )
                )
        except IntegrityError as exc:  # the team was deleted a moment ago
            raise StorageError(TEAM_GONE) from exc
        return token

    def team_for_grant(self, token: str) -> Team | None:
        """The team this token still gives access to, or None (new code, deleted, expired)."""
        if not token or len(token) > 100:
            return None
        with self._session() as s:
            found = s.execute(
                select(TeamRow.id, TeamRow.name)
                .join(TeamGrantRow, TeamGrantRow.team_id == TeamRow.id)
                .where(
                    TeamGrantRow.token_hash == _token_hash(token),
                    TeamGrantRow.expires_at > utcnow(),
                )
            ).first()
            return Team(found.id, found.name) if found else None

    def revoke_grant(self, token: str) -> None:
        """End this grant and the session grants opened from it (a device grant's tabs)."""
        hashed = _token_hash(token)
        with self._session() as s:
            s.execute(
                delete(TeamGrantRow).where(
                    (TeamGrantRow.token_hash == hashed) | (TeamGrantRow.parent == hashed)
                )
            )

    # --- single sign-on members ---

    def add_member(self, team_id: int, subject: str) -> None:
        try:
            with self._session() as s:
                if s.get(TeamMemberRow, (team_id, subject)) is None:
                    s.add(TeamMemberRow(team_id=team_id, subject=subject))
        except IntegrityError as exc:
            raise StorageError(TEAM_GONE) from exc

    def member_teams(self, subject: str) -> list[Team]:
        with self._session() as s:
            rows = s.execute(
                select(TeamRow.id, TeamRow.name)
                .join(TeamMemberRow, TeamMemberRow.team_id == TeamRow.id)
                .where(TeamMemberRow.subject == subject)
                .order_by(TeamRow.name)
            )
            return [Team(r.id, r.name) for r in rows]

    def members(self, team_id: int) -> list[Member]:
        with self._session() as s:
            rows = s.scalars(
                select(TeamMemberRow)
                .where(TeamMemberRow.team_id == team_id)
                .order_by(TeamMemberRow.subject)
            )
            return [Member(r.subject, r.created_at) for r in rows]

    def remove_member(self, team_id: int, subject: str) -> None:
        """The user no longer sees the team, and their open sessions with it end."""
        with self._session() as s:
            s.execute(
                delete(TeamMemberRow).where(
                    TeamMemberRow.team_id == team_id, TeamMemberRow.subject == subject
                )
            )
            s.execute(
                delete(TeamGrantRow).where(
                    TeamGrantRow.team_id == team_id, TeamGrantRow.subject == subject
                )
            )

    # --- the team itself ---

    def get_team(self, team_id: int) -> Team | None:
        with self._session() as s:
            name = s.scalar(select(TeamRow.name).where(TeamRow.id == team_id))
            return Team(team_id, name) if name is not None else None

    def delete_team(self, team_id: int) -> None:
        """Delete a team and everything it stored (meetings, notes, follow-ups, members and
        grants go by ``ON DELETE CASCADE``), then scrub the bytes from the database files."""
        with self._session() as s:
            s.execute(delete(TeamRow).where(TeamRow.id == team_id))
        self._scrub(TEAM_TABLES)
