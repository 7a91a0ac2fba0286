"""After-action review of one case or of a period: lead times, who heeded, waivers, parity
flags and escalations, each figure with the audit entries it rests on.

Built beside the case timeline (``workflow/timeline.py``), which tells one case's story;
this counts. Every figure names the records (``refs``) and the audit sequence numbers
(``audit``) behind it, so an auditor can check it against ``tearline audit log``. The
review is internal, but follows the case pages' compartment rule: a case the viewer may
not see is not in a period's figures at all. No report text, source or protected term is
read into it: only times, references, recipients, tiers, channels and codes.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tearline.errors import InputError
from tearline.ids import Kind, format_id
from tearline.store import tables as t
from tearline.workflow.access import load_visible, visible_threats
from tearline.workflow.app import App
from tearline.workflow.users import Identity

# How a recipient's latest answer reads in the review.
OUTCOMES = ("heeded", "disputed", "asked_for_more", "unanswered")
_OUTCOME_OF = {
    "received": "heeded",
    "acting": "heeded",
    "measures_taken": "heeded",
    "measures_relaxed": "heeded",  # measures were in place to be relaxed
    "disputed": "disputed",
    "more_info": "asked_for_more",
}
ACKNOWLEDGED = ("received", "acting", "measures_taken")
# The lead-time steps a period summarises (each since the case's first report).
STEPS = ("determination", "release_approval", "delivery", "acknowledgement")
_DELIVERY_ACTIONS = ("delivery.sent", "delivery.handed_over", "delivery.dead")


def duration(seconds: float) -> str:
    """A lead time as people read it: ``3 h 10 min``, ``13 d 1 h``, ``0 min``."""
    sign = "-" if seconds < 0 else ""
    rest = int(abs(seconds))
    days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {rest // 60} min"
    return f"{sign}{rest // 60} min"


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class _AuditIndex:
    """The audit entries behind a set of records, by the record's reference."""

    def __init__(self, s: Session, refs: Iterable[str], since: datetime | None) -> None:
        self.by_ref: dict[str, list[int]] = defaultdict(list)
        wanted = sorted(set(refs))
        for i in range(0, len(wanted), 500):
            rows = s.execute(
                select(t.AuditEntry.seq, t.AuditEntry.subject).where(
                    t.AuditEntry.subject.in_(wanted[i : i + 500])
                )
            )
            for seq, subject in rows:
                self.by_ref[subject].append(seq)
        if since is not None:  # the worker records a round's deliveries in one entry
            rows2 = s.execute(
                select(t.AuditEntry.seq, t.AuditEntry.subject, t.AuditEntry.details).where(
                    t.AuditEntry.action.in_(_DELIVERY_ACTIONS), t.AuditEntry.at >= since
                )
            )
            for seq, subject, details in rows2:
                listed = json.loads(details) if subject.count("+") else {}
                for group in listed.values():
                    for ref in group if isinstance(group, list) else ():
                        self.by_ref[ref].append(seq)
        for seqs in self.by_ref.values():
            seqs.sort()

    def of(self, *refs: str) -> list[int]:
        return sorted({seq for r in refs for seq in self.by_ref.get(r, ())})


def _step(step: str, at: datetime, first: datetime, refs: list[str], **more: Any) -> dict[str, Any]:
    seconds = (at - first).total_seconds()
    return {
        "step": step,
        "at": at.isoformat(),
        "after_report_s": int(seconds),
        "after_report": duration(seconds),
        "refs": refs,
        **more,
    }


def _case_records(s: Session, th: t.Threat) -> dict[str, Any]:
    reports = sorted({e.report for e in th.events}, key=lambda r: (r.received_at, r.id))
    dets = s.scalars(
        select(t.Determination)
        .where(t.Determination.threat_id == th.id)
        .order_by(t.Determination.id)
    ).all()
    rels = s.scalars(
        select(t.Release).where(t.Release.threat_id == th.id).order_by(t.Release.id)
    ).all()
    warnings = s.scalars(
        select(t.WarningRecord)
        .where(t.WarningRecord.threat_id == th.id, t.WarningRecord.released_at.is_not(None))
        .order_by(t.WarningRecord.id)
    ).all()
    ids = [w.id for w in warnings]
    deliveries = (
        s.scalars(
            select(t.Delivery).where(t.Delivery.warning_id.in_(ids)).order_by(t.Delivery.id)
        ).all()
        if ids
        else []
    )
    responses = (
        s.scalars(
            select(t.Response).where(t.Response.warning_id.in_(ids)).order_by(t.Response.id)
        ).all()
        if ids
        else []
    )
    escalations = s.scalars(
        select(t.Escalation).where(t.Escalation.threat_id == th.id).order_by(t.Escalation.id)
    ).all()
    return {
        "reports": reports,
        "determinations": dets,
        "releases": rels,
        "warnings": warnings,
        "deliveries": deliveries,
        "responses": responses,
        "escalations": escalations,
    }


