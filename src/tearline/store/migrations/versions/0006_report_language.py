"""intake: the language each report is written in (reports.language)

Reports stored before this revision keep NULL: "not recorded". They were all read as
English, whatever they were written in, so 'en' would claim what nobody checked; the desk
shows them as "not recorded". Reports ingested from now on carry the language given at
intake, or the one identified from their text.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("language", sa.String(length=20), nullable=True))


def downgrade() -> None:
    # In place, not in batch: batch mode on SQLite copies `reports` and drops the old table,
    # which SQLite refuses while events refer to it (foreign keys are on). SQLite 3.35 and
    # later drop a plain column with ALTER TABLE, as PostgreSQL does.
    op.drop_column("reports", "language")
