"""The few reports in a compartment: a partial index ``ix_reports_compartmented``

A viewer sees a report unless it is in a compartment they do not hold. The inbox lists
reports newest first; written as "not among the compartmented reports the viewer lacks",
PostgreSQL finds those few from this index and reads the newest page of reports and
stops, where testing every report's compartments made it read and sort them all for each
page. Cases have had the same index since 0018.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_reports_compartmented",
        "reports",
        ["id"],
        sqlite_where=sa.text("reports.compartments != '[]'"),
        postgresql_where=sa.text("reports.compartments != CAST('[]' AS JSONB)"),
    )


def downgrade() -> None:
    op.drop_index("ix_reports_compartmented", table_name="reports")
