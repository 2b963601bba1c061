"""Session grants remember the device grant they were opened from, so »Glem denne computer«
ends every tab of that browser.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("team_grants") as batch:
        batch.add_column(sa.Column("parent", sa.String(length=64), nullable=True))
        batch.create_index("ix_team_grants_parent", ["parent"])


def downgrade() -> None:
    with op.batch_alter_table("team_grants") as batch:
        batch.drop_index("ix_team_grants_parent")
        batch.drop_column("parent")
