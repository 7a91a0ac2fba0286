"""Origins at ingest, and the one count of a case's independent origins.

A new report is compared with the reports received in the last ``window_days`` days, at
most ``max_candidates`` of them, the most recent first (``data/origins.toml``): ingest
stays bounded however large the store grows, and an echo is usually sent within days of
its origin. The report is stored with the earliest report of its origin and why;
grading (the determination's assessment and the desk's live one) counts origins through
``case_corroboration``, the only place that does.

A deployment tunes the thresholds and cue phrases in ``$TEARLINE_HOME/origins.toml``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tearline.assess.corroboration import CaseReport, Corroboration, count_origins
from tearline.assess.origins import (
    Fingerprint,
    Link,
    OriginRules,
    Reported,
    compare,
    fingerprint,
    load_rules,
)
from tearline.ids import Kind, format_id
from tearline.store import tables as t
from tearline.workflow.app import Unit


def origin_rules(home: Path) -> OriginRules:
    """The shipped rules, extended by the deployment's ``origins.toml`` in ``home``."""
    return load_rules(home / "origins.toml")


def _reported(r: t.Report) -> Reported:
    return Reported(
        ref=format_id(Kind.REPORT, r.id),
        text=r.text,
        source=r.source.name if r.source is not None else None,
        title=r.title,
    )


def record_origin(u: Unit, report: t.Report, rules: OriginRules, actor: str) -> Link | None:
    """Compare ``report`` (stored, flushed) with recent ones and store its origin: the
    earliest report of the origin it shares, or itself. Returns the tie, if any."""
    since = u.now - timedelta(days=rules.window_days)
    candidates = u.session.scalars(
        select(t.Report)
        .where(t.Report.id != report.id, t.Report.received_at >= since)
        .order_by(t.Report.id.desc())
        .limit(rules.max_candidates)
    ).all()
    new = fingerprint(_reported(report), rules)
    best: tuple[int, Link] | None = None
    for earlier in candidates:
        link = compare(_fingerprint(earlier, rules), new, rules)
        if link is None:
            continue
        origin = earlier.origin_id or earlier.id
        if best is None or (origin, -link.score) < (best[0], -best[1].score):
            best = (origin, link)
    if best is None:
        report.origin_id, report.origin_reason = report.id, None
        return None
    report.origin_id, report.origin_reason = best[0], best[1].why[:500]
    u.audit(
        actor,
        "report.echoes",
        format_id(Kind.REPORT, report.id),
        {"origin": format_id(Kind.REPORT, best[0]), "tie": best[1].kind},
    )
    return best[1]


def _fingerprint(r: t.Report, rules: OriginRules) -> Fingerprint:
    return fingerprint(_reported(r), rules)


def case_corroboration(session: Session, threat: t.Threat) -> Corroboration:
    """Best reliability, independent origins beyond the first, and why, for a case."""
    reports = {e.report.id: e.report for e in threat.events}
    wanted = {r.origin_id for r in reports.values() if r.origin_id} - set(reports)
    origins = dict(reports)
    if wanted:
        origins |= {
            r.id: r for r in session.scalars(select(t.Report).where(t.Report.id.in_(wanted)))
        }
    rows = []
    for r in reports.values():
        origin = origins.get(r.origin_id or r.id, r)
        src = origin.source
        rows.append(
            CaseReport(
                ref=format_id(Kind.REPORT, r.id),
                origin=format_id(Kind.REPORT, origin.id),
                origin_source=str(src.id) if src is not None else None,
                origin_reliability=src.reliability if src is not None else None,
                echo=r.origin_reason if origin.id != r.id else None,
            )
        )
    return count_origins(rows)
