"""The overview map (``/map``): open cases as circles at the precision of what is known,
and the registry's people counted by H3 cell - drawn the way the case map is (web/geo.py:
inline SVG over the shipped Natural Earth outlines, no tiles, no script), with a legend
and tables that say the same in words."""

from __future__ import annotations

import math
from typing import Any

from tearline.deliver.targeting import INDEX_RES
from tearline.web import geo
from tearline.workflow import overview_map as om
from tearline.workflow.app import App
from tearline.workflow.users import Identity

# H3's average hexagon edge by resolution, km (h3geo.org, "Tables of cell statistics").
_EDGE_KM = (1281.3, 483.1, 182.5, 69.0, 26.1, 9.85, 3.73, 1.41, 0.53, 0.20, 0.076)
MARK_PX = 14.0  # a cluster cell should be about this wide on the map
CELLS_DRAWN = 400  # the most populous cells drawn; the table counts the rest
CELLS_LISTED = 200


def _resolution(view: geo.View) -> int:
    """The finest H3 resolution whose cells are still about a marker wide at this view."""
    km_per_px = (view.north - view.south) * 111.0 / geo.HEIGHT
    want = MARK_PX * km_per_px / 2
    fine = [r for r, edge in enumerate(_EDGE_KM) if edge >= want]
    return min(max(fine, default=0), INDEX_RES)


def _view(points: list[tuple[float, float]]) -> geo.View:
    """A view that frames every point with a margin (the whole world without any)."""
    if not points:
        return geo.View(-180.0, -60.0, 180.0, 80.0)
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    s, n, w, e = min(lats), max(lats), min(lons), max(lons)
    lat = (s + n) / 2
    cos = max(0.2, math.cos(math.radians(lat)))
    half_lat = max((n - s) / 2, (e - w) / 2 * geo.HEIGHT / geo.WIDTH * cos) * 1.25 + 3.0
    half_lat = min(half_lat, 75.0)
    half_lon = half_lat * geo.WIDTH / geo.HEIGHT / cos
    return geo.View((w + e) / 2 - half_lon, lat - half_lat, (w + e) / 2 + half_lon, lat + half_lat)


def _inside(view: geo.View, lat: float, lon: float) -> bool:
    return view.south <= lat <= view.north and view.west <= lon <= view.east


def overview(app: App, viewer: Identity | None) -> dict[str, Any]:
    """Everything the map page draws and lists for this viewer."""
    cases = om.open_cases(app, viewer)
    for c in cases:
        p = c["place"]
        has_point = p.get("lat") is not None and p.get("lon") is not None
        c["radius_km"] = geo.area_km(p) if has_point else None
        c["label"] = p.get("venue") or p.get("city") or p.get("region") or p.get("country") or ""
    located = [c for c in cases if c["radius_km"] is not None]
    areas = [(c["place"]["lat"], c["place"]["lon"], c["radius_km"]) for c in located]
    orgs = om.organisations(app)
    points = [(a, b) for a, b, _ in areas]
    if not points:  # no case placed: frame the registry, read coarsely first
        coarse = om.people_cells(app, 2, [])
        points = [(x.lat, x.lon) for x in coarse] + [(o["lat"], o["lon"]) for o in orgs]
    view = _view(points)
    res = _resolution(view)
    cells = om.people_cells(app, res, areas)
    km_per_px = (view.north - view.south) * 111.0 / geo.HEIGHT
    homes = {c["place"].get("country") for c in cases}
    countries = [
        {"name": s.name, "d": geo._path(s.rings, view), "home": s.iso in homes}
        for s in geo.shapes()
        if view.overlaps(s.bbox)
    ]
    drawn_cases = []
    for c in located:
        p = c["place"]
        x, y = view.xy(float(p["lon"]), float(p["lat"]))
        r = max(5.0, round(c["radius_km"] / km_per_px, 1))
        drawn_cases.append({"ref": c["ref"], "label": c["label"], "x": x, "y": y, "r": r})
    drawn_cells = []
    for cell in cells[:CELLS_DRAWN]:
        if not _inside(view, cell.lat, cell.lon):
            continue
        x, y = view.xy(cell.lon, cell.lat)
        r = round(min(16.0, 3.0 + 2.0 * math.sqrt(cell.people)), 1)
        drawn_cells.append({"x": x, "y": y, "r": r, "n": cell.people, "concerned": cell.concerned})
    drawn_orgs = []
    for o in orgs:
        if _inside(view, o["lat"], o["lon"]):
            x, y = view.xy(o["lon"], o["lat"])
            drawn_orgs.append({"x": x, "y": y, "n": o["count"]})
    people = sum(c.people for c in cells)
    return {
        "width": geo.WIDTH,
        "height": geo.HEIGHT,
        "countries": [c for c in countries if c["d"]],
        "cases": cases,
        "drawn_cases": drawn_cases,
        "cells": cells[:CELLS_LISTED],
        "cells_more": max(0, len(cells) - CELLS_LISTED),
        "people_more": sum(c.people for c in cells[CELLS_LISTED:]),
        "drawn_cells": drawn_cells,
        "organisations": orgs,
        "drawn_orgs": drawn_orgs,
        "people": people,
        "concerned": sum(c.concerned for c in cells),
        "resolution": res,
        "scale_km": round((view.north - view.south) * 111.0),
    }
