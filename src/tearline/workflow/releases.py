"""Proposing and approving a release: drafts per recipient, the leak check, signing, the outbox.

Two-person rule, enforced here and not only in a user interface: the officer who
proposes a release cannot approve it, and both names go into the audit record.
Approval writes the signed warnings and all their deliveries in one transaction.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from tearline.assess import Assessment
from tearline.decide import Outcome
from tearline.errors import InvalidState, LeakDetected, TwoPersonRule
from tearline.ids import Kind, format_id
from tearline.model import Event, Tier, event_from_dict
from tearline.release import (
    DEFAULT_POLICY,
    ensure_no_leak,
    releasable_facts,
    render_warning,
    sign,
    warning_document,
)
from tearline.store import tables as t
from tearline.workflow.app import App, Unit
from tearline.workflow.keys import signing_key
from tearline.workflow.outbox import CHANNEL_NAMES
from tearline.workflow.records import assessment_value, load, protected_terms
from tearline.workflow.users import Identity, Role


@dataclass(frozen=True)
class Draft:
    ref: str
    recipient: str
    tier: str
    role: str
    format: str
    subject: str
    text: str
    changes: list[str]
    valid_until: datetime


@dataclass(frozen=True)
class Proposed:
    ref: str
    threat_ref: str
    drafts: list[Draft]


@dataclass(frozen=True)
class Released:
    ref: str
    proposed_by: str
    approved_by: str
    key_id: str
    warnings: list[tuple[str, str, str]]  # (warning ref, recipient, compact JWS)
    deliveries: int


def _validity(event: Event, now: datetime, default_hours: int) -> datetime:
    """Valid to the end of the threat's window — never shorter than the default."""
    floor = now + timedelta(hours=default_hours)
    return max(event.time.end, floor) if event.time else floor


_INTERNAL = ("role", "changes")  # kept for the preview and the record, never sent


def _document(w: t.WarningRecord, issued_at: datetime) -> dict[str, Any]:
    """The document as signed: the drafted one, stamped with the time of release."""
    doc = {k: v for k, v in w.content.items() if k not in _INTERNAL}
    doc["issued_at"] = issued_at.isoformat()
    return doc


def _refuse(app: App, who: Identity, subject: str, leak: LeakDetected) -> None:
    """Record a refused release in its own transaction — the term's ID, never its text."""
    with app.unit() as u:
        u.audit(
            who.username,
            "release.refused",
            subject,
            {"term": leak.term_id, "artifact": leak.artifact},
        )


def _draft(
    u: Unit,
    app: App,
    release: t.Release,
    threat: t.Threat,
    event: Event,
    choice: dict[str, Any],
    assessment: Assessment,
) -> t.WarningRecord:
    rcp = u.session.get(t.Recipient, choice["recipient_id"])
    assert rcp is not None
    usable = [c for c in rcp.contacts if c["channel"] in CHANNEL_NAMES]
    if not usable:
        raise InvalidState(
            f"{rcp.name} ({format_id(Kind.RECIPIENT, rcp.id)}) has no contact point on a known "
            f"channel ({', '.join(sorted(CHANNEL_NAMES))})"
        )
    tier = Tier(rcp.tier)
    facts = releasable_facts(event, assessment, DEFAULT_POLICY[tier])
    valid_until = _validity(event, u.now, app.settings.default_window_hours)
    w = t.WarningRecord(
        release_id=release.id,
        threat_id=threat.id,
        recipient_id=rcp.id,
        msg_type="Alert",
        status="draft",
        valid_from=u.now,
        valid_until=valid_until,
        content={},
        created_at=u.now,
    )
    u.session.add(w)
    u.session.flush()
    rendered = render_warning(
        facts,
        public=tier is Tier.PUBLIC,
        sender=app.settings.sender,
        reference=format_id(Kind.WARNING, w.id),
        valid_until=valid_until,
    )
    doc = warning_document(
        reference=format_id(Kind.WARNING, w.id),
        sender=app.settings.sender,
        issued_at=u.now,
        valid_from=u.now,
        valid_until=valid_until,
        msg_type="Alert",
        recipient={"name": rcp.name, "tier": rcp.tier, "language": rcp.language},
        facts=facts,
        rendered=rendered,
    )
    w.content = {**doc, "role": choice["role"], "changes": list(facts.changes)}
    w.recipient = rcp
    return w


