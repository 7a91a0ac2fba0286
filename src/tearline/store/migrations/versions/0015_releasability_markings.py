"""releasability markings (nations, communities) on reports and recipients

- ``reports.rel_to``: the report's releasability markings as codes (``["USA", "GBR",
  "FVEY"]``; tearline.markings); NULL when the report carries none (unrestricted). A
  case's facts, and the warnings written from them, carry what its reports allow together.
- ``recipients.nation`` (ISO 3166-1 alpha-3) and ``recipients.communities`` (codes of
  sharing communities, e.g. ``["NATO"]``): what a marking is tested against at release.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("rel_to", _json(), nullable=True))
    with op.batch_alter_table("recipients") as batch:
        batch.add_column(sa.Column("nation", sa.String(3), nullable=True))
        batch.add_column(sa.Column("communities", _json(), nullable=False, server_default="[]"))


def downgrade() -> None:
    # In place, not in batch: batch mode on SQLite copies `reports` and drops the old table,
    # which SQLite refuses while events refer to it (foreign keys are on). SQLite 3.35 and
    # later drop a plain column with ALTER TABLE, as PostgreSQL does.
    op.drop_column("recipients", "communities")
    op.drop_column("recipients", "nation")
    op.drop_column("reports", "rel_to")