def _refs_of(rec: dict[str, Any]) -> list[str]:
    kinds = {
        "reports": Kind.REPORT,
        "determinations": Kind.DETERMINATION,
        "releases": Kind.RELEASE,
        "warnings": Kind.WARNING,
        "deliveries": Kind.DELIVERY,
        "responses": Kind.RESPONSE,
        "escalations": Kind.ESCALATION,
    }
    return [format_id(k, row.id) for key, k in kinds.items() for row in rec[key]]


def _lead_times(rec: dict[str, Any], ix: _AuditIndex, first: datetime, fref: str) -> list[Any]:
    out: list[dict[str, Any]] = []
    if rec["determinations"]:
        d = min(rec["determinations"], key=lambda d: (d.decided_at, d.id))
        ref = format_id(Kind.DETERMINATION, d.id)
        out.append(_step("determination", _utc(d.decided_at), first, [ref], audit=ix.of(fref, ref)))
    approved = [r for r in rec["releases"] if r.approved_at is not None]
    if approved:
        r = min(approved, key=lambda r: (r.approved_at, r.id))
        ref = format_id(Kind.RELEASE, r.id)
        out.append(
            _step("release_approval", _utc(r.approved_at), first, [ref], audit=ix.of(fref, ref))
        )
    names = {w.id: w.recipient.name for w in rec["warnings"]}
    for dl in rec["deliveries"]:
        if dl.delivered_at is None:
            continue
        ref = format_id(Kind.DELIVERY, dl.id)
        out.append(
            _step(
                "delivery",
                _utc(dl.delivered_at),
                first,
                [ref, format_id(Kind.WARNING, dl.warning_id)],
                recipient=names[dl.warning_id],
                channel=dl.channel,
                audit=ix.of(fref, ref),
            )
        )
    for resp in rec["responses"]:
        if resp.kind not in ACKNOWLEDGED:
            continue
        ref = format_id(Kind.RESPONSE, resp.id)
        out.append(
            _step(
                "acknowledgement",
                _utc(resp.received_at),
                first,
                [ref, format_id(Kind.WARNING, resp.warning_id)],
                recipient=names[resp.warning_id],
                kind=resp.kind,
                audit=ix.of(fref, ref),
            )
        )
    out.sort(key=lambda e: (e["at"], STEPS.index(e["step"])))
    return out


def _answers(rec: dict[str, Any], ix: _AuditIndex) -> list[dict[str, Any]]:
    """One line per recipient of the case: their latest answer to any of its warnings."""
    channels: dict[int, set[str]] = defaultdict(set)
    for dl in rec["deliveries"]:
        channels[dl.warning_id].add(dl.channel)
    latest: dict[int, t.Response] = {}
    for resp in rec["responses"]:  # by ID: the last one recorded wins
        latest[resp.warning_id] = resp
    by_recipient: dict[int, dict[str, Any]] = {}
    for w in rec["warnings"]:
        line = by_recipient.setdefault(
            w.recipient_id,
            {
                "recipient": w.recipient.name,
                "tier": w.recipient.tier,
                "channels": set(),
                "warnings": [],
                "answer": None,
                "outcome": "unanswered",
                "refs": [],
                "_at": None,
            },
        )
        wref = format_id(Kind.WARNING, w.id)
        line["warnings"].append(wref)
        line["channels"] |= channels[w.id]
        resp = latest.get(w.id)
        if resp is not None and (line["_at"] is None or (resp.received_at, resp.id) > line["_at"]):
            line["_at"] = (resp.received_at, resp.id)
            line["answer"] = resp.kind
            line["outcome"] = _OUTCOME_OF.get(resp.kind, "heeded")
            line["refs"] = [format_id(Kind.RESPONSE, resp.id)]
    out = []
    for line in by_recipient.values():
        line.pop("_at")
        line["channels"] = sorted(line["channels"])
        line["audit"] = ix.of(*line["warnings"], *line["refs"])
        line["refs"] = [*line["warnings"], *line["refs"]]
        out.append(line)
    return sorted(out, key=lambda a: a["recipient"])


