"""The facts of an event, as extraction finds them and every later stage reads them.

These are plain, immutable values: no database, no clock, no I/O. Every fact keeps the
span of text it was read from, so a duty officer can always see the evidence.
The JSON form (``event_to_dict`` / ``event_from_dict``) is what ``tearline extract --json``
prints and what the store keeps; its layout is documented in docs/extract-json.md and
versioned by ``EXTRACT_SCHEMA``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

EXTRACT_SCHEMA = "tearline.extract/1"


class EventKind(StrEnum):
    THREAT = "threat"  # about the future: a plot, a plan, a threat
    INCIDENT = "incident"  # it happened


class Modality(StrEnum):
    """How the text holds the event: the same attack can be reported, claimed or denied."""

    REPORTED = "reported"
    CLAIMED = "claimed"
    DENIED = "denied"
    PLANNED = "planned"
    THREATENED = "threatened"
    HYPOTHETICAL = "hypothetical"  # "may be trying to", "could target"


class Harm(StrEnum):
    """Harm types; the first three are the ones the duty to warn covers (ICD 191)."""

    KILLING = "killing"
    SERIOUS_BODILY_INJURY = "serious_bodily_injury"
    KIDNAPPING = "kidnapping"
    PROPERTY_DAMAGE = "property_damage"


HARM_IN_SCOPE = frozenset({Harm.KILLING, Harm.SERIOUS_BODILY_INJURY, Harm.KIDNAPPING})


class Method(StrEnum):
    ARMED_ASSAULT = "armed_assault"
    BOMBING = "bombing"
    SUICIDE_BOMBING = "suicide_bombing"
    VEHICLE_RAMMING = "vehicle_ramming"
    ARSON = "arson"
    KIDNAPPING = "kidnapping"
    ASSASSINATION = "assassination"
    HIJACKING = "hijacking"
    STABBING = "stabbing"
    CBRN = "cbrn"  # chemical, biological, radiological, nuclear
    ROBBERY = "robbery"  # armed robbery, hold-ups
    FORCED_WORK_STOPPAGE = "forced_work_stoppage"  # an "armed strike" enforced by threats
    UNKNOWN = "unknown"


# Methods that by themselves threaten life, even when the text states no harm verb
# ("suicide bombers plan to attack crowds"): the duty-to-warn check and severity use them.
LETHAL_METHODS = frozenset(
    {
        Method.ARMED_ASSAULT,
        Method.BOMBING,
        Method.SUICIDE_BOMBING,
        Method.VEHICLE_RAMMING,
        Method.ASSASSINATION,
        Method.KIDNAPPING,
        Method.HIJACKING,
        Method.STABBING,
        Method.CBRN,
    }
)
# Of those, the ones that kill many at once.
MASS_CASUALTY_METHODS = frozenset(
    {
        Method.ARMED_ASSAULT,
        Method.BOMBING,
        Method.SUICIDE_BOMBING,
        Method.VEHICLE_RAMMING,
        Method.CBRN,
    }
)


class TargetType(StrEnum):
    MASS_GATHERING = "mass_gathering"  # "large gatherings", crowds, festivals
    CONCERT = "concert"  # concerts and concert venues
    RELIGIOUS = "religious"  # churches, mosques, synagogues, commemorations
    TRANSPORT = "transport"  # airports, stations, trains, buses
    GOVERNMENT = "government"
    DIPLOMATIC = "diplomatic"
    MILITARY = "military"
    POLICE = "police"
    EDUCATION = "education"
    BUSINESS = "business"  # hotels, shopping centres, restaurants
    INFRASTRUCTURE = "infrastructure"
    PERSON = "person"  # a named or described individual
    CIVILIANS = "civilians"
    OTHER = "other"


class PlacePrecision(StrEnum):
    """From most to least precise; releasability coarsens along this order."""

    VENUE = "venue"
    DISTRICT = "district"
    CITY = "city"
    REGION = "region"
    COUNTRY = "country"


PLACE_PRECISION_ORDER = tuple(PlacePrecision)


class TimePrecision(StrEnum):
    """From most to least precise; releasability coarsens along this order."""

    EXACT = "exact"  # a clock time
    DAY = "day"  # a calendar day
    WINDOW = "window"  # a bounded window of several days ("within the next 48 hours")
    VAGUE = "vague"  # "in the coming days", "soon"


TIME_PRECISION_ORDER = tuple(TimePrecision)


@dataclass(frozen=True, slots=True)
class Span:
    """Evidence: ``text == document[start:end]``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Actor:
    """Who: as written, and the canonical organisation where known."""

    span: Span
    canonical: str | None = None  # e.g. "ISIL Khorasan"
    org_id: str | None = None  # id in the shipped organisations file, e.g. "ofac:18647"
    individuals: bool = False  # "gunmen", "operatives": people, not an organisation


