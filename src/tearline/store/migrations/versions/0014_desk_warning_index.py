"""an index for the deliveries board

- ``warnings (status, threat_id)``: the board counts the released warnings a viewer may
  see (status, then the case for the compartment rule) from the index alone; without it
  SQLite reads every warning row, signed texts and all, on each request.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_warnings_status_threat", "warnings", ["status", "threat_id"])


def downgrade() -> None:
    op.drop_index("ix_warnings_status_threat", table_name="warnings")