def propose_release(app: App, threat_ref: str, who: Identity) -> Proposed:
    """Draft one warning per recipient of the determination, and leak-check every one."""
    who.require(Role.DUTY_OFFICER, "propose a release")
    try:
        with app.unit() as u:
            threat = load(u.session, t.Threat, threat_ref, Kind.THREAT)
            ref_threat = format_id(Kind.THREAT, threat.id)
            det = u.session.scalar(
                select(t.Determination)
                .where(
                    t.Determination.threat_id == threat.id, t.Determination.status != "superseded"
                )
                .order_by(t.Determination.id.desc())
            )
            if det is None or det.outcome != Outcome.WARN.value:
                state = "no determination" if det is None else f"determination {det.outcome}"
                raise InvalidState(f"{ref_threat} has {state}; run `tearline decide` first")
            for old in u.session.scalars(
                select(t.Release).where(
                    t.Release.threat_id == threat.id, t.Release.status == "proposed"
                )
            ):
                old.status = "withdrawn"
            a_row = u.session.get(t.Assessment, det.assessment_id)
            assert a_row is not None
            event = event_from_dict(threat.facts)
            release = t.Release(
                threat_id=threat.id,
                determination_id=det.id,
                status="proposed",
                proposed_by=who.username,
                proposed_at=u.now,
            )
            u.session.add(release)
            u.session.flush()
            ref = format_id(Kind.RELEASE, release.id)
            warnings = [
                _draft(u, app, release, threat, event, c, assessment_value(a_row))
                for c in det.recipients
            ]
            terms = protected_terms(u.session)
            for w in warnings:
                wref = format_id(Kind.WARNING, w.id)
                ensure_no_leak(
                    {
                        f"{wref} text": w.content["text"],
                        f"{wref} subject": w.content["subject"],
                        f"{wref} JSON": json.dumps(w.content, ensure_ascii=False),
                    },
                    terms,
                )
            u.audit(
                who.username,
                "release.proposed",
                ref,
                {
                    "threat": ref_threat,
                    "determination": format_id(Kind.DETERMINATION, det.id),
                    "warnings": {
                        format_id(Kind.WARNING, w.id): {
                            "recipient": format_id(Kind.RECIPIENT, w.recipient_id),
                            "changes": w.content["changes"],
                        }
                        for w in warnings
                    },
                },
            )
            return Proposed(
                ref,
                ref_threat,
                [
                    Draft(
                        format_id(Kind.WARNING, w.id),
                        w.recipient.name,
                        w.recipient.tier,
                        w.content["role"],
                        w.content["format"],
                        w.content["subject"],
                        w.content["text"],
                        w.content["changes"],
                        w.valid_until,
                    )
                    for w in warnings
                ],
            )
    except LeakDetected as leak:
        _refuse(app, who, threat_ref.upper(), leak)
        raise


def approve_release(app: App, release_ref: str, who: Identity) -> Released:
    """The second person signs off: sign every warning and queue every delivery."""
    who.require(Role.APPROVER, "approve a release")
    try:
        with app.unit() as u:
            rel = load(u.session, t.Release, release_ref, Kind.RELEASE)
            ref = format_id(Kind.RELEASE, rel.id)
            if rel.status != "proposed":
                raise InvalidState(f"{ref} is {rel.status}, not awaiting approval")
            if rel.proposed_by == who.username:
                raise TwoPersonRule(
                    f"{who.username} proposed {ref} and cannot also approve it: "
                    "a second person must release it"
                )
            key = signing_key(app, u, who.username)
            terms = protected_terms(u.session)
            signed, deliveries = [], 0
            for w in rel.warnings:
                wref = format_id(Kind.WARNING, w.id)
                document = _document(w, u.now)
                token = sign(document, key)
                # Again at approval: terms may have been added since the proposal.
                ensure_no_leak(
                    {
                        f"{wref} JSON": json.dumps(document, ensure_ascii=False),
                        f"{wref} JWS": token,
                    },
                    terms,
                )
                w.jws, w.key_id, w.status, w.released_at = token, key.kid, "released", u.now
                w.artifacts = {"jws": token, "text": document["text"]}
                for c in w.recipient.contacts:
                    if c["channel"] not in CHANNEL_NAMES:
                        continue
                    u.session.add(
                        t.Delivery(
                            warning_id=w.id,
                            channel=c["channel"],
                            address=c["address"],
                            idempotency_key=f"tl-{uuid.uuid4().hex}",
                            status="pending",
                            attempts=0,
                            next_attempt_at=u.now,
                            created_at=u.now,
                        )
                    )
                    deliveries += 1
                signed.append((wref, w.recipient.name, token))
                u.audit(
                    who.username,
                    "warning.released",
                    wref,
                    {
                        "recipient": format_id(Kind.RECIPIENT, w.recipient_id),
                        "key_id": key.kid,
                        "valid_until": w.valid_until.isoformat(),
                    },
                )
            rel.status, rel.approved_by, rel.approved_at = "released", who.username, u.now
            threat = u.session.get(t.Threat, rel.threat_id)
            assert threat is not None
            threat.status = "warned"
            u.audit(
                who.username,
                "release.approved",
                ref,
                {
                    "proposed_by": rel.proposed_by,
                    "approved_by": who.username,
                    "warnings": [s[0] for s in signed],
                    "deliveries": deliveries,
                },
            )
            return Released(ref, rel.proposed_by, who.username, str(key.kid), signed, deliveries)
    except LeakDetected as leak:
        _refuse(app, who, release_ref.upper(), leak)
        raise
