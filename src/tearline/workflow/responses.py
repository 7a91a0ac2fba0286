"""Recording what recipients answer, and turning escalation rules into proposals on the record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from tearline.assess.grading import IMMINENT_HOURS
from tearline.errors import InputError, InvalidState
from tearline.ids import Kind, format_id
from tearline.model import event_from_dict
from tearline.store import tables as t
from tearline.track import Proposal, ResponseKind, WarningState, on_response, overdue
from tearline.workflow.app import App, Unit
from tearline.workflow.records import load
from tearline.workflow.users import Identity, Role

VIA = ("channel", "phone", "in_person", "liaison", "email", "other")


@dataclass(frozen=True)
class EscalationView:
    ref: str
    rule: str
    action: str
    reason: str
    detail: dict[str, object]


@dataclass(frozen=True)
class Responded:
    ref: str
    warning_ref: str
    kind: ResponseKind
    escalations: list[EscalationView]


def warning_state(u: Unit, w: t.WarningRecord) -> WarningState:
    threat = u.session.get(t.Threat, w.threat_id)
    assert threat is not None
    assert w.released_at is not None
    event = event_from_dict(threat.facts)
    imminent = event.time is not None and (
        event.time.start - u.now <= timedelta(hours=IMMINENT_HOURS) and event.time.end >= u.now
    )
    kinds = u.session.scalars(select(t.Response.kind).where(t.Response.warning_id == w.id))
    return WarningState(
        reference=format_id(Kind.WARNING, w.id),
        threat_reference=format_id(Kind.THREAT, threat.id),
        recipient=w.recipient.name,
        recipient_public=w.recipient.tier == "public",
        released_at=w.released_at,
        valid_until=w.valid_until,
        imminent=imminent,
        place_country=event.place.country if event.place else None,
        place_city=event.place.city if event.place else None,
        responses=tuple(ResponseKind(k) for k in kinds),
    )


def _escalate(
    u: Unit, w: t.WarningRecord, state: WarningState, proposals: list[Proposal], actor: str
) -> list[EscalationView]:
    out = []
    for p in proposals:
        key = p.dedupe_key(state.reference)
        if u.session.scalar(select(t.Escalation.id).where(t.Escalation.dedupe_key == key)):
            continue
        row = t.Escalation(
            threat_id=w.threat_id,
            warning_id=w.id,
            rule=p.rule,
            action=p.action.value,
            status="proposed",
            detail={"reason": p.reason, **p.detail},
            created_at=u.now,
            dedupe_key=key,
        )
        u.session.add(row)
        u.session.flush()
        ref = format_id(Kind.ESCALATION, row.id)
        u.audit(
            actor,
            "escalation.proposed",
            ref,
            {"warning": state.reference, "rule": p.rule, "action": p.action.value},
        )
        out.append(EscalationView(ref, p.rule, p.action.value, p.reason, dict(p.detail)))
    return out


def respond(
    app: App, warning_ref: str, kind: str, who: Identity, *, note: str = "", via: str = "channel"
) -> Responded:
    """Record a recipient's answer (given through a channel, by phone or in person)."""
    who.require(Role.DUTY_OFFICER, "record a response")
    try:
        response_kind = ResponseKind(kind)
    except ValueError:
        kinds = ", ".join(k.value for k in ResponseKind)
        raise InputError(f"unknown response {kind!r}; use one of: {kinds}") from None
    if via not in VIA:
        raise InputError(f"unknown 'via' {via!r}; use one of: {', '.join(VIA)}")
    with app.unit() as u:
        w = load(u.session, t.WarningRecord, warning_ref, Kind.WARNING)
        wref = format_id(Kind.WARNING, w.id)
        if w.status != "released":
            raise InvalidState(f"{wref} has not been released; there is nothing to answer")
        row = t.Response(
            warning_id=w.id,
            kind=response_kind.value,
            note=note.strip()[:4000],
            via=via,
            recorded_by=who.username,
            received_at=u.now,
        )
        u.session.add(row)
        u.session.flush()
        ref = format_id(Kind.RESPONSE, row.id)
        u.audit(
            who.username,
            "response.recorded",
            ref,
            {"warning": wref, "kind": response_kind.value, "via": via, "note": row.note[:500]},
        )
        state = warning_state(u, w)
        escalations = _escalate(u, w, state, on_response(state, response_kind, u.now), who.username)
        return Responded(ref, wref, response_kind, escalations)


def check_overdue(app: App) -> list[EscalationView]:
    """Escalate warnings about imminent threats that nobody has acknowledged in time."""
    ack = timedelta(minutes=app.settings.ack_minutes_imminent)
    with app.unit() as u:
        released = u.session.scalars(
            select(t.WarningRecord).where(
                t.WarningRecord.status == "released", t.WarningRecord.valid_until >= u.now
            )
        ).all()
        states = {format_id(Kind.WARNING, w.id): (w, warning_state(u, w)) for w in released}
        out: list[EscalationView] = []
        for state, proposal in overdue([s for _, s in states.values()], u.now, ack):
            w, _ = states[state.reference]
            out.extend(_escalate(u, w, state, [proposal], "tracker"))
        return out