@dataclass(frozen=True, slots=True)
class HarmFact:
    harm: Harm
    span: Span


@dataclass(frozen=True, slots=True)
class MethodFact:
    method: Method
    span: Span
    weapon: str | None = None  # "rifles", "car bomb" — as written


@dataclass(frozen=True, slots=True)
class Target:
    type: TargetType
    span: Span
    name: str | None = None  # a named target such as "Crocus City Hall"


@dataclass(frozen=True, slots=True)
class Place:
    span: Span  # the name as written
    precision: PlacePrecision
    country: str | None = None  # ISO 3166-1 alpha-2
    city: str | None = None
    region: str | None = None
    venue: str | None = None
    lat: float | None = None
    lon: float | None = None
    geonameid: int | None = None

    @property
    def name(self) -> str:
        return self.span.text


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """When: a window for a threat, a date (window of one day or less) for an incident."""

    span: Span
    start: datetime
    end: datetime
    precision: TimePrecision


@dataclass(frozen=True, slots=True)
class Count:
    """A casualty count; ``max`` is None for "at least N", equal to ``min`` when exact."""

    min: int
    max: int | None
    span: Span


@dataclass(frozen=True, slots=True)
class Casualties:
    killed: Count | None = None
    injured: Count | None = None


class IncidentType(StrEnum):
    """MUC-4's incident types, for comparison with its answer keys and the literature.

    Tearline's own, finer vocabulary is ``Method``; ``incident_type_of`` maps one to the other.
    """

    ATTACK = "ATTACK"
    BOMBING = "BOMBING"
    KIDNAPPING = "KIDNAPPING"
    HIJACKING = "HIJACKING"
    ARSON = "ARSON"
    ROBBERY = "ROBBERY"
    FORCED_WORK_STOPPAGE = "FORCED WORK STOPPAGE"


_INCIDENT_TYPE_OF_METHOD = {
    Method.BOMBING: IncidentType.BOMBING,
    Method.SUICIDE_BOMBING: IncidentType.BOMBING,
    Method.KIDNAPPING: IncidentType.KIDNAPPING,
    Method.HIJACKING: IncidentType.HIJACKING,
    Method.ARSON: IncidentType.ARSON,
    Method.ROBBERY: IncidentType.ROBBERY,
    Method.FORCED_WORK_STOPPAGE: IncidentType.FORCED_WORK_STOPPAGE,
}


def incident_type_of(method: Method | None) -> IncidentType:
    """MUC-4's type for a Tearline method: bombings, kidnappings, hijackings, arson,
    robberies and forced work stoppages keep their name; everything else (shootings,
    stabbings, ramming, murder) is ATTACK."""
    return (
        _INCIDENT_TYPE_OF_METHOD.get(method, IncidentType.ATTACK) if method else IncidentType.ATTACK
    )


@dataclass(frozen=True, slots=True)
class RoleFiller:
    """One participant or instrument of an event, named as the text names it.

    ``span`` is the mention chosen to stand for the entity (the first one the document
    gives); ``mentions`` are the other mentions of the same entity ("FMLN" and "Farabundo
    Marti National Liberation Front"), in document order.
    """

    span: Span
    mentions: tuple[Span, ...] = ()
    confidence: float = 0.5
    canonical: str | None = None  # organisations: the display name in the shipped file
    org_id: str | None = None  # organisations: their id there
    named: bool = False  # human targets: a person named by name, not described

    @property
    def text(self) -> str:
        return self.span.text


@dataclass(frozen=True, slots=True)
class Event:
    """One threat or incident found in a document, with the evidence for each fact."""

    kind: EventKind
    modality: Modality
    evidence: tuple[Span, ...]  # the sentences the event was read from
    actors: tuple[Actor, ...] = ()
    harm: tuple[HarmFact, ...] = ()
    method: MethodFact | None = None
    targets: tuple[Target, ...] = ()
    place: Place | None = None
    time: TimeWindow | None = None
    casualties: Casualties = field(default_factory=Casualties)
    confidence: float = 0.5
    # The role fillers, MUC-4's five roles in Tearline's names (schema 1, added fields).
    perpetrator_individuals: tuple[RoleFiller, ...] = ()  # "guerrillas", "gunmen"
    perpetrator_organizations: tuple[RoleFiller, ...] = ()  # "FMLN", "Islamic State"
    physical_targets: tuple[RoleFiller, ...] = ()  # "the presidential farm"
    human_targets: tuple[RoleFiller, ...] = ()  # people and groups attacked
    weapons: tuple[RoleFiller, ...] = ()  # "dynamite", "car bomb"
    incident_type: IncidentType | None = None

    @property
    def harms(self) -> frozenset[Harm]:
        return frozenset(h.harm for h in self.harm)


