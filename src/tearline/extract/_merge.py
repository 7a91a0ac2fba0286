"""Mentions of the same event, across sentences, gathered into one draft event.

A mention joins an earlier draft of the same kind when nothing conflicts (a different
city or country, a different organisation, a time window that does not overlap) and
something ties them: the same place, the same organisation, an overlapping time, or -
for a sentence that names none of these ("The attackers intend to kill as many people
as possible") - being at most three sentences after the draft's last one. A sentence
without a trigger word but with event facts (weapons, targets, casualties) continues
the draft mentioned last, on the same terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tearline.extract._mentions import Mention
from tearline.extract._places import PlaceMention
from tearline.extract.organisations import Organisations
from tearline.model import EventKind, Modality, Place, PlacePrecision, TimePrecision, TimeWindow

NEAR = 3  # sentences within which a mention without place, time or organisation attaches
ADJACENT = 2  # sentences within which a placed mention may give a placeless draft its place
RECENT = 8  # drafts considered for a merge: keeps the work linear in document length

_PREPOSITION_SCORE = {
    "in": 2.0, "at": 2.0, "near": 2.0, "outside": 2.0, "inside": 2.0, "on": 1.5, "into": 1.5,
    "of": 0.5, "from": -1.0, "to": -1.0, "against": -1.0, "with": -1.0, "for": -1.0,
    "between": -1.0, "by": -1.0, "and": 0.0,
}  # fmt: skip
_PRECISION_SCORE = {
    PlacePrecision.VENUE: 2.0,
    PlacePrecision.DISTRICT: 1.5,
    PlacePrecision.CITY: 1.0,
    PlacePrecision.REGION: 0.5,
    PlacePrecision.COUNTRY: 0.0,
}


@dataclass
class Draft:
    kind: EventKind
    modality: Modality
    mentions: list[Mention] = field(default_factory=list)
    place: Place | None = None
    time: TimeWindow | None = None
    orgs: set[str] = field(default_factory=set)

    @property
    def last_unit(self) -> int:
        return self.mentions[-1].unit.index


def place_score(pm: PlaceMention, place: Place) -> float:
    score = _PREPOSITION_SCORE.get(pm.prep, 0.0) + _PRECISION_SCORE[place.precision]
    if place.country is None:
        score -= 1.5  # "the Middle East": too wide to be where an event happens
    return score - (2.0 if pm.possessive else 0.0)


def best_place(mention: Mention) -> Place | None:
    """The place the mention happens at: the best-placed name (of equals, one after the
    event word, as English puts where after what - "returning from the beach in La
    Libertad when his car was shot at near the town of Zaragoza" - then the one nearest
    it: "police in Ayacucho said terrorists killed a mayor in Huanta"), then
    the most precise name compatible with it ("two bombings in Iran ..., in the town of
    Kerman"). A place given as an example of a wider one ("in Indonesia, including in
    Bali and Jakarta") is neither."""
    if not mention.places:
        return None
    examples = mention.examples  # "attacks in Indonesia, including in Bali and Jakarta"
    if all(pf.mention.span.start in examples for pf in mention.places):
        examples = set()
    ranked = sorted(
        mention.places,
        key=lambda pf: (
            pf.mention.span.start in examples,
            -place_score(pf.mention, pf.place),
            pf.mention.span.start < mention.triggers[0].start,
            mention.distance(pf.mention.span.start, pf.mention.span.end),
        ),
    )
    best = ranked[0].place
    for pf in ranked[1:]:
        locative = _PREPOSITION_SCORE.get(pf.mention.prep, 0.0) > 0
        if locative and _more_precise(pf.place, best) and pf.mention.span.start not in examples:
            best = pf.place
    return best


def places_compatible(a: Place | None, b: Place | None) -> bool:
    if a is None or b is None or a.country is None or b.country is None:
        return True
    if a.country != b.country:
        return False
    both_cities = a.city is not None and b.city is not None
    return not both_cities or a.city == b.city


def places_same(a: Place | None, b: Place | None) -> bool:
    """Both places known, in the same country, and not two different cities."""
    if a is None or b is None or a.country is None or a.country != b.country:
        return False
    return places_compatible(a, b)


def _times_overlap(a: TimeWindow | None, b: TimeWindow | None) -> bool:
    return a is None or b is None or (a.start < b.end and b.start < a.end)


def resolve_time(mention: Mention, kind: EventKind, doc_date: datetime) -> TimeWindow | None:
    """The mention's time, read forward for a threat and backward for an incident."""
    trig = mention.triggers[0]
    for tm in sorted(mention.times, key=lambda t: abs(t.span.start - trig.start)):
        got = tm.resolve(doc_date, kind is EventKind.THREAT)
        if got is None:
            continue
        if kind is EventKind.INCIDENT and got[0] > doc_date:
            continue  # an incident cannot start after the report about it
        return TimeWindow(tm.span, got[0], got[1], got[2])
    return None


class Merger:
    def __init__(self, orgs: Organisations, doc_date: datetime) -> None:
        self.orgs = orgs
        self.doc_date = doc_date
        self.drafts: list[Draft] = []
        self.last: Draft | None = None

    def add(self, mn: Mention) -> None:
        if mn.kind is None:
            self._continue(mn)
            return
        place, time = best_place(mn), resolve_time(mn, mn.kind, self.doc_date)
        org_ids = {a.org.id for a in mn.actors if a.org is not None}
        for d in sorted(self.drafts[-RECENT:], key=lambda d: d.last_unit, reverse=True):
            if d.kind is mn.kind and self._joins(d, mn, place, time, org_ids):
                self._take(d, mn, place, time, org_ids)
                return
        d = Draft(mn.kind, mn.modality)
        self.drafts.append(d)
        self._take(d, mn, place, time, org_ids)

    def _joins(
        self, d: Draft, mn: Mention, place: Place | None, time: TimeWindow | None, orgs: set[str]
    ) -> bool:
        related = any(self.orgs.related(a, b) for a in orgs for b in d.orgs)
        if not places_compatible(d.place, place) or not _times_overlap(d.time, time):
            return False
        if orgs and d.orgs and not related:
            return False
        if _readings_differ(d.modality, mn.modality):
            return False
        near = mn.unit.index - d.last_unit <= NEAR
        if place is None and time is None:
            return (near and not mn.another) or related
        adjacent = mn.unit.index - d.last_unit <= ADJACENT
        timed = time is not None and d.time is not None
        lent = adjacent and d.place is None and not mn.another
        # "Militants plan to bomb the station in Lyon. ... The attack will take place in
        # five days": the event told before, now given its time
        dated = (
            mn.kind is EventKind.THREAT
            and near
            and mn.definite
            and place is None
            and not orgs
            and d.time is None
            and time is not None
            and time.end > self.doc_date
        )
        return places_same(d.place, place) or related or timed or lent or dated

    def _take(
        self, d: Draft, mn: Mention, place: Place | None, time: TimeWindow | None, orgs: set[str]
    ) -> None:
        d.mentions.append(mn)
        d.orgs |= orgs
        if d.place is None or (place is not None and _more_precise(place, d.place)):
            d.place = place if place is not None else d.place
        if d.time is None or (
            time is not None and d.kind is EventKind.THREAT and _refines(time, d.time)
        ):
            d.time = time
        if d.modality is Modality.REPORTED or mn.modality in (Modality.DENIED, Modality.CLAIMED):
            d.modality = mn.modality if mn.modality is not Modality.REPORTED else d.modality
        self.last = d

    def _continue(self, mn: Mention) -> None:
        d = self.last
        if d is None or mn.unit.index - d.last_unit > NEAR:
            return
        place = best_place(mn)
        if not places_compatible(d.place, place):
            return
        if d.place is None:
            place = None  # a continuation refines a place; it does not supply one
            mn.places = []
        mn.kind = d.kind
        self._take(d, mn, place, resolve_time(mn, d.kind, self.doc_date), set())


_FIRM = {Modality.PLANNED, Modality.THREATENED}


def _readings_differ(a: Modality, b: Modality) -> bool:
    """A threat read as planned is not the same as one read as a possibility."""
    return (a in _FIRM and b is Modality.HYPOTHETICAL) or (
        b in _FIRM and a is Modality.HYPOTHETICAL
    )


def _refines(a: TimeWindow, b: TimeWindow) -> bool:
    """Whether window ``a`` narrows ``b``: more precise and inside it ("in the coming weeks
    ... the attack is planned for 11 December")."""
    order = list(TimePrecision)
    return (
        order.index(a.precision) < order.index(b.precision) and b.start <= a.start < a.end <= b.end
    )


def _more_precise(a: Place, b: Place) -> bool:
    order = list(PlacePrecision)
    return places_same(a, b) and order.index(a.precision) < order.index(b.precision)
