"""The map of a case's place, drawn on the server as inline SVG — no tiles, no script.

Country shapes come from Natural Earth (public domain, 1:50m), shipped in
``web/data/countries.json`` by scripts/build_map.py; cities are the shipped GeoNames
gazetteer's. The view is framed by how precise the place is: a venue or city shows the
surrounding ~300 km, a country its whole outline. A circle marks the place, its radius
saying how precise the place is; the text beside the map says the same in words.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from tearline.decide.recipients import area_km as place_area_km
from tearline.extract import gazetteer
from tearline.model import Place, PlacePrecision, Span

WIDTH, HEIGHT = 640, 400
# Half the height of the view, in degrees of latitude, by the place's precision.
SPAN = {"venue": 1.6, "district": 1.6, "city": 1.6, "region": 4.0}


@dataclass(frozen=True)
class Shape:
    iso: str | None
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]
    bbox: tuple[float, float, float, float]  # west, south, east, north


@cache
def shapes() -> tuple[Shape, ...]:
    data = json.loads(
        resources.files("tearline.web").joinpath("data/countries.json").read_text("utf-8")
    )
    step = data["resolution"]
    out = []
    for c in data["countries"]:
        rings = []
        for flat in c["rings"]:
            x = y = 0
            ring = []
            for i in range(0, len(flat), 2):
                x, y = x + flat[i], y + flat[i + 1]
                ring.append((x / step, y / step))
            rings.append(tuple(ring))
        xs = [p[0] for r in rings for p in r]
        ys = [p[1] for r in rings for p in r]
        out.append(Shape(c["iso"], c["name"], tuple(rings), (min(xs), min(ys), max(xs), max(ys))))
    return tuple(out)


@dataclass(frozen=True)
class View:
    west: float
    south: float
    east: float
    north: float

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.west) / (self.east - self.west) * WIDTH
        y = (self.north - lat) / (self.north - self.south) * HEIGHT
        return round(x, 1), round(y, 1)

    def overlaps(self, box: tuple[float, float, float, float]) -> bool:
        w, s, e, n = box
        return not (e < self.west or w > self.east or n < self.south or s > self.north)


def _around(lat: float, lon: float, half_lat: float) -> View:
    # Equirectangular, with longitude stretched by 1/cos(latitude) so shapes keep
    # their proportions near the place.
    half_lon = half_lat * WIDTH / HEIGHT / max(0.2, math.cos(math.radians(lat)))
    return View(lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat)


def _country_view(shape: Shape) -> View:
    w, s, e, n = shape.bbox
    if e - w > 180:  # spans the antimeridian (Russia, the US, Fiji): frame the larger half
        points = [p for r in shape.rings for p in r]
        east = [p[0] for p in points if p[0] >= 0]
        west = [p[0] for p in points if p[0] < 0]
        side = east if len(east) >= len(west) else west
        w, e = min(side), max(side)
    lat = (s + n) / 2
    half_lat = max((n - s) / 2, (e - w) / 2 * HEIGHT / WIDTH * math.cos(math.radians(lat)))
    return _around(lat, (w + e) / 2, half_lat * 1.1 + 0.5)


Point = tuple[float, float]


def _clip(ring: tuple[Point, ...], box: tuple[float, float, float, float]) -> list[Point]:
    """Sutherland-Hodgman: the part of a ring inside ``box`` (west, south, east, north).

    Only what can be seen is sent to the browser, so a city map near Russia does not
    carry all of Russia's coastline.
    """
    w, s, e, n = box
    edges: list[tuple[int, float, bool]] = [
        (0, w, True),
        (0, e, False),
        (1, s, True),
        (1, n, False),
    ]
    points = list(ring)
    for axis, bound, keep_above in edges:
        if not points:
            break

        def inside(p: Point, axis: int = axis, bound: float = bound, up: bool = keep_above) -> bool:
            return p[axis] >= bound if up else p[axis] <= bound

        def cross(a: Point, b: Point, axis: int = axis, bound: float = bound) -> Point:
            f = (bound - a[axis]) / (b[axis] - a[axis])
            return (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]))

        out: list[Point] = []
        for i, cur in enumerate(points):
            prev = points[i - 1]
            if inside(cur):
                if not inside(prev):
                    out.append(cross(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cross(prev, cur))
        points = out
    return points


def _path(rings: tuple[tuple[Point, ...], ...], view: View) -> str:
    margin_x, margin_y = (view.east - view.west) * 0.05, (view.north - view.south) * 0.05
    box = (view.west - margin_x, view.south - margin_y, view.east + margin_x, view.north + margin_y)
    parts = []
    for ring in rings:
        clipped = _clip(ring, box)
        if len(clipped) < 3:
            continue
        pts: list[Point] = []
        for lon, lat in clipped:
            x, y = view.xy(lon, lat)
            # Points closer than a pixel to the last one drawn add bytes, not shape.
            if not pts or abs(x - pts[-1][0]) + abs(y - pts[-1][1]) >= 1.0:
                pts.append((x, y))
        if len(pts) >= 3:
            parts.append("M" + " L".join(f"{x},{y}" for x, y in pts) + " Z")
    return " ".join(parts)


def area_km(place: dict[str, Any]) -> float | None:
    """The circle drawn: the area we warn about, from the one place-size table."""
    try:
        precision = PlacePrecision(place.get("precision", "country"))
    except ValueError:
        return None
    where = Place(
        Span(0, 0, ""),
        precision,
        country=place.get("country"),
        city=place.get("city"),
        lat=place.get("lat"),
        lon=place.get("lon"),
        geonameid=place.get("geonameid"),
    )
    return place_area_km(where)


def place_map(place: dict[str, Any] | None) -> dict[str, Any] | None:
    """Everything the template needs to draw the place's map, or None without a place."""
    if not place or not place.get("country"):
        return None
    country = place["country"]
    home = next((s for s in shapes() if s.iso == country), None)
    lat, lon = place.get("lat"), place.get("lon")
    precision = place.get("precision", "country")
    if lat is not None and lon is not None and precision in SPAN:
        view = _around(float(lat), float(lon), SPAN[precision])
    elif home is not None:
        view, lat, lon = _country_view(home), None, None
    else:
        return None
    countries = [
        {"iso": s.iso, "name": s.name, "d": _path(s.rings, view), "home": s.iso == country}
        for s in shapes()
        if view.overlaps(s.bbox)
    ]
    countries = [c for c in countries if c["d"]]
    cities = sorted(
        (c for c in gazetteer.load().cities if view.south < c.lat < view.north),
        key=lambda c: -c.population,
    )
    shown: list[gazetteer.City] = []
    taken = [view.xy(float(lon), float(lat))] if lat is not None and lon is not None else []
    for c in cities:
        if len(shown) == 10 or not view.west < c.lon < view.east:
            continue
        x, y = view.xy(c.lon, c.lat)
        # Labels that would sit on top of another (or of the place) are left out.
        if all(abs(x - a) > 60 or abs(y - b) > 18 for a, b in taken):
            shown.append(c)
            taken.append((x, y))
    marker = None
    if lat is not None and lon is not None:
        x, y = view.xy(float(lon), float(lat))
        km_per_px = (view.north - view.south) * 111.0 / HEIGHT
        marker = {
            "x": x,
            "y": y,
            "r": max(6.0, round((area_km(place) or 0.0) / km_per_px, 1)),
            # The gazetteer's English names; the report's own words ("Подмосковье") last.
            "label": place.get("venue")
            or place.get("city")
            or place.get("region")
            or place.get("name"),
        }
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "countries": countries,
        "cities": [
            {"name": c.name, "x": view.xy(c.lon, c.lat)[0], "y": view.xy(c.lon, c.lat)[1]}
            for c in shown
        ],
        "marker": marker,
        "precision": precision,
        "country": country,
        "country_name": home.name if home else country,
        "lat": lat,
        "lon": lon,
        "scale_km": round((view.north - view.south) * 111.0),
    }
