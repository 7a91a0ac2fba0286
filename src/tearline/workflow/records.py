"""Loading rows by public ID and turning them into domain values."""

from __future__ import annotations

import hashlib
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from tearline.assess import Assessment, Imminence, Likelihood, Severity, Specificity
from tearline.errors import NotFound
from tearline.ids import Kind, format_id, parse_id
from tearline.model import Contact, Recipient, RecipientKind, Tier
from tearline.release import ProtectedTerm, find_leaks
from tearline.store import tables as t
from tearline.workflow.case_markings import recipient_nation

R = TypeVar("R", bound=t.Base)

# The table that holds each kind of record, for loading by ID.
TABLES: dict[Kind, type[t.Base]] = {
    Kind.REPORT: t.Report,
    Kind.THREAT: t.Threat,
    Kind.EVENT: t.Event,
    Kind.DETERMINATION: t.Determination,
    Kind.RELEASE: t.Release,
    Kind.WARNING: t.WarningRecord,
    Kind.DELIVERY: t.Delivery,
    Kind.RESPONSE: t.Response,
    Kind.ESCALATION: t.Escalation,
    Kind.RECIPIENT: t.Recipient,
    Kind.SOURCE: t.Source,
}


def load(session: Session, table: type[R], ref: str, kind: Kind) -> R:
    """The row for ``ref`` (e.g. "THR-3"), or NotFound naming what is missing."""
    _, number = parse_id(ref, kind)
    row = session.get(table, number)
    if row is None:
        raise NotFound(f"no {kind.name.lower()} {format_id(kind, number)}")
    return row


def load_any(session: Session, ref: str) -> tuple[Kind, t.Base]:
    kind, number = parse_id(ref)
    row = session.get(TABLES[kind], number)
    if row is None:
        raise NotFound(f"no {kind.name.lower()} {format_id(kind, number)}")
    return kind, row


def recipient_value(r: t.Recipient) -> Recipient:
    return Recipient(
        id=r.id,
        name=r.name,
        kind=RecipientKind(r.kind),
        tier=Tier(r.tier),
        language=r.language,
        contacts=tuple(Contact(c["channel"], c["address"]) for c in r.contacts),
        jurisdiction=r.jurisdiction,
        area_country=r.area_country,
        area_city=r.area_city,
        area_lat=r.area_lat,
        area_lon=r.area_lon,
        area_radius_km=r.area_radius_km,
        nation=recipient_nation(r),
        communities=tuple(r.communities or ()),
    )


def registry(session: Session) -> list[Recipient]:
    return [
        recipient_value(r) for r in session.scalars(select(t.Recipient).order_by(t.Recipient.id))
    ]


def protected_terms(session: Session) -> list[ProtectedTerm]:
    """Every protected term on record: a code word from any report must never leave."""
    rows = session.scalars(select(t.ProtectedTerm).order_by(t.ProtectedTerm.id))
    return [ProtectedTerm(f"PT-{r.id}", r.kind, term=r.term) for r in rows]


def audit_note(session: Session, note: str) -> dict[str, str]:
    """A free-text note as the audit record keeps it: the words, unless they hold a
    protected term - then only their SHA-256 and the ids of the terms they hold, as the
    record keeps every protected term (the note itself stays on its own row, read only
    by those cleared for the case)."""
    text = note.strip()[:500]
    found = find_leaks({"note": text}, protected_terms(session)) if text else []
    if not found:
        return {"note": text}
    ids = ", ".join(sorted({leak.term.id for leak in found}))
    return {
        "note_sha256": hashlib.sha256(note.strip().encode("utf-8")).hexdigest(),
        "note_withheld": f"holds protected term(s) {ids}",
    }


def assessment_value(a: t.Assessment) -> Assessment:
    return Assessment(
        source_reliability=a.source_reliability,
        info_credibility=a.info_credibility,
        likelihood=Likelihood(a.likelihood) if a.likelihood else None,
        specificity=Specificity(**{k: bool(v) for k, v in a.specificity.items()}),
        imminence=Imminence(a.imminence),
        hours_to_window=a.hours_to_window,
        severity=Severity(a.severity),
        rationale=dict(a.rationale),
    )
