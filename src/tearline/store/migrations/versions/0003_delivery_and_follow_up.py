"""delivery and follow-up: recipient areas and locations, reply bindings, escalation policies

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import tearline.store.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    with op.batch_alter_table("recipients") as batch:
        batch.add_column(sa.Column("area_lat", sa.Double(), nullable=True))
        batch.add_column(sa.Column("area_lon", sa.Double(), nullable=True))
        batch.add_column(sa.Column("area_radius_km", sa.Double(), nullable=True))
        batch.add_column(
            sa.Column("fallback_contacts", json_type, nullable=False, server_default="[]")
        )
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=80), nullable=True))
    with op.batch_alter_table("responses") as batch:
        batch.add_column(sa.Column("delivery_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_responses_delivery_id_deliveries"), "deliveries", ["delivery_id"], ["id"]
        )
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("resolved_by", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("resolved_at", tearline.store.types.UTCDateTime(), nullable=True)
        )
    op.create_table(
        "recipient_locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("starts_at", tearline.store.types.UTCDateTime(), nullable=True),
        sa.Column("ends_at", tearline.store.types.UTCDateTime(), nullable=True),
        sa.Column("cell", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["recipients.id"],
            name=op.f("fk_recipient_locations_recipient_id_recipients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipient_locations")),
        sqlite_autoincrement=True,  # IDs are never reused: the targeting cache relies on it
    )
    with op.batch_alter_table("recipient_locations") as batch:
        batch.create_index(
            batch.f("ix_recipient_locations_recipient_id"), ["recipient_id"], unique=False
        )
    op.create_table(
        "escalation_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("document", json_type, nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", tearline.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_policies")),
        sa.UniqueConstraint("name", name=op.f("uq_escalation_policies_name")),
    )


def downgrade() -> None:
    op.drop_table("escalation_policies")
    with op.batch_alter_table("recipient_locations") as batch:
        batch.drop_index(batch.f("ix_recipient_locations_recipient_id"))
    op.drop_table("recipient_locations")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("resolved_at")
        batch.drop_column("resolved_by")
    with op.batch_alter_table("responses") as batch:
        batch.drop_constraint(batch.f("fk_responses_delivery_id_deliveries"), type_="foreignkey")
        batch.drop_column("delivery_id")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("claimed_by")
    with op.batch_alter_table("recipients") as batch:
        batch.drop_column("fallback_contacts")
        batch.drop_column("area_radius_km")
        batch.drop_column("area_lon")
        batch.drop_column("area_lat")
