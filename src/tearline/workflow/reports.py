"""Ingest: store a report, its protected terms and extracted events, and open or grow cases.

Either everything about a document is stored, or nothing is: one transaction.
A document already ingested (same SHA-256) is recognised and not stored twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from tearline.errors import InputError
from tearline.extract import extract
from tearline.ids import Kind, format_id
from tearline.intake import Document, read_document
from tearline.model import Event, EventKind, event_from_dict, event_to_dict
from tearline.store import tables as t
from tearline.workflow.app import App, Unit
from tearline.workflow.responses import note_new_report

RELIABILITY_GRADES = "ABCDEF"


@dataclass(frozen=True)
class TermSpec:
    kind: str  # code_word | collection_method | source_name | marked_span
    term: str


@dataclass(frozen=True)
class Provenance:
    """What the person ingesting says about the document."""

    source: str | None = None
    reliability: str | None = None  # Admiralty A-F for the source
    tlp: str | None = None
    compartments: tuple[str, ...] = ()
    document_date: datetime | None = None
    protect: tuple[TermSpec, ...] = ()


@dataclass(frozen=True)
class IngestedEvent:
    ref: str
    kind: EventKind
    threat_ref: str | None
    new_case: bool


@dataclass(frozen=True)
class Ingested:
    report_ref: str
    filename: str
    duplicate: bool
    events: list[IngestedEvent] = field(default_factory=list)


def _same_plot(a: Event, b: Event) -> bool:
    """Two threat events are the same case when place, time and actor or target agree."""
    if a.place is None or b.place is None or a.place.country != b.place.country:
        return False
    if a.place.city and b.place.city and a.place.city != b.place.city:
        return False
    if a.time and b.time and (a.time.end < b.time.start or b.time.end < a.time.start):
        return False
    actors = {x.org_id for x in a.actors if x.org_id} & {x.org_id for x in b.actors if x.org_id}
    targets = {x.type for x in a.targets} & {x.type for x in b.targets}
    return bool(actors or targets)


def threat_title(e: Event) -> str:
    method = e.method.method.value.replace("_", " ") if e.method else "threat"
    targets = ", ".join(dict.fromkeys(g.type.value.replace("_", " ") for g in e.targets))
    where = (e.place.city or e.place.country) if e.place else "unknown place"
    return f"{method} against {targets or 'unspecified targets'} — {where}"


def _source(u: Unit, prov: Provenance, actor: str) -> t.Source | None:
    if not prov.source:
        return None
    grade = (prov.reliability or "").upper() or None
    if grade is not None and grade not in RELIABILITY_GRADES:
        raise InputError(f"source reliability must be one of A-F, not {prov.reliability!r}")
    src = u.session.scalar(select(t.Source).where(t.Source.name == prov.source))
    if src is None:
        src = t.Source(name=prov.source, reliability=grade or "F", created_at=u.now)
        u.session.add(src)
        u.session.flush()
        # A source's name is itself protected.
        u.session.add(
            t.ProtectedTerm(
                term=prov.source,
                kind="source_name",
                source_id=src.id,
                created_by=actor,
                created_at=u.now,
            )
        )
        u.audit(
            actor,
            "source.created",
            format_id(Kind.SOURCE, src.id),
            {"reliability": src.reliability},
        )
    elif grade and grade != src.reliability:
        u.audit(
            actor,
            "source.regraded",
            format_id(Kind.SOURCE, src.id),
            {"from": src.reliability, "to": grade},
        )
        src.reliability = grade
    return src


def _file_case(u: Unit, ev: Event, compartments: list[str]) -> tuple[t.Threat, bool]:
    open_cases = u.session.scalars(
        select(t.Threat).where(t.Threat.status.in_(("open", "determined", "warned")))
    )
    for case in open_cases:
        if _same_plot(event_from_dict(case.facts), ev):
            case.updated_at = u.now
            case.compartments = sorted(set(case.compartments) | set(compartments))
            return case, False
    case = t.Threat(
        title=threat_title(ev),
        status="open",
        facts=event_to_dict(ev),
        compartments=compartments,
        created_at=u.now,
        updated_at=u.now,
    )
    u.session.add(case)
    u.session.flush()
    return case, True


def store_document(
    app: App, doc: Document, events: Sequence[Event], prov: Provenance, actor: str
) -> Ingested:
    with app.unit() as u:
        existing = u.session.scalar(select(t.Report).where(t.Report.sha256 == doc.sha256))
        if existing is not None:
            return Ingested(format_id(Kind.REPORT, existing.id), doc.filename, duplicate=True)
        src = _source(u, prov, actor)
        report = t.Report(
            source_id=src.id if src else None,
            sha256=doc.sha256,
            filename=doc.filename[:500],
            media_type=doc.media_type,
            title=doc.title[:500],
            text=doc.text,
            raw=doc.raw,
            document_date=prov.document_date or doc.document_date or u.now,
            received_at=u.now,
            tlp=(prov.tlp or doc.tlp or "AMBER").upper(),
            compartments=list(prov.compartments),
            ingested_by=actor,
        )
        u.session.add(report)
        u.session.flush()
        ref = format_id(Kind.REPORT, report.id)
        for spec in prov.protect:
            u.session.add(
                t.ProtectedTerm(
                    term=spec.term,
                    kind=spec.kind,
                    report_id=report.id,
                    created_by=actor,
                    created_at=u.now,
                )
            )
        u.audit(
            actor,
            "report.ingested",
            ref,
            {
                "sha256": doc.sha256,
                "media_type": doc.media_type,
                "bytes": len(doc.raw),
                "tlp": report.tlp,
                "protected_terms": len(prov.protect),
                "events": len(events),
            },
        )
        out: list[IngestedEvent] = []
        for i, ev in enumerate(events):
            row = t.Event(
                report_id=report.id,
                ordinal=i,
                kind=ev.kind.value,
                modality=ev.modality.value,
                facts=event_to_dict(ev),
            )
            new_case, case = False, None
            if ev.kind is EventKind.THREAT:
                case, new_case = _file_case(u, ev, list(prov.compartments))
                row.threat_id = case.id
            u.session.add(row)
            u.session.flush()
            threat_ref = format_id(Kind.THREAT, case.id) if case else None
            if case is not None:
                u.audit(
                    actor,
                    "threat.opened" if new_case else "threat.event_added",
                    threat_ref or "",
                    {"event": format_id(Kind.EVENT, row.id), "report": ref},
                )
                if not new_case:  # a new report on a warned threat: the escalation policy
                    note_new_report(u, case, actor)
            out.append(IngestedEvent(format_id(Kind.EVENT, row.id), ev.kind, threat_ref, new_case))
        return Ingested(ref, doc.filename, duplicate=False, events=out)


def ingest_bytes(app: App, raw: bytes, filename: str, prov: Provenance, actor: str) -> Ingested:
    """Read, extract and store one document; raises InputError and stores nothing if bad."""
    doc = read_document(raw, filename, max_bytes=app.settings.max_document_bytes)
    date = prov.document_date or doc.document_date or app.clock.now()
    return store_document(app, doc, extract(doc.text, date), prov, actor)
