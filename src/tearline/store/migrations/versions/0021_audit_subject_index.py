"""The audit record by subject: an index on ``audit_entries (subject, seq)``

The case file, its after-action review, the release preview and the audit search look up
a record's entries by subject (``THR-12``, ``DET-3``, ``REL-7``); without an index each
of those read the whole record, which grows by an entry for every step of every case.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_entries_subject", "audit_entries", ["subject", "seq"])


def downgrade() -> None:
    op.drop_index("ix_audit_entries_subject", table_name="audit_entries")
