"""warnings keep every released artifact

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    with op.batch_alter_table("warnings") as batch:
        batch.add_column(sa.Column("artifacts", json_type, nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("warnings") as batch:
        batch.drop_column("artifacts")
