"""Role fillers given to events: the tagger's mentions, joined by what the rules found.

Each mention goes to the event whose evidence holds its sentence, else to the nearest
event at most ``NEAR`` sentences away, else nowhere. In mixed-case text the rules fill a
role the tagger left empty: designated organisations and people described as attackers
("gunmen") as perpetrators, named venues and buildings as physical targets, the method's
weapon. Groups of people the rules found ("civilians", "large gatherings") are always unnamed human
targets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from tearline.extract._doc import Doc
from tearline.extract._roles import (
    ROLE_FIELDS,
    DocumentRoles,
    RoleMention,
    gather,
    organisation_of,
)
from tearline.extract.organisations import Organisations
from tearline.model import (
    Event,
    IncidentType,
    Method,
    RoleFiller,
    Span,
    Target,
    TargetType,
    incident_type_of,
)

NEAR = 2  # sentences between a mention and the event it is given to, at most

# Target words that name people, not things: these are human targets.
_HUMAN_HEADS = frozenset(
    [
        "soldiers",
        "troops",
        "policemen",
        "officer",
        "officers",
        "students",
        "schoolchildren",
        "diplomat",
        "diplomats",
        "worshippers",
        "worshipers",
        "pilgrims",
        "civilians",
        "peasants",
        "villagers",
        "tourists",
        "pedestrians",
        "passengers",
        "judge",
        "judges",
        "mayor",
        "priest",
        "priests",
        "journalist",
        "journalists",
        "politician",
        "politicians",
        "candidate",
        "candidates",
        "crowd",
        "crowds",
        "gathering",
        "gatherings",
        "people",
    ]
)
# Target words of the lexicon that name an occasion, not a thing that can be hit.
_NOT_THINGS = frozenset(["commemorate", "commemorating", "commemoration", "commemorations"])
_PERSONAL_TYPES = {TargetType.PERSON, TargetType.CIVILIANS, TargetType.MASS_GATHERING}


def _event_units(doc: Doc, events: Sequence[Event]) -> list[set[int]]:
    out = []
    for e in events:
        units = set()
        for s in e.evidence:
            u = doc.unit_at(s.start)
            if u is not None:
                units.add(u.index)
        out.append(units)
    return out


def in_reach(doc: Doc, events: Sequence[Event]) -> set[int]:
    """The units whose role fillers can be given to one of the events (``attach``)."""
    return {u + d for us in _event_units(doc, events) for u in us for d in range(-NEAR, NEAR + 1)}


def _owners(units: Sequence[set[int]]) -> dict[int, int]:
    """Per unit, the first event whose evidence holds it."""
    out: dict[int, int] = {}
    for i, us in enumerate(units):
        for u in us:
            out.setdefault(u, i)
    return out


def _owner(unit: int, owners: dict[int, int]) -> int | None:
    """The event nearest the unit, at most NEAR units away (the first event on a tie)."""
    for d in range(NEAR + 1):
        near = [i for u in {unit - d, unit + d} if (i := owners.get(u)) is not None]
        if near:
            return min(near)
    return None


def attach(
    events: Sequence[Event], roles: DocumentRoles | None, doc: Doc, orgs: Organisations
) -> list[Event]:
    """The events with their role fillers and MUC-4 incident type."""
    owners = _owners(_event_units(doc, events))
    given: list[list[RoleMention]] = [[] for _ in events]
    if roles is not None:
        for m in roles.mentions:
            i = _owner(m.unit, owners)
            if i is not None:
                given[i].append(m)
    rules = not doc.upper
    return [_with_fillers(e, ms, orgs, rules) for e, ms in zip(events, given, strict=True)]


def _with_fillers(e: Event, mentions: list[RoleMention], orgs: Organisations, rules: bool) -> Event:
    by_role: dict[str, list[RoleMention]] = {r: [] for r in ROLE_FIELDS}
    for m in mentions:
        by_role[m.role].append(m)
    # In mixed-case text (modern reporting, far from the 1990 wire texts the tagger
    # learned from) what the rules are sure of fills a role the tagger left empty. In
    # caseless text the tagger is on home ground and the rules add more noise than
    # fillers (measured on MUC-4: docs/evaluation.md).
    ruled: dict[str, list[RoleMention]] = {r: [] for r in ROLE_FIELDS}
    for a in e.actors:
        ruled["PerpInd" if a.individuals else "PerpOrg"].append(RoleMention("", a.span, -1, 0.9))
    for t in e.targets:
        if not _is_people(t) and t.span.text.lower() not in _NOT_THINGS:
            ruled["Target"].append(RoleMention("", t.span, -1, 0.9))
    ruled["Weapon"] = _weapon(e)
    for role, found in ruled.items():
        if rules and not by_role[role]:
            by_role[role] = found
    f = {role: _fillers(role, ms, orgs) for role, ms in by_role.items()}
    return replace(
        e,
        incident_type=_muc_type(e),
        perpetrator_individuals=f["PerpInd"],
        perpetrator_organizations=f["PerpOrg"],
        physical_targets=f["Target"],
        human_targets=(*f["Victim"], *_human(e)),
        weapons=f["Weapon"],
    )


def _weapon(e: Event) -> list[RoleMention]:
    """The weapon the rules found for the method ("automatic rifles"), at its place in
    the evidence."""
    if e.method is None or not e.method.weapon:
        return []
    written = re.compile(r"\s+".join(re.escape(w) for w in e.method.weapon.split()))
    for s in e.evidence:
        m = written.search(s.text)
        if m is not None:
            span = Span(s.start + m.start(), s.start + m.end(), m.group())
            return [RoleMention("", span, -1, 0.9)]
    return []


def _is_people(t: Target) -> bool:
    """An unnamed group of people ("civilians", "large gatherings"), not a thing."""
    words = t.span.text.lower().split()
    return (
        t.name is None and bool(words) and (words[-1] in _HUMAN_HEADS or t.type in _PERSONAL_TYPES)
    )


def _fillers(role: str, mentions: list[RoleMention], orgs: Organisations) -> tuple[RoleFiller, ...]:
    out = []
    for entity in gather(role, mentions, orgs):
        first = entity[0]
        rest = tuple(dict.fromkeys(m.span for m in entity[1:] if m.span != first.span))
        org = organisation_of(first.span.text, orgs) if role == "PerpOrg" else None
        if role == "PerpOrg" and org is None:
            org = next(
                (o for m in entity if (o := organisation_of(m.span.text, orgs)) is not None), None
            )
        out.append(
            RoleFiller(
                first.span,
                mentions=rest,
                confidence=round(max(m.score for m in entity), 3),
                canonical=org.name if org else None,
                org_id=org.id if org else None,
                named=role == "Victim",
            )
        )
    return tuple(out)


def _human(e: Event) -> tuple[RoleFiller, ...]:
    """Groups of people the rules found as targets ("large gatherings", "civilians")."""
    seen: set[str] = set()
    out = []
    for t in e.targets:
        head = t.span.text.lower().split()[-1] if _is_people(t) else ""
        if head and head not in seen:
            seen.add(head)
            out.append(RoleFiller(t.span, confidence=0.9))
    return tuple(out)


# MUC-4's keys call an attack with fired explosives - mortars, rockets, grenade
# launchers, bombs dropped from aircraft - an ATTACK and keep BOMBING for devices planted
# or thrown. In the development keys: aerial bomb 9 of 9, mortar 8 of 9, rocket 3 of 3
# ATTACK; grenade 6 of 8, dynamite 65 of 66 BOMBING. Tearline's own method stays bombing.
_FIRED = re.compile(
    r"\b(?:mortars?|rockets?|rpg[\w-]*|bazookas?|grenade[ -]launchers?|missiles?|artillery"
    r"|shells?|shelling|aerial\s+bombs?)\b",
    re.IGNORECASE,
)
_AIRCRAFT = re.compile(
    r"\b(?:(?:air)?planes?|aircraft|helicopters?|gunships?|air\s+force|jets?|bombers?"
    r"|a-37s?)\b",
    re.IGNORECASE,
)
_DROPPED = re.compile(r"bomb(?:ed|ing|ings)|bombard\w*|strafed|strafing", re.IGNORECASE)


def _muc_type(e: Event) -> IncidentType:
    """The event's type in MUC-4's vocabulary."""
    kind = incident_type_of(e.method.method if e.method else None)
    method = e.method
    if method is None or method.method is not Method.BOMBING or method.span is None:
        return kind
    span = method.span
    if _FIRED.search(span.text):  # "a mortar attack", "fired rockets"
        return IncidentType.ATTACK
    sentence = next((s for s in e.evidence if s.start <= span.start < s.end), None)
    if sentence is not None and _DROPPED.fullmatch(span.text):
        # "air force planes bombed the neighbourhood": bombs dropped from the air
        before = sentence.text[
            max(0, span.start - sentence.start - 100) : span.start - sentence.start
        ]
        if _AIRCRAFT.search(before):
            return IncidentType.ATTACK
    return kind
