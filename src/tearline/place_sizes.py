"""How big a place is, by how precisely it is known: one table (``data/place_sizes.toml``)
for whom we warn, the desk's map circle and the circle a warning states.

A deployment tunes it with a file of the same shape (the ``place_sizes`` setting, applied
when the workflow starts); whatever that file gets wrong is logged and ignored, never fatal.
"""

from __future__ import annotations

import logging
import math
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from tearline.model import PlacePrecision

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlaceSize:
    area_km: float | None  # the area we warn about (targeting, the determination, the map)
    stated_km: float | None  # the circle a released warning states around its point


@dataclass(frozen=True)
class PlaceSizes:
    rows: dict[PlacePrecision, PlaceSize]
    km_per_sqrt_population: float = 0.01
    min_km: float = 5.0
    max_km: float = 40.0

    def _by_population(self, population: int) -> float:
        km = round(math.sqrt(max(population, 1)) * self.km_per_sqrt_population)
        return float(min(self.max_km, max(self.min_km, km)))

    def area_km(self, precision: PlacePrecision, population: int | None = None) -> float | None:
        """How far from the place's point people are at risk; None: no circle (a country)."""
        if precision is PlacePrecision.CITY and population is not None:
            return self._by_population(population)
        row = self.rows.get(precision)
        return row.area_km if row else None

    def stated_km(self, precision: PlacePrecision, population: int | None = None) -> float | None:
        """The circle a warning states around the point it discloses."""
        if precision is PlacePrecision.CITY and population is not None:
            return self._by_population(population)
        row = self.rows.get(precision)
        return row.stated_km if row else None


def _km(value: Any, where: str) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        log.warning(
            "place sizes: %s is %r, not a number of km; the shipped value is kept", where, value
        )
        return None
    if not math.isfinite(value) or not 0 < value <= 5000:
        log.warning(
            "place sizes: %s = %r is outside 0..5000 km; the shipped value is kept", where, value
        )
        return None
    return float(value)


def _merged(base: PlaceSizes, data: dict[str, Any], origin: str) -> PlaceSizes:
    rows = dict(base.rows)
    city_rule: dict[str, float] = {}
    for name, row in data.items():
        try:
            precision = PlacePrecision(name)
        except ValueError:
            log.warning("place sizes: %s: unknown precision [%s]; ignored", origin, name)
            continue
        if not isinstance(row, dict):
            log.warning("place sizes: %s: [%s] is not a table; ignored", origin, name)
            continue
        size = rows.get(precision, PlaceSize(None, None))
        for column in ("area_km", "stated_km"):
            if column in row and (km := _km(row[column], f"{origin} [{name}] {column}")):
                size = replace(size, **{column: km})
        rows[precision] = size
        if precision is PlacePrecision.CITY:
            for column in ("km_per_sqrt_population", "min_km", "max_km"):
                if column in row and (km := _km(row[column], f"{origin} [city] {column}")):
                    city_rule[column] = km
    merged = replace(base, rows=rows, **city_rule)
    if merged.min_km > merged.max_km:
        log.warning("place sizes: %s: min_km exceeds max_km; the shipped city rule is kept", origin)
        merged = replace(merged, min_km=base.min_km, max_km=base.max_km)
    return merged


@cache
def shipped() -> PlaceSizes:
    text = (resources.files("tearline.data") / "place_sizes.toml").read_text("utf-8")
    return _merged(PlaceSizes({}), tomllib.loads(text), "place_sizes.toml")


@cache
def load(path: str = "") -> PlaceSizes:
    """The shipped table, with the rows of the deployment's file at ``path`` over it."""
    if not path:
        return shipped()
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        log.warning("place sizes: %s cannot be read (%s); the shipped table is used", path, exc)
        return shipped()
    return _merged(shipped(), data, path)


_active = {"path": ""}


def use(path: str) -> None:
    """Make the deployment's file (the ``place_sizes`` setting) the table in force."""
    _active["path"] = path


def place_sizes() -> PlaceSizes:
    """The table in force: the shipped one, tuned by the deployment's file if set."""
    return load(_active["path"])
