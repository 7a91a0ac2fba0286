"""Proposing and approving a release: drafts per recipient, the leak check, signing, the outbox.

Two-person rule, enforced here and not only in a user interface: the officer who
proposes a release cannot approve it, and both names go into the audit record.
Approval signs every format of every warning and writes them with all their deliveries
in one transaction. A recipient who already holds a warning about the case gets an
Update that references and supersedes it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from joserfc.jwk import OKPKey
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tearline.decide import Outcome
from tearline.errors import ConfigError, InvalidState, LeakDetected, TwoPersonRule
from tearline.ids import Kind, format_id
from tearline.model import event_from_dict
from tearline.release import MessageKind
from tearline.release.batch import Job, render_all
from tearline.settings import placeholder_settings
from tearline.store import tables as t
from tearline.workflow import group_alerts, release_languages
from tearline.workflow.app import App, Unit
from tearline.workflow.audit_checkpoints import checkpoint_now
from tearline.workflow.keys import cap_signature_for, cap_signing_key, signing_key
from tearline.workflow.outbox import CHANNEL_NAMES
from tearline.workflow.records import assessment_value, load, protected_terms
from tearline.workflow.release_drafting import (
    DraftInput,
    check_drafts,
    ensure_markings_unchanged,
    live_warnings,
    new_drafts,
    recipients_by_id,
    signed_document,
)
from tearline.workflow.supersede import in_force
from tearline.workflow.users import Identity, Role, same_person

# An audit entry to append: (actor, action, subject, details).
Entry = tuple[str, str, str, dict[str, Any] | None]


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
    language: str = "en"
    kind: str = "alert"  # alert | update | cancel | all_clear
    supersedes: str | None = None


@dataclass(frozen=True)
class Proposed:
    ref: str
    threat_ref: str
    drafts: list[Draft]
    preview: Any = None  # a release_preview.ReleasePreview, for the faces to show


@dataclass(frozen=True)
class Released:
    ref: str
    proposed_by: str
    approved_by: str
    key_id: str
    warnings: list[tuple[str, str, str]]  # (warning ref, recipient, compact JWS)
    deliveries: int
    superseded: list[str] = field(default_factory=list)


def draft_view(w: t.WarningRecord) -> Draft:
    c = w.content
    return Draft(
        format_id(Kind.WARNING, w.id),
        group_alerts.addressee(w),
        w.recipient.tier,
        c["role"],
        c["format"],
        c["subject"],
        c["text"],
        list(c["changes"]),
        w.valid_until,
        language=c.get("language", "en"),
        kind=c.get("kind", "alert"),
        supersedes=c.get("supersedes"),
    )


def refuse(app: App, who: Identity, subject: str, leak: LeakDetected) -> None:
    """Record a refused release in its own transaction — the term's ID, never its text."""
    with app.unit() as u:
        u.audit(
            who.username,
            "release.refused",
            subject,
            {"term": leak.term_id, "artifact": leak.artifact},
        )


def _usable(rcp: t.Recipient) -> None:
    if not any(c["channel"] in CHANNEL_NAMES for c in rcp.contacts):
        raise InvalidState(
            f"{rcp.name} ({format_id(Kind.RECIPIENT, rcp.id)}) has no contact point on a known "
            f"channel ({', '.join(sorted(CHANNEL_NAMES))})"
        )


def withdraw_open_proposals(u: Unit, threat_id: int) -> None:
    for old in u.session.scalars(
        select(t.Release).where(t.Release.threat_id == threat_id, t.Release.status == "proposed")
    ):
        old.status = "withdrawn"


def audit_proposal(
    u: Unit, who: Identity, ref: str, threat_ref: str, warnings: list[t.WarningRecord], **extra: Any
) -> None:
    u.audit(
        who.username,
        "release.proposed",
        ref,
        {
            "threat": threat_ref,
            **extra,
            "warnings": {
                format_id(Kind.WARNING, w.id): {
                    "recipient": format_id(Kind.RECIPIENT, w.recipient_id),
                    "msg_type": w.msg_type,
                    "supersedes": w.content.get("supersedes"),
                    "changes": w.content["changes"],
                }
                for w in warnings
            },
        },
    )


def _with_preview(app: App, proposed: Proposed) -> Proposed:
    from tearline.workflow.release_preview import preview_release

    return Proposed(
        proposed.ref, proposed.threat_ref, proposed.drafts, preview_release(app, proposed.ref)
    )


