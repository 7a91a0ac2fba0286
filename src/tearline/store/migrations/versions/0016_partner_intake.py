"""partner intake: external identifiers for de-duplication, feed subscriptions

- ``reports.external_id`` (unique): a partner's own id for an item ("stix:report--…",
  "cap:<sender>/<identifier>", "atom:<feed>#<entry id>"), so an item pulled again is not
  stored twice; ``reports.intake_note``: what intake says beside the text (e.g. a CAP
  signature by a key this deployment does not trust: "signature not verified").
- ``partner_feeds``: Atom/RSS feeds and IMAP mailboxes the worker polls, with their
  conditional-GET validators, mailbox UIDs, back-off and last error, and the source (name
  and grade) their items are stored under.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tearline.store.types import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place, not in batch: batch mode on SQLite copies `reports` and drops the old table,
    # which SQLite refuses while events refer to it. A unique index (not a constraint) is
    # added and dropped in place on both databases.
    op.add_column("reports", sa.Column("external_id", sa.String(300), nullable=True))
    op.add_column("reports", sa.Column("intake_note", sa.String(500), nullable=True))
    op.create_index("ix_reports_external_id", "reports", ["external_id"], unique=True)
    op.create_table(
        "partner_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url", sa.String(1000), nullable=False),
        sa.Column("every_s", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(500), nullable=True),
        sa.Column("last_modified", sa.String(100), nullable=True),
        sa.Column("uid_validity", sa.BigInteger(), nullable=True),
        sa.Column("last_uid", sa.BigInteger(), nullable=True),
        sa.Column("next_poll_at", UTCDateTime(), nullable=False),
        sa.Column("last_polled_at", UTCDateTime(), nullable=True),
        sa.Column("last_ok_at", UTCDateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(1000), nullable=True),
        sa.Column("items_stored", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(200), nullable=True),
        sa.Column("reliability", sa.String(1), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_partner_feeds"),
        sa.UniqueConstraint("url", name="uq_partner_feeds_url"),
    )
    op.create_index("ix_partner_feeds_next_poll_at", "partner_feeds", ["next_poll_at"])


def downgrade() -> None:
    op.drop_index("ix_partner_feeds_next_poll_at", table_name="partner_feeds")
    op.drop_table("partner_feeds")
    op.drop_index("ix_reports_external_id", table_name="reports")
    op.drop_column("reports", "intake_note")
    op.drop_column("reports", "external_id")
