"""deliveries: how many times a delivery's worker died holding it (lost_claims)

A claim handed back because its worker died (found dead on its machine, or its lease ran
out) does not count as an attempt: the send may never have happened. ``lost_claims``
counts those instead, so that a delivery that kills its worker every time is dead-lettered
after ``delivery_max_lost_claims`` rather than tried for ever. Existing rows start at 0.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("lost_claims", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("lost_claims")
