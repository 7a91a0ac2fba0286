"""The after-action figures of each case, read from its records, with the audit entries
behind each figure (``workflow/after_action.py`` puts them together for a case or a period).

Deliveries are read grouped by warning, channel and status in SQL: a public alert sent to
100,000 people is a few rows here, its first delivery the lead time, its count beside it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tearline.ids import Kind, format_id
from tearline.store import tables as t

OUTCOMES = ("heeded", "disputed", "asked_for_more", "unanswered")
# How a recipient's latest answer reads in the review.
_OUTCOME_OF = {
    "received": "heeded",
    "acting": "heeded",
    "measures_taken": "heeded",
    "measures_relaxed": "heeded",  # measures were in place to be relaxed
    "disputed": "disputed",
    "more_info": "asked_for_more",
}
ACKNOWLEDGED = ("received", "acting", "measures_taken")
# The lead-time steps, each counted from the case's first report.
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


def utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@dataclass
class DeliveryGroup:
    """The deliveries of one warning through one channel that share a status."""

    warning_id: int
    channel: str
    status: str
    count: int
    first_id: int  # the earliest delivered (or, when none was, the first queued)
    first_at: datetime | None
    last_at: datetime | None


@dataclass
class CaseRecords:
    threat: t.Threat
    reports: list[t.Report]
    determinations: Sequence[t.Determination]
    releases: Sequence[t.Release]
    warnings: Sequence[t.WarningRecord]
    deliveries: list[DeliveryGroup]
    responses: Sequence[t.Response]
    escalations: Sequence[t.Escalation]
    # every delivery's moment (delivered, else queued) and status: for the chart only
    times: list[tuple[datetime, str]] = field(default_factory=list)

    def refs(self) -> list[str]:
        out = [format_id(Kind.REPORT, r.id) for r in self.reports]
        out += [format_id(Kind.DETERMINATION, d.id) for d in self.determinations]
        out += [format_id(Kind.RELEASE, r.id) for r in self.releases]
        out += [format_id(Kind.WARNING, w.id) for w in self.warnings]
        out += [format_id(Kind.DELIVERY, g.first_id) for g in self.deliveries]
        out += [format_id(Kind.RESPONSE, r.id) for r in self.responses]
        return out + [format_id(Kind.ESCALATION, e.id) for e in self.escalations]

    def first_queued(self) -> datetime | None:
        return min((at for at, _ in self.times), default=None)


def _delivery_groups(s: Session, ids: list[int]) -> list[DeliveryGroup]:
    d = t.Delivery
    rows = s.execute(
        select(
            d.warning_id,
            d.channel,
            d.status,
            func.count(),
            func.min(d.delivered_at),
            func.max(d.delivered_at),
            func.min(d.id),
        )
        .where(d.warning_id.in_(ids))
        .group_by(d.warning_id, d.channel, d.status)
    ).all()
    out = []
    for wid, channel, status, count, first, last, lowest in rows:
        first_id = lowest
        if first is not None and count > 1:  # the delivery that made the lead time
            first_id = (
                s.scalar(
                    select(func.min(d.id)).where(
                        d.warning_id == wid,
                        d.channel == channel,
                        d.status == status,
                        d.delivered_at == first,
                    )
                )
                or lowest
            )
        out.append(
            DeliveryGroup(
                wid,
                channel,
                status,
                count,
                first_id,
                utc(first) if first else None,
                utc(last) if last else None,
            )
        )
    return sorted(out, key=lambda g: (g.warning_id, g.channel, g.status))


def load_case(s: Session, th: t.Threat) -> CaseRecords:
    """The records one case's review reads (released warnings only)."""

    def rows(table: Any, column: Any, value: Any) -> Sequence[Any]:
        return s.scalars(select(table).where(column == value).order_by(table.id)).all()

    warnings = s.scalars(
        select(t.WarningRecord)
        .where(t.WarningRecord.threat_id == th.id, t.WarningRecord.released_at.is_not(None))
        .order_by(t.WarningRecord.id)
    ).all()
    ids = [w.id for w in warnings]
    responses: Sequence[t.Response] = []
    groups: list[DeliveryGroup] = []
    times: list[tuple[datetime, str]] = []
    if ids:
        responses = s.scalars(
            select(t.Response).where(t.Response.warning_id.in_(ids)).order_by(t.Response.id)
        ).all()
        groups = _delivery_groups(s, ids)
        moment = func.coalesce(t.Delivery.delivered_at, t.Delivery.created_at)
        times = [
            (utc(at), status)
            for at, status in s.execute(
                select(moment, t.Delivery.status).where(t.Delivery.warning_id.in_(ids))
            )
        ]
    return CaseRecords(
        threat=th,
        reports=sorted({e.report for e in th.events}, key=lambda r: (r.received_at, r.id)),
        determinations=rows(t.Determination, t.Determination.threat_id, th.id),
        releases=rows(t.Release, t.Release.threat_id, th.id),
        warnings=warnings,
        deliveries=groups,
        responses=responses,
        escalations=rows(t.Escalation, t.Escalation.threat_id, th.id),
        times=times,
    )


