"""A draft event turned into the immutable ``Event`` later stages read.

Confidence is a simple, documented score (docs/extract-json.md): 0.2, plus 0.1 for
each kind of fact found (actor, method, harm, target, place, time, casualties), plus
0.05 for each further sentence of evidence (at most two), times 0.6 when the event is
hypothetical or denied, times 0.9 for all-capital text; kept within [0.05, 0.95].
"""

from __future__ import annotations

import re
from dataclasses import replace

from tearline import venues
from tearline.extract import _lexicon as lx
from tearline.extract._mentions import DID, is_threat_word
from tearline.extract._merge import Draft, place_score
from tearline.model import (
    Actor,
    Casualties,
    Count,
    Event,
    EventKind,
    HarmFact,
    Method,
    MethodFact,
    Modality,
    Place,
    PlacePrecision,
    Span,
    Target,
)

MIN_FACT_KINDS = 2  # an event needs at least this many kinds of fact besides its trigger
# A trigger with its object - "the attack on Guillermo Payes", "the murder of the
# candidate", "the attack against FENASTRAS" - names what was attacked even where the
# rules know no word for it: that counts as a kind of fact. Not an attack on a policy.
_ATTACKED = re.compile(
    r"\s+(?:on|against|of|upon)\s+(?:the\s+)?(?!government\b|policy|policies|peace\b"
    r"|dialogue|process|plans?\b|proposals?\b|campaign|measures?\b|rights\b)[^\W\d_]",
    re.IGNORECASE,
)

# A threat word read with whom it is against ("a veiled threat against Francisco Guerrero,
# president of the supreme court"): the words after it name its target.
_AGAINST_END = re.compile(r"\b(?:against|li(?:fe|ves)\s+of)$", re.IGNORECASE)


def _actors(d: Draft) -> tuple[Actor, ...]:
    out: list[Actor] = []
    seen: set[str] = set()
    for mn in d.mentions:
        for a in mn.actors:
            key = a.org.id if a.org is not None else a.span.text.lower()
            if key in seen:
                continue
            seen.add(key)
            if a.org is not None:
                out.append(Actor(a.span, canonical=a.org.name, org_id=a.org.id))
            else:
                out.append(Actor(a.span, individuals=True))
    return tuple(out)


def _harms(d: Draft) -> tuple[HarmFact, ...]:
    out: dict[str, HarmFact] = {}
    for mn in d.mentions:
        for h in mn.harms:
            out.setdefault(h.harm.value, h)
    return tuple(out.values())


_DEFINING = {
    Method.SUICIDE_BOMBING,
    Method.VEHICLE_RAMMING,
    Method.HIJACKING,
    Method.CBRN,
    Method.KIDNAPPING,
}


def _method(d: Draft) -> MethodFact | None:
    """How the event was carried out: the method of its first sentence that names one
    ("the murder took place ... there were explosions" is no bombing; "four men set fire
    to two government vehicles ... two were arrested after a shoot-out" an arson), unless
    a later sentence names a method that defines the whole event: a kidnapping, a
    hijacking, a suicide bombing, a ramming. Without a method word, the first weapon's."""
    first = next((mn.methods for mn in d.mentions if mn.methods), [])
    methods = [*first, *(m for mn in d.mentions for m in mn.methods if m[1] in _DEFINING)]
    weapons = [w for mn in d.mentions for w in mn.weapons]
    if methods:
        span, method = min(methods, key=lambda sm: lx.METHOD_PRIORITY.index(sm[1]))
        fitting = [w for w in weapons if w[1] in lx.METHOD_WEAPONS.get(method, set())]
        weapon = fitting[0][0].text if fitting else None
        return MethodFact(method, span, weapon=_as_written(weapon))
    if weapons:
        span, cls = weapons[0]
        return MethodFact(lx.WEAPON_METHOD[cls], span, weapon=_as_written(span.text))
    return None


def _as_written(text: str | None) -> str | None:
    return None if text is None else " ".join(text.split())


