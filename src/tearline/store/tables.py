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
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from tearline.store.types import UTCDateTime

JSONType = JSON().with_variant(JSONB(), "postgresql")

# Deliveries not yet done with: a later one to the same contact point waits for them.
UNFINISHED_DELIVERY = "status IN ('pending', 'sending')"


def compartmented(table: str) -> dict[str, str]:
    """A row of ``table`` marked with at least one compartment (NULL and [] are none), as
    each database compares its JSON: the predicate of ``ix_<table>_compartmented``,
    written the same in the queries that use it (``access._Compartmented``)."""
    return {
        "sqlite": f"{table}.compartments != '[]'",
        "postgresql": f"{table}.compartments != CAST('[]' AS JSONB)",
    }


COMPARTMENTED = compartmented("threats")

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
    # "person" signs in with a password; "service" is a machine that has only API tokens.
    kind: Mapped[str] = mapped_column(String(16), default="person", server_default="person")
    created_by: Mapped[str | None] = mapped_column(String(64))


class PendingGrant(Base):
    """A role or compartment one admin asked for; it takes effect when another approves."""

    __tablename__ = "pending_grants"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "role" | "compartment"
    value: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="pending")  # approved, rejected
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]


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
    __table_args__ = (
        Index(
            "ix_reports_compartmented",
            "id",
            sqlite_where=text(compartmented("reports")["sqlite"]),
            postgresql_where=text(compartmented("reports")["postgresql"]),
        ),
    )
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
    # The language the report is written in, ISO 639-1 ("ru"): as given at intake, else
    # identified from the text (the language most of its letters are in). NULL for a report
    # stored before languages were recorded (migration 0006): it was read as English, and
    # what it is written in was never decided. Not a recipient's language (recipients.language).
    language: Mapped[str | None] = mapped_column(String(20))
    # The origin this report shares with earlier ones (assess.origins): the id of the
    # earliest report of its origin, its own id when it is an origin; NULL for a report
    # stored before origins were (migration 0008), which counts as its own origin.
    # ``origin_reason`` says why it echoes that origin ("near-duplicate of RPT-3 ...").
    origin_id: Mapped[int | None] = mapped_column(Integer, index=True)
    origin_reason: Mapped[str | None] = mapped_column(String(500))
    # A partner's own stable id for the item ("stix:report--…", "cap:<sender>/<identifier>",
    # "atom:<feed>#<entry id>"): the same item pulled again is recognised and not stored
    # twice (migration 0016). NULL for a document that is not a partner's item.
    # A unique index, not a constraint: SQLite adds and drops an index in place, while a
    # UNIQUE constraint would make migrations copy `reports`, which its events refer to.
    external_id: Mapped[str | None] = mapped_column(String(300), index=True, unique=True)
    # What intake says about the item beside its text, e.g. "signature not verified: key
    # 'x' is not one this deployment trusts" (intake.cap); NULL when there is nothing to say.
    intake_note: Mapped[str | None] = mapped_column(String(500))
    # Releasability markings as codes (["USA", "GBR", "FVEY"]; tearline.markings), NULL
    # when unrestricted (migration 0015): the case's warnings go only where they allow.
    rel_to: Mapped[list[str] | None] = mapped_column(JSONType, default=None)

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
    # The cases in a compartment, few: the deliveries board takes what a viewer may not
    # see from them, without reading every case.
    __table_args__ = (
        Index(
            "ix_threats_compartmented",
            "id",
            sqlite_where=text(COMPARTMENTED["sqlite"]),
            postgresql_where=text(COMPARTMENTED["postgresql"]),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    facts: Mapped[dict[str, Any]]  # model.event_to_dict of the case's current facts
    compartments: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Set when an analyst merges this case into another (status "merged").
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("threats.id"))

    events: Mapped[list[Event]] = relationship(back_populates="threat", order_by="Event.id")


class Event(Base):
    """One event as extracted from one report (a threat or an incident)."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
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
    # Where an organisation or public audience is: a centre and a radius (targeting).
    area_lat: Mapped[float | None]
    area_lon: Mapped[float | None]
    area_radius_km: Mapped[float | None]
    # Contact points used only when an escalation resends a warning another way.
    fallback_contacts: Mapped[list[dict[str, str]]] = mapped_column(JSONType, default=list)
    # What releasability markings are tested against (migration 0015): the recipient's
    # nation (ISO 3166-1 alpha-3; NULL: a government's is its jurisdiction's) and the
    # sharing communities it belongs to (["NATO"]).
    nation: Mapped[str | None] = mapped_column(String(3))
    communities: Mapped[list[str]] = mapped_column(JSONType, default=list, server_default="[]")


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
    # Versions (workflow/supersede.py): a determination is never replaced silently. A later
    # one names the one it supersedes, why, and what the recipients already warned are told.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # No foreign key: on SQLite adding one copies the table, which releases refer to.
    supersedes_id: Mapped[int | None] = mapped_column(Integer)
    supersede_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    follow_up: Mapped[str | None] = mapped_column(String(20))  # update | all-clear | nothing


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
    # The deliveries board counts released warnings by case from the index alone.
    __table_args__ = (Index("ix_warnings_status_threat", "status", "threat_id"),)
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
    # Every claim and every record rewrites a delivery's row, and with it an entry in each
    # index the new row belongs to (its status is indexed, so PostgreSQL cannot update it
    # in place): the indexes hold only what some query looks up (migration 0023).
    __table_args__ = (
        # the claim's order, of the pending deliveries (id last: PostgreSQL reads a batch
        # in order and stops); then, of those being sent, the leases that ran out
        Index(
            "ix_deliveries_due",
            "next_attempt_at",
            "id",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index(
            "ix_deliveries_leased",
            "id",
            sqlite_where=text("status = 'sending'"),
            postgresql_where=text("status = 'sending'"),
        ),
        # the public feed's entries, newest first (migration 0025)
        Index(
            "ix_deliveries_public_feed",
            "delivered_at",
            sqlite_where=text("channel = 'public_feed' AND status = 'delivered'"),
            postgresql_where=text("channel = 'public_feed' AND status = 'delivered'"),
        ),
        # the board's pick of a warning's deliveries: by status, the latest first; and
        # every look-up by warning alone (its first column)
        Index("ix_deliveries_warning_status_id", "warning_id", "status", "id"),
        # a person's deliveries (group alerts), for the recipients' foreign key: the other
        # deliveries have none
        Index(
            "ix_deliveries_recipient_id",
            "recipient_id",
            sqlite_where=text("recipient_id IS NOT NULL"),
            postgresql_where=text("recipient_id IS NOT NULL"),
        ),
        # a contact point's unfinished deliveries in queued order: the claim's ordering rule
        Index(
            "ix_deliveries_unfinished",
            "channel",
            "address",
            "id",
            sqlite_where=text(UNFINISHED_DELIVERY),
            postgresql_where=text(UNFINISHED_DELIVERY),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warnings.id"))
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
    # The worker holding the claim: a worker found dead on this machine is taken over at
    # once, others when the lease ends.
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    # The person a group alert's delivery is for (None: the warning's own recipient).
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id"))
    # Claims lost with their worker (killed, or its lease ran out): not attempts, but
    # counted, so a delivery that kills its worker every time is dead-lettered at a cap.
    lost_claims: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DeliveryTally(Base):
    """How many deliveries a warning has in each status (``warning_id`` 0: every
    warning's), kept by triggers on ``deliveries`` in the transaction that changes them
    (migration 0018), so the deliveries board counts a group alert's 100,000 deliveries
    from a few rows. A count is the sum of its key's rows: on PostgreSQL a change goes to
    a row of the key no other transaction holds, or a new one, so no writer waits on
    another's counts (SQLite has one writer at a time and keeps one row per key)."""

    __tablename__ = "delivery_tallies"
    __table_args__ = (Index("ix_delivery_tallies_warning_status", "warning_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int]  # no foreign key: derived rows, kept by the triggers
    status: Mapped[str] = mapped_column(String(20))
    n: Mapped[int]


class TableVersion(Base):
    """A version of a table the desk's lists read: a new random value in every
    transaction that changes the table's rows, set by triggers (migration 0026), so a
    web process can tell from a few rows whether a list it keeps is still current
    (``store.table_versions``). On PostgreSQL a table may have several rows: a change
    goes to one no other transaction holds, so writers never wait on each other."""

    __tablename__ = "table_versions"
    __table_args__ = (Index("ix_table_versions_name", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(BigInteger)


class WarningTally(Base):
    """How many warnings are in each status, kept by triggers on ``warnings`` in the
    transaction that changes them (migration 0024), so the deliveries board totals the
    desk's warnings from a few rows rather than counting every warning on each request.
    As ``DeliveryTally``: a count is the sum of its status's rows."""

    __tablename__ = "warning_tallies"
    __table_args__ = (Index("ix_warning_tallies_status", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    n: Mapped[int]


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
    # The delivery a reply link or SMS code was bound to; None when recorded by an officer.
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"))


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
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None]


class AuditEntry(Base):
    """One link of the hash chain. ``details`` is canonical JSON text, hashed as stored."""

    __tablename__ = "audit_entries"
    # A record's entries by subject (the case file, reviews, the audit search).
    __table_args__ = (Index("ix_audit_entries_subject", "subject", "seq"),)
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


class AuditCheckpoint(Base):
    """A signed checkpoint of the chain's head (``tearline.audit.checkpoints``).

    The signed ``jws`` is the checkpoint; the other columns repeat what it says, for lists.
    ``made_for`` says why it was made: ``schedule``, a release (``REL-3``) or a person.
    """

    __tablename__ = "audit_checkpoints"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(index=True)
    head: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    key_id: Mapped[str] = mapped_column(String(100))
    made_for: Mapped[str] = mapped_column(String(64))
    jws: Mapped[str] = mapped_column(Text)


# --- The desk (web): sessions, machine tokens, sign-in throttling, analyst changes -------


class WebSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is kept."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    client: Mapped[str] = mapped_column(String(64), default="")
    flash: Mapped[str | None] = mapped_column(Text)


class ApiToken(Base):
    """A bearer token for a machine acting as a user; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class TaxiiToken(Base):
    """A partner's key to its own TAXII collection (``tearline taxii token``); only the
    token's SHA-256 is kept. It reads what was released to its recipient, nothing else."""

    __tablename__ = "taxii_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class TaxiiObject(Base):
    """One version of one STIX object in a partner's TAXII collection (``workflow.taxii``).

    Added by the ``taxii`` channel when a warning is delivered to the collection (its
    released STIX bundle, as signed), and as a revoked version when a later warning
    supersedes it. ``warning_id`` is NULL only for the shared OASIS TLP definitions.
    Served in ``(date_added, id)`` order: the cursor of TAXII's paging.
    """

    __tablename__ = "taxii_objects"
    __table_args__ = (
        Index("ix_taxii_objects_version", "recipient_id", "stix_id", "version", unique=True),
        Index("ix_taxii_objects_added", "recipient_id", "date_added", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"))
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("warnings.id"), index=True)
    stix_id: Mapped[str] = mapped_column(String(100))
    stix_type: Mapped[str] = mapped_column(String(64))
    version: Mapped[datetime]  # the object's ``modified`` (``created`` when it has none)
    date_added: Mapped[datetime]
    revoked: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)  # the object's JSON, as served


class LoginAttempt(Base):
    """Every sign-in attempt, kept to throttle guessing per user name and per client."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    ok: Mapped[bool]


class FactCorrection(Base):
    """An analyst's correction of one fact of a case: what it was, what it became, why."""

    __tablename__ = "fact_corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    threat_id: Mapped[int] = mapped_column(ForeignKey("threats.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any]]
    after: Mapped[dict[str, Any]]
    reason: Mapped[str] = mapped_column(Text)
    corrected_by: Mapped[str] = mapped_column(String(64))
    corrected_at: Mapped[datetime]


class CaseGrade(Base):
    """An analyst's grade of the information in a case (Admiralty 1-6); the latest applies."""

    __tablename__ = "case_grades"
    id: Mapped[int] = mapped_column(primary_key=True)
    threat_id: Mapped[int] = mapped_column(ForeignKey("threats.id"), index=True)
    info_credibility: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    graded_by: Mapped[str] = mapped_column(String(64))
    graded_at: Mapped[datetime]


class RecipientLocation(Base):
    """Where a person is: their home (always) or an itinerary stop (from/to), for targeting.

    ``cell`` is the point's H3 cell at ``deliver.targeting.INDEX_RES``, kept so the
    in-process index loads without recomputing it. Rows are replaced, never edited, so a
    new highest ``id`` marks every change of the registry's geography.
    """

    __tablename__ = "recipient_locations"
    __table_args__ = ({"sqlite_autoincrement": True},)  # IDs never reused: see above
    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("recipients.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # home | stop
    label: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float]
    lon: Mapped[float]
    country: Mapped[str | None] = mapped_column(String(2))
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    cell: Mapped[int] = mapped_column(BigInteger)


class EscalationPolicy(Base):
    """The escalation policy in force, as data (track.policy); one row per named policy."""

    __tablename__ = "escalation_policies"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    document: Mapped[dict[str, Any]]
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


# --- Release: per-warning releasability decisions -----------------------------------------


class FactOverride(Base):
    """A duty officer told one recipient a fact more or less precisely than the tier allows.

    Kept per case and recipient, so the decision carries over to a re-proposal and to
    updates; the latest row for a fact is the one in force. ``warning_id`` is the draft
    it was made on. The reason is internal: it is never sent.
    """

    __tablename__ = "fact_overrides"
    id: Mapped[int] = mapped_column(primary_key=True)
    threat_id: Mapped[int] = mapped_column(ForeignKey("threats.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"))
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("warnings.id"))
    fact: Mapped[str] = mapped_column(String(20))
    from_level: Mapped[str] = mapped_column(String(20))
    to_level: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


# --- Intake: partners' feeds and mailboxes, polled on a schedule --------------------------


class PartnerFeed(Base):
    """An Atom/RSS feed or an IMAP mailbox that the worker polls for partner reporting.

    ``kind`` is "feed" or "mailbox". A feed keeps its validators (ETag, Last-Modified) for
    conditional GET; a mailbox keeps its UIDVALIDITY and the highest UID read, so a message
    is never read twice. A failed poll doubles the wait (``failures``) up to a cap and
    records the error for ``tearline feeds list`` and the desk.
    """

    __tablename__ = "partner_feeds"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(1000), unique=True)
    every_s: Mapped[int] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    uid_validity: Mapped[int | None] = mapped_column(BigInteger)
    last_uid: Mapped[int | None] = mapped_column(BigInteger)
    next_poll_at: Mapped[datetime] = mapped_column(index=True)
    last_polled_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(1000))
    items_stored: Mapped[int] = mapped_column(Integer, default=0)
    # Who the items come from, as `tearline ingest --source/--reliability` says it: the
    # source's name (itself protected) and its Admiralty grade; NULL: not said.
    source: Mapped[str | None] = mapped_column(String(200))
    reliability: Mapped[str | None] = mapped_column(String(1))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
