"""Drafting one warning: the tier's policy and the officer's overrides, the document, the
leak check over every format. Shared by proposals, adjustments, updates and all-clears.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from tearline.assess import Assessment
from tearline.errors import InvalidState
from tearline.ids import Kind, format_id
from tearline.markings import Releasability
from tearline.model import Event, Tier
from tearline.release import (
    Envelope,
    FactOverride,
    MessageKind,
    Previous,
    ProtectedTerm,
    TierPolicy,
    apply_overrides,
    ensure_no_leak,
    load_policy,
    reference_to,
    releasable_facts,
    warning_document,
)
from tearline.release.batch import Job, leak_views, render_all
from tearline.release.marking_check import ensure_within_markings
from tearline.store import tables as t
from tearline.workflow.app import App, Unit
from tearline.workflow.case_markings import case_markings, recipient_nation

# Kept with the draft for the preview and the record; never sent, never signed.
INTERNAL = ("role", "changes")


def policy_in_force(app: App) -> dict[Tier, TierPolicy]:
    configured = app.settings.release_policy
    path = Path(configured) if configured else app.home / "release-policy.toml"
    return load_policy(path if configured or path.is_file() else None)


def overrides_for(session: Session, threat_id: int, recipient_id: int) -> list[t.FactOverride]:
    """The officer's overrides in force for this case and recipient: the latest per fact."""
    rows = session.scalars(
        select(t.FactOverride)
        .where(t.FactOverride.threat_id == threat_id, t.FactOverride.recipient_id == recipient_id)
        .order_by(t.FactOverride.id)
    )
    latest = {r.fact: r for r in rows}
    return sorted(latest.values(), key=lambda r: r.id)


def overrides_by_recipient(session: Session, threat_id: int) -> dict[int, list[t.FactOverride]]:
    """``overrides_for`` every recipient of the case at once (one query, not one each)."""
    rows = session.scalars(
        select(t.FactOverride)
        .where(t.FactOverride.threat_id == threat_id)
        .order_by(t.FactOverride.id)
    )
    latest: dict[int, dict[str, t.FactOverride]] = {}
    for r in rows:
        latest.setdefault(r.recipient_id, {})[r.fact] = r
    return {rid: sorted(f.values(), key=lambda r: r.id) for rid, f in latest.items()}


def effective_policy(
    app: App,
    session: Session,
    threat_id: int,
    recipient: t.Recipient,
    *,
    policies: dict[Tier, TierPolicy] | None = None,
    overrides: list[t.FactOverride] | None = None,
) -> tuple[TierPolicy, TierPolicy]:
    """(the tier's policy, the policy with this recipient's overrides applied); the policy
    in force and the overrides are read here unless given."""
    base = (policies or policy_in_force(app))[Tier(recipient.tier)]
    rows = overrides if overrides is not None else overrides_for(session, threat_id, recipient.id)
    values = [FactOverride(r.fact, r.to_level, r.reason, r.created_by) for r in rows]
    return base, apply_overrides(base, values)


def live_warning(session: Session, threat_id: int, recipient_id: int) -> t.WarningRecord | None:
    """The warning in force for this recipient and case: released, not superseded."""
    return session.scalar(
        select(t.WarningRecord)
        .where(
            t.WarningRecord.threat_id == threat_id,
            t.WarningRecord.recipient_id == recipient_id,
            t.WarningRecord.status == "released",
            t.WarningRecord.msg_type != "Cancel",
        )
        .order_by(t.WarningRecord.id.desc())
    )


def live_warnings(session: Session, threat_id: int) -> dict[int, t.WarningRecord]:
    """``live_warning`` for every recipient of the case at once, by recipient ID (without
    their signed forms, which drafting an Update does not read)."""
    rows = session.scalars(
        select(t.WarningRecord)
        .options(defer(t.WarningRecord.artifacts), defer(t.WarningRecord.jws))
        .where(
            t.WarningRecord.threat_id == threat_id,
            t.WarningRecord.status == "released",
            t.WarningRecord.msg_type != "Cancel",
        )
        .order_by(t.WarningRecord.id)
    )
    return {w.recipient_id: w for w in rows}  # the latest wins


