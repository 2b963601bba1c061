"""Ids that never come back, access that can be revoked, wrong codes counted on the server,
note revisions.

- ``teams`` and ``follow_ups`` get AUTOINCREMENT on SQLite (a copy of each table, every row
  kept with its id): SQLite no longer hands a deleted team's id to the next new team.
  PostgreSQL's sequences never reused ids; nothing changes there.
- ``team_grants``: one row per opening of a team in a browser session (a hashed random token),
  checked on every run; a new code removes them all.
- ``code_failures``: wrong team codes per hashed lookup key and client address.
- ``notes.revision``: counts the saves, so two screens never overwrite each other silently.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for table in ("teams", "follow_ups"):
            with op.batch_alter_table(
                table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
            ):
                pass
    with op.batch_alter_table("notes") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "team_grants",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_team_grants_team_id", "team_grants", ["team_id"], unique=False)
    op.create_index("ix_team_grants_expires_at", "team_grants", ["expires_at"], unique=False)
    op.create_table(
        "code_failures",
        sa.Column("bucket", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure", sa.Float(), nullable=False),
        sa.Column("blocked_until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("bucket"),
    )
    op.create_index(
        "ix_code_failures_last_failure", "code_failures", ["last_failure"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_code_failures_last_failure", table_name="code_failures")
    op.drop_table("code_failures")
    op.drop_index("ix_team_grants_expires_at", table_name="team_grants")
    op.drop_index("ix_team_grants_team_id", table_name="team_grants")
    op.drop_table("team_grants")
    with op.batch_alter_table("notes") as batch:
        batch.drop_column("revision")
    if op.get_bind().dialect.name == "sqlite":
        for table in ("teams", "follow_ups"):
            with op.batch_alter_table(
                table, recreate="always", table_kwargs={"sqlite_autoincrement": False}
            ):
                pass
