"""indexes for the desk's lists

- ``events.report_id``: the inbox loads each report's events by report (a scan of every
  event per page without it);
- ``threats.status``: the triage queue reads the open cases, not every case ever held;
- ``deliveries (warning_id, status)``: the deliveries board counts a page's deliveries by
  warning and status, and all of them by status, from the index alone.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_events_report_id", "events", ["report_id"])
    op.create_index("ix_threats_status", "threats", ["status"])
    op.create_index("ix_deliveries_warning_status", "deliveries", ["warning_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_warning_status", table_name="deliveries")
    op.drop_index("ix_threats_status", table_name="threats")
    op.drop_index("ix_events_report_id", table_name="events")
