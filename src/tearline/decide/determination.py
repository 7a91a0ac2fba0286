"""The duty-to-warn determination: the trigger, whom to warn, and the parity check.

Trigger = credible ∧ specific ∧ impending ∧ harm in scope (ICD 191). Whom: the intended
victims, or those responsible for protecting them. Parity ("no double standard",
7 FAM 052): a threat that applies to the public is not told to officials alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from tearline.assess import Assessment, Imminence, Likelihood
from tearline.decide.recipients import (
    PUBLIC_TARGETS,
    Area,
    Presence,
    Role,
    Suggestion,
    choose_recipients,
    in_area,
    intended_victims_in,
    threatened_area,
)
from tearline.model import (
    HARM_IN_SCOPE,
    LETHAL_METHODS,
    Event,
    Recipient,
    RecipientKind,
    Target,
)


class Outcome(StrEnum):
    WARN = "warn"
    WAIVE = "waive"
    NOT_TRIGGERED = "not_triggered"


@dataclass(frozen=True)
class Check:
    met: bool
    reason: str


@dataclass(frozen=True)
class Checklist:
    credible: Check
    specific: Check
    impending: Check
    harm_in_scope: Check

    @property
    def triggered(self) -> bool:
        return all(c.met for c in self.items().values())

    def items(self) -> dict[str, Check]:
        return {
            "credible": self.credible,
            "specific": self.specific,
            "impending": self.impending,
            "harm_in_scope": self.harm_in_scope,
        }


@dataclass(frozen=True)
class Parity:
    applies_to_public: bool
    officials_warned: bool
    flagged: bool  # officials would be warned and the public not: a double standard
    reason: str
    # Where the public must be told but the registry has no audience for the area:
    missing_area: tuple[str, str | None] | None = None
    # Intended victims the registry holds (named, or running what the threat names) that
    # the recipients leave out: flagged like a missing public audience.
    victims_missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Proposal:
    outcome: Outcome
    checklist: Checklist
    intended_victims: str
    suggestions: tuple[Suggestion, ...]
    parity: Parity


def trigger_checklist(event: Event, assessment: Assessment) -> Checklist:
    likely = assessment.likelihood is not None and (
        list(Likelihood).index(assessment.likelihood) >= list(Likelihood).index(Likelihood.LIKELY)
    )
    credible = Check(
        assessment.info_credibility <= 3 or likely,
        f"{assessment.admiralty}: {assessment.rationale['credibility']}"
        + (f"; likelihood {assessment.likelihood.value}" if assessment.likelihood else ""),
    )
    spec = assessment.specificity
    specific = Check(
        spec.where and spec.count >= 3,
        assessment.rationale["specificity"] + ("" if spec.where else "; no place precise enough"),
    )
    impending = Check(
        assessment.imminence in (Imminence.IMMINENT, Imminence.NEAR_TERM),
        assessment.rationale["imminence"],
    )
    harms = event.harms & HARM_IN_SCOPE
    lethal = event.method is not None and event.method.method in LETHAL_METHODS
    harm = Check(
        bool(harms) or lethal,
        "threatens " + ", ".join(sorted(h.value.replace("_", " ") for h in harms))
        if harms
        else (
            f"method ({event.method.method.value.replace('_', ' ')}) threatens life"
            if lethal and event.method
            else "no killing, serious bodily injury or kidnapping stated"
        ),
    )
    return Checklist(credible, specific, impending, harm)


def target_words(target: Target) -> str:
    """A target in the record's English: its name where it has one ("Crocus City Hall"),
    else the report's own words where they are English, else its type ("concert") - a
    report read in Russian gives "concert", not "концертном зале"."""
    if target.name:
        return target.name
    if target.span.text.isascii():
        return target.span.text
    return target.type.value.replace("_", " ")


def intended_victims(event: Event) -> str:
    """Who is at risk, for the record (internal: may use the report's words)."""
    who = [target_words(t) for t in event.targets] or ["unspecified people"]
    where = ""
    if event.place is not None:
        where = f" in {event.place.city or event.place.region or event.place.name}"
    return "people at " + ", ".join(dict.fromkeys(who)) + where


def parity_check(
    event: Event,
    suggestions: Sequence[Suggestion],
    registry: Sequence[Recipient],
    area: Area | None = None,
) -> tuple[Parity, list[Suggestion]]:
    """No double standard: the public a threat concerns, and the intended victims it names,
    are told whenever officials are.

    Returns the finding and what to add from the registry: the area's public audiences and
    the intended victims that ``suggestions`` leave out.
    """
    area = area or threatened_area(event)
    have = {s.recipient.id for s in suggestions}
    officials = any(s.role is Role.PROTECTOR for s in suggestions)
    victims = [v for v in intended_victims_in(event, registry) if v.recipient.id not in have]
    victim_note = ""
    if victims:
        names = ", ".join(v.recipient.name for v in victims)
        victim_note = (
            f"the threat names targets the registry can reach ({names}); they must be "
            "warned like anyone else (no double standard)"
        )
    public_facing = [t for t in event.targets if t.type in PUBLIC_TARGETS]
    missing_victims = tuple(v.recipient.name for v in victims)
    if not public_facing:
        why = victim_note or "the targets are not the general public"
        return Parity(False, officials, bool(victims), why, None, missing_victims), victims
    already = any(s.role is Role.PUBLIC for s in suggestions)
    audiences = [
        Suggestion(r, Role.PUBLIC, f"public in the threatened area: {in_area(r, area)[0]}")
        for r in registry
        if r.kind is RecipientKind.PUBLIC
        and area is not None
        and r.id not in have
        and in_area(r, area)[0]
    ]
    if not officials:
        why = "; ".join(filter(None, ["no officials warned", victim_note]))
        return (
            Parity(True, officials, bool(victims), why, None, missing_victims),
            victims + audiences,
        )
    targets = ", ".join(dict.fromkeys(target_words(t) for t in public_facing))
    reason = (
        f"the threat applies to the public ({targets}); officials must not be warned "
        "while the public is not (no double standard)"
    )
    missing = None
    if not already and not audiences and event.place is not None and event.place.country:
        missing = (event.place.country, event.place.city)
    reason = "; ".join(filter(None, [reason, victim_note]))
    return Parity(True, True, True, reason, missing, missing_victims), victims + audiences


def determine(
    event: Event,
    assessment: Assessment,
    registry: Sequence[Recipient],
    *,
    area: Area | None = None,
    presences: Sequence[Presence] = (),
    via_protector: bool = False,
) -> Proposal:
    """What the rule says: warn whom, or why it is not triggered. Waivers are the officer's.

    ``area`` and ``presences`` come from the caller's location index (the workflow); without
    them the area is sized from the place alone and no one's whereabouts are known.
    """
    checklist = trigger_checklist(event, assessment)
    if not checklist.triggered:
        parity = Parity(False, False, False, "not triggered")
        return Proposal(Outcome.NOT_TRIGGERED, checklist, intended_victims(event), (), parity)
    area = area or threatened_area(event)
    suggestions = choose_recipients(event, registry, area, presences, via_protector=via_protector)
    parity, added = parity_check(event, suggestions, registry, area)
    return Proposal(
        Outcome.WARN,
        checklist,
        intended_victims(event),
        tuple(suggestions + added),
        parity,
    )
