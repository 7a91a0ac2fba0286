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
from tearline.model import (
    HARM_IN_SCOPE,
    LETHAL_METHODS,
    Event,
    Recipient,
    RecipientKind,
    Target,
    TargetType,
)

PUBLIC_TARGETS = frozenset(
    {
        TargetType.MASS_GATHERING,
        TargetType.CONCERT,
        TargetType.CIVILIANS,
        TargetType.TRANSPORT,
        TargetType.RELIGIOUS,
        TargetType.BUSINESS,
    }
)


class Outcome(StrEnum):
    WARN = "warn"
    WAIVE = "waive"
    NOT_TRIGGERED = "not_triggered"


class Role(StrEnum):
    INTENDED_VICTIM = "intended_victim"
    PROTECTOR = "protector"  # responsible for protecting the intended victims
    PUBLIC = "public"


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
class Suggestion:
    recipient: Recipient
    role: Role
    reason: str


@dataclass(frozen=True)
class Parity:
    applies_to_public: bool
    officials_warned: bool
    flagged: bool  # officials would be warned and the public not: a double standard
    reason: str
    # Where the public must be told but the registry has no audience for the area:
    missing_area: tuple[str, str | None] | None = None


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


def _in_area(r: Recipient, event: Event) -> bool:
    p = event.place
    if p is None or r.area_country != p.country:
        return False
    return r.area_city is None or (
        p.city is not None and r.area_city.casefold() == p.city.casefold()
    )


def suggest_recipients(event: Event, registry: Sequence[Recipient]) -> list[Suggestion]:
    """The intended victims we can reach, and those responsible for protecting them."""
    out: list[Suggestion] = []
    country = event.place.country if event.place else None
    names = [t.name.casefold() for t in event.targets if t.name]
    for r in registry:
        if r.kind is RecipientKind.GOVERNMENT and country and r.jurisdiction == country:
            out.append(
                Suggestion(r, Role.PROTECTOR, f"responsible for protecting people in {country}")
            )
        elif r.kind in (RecipientKind.ORGANISATION, RecipientKind.PERSON) and any(
            n in r.name.casefold() for n in names
        ):
            out.append(Suggestion(r, Role.INTENDED_VICTIM, "named as a target"))
    return out


def parity_check(
    event: Event, suggestions: Sequence[Suggestion], registry: Sequence[Recipient]
) -> tuple[Parity, list[Suggestion]]:
    """Flag a warning that would reach officials but not the public it also concerns.

    Returns the finding and the public audiences to add from the registry.
    """
    public_facing = [t for t in event.targets if t.type in PUBLIC_TARGETS]
    officials = any(s.role is Role.PROTECTOR for s in suggestions)
    already = any(s.role is Role.PUBLIC for s in suggestions)
    if not public_facing:
        return Parity(False, officials, False, "the targets are not the general public"), []
    audiences = (
        []
        if already
        else [
            Suggestion(r, Role.PUBLIC, "public in the threatened area")
            for r in registry
            if r.kind is RecipientKind.PUBLIC and _in_area(r, event)
        ]
    )
    if already or not officials:
        why = "the public is already among the recipients" if already else "no officials warned"
        return Parity(True, officials, False, why), audiences
    targets = ", ".join(dict.fromkeys(target_words(t) for t in public_facing))
    reason = (
        f"the threat applies to the public ({targets}); officials must not be warned "
        "while the public is not (no double standard)"
    )
    missing = None
    if not audiences and event.place is not None and event.place.country:
        missing = (event.place.country, event.place.city)
    return Parity(True, True, True, reason, missing_area=missing), audiences


def determine(event: Event, assessment: Assessment, registry: Sequence[Recipient]) -> Proposal:
    """What the rule says: warn whom, or why it is not triggered. Waivers are the officer's."""
    checklist = trigger_checklist(event, assessment)
    if not checklist.triggered:
        parity = Parity(False, False, False, "not triggered")
        return Proposal(Outcome.NOT_TRIGGERED, checklist, intended_victims(event), (), parity)
    suggestions = suggest_recipients(event, registry)
    parity, public = parity_check(event, suggestions, registry)
    return Proposal(
        Outcome.WARN,
        checklist,
        intended_victims(event),
        tuple(suggestions + public),
        parity,
    )