class AuditIndex:
    """The audit entries behind a set of records, by the record's reference."""

    def __init__(self, s: Session, refs: Iterable[str], since: datetime | None) -> None:
        self.by_ref: dict[str, set[int]] = defaultdict(set)
        wanted = sorted(set(refs))
        for i in range(0, len(wanted), 500):
            found = s.execute(
                select(t.AuditEntry.seq, t.AuditEntry.subject).where(
                    t.AuditEntry.subject.in_(wanted[i : i + 500])
                )
            )
            for seq, subject in found:
                self.by_ref[subject].add(seq)
        if since is None:
            return
        # The worker records a round's deliveries in one entry, listing them in its details.
        deliveries = {r for r in wanted if r.startswith(f"{Kind.DELIVERY.value}-")}
        batches = s.execute(
            select(t.AuditEntry.seq, t.AuditEntry.details).where(
                t.AuditEntry.action.in_(_DELIVERY_ACTIONS),
                t.AuditEntry.subject.contains("+"),
                t.AuditEntry.at >= since,
            )
        )
        for seq, details in batches:
            for group in json.loads(details).values():
                for ref in group if isinstance(group, list) else ():
                    if ref in deliveries:
                        self.by_ref[ref].add(seq)

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


def lead_times(rec: CaseRecords, ix: AuditIndex, first: datetime, fref: str) -> list[Any]:
    out: list[dict[str, Any]] = []
    if rec.determinations:
        d = min(rec.determinations, key=lambda d: (d.decided_at, d.id))
        ref = format_id(Kind.DETERMINATION, d.id)
        out.append(_step("determination", utc(d.decided_at), first, [ref], audit=ix.of(fref, ref)))
    approved = [r for r in rec.releases if r.approved_at is not None]
    if approved:
        r = min(approved, key=lambda r: (r.approved_at, r.id))
        ref = format_id(Kind.RELEASE, r.id)
        at = utc(r.approved_at)  # type: ignore[arg-type]
        out.append(_step("release_approval", at, first, [ref], audit=ix.of(fref, ref)))
    names = {w.id: w.recipient.name for w in rec.warnings}
    for g in rec.deliveries:
        if g.first_at is None:
            continue
        ref = format_id(Kind.DELIVERY, g.first_id)
        more: dict[str, Any] = {"recipient": names[g.warning_id], "channel": g.channel}
        if g.count > 1 and g.last_at is not None:  # a group alert: its first and its last
            more |= {
                "count": g.count,
                "last_after_report": duration((g.last_at - first).total_seconds()),
            }
        refs = [ref, format_id(Kind.WARNING, g.warning_id)]
        out.append(_step("delivery", g.first_at, first, refs, audit=ix.of(fref, ref), **more))
    for resp in rec.responses:
        if resp.kind not in ACKNOWLEDGED:
            continue
        ref = format_id(Kind.RESPONSE, resp.id)
        refs = [ref, format_id(Kind.WARNING, resp.warning_id)]
        more = {"recipient": names[resp.warning_id], "kind": resp.kind}
        at = utc(resp.received_at)
        out.append(_step("acknowledgement", at, first, refs, audit=ix.of(fref, ref), **more))
    out.sort(key=lambda e: (e["at"], STEPS.index(e["step"])))
    return out


