"""intake: which reports share an origin (reports.origin_id, reports.origin_reason)

Each report names the earliest report of its origin (its own id when it is an origin) and
why it echoes it, so that grading counts independent origins, not copies. Reports stored
before this revision are their own origins: they were never compared, and calling them
echoes now would change grades already given without anyone deciding it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("origin_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("origin_reason", sa.String(length=500), nullable=True))
    op.create_index("ix_reports_origin_id", "reports", ["origin_id"])
    op.execute("UPDATE reports SET origin_id = id")


def downgrade() -> None:
    # In place, not in batch: batch mode on SQLite copies `reports` and drops the old table,
    # which SQLite refuses while events refer to it (foreign keys are on). SQLite 3.35 and
    # later drop a plain column with ALTER TABLE, as PostgreSQL does.
    op.drop_index("ix_reports_origin_id", table_name="reports")
    op.drop_column("reports", "origin_reason")
    op.drop_column("reports", "origin_id")
