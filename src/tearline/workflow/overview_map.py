"""What the overview map shows: the open cases a viewer may see, at their places, and the
registry's people and organisations, counted by H3 cell.

People are never listed one by one: their locations are counted by the H3 cell (at a
resolution the map chooses) in one aggregated query, the parent cell computed in SQL from
the cell every location keeps (``RecipientLocation.cell``), with how many of each cell's
people live within an open case's area. Nothing about a case a viewer may not see
(compartments, as on the case pages) reaches their map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from h3.api import basic_int as h3i
from sqlalchemy import ColumnElement, case, func, literal, or_, select

from tearline.deliver.targeting import INDEX_RES
from tearline.ids import Kind, format_id
from tearline.store import tables as t
from tearline.workflow.access import restrict
from tearline.workflow.app import App
from tearline.workflow.cases import OPEN_STATUSES
from tearline.workflow.users import Identity

_KM_PER_DEG = 111.195  # a degree of latitude on the mean Earth
_RES_SHIFT = 52
_INT63 = (1 << 63) - 1


def parent_bits(res: int) -> tuple[int, int]:
    """(keep, add): a cell at ``INDEX_RES`` ANDed with keep and ORed with add is its
    parent at ``res`` (H3's integer layout: the resolution in bits 52-55, one 3-bit
    digit per resolution below it, unused digits all ones)."""
    if not 0 <= res <= INDEX_RES:
        raise ValueError(f"resolution must be 0 to {INDEX_RES}, not {res}")
    low = (1 << ((15 - res) * 3)) - 1
    keep = _INT63 & ~((0xF << _RES_SHIFT) | low)
    return keep, (res << _RES_SHIFT) | low


@dataclass(frozen=True)
class Cell:
    cell: int
    lat: float  # where its people live, on average (the mark is drawn there)
    lon: float
    people: int  # distinct recipients with a home in the cell
    concerned: int  # of them, those living within an open case's area

    @property
    def hex(self) -> str:
        return str(h3i.int_to_str(self.cell))


def open_cases(app: App, viewer: Identity | None) -> list[dict[str, Any]]:
    """The open cases the viewer may see, each with its place (as the case page has it)."""
    out = []
    with app.read() as s:
        q = restrict(select(t.Threat).order_by(t.Threat.id), t.Threat, viewer)
        for th in s.scalars(q.where(t.Threat.status.in_(OPEN_STATUSES))):
            place = th.facts.get("place") or {}
            out.append(
                {
                    "ref": format_id(Kind.THREAT, th.id),
                    "title": th.title,
                    "status": th.status,
                    "place": place,
                }
            )
    return out


def _within_any(areas: list[tuple[float, float, float]]) -> ColumnElement[bool]:
    """SQL: the location lies within one of ``areas`` (lat, lon, km), measured on the
    local plane (plain arithmetic, the same in SQLite and PostgreSQL; within 0.5 % of
    the geodesic at a case's scale)."""
    lat, lon = t.RecipientLocation.lat, t.RecipientLocation.lon
    return or_(
        *(
            (lat - a) * (lat - a) * _KM_PER_DEG**2
            + (lon - b) * (lon - b) * (_KM_PER_DEG * math.cos(math.radians(a))) ** 2
            <= r * r
            for a, b, r in areas
        )
    )


def people_cells(app: App, res: int, areas: list[tuple[float, float, float]]) -> list[Cell]:
    """The registry's homes counted by H3 cell at ``res``, and how many of each cell's
    people live within one of ``areas`` (lat, lon, km): one aggregated query."""
    keep, add = parent_bits(res)
    loc = t.RecipientLocation
    parent = (loc.cell.op("&")(literal(keep))).op("|")(literal(add))
    concerned: Any = (
        func.count(func.distinct(case((_within_any(areas), loc.recipient_id))))
        if areas
        else literal(0)
    )
    q = (
        select(
            parent.label("cell"),
            func.count(func.distinct(loc.recipient_id)),
            concerned,
            func.avg(loc.lat),
            func.avg(loc.lon),
        )
        .where(loc.kind == "home")
        .group_by(parent)
    )
    with app.read() as s:
        rows = s.execute(q).all()
    out = []
    for cell, people, within, lat, lon in rows:
        out.append(Cell(int(cell), float(lat), float(lon), int(people), int(within)))
    out.sort(key=lambda c: (-c.people, c.cell))
    return out


def organisations(app: App) -> list[dict[str, Any]]:
    """Recipients registered with an area of their own (organisations): counted by
    country and city, one aggregated query."""
    r = t.Recipient
    q = (
        select(
            r.area_country,
            r.area_city,
            func.avg(r.area_lat),
            func.avg(r.area_lon),
            func.count(),
        )
        .where(r.area_lat.is_not(None), r.area_lon.is_not(None))
        .group_by(r.area_country, r.area_city)
        .order_by(func.count().desc(), r.area_country, r.area_city)
    )
    with app.read() as s:
        return [
            {"country": c, "city": city, "lat": float(lat), "lon": float(lon), "count": int(n)}
            for c, city, lat, lon, n in s.execute(q).all()
        ]
