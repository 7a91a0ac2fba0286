"""audiences: a delivery remembers the person it is for (group alerts)

A public alert to the people registered in an area is one warning with one delivery per
person's contact point; ``deliveries.recipient_id`` says whose it is, so a reply through it
is that person's answer. NULL for a warning's deliveries to its own recipient.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("recipient_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_deliveries_recipient_id_recipients"), "recipients", ["recipient_id"], ["id"]
        )
        batch.create_index(batch.f("ix_deliveries_recipient_id"), ["recipient_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index(batch.f("ix_deliveries_recipient_id"))
        batch.drop_constraint(batch.f("fk_deliveries_recipient_id_recipients"), type_="foreignkey")
        batch.drop_column("recipient_id")
