"""TAXII 2.1: what each partner's collection holds, and the partners' tokens

- ``taxii_tokens``: a partner's key to its own collection (only the SHA-256 is kept),
  made by ``tearline taxii token RECIPIENT``, revocable;
- ``taxii_objects``: one row per version of each STIX object in a partner's collection,
  added when a warning is delivered by the ``taxii`` channel (and a revoked version when
  a later warning supersedes it). A database from before this revision has no
  collections: warnings released earlier are not added to any.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tearline.store.types

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "taxii_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", tearline.store.types.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", tearline.store.types.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", tearline.store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["recipients.id"],
            name=op.f("fk_taxii_tokens_recipient_id_recipients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_taxii_tokens_token_hash")),
    )
    op.create_index(
        op.f("ix_taxii_tokens_recipient_id"), "taxii_tokens", ["recipient_id"], unique=False
    )
    op.create_table(
        "taxii_objects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=True),
        sa.Column("stix_id", sa.String(length=100), nullable=False),
        sa.Column("stix_type", sa.String(length=64), nullable=False),
        sa.Column("version", tearline.store.types.UTCDateTime(), nullable=False),
        sa.Column("date_added", tearline.store.types.UTCDateTime(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["recipients.id"],
            name=op.f("fk_taxii_objects_recipient_id_recipients"),
        ),
        sa.ForeignKeyConstraint(
            ["warning_id"], ["warnings.id"], name=op.f("fk_taxii_objects_warning_id_warnings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_objects")),
    )
    op.create_index(
        "ix_taxii_objects_version",
        "taxii_objects",
        ["recipient_id", "stix_id", "version"],
        unique=True,
    )
    op.create_index("ix_taxii_objects_added", "taxii_objects", ["recipient_id", "date_added", "id"])
    op.create_index(
        op.f("ix_taxii_objects_warning_id"), "taxii_objects", ["warning_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_taxii_objects_warning_id"), table_name="taxii_objects")
    op.drop_index("ix_taxii_objects_added", table_name="taxii_objects")
    op.drop_index("ix_taxii_objects_version", table_name="taxii_objects")
    op.drop_table("taxii_objects")
    op.drop_index(op.f("ix_taxii_tokens_recipient_id"), table_name="taxii_tokens")
    op.drop_table("taxii_tokens")