def propose_release(
    app: App, threat_ref: str, who: Identity, language_fallback: str | None = None
) -> Proposed:
    """Draft one warning per recipient of the determination, and leak-check every format.
    A recipient whose language Tearline does not write needs ``language_fallback``
    (release_languages: english, country or hold); InputError without it, naming them."""
    who.require(Role.DUTY_OFFICER, "propose a release")
    try:
        with app.unit() as u:
            threat = load(u.session, t.Threat, threat_ref, Kind.THREAT)
            ref_threat = format_id(Kind.THREAT, threat.id)
            det = in_force(u.session, threat.id)  # not a supersede awaiting approval
            if det is None or det.outcome != Outcome.WARN.value:
                state = "no determination" if det is None else f"determination {det.outcome}"
                raise InvalidState(f"{ref_threat} has {state}; run `tearline decide` first")
            withdraw_open_proposals(u, threat.id)
            a_row = u.session.get(t.Assessment, det.assessment_id)
            assert a_row is not None
            event, assessment = event_from_dict(threat.facts), assessment_value(a_row)
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
            warnings = []
            split = group_alerts.split(app, u.session, det.recipients)
            # via: warned through its protector (warn_victims = via_protector)
            choices = [c for c in split.individual if c.get("via") is None]
            recipients = recipients_by_id(u.session, [c["recipient_id"] for c in choices])
            live = live_warnings(u.session, threat.id)
            languages = release_languages.choose(recipients.values(), language_fallback)
            inputs = []
            for choice in choices:
                rcp = recipients[choice["recipient_id"]]
                _usable(rcp)
                chosen = languages.get(rcp.id)
                if chosen is not None and chosen.written_in is None:
                    continue  # held: the proposer chose to draft no warning for it
                previous = live.get(rcp.id)
                kind = MessageKind.UPDATE if previous is not None else MessageKind.ALERT
                inputs.append(
                    DraftInput(
                        threat,
                        event,
                        assessment,
                        rcp,
                        choice["role"],
                        kind,
                        previous,
                        language=chosen.written_in if chosen else None,
                    )
                )
            warnings.extend(new_drafts(app, u, release, inputs))
            case = group_alerts.Case(threat, event, assessment)
            warnings += group_alerts.draft_group_alerts(app, u, release, case, split.group)
            check_drafts(app, warnings, protected_terms(u.session))
            audit_proposal(
                u,
                who,
                ref,
                ref_threat,
                warnings,
                determination=format_id(Kind.DETERMINATION, det.id),
                **({"group": group_alerts.summary(split.group)} if split.group else {}),
                **({"languages": [c.as_dict() for c in languages.values()]} if languages else {}),
            )
            proposed = Proposed(ref, ref_threat, [draft_view(w) for w in warnings])
    except LeakDetected as leak:
        refuse(app, who, threat_ref.upper(), leak)
        raise
    return _with_preview(app, proposed)


def _queue(u: Unit, w: t.WarningRecord) -> int:
    if group_alerts.is_group(w.recipient):
        return group_alerts.queue_group(u, w)
    count = 0
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
        count += 1
    return count


def _supersede(u: Unit, w: t.WarningRecord, who: Identity, record: list[Entry]) -> str | None:
    """Mark the warning this one replaces or ends; return its reference."""
    if w.supersedes_id is None:
        return None
    old = u.session.get(t.WarningRecord, w.supersedes_id)
    if old is None or old.status != "released":
        return None
    old.status = "superseded"
    old_ref = format_id(Kind.WARNING, old.id)
    record.append(
        (
            who.username,
            "warning.superseded",
            old_ref,
            {"by": format_id(Kind.WARNING, w.id), "msg_type": w.msg_type},
        )
    )
    return old_ref


def _threat_status(release_kinds: set[str]) -> str:
    if release_kinds == {"all_clear"}:
        return "closed"
    if release_kinds == {"cancel"}:
        return "determined"
    return "warned"


def _job(w: t.WarningRecord, issued_at: str, checkpoint: dict[str, Any], cap_signature: str) -> Job:
    """What approval renders and signs for one warning.

    The signed document embeds the audit checkpoint made at approval, so every recipient
    holds a copy of the record's head that no later rewrite can match.
    """
    document = {**signed_document(w), "issued_at": issued_at, "audit_checkpoint": checkpoint}
    internal = {"role": w.content["role"], "changes": w.content["changes"]}
    return Job(format_id(Kind.WARNING, w.id), document, internal, cap_signature)


