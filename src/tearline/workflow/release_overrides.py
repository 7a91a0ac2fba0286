"""Tightening or loosening one fact for one recipient: the core judgement, on the record.

The duty officer may tell a recipient a fact more precisely than its tier allows (the
venue, so the police can guard it) or less (no group name, to protect a source). The
override is kept with who made it, why, and the level before and after; the draft is
rewritten and leak-checked at once; the approver sees it in the preview. An override
never makes a fact more precise than the reporting: a city stays a city.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from tearline.errors import InputError, InvalidState, LeakDetected
from tearline.ids import Kind, format_id
from tearline.model import event_from_dict
from tearline.release import FACT_LEVELS, FactOverride, MessageKind, check_override, policy_row
from tearline.release.policy import direction
from tearline.store import tables as t
from tearline.workflow import group_alerts
from tearline.workflow.app import App, Unit
from tearline.workflow.records import assessment_value, load, protected_terms
from tearline.workflow.release_drafting import (
    DraftInput,
    check_draft,
    compose,
    effective_policy,
)
from tearline.workflow.releases import Draft, draft_view, refuse
from tearline.workflow.users import Identity, Role

MIN_REASON = 10


@dataclass(frozen=True)
class OverrideView:
    fact: str
    from_level: str
    to_level: str
    direction: str  # loosened | tightened | unchanged (relative to the tier's policy)
    reason: str
    by: str
    at: datetime
    warning: str | None


def override_view(row: t.FactOverride, tier_policy: dict[str, str]) -> OverrideView:
    order = FACT_LEVELS[row.fact]
    base, new = order.index(tier_policy[row.fact]), order.index(row.to_level)
    way = "unchanged" if new == base else ("loosened" if new < base else "tightened")
    return OverrideView(
        row.fact,
        row.from_level,
        row.to_level,
        way,
        row.reason,
        row.created_by,
        row.created_at,
        format_id(Kind.WARNING, row.warning_id) if row.warning_id else None,
    )


def _draft(u: Unit, warning_ref: str) -> tuple[t.WarningRecord, t.Release, t.Threat]:
    """The draft to adjust — refused unless it awaits approval and states a threat."""
    w = load(u.session, t.WarningRecord, warning_ref, Kind.WARNING)
    wref = format_id(Kind.WARNING, w.id)
    release = u.session.get(t.Release, w.release_id)
    threat = u.session.get(t.Threat, w.threat_id)
    assert release is not None
    assert threat is not None
    if w.status != "draft" or release.status != "proposed":
        raise InvalidState(
            f"{wref} is not a draft awaiting approval; adjust the draft of a new "
            "proposal (`tearline release`) instead"
        )
    if w.content.get("kind") in ("cancel", "all_clear"):
        raise InvalidState(f"{wref} ends a warning; there are no facts to adjust")
    return w, release, threat


def _redraft(app: App, u: Unit, w: t.WarningRecord, release: t.Release, threat: t.Threat) -> None:
    a_row = u.session.get(t.Assessment, _assessment_id(u.session, release))
    assert a_row is not None
    previous = u.session.get(t.WarningRecord, w.supersedes_id) if w.supersedes_id else None
    people = group_alerts.people_of(w)  # a group alert keeps counting its people
    event = event_from_dict(threat.facts)
    d = DraftInput(
        threat,
        event,
        assessment_value(a_row),
        w.recipient,
        w.content["role"],
        MessageKind(w.content.get("kind", "alert")),
        previous,
        language=w.content.get("language"),  # as proposed: a fallback chosen stays chosen
    )
    compose(app, u, w, d)
    if people is not None:
        group_alerts.address(w, event, people)
    check_draft(w, protected_terms(u.session))


def adjust_fact(
    app: App, warning_ref: str, fact: str, level: str, who: Identity, *, reason: str
) -> Draft:
    """Set how precisely ``fact`` is told to this draft's recipient, and redraft it."""
    who.require(Role.DUTY_OFFICER, "adjust a warning")
    check_override(fact, level)
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise InputError(f"say why, in at least {MIN_REASON} characters (--reason)")
    try:
        with app.unit() as u:
            w, release, threat = _draft(u, warning_ref)
            base, current = effective_policy(app, u.session, threat.id, w.recipient)
            before = policy_row(current)[fact]
            if before == level:
                raise InputError(f"{fact} is already {level!r} for {w.recipient.name}")
            row = t.FactOverride(
                threat_id=threat.id,
                recipient_id=w.recipient_id,
                warning_id=w.id,
                fact=fact,
                from_level=before,
                to_level=level,
                reason=reason,
                created_by=who.username,
                created_at=u.now,
            )
            u.session.add(row)
            u.session.flush()
            _redraft(app, u, w, release, threat)
            u.audit(
                who.username,
                "warning.adjusted",
                format_id(Kind.WARNING, w.id),
                {
                    "release": format_id(Kind.RELEASE, release.id),
                    "recipient": format_id(Kind.RECIPIENT, w.recipient_id),
                    "fact": fact,
                    "from": before,
                    "to": level,
                    "tier_policy": policy_row(base)[fact],
                    "direction": direction(base, FactOverride(fact, level, reason, who.username)),
                    "override": row.id,
                    # The reason is kept with the override; the chain holds its digest.
                    "reason_sha256": hashlib.sha256(reason.encode()).hexdigest(),
                    "changes": w.content["changes"],
                },
            )
            return draft_view(w)
    except LeakDetected as leak:
        refuse(app, who, warning_ref.upper(), leak)
        raise


def _assessment_id(session: Session, release: t.Release) -> int:
    det = session.get(t.Determination, release.determination_id)
    assert det is not None
    return det.assessment_id
