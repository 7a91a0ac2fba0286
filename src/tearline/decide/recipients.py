"""Whom to warn: the one set of rules that chooses, for a threat, its intended victims, those
responsible for protecting them, the people and organisations at risk there, and the public
— each with the reason on record. ``tearline target`` and the determination both use it.

Pure: people's whereabouts come in as ``Presence`` values found by the caller's location
index (``deliver.targeting``, a later stage, run by the workflow).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from pyproj import Geod

from tearline.extract import gazetteer
from tearline.extract.gazetteer import country_name
from tearline.model import Event, Place, PlacePrecision, Recipient, RecipientKind, TargetType
from tearline.place_sizes import PlaceSizes, place_sizes

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
_GEOD = Geod(ellps="WGS84")
_WORD = re.compile(r"\w+")


class Role(StrEnum):
    PROTECTOR = "protector"  # responsible for protecting the intended victims
    INTENDED_VICTIM = "intended_victim"  # named by the threat, or running what it names
    AT_RISK = "at_risk"  # living, staying or based in the threatened area in the window
    PUBLIC = "public"


ROLE_ORDER = tuple(Role)


@dataclass(frozen=True)
class Suggestion:
    """One recipient chosen, in what role and why."""

    recipient: Recipient
    role: Role
    reason: str
    distance_km: float | None = None
    via: Recipient | None = None  # warned through this protector, not directly


@dataclass(frozen=True)
class Area:
    """Where the threat is, and how far around it (``radius_km`` None: the whole country)."""

    country: str
    where: str  # in words: the venue, city, region or country
    precision: PlacePrecision
    place: Place
    start: datetime | None = None
    end: datetime | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None and self.radius_km is not None

    def described(self) -> str:
        if self.has_point:
            return f"{self.radius_km:g} km around {self.where} ({self.precision.value})"
        return f"all of {country_name(self.country)}"


@dataclass(frozen=True)
class Presence:
    """A person's home or itinerary stop in the area during the window."""

    recipient_id: int
    label: str
    starts_at: datetime | None
    ends_at: datetime | None
    distance_km: float | None


def _gazetteer_city(place: Place) -> gazetteer.City | None:
    city = gazetteer.city(place.geonameid) if place.geonameid is not None else None
    if city is None and place.city and place.country:
        city = gazetteer.lookup_city(place.city, place.country)
    return city


def population(place: Place) -> int | None:
    """The population of a city-level place from the gazetteer, None if it is not known."""
    if place.precision is not PlacePrecision.CITY:
        return None
    city = _gazetteer_city(place)
    if city is None and place.city and place.country:
        town = gazetteer.lookup_town(place.city, place.country)
        return town.population if town is not None else None
    return city.population if city is not None else None


def _venue_at_city_centre(place: Place) -> gazetteer.City | None:
    """The city, when a venue's point is only its city's centre (the gazetteer knows no
    venues): two km around that centre would search the wrong streets — Red Square, not
    Krasnogorsk — so such a venue is searched, and drawn, as its city."""
    if place.precision is not PlacePrecision.VENUE or place.lat is None or place.lon is None:
        return None
    city = _gazetteer_city(place)
    if city is None or max(abs(place.lat - city.lat), abs(place.lon - city.lon)) >= 1e-3:
        return None
    return city


def area_km(place: Place, sizes: PlaceSizes | None = None) -> float | None:
    """How far from the place's point people are at risk (the map draws the same circle)."""
    table = sizes or place_sizes()
    if (city := _venue_at_city_centre(place)) is not None:
        return table.area_km(PlacePrecision.CITY, city.population)
    return table.area_km(place.precision, population(place))


def threatened_area(
    event: Event,
    start: datetime | None = None,
    end: datetime | None = None,
    sizes: PlaceSizes | None = None,
) -> Area | None:
    """The area to search, sized by the place-size table; None without a country."""
    p = event.place
    if p is None or p.country is None:
        return None
    radius = area_km(p, sizes)
    where = p.venue or p.city or p.region or country_name(p.country) or p.country
    precision = p.precision
    if _venue_at_city_centre(p) is not None and p.city:
        where, precision = p.city, PlacePrecision.CITY
    point = p.lat is not None and p.lon is not None and radius is not None
    return Area(
        p.country,
        where,
        precision,
        p,
        start,
        end,
        p.lat if point else None,
        p.lon if point else None,
        radius if point else None,
    )


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.casefold()))