# --- JSON form -------------------------------------------------------------------------
# Kept by hand rather than by reflection so that the documented layout cannot drift
# silently when a field is renamed in Python.


# Every fact carries its evidence as "text" (exactly as written) and "offsets"
# [start, end] into the document, so that text == document[start:end].


def _span(s: Span) -> dict[str, Any]:
    return {"text": s.text, "offsets": [s.start, s.end]}


def _unspan(d: dict[str, Any], key: str = "text") -> Span:
    start, end = d["offsets"]
    return Span(int(start), int(end), str(d[key]))


def _count(c: Count | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"min": c.min, "max": c.max, **_span(c.span)}


def _uncount(d: dict[str, Any] | None) -> Count | None:
    if d is None:
        return None
    return Count(int(d["min"]), None if d["max"] is None else int(d["max"]), _unspan(d))


def _filler(f: RoleFiller, *, organisation: bool = False, human: bool = False) -> dict[str, Any]:
    d: dict[str, Any] = {
        **_span(f.span),
        "mentions": [_span(m) for m in f.mentions],
        "confidence": round(f.confidence, 3),
    }
    if organisation:
        d.update(canonical=f.canonical, org_id=f.org_id)
    if human:
        d["named"] = f.named
    return d


def _unfiller(d: dict[str, Any]) -> RoleFiller:
    return RoleFiller(
        _unspan(d),
        mentions=tuple(_unspan(m) for m in d.get("mentions", [])),
        confidence=float(d.get("confidence", 0.5)),
        canonical=d.get("canonical"),
        org_id=d.get("org_id"),
        named=bool(d.get("named", False)),
    )


def event_to_dict(e: Event) -> dict[str, Any]:
    """The documented JSON object for one event (docs/extract-json.md)."""
    p, t = e.place, e.time
    return {
        "kind": e.kind.value,
        "modality": e.modality.value,
        "confidence": round(e.confidence, 3),
        "actors": [
            {
                **_span(a.span),
                "canonical": a.canonical,
                "org_id": a.org_id,
                "individuals": a.individuals,
            }
            for a in e.actors
        ],
        "harm": [{"type": h.harm.value, **_span(h.span)} for h in e.harm],
        "method": None
        if e.method is None
        else {"type": e.method.method.value, "weapon": e.method.weapon, **_span(e.method.span)},
        "targets": [{"type": g.type.value, "name": g.name, **_span(g.span)} for g in e.targets],
        "place": None
        if p is None
        else {
            "name": p.span.text,
            "offsets": [p.span.start, p.span.end],
            "precision": p.precision.value,
            "venue": p.venue,
            "city": p.city,
            "region": p.region,
            "country": p.country,
            "lat": p.lat,
            "lon": p.lon,
            "geonameid": p.geonameid,
        },
        "time": None
        if t is None
        else {
            "start": t.start.isoformat(),
            "end": t.end.isoformat(),
            "precision": t.precision.value,
            **_span(t.span),
        },
        "casualties": {
            "killed": _count(e.casualties.killed),
            "injured": _count(e.casualties.injured),
        },
        "evidence": [_span(s) for s in e.evidence],
        "incident_type": None if e.incident_type is None else e.incident_type.value,
        "perpetrator_individuals": [_filler(f) for f in e.perpetrator_individuals],
        "perpetrator_organizations": [
            _filler(f, organisation=True) for f in e.perpetrator_organizations
        ],
        "physical_targets": [_filler(f) for f in e.physical_targets],
        "human_targets": [_filler(f, human=True) for f in e.human_targets],
        "weapons": [_filler(f) for f in e.weapons],
    }


