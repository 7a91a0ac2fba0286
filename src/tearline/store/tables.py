"""The database tables: one class per noun of the domain model (DESIGN.md).

Rows hold what was decided and when; the pure stages work on the values in
``tearline.model`` and the stage packages, and the workflow converts between the two.
Every change to these classes needs an Alembic migration (tests check they agree).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from tearline.store.types import UTCDateTime

JSONType = JSON().with_variant(JSONB(), "postgresql")

# Named constraints, so migrations can alter them the same way on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSONType,
    }


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSONType)
    compartments: Mapped[list[str]] = mapped_column(JSONType, default=list)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class Source(Base):
    """Where reporting comes from. Its name is itself protected and never released."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    reliability: Mapped[str] = mapped_column(String(1))  # Admiralty A-F
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class Report(Base):
    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    document_date: Mapped[datetime]
    received_at: Mapped[datetime]
    tlp: Mapped[str] = mapped_column(String(20))
    compartments: Mapped[list[str]] = mapped_column(JSONType, default=list)
    ingested_by: Mapped[str] = mapped_column(String(64))

    source: Mapped[Source | None] = relationship()
    events: Mapped[list[Event]] = relationship(back_populates="report", order_by="Event.ordinal")


class ProtectedTerm(Base):
    """A term that must never appear in anything released: code word, source, method."""

    __tablename__ = "protected_terms"
    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Threat(Base):
    """A case: one plot, gathering the events that several reports give of it."""

    __tablename__ = "threats"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="open")
    facts: Mapped[dict[str, Any]]  # model.event_to_dict of the case's current facts
    compartments: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    events: Mapped[list[Event]] = relationship(back_populates="threat", order_by="Event.id")


class Event(Base):
    """One event as extracted from one report (a threat or an incident)."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    ordinal: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    modality: Mapped[str] = mapped_column(String(20))
    facts: Mapped[dict[str, Any]]
    threat_id: Mapped[int | None] = mapped_column(ForeignKey("threats.id"), index=True)

    report: Mapped[Report] = relationship(back_populates="events")
    threat: Mapped[Threat | None] = relationship(back_populates="events")


class Assessment(Base):
    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(primary_key=True)
    threat_id: Mapped[int] = mapped_column(ForeignKey("threats.id"), index=True)
    source_reliability: Mapped[str] = mapped_column(String(1))
    info_credibility: Mapped[int]
    likelihood: Mapped[str | None] = mapped_column(String(30))  # None for incidents
    specificity: Mapped[dict[str, Any]]
    imminence: Mapped[str] = mapped_column(String(20))
    hours_to_window: Mapped[float | None]
    severity: Mapped[str] = mapped_column(String(20))
    rationale: Mapped[dict[str, Any]]
    assessed_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Recipient(Base):
    __tablename__ = "recipients"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    tier: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(20))
    jurisdiction: Mapped[str | None] = mapped_column(String(2))
    area_country: Mapped[str | None] = mapped_column(String(2))
    area_city: Mapped[str | None] = mapped_column(String(200))
    contacts: Mapped[list[dict[str, str]]] = mapped_column(JSONType)
    created_at: Mapped[datetime]


class Determination(Base):
    """The duty-to-warn decision for a threat: warn, waive, or not triggered — on the record."""

    __tablename__ = "determinations"
    id: Mapped[int] = mapped_column(primary_key=True)
    threat_id: Mapped[int] = mapped_column(ForeignKey("threats.id"), index=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    outcome: Mapped[str] = mapped_column(String(20))  # warn | waive | not_triggered
    status: Mapped[str] = mapped_column(String(20))  # recorded | proposed | approved | superseded
    checklist: Mapped[dict[str, Any]]
    recipients: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    parity: Mapped[dict[str, Any]]
    intended_victims: Mapped[str] = mapped_column(Text)
    waiver_code: Mapped[str | None] = mapped_column(String(60))
    justification: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime]
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None]


class Release(Base):
    """A set of warnings proposed together; a second person approves it (two-person rule)."""

    __tablename__ = "releases"
    id: Mapped[int] = mapped_column(primary_key=True)
    threat_id: Mapped[int] = mapped_column(ForeignKey("threats.id"), index=True)
    determination_id: Mapped[int] = mapped_column(ForeignKey("determinations.id"))
    status: Mapped[str] = mapped_column(String(20))  # proposed | released | withdrawn
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[datetime]
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None]

    warnings: Mapped[list[WarningRecord]] = relationship(order_by="WarningRecord.id")


class WarningRecord(Base):
    """One warning for one recipient: rendered from releasable facts, signed at release."""

    __tablename__ = "warnings"
    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id"), index=True)
    threat_id: Mapped[int] = mapped_column(ForeignKey("threats.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"))
    msg_type: Mapped[str] = mapped_column(String(10), default="Alert")
    status: Mapped[str] = mapped_column(String(20))  # draft | released
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    content: Mapped[dict[str, Any]]  # releasable facts and rendered texts
    jws: Mapped[str | None] = mapped_column(Text)
    # Every released form of the warning, signed where the form allows it, by format
    # name ("jws", "text", "cap", "stix", "email", ...): what was sent is what is kept.
    artifacts: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    key_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    released_at: Mapped[datetime | None]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("warnings.id"))

    recipient: Mapped[Recipient] = relationship()
    deliveries: Mapped[list[Delivery]] = relationship(order_by="Delivery.id")


class Delivery(Base):
    """An outbox row: one warning to one contact point, claimed and sent by a worker."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warnings.id"), index=True)
    channel: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(20))  # pending | sending | delivered | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    receipt: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), index=True)
    at: Mapped[datetime]
    ok: Mapped[bool]
    detail: Mapped[str] = mapped_column(Text)


class Response(Base):
    """What a recipient answered: received, acting, disputed, more information, ..."""

    __tablename__ = "responses"
    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warnings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    via: Mapped[str] = mapped_column(String(30))
    recorded_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime]


class Escalation(Base):
    __tablename__ = "escalations"
    id: Mapped[int] = mapped_column(primary_key=True)
    threat_id: Mapped[int] = mapped_column(ForeignKey("threats.id"), index=True)
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("warnings.id"))
    rule: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20))  # proposed | done | dismissed
    detail: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)


class AuditEntry(Base):
    """One link of the hash chain. ``details`` is canonical JSON text, hashed as stored."""

    __tablename__ = "audit_entries"
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(60))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """A single row naming the last entry: appends lock it, and truncation shows against it."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
