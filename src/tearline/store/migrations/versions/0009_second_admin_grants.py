"""access: grants that wait for a second admin (filled by the identity work)

A role that takes part in the two-person rule (duty officer, approver, admin) or a
compartment, given by one admin, is a row of ``pending_grants`` until a different admin
approves it. Users gain ``kind`` ("person" or "service": a machine with only API tokens)
and ``created_by``; users stored before this revision are people, creator not recorded.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tearline.store.types import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=16), server_default="person", nullable=False)
        )
        batch.add_column(sa.Column("created_by", sa.String(length=64), nullable=True))
    op.create_table(
        "pending_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_pending_grants_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_grants")),
    )
    op.create_index(op.f("ix_pending_grants_user_id"), "pending_grants", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pending_grants_user_id"), table_name="pending_grants")
    op.drop_table("pending_grants")
    # In place, not in batch: batch mode on SQLite copies `users` and drops the old table,
    # which SQLite refuses while sessions and tokens refer to it (foreign keys are on).
    op.drop_column("users", "created_by")
    op.drop_column("users", "kind")
