"""Targeting: whom a threat concerns — its intended victims, those responsible for
protecting them, people there during its window, organisations and audiences in the area —
each with its role and the reason. The rules are ``decide.recipients``'; this shell finds
people's whereabouts for them, and the determination (``workflow.decisions``) uses the same.

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

from tearline.decide import Area, Presence, choose_recipients, threatened_area
from tearline.deliver.targeting import LocationIndex
from tearline.errors import InputError
from tearline.ids import Kind, format_id
from tearline.model import Event, event_from_dict
from tearline.store import tables as t
from tearline.workflow.app import App
from tearline.workflow.records import load, registry

_ORDER = {"government": 0, "organisation": 1, "public": 2, "person": 3}


@dataclass(frozen=True)
class Affected:
    ref: str
    name: str
    kind: str
    tier: str
    reason: str
    distance_km: float | None = None
    role: str = ""  # protector, intended_victim, at_risk, public
    via: str | None = None  # warned through this protector (the warn_victims policy)


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


def area_of(app: App, event: Event, now: datetime) -> Area | None:
    """The threatened area and window: the event's own, or from now for the default hours."""
    start = event.time.start if event.time else now
    end = event.time.end if event.time else now + timedelta(hours=app.settings.default_window_hours)
    return threatened_area(event, start, end)


def presences(app: App, area: Area | None) -> list[Presence]:
    """Homes and itinerary stops in the area during its window, from the location index."""
    if area is None or area.start is None or area.end is None:
        return []
    loaded = location_index(app)
    if area.has_point:
        assert area.lat is not None
        assert area.lon is not None
        assert area.radius_km is not None
        hits = loaded.index.within(area.lat, area.lon, area.radius_km, area.start, area.end)
    else:
        hits = loaded.index.in_country(area.country, area.start, area.end)
    return [
        Presence(
            owner,
            loaded.labels[pos],
            loaded.starts[pos],
            loaded.ends[pos],
            None if math.isnan(km) else round(km, 3),
        )
        for owner, pos, km in zip(
            hits.owners.tolist(), hits.locations.tolist(), hits.distance_km.tolist(), strict=True
        )
    ]


def target(app: App, threat_ref: str) -> Targeting:
    """Recipients a threat concerns — by its targets, place and window — each with the reason."""
    with app.read() as s:
        threat = load(s, t.Threat, threat_ref, Kind.THREAT)
        event = event_from_dict(threat.facts)
        ref = format_id(Kind.THREAT, threat.id)
        everyone = registry(s)
    area = area_of(app, event, app.clock.now())
    if area is None:
        raise InputError(f"{ref} has no place: there is no area to search")
    assert area.start is not None
    assert area.end is not None
    chosen = choose_recipients(
        event,
        everyone,
        area,
        presences(app, area),
        via_protector=app.settings.warn_victims == "via_protector",
    )
    out = [
        Affected(
            format_id(Kind.RECIPIENT, c.recipient.id),
            c.recipient.name,
            c.recipient.kind.value,
            c.recipient.tier.value,
            c.reason,
            c.distance_km,
            c.role.value,
            format_id(Kind.RECIPIENT, c.via.id) if c.via else None,
        )
        for c in chosen
    ]
    out.sort(key=lambda a: (_ORDER.get(a.kind, 9), a.distance_km or 0.0, a.name))
    return Targeting(ref, area.described(), area.start, area.end, area.radius_km, out)
