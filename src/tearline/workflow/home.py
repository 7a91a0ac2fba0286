"""What waits for each person when they open the desk: the approver's queue (releases and
waivers someone else proposed), the duty officer's open cases and overdue follow-ups, and
the analyst's newest reports. Each section only for a role that acts on it, and only over
cases the person may see (compartments).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tearline.ids import Kind, format_id
from tearline.store import tables as t
from tearline.workflow.access import threat_visible
from tearline.workflow.app import App
from tearline.workflow.desk import QUEUE_STATUSES, inbox, iso, triage_queue
from tearline.workflow.supersede import follow_up_owed
from tearline.workflow.users import Identity, Role

SHOWN = 20  # rows per section: the full lists are one link away


@dataclass(frozen=True)
class Home:
    """One person's sections; a section is None when the person holds no role for it."""

    approvals: list[dict[str, Any]] | None = None
    own_proposals: list[dict[str, Any]] | None = None
    cases: list[dict[str, Any]] | None = None
    follow_ups: list[dict[str, Any]] | None = None
    reports: list[dict[str, Any]] | None = None
    counts: dict[str, int] = field(default_factory=dict)


def _titles(s: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(s.execute(select(t.Threat.id, t.Threat.title).where(t.Threat.id.in_(ids))).all())


def _waiting(s: Session, who: Identity) -> list[dict[str, Any]]:
    """Proposed releases and determinations (waivers, supersedes), oldest first."""
    releases = s.execute(
        select(
            t.Release.id,
            t.Release.threat_id,
            t.Release.proposed_by,
            t.Release.proposed_at,
            func.count(t.WarningRecord.id),
        )
        .outerjoin(t.WarningRecord, t.WarningRecord.release_id == t.Release.id)
        .where(t.Release.status == "proposed", threat_visible(t.Release.threat_id, who))
        .group_by(t.Release.id)
        .order_by(t.Release.proposed_at)
    ).all()
    determinations = s.execute(
        select(
            t.Determination.id,
            t.Determination.threat_id,
            t.Determination.decided_by,
            t.Determination.decided_at,
            t.Determination.outcome,
            t.Determination.waiver_code,
            t.Determination.supersedes_id,
        )
        .where(
            t.Determination.status == "proposed",
            threat_visible(t.Determination.threat_id, who),
        )
        .order_by(t.Determination.decided_at)
    ).all()
    titles = _titles(s, {r[1] for r in releases} | {d[1] for d in determinations})
    rows = [
        {
            "ref": format_id(Kind.RELEASE, rid),
            "what": f"release of {n} warning(s)",
            "threat": format_id(Kind.THREAT, tid),
            "title": titles.get(tid, ""),
            "by": by,
            "at": iso(at),
            "href": f"/threats/{format_id(Kind.THREAT, tid)}/release",
        }
        for rid, tid, by, at, n in releases
    ]
    for did, tid, by, at, outcome, code, supersedes in determinations:
        what = (
            f"supersede of {format_id(Kind.DETERMINATION, supersedes)}"
            if supersedes
            else f"waiver ({code or outcome})"
        )
        rows.append(
            {
                "ref": format_id(Kind.DETERMINATION, did),
                "what": what,
                "threat": format_id(Kind.THREAT, tid),
                "title": titles.get(tid, ""),
                "by": by,
                "at": iso(at),
                "href": f"/threats/{format_id(Kind.THREAT, tid)}/determination",
            }
        )
    return sorted(rows, key=lambda r: r["at"] or "")


def _follow_ups(s: Session, who: Identity) -> list[dict[str, Any]]:
    """Escalations the tracker proposed and no one has resolved, oldest first."""
    found = s.execute(
        select(
            t.Escalation.id,
            t.Escalation.threat_id,
            t.Escalation.warning_id,
            t.Escalation.action,
            t.Escalation.rule,
            t.Escalation.created_at,
        )
        .where(t.Escalation.status == "proposed", threat_visible(t.Escalation.threat_id, who))
        .order_by(t.Escalation.created_at)
        .limit(SHOWN)
    ).all()
    titles = _titles(s, {r[1] for r in found})
    return [
        {
            "ref": format_id(Kind.ESCALATION, eid),
            "threat": format_id(Kind.THREAT, tid),
            "title": titles.get(tid, ""),
            "warning": format_id(Kind.WARNING, wid) if wid else None,
            "action": action,
            "rule": rule,
            # Why it is owed, in words that cannot pass for its status ("(dismissed)" did).
            "why": f"escalation rule: {rule.replace('-', ' ')}",
            "at": iso(at),
        }
        for eid, tid, wid, action, rule, at in found
    ]


def _owed(s: Session, who: Identity) -> list[dict[str, Any]]:
    """Supersedes approved with a promise to the warned (an update or an all-clear) that
    no release has kept yet (``supersede.follow_up_owed``)."""
    found = s.scalars(
        select(t.Determination)
        .where(
            t.Determination.follow_up.in_(("update", "all-clear")),
            t.Determination.approved_at.is_not(None),
            t.Determination.status.not_in(("superseded", "withdrawn")),
            threat_visible(t.Determination.threat_id, who),
        )
        .order_by(t.Determination.approved_at)
        .limit(SHOWN)
    ).all()
    owed = [d for d in found if follow_up_owed(s, d)]
    titles = _titles(s, {d.threat_id for d in owed})
    return [
        {
            "ref": format_id(Kind.DETERMINATION, d.id),
            "threat": format_id(Kind.THREAT, d.threat_id),
            "title": titles.get(d.threat_id, ""),
            "warning": None,
            "action": f"{d.follow_up} owed",
            "rule": "supersede approved",
            "why": "promised when the supersede was approved",
            "at": iso(d.approved_at),
        }
        for d in owed
    ]


def home(app: App, who: Identity) -> Home:
    """The sections ``who`` acts on, each at most ``SHOWN`` rows long."""
    approvals = own = cases = follow_ups = reports = None
    counts: dict[str, int] = {}
    if who.has(Role.APPROVER) or who.has(Role.DUTY_OFFICER):
        with app.read() as s:
            waiting = _waiting(s, who)
            if who.has(Role.APPROVER):
                # Not one's own: the two-person rule; those are listed apart.
                approvals = [w for w in waiting if w["by"] != who.username]
                counts["approvals"] = len(approvals)
                approvals = approvals[:SHOWN]
            own = [w for w in waiting if w["by"] == who.username][:SHOWN]
            if who.has(Role.DUTY_OFFICER):
                follow_ups = sorted(
                    _follow_ups(s, who) + _owed(s, who), key=lambda f: f["at"] or ""
                )[:SHOWN]
    if who.has(Role.DUTY_OFFICER):
        cases = triage_queue(app, who, statuses=QUEUE_STATUSES, limit=SHOWN)
    if who.has(Role.ANALYST):
        reports = inbox(app, who, limit=SHOWN)
    return Home(approvals, own, cases, follow_ups, reports, counts)