def _rates(answers: Sequence[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Heeded / disputed / asked-for-more / unanswered, counted and as shares, by tier or
    by channel (a recipient reached through two channels counts under each)."""
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    refs: dict[str, list[str]] = defaultdict(list)
    for a in answers:
        for g in a[key] if isinstance(a[key], list) else [a[key]]:
            groups[g][a["outcome"]] += 1
            refs[g].extend(a["refs"])
    out = []
    for g in sorted(groups):
        total = sum(groups[g].values())
        out.append(
            {
                "group": g,
                "total": total,
                **{o: groups[g][o] for o in OUTCOMES},
                "rates": {o: round(groups[g][o] / total, 3) for o in OUTCOMES},
                "refs": refs[g],
            }
        )
    return out


def _decisions(rec: dict[str, Any], ix: _AuditIndex) -> dict[str, list[dict[str, Any]]]:
    waivers, parity = [], []
    for d in rec["determinations"]:
        ref = format_id(Kind.DETERMINATION, d.id)
        if d.outcome == "waive":
            waivers.append(
                {
                    "code": d.waiver_code or "(none)",
                    "status": d.status,
                    "approved_by": d.approved_by,
                    "refs": [ref],
                    "audit": ix.of(ref),
                }
            )
        if (d.parity or {}).get("flagged"):
            parity.append(
                {
                    "reason": str(d.parity.get("reason", "")),
                    "status": d.status,
                    "refs": [ref],
                    "audit": ix.of(ref),
                }
            )
    return {"waivers": waivers, "parity_flags": parity}


def _escalations(rec: dict[str, Any], ix: _AuditIndex) -> list[dict[str, Any]]:
    out = []
    for e in rec["escalations"]:
        ref = format_id(Kind.ESCALATION, e.id)
        out.append(
            {
                "action": e.action,
                "rule": e.rule,
                "ended": e.status,
                "resolved_by": e.resolved_by,
                "resolved_at": _utc(e.resolved_at).isoformat() if e.resolved_at else None,
                "refs": [ref],
                "audit": ix.of(ref),
            }
        )
    return out


def _deliveries(rec: dict[str, Any], ix: _AuditIndex) -> list[dict[str, Any]]:
    names = {w.id: w.recipient.name for w in rec["warnings"]}
    out = []
    for dl in rec["deliveries"]:
        ref = format_id(Kind.DELIVERY, dl.id)
        at = dl.delivered_at or dl.created_at
        out.append(
            {
                "at": _utc(at).isoformat(),
                "status": dl.status,
                "channel": dl.channel,
                "recipient": names[dl.warning_id],
                "refs": [ref],
                "audit": ix.of(ref),
            }
        )
    return out


def review_of_case(s: Session, th: t.Threat) -> dict[str, Any]:
    """The review of one case the caller has already found visible."""
    rec = _case_records(s, th)
    since = min((d.created_at for d in rec["deliveries"]), default=None)
    ix = _AuditIndex(s, _refs_of(rec), since)
    ref = format_id(Kind.THREAT, th.id)
    if rec["reports"]:
        r = rec["reports"][0]
        fref = format_id(Kind.REPORT, r.id)
        first = {"at": _utc(r.received_at).isoformat(), "refs": [fref], "audit": ix.of(fref)}
        first_at = _utc(r.received_at)
    else:  # a case with no report left (all moved to another case): count from its opening
        fref, first_at = ref, _utc(th.created_at)
        first = {"at": first_at.isoformat(), "refs": [ref], "audit": []}
    answers = _answers(rec, ix)
    return {
        "ref": ref,
        "title": th.title,
        "status": th.status,
        "first_report": first,
        "lead_times": _lead_times(rec, ix, first_at, fref),
        "answers": answers,
        "by_tier": _rates(answers, "tier"),
        "by_channel": _rates(answers, "channels"),
        **_decisions(rec, ix),
        "escalations": _escalations(rec, ix),
        "deliveries": _deliveries(rec, ix),
    }


def _summary(cases: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Median and worst of each step's lead time across cases (each case's first)."""
    out = []
    for step in STEPS:
        firsts = []
        for c in cases:
            got = [e for e in c["lead_times"] if e["step"] == step]
            if got:
                firsts.append((got[0]["after_report_s"], c["ref"], got[0]))
        if not firsts:
            out.append({"step": step, "cases": 0, "median_s": None, "worst_s": None})
            continue
        worst = max(firsts, key=lambda f: f[0])
        med = median(f[0] for f in firsts)
        out.append(
            {
                "step": step,
                "cases": len(firsts),
                "median_s": int(med),
                "median": duration(med),
                "worst_s": worst[0],
                "worst": duration(worst[0]),
                "worst_case": worst[1],
                "audit": sorted({s for f in firsts for s in f[2]["audit"]}),
            }
        )
    return out


def _bucketed(deliveries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Deliveries over time by status: by hour across up to two days, else by day."""
    if not deliveries:
        return {"unit": "day", "statuses": [], "buckets": []}
    times = [datetime.fromisoformat(d["at"]) for d in deliveries]
    hourly = max(times) - min(times) <= timedelta(days=2)
    fmt = "%Y-%m-%d %H:00" if hourly else "%Y-%m-%d"
    statuses = sorted({d["status"] for d in deliveries})
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for d, at in zip(deliveries, times, strict=True):
        counts[at.astimezone(UTC).strftime(fmt)][d["status"]] += 1
    buckets = [{"label": k, **{st: counts[k][st] for st in statuses}} for k in sorted(counts)]
    return {"unit": "hour" if hourly else "day", "statuses": statuses, "buckets": buckets}


def _period_counts(cases: Sequence[dict[str, Any]]) -> dict[str, Any]:
    waivers: dict[str, list[str]] = defaultdict(list)
    escalations: dict[tuple[str, str], list[str]] = defaultdict(list)
    for c in cases:
        for w in c["waivers"]:
            waivers[w["code"]].extend(w["refs"])
        for e in c["escalations"]:
            escalations[(e["action"], e["ended"])].extend(e["refs"])
    return {
        "waivers_by_code": [
            {"code": k, "count": len(v), "refs": v} for k, v in sorted(waivers.items())
        ],
        "escalations_by_end": [
            {"action": a, "ended": e, "count": len(v), "refs": v}
            for (a, e), v in sorted(escalations.items())
        ],
        "parity_flags": sum(len(c["parity_flags"]) for c in cases),
    }


def case_review(app: App, threat_ref: str, viewer: Identity | None) -> dict[str, Any]:
    """The after-action review of one case the viewer may see (NotFound otherwise)."""
    with app.read() as s:
        th: t.Threat = load_visible(s, threat_ref, viewer, Kind.THREAT)
        case = review_of_case(s, th)
    return {
        "scope": "case",
        "generated_at": app.clock.now().isoformat(),
        **case,
        "chart": _bucketed(case["deliveries"]),
    }


def period_review(
    app: App, viewer: Identity | None, start: datetime | None, end: datetime | None
) -> dict[str, Any]:
    """The review of every case opened in [start, end) that the viewer may see."""
    if start is not None and end is not None and start >= end:
        raise InputError(f"the period must start before it ends ({start} is not before {end})")
    with app.read() as s:
        query = select(t.Threat).where(visible_threats(viewer), t.Threat.merged_into_id.is_(None))
        if start is not None:
            query = query.where(t.Threat.created_at >= start)
        if end is not None:
            query = query.where(t.Threat.created_at < end)
        cases = [review_of_case(s, th) for th in s.scalars(query.order_by(t.Threat.id))]
    answers = [a for c in cases for a in c["answers"]]
    deliveries = [d for c in cases for d in c["deliveries"]]
    return {
        "scope": "period",
        "generated_at": app.clock.now().isoformat(),
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        "cases": cases,
        "lead_time_summary": _summary(cases),
        "by_tier": _rates(answers, "tier"),
        "by_channel": _rates(answers, "channels"),
        **_period_counts(cases),
        "chart": _bucketed(deliveries),
    }


def export_review(
    app: App,
    viewer: Identity | None,
    fmt: str,
    *,
    by: str,
    threat_ref: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> bytes:
    """The review of a case (``threat_ref``) or a period as a file: html, pdf or json.

    Every export is audited (who, which format, which cases): the review is an internal
    document, and a file leaves the desk's compartment checks behind it."""
    from tearline.review import FORMATS, render_html, render_pdf

    if fmt not in FORMATS:
        raise InputError(f"unknown review format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if threat_ref is not None:
        review = case_review(app, threat_ref, viewer)
        refs = [review["ref"]]
    else:
        review = period_review(app, viewer, start, end)
        refs = [c["ref"] for c in review["cases"]]
    if fmt == "json":
        content = (json.dumps(review, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    elif fmt == "html":
        content = render_html(review).encode("utf-8")
    else:
        content = render_pdf(review)
    with app.unit() as u:
        u.audit(
            by,
            "review.exported",
            refs[0] if threat_ref is not None else "review",
            {
                "format": fmt,
                "cases": refs,
                "from": review.get("from"),
                "to": review.get("to"),
                "sha256": hashlib.sha256(content).hexdigest(),
            },
        )
    return content


def period_bounds(
    start: str | None, end: str | None, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """A period as typed (ISO 8601 or '1 Mar', '7 days ago'), either end open; the end is
    not included."""
    from tearline.dates import read_when

    def read(text: str | None, what: str) -> datetime | None:
        if text is None or not text.strip():
            return None
        return read_when(text, reference=now, prefer="past", what=what)

    return read(start, "from"), read(end, "to")
