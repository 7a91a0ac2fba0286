"""Recording what recipients answer, and running the escalation policy on the record.

Answers arrive through a signed reply link, an SMS code, or an officer who took them by
phone or in person. Each is a row and an audit entry; the escalation policy
(``track.escalation``) then says what is due, and each step is written once (its
deduplication key is unique), with its audit entry, in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tearline.assess.grading import IMMINENT_HOURS
from tearline.errors import InputError, InvalidState
from tearline.ids import Kind, format_id
from tearline.model import event_from_dict
from tearline.store import tables as t
from tearline.store.idlists import id_list, in_ids
from tearline.track import (
    RESPONSE_TRIGGERS,
    Action,
    Policy,
    Proposal,
    ResponseKind,
    Trigger,
    WarningState,
    default_policy,
    due,
)
from tearline.workflow.app import App, Unit
from tearline.workflow.group_alerts import GROUP_KIND, is_group
from tearline.workflow.records import audit_note, load
from tearline.workflow.users import Identity, Role

# How a duty officer closes an escalation: acted on, or dismissed.
ESCALATION_OUTCOMES = ("done", "dismissed")
VIA = ("channel", "link", "sms", "phone", "in_person", "liaison", "email", "other")
CLOSED_THREAT = frozenset({"closed", "over", "cancelled", "waived", "not_triggered"})
POLICY_NAME = "active"
TRACKER = "tracker"


@dataclass(frozen=True)
class EscalationView:
    ref: str
    rule: str
    action: str
    reason: str
    detail: dict[str, object]
    status: str = "proposed"


@dataclass(frozen=True)
class Responded:
    ref: str
    warning_ref: str
    kind: ResponseKind
    escalations: list[EscalationView]


def active_policy(app: App, u: Unit | None = None) -> Policy:
    """The stored policy, or the built-in one."""

    def read(session: Any) -> Policy:
        row = session.scalar(
            select(t.EscalationPolicy).where(t.EscalationPolicy.name == POLICY_NAME)
        )
        if row is None:
            return default_policy(app.settings.ack_minutes_imminent)
        return Policy.from_dict(row.document)

    if u is not None:
        return read(u.session)
    with app.read() as s:
        return read(s)


def set_policy(app: App, document: Any, who: Identity) -> Policy:
    """Replace the active policy (validated first; the old one stays in the audit record)."""
    who.require(Role.DUTY_OFFICER, "change the escalation policy")
    policy = Policy.from_dict(document)
    with app.unit() as u:
        row = u.session.scalar(
            select(t.EscalationPolicy).where(t.EscalationPolicy.name == POLICY_NAME)
        )
        if row is None:
            row = t.EscalationPolicy(name=POLICY_NAME, document={}, updated_by="", updated_at=u.now)
            u.session.add(row)
        row.document, row.updated_by, row.updated_at = policy.to_dict(), who.username, u.now
        u.audit(who.username, "escalation_policy.updated", "policy", policy.to_dict())
    return policy


# A group alert's failed deliveries are one dead letter, not one per person.
GROUP_DEAD = "to one or more of its people"


def warning_state(u: Unit, w: t.WarningRecord, alarm_hours: int = 6) -> WarningState:
    """What the escalation rules need to know of one released warning."""
    return warning_states(u, [w.id], alarm_hours)[w.id]


_STATE_OF = select(
    t.WarningRecord.id,
    t.WarningRecord.threat_id,
    t.WarningRecord.released_at,
    t.WarningRecord.valid_until,
    t.Recipient.name,
    t.Recipient.tier,
    t.Recipient.kind,
).join(t.Recipient, t.Recipient.id == t.WarningRecord.recipient_id)


def warning_states(
    u: Unit, warning_ids: Sequence[int], alarm_hours: int = 6
) -> dict[int, WarningState]:
    """``warning_state`` of many released warnings at once (the timers' every tick), by
    ID: six statements whatever their number, not four for each, and no warning's
    rendered forms read. A case's facts are parsed once for all its warnings."""
    bound = {"ids": id_list(warning_ids)}
    rows = u.session.execute(
        _STATE_OF.where(in_ids(t.WarningRecord.id, "ids")).order_by(t.WarningRecord.id), bound
    ).all()
    cases = {"ids": id_list(sorted({r.threat_id for r in rows}))}
    threats = {
        tid: (event_from_dict(facts), status)
        for tid, facts, status in u.session.execute(
            select(t.Threat.id, t.Threat.facts, t.Threat.status).where(in_ids(t.Threat.id, "ids")),
            cases,
        )
    }
    reports: dict[int | None, list[datetime]] = {}  # when each case's reports came in
    for tid, received_at in u.session.execute(
        select(t.Event.threat_id, t.Report.received_at)
        .join(t.Report, t.Report.id == t.Event.report_id)
        .where(in_ids(t.Event.threat_id, "ids")),
        cases,
    ):
        reports.setdefault(tid, []).append(received_at)
    answers: dict[int, list[tuple[ResponseKind, datetime]]] = {}
    for wid, kind, at in u.session.execute(
        select(t.Response.warning_id, t.Response.kind, t.Response.received_at)
        .where(in_ids(t.Response.warning_id, "ids"))
        .order_by(t.Response.id),
        bound,
    ):
        answers.setdefault(wid, []).append((ResponseKind(kind), at))
    failed: dict[int, list[tuple[str, datetime]]] = {}  # dead deliveries' attempts, in order
    for wid, did, at in u.session.execute(
        select(t.Delivery.warning_id, t.Delivery.id, t.DeliveryAttempt.at)
        .join(t.DeliveryAttempt, t.DeliveryAttempt.delivery_id == t.Delivery.id)
        .where(in_ids(t.Delivery.warning_id, "ids"), t.Delivery.status == "dead")
        .order_by(t.DeliveryAttempt.id),
        bound,
    ):
        failed.setdefault(wid, []).append((format_id(Kind.DELIVERY, did), at))
    out: dict[int, WarningState] = {}
    for wid, tid, released_at, valid_until, name, tier, kind in rows:
        assert released_at is not None
        event, status = threats[tid]
        imminent = event.time is not None and (
            event.time.start - u.now <= timedelta(hours=IMMINENT_HOURS) and event.time.end >= u.now
        )
        later = [at for at in reports.get(tid, ()) if at > released_at]
        attempts = failed.get(wid, [])
        if kind == GROUP_KIND:  # one dead letter: the first attempt that failed for good
            dead = {GROUP_DEAD: min(at for _, at in attempts)} if attempts else {}
        else:  # each dead delivery, at its last attempt
            dead = dict(attempts)
        out[wid] = WarningState(
            reference=format_id(Kind.WARNING, wid),
            threat_reference=format_id(Kind.THREAT, tid),
            recipient=name,
            recipient_public=tier == "public",
            released_at=released_at,
            valid_until=valid_until,
            imminent=imminent,
            place_country=event.place.country if event.place else None,
            place_city=event.place.city if event.place else None,
            responses=tuple(answers.get(wid, ())),
            threat_open=status not in CLOSED_THREAT,
            new_report_at=min(later) if later else None,
            dead_letters=tuple(dead.items()),
            validity_alarm=timedelta(hours=alarm_hours),
        )
    return out


def _resend(u: Unit, w: t.WarningRecord) -> list[str]:
    """New deliveries to the recipient's fallback contact points (then any other contact
    point) that this warning has not used yet."""
    from tearline.deliver import CHANNEL_NAMES

    if is_group(w.recipient):
        return []  # each person's every contact point has a delivery already
    used = {(d.channel, d.address) for d in w.deliveries}
    created = []
    for c in [*(w.recipient.fallback_contacts or []), *w.recipient.contacts]:
        if c["channel"] not in CHANNEL_NAMES or (c["channel"], c["address"]) in used:
            continue
        d = t.Delivery(
            warning_id=w.id,
            channel=c["channel"],
            address=c["address"],
            idempotency_key=f"tl-{uuid.uuid4().hex}",
            status="pending",
            attempts=0,
            next_attempt_at=u.now,
            created_at=u.now,
        )
        u.session.add(d)
        u.session.flush()
        created.append(format_id(Kind.DELIVERY, d.id))
    return created


def _claimed(u: Unit, row: t.Escalation) -> bool:
    """Insert ``row`` unless its dedupe key is taken meanwhile: the desk's embedded worker
    and a `tearline worker` may run the same timers at the same moment, and the unique key,
    not the check before it, is what makes a proposal happen once."""
    try:
        with u.session.begin_nested():
            u.session.add(row)
            u.session.flush()
    except IntegrityError:
        return False
    return True


def _dedupe_key(p: Proposal, state: WarningState) -> str:
    """The step's key as stored (``escalations.dedupe_key``, 200 characters)."""
    return p.dedupe_key(state.reference)[:200]


def _escalate(
    u: Unit, w: t.WarningRecord, state: WarningState, proposals: list[Proposal], actor: str
) -> list[EscalationView]:
    out = []
    for p in proposals:
        key = _dedupe_key(p, state)
        if u.session.scalar(select(t.Escalation.id).where(t.Escalation.dedupe_key == key)):
            continue
        detail: dict[str, Any] = {"reason": p.reason, **p.detail}
        if p.case_wide:
            detail["scope"] = f"every warning on {state.threat_reference}"
        row = t.Escalation(
            threat_id=w.threat_id,
            warning_id=w.id,
            rule=p.rule,
            action=p.action.value,
            status="proposed",
            detail=detail,
            created_at=u.now,
            dedupe_key=key,
        )
        if not _claimed(u, row):
            continue  # another worker or the desk wrote this proposal first
        if p.action is Action.RESEND_OTHER_CHANNEL:  # only once claimed: never resend twice
            created = _resend(u, w)
            # A new dict, not the stored one changed in place: the JSON column sees a change
            # only when the value it holds differs from the one it flushed.
            detail = {**detail, "deliveries": created}
            if created:
                row.status = "done"
            else:
                detail["note"] = "no other contact point: reach the recipient another way"
            row.detail = detail
        status = row.status
        ref = format_id(Kind.ESCALATION, row.id)
        u.audit(
            actor,
            "escalation.proposed" if status == "proposed" else "escalation.done",
            ref,
            {"warning": state.reference, "rule": p.rule, "action": p.action.value, **detail},
        )
        out.append(EscalationView(ref, p.rule, p.action.value, p.reason, detail, status))
    return out


def _person(u: Unit, delivery_id: int | None) -> dict[str, str]:
    """Whose answer it is, when it came through a group alert's delivery: the person's ID
    (never the name or number: the record keeps no personal data)."""
    if delivery_id is None:
        return {}
    rid = u.session.scalar(select(t.Delivery.recipient_id).where(t.Delivery.id == delivery_id))
    return {"person": format_id(Kind.RECIPIENT, rid)} if rid is not None else {}


def record_response(
    app: App,
    warning_id: int,
    kind: str,
    *,
    via: str,
    recorded_by: str,
    note: str = "",
    delivery_id: int | None = None,
) -> Responded:
    """Store an answer and set off what the policy says follows from it."""
    try:
        response_kind = ResponseKind(kind)
    except ValueError:
        kinds = ", ".join(k.value for k in ResponseKind)
        raise InputError(f"unknown response {kind!r}; use one of: {kinds}") from None
    if via not in VIA:
        raise InputError(f"unknown 'via' {via!r}; use one of: {', '.join(VIA)}")
    with app.unit() as u:
        w = load(u.session, t.WarningRecord, format_id(Kind.WARNING, warning_id), Kind.WARNING)
        wref = format_id(Kind.WARNING, w.id)
        if w.status != "released":
            raise InvalidState(f"{wref} has not been released; there is nothing to answer")
        row = t.Response(
            warning_id=w.id,
            kind=response_kind.value,
            note=note.strip()[:4000],
            via=via,
            recorded_by=recorded_by,
            received_at=u.now,
            delivery_id=delivery_id,
        )
        u.session.add(row)
        u.session.flush()
        ref = format_id(Kind.RESPONSE, row.id)
        u.audit(
            recorded_by,
            "response.recorded",
            ref,
            {
                "warning": wref,
                "kind": response_kind.value,
                "via": via,
                "delivery": format_id(Kind.DELIVERY, delivery_id) if delivery_id else None,
                **_person(u, delivery_id),
                **audit_note(u.session, row.note),
            },
        )
        state = warning_state(u, w, app.settings.validity_alarm_hours)
        policy = active_policy(app, u)
        triggers = frozenset(x for x in RESPONSE_TRIGGERS if x.value == response_kind.value)
        proposals = due(policy, state, u.now, triggers)
        escalations = _escalate(u, w, state, proposals, recorded_by)
        return Responded(ref, wref, response_kind, escalations)


def respond(
    app: App, warning_ref: str, kind: str, who: Identity, *, note: str = "", via: str = "channel"
) -> Responded:
    """An officer records an answer received by phone, in person, or through a channel."""
    who.require(Role.DUTY_OFFICER, "record a response")
    with app.read() as s:
        warning_id = load(s, t.WarningRecord, warning_ref, Kind.WARNING).id
    return record_response(app, warning_id, kind, via=via, recorded_by=who.username, note=note)


def check_due(app: App) -> list[EscalationView]:
    """Run the policy's timers over every released warning; write what has come due.

    Every warning's state is read in a few statements (``warning_states``), and the steps
    already written are known from one: a release to thousands costs a tick milliseconds
    a warning, not a round of queries each, in a transaction that held the database."""
    with app.unit() as u:
        policy = active_policy(app, u)
        # Steps run for at most a month after a warning's validity: bounded work per tick.
        released = list(
            u.session.scalars(
                select(t.WarningRecord.id)
                .where(
                    t.WarningRecord.status == "released",
                    t.WarningRecord.valid_until >= u.now - timedelta(days=30),
                )
                .order_by(t.WarningRecord.id)
            )
        )
        states = warning_states(u, released, app.settings.validity_alarm_hours)
        written = set(
            u.session.scalars(
                select(t.Escalation.dedupe_key).where(in_ids(t.Escalation.warning_id, "ids")),
                {"ids": id_list(released)},
            )
        )
        out: list[EscalationView] = []
        for wid, state in states.items():
            # A step written already is skipped here; ``_escalate`` asks again of the rest
            # (a case's step may stand on a warning outside this tick's).
            proposals = [
                p for p in due(policy, state, u.now) if _dedupe_key(p, state) not in written
            ]
            if proposals:
                w = u.session.get(t.WarningRecord, wid)
                assert w is not None
                out.extend(_escalate(u, w, state, proposals, TRACKER))
        return out


def check_overdue(app: App) -> list[EscalationView]:
    """The timers, as the worker runs them between batches (kept name: ``check_due``)."""
    return check_due(app)


def escalate_dead_letter(u: Unit, delivery_id: int, detail: str) -> None:
    """A delivery failed for good: the dead-letter rule runs in the same transaction."""
    d = u.session.get(t.Delivery, delivery_id)
    assert d is not None
    w = u.session.get(t.WarningRecord, d.warning_id)
    assert w is not None
    u.session.flush()
    ref = format_id(Kind.DELIVERY, d.id)
    if d.recipient_id is not None:
        # A group alert's delivery to one person: one proposal for the alert, whichever
        # person's failed first, not one per person.
        ref = GROUP_DEAD
        taken = t.Escalation.dedupe_key.contains(f":{ref}:")
        if u.session.scalar(select(t.Escalation.id).where(t.Escalation.warning_id == w.id, taken)):
            return
        state = warning_state(u, w)
        state = state if state.dead_letters else replace(state, dead_letters=((ref, u.now),))
    else:
        state = _with_dead(warning_state(u, w), ref, u.now)
    policy = _policy_in(u)
    proposals = due(policy, state, u.now, frozenset({Trigger.DEAD_LETTER}))
    _escalate(u, w, state, [p for p in proposals if f":{ref}:" in p.key], "worker")


def _with_dead(state: WarningState, ref: str, now: datetime) -> WarningState:
    from dataclasses import replace

    if any(r == ref for r, _ in state.dead_letters):
        return state
    return replace(state, dead_letters=(*state.dead_letters, (ref, now)))


def _policy_in(u: Unit) -> Policy:
    row = u.session.scalar(select(t.EscalationPolicy).where(t.EscalationPolicy.name == POLICY_NAME))
    if row is None:
        return default_policy(60)  # only the dead-letter rule is used here
    return Policy.from_dict(row.document)


def note_new_report(u: Unit, threat: t.Threat, actor: str) -> list[EscalationView]:
    """Called at ingest when a report joins a case: run the new-report rule at once."""
    warnings = u.session.scalars(
        select(t.WarningRecord).where(
            t.WarningRecord.threat_id == threat.id, t.WarningRecord.status == "released"
        )
    ).all()
    out: list[EscalationView] = []
    policy = _policy_in(u)
    for w in warnings:
        state = warning_state(u, w)
        proposals = due(policy, state, u.now, frozenset({Trigger.NEW_REPORT}))
        out.extend(_escalate(u, w, state, proposals, actor))
    return out


def resolve_escalation(app: App, ref: str, who: Identity, *, outcome: str, note: str = "") -> str:
    """The duty officer closes an escalation: ``done`` (acted on) or ``dismissed``."""
    who.require(Role.DUTY_OFFICER, "resolve an escalation")
    if outcome not in ESCALATION_OUTCOMES:
        raise InputError("an escalation is resolved as 'done' or 'dismissed'")
    with app.unit() as u:
        row = load(u.session, t.Escalation, ref, Kind.ESCALATION)
        eref = format_id(Kind.ESCALATION, row.id)
        if row.status != "proposed":
            raise InvalidState(f"{eref} is already {row.status}")
        row.status, row.resolved_by, row.resolved_at = outcome, who.username, u.now
        u.audit(who.username, f"escalation.{outcome}", eref, audit_note(u.session, note))
        return eref


@dataclass(frozen=True)
class EscalationRow:
    ref: str
    threat_ref: str
    warning_ref: str | None
    rule: str
    action: str
    status: str
    reason: str
    created_at: datetime
    detail: dict[str, Any]


def list_escalations(app: App, *, open_only: bool = False) -> list[EscalationRow]:
    """Every escalation, newest first (``open_only``: those still awaiting a decision)."""
    with app.read() as s:
        q = select(t.Escalation).order_by(t.Escalation.id.desc())
        if open_only:
            q = q.where(t.Escalation.status == "proposed")
        return [
            EscalationRow(
                format_id(Kind.ESCALATION, e.id),
                format_id(Kind.THREAT, e.threat_id),
                format_id(Kind.WARNING, e.warning_id) if e.warning_id else None,
                e.rule,
                e.action,
                e.status,
                str(e.detail.get("reason", "")),
                e.created_at,
                dict(e.detail),
            )
            for e in s.scalars(q)
        ]
