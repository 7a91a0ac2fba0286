"""Read-only views of the record for the faces: lists, one record in full, the audit chain."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from tearline.ids import Kind, format_id, parse_id
from tearline.markings import from_json
from tearline.store import tables as t
from tearline.workflow.access import load_visible, restrict
from tearline.workflow.app import App
from tearline.workflow.group_alerts import people_answering
from tearline.workflow.origins import case_corroboration
from tearline.workflow.reports import language_label
from tearline.workflow.users import Identity


def list_threats(
    app: App, status: str | None = None, viewer: Identity | None = None
) -> list[dict[str, Any]]:
    with app.read() as session:
        q = restrict(select(t.Threat).order_by(t.Threat.id), t.Threat, viewer)
        if status:
            q = q.where(t.Threat.status == status)
        out = []
        for th in session.scalars(q):
            a = session.scalar(
                select(t.Assessment)
                .where(t.Assessment.threat_id == th.id)
                .order_by(t.Assessment.id.desc())
            )
            f = th.facts
            out.append(
                {
                    "ref": format_id(Kind.THREAT, th.id),
                    "title": th.title,
                    "status": th.status,
                    "place": (f.get("place") or {}).get("city")
                    or (f.get("place") or {}).get("country"),
                    "window_end": (f.get("time") or {}).get("end"),
                    "reports": len({e.report_id for e in th.events}),
                    "grade": f"{a.source_reliability}{a.info_credibility}" if a else None,
                    "imminence": a.imminence if a else None,
                }
            )
        return out


def _report(r: t.Report) -> dict[str, Any]:
    return {
        "ref": format_id(Kind.REPORT, r.id),
        "title": r.title,
        "filename": r.filename,
        "media_type": r.media_type,
        "sha256": r.sha256,
        "tlp": r.tlp,
        "markings": from_json(r.rel_to).banner(),  # "" when the report carries none
        "external_id": r.external_id,  # a partner's own id for the item; None for others
        "intake_note": r.intake_note,  # e.g. "signature not verified: …"; None: nothing
        "language": r.language,
        "language_label": language_label(r.language),
        "document_date": r.document_date.isoformat(),
        "received_at": r.received_at.isoformat(),
        "source": format_id(Kind.SOURCE, r.source_id) if r.source_id else None,
        "events": [
            {
                "ref": format_id(Kind.EVENT, e.id),
                "kind": e.kind,
                "modality": e.modality,
                "threat": format_id(Kind.THREAT, e.threat_id) if e.threat_id else None,
            }
            for e in r.events
        ],
        "text": r.text,
    }


def _warning(w: t.WarningRecord) -> dict[str, Any]:
    return {
        "ref": format_id(Kind.WARNING, w.id),
        "status": w.status,
        "recipient": w.recipient.name,
        "tier": w.recipient.tier,
        "valid_until": w.valid_until.isoformat(),
        "subject": w.content.get("subject"),
        "text": w.content.get("text"),
        "changes": w.content.get("changes", []),
        "key_id": w.key_id,
        "jws": w.jws,
        "deliveries": [
            {
                "ref": format_id(Kind.DELIVERY, d.id),
                "channel": d.channel,
                "address": d.address,
                "status": d.status,
                "attempts": d.attempts,
                "last_error": d.last_error,
            }
            for d in ([] if w.recipient.kind == "group" else w.deliveries)
        ],
        **_group_deliveries(w),
    }


def _group_deliveries(w: t.WarningRecord) -> dict[str, Any]:
    """A group alert's deliveries, one per person, counted by status rather than listed."""
    session = object_session(w)
    if w.recipient.kind != "group" or session is None:
        return {}
    counts = session.execute(
        select(t.Delivery.status, func.count())
        .where(t.Delivery.warning_id == w.id)
        .group_by(t.Delivery.status)
    )
    return {"delivery_counts": dict(counts.all())}


