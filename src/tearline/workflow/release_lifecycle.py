"""Ending warnings: an all-clear when the threat has passed, a withdrawal when one was wrong.

Each is a release like any other — drafted per recipient, leak-checked, approved by a
second person, signed — with CAP msgType Cancel and ``references`` to the warning it
ends (responseType AllClear for an all-clear). On approval the earlier warnings are
marked superseded; an approved all-clear closes the case.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from tearline.errors import InputError, InvalidState, LeakDetected
from tearline.ids import Kind, format_id
from tearline.model import event_from_dict
from tearline.release import MessageKind, ProtectedTerm, find_leaks
from tearline.store import tables as t
from tearline.workflow import group_alerts
from tearline.workflow.app import App
from tearline.workflow.records import assessment_value, load, protected_terms
from tearline.workflow.release_drafting import DraftInput, check_draft, new_draft
from tearline.workflow.releases import (
    Proposed,
    _with_preview,
    audit_proposal,
    draft_view,
    refuse,
    withdraw_open_proposals,
)
from tearline.workflow.users import Identity, Role

MIN_REASON = 10


def _determination_of(session: Session, w: t.WarningRecord) -> int:
    release = session.get(t.Release, w.release_id)
    assert release is not None
    return release.determination_id


def safe_reason(reason: str, terms: list[ProtectedTerm]) -> dict[str, str]:
    """An officer's reason for the audit record — unless it names a protected term, in
    which case only its SHA-256 (the record must never hold protected text)."""
    leaks = find_leaks({"reason": reason}, terms)
    digest = hashlib.sha256(reason.encode()).hexdigest()
    if leaks:
        return {"reason_sha256": digest, "reason_withheld": leaks[0].term.id}
    return {"reason": reason[:500], "reason_sha256": digest}


def propose_end(
    app: App, threat_ref: str, who: Identity, *, all_clear: bool, reason: str
) -> Proposed:
    """Propose an all-clear (``all_clear``) or a withdrawal of every warning in force."""
    who.require(Role.DUTY_OFFICER, "end a warning")
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise InputError(f"say why, in at least {MIN_REASON} characters (--reason)")
    kind = MessageKind.ALL_CLEAR if all_clear else MessageKind.CANCEL
    try:
        with app.unit() as u:
            threat = load(u.session, t.Threat, threat_ref, Kind.THREAT)
            ref_threat = format_id(Kind.THREAT, threat.id)
            live = u.session.scalars(
                select(t.WarningRecord)
                .where(
                    t.WarningRecord.threat_id == threat.id,
                    t.WarningRecord.status == "released",
                    t.WarningRecord.msg_type != "Cancel",
                )
                .order_by(t.WarningRecord.id)
            ).all()
            if not live:
                raise InvalidState(f"{ref_threat} has no warning in force to end")
            a_row = u.session.scalar(
                select(t.Assessment)
                .where(t.Assessment.threat_id == threat.id)
                .order_by(t.Assessment.id.desc())
            )
            assert a_row is not None
            withdraw_open_proposals(u, threat.id)
            release = t.Release(
                threat_id=threat.id,
                determination_id=_determination_of(u.session, live[0]),
                status="proposed",
                proposed_by=who.username,
                proposed_at=u.now,
            )
            u.session.add(release)
            u.session.flush()
            ref = format_id(Kind.RELEASE, release.id)
            event, assessment = event_from_dict(threat.facts), assessment_value(a_row)
            warnings = [
                new_draft(
                    app,
                    u,
                    release,
                    DraftInput(threat, event, assessment, w.recipient, w.content["role"], kind, w),
                )
                for w in live
            ]
            for ended, w in zip(live, warnings, strict=True):
                people = group_alerts.people_of(ended)  # the people the alert went to
                if people is not None:
                    group_alerts.address(w, event, people)
            terms = protected_terms(u.session)
            for w in warnings:
                check_draft(w, terms)
            audit_proposal(
                u, who, ref, ref_threat, warnings, kind=kind.value, **safe_reason(reason, terms)
            )
            proposed = Proposed(ref, ref_threat, [draft_view(w) for w in warnings])
    except LeakDetected as leak:
        refuse(app, who, threat_ref.upper(), leak)
        raise
    return _with_preview(app, proposed)
