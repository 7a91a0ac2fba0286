"""the public feed's entries, by an index of their own

``/feed.atom`` (public, polled by anyone) lists the latest ``public_feed`` deliveries
recorded as delivered, newest first. Since 0023 no index of deliveries starts with the
status, and the feed read every delivery to find its few: a group alert's 100,000 on
each poll. ``ix_deliveries_public_feed`` holds the feed's delivered entries only, by the
time they were delivered, read newest first and stopped at the page's end.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ON_THE_FEED = "channel = 'public_feed' AND status = 'delivered'"


def upgrade() -> None:
    op.create_index(
        "ix_deliveries_public_feed",
        "deliveries",
        ["delivered_at"],
        sqlite_where=sa.text(ON_THE_FEED),
        postgresql_where=sa.text(ON_THE_FEED),
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_public_feed", table_name="deliveries")
