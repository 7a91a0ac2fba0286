"""Where people are: an H3 cell index of homes and itinerary stops, queried by area and time.

Built once from the registry (``workflow.targeting`` keeps it up to date), it answers
"who is within r km of this point between these times" without looking at every person:

1. every location is kept in arrays sorted by its H3 cell at ``INDEX_RES``; the
   descendants of a coarser cell are one contiguous run of that order;
2. a query takes the coarse cells (resolution chosen from r) whose centre is close
   enough to hold a point within r — how close is measured on the indexed data itself,
   so no point is ever missed — and reads their runs with two binary searches each;
3. the candidates are tested on the sphere that fits the ellipsoid there (a dot product
   per point, no trigonometry), and only those in the thin band where that sphere and
   the WGS 84 ellipsoid can disagree (about ±0.2 %, ``local_sphere``) are measured with
   the ellipsoidal geodesic (GeographicLib, through pyproj): the result is exactly the
   people PostGIS's ``ST_DWithin`` on geography returns.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
from h3.api import basic_int as h3i
from pyproj import Geod

INDEX_RES = 10  # the cell stored with every location (≈ 0.015 km²)
EARTH_KM = 6371.0088  # mean radius (IUGG): the sphere of the candidate test
BAND = 0.008  # the sphere and WGS 84 geodesics differ by less than 0.6 %; keep a margin
QUERY_RES = (4, 5, 6, 7, 8, 9)
# How far from a threat's point its people are affected is the place-size table's
# (tearline.place_sizes, data/place_sizes.toml): the index answers for any radius.
_GEOD = Geod(ellps="WGS84")
_A, _E2 = 6378.137, 0.00669437999014  # WGS 84 semi-major axis (km), eccentricity squared
_T_MIN, _T_MAX = np.iinfo(np.int64).min, np.iinfo(np.int64).max
_RES_SHIFT = 52
_RES_MASK = 0xF << _RES_SHIFT

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def local_sphere(lat: float, radius_km: float) -> tuple[float, float]:
    """The sphere that fits WGS 84 near ``lat``, and how far (relatively) a geodesic of up to
    ``radius_km`` can differ from its great circle: the band measured exactly.

    Over short distances a geodesic's length lies between the meridional (M) and normal
    (N) radii of curvature times the spherical angle; their mean with a half-spread of
    (N - M) / (N + M), plus a margin ten times the largest excess seen at any latitude up
    to 160 km, bounds it. Farther than 200 km the mean Earth and ±0.8 % are used.
    """
    if radius_km > 200:
        return EARTH_KM, BAND
    s2 = math.sin(math.radians(lat)) ** 2
    m = _A * (1 - _E2) / (1 - _E2 * s2) ** 1.5
    n = _A / math.sqrt(1 - _E2 * s2)
    return (m + n) / 2, (n - m) / (n + m) + 0.001


def unit_vectors(lat: F64, lon: F64) -> F64:
    """Points on the unit sphere, shape (n, 3)."""
    phi, lam = np.radians(lat), np.radians(lon)
    cos_phi = np.cos(phi)
    return np.stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)), axis=1)


def chord(angle: float) -> float:
    return 2.0 * math.sin(min(angle, math.pi) / 2.0)


def geodesic_km(lat: float, lon: float, lats: F64, lons: F64) -> F64:
    """WGS 84 geodesic distances from one point to many (Karney's algorithm)."""
    n = len(lats)
    if n == 0:
        return np.empty(0)
    _, _, metres = _GEOD.inv(np.full(n, lon), np.full(n, lat), lons, lats)
    return np.asarray(metres, dtype=np.float64) / 1000.0


def cells_at(lat: F64, lon: F64, res: int = INDEX_RES) -> npt.NDArray[np.uint64]:
    return np.fromiter(
        (h3i.latlng_to_cell(a, b, res) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)),
        dtype=np.uint64,
        count=len(lat),
    )


def _parents(cells: npt.NDArray[np.uint64], res: int) -> npt.NDArray[np.uint64]:
    """The ancestor at ``res`` of every cell, by bit arithmetic on the H3 index."""
    low = np.uint64((1 << ((15 - res) * 3)) - 1)
    keep = np.uint64(((1 << 64) - 1) ^ _RES_MASK)
    return (cells & keep) | np.uint64(res << _RES_SHIFT) | low