def recipients_by_id(session: Session, ids: Sequence[int]) -> dict[int, t.Recipient]:
    """The recipients with these IDs, a thousand to a query."""
    found: dict[int, t.Recipient] = {}
    for i in range(0, len(ids), 1000):
        chunk = ids[i : i + 1000]
        found.update(
            (r.id, r) for r in session.scalars(select(t.Recipient).where(t.Recipient.id.in_(chunk)))
        )
    return found


def signed_document(w: t.WarningRecord) -> dict[str, Any]:
    return {k: v for k, v in w.content.items() if k not in INTERNAL}


def validity(event: Event, now: datetime, default_hours: int, kind: MessageKind) -> datetime:
    """Valid to the end of the threat's window — never shorter than the default."""
    floor = now + timedelta(hours=default_hours)
    if kind in (MessageKind.CANCEL, MessageKind.ALL_CLEAR):
        return floor
    return max(event.time.end, floor) if event.time else floor


@dataclass(frozen=True)
class DraftInput:
    threat: t.Threat
    event: Event
    assessment: Assessment
    recipient: t.Recipient
    role: str
    kind: MessageKind = MessageKind.ALERT
    previous: t.WarningRecord | None = None
    # For a recipient whose language Tearline does not write: the language the proposer
    # chose to write its warning in (release_languages); None: the recipient's own.
    language: str | None = None


# Channels that carry no reply link and no reply codes: a feed no one answers, and
# webhooks, whose operators are given the reply_url beside the warning (in the JSON body).
_NO_REPLY = frozenset({"public_feed"})
_MACHINE = frozenset({"webhook"})


def reply_route(contacts: Sequence[Mapping[str, Any]]) -> str:
    """How a recipient can answer its warning, from the channels it is reached by."""
    channels = {str(c.get("channel")) for c in contacts}
    if channels and channels <= _NO_REPLY:
        return "feed"
    if channels and channels <= _NO_REPLY | _MACHINE:
        return "webhook"
    return "link"


def compose(
    app: App,
    u: Unit,
    w: t.WarningRecord,
    d: DraftInput,
    *,
    policies: dict[Tier, TierPolicy] | None = None,
    overrides: list[t.FactOverride] | None = None,
    markings: Releasability | None = None,
) -> None:
    """(Re)write the draft ``w``: facts for its recipient, texts, document, content.
    LeakDetected, before anything is written, for a recipient outside the case's
    releasability markings (read here unless given)."""
    if markings is None:
        markings = case_markings(u.session, d.threat.id)
    ensure_within_markings(
        markings,
        f"{d.recipient.name} ({format_id(Kind.RECIPIENT, d.recipient.id)})",
        recipient_nation(d.recipient),
        list(d.recipient.communities or ()),
    )
    _base, policy = effective_policy(
        app, u.session, d.threat.id, d.recipient, policies=policies, overrides=overrides
    )
    facts = releasable_facts(d.event, d.assessment, policy)
    ref = format_id(Kind.WARNING, w.id)
    previous_doc = signed_document(d.previous) if d.previous is not None else None
    env = Envelope(
        reference=ref,
        sender=app.settings.sender,
        valid_from=w.valid_from,
        valid_until=w.valid_until,
        public=Tier(d.recipient.tier) is Tier.PUBLIC,
        kind=d.kind,
        reply_route=reply_route(d.recipient.contacts or []),
        verify_url=f"{app.settings.public_url.rstrip('/')}/verify",
        previous=Previous(
            previous_doc["reference"], datetime.fromisoformat(previous_doc["issued_at"])
        )
        if previous_doc
        else None,
    )
    doc = warning_document(
        facts,
        env,
        recipient={
            "name": d.recipient.name,
            "tier": d.recipient.tier,
            "language": d.language or d.recipient.language,
        },
        issued_at=u.now,
        references=[reference_to(previous_doc)] if previous_doc else [],
        markings=markings,
    )
    w.content = {**doc, "role": d.role, "changes": list(facts.changes)}