def answers(rec: CaseRecords, ix: AuditIndex) -> list[dict[str, Any]]:
    """One line per recipient of the case: their latest answer to any of its warnings."""
    channels: dict[int, set[str]] = defaultdict(set)
    for g in rec.deliveries:
        channels[g.warning_id].add(g.channel)
    latest: dict[int, t.Response] = {}
    for resp in rec.responses:  # by ID: the last one recorded wins
        latest[resp.warning_id] = resp
    lines: dict[int, dict[str, Any]] = {}
    when: dict[int, tuple[datetime, int]] = {}
    for w in rec.warnings:
        line = lines.setdefault(
            w.recipient_id,
            {
                "recipient": w.recipient.name,
                "tier": w.recipient.tier,
                "channels": set(),
                "warnings": [],
                "answer": None,
                "outcome": "unanswered",
                "responses": [],
            },
        )
        line["warnings"].append(format_id(Kind.WARNING, w.id))
        line["channels"] |= channels[w.id]
        last = latest.get(w.id)
        if last is None:
            continue
        key = (utc(last.received_at), last.id)
        if w.recipient_id not in when or key > when[w.recipient_id]:
            when[w.recipient_id] = key
            line["answer"] = last.kind
            line["outcome"] = _OUTCOME_OF.get(last.kind, "heeded")
            line["responses"] = [format_id(Kind.RESPONSE, last.id)]
    out = []
    for line in lines.values():
        refs = [*line.pop("warnings"), *line.pop("responses")]
        out.append(
            {**line, "channels": sorted(line["channels"]), "refs": refs, "audit": ix.of(*refs)}
        )
    return sorted(out, key=lambda a: a["recipient"])


def rates(lines: Sequence[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Heeded / disputed / asked-for-more / unanswered, counted and as shares, by tier or
    by channel (a recipient reached through two channels counts under each)."""
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    refs: dict[str, list[str]] = defaultdict(list)
    seqs: dict[str, set[int]] = defaultdict(set)
    for a in lines:
        for g in a[key] if isinstance(a[key], list) else [a[key]]:
            groups[g][a["outcome"]] += 1
            refs[g].extend(a["refs"])
            seqs[g].update(a["audit"])
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
                "audit": sorted(seqs[g]),
            }
        )
    return out


def decisions(rec: CaseRecords, ix: AuditIndex) -> dict[str, list[dict[str, Any]]]:
    waivers, parity = [], []
    for d in rec.determinations:
        ref = format_id(Kind.DETERMINATION, d.id)
        base = {"status": d.status, "refs": [ref], "audit": ix.of(ref)}
        if d.outcome == "waive":
            waivers.append(
                {"code": d.waiver_code or "(none)", "approved_by": d.approved_by, **base}
            )
        if (d.parity or {}).get("flagged"):
            parity.append({"reason": str(d.parity.get("reason", "")), **base})
    return {"waivers": waivers, "parity_flags": parity}


def escalations(rec: CaseRecords, ix: AuditIndex) -> list[dict[str, Any]]:
    out = []
    for e in rec.escalations:
        ref = format_id(Kind.ESCALATION, e.id)
        out.append(
            {
                "action": e.action,
                "rule": e.rule,
                "ended": e.status,
                "resolved_by": e.resolved_by,
                "resolved_at": utc(e.resolved_at).isoformat() if e.resolved_at else None,
                "refs": [ref],
                "audit": ix.of(ref),
            }
        )
    return out


def deliveries(rec: CaseRecords, ix: AuditIndex) -> list[dict[str, Any]]:
    names = {w.id: w.recipient.name for w in rec.warnings}
    out = []
    for g in rec.deliveries:
        ref = format_id(Kind.DELIVERY, g.first_id)
        out.append(
            {
                "recipient": names[g.warning_id],
                "channel": g.channel,
                "status": g.status,
                "count": g.count,
                "first_delivered": g.first_at.isoformat() if g.first_at else None,
                "last_delivered": g.last_at.isoformat() if g.last_at else None,
                "refs": [ref, format_id(Kind.WARNING, g.warning_id)],
                "audit": ix.of(ref),
            }
        )
    return out