def _holds(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return n > 0 and any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def named_targets(event: Event) -> list[tuple[str, str]]:
    """The targets the threat names, with how: (name, "the named target" | "the threatened
    venue")."""
    out = {t.name: "the named target" for t in event.targets if t.name}
    if event.place is not None and event.place.venue and event.place.venue not in out:
        out[event.place.venue] = "the threatened venue"
    return [(n, why) for n, why in out.items() if len("".join(_words(n))) >= 4]


def intended_victims_in(event: Event, registry: Iterable[Recipient]) -> list[Suggestion]:
    """Organisations and people of the registry the threat names, or that run what it names."""
    out = []
    named = [(name, _words(name), why) for name, why in named_targets(event)]
    for r in registry:
        if r.kind not in (RecipientKind.ORGANISATION, RecipientKind.PERSON):
            continue
        own = _words(r.name)
        for name, words, why in named:
            if not (_holds(own, words) or (_holds(words, own) and len(own) >= 2)):
                continue
            if r.kind is RecipientKind.PERSON:
                reason = f"named as a target ({name})"
            elif own == words:
                reason = f"{name}, {why}"
            else:
                reason = f"operator of {name}, {why}"
            out.append(Suggestion(r, Role.INTENDED_VICTIM, reason))
            break
    return out


def applies_to_public(event: Event) -> bool:
    return any(t.type in PUBLIC_TARGETS for t in event.targets)


def _km(area: Area, lat: float, lon: float) -> float:
    assert area.lat is not None
    assert area.lon is not None
    return float(_GEOD.inv(area.lon, area.lat, lon, lat)[2]) / 1000.0


def in_area(r: Recipient, area: Area) -> tuple[str, float | None]:
    """Why an organisation or audience is in the threatened area ('' if it is not)."""
    p = area.place
    if area.has_point and r.area_lat is not None and r.area_lon is not None:
        assert area.radius_km is not None
        km = _km(area, r.area_lat, r.area_lon)
        if km <= area.radius_km + (r.area_radius_km or 0.0):
            own = r.area_radius_km or 0
            return f"its area ({own:g} km around its centre) is {km:.1f} km from the place", km
        return "", None
    if r.area_country is None or r.area_country != area.country:
        return "", None
    if r.area_city is None:
        return f"in {country_name(r.area_country)}", None
    if p.city and r.area_city.casefold() == p.city.casefold():
        return f"in {r.area_city}", None
    if p.precision in (PlacePrecision.COUNTRY, PlacePrecision.REGION) and not p.city:
        return f"in {r.area_city}, {country_name(r.area_country)}", None
    return "", None


def protectors(area: Area, registry: Iterable[Recipient]) -> list[Suggestion]:
    out = []
    for r in registry:
        if r.kind is not RecipientKind.GOVERNMENT or r.jurisdiction != area.country:
            continue
        city = area.place.city
        if r.area_city and city and r.area_city.casefold() != city.casefold():
            continue  # a city's authority is not responsible for another city
        why = f"responsible for protecting people in {country_name(area.country)}"
        out.append(Suggestion(r, Role.PROTECTOR, why))
    return out


def public_audiences(event: Event, area: Area, registry: Iterable[Recipient]) -> list[Suggestion]:
    """The public audiences of the area, when the threat concerns the public."""
    if not applies_to_public(event):
        return []
    out = []
    for r in registry:
        if r.kind is RecipientKind.PUBLIC:
            why, km = in_area(r, area)
            if why:
                out.append(Suggestion(r, Role.PUBLIC, f"public in the threatened area: {why}", km))
    return out


def _when(t0: datetime | None, t1: datetime | None) -> str:
    if t0 is None or t1 is None:
        return ""
    return f" {t0:%d %b %H:%M}–{t1:%d %b %H:%M} UTC"


def _presence_reason(p: Presence, area: Area) -> str:
    dist = "" if p.distance_km is None else f", {p.distance_km:.1f} km from {area.where}"
    if p.starts_at is None and p.ends_at is None:
        return f"home{dist}"
    return f"itinerary: {p.label or 'a stop'}{_when(p.starts_at, p.ends_at)}{dist}"


def choose_recipients(
    event: Event,
    registry: Sequence[Recipient],
    area: Area | None,
    presences: Iterable[Presence] = (),
    *,
    via_protector: bool = False,
) -> list[Suggestion]:
    """Everyone to warn about the threat, one entry per recipient, by role (protectors first).

    A recipient that qualifies twice keeps its first role in this order: intended victim,
    protector, at risk, public (an operator named by the threat and based in the area is
    its intended victim).
    """
    chosen: dict[int, Suggestion] = {}

    def add(items: Iterable[Suggestion]) -> None:
        for s in items:
            chosen.setdefault(s.recipient.id, s)

    add(intended_victims_in(event, registry))
    if area is not None:
        add(protectors(area, registry))
        for r in registry:
            if r.kind is RecipientKind.ORGANISATION:
                why, km = in_area(r, area)
                if why:
                    add([Suggestion(r, Role.AT_RISK, why, None if km is None else round(km, 3))])
        by_id = {r.id: r for r in registry}
        for p in presences:
            person = by_id.get(p.recipient_id)
            if person is not None and p.recipient_id not in chosen:
                km = None if p.distance_km is None or math.isnan(p.distance_km) else p.distance_km
                p = replace(p, distance_km=km)
                add([Suggestion(person, Role.AT_RISK, _presence_reason(p, area), km)])
        add(public_audiences(event, area, registry))
    out = sorted(chosen.values(), key=lambda s: ROLE_ORDER.index(s.role))
    if via_protector:
        out = through_protector(out)
    return out


def through_protector(suggestions: Sequence[Suggestion]) -> list[Suggestion]:
    """The deployment's policy 'via_protector': intended victims are warned through the
    first protector chosen (none chosen: directly)."""
    guard = next((s.recipient for s in suggestions if s.role is Role.PROTECTOR), None)
    if guard is None:
        return list(suggestions)
    return [
        replace(s, via=guard, reason=f"{s.reason}; warned through {guard.name}")
        if s.role is Role.INTENDED_VICTIM
        else s
        for s in suggestions
    ]
