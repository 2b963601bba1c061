"""Participants on their phones: the meeting's join code, when it finished, and the
participants' anonymous thoughts and proposed follow-ups.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("join_code", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("join_created", sa.Float(), nullable=True))
        batch.add_column(sa.Column("finished_at", sa.Float(), nullable=True))
        batch.create_unique_constraint("uq_meetings_join_code", ["join_code"])
    op.create_table(
        "thoughts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=40), nullable=False),
        sa.Column("question", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("copied", sa.Boolean(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_thoughts_meeting_id", "thoughts", ["meeting_id"], unique=False)
    op.create_index("ix_thoughts_created", "thoughts", ["created"], unique=False)
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=40), nullable=False),
        sa.Column("who", sa.String(length=80), nullable=True),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("created", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_proposals_meeting_id", "proposals", ["meeting_id"], unique=False)
    op.create_index("ix_proposals_created", "proposals", ["created"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_proposals_created", table_name="proposals")
    op.drop_index("ix_proposals_meeting_id", table_name="proposals")
    op.drop_table("proposals")
    op.drop_index("ix_thoughts_created", table_name="thoughts")
    op.drop_index("ix_thoughts_meeting_id", table_name="thoughts")
    op.drop_table("thoughts")
    with op.batch_alter_table("meetings") as batch:
        batch.drop_constraint("uq_meetings_join_code", type_="unique")
        batch.drop_column("finished_at")
        batch.drop_column("join_created")
        batch.drop_column("join_code")
