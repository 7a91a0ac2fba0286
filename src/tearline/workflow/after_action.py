"""After-action review of one case or of a period: lead times, who heeded, waivers, parity
flags and escalations, each figure with the audit entries it rests on.

Built beside the case timeline (``workflow/timeline.py``), which tells one case's story;
this counts. Every figure names the records (``refs``) and the audit sequence numbers
(``audit``) behind it, so an auditor can check it against ``tearline audit log``. The
review is internal, but follows the case pages' compartment rule: a case the viewer may
not see is not in a period's figures at all. No report text, source or protected term is
read into it: only times, references, recipients, tiers, channels and codes. The figures
of each case are read in ``workflow/after_action_case.py``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tearline.errors import InputError
from tearline.ids import Kind, format_id
from tearline.store import tables as t
from tearline.workflow import after_action_case as ac
from tearline.workflow.access import load_visible, visible_threats
from tearline.workflow.app import App
from tearline.workflow.users import Identity

ACKNOWLEDGED = ac.ACKNOWLEDGED
OUTCOMES = ac.OUTCOMES
STEPS = ac.STEPS
duration = ac.duration


def _review(rec: ac.CaseRecords, ix: ac.AuditIndex) -> dict[str, Any]:
    th = rec.threat
    ref = format_id(Kind.THREAT, th.id)
    if rec.reports:
        r = rec.reports[0]
        fref, first_at = format_id(Kind.REPORT, r.id), ac.utc(r.received_at)
        first = {"at": first_at.isoformat(), "refs": [fref], "audit": ix.of(fref)}
    else:  # every report moved to another case: count from the case's opening
        fref, first_at = ref, ac.utc(th.created_at)
        first = {"at": first_at.isoformat(), "refs": [ref], "audit": []}
    lines = ac.answers(rec, ix)
    return {
        "ref": ref,
        "title": th.title,
        "status": th.status,
        "first_report": first,
        "lead_times": ac.lead_times(rec, ix, first_at, fref),
        "answers": lines,
        "by_tier": ac.rates(lines, "tier"),
        "by_channel": ac.rates(lines, "channels"),
        **ac.decisions(rec, ix),
        "escalations": ac.escalations(rec, ix),
        "deliveries": ac.deliveries(rec, ix),
    }


def _reviews(
    s: Session, threats: Sequence[t.Threat]
) -> tuple[list[dict[str, Any]], list[tuple[datetime, str]]]:
    """Each case's review (one audit look-up for them all) and every delivery's moment."""
    records = [ac.load_case(s, th) for th in threats]
    since = min((q for r in records if (q := r.first_queued()) is not None), default=None)
    ix = ac.AuditIndex(s, [ref for r in records for ref in r.refs()], since)
    return [_review(r, ix) for r in records], [x for r in records for x in r.times]


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


def _bucketed(times: Sequence[tuple[datetime, str]]) -> dict[str, Any]:
    """Deliveries over time by status: by hour across up to two days, else by day."""
    if not times:
        return {"unit": "day", "statuses": [], "buckets": []}
    hourly = max(at for at, _ in times) - min(at for at, _ in times) <= timedelta(days=2)
    fmt = "%Y-%m-%d %H:00" if hourly else "%Y-%m-%d"
    statuses = sorted({status for _, status in times})
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for at, status in times:
        counts[at.astimezone(UTC).strftime(fmt)][status] += 1
    buckets = [{"label": k, **{st: counts[k][st] for st in statuses}} for k in sorted(counts)]
    return {"unit": "hour" if hourly else "day", "statuses": statuses, "buckets": buckets}


def _period_counts(cases: Sequence[dict[str, Any]]) -> dict[str, Any]:
    waivers: dict[str, list[dict[str, Any]]] = defaultdict(list)
    ended: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for c in cases:
        for w in c["waivers"]:
            waivers[w["code"]].append(w)
        for e in c["escalations"]:
            ended[(e["action"], e["ended"])].append(e)

    def traced(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "count": len(rows),
            "refs": [r for row in rows for r in row["refs"]],
            "audit": sorted({seq for row in rows for seq in row["audit"]}),
        }

    return {
        "waivers_by_code": [{"code": k, **traced(v)} for k, v in sorted(waivers.items())],
        "escalations_by_end": [
            {"action": a, "ended": e, **traced(v)} for (a, e), v in sorted(ended.items())
        ],
        "parity_flags": sum(len(c["parity_flags"]) for c in cases),
    }


def case_review(app: App, threat_ref: str, viewer: Identity | None) -> dict[str, Any]:
    """The after-action review of one case the viewer may see (NotFound otherwise)."""
    with app.read() as s:
        th: t.Threat = load_visible(s, threat_ref, viewer, Kind.THREAT)
        (case,), times = _reviews(s, [th])
    return {
        "scope": "case",
        "generated_at": app.clock.now().isoformat(),
        **case,
        "chart": _bucketed(times),
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
        cases, times = _reviews(s, s.scalars(query.order_by(t.Threat.id)).all())
    answers = [a for c in cases for a in c["answers"]]
    return {
        "scope": "period",
        "generated_at": app.clock.now().isoformat(),
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        "cases": cases,
        "lead_time_summary": _summary(cases),
        "by_tier": ac.rates(answers, "tier"),
        "by_channel": ac.rates(answers, "channels"),
        **_period_counts(cases),
        "chart": _bucketed(times),
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
