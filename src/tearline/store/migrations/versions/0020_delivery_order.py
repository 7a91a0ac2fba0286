"""a contact point's deliveries go in queued order: indexes for the claim

- ``deliveries (channel, address, id) WHERE status IN ('pending', 'sending')``
  (``ix_deliveries_unfinished``): before claiming a delivery the worker checks that no
  earlier one to the same contact point is unfinished; this partial index answers that
  per candidate from the unfinished rows alone (a group alert's 100,000 distinct
  addresses: one short probe each, however long a contact point's history);
- ``ix_deliveries_due`` gains ``id`` (``status, next_attempt_at, id``), the claim's whole
  sort order: PostgreSQL reads a batch from the index in order and stops, rather than
  sorting every due delivery on each claim (SQLite's indexes end in the row ID already).

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNFINISHED = "status IN ('pending', 'sending')"


def upgrade() -> None:
    op.create_index(
        "ix_deliveries_unfinished",
        "deliveries",
        ["channel", "address", "id"],
        sqlite_where=sa.text(UNFINISHED),
        postgresql_where=sa.text(UNFINISHED),
    )
    op.drop_index("ix_deliveries_due", table_name="deliveries")
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_due", table_name="deliveries")
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt_at"])
    op.drop_index("ix_deliveries_unfinished", table_name="deliveries")
