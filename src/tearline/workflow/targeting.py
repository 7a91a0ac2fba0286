"""Targeting: whom a threat concerns — people there during its window, organisations and
audiences in the area, governments responsible for it — each with the reason.

People are found through the H3 location index (``deliver.targeting``), built from the
registry once and kept while the registry's geography is unchanged (locations are only
ever inserted or deleted, so their count and highest ID tell when it changed).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select

from tearline.deliver.targeting import RADIUS_KM, LocationIndex, geodesic_km
from tearline.errors import InputError
from tearline.extract.gazetteer import country_name
from tearline.ids import Kind, format_id
from tearline.model import PlacePrecision, RecipientKind, event_from_dict
from tearline.store import tables as t
from tearline.workflow.app import App
from tearline.workflow.records import load

_ORDER = {"government": 0, "organisation": 1, "public": 2, "person": 3}


@dataclass(frozen=True)
class Affected:
    ref: str
    name: str
    kind: str
    tier: str
    reason: str
    distance_km: float | None = None


@dataclass(frozen=True)
class Targeting:
    threat_ref: str
    area: str  # what was searched, in words
    start: datetime
    end: datetime
    radius_km: float | None
    recipients: list[Affected]


@dataclass
class _Loaded:
    key: tuple[int, int]
    index: LocationIndex
    labels: list[str]
    starts: list[datetime | None]
    ends: list[datetime | None]


_cache: dict[str, _Loaded] = {}
_lock = threading.Lock()


def location_index(app: App) -> _Loaded:
    """The index of every home and itinerary stop, rebuilt only when they changed."""
    with app.read() as s:
        count, top = s.execute(
            select(func.count(t.RecipientLocation.id), func.max(t.RecipientLocation.id))
        ).one()
        key = (int(count), int(top or 0))
        with _lock:
            hit = _cache.get(app.db.url)
            if hit is not None and hit.key == key:
                return hit
        rows = s.execute(
            select(
                t.RecipientLocation.recipient_id,
                t.RecipientLocation.lat,
                t.RecipientLocation.lon,
                t.RecipientLocation.starts_at,
                t.RecipientLocation.ends_at,
                t.RecipientLocation.country,
                t.RecipientLocation.cell,
                t.RecipientLocation.label,
            ).order_by(t.RecipientLocation.id)
        ).all()
    cols: list[Any] = list(zip(*rows, strict=True)) if rows else [() for _ in range(8)]
    index = LocationIndex(
        np.asarray(cols[0], dtype=np.int64),
        np.asarray(cols[1], dtype=np.float64),
        np.asarray(cols[2], dtype=np.float64),
        starts=list(cols[3]),
        ends=list(cols[4]),
        countries=list(cols[5]),
        cells=np.asarray(cols[6], dtype=np.uint64),
    )
    loaded = _Loaded(key, index, list(cols[7]), list(cols[3]), list(cols[4]))
    with _lock:
        _cache[app.db.url] = loaded
    return loaded


def _when(t0: datetime | None, t1: datetime | None) -> str:
    if t0 is None or t1 is None:
        return ""
    return f" {t0:%d %b %H:%M}–{t1:%d %b %H:%M} UTC"


def target(app: App, threat_ref: str) -> Targeting:
    """Recipients affected by a threat's place and window, each with the reason."""
    with app.read() as s:
        threat = load(s, t.Threat, threat_ref, Kind.THREAT)
        event = event_from_dict(threat.facts)
        ref = format_id(Kind.THREAT, threat.id)
        registry = [
            (
                r.id,
                r.name,
                r.kind,
                r.tier,
                r.jurisdiction,
                r.area_country,
                r.area_city,
                r.area_lat,
                r.area_lon,
                r.area_radius_km,
            )
            for r in s.scalars(select(t.Recipient).order_by(t.Recipient.id))
        ]
    place = event.place
    if place is None or place.country is None:
        raise InputError(f"{ref} has no place: there is no area to search")
    now = app.clock.now()
    start = event.time.start if event.time else now
    end = event.time.end if event.time else now + timedelta(hours=app.settings.default_window_hours)
    radius = RADIUS_KM.get(place.precision)
    has_point = place.lat is not None and place.lon is not None and radius is not None
    where = place.venue or place.city or place.region or country_name(place.country)
    names = {r[0]: r for r in registry}
    out: list[Affected] = []
    for rid, name, kind, tier, juris, country, city, alat, alon, arad in registry:
        if kind == RecipientKind.GOVERNMENT.value and juris == place.country:
            if city and place.city and city.casefold() != place.city.casefold():
                continue  # a city's authority is not responsible for another city
            out.append(
                Affected(
                    format_id(Kind.RECIPIENT, rid),
                    name,
                    kind,
                    tier,
                    f"responsible for protecting people in {country_name(juris)}",
                )
            )
        elif kind in (RecipientKind.ORGANISATION.value, RecipientKind.PUBLIC.value):
            reason, km = _in_area(place, has_point, radius, country, city, alat, alon, arad)
            if reason:
                out.append(Affected(format_id(Kind.RECIPIENT, rid), name, kind, tier, reason, km))
    loaded = location_index(app)
    if has_point:
        assert place.lat is not None
        assert place.lon is not None
        assert radius is not None
        hits = loaded.index.within(place.lat, place.lon, radius, start, end)
    else:
        hits = loaded.index.in_country(place.country, start, end)
    for owner, pos, km in zip(
        hits.owners.tolist(), hits.locations.tolist(), hits.distance_km.tolist(), strict=True
    ):
        row = names.get(owner)
        if row is None:
            continue
        t0, t1 = loaded.starts[pos], loaded.ends[pos]
        label = loaded.labels[pos]
        dist = "" if math.isnan(km) else f", {km:.1f} km from {where}"
        what = (
            "home"
            if t0 is None and t1 is None
            else f"itinerary: {label or 'a stop'}{_when(t0, t1)}"
        )
        out.append(
            Affected(
                format_id(Kind.RECIPIENT, owner),
                row[1],
                row[2],
                row[3],
                f"{what}{dist}",
                None if math.isnan(km) else round(km, 3),
            )
        )
    out.sort(key=lambda a: (_ORDER.get(a.kind, 9), a.distance_km or 0.0, a.name))
    searched = (
        f"{radius:g} km around {where} ({place.precision.value})"
        if has_point
        else f"all of {country_name(place.country)}"
    )
    return Targeting(ref, searched, start, end, radius if has_point else None, out)


def _in_area(
    place: object,
    has_point: bool,
    radius: float | None,
    country: str | None,
    city: str | None,
    alat: float | None,
    alon: float | None,
    arad: float | None,
) -> tuple[str, float | None]:
    """Why an organisation or audience is in the threatened area ('' if it is not)."""
    from tearline.model import Place

    assert isinstance(place, Place)
    if has_point and alat is not None and alon is not None and radius is not None:
        assert place.lat is not None
        assert place.lon is not None
        km = float(geodesic_km(place.lat, place.lon, np.array([alat]), np.array([alon]))[0])
        if km <= radius + (arad or 0.0):
            return (
                f"its area ({arad or 0:g} km around its centre) is {km:.1f} km from the place",
                km,
            )
        return "", None
    if country is None or country != place.country:
        return "", None
    if city is None:
        return f"in {country_name(country)}", None
    if place.city and city.casefold() == place.city.casefold():
        return f"in {city}", None
    if place.precision in (PlacePrecision.COUNTRY, PlacePrecision.REGION) and not place.city:
        return f"in {city}, {country_name(country)}", None
    return "", None
