"""Releasable facts: a threat's facts cut down to what one tier may be told.

Only structured values pass through — types, canonical names, gazetteer places,
dates — never sentences of the report. What was withheld or coarsened is listed, so the
preview and the audit record can show the trade-off that was made.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from tearline.assess import Assessment, Imminence, Severity
from tearline.extract import gazetteer
from tearline.model import (
    PLACE_PRECISION_ORDER,
    TIME_PRECISION_ORDER,
    Event,
    Harm,
    Method,
    PlacePrecision,
    TargetType,
    TimePrecision,
)
from tearline.place_sizes import place_sizes
from tearline.release.policy import ActorLevel, Detail, TierPolicy, Tlp


@dataclass(frozen=True)
class ReleasablePlace:
    precision: PlacePrecision
    country: str | None
    region: str | None = None
    city: str | None = None
    venue: str | None = None
    lat: float | None = None
    lon: float | None = None
    geonameid: int | None = None  # the city, for its name in other languages
    radius_km: float | None = None  # the circle the warning covers, around (lat, lon)


@dataclass(frozen=True)
class ReleasableWindow:
    start: datetime
    end: datetime
    precision: TimePrecision


@dataclass(frozen=True)
class ReleasableFacts:
    actor: str | None  # a canonical name, or None
    actor_generic: bool  # say "an extremist group" instead of a name
    method: Method | None
    weapon: str | None
    target_types: tuple[TargetType, ...]
    target_names: tuple[str, ...]
    place: ReleasablePlace | None
    window: ReleasableWindow | None
    harms: tuple[Harm, ...]
    likelihood: str | None
    changes: tuple[str, ...]  # "place: venue → city", "actor: withheld", ...
    # Not facts of the threat but of the judgement, needed by CAP and STIX:
    imminence: Imminence = Imminence.UNKNOWN
    severity: Severity = Severity.SEVERE
    band: str | None = None  # the ICD 203 band even when not shared: CAP certainty needs it
    tlp: Tlp = Tlp.AMBER

    def as_dict(self) -> dict[str, Any]:
        p, w = self.place, self.window
        return {
            "actor": self.actor,
            "actor_generic": self.actor_generic,
            "method": self.method.value if self.method else None,
            "weapon": self.weapon,
            "target_types": [t.value for t in self.target_types],
            "target_names": list(self.target_names),
            "place": None
            if p is None
            else {
                "precision": p.precision.value,
                "country": p.country,
                "region": p.region,
                "city": p.city,
                "venue": p.venue,
                "lat": p.lat,
                "lon": p.lon,
                "radius_km": p.radius_km,
            },
            "window": None
            if w is None
            # "In the coming days" says no dates, and neither does the document.
            else {"start": None, "end": None, "precision": w.precision.value}
            if w.precision is TimePrecision.VAGUE
            else {
                "start": w.start.isoformat(),
                "end": w.end.isoformat(),
                "precision": w.precision.value,
            },
            "harms": [h.value for h in self.harms],
            "likelihood": self.likelihood,
            "tlp": self.tlp.value,
        }


def clean(value: str | None) -> str | None:
    """A name from a report, safe to print: no invisible format characters (a right-to-left
    override in a venue's name could make a warning read backwards; a zero-width space
    joins nothing), no control characters or line breaks, one space between words."""
    if value is None:
        return None
    kept = []
    for ch in value:
        kind = unicodedata.category(ch)
        if kind == "Cf":
            continue
        kept.append(" " if kind in ("Cc", "Zl", "Zp") else ch)
    return " ".join("".join(kept).split()) or None


def _coarser(a: PlacePrecision, b: PlacePrecision) -> PlacePrecision:
    return max(a, b, key=PLACE_PRECISION_ORDER.index)


def _city(event_place: Any) -> gazetteer.City | None:
    p = event_place
    if p.geonameid is not None:
        found = gazetteer.city(p.geonameid)
        if found is not None:
            return found
    return gazetteer.lookup_city(p.city, p.country) if p.city else None


def _place(event: Event, allowed: PlacePrecision, changes: list[str]) -> ReleasablePlace | None:
    p = event.place
    if p is None:
        return None
    level = _coarser(p.precision, allowed)
    # No district data yet: a district is released as its city.
    if level is PlacePrecision.DISTRICT:
        level = PlacePrecision.CITY
    if level is not p.precision:
        changes.append(f"place: {p.precision.value} → {level.value}")
    city = _city(p) if level in (PlacePrecision.VENUE, PlacePrecision.CITY) else None
    lat = lon = radius = None
    # A venue whose point is only its city's centre (the gazetteer knows no venues) must
    # not be sent as "within 1 km": it gets the city's circle.
    own_point = not (
        city is not None
        and p.lat is not None
        and p.lon is not None
        and abs(p.lat - city.lat) < 1e-3
        and abs(p.lon - city.lon) < 1e-3
    )
    if level is PlacePrecision.VENUE and p.lat is not None and p.lon is not None and own_point:
        lat, lon = round(p.lat, 4), round(p.lon, 4)
        radius = place_sizes().stated_km(PlacePrecision.VENUE)
    elif level in (PlacePrecision.VENUE, PlacePrecision.CITY) and city is not None:
        # The city's own centre from the gazetteer — never the venue's point rounded,
        # which would still say where the venue is.
        lat, lon = round(city.lat, 2), round(city.lon, 2)
        radius = place_sizes().stated_km(PlacePrecision.CITY, city.population)
    elif level is PlacePrecision.CITY and p.city and p.country:
        # A small town: its centre from the gazetteer as well (never the event's own
        # point), or no circle where the gazetteer does not know it.
        town = gazetteer.lookup_town(p.city, p.country)
        if town is not None:
            lat, lon = round(town.lat, 2), round(town.lon, 2)
            radius = place_sizes().stated_km(PlacePrecision.CITY, town.population)
    keep_city = level in (PlacePrecision.VENUE, PlacePrecision.CITY)
    return ReleasablePlace(
        precision=level,
        country=p.country,
        region=clean(p.region) if level is not PlacePrecision.COUNTRY else None,
        city=clean(p.city or (city.name if city else None)) if keep_city else None,
        venue=clean(p.venue) if level is PlacePrecision.VENUE else None,
        lat=lat,
        lon=lon,
        geonameid=city.geonameid if city is not None else None,
        radius_km=radius,
    )


def _day_floor(t: datetime) -> datetime:
    return datetime.combine(t.astimezone(UTC).date(), time.min, tzinfo=UTC)


def _window(event: Event, allowed: TimePrecision, changes: list[str]) -> ReleasableWindow | None:
    t = event.time
    if t is None:
        return None
    level = max(t.precision, allowed, key=TIME_PRECISION_ORDER.index)
    if level is not t.precision:
        changes.append(f"time: {t.precision.value} → {level.value}")
    if level is TimePrecision.EXACT:
        return ReleasableWindow(t.start, t.end, level)
    # Whole days: an exact hour can say how we know.
    end = _day_floor(t.end) + (timedelta(days=1) if t.end != _day_floor(t.end) else timedelta())
    return ReleasableWindow(_day_floor(t.start), end - timedelta(seconds=1), level)


def _actor(event: Event, level: ActorLevel, changes: list[str]) -> tuple[str | None, bool]:
    named = next((a.canonical for a in event.actors if a.canonical), None)
    if not event.actors:
        return None, False
    if level is ActorLevel.NAMED and named:
        return clean(named), False
    if level is ActorLevel.WITHHELD:
        changes.append("actor: withheld")
        return None, False
    if named:
        changes.append("actor: named group → generic")
    return None, True


def _method(event: Event, level: Detail, changes: list[str]) -> tuple[Method | None, str | None]:
    method = event.method.method if event.method else None
    weapon = clean(event.method.weapon) if event.method else None
    if level is not Detail.SPECIFIC and weapon:
        changes.append("weapon: withheld")
        weapon = None
    if level is Detail.WITHHELD and method:
        changes.append("method: withheld")
        method = None
    return method, weapon


def _targets(
    event: Event, level: Detail, changes: list[str]
) -> tuple[tuple[TargetType, ...], tuple[str, ...]]:
    types = tuple(dict.fromkeys(t.type for t in event.targets))
    names = tuple(dict.fromkeys(n for t in event.targets if (n := clean(t.name))))
    if level is not Detail.SPECIFIC and names:
        changes.append("named targets → categories")
        names = ()
    if level is Detail.WITHHELD and types:
        changes.append("targets: withheld")
        types = ()
    return types, names


def releasable_facts(event: Event, assessment: Assessment, policy: TierPolicy) -> ReleasableFacts:
    """Cut ``event`` down to ``policy``. Pure; the result contains no report sentences."""
    changes: list[str] = []
    actor, generic = _actor(event, policy.actor, changes)
    method, weapon = _method(event, policy.method, changes)
    types, names = _targets(event, policy.target, changes)
    band = assessment.likelihood.value if assessment.likelihood else None
    likelihood = band
    if not policy.likelihood and likelihood:
        changes.append("likelihood judgement: withheld")
        likelihood = None
    return ReleasableFacts(
        actor=actor,
        actor_generic=generic,
        method=method,
        weapon=weapon,
        target_types=types,
        target_names=names,
        place=_place(event, policy.place, changes),
        window=_window(event, policy.time, changes),
        harms=tuple(sorted(event.harms, key=list(Harm).index)),
        likelihood=likelihood,
        changes=tuple(changes),
        imminence=assessment.imminence,
        severity=assessment.severity,
        band=band,
        tlp=policy.tlp,
    )
