"""Releasable facts: a threat's facts cut down to what one tier may be told.

Only structured values pass through — types, canonical names, gazetteer places,
dates — never sentences of the report. What was withheld or coarsened is listed, so the
preview and the audit record can show the trade-off that was made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from tearline.assess import Assessment
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
from tearline.release.policy import ActorLevel, Detail, TierPolicy


@dataclass(frozen=True)
class ReleasablePlace:
    precision: PlacePrecision
    country: str | None
    region: str | None = None
    city: str | None = None
    venue: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class ReleasableWindow:
    start: datetime
    end: datetime
    precision: TimePrecision


@dataclass(frozen=True)
class ReleasableFacts:
    actor: str | None  # a canonical name, or None
    actor_generic: bool  # say "extremists" instead of a name
    method: Method | None
    weapon: str | None
    target_types: tuple[TargetType, ...]
    target_names: tuple[str, ...]
    place: ReleasablePlace | None
    window: ReleasableWindow | None
    harms: tuple[Harm, ...]
    likelihood: str | None
    changes: tuple[str, ...]  # "place: venue → city", "actor: withheld", ...

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
            },
            "window": None
            if w is None
            else {
                "start": w.start.isoformat(),
                "end": w.end.isoformat(),
                "precision": w.precision.value,
            },
            "harms": [h.value for h in self.harms],
            "likelihood": self.likelihood,
        }


def _coarser(a: PlacePrecision, b: PlacePrecision) -> PlacePrecision:
    return max(a, b, key=PLACE_PRECISION_ORDER.index)


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
    at_least_city = level in (PlacePrecision.VENUE, PlacePrecision.CITY)
    digits = 4 if level is PlacePrecision.VENUE else 2  # about 10 m versus about 1 km
    return ReleasablePlace(
        precision=level,
        country=p.country,
        region=p.region if level is not PlacePrecision.COUNTRY else None,
        city=p.city if at_least_city else None,
        venue=p.venue if level is PlacePrecision.VENUE else None,
        lat=round(p.lat, digits) if at_least_city and p.lat is not None else None,
        lon=round(p.lon, digits) if at_least_city and p.lon is not None else None,
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
        return named, False
    if level is ActorLevel.WITHHELD:
        changes.append("actor: withheld")
        return None, False
    if named:
        changes.append("actor: named group → generic")
    return None, True


def releasable_facts(event: Event, assessment: Assessment, policy: TierPolicy) -> ReleasableFacts:
    """Cut ``event`` down to ``policy``. Pure; the result contains no report sentences."""
    changes: list[str] = []
    actor, generic = _actor(event, policy.actor, changes)
    method = event.method.method if event.method else None
    weapon = event.method.weapon if event.method else None
    if policy.method is not Detail.SPECIFIC and weapon:
        changes.append("weapon: withheld")
        weapon = None
    if policy.method is Detail.WITHHELD and method:
        changes.append("method: withheld")
        method = None
    types = tuple(dict.fromkeys(t.type for t in event.targets))
    names = tuple(dict.fromkeys(t.name for t in event.targets if t.name))
    if policy.target is not Detail.SPECIFIC and names:
        changes.append("named targets → categories")
        names = ()
    likelihood = assessment.likelihood.value if assessment.likelihood else None
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
    )
