"""release: per-warning fact overrides (who, why, which fact, from → to)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tearline.store.types import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fact_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("threat_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=True),
        sa.Column("fact", sa.String(length=20), nullable=False),
        sa.Column("from_level", sa.String(length=20), nullable=False),
        sa.Column("to_level", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["threat_id"], ["threats.id"], name=op.f("fk_fact_overrides_threat_id_threats")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["recipients.id"],
            name=op.f("fk_fact_overrides_recipient_id_recipients"),
        ),
        sa.ForeignKeyConstraint(
            ["warning_id"], ["warnings.id"], name=op.f("fk_fact_overrides_warning_id_warnings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_overrides")),
    )
    op.create_index(op.f("ix_fact_overrides_threat_id"), "fact_overrides", ["threat_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_fact_overrides_threat_id"), table_name="fact_overrides")
    op.drop_table("fact_overrides")