def event_from_dict(d: dict[str, Any]) -> Event:
    """Inverse of :func:`event_to_dict`."""
    p, t, m = d.get("place"), d.get("time"), d.get("method")
    cas = d.get("casualties") or {}
    return Event(
        kind=EventKind(d["kind"]),
        modality=Modality(d["modality"]),
        confidence=float(d.get("confidence", 0.5)),
        evidence=tuple(_unspan(s) for s in d.get("evidence", [])),
        actors=tuple(
            Actor(
                _unspan(a),
                canonical=a.get("canonical"),
                org_id=a.get("org_id"),
                individuals=bool(a.get("individuals", False)),
            )
            for a in d.get("actors", [])
        ),
        harm=tuple(HarmFact(Harm(h["type"]), _unspan(h)) for h in d.get("harm", [])),
        method=None
        if m is None
        else MethodFact(Method(m["type"]), _unspan(m), weapon=m.get("weapon")),
        targets=tuple(
            Target(TargetType(g["type"]), _unspan(g), name=g.get("name"))
            for g in d.get("targets", [])
        ),
        place=None
        if p is None
        else Place(
            _unspan(p, key="name"),
            precision=PlacePrecision(p["precision"]),
            country=p.get("country"),
            city=p.get("city"),
            region=p.get("region"),
            venue=p.get("venue"),
            lat=p.get("lat"),
            lon=p.get("lon"),
            geonameid=p.get("geonameid"),
        ),
        time=None
        if t is None
        else TimeWindow(
            _unspan(t),
            start=datetime.fromisoformat(t["start"]),
            end=datetime.fromisoformat(t["end"]),
            precision=TimePrecision(t["precision"]),
        ),
        casualties=Casualties(_uncount(cas.get("killed")), _uncount(cas.get("injured"))),
        incident_type=None if d.get("incident_type") is None else IncidentType(d["incident_type"]),
        perpetrator_individuals=tuple(_unfiller(f) for f in d.get("perpetrator_individuals", [])),
        perpetrator_organizations=tuple(
            _unfiller(f) for f in d.get("perpetrator_organizations", [])
        ),
        physical_targets=tuple(_unfiller(f) for f in d.get("physical_targets", [])),
        human_targets=tuple(_unfiller(f) for f in d.get("human_targets", [])),
        weapons=tuple(_unfiller(f) for f in d.get("weapons", [])),
    )


# --- Recipients ------------------------------------------------------------------------


class Tier(StrEnum):
    """How far a recipient is trusted; releasability is set per tier."""

    ALLY = "ally"
    PARTNER = "partner"
    NEUTRAL = "neutral"
    ADVERSARY = "adversary"
    PUBLIC = "public"


class RecipientKind(StrEnum):
    GOVERNMENT = "government"  # agencies with a jurisdiction: they protect others
    ORGANISATION = "organisation"
    PERSON = "person"
    PUBLIC = "public"  # an audience in an area
    # the registered people at risk in an area, warned together by one public alert per
    # language (workflow/group_alerts.py); made by a release, never imported
    GROUP = "group"


@dataclass(frozen=True, slots=True)
class Contact:
    channel: str  # a channel name: "webhook", "liaison_note", "public_feed", ...
    address: str  # what that channel needs: a URL, a desk name, a feed name
    secret: str | None = None  # shared with the receiver: signs webhook requests (HMAC)
    # How this receiver wants CAP signed: "ed25519" or "rsa" (X.509, for alerting hubs);
    # None: as the deployment's cap_signature setting says.
    cap_signature: str | None = None


@dataclass(frozen=True, slots=True)
class Location:
    """Where a person is: their home (no times: always), or an itinerary stop from/to."""

    lat: float
    lon: float
    label: str = ""
    country: str | None = None  # ISO 3166-1 alpha-2, for threats known only by country
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    @property
    def is_home(self) -> bool:
        return self.starts_at is None and self.ends_at is None


@dataclass(frozen=True, slots=True)
class Recipient:
    id: int
    name: str
    kind: RecipientKind
    tier: Tier
    language: str  # BCP 47, e.g. "en", "ru"
    contacts: tuple[Contact, ...]
    jurisdiction: str | None = None  # ISO 3166-1 alpha-2 of the country a government protects
    area_country: str | None = None  # where a public audience or organisation is
    area_city: str | None = None
    # Where an organisation or public audience is, as a circle (targeting); and for a
    # person, their home and itinerary stops.
    area_lat: float | None = None
    area_lon: float | None = None
    area_radius_km: float | None = None
    locations: tuple[Location, ...] = ()
    fallback_contacts: tuple[Contact, ...] = ()  # used only when an escalation resends
    # What releasability markings are tested against (tearline.markings): the nation
    # (ISO 3166-1 alpha-3; a government's defaults to its jurisdiction's) and the sharing
    # communities it belongs to ("NATO", "FVEY").
    nation: str | None = None
    communities: tuple[str, ...] = ()
