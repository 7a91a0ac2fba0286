"""decide: determinations as versioned records (filled by the determinations work)

A determination is never replaced silently: each one has a version, names the one it
supersedes, why, and what the recipients already warned are told (update, all-clear or
nothing). Determinations recorded before this revision are version 1 and supersede nothing.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # `supersedes_id` has no foreign key on purpose: adding one on SQLite copies the table
    # and drops the old one, which SQLite refuses once releases refer to determinations.
    with op.batch_alter_table("determinations") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("supersedes_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("supersede_reason", sa.Text(), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("follow_up", sa.String(length=20), nullable=True))


def downgrade() -> None:
    # In place, not in batch (see 0006): SQLite 3.35 and later drop a plain column.
    op.drop_column("determinations", "follow_up")
    op.drop_column("determinations", "supersede_reason")
    op.drop_column("determinations", "supersedes_id")
    op.drop_column("determinations", "version")
