"""Team spaces: a team is opened by its code, not found by its name.

Teams get a public lookup key and a salted hash of their code; the server-wide unique team name
goes (two municipalities may both have a »Team Syd«, and a unique name would tell one that the
other exists). ``team_members`` remembers which single-sign-on users have opened a team.
Existing teams keep all their data and get a code from ``python -m facilitator.admin``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("access_key", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("code_hash", sa.String(length=200), nullable=True))
        batch.drop_column("name_key")
        batch.create_index("ix_teams_access_key", ["access_key"], unique=True)
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id", "subject"),
    )
    op.create_index("ix_team_members_subject", "team_members", ["subject"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_team_members_subject", table_name="team_members")
    op.drop_table("team_members")
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("name_key", sa.String(length=80), nullable=True))
    # Names are no longer unique: keep them apart with the id.
    op.execute("UPDATE teams SET name_key = lower(name) || '#' || id")
    with op.batch_alter_table("teams") as batch:
        batch.drop_index("ix_teams_access_key")
        batch.drop_column("code_hash")
        batch.drop_column("access_key")
        batch.alter_column("name_key", existing_type=sa.String(length=80), nullable=False)
        batch.create_unique_constraint("uq_teams_name_key", ["name_key"])