def _run(cell: int, res: int) -> tuple[int, int]:
    """The smallest and largest possible ``INDEX_RES`` descendant of ``cell``."""
    mid = ((1 << ((15 - res) * 3)) - 1) ^ ((1 << ((15 - INDEX_RES) * 3)) - 1)
    base = (cell & ~_RES_MASK) | (INDEX_RES << _RES_SHIFT)
    return base & ~mid, base | mid


def _runs(cells: Sequence[int]) -> npt.NDArray[np.uint64]:
    """The [first, last] possible INDEX_RES descendants of each cell, as an (n, 2) array."""
    return np.array([_run(c, h3i.get_resolution(c)) for c in cells], dtype=np.uint64).reshape(-1, 2)


def _epoch(t: datetime | None, default: int) -> int:
    return default if t is None else int(t.timestamp())


@dataclass(frozen=True)
class Hits:
    """One row per affected owner: the location that puts them there, and how far it is."""

    owners: I64  # owner IDs as given to the index (recipient IDs)
    locations: I64  # positions in the arrays the index was built from
    distance_km: F64  # NaN for a match by country

    def __len__(self) -> int:
        return len(self.owners)


class LocationIndex:
    """Homes (valid at every time) and itinerary stops (valid from/to), by H3 cell."""

    def __init__(
        self,
        owners: Sequence[int] | I64,
        lat: Sequence[float] | F64,
        lon: Sequence[float] | F64,
        *,
        starts: Sequence[datetime | None] | I64 | None = None,
        ends: Sequence[datetime | None] | I64 | None = None,
        countries: Sequence[str | None] | None = None,
        cells: Sequence[int] | npt.NDArray[np.uint64] | None = None,
    ) -> None:
        lat_a, lon_a = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
        n = len(lat_a)
        cell_a = cells_at(lat_a, lon_a) if cells is None else np.asarray(cells, dtype=np.uint64)
        t0, t1 = self._times(starts, n, _T_MIN), self._times(ends, n, _T_MAX)
        home = (t0 == _T_MIN) & (t1 == _T_MAX)
        # Two runs, each sorted by cell: homes (never time-filtered), then itinerary stops.
        order = np.lexsort((cell_a, ~home))
        self.homes = int(home.sum())
        self.size = n
        self.position = order.astype(np.int64)  # sorted slot → position given at build
        self.cells = cell_a[order]
        self.owner = np.asarray(owners, dtype=np.int64)[order]
        _, inverse = np.unique(self.owner, return_inverse=True)
        self.owner_ix = inverse.ravel().astype(np.int64)
        self._mark = np.full(int(self.owner_ix.max(initial=-1)) + 1, -1, dtype=np.int64)
        self._lock = threading.Lock()
        self.lat, self.lon = lat_a[order], lon_a[order]
        xyz = unit_vectors(self.lat, self.lon)
        self.x, self.y, self.z = (np.ascontiguousarray(xyz[:, i]) for i in range(3))
        self.t0, self.t1 = t0[order], t1[order]
        self.is_home = home[order]
        home_owners = self.owner_ix[: self.homes]
        self.one_home_each = len(np.unique(home_owners)) == self.homes
        codes = [(c or "").upper() for c in (countries or [""] * n)]
        self.country = np.asarray(codes, dtype="<U2")[order]
        self.reach = {res: self._reach(res) for res in QUERY_RES}

    @staticmethod
    def _times(values: Sequence[datetime | None] | I64 | None, n: int, default: int) -> I64:
        if values is None:
            return np.full(n, default, dtype=np.int64)
        if isinstance(values, np.ndarray):
            return values.astype(np.int64)
        return np.fromiter((_epoch(v, default) for v in values), dtype=np.int64, count=n)

    def _reach(self, res: int) -> float:
        """The largest angle between an indexed point and its ancestor's centre at ``res``."""
        if self.size == 0:
            return 0.0
        parents, inverse = np.unique(_parents(self.cells, res), return_inverse=True)
        centres = np.array([h3i.cell_to_latlng(int(c)) for c in parents])
        cxyz = unit_vectors(centres[:, 0], centres[:, 1])[inverse.ravel()]
        cos = self.x * cxyz[:, 0] + self.y * cxyz[:, 1] + self.z * cxyz[:, 2]
        return float(np.arccos(np.clip(cos.min(), -1.0, 1.0))) + 1e-9

    def _cos(self, slots: I64, centre: F64) -> F64:
        """Cosine of the angle between each slot's point and the centre (a dot product)."""
        cos: F64 = self.x[slots] * centre[0] + self.y[slots] * centre[1] + self.z[slots] * centre[2]
        return cos

    @staticmethod
    def resolution_for(radius_km: float) -> int:
        """The coarsest resolution whose cells are still small against the radius.

        Measured: cells about as wide as the radius cost least (fewer cells to list and
        look up outweigh the extra candidates at the edge): 2 km → 7, 25 km → 5.
        """
        for res in QUERY_RES:
            if h3i.average_hexagon_edge_length(res, unit="km") <= radius_km * 0.75:
                return res
        return QUERY_RES[-1]

    def _cover(self, lat: float, lon: float, angle: float, res: int) -> list[int]:
        """Cells at ``res`` with their centre within ``angle`` (radians) of the point."""
        n, pad = 48, 1.01  # a circumscribed 48-gon, padded for its straight lat/lng edges
        span = angle / math.cos(math.pi / n) * pad
        dlat = math.degrees(span)
        dlon = dlat / max(math.cos(math.radians(abs(lat) + dlat)), 1e-9)
        if abs(lat) + dlat < 80 and abs(lon) + dlon < 180:
            ring = [
                (lat + dlat * math.sin(a), lon + dlon * math.cos(a))
                for a in (2 * math.pi * i / n for i in range(n))
            ]
            return list(h3i.h3shape_to_cells(h3i.LatLngPoly(ring), res))
        # near a pole or the antimeridian: a ring of cells around the centre instead
        spacing = math.sqrt(3) * h3i.average_hexagon_edge_length(res, unit="km") / EARTH_KM
        disk = h3i.grid_disk(h3i.latlng_to_cell(lat, lon, res), int(angle / (0.5 * spacing)) + 2)
        ll = np.array([h3i.cell_to_latlng(c) for c in disk])
        centre = unit_vectors(np.array([lat]), np.array([lon]))[0]
        near = np.sqrt(((unit_vectors(ll[:, 0], ll[:, 1]) - centre) ** 2).sum(axis=1))
        return [c for c, d in zip(disk, near.tolist(), strict=True) if d <= chord(angle)]

    def _slots(self, runs: npt.NDArray[np.uint64], homes: bool) -> I64:
        """Every home (or stop) slot within the given runs of cells."""
        if len(runs) == 0:
            return np.empty(0, dtype=np.int64)
        base = 0 if homes else self.homes
        part = self.cells[: self.homes] if homes else self.cells[self.homes :]
        lo = np.searchsorted(part, runs[:, 0], side="left") + base
        hi = np.searchsorted(part, runs[:, 1], side="right") + base
        lengths = hi - lo
        # positions lo[i] .. hi[i]-1 for every run, without a Python loop
        offsets = np.repeat(lo - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        return offsets + np.arange(int(lengths.sum()), dtype=np.int64)

    def within(
        self, lat: float, lon: float, radius_km: float, start: datetime, end: datetime
    ) -> Hits:
        """Owners with a location within ``radius_km`` (WGS 84 geodesic) valid in [start, end]."""
        res = self.resolution_for(radius_km)
        sphere, band = local_sphere(lat, radius_km)
        outer = radius_km / (sphere * (1 - band))
        inner = radius_km / (sphere * (1 + band))
        reach = self.reach[res]
        cover = self._cover(lat, lon, outer + reach, res)
        centre = unit_vectors(np.array([lat]), np.array([lon]))[0]
        ll = np.array([h3i.cell_to_latlng(c) for c in cover]).reshape(-1, 2)
        cos = unit_vectors(ll[:, 0], ll[:, 1]) @ centre
        # cells whose every point is surely inside need no distance test at all
        is_sure = (
            (cos >= math.cos(inner - reach)).tolist() if inner > reach else [False] * len(cover)
        )
        full = _runs(h3i.compact_cells([c for c, ok in zip(cover, is_sure, strict=True) if ok]))
        edge = _runs(h3i.compact_cells([c for c, ok in zip(cover, is_sure, strict=True) if not ok]))
        t_start, t_end = int(start.timestamp()), int(end.timestamp())
        found = []
        for homes in (True, False):
            a, b = self._slots(full, homes), self._slots(edge, homes)
            if not homes:  # a home is there at every time; a stop only from/to
                a = a[(self.t0[a] <= t_end) & (self.t1[a] >= t_start)]
                b = b[(self.t0[b] <= t_end) & (self.t1[b] >= t_start)]
            found += [a, self._near(b, lat, lon, radius_km, centre, inner, outer)]
        slots = self._one_per_owner(*found)
        km = np.arccos(np.clip(self._cos(slots, centre), -1.0, 1.0)) * sphere
        return Hits(self.owner[slots], self.position[slots], km)

    def _near(
        self,
        b: I64,
        lat: float,
        lon: float,
        radius_km: float,
        centre: F64,
        inner: float,
        outer: float,
    ) -> I64:
        """The slots of ``b`` within the radius: sphere first, the ellipsoid at the edge."""
        cos = self._cos(b, centre)
        keep = cos >= math.cos(inner)
        band = np.flatnonzero(~keep & (cos >= math.cos(outer)))
        if len(band):
            exact = geodesic_km(lat, lon, self.lat[b[band]], self.lon[b[band]])
            keep[band] = exact <= radius_km
        near: I64 = b[keep]
        return near

    def in_country(self, country: str, start: datetime, end: datetime) -> Hits:
        """Owners with a location in ``country`` (as recorded with it) valid in [start, end]."""
        t_start, t_end = int(start.timestamp()), int(end.timestamp())
        mask = (self.country == country.upper()) & (self.t0 <= t_end) & (self.t1 >= t_start)
        slots = self._one_per_owner(np.flatnonzero(mask).astype(np.int64))
        return Hits(self.owner[slots], self.position[slots], np.full(len(slots), np.nan))

    def _one_per_owner(self, *parts: I64) -> I64:
        """One slot per owner — their home when it matched, else any matching stop."""
        slots = np.concatenate(parts) if len(parts) != 1 else parts[0]
        home = slots < self.homes
        if self.one_home_each:  # the usual registry: drop stops of people found at home
            return self._stops_not_home(slots[home], slots[~home])
        own = self.owner_ix[slots]
        idx = np.arange(len(slots))
        with self._lock:
            mark = self._mark
            mark[own[~home]] = idx[~home]
            mark[own[home]] = idx[home]  # written last: a home wins over a stop
            winners = idx[mark[own] == idx]
            mark[own] = -1
        chosen: I64 = slots[winners]
        return chosen

    def _stops_not_home(self, homes: I64, stops: I64) -> I64:
        with self._lock:
            mark = self._mark
            at_home = self.owner_ix[homes]
            mark[at_home] = 0
            stops = stops[mark[self.owner_ix[stops]] < 0]
            own = self.owner_ix[stops]
            idx = np.arange(len(stops))
            mark[own] = idx
            stops = stops[mark[own] == idx]  # one stop per person
            mark[at_home] = -1
            mark[own] = -1
        return np.concatenate((homes, stops))


def brute_force(
    owners: I64,
    lat: F64,
    lon: F64,
    t0: I64,
    t1: I64,
    centre: tuple[float, float],
    radius_km: float,
    start: datetime,
    end: datetime,
) -> set[int]:
    """The reference answer: the WGS 84 geodesic to every point, no index (tests, bench)."""
    when = (t0 <= int(end.timestamp())) & (t1 >= int(start.timestamp()))
    km = geodesic_km(centre[0], centre[1], lat[when], lon[when])
    return set(owners[when][km <= radius_km].tolist())