def _threat(session: Session, th: t.Threat) -> dict[str, Any]:
    dets = session.scalars(
        select(t.Determination)
        .where(t.Determination.threat_id == th.id)
        .order_by(t.Determination.id)
    ).all()
    warnings = session.scalars(
        select(t.WarningRecord)
        .where(t.WarningRecord.threat_id == th.id)
        .order_by(t.WarningRecord.id)
    ).all()
    escalations = session.scalars(
        select(t.Escalation).where(t.Escalation.threat_id == th.id).order_by(t.Escalation.id)
    ).all()
    responses = session.scalars(
        select(t.Response)
        .join(t.WarningRecord)
        .where(t.WarningRecord.threat_id == th.id)
        .order_by(t.Response.id)
    ).all()
    answering = people_answering(session, [r.delivery_id for r in responses])
    return {
        "ref": format_id(Kind.THREAT, th.id),
        "title": th.title,
        "status": th.status,
        "facts": th.facts,
        "events": [
            {
                "ref": format_id(Kind.EVENT, e.id),
                "report": format_id(Kind.REPORT, e.report_id),
                "language": e.report.language,
                "language_label": language_label(e.report.language),
            }
            for e in th.events
        ],
        "origins": case_corroboration(session, th).why,
        "determinations": [
            {
                "ref": format_id(Kind.DETERMINATION, d.id),
                "version": d.version,
                "outcome": d.outcome,
                "status": d.status,
                "supersedes": format_id(Kind.DETERMINATION, d.supersedes_id)
                if d.supersedes_id
                else None,
                "follow_up": d.follow_up,
                "decided_by": d.decided_by,
                "approved_by": d.approved_by,
            }
            for d in dets
        ],
        "warnings": [_warning(w) for w in warnings],
        "responses": [
            {
                "ref": format_id(Kind.RESPONSE, r.id),
                "warning": format_id(Kind.WARNING, r.warning_id),
                "kind": r.kind,
                "note": r.note,
                "via": r.via,
                "person": answering.get(r.delivery_id) if r.delivery_id else None,
            }
            for r in responses
        ],
        "escalations": [
            {
                "ref": format_id(Kind.ESCALATION, e.id),
                "rule": e.rule,
                "action": e.action,
                "status": e.status,
                "detail": e.detail,
            }
            for e in escalations
        ],
    }


def show(app: App, ref: str, viewer: Identity | None = None) -> dict[str, Any]:
    """One record in full, as plain data (the CLI prints it, ``--json`` dumps it)."""
    with app.read() as session:
        row = load_visible(session, ref, viewer)
        kind, _ = parse_id(ref)
        if isinstance(row, t.Threat):
            return {"kind": "threat", **_threat(session, row)}
        if isinstance(row, t.Report):
            return {"kind": "report", **_report(row)}
        if isinstance(row, t.WarningRecord):
            return {"kind": "warning", **_warning(row)}
        data = {c.key: getattr(row, c.key) for c in row.__table__.columns}
        data = {
            k: v.isoformat() if hasattr(v, "isoformat") else _without_secrets(v)
            for k, v in data.items()
            if not isinstance(v, bytes) and not _SECRET_COLUMN.search(k)
        }
        return {"kind": kind.name.lower(), "ref": format_id(kind, row.id), **data}


# Columns no reader is shown: password and token hashes, signing secrets.
_SECRET_COLUMN = re.compile(r"password|secret|token_hash|_hash$")


def _without_secrets(value: Any) -> Any:
    """A record's data as any desk reader may see it: a webhook's signing secret is
    write-only once set (it is given to the receiver at creation, or by the recipients
    export an admin makes); the record says only that one is set."""
    if isinstance(value, dict):
        out = {k: _without_secrets(v) for k, v in value.items() if k != "secret"}
        if "secret" in value:
            out["secret_set"] = bool(value["secret"])
        return out
    if isinstance(value, list):
        return [_without_secrets(v) for v in value]
    return value


def audit_entries(app: App, limit: int = 50, subject: str | None = None) -> list[dict[str, Any]]:
    with app.read() as session:
        q = select(t.AuditEntry).order_by(t.AuditEntry.seq.desc()).limit(limit)
        if subject:
            q = q.where(t.AuditEntry.subject == subject.upper())
        rows = list(session.scalars(q))[::-1]
        return [
            {
                "seq": e.seq,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "subject": e.subject,
                "details": e.details,
                "hash": e.hash,
            }
            for e in rows
        ]


def audit_length(app: App) -> int:
    """How many entries the audit chain holds: its head's number (the chain is numbered
    from 1 without gaps; verification checks it), read from the key's index, not by
    counting every entry as ``counts`` does."""
    with app.read_rows() as conn:
        return int(conn.execute(select(func.max(t.AuditEntry.seq))).scalar() or 0)


def counts(app: App) -> dict[str, int]:
    with app.read() as session:
        tables = (t.Report, t.Threat, t.Event, t.WarningRecord, t.Delivery, t.AuditEntry)
        return {
            tb.__tablename__: session.scalar(select(func.count()).select_from(tb)) or 0
            for tb in tables
        }
