"""Assessing a case and recording the duty-to-warn determination, on the record.

"No warning" is a decision and is recorded like one. A waiver needs a written
justification and a second person's approval.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from tearline.assess import Assessment, assess
from tearline.decide import (
    WAIVER_REASONS,
    Checklist,
    Outcome,
    Parity,
    Role,
    determine,
    waiver_reason,
)
from tearline.errors import InputError, InvalidState, TwoPersonRule
from tearline.extract.gazetteer import country_name
from tearline.ids import Kind, format_id
from tearline.markings import Releasability
from tearline.model import Event, event_from_dict
from tearline.store import tables as t
from tearline.workflow import group_alerts
from tearline.workflow import supersede as superseding
from tearline.workflow.app import App, Unit
from tearline.workflow.case_markings import case_markings, recipient_nation
from tearline.workflow.cases import graded_credibility
from tearline.workflow.origins import case_corroboration
from tearline.workflow.records import assessment_value, load, registry
from tearline.workflow.targeting import area_of, presences
from tearline.workflow.users import Identity, same_person
from tearline.workflow.users import Role as UserRole

MIN_JUSTIFICATION = 20


@dataclass(frozen=True)
class RecipientChoice:
    ref: str
    name: str
    role: Role
    tier: str
    reason: str


@dataclass(frozen=True)
class Decided:
    ref: str
    threat_ref: str
    outcome: Outcome
    status: str
    assessment: Assessment
    checklist: Checklist
    intended_victims: str
    recipients: list[RecipientChoice]
    parity: Parity
    created_audience: str | None
    change: superseding.Change | None = None  # set when this supersedes a determination
    preview: bool = False  # nothing was recorded
    markings: str = ""  # the case's releasability banner ("REL TO USA, GBR"); "": none
    # Recipients the rule would warn that the case's markings exclude: not chosen.
    outside_markings: list[RecipientChoice] = field(default_factory=list)


def assess_case(
    u: Unit, threat: t.Threat, actor: str, horizon_days: int
) -> tuple[t.Assessment, Assessment]:
    counted = case_corroboration(u.session, threat)
    a = assess(
        event_from_dict(threat.facts),
        source_reliability=counted.reliability,
        corroborations=counted.corroborations,
        now=u.now,
        horizon_days=horizon_days,
        graded_credibility=graded_credibility(u.session, threat.id),
        origins=counted.why,
    )
    row = t.Assessment(
        threat_id=threat.id,
        source_reliability=a.source_reliability,
        info_credibility=a.info_credibility,
        likelihood=a.likelihood.value if a.likelihood else None,
        specificity=a.specificity.as_dict(),
        imminence=a.imminence.value,
        hours_to_window=a.hours_to_window,
        severity=a.severity.value,
        rationale=a.rationale,
        assessed_by=actor,
        created_at=u.now,
    )
    u.session.add(row)
    u.session.flush()
    u.audit(
        actor,
        "threat.assessed",
        format_id(Kind.THREAT, threat.id),
        {
            "admiralty": a.admiralty,
            "likelihood": row.likelihood,
            "imminence": a.imminence.value,
            "severity": a.severity.value,
            "specificity": a.specificity.as_dict(),
        },
    )
    return row, a


def _public_audience(u: Unit, event: Event, actor: str) -> t.Recipient | None:
    p = event.place
    if p is None or p.country is None:
        return None
    area = p.city or country_name(p.country)
    row = t.Recipient(
        name=f"Public in {area}",
        kind="public",
        tier="public",
        language="en",
        jurisdiction=None,
        area_country=p.country,
        area_city=p.city,
        contacts=[{"channel": "public_feed", "address": f"{p.country}-{area}".lower()}],
        created_at=u.now,
    )
    existing = u.session.scalar(select(t.Recipient).where(t.Recipient.name == row.name))
    if existing is not None:
        return existing
    u.session.add(row)
    u.session.flush()
    u.audit(
        actor,
        "recipient.created",
        format_id(Kind.RECIPIENT, row.id),
        {"kind": "public", "why": "parity check: no public audience for the area"},
    )
    return row


Choice = tuple[int, Role, str]


def _within_markings(
    u: Unit, markings: Releasability, choices: list[Choice]
) -> tuple[list[Choice], list[Choice]]:
    """(the choices the case's markings allow, those they exclude)."""
    if not markings.restricted or not choices:
        return choices, []
    ids = [rid for rid, _, _ in choices]
    rows: dict[int, t.Recipient] = {}
    for i in range(0, len(ids), 1000):
        chunk = ids[i : i + 1000]
        rows.update(
            (r.id, r)
            for r in u.session.scalars(select(t.Recipient).where(t.Recipient.id.in_(chunk)))
        )
    inside: list[Choice] = []
    outside: list[Choice] = []
    for choice in choices:
        r = rows[choice[0]]
        allowed = markings.allows(recipient_nation(r), r.communities or ())
        (inside if allowed else outside).append(choice)
    return inside, outside


def _check_waiver(waiver: str, justification: str) -> None:
    if waiver_reason(waiver) is None:
        codes = ", ".join(w.code for w in WAIVER_REASONS)
        raise InputError(f"unknown waiver reason {waiver!r}; use one of: {codes}")
    if len(justification.strip()) < MIN_JUSTIFICATION:
        raise InputError(
            f"a waiver needs a written justification of at least {MIN_JUSTIFICATION} characters"
        )


def decide(
    app: App,
    threat_ref: str,
    who: Identity,
    *,
    waiver: str | None = None,
    justification: str = "",
    supersede: str | None = None,
    follow_up: str | None = None,
    preview: bool = False,
) -> Decided:
    """Assess the case and record the determination the duty-to-warn rule gives.

    A case with a determination in force takes a new one only as a supersede (``supersede``
    is the reason; see workflow/supersede.py). ``preview`` records nothing: it shows what
    would be recorded.
    """
    who.require(UserRole.DUTY_OFFICER, "make a duty-to-warn determination")
    if waiver is not None:
        _check_waiver(waiver, justification)
    with superseding.unit_or_preview(app, preview) as u:
        threat = load(u.session, t.Threat, threat_ref, Kind.THREAT)
        a_row, a = assess_case(u, threat, who.username, app.settings.imminence_days)
        event = event_from_dict(threat.facts)
        area = area_of(app, event, u.now)
        proposal = determine(
            event,
            a,
            registry(u.session),
            area=area,
            presences=presences(app, area),
            via_protector=app.settings.warn_victims == "via_protector",
        )
        choices = [(s.recipient.id, s.role, s.reason) for s in proposal.suggestions]
        via = {s.recipient.id: s.via.id for s in proposal.suggestions if s.via is not None}
        created = None
        if proposal.parity.missing_area is not None and waiver is None:
            audience = _public_audience(u, event, who.username)
            if audience is not None:
                created = format_id(Kind.RECIPIENT, audience.id)
                choices.append(
                    (audience.id, Role.PUBLIC, "public in the threatened area (parity check)")
                )
        outcome = Outcome.WAIVE if waiver else proposal.outcome
        markings = case_markings(u.session, threat.id)
        choices, outside = _within_markings(u, markings, choices)
        if outcome is Outcome.WARN and not choices and outside:
            raise InvalidState(
                f"{threat_ref}: the duty to warn is triggered but every recipient it needs is "
                f"outside the case's releasability markings {markings.banner()}; ask the "
                "originators to release the reporting further, or register a recipient "
                "inside them"
            )
        if outcome is Outcome.WARN and not choices:
            raise InvalidState(
                f"{threat_ref}: the duty to warn is triggered but no recipient in the registry "
                "protects or is at the place; add one on the Recipients page (/recipients/new) "
                "or with `tearline recipients add`"
            )
        chosen = [rid for rid, _, _ in choices]
        change = superseding.check(
            u, threat, outcome, chosen, reason=supersede, follow_up=follow_up
        )
        row = t.Determination(
            threat_id=threat.id,
            assessment_id=a_row.id,
            outcome=outcome.value,
            status="proposed" if outcome is Outcome.WAIVE else "recorded",
            checklist={
                k: {"met": c.met, "reason": c.reason} for k, c in proposal.checklist.items().items()
            },
            recipients=[
                {"recipient_id": rid, "role": role.value, "reason": why}
                | ({"via": via[rid]} if rid in via else {})
                for rid, role, why in choices
            ],
            parity={
                "applies_to_public": proposal.parity.applies_to_public,
                "flagged": proposal.parity.flagged,
                "reason": proposal.parity.reason,
                "victims_missing": list(proposal.parity.victims_missing),
                **(
                    {
                        "markings": markings.banner(),
                        "outside_markings": [format_id(Kind.RECIPIENT, r) for r, _, _ in outside],
                    }
                    if markings.restricted
                    else {}
                ),
            },
            intended_victims=proposal.intended_victims,
            waiver_code=waiver,
            justification=justification.strip(),
            decided_by=who.username,
            decided_at=u.now,
        )
        u.session.add(row)
        u.session.flush()
        if change is None:
            threat.status = "determined"
        ref = format_id(Kind.DETERMINATION, row.id)
        u.audit(
            who.username,
            f"determination.{outcome.value}",
            ref,
            {
                "threat": threat_ref.upper(),
                "triggered": proposal.checklist.triggered,
                "checklist": {k: c.met for k, c in proposal.checklist.items().items()},
                **group_alerts.audit_choices(
                    choices, group_alerts.people_in_group(app, proposal.suggestions)
                ),
                "parity_flagged": proposal.parity.flagged,
                "waiver": waiver,
            },
        )
        if change is not None:
            superseding.propose(u, row, change, who)
        names = {  # columns, not objects: a registry of 100,000 people is read in seconds
            rid: (name, tier)
            for rid, name, tier in u.session.execute(
                select(t.Recipient.id, t.Recipient.name, t.Recipient.tier)
            )
        }
        return Decided(
            ref,
            format_id(Kind.THREAT, threat.id),
            outcome,
            row.status,
            a,
            proposal.checklist,
            proposal.intended_victims,
            [
                RecipientChoice(
                    format_id(Kind.RECIPIENT, rid), names[rid][0], role, names[rid][1], why
                )
                for rid, role, why in choices
            ],
            proposal.parity,
            created,
            change=change,
            preview=preview,
            markings=markings.banner(),
            outside_markings=[
                RecipientChoice(
                    format_id(Kind.RECIPIENT, rid), names[rid][0], role, names[rid][1], why
                )
                for rid, role, why in outside
            ],
        )


def approve_waiver(app: App, determination_ref: str, who: Identity) -> str:
    """A second person approves a waiver; the one who proposed it cannot."""
    who.require(UserRole.APPROVER, "approve a waiver")
    with app.unit() as u:
        det = load(u.session, t.Determination, determination_ref, Kind.DETERMINATION)
        if det.supersedes_id is not None:
            return superseding.approve(u, det, who)
        ref = format_id(Kind.DETERMINATION, det.id)
        if det.outcome != Outcome.WAIVE.value or det.status != "proposed":
            raise InvalidState(
                f"{ref} is not a waiver awaiting approval (it is {det.outcome}, {det.status})"
            )
        if same_person(u.session, det.decided_by, who.username):
            raise TwoPersonRule(f"{who.username} proposed waiver {ref} and cannot also approve it")
        det.status, det.approved_by, det.approved_at = "approved", who.username, u.now
        threat = u.session.get(t.Threat, det.threat_id)
        assert threat is not None
        threat.status = "waived"
        u.audit(
            who.username,
            "determination.waiver_approved",
            ref,
            {"proposed_by": det.decided_by, "approved_by": who.username, "waiver": det.waiver_code},
        )
        return ref


def latest_assessment(u: Unit, threat: t.Threat) -> Assessment | None:
    row = u.session.scalar(
        select(t.Assessment)
        .where(t.Assessment.threat_id == threat.id)
        .order_by(t.Assessment.id.desc())
    )
    return assessment_value(row) if row else None