def _targets(d: Draft) -> tuple[Target, ...]:
    out: dict[tuple[str, str | None], Target] = {}
    for mn in d.mentions:
        for t in mn.targets:
            out.setdefault((t.type.value, t.name), t)
    return tuple(out.values())


def _place(d: Draft, targets: tuple[Target, ...]) -> Place | None:
    place = d.place
    if place is None:
        candidates = [pf for mn in d.mentions for pf in mn.places]
        if candidates:
            place = max(candidates, key=lambda pf: place_score(pf.mention, pf.place)).place
    named = [t for t in targets if t.name]
    if place is not None and place.precision is PlacePrecision.CITY and named:
        # A named venue found with its city: the venue is the place, at its own
        # coordinates where the venue gazetteer knows it, else at the city's.
        v = named[0]
        place = replace(place, span=v.span, precision=PlacePrecision.VENUE, venue=v.name)
        known = venues.load().find(v.name or "", place.country)
        if known is not None:
            place = replace(place, lat=known.lat, lon=known.lon)
        return place
    return place


def _count(counts: list[Count]) -> Count | None:
    # Reports update tolls upwards: keep the largest minimum, the first of equals.
    return max(counts, key=lambda c: c.min) if counts else None


def _casualties(d: Draft) -> Casualties:
    killed = [c.count for mn in d.mentions for _, c in mn.counts if c.killed]
    injured = [c.count for mn in d.mentions for _, c in mn.counts if not c.killed]
    return Casualties(_count(killed), _count(injured))


def _evidence(d: Draft, text: str) -> tuple[Span, ...]:
    units = sorted({mn.unit.index: mn.unit for mn in d.mentions}.values(), key=lambda u: u.start)
    return tuple(Span(u.start, u.end, text[u.start : u.end]) for u in units)


def assemble(d: Draft, text: str, upper: bool) -> Event | None:
    """The event, or None when it says too little to be worth reporting."""
    actors, harms, method, targets = _actors(d), _harms(d), _method(d), _targets(d)
    place, casualties = _place(d, targets), _casualties(d)
    # "a veiled threat against Francisco Guerrero": the threat names whom it is against,
    # though no target word does
    named = any(_AGAINST_END.search(t.text) for mn in d.mentions for t in mn.triggers)
    kinds = sum(
        bool(x)
        for x in (
            actors,
            harms,
            method,
            targets or named,
            place,
            d.time,
            casualties.killed or casualties.injured,
        )
    )
    # A threat in so many words is a fact of its own where it says whom it is against or
    # from, or what it threatens ("received threats in Lima" alone is no threat to warn of)
    against = bool(actors or harms or targets) or named
    kinds += any(mn.language for mn in d.mentions) or any(
        _ATTACKED.match(text, t.end)
        or (mn.kind is EventKind.INCIDENT and DID.match(text, t.end))
        or (mn.kind is EventKind.THREAT and against and is_threat_word(t.text))
        for mn in d.mentions
        for t in mn.triggers
        if t.text
    )
    if kinds < MIN_FACT_KINDS or all(mn.triggers[0].text == "" for mn in d.mentions):
        return None
    evidence = _evidence(d, text)
    return Event(
        kind=d.kind,
        modality=d.modality,
        evidence=evidence,
        actors=actors,
        harm=harms,
        method=method,
        targets=targets,
        place=place,
        time=d.time,
        casualties=casualties,
        confidence=confidence(kinds, len(evidence), d.modality, upper),
    )


def confidence(kinds: int, sentences: int, modality: Modality, upper: bool) -> float:
    """The event's confidence score (docs/extract-json.md): 0.2, plus 0.1 for each kind of
    fact found, plus 0.05 for each further sentence of evidence (at most two); times 0.6
    when hypothetical or denied, times 0.9 for caseless text; within [0.05, 0.95]. The
    readers of every language score their events with it."""
    score = 0.2 + 0.1 * kinds + 0.05 * min(sentences - 1, 2)
    if modality in (Modality.HYPOTHETICAL, Modality.DENIED):
        score *= 0.6
    if upper:
        score *= 0.9
    return round(min(0.95, max(0.05, score)), 3)