def _released(
    u: Unit,
    w: t.WarningRecord,
    job: Job,
    artifacts: dict[str, str],
    key: OKPKey,
    who: Identity,
    record: list[Entry],
) -> tuple[str, int, str | None]:
    """Record one signed warning, queue its deliveries: (JWS, deliveries, superseded); its
    audit entries go on ``record``, to be appended with the others of the release."""
    w.content = job.content
    w.jws, w.key_id, w.status, w.released_at = artifacts["jws"], key.kid, "released", u.now
    w.artifacts = artifacts
    deliveries = _queue(u, w)
    old = _supersede(u, w, who, record)
    details = {
        "recipient": format_id(Kind.RECIPIENT, w.recipient_id),
        "key_id": key.kid,
        "msg_type": w.msg_type,
        "supersedes": job.document.get("supersedes"),
        "valid_until": w.valid_until.isoformat(),
        "formats": sorted(artifacts),
    }
    record.append((who.username, "warning.released", job.ref, details))
    return artifacts["jws"], deliveries, old


def approve_release(app: App, release_ref: str, who: Identity) -> Released:
    """The second person signs off: sign every format of every warning and queue deliveries.
    ConfigError, before anything is signed, while the deployment still has a placeholder
    sender or public URL: a recipient would read it in the warning and its links."""
    who.require(Role.APPROVER, "approve a release")
    placeholders = placeholder_settings(app.settings)
    if placeholders:
        raise ConfigError(
            f"nothing is released while {'; and '.join(placeholders)}. Then approve again."
        )
    try:
        with app.unit() as u:
            rel = load(u.session, t.Release, release_ref, Kind.RELEASE)
            ref = format_id(Kind.RELEASE, rel.id)
            if rel.status != "proposed":
                raise InvalidState(f"{ref} is {rel.status}, not awaiting approval")
            if same_person(u.session, rel.proposed_by, who.username):
                raise TwoPersonRule(
                    f"{who.username} proposed {ref} and cannot also approve it: "
                    "a second person must release it"
                )
            key = signing_key(app, u, who.username)
            checkpoint = checkpoint_now(app, u, key, ref).as_dict()
            terms = protected_terms(u.session)
            warnings = list(
                u.session.scalars(
                    select(t.WarningRecord)
                    .where(t.WarningRecord.release_id == rel.id)
                    .options(selectinload(t.WarningRecord.recipient))
                    .order_by(t.WarningRecord.id)
                )
            )
            ensure_markings_unchanged(u.session, rel.threat_id, warnings)
            profile = app.settings.cap_signature
            profiles = [cap_signature_for(w.recipient.contacts, profile) for w in warnings]
            jobs = [
                _job(w, u.now.isoformat(), checkpoint, cap)
                for w, cap in zip(warnings, profiles, strict=True)
            ]
            rsa = any(j.cap_signature == "rsa" for j in jobs)
            cap_key = cap_signing_key(app, u, who.username) if rsa else None
            # Again at approval, on the signed forms: terms may have been added since.
            rendered = render_all(jobs, key, terms, app.settings.release_workers, cap_key)
            signed, deliveries, superseded = [], 0, []
            record: list[Entry] = []
            for w, job, artifacts in zip(warnings, jobs, rendered, strict=True):
                token, queued, old = _released(u, w, job, artifacts, key, who, record)
                signed.append((job.ref, w.recipient.name, token))
                deliveries += queued
                superseded.extend([old] if old else [])
            u.audit_many(record)
            rel.status, rel.approved_by, rel.approved_at = "released", who.username, u.now
            threat = u.session.get(t.Threat, rel.threat_id)
            assert threat is not None
            threat.status = _threat_status({w.content.get("kind", "alert") for w in warnings})
            u.audit(
                who.username,
                "release.approved",
                ref,
                {
                    "proposed_by": rel.proposed_by,
                    "approved_by": who.username,
                    "warnings": [s[0] for s in signed],
                    "superseded": superseded,
                    "deliveries": deliveries,
                },
            )
            return Released(
                ref, rel.proposed_by, who.username, str(key.kid), signed, deliveries, superseded
            )
    except LeakDetected as leak:
        refuse(app, who, release_ref.upper(), leak)
        raise