def new_draft(app: App, u: Unit, release: t.Release, d: DraftInput) -> t.WarningRecord:
    (w,) = new_drafts(app, u, release, [d])
    return w


def new_drafts(
    app: App, u: Unit, release: t.Release, inputs: Sequence[DraftInput]
) -> list[t.WarningRecord]:
    """A draft for each input: inserted together (their IDs name them in their
    documents), then composed with the policy and the case's overrides read once."""
    warnings = [_blank(app, u, release, d) for d in inputs]
    u.session.add_all(warnings)
    u.session.flush()
    policies = policy_in_force(app)
    overrides = overrides_by_recipient(u.session, inputs[0].threat.id) if inputs else {}
    markings = case_markings(u.session, inputs[0].threat.id) if inputs else None
    for w, d in zip(warnings, inputs, strict=True):
        compose(
            app,
            u,
            w,
            d,
            policies=policies,
            overrides=overrides.get(d.recipient.id, []),
            markings=markings,
        )
        w.msg_type = w.content["msg_type"]
        w.recipient = d.recipient
    return warnings


def ensure_markings_unchanged(
    session: Session, threat_id: int, warnings: Sequence[t.WarningRecord]
) -> None:
    """At approval: every draft still inside the case's releasability markings, and
    carrying them as they stand (a marked report may have joined the case since the
    proposal). LeakDetected for a recipient now outside; InvalidState for a stale banner."""
    markings = case_markings(session, threat_id)
    for w in warnings:
        r = w.recipient
        name = f"{r.name} ({format_id(Kind.RECIPIENT, r.id)})"
        ensure_within_markings(markings, name, recipient_nation(r), list(r.communities or ()))
        carried = (w.content.get("markings") or {}).get("banner", "")
        if carried != markings.banner():
            raise InvalidState(
                f"{format_id(Kind.WARNING, w.id)} carries the releasability markings "
                f"{carried or 'none'} but the case's are now {markings.describe()}: "
                "propose the release again"
            )


def _blank(app: App, u: Unit, release: t.Release, d: DraftInput) -> t.WarningRecord:
    return t.WarningRecord(
        release_id=release.id,
        threat_id=d.threat.id,
        recipient_id=d.recipient.id,
        msg_type="Alert",
        status="draft",
        valid_from=u.now,
        valid_until=validity(d.event, u.now, app.settings.default_window_hours, d.kind),
        content={},
        created_at=u.now,
        supersedes_id=d.previous.id if d.previous is not None else None,
    )


def draft_job(w: t.WarningRecord) -> Job:
    """The draft ``w`` as the leak check's work: its document, unsigned."""
    internal = {k: v for k, v in w.content.items() if k in INTERNAL}
    return Job(format_id(Kind.WARNING, w.id), signed_document(w), internal)


def check_leaks(w: t.WarningRecord, artifacts: dict[str, str], terms: list[ProtectedTerm]) -> None:
    """Every format of the warning, and its document, must be free of protected terms."""
    named = leak_views(format_id(Kind.WARNING, w.id), artifacts, w.content)
    ensure_no_leak(named, terms, facts=w.content.get("facts"))


def check_draft(w: t.WarningRecord, terms: list[ProtectedTerm]) -> None:
    """The leak check at proposal: every format rendered, unsigned."""
    list(render_all([draft_job(w)], None, terms))


def check_drafts(app: App, warnings: list[t.WarningRecord], terms: list[ProtectedTerm]) -> None:
    """``check_draft`` for every warning of a release, in the release's process pool when
    it is large; LeakDetected for the first, in order, that holds a protected term."""
    jobs = [draft_job(w) for w in warnings]
    for _artifacts in render_all(jobs, None, terms, app.settings.release_workers):
        pass
