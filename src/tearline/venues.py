"""The venue gazetteer: named venues at their own coordinates.

The place gazetteer knows cities, not buildings, so "Crocus City Hall" used to be drawn at
Moscow's point, 16 km from the hall. ``data/venues.toml`` ships venues checked against
public sources; a deployment adds its own in ``$TEARLINE_HOME/venues.toml`` (or the file
``TEARLINE_VENUES_FILE`` names), and the desk writes there the place an analyst corrected
and asked to remember. Nothing in that file can stop extraction: a malformed file or a
bad row is reported with a warning and skipped.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import threading
import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_CODE = re.compile(r"[A-Z]{2}")


def fold_key(name: str) -> str:
    """A venue's name as looked up: caseless, without accents, single spaces."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


_FIELDS = {"name", "aliases", "city", "country", "lat", "lon", "source"}
MAX_NAME = 200  # characters: a venue's name is typed by people


@dataclass(frozen=True, slots=True)
class Venue:
    name: str
    country: str  # ISO 3166-1 alpha-2
    lat: float
    lon: float
    city: str | None = None
    aliases: tuple[str, ...] = ()
    source: str = ""


class VenueProblem(ValueError):
    """Why a row of a venues file was skipped."""


def _row(entry: Any) -> Venue:
    if not isinstance(entry, dict):
        raise VenueProblem("is not a table")
    unknown = set(entry) - _FIELDS
    if unknown:
        raise VenueProblem(f"unknown field(s) {', '.join(sorted(unknown))}")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise VenueProblem(f"name must be text of 1 to {MAX_NAME} characters")
    country = entry.get("country")
    if not isinstance(country, str) or not _CODE.fullmatch(country):
        raise VenueProblem("country must be an ISO 3166-1 alpha-2 code in capitals, e.g. RU")
    lat, lon = entry.get("lat"), entry.get("lon")
    for value, what, bound in ((lat, "lat", 90.0), (lon, "lon", 180.0)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise VenueProblem(f"{what} must be a number")
        if not math.isfinite(value) or abs(value) > bound:
            raise VenueProblem(f"{what} must be between -{bound:g} and {bound:g}")
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(
        isinstance(a, str) and a.strip() and len(a) <= MAX_NAME for a in aliases
    ):
        raise VenueProblem("aliases must be a list of names")
    city, source = entry.get("city"), entry.get("source", "")
    if city is not None and not isinstance(city, str):
        raise VenueProblem("city must be text")
    if not isinstance(source, str):
        raise VenueProblem("source must be text")
    return Venue(
        name.strip(),
        country,
        float(lat),  # type: ignore[arg-type]
        float(lon),  # type: ignore[arg-type]
        city.strip() if city else None,
        tuple(a.strip() for a in aliases),
        source,
    )


def parse(raw: bytes, where: str) -> tuple[list[Venue], list[str]]:
    """The venues in a file's bytes, and a line for each problem (a bad row is skipped)."""
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return [], [f"{where}: not a TOML file ({exc}); skipped"]
    rows = data.get("venue", [])
    if not isinstance(rows, list):
        return [], [f"{where}: 'venue' must be an array of tables ([[venue]]); skipped"]
    venues: list[Venue] = []
    problems: list[str] = []
    for i, entry in enumerate(rows, 1):
        try:
            venues.append(_row(entry))
        except VenueProblem as exc:
            label = entry.get("name") if isinstance(entry, dict) else None
            named = f" ({label!r})" if isinstance(label, str) else ""
            problems.append(f"{where}: venue {i}{named}: {exc}; skipped")
    return venues, problems


def _shipped() -> list[Venue]:
    raw = resources.files("tearline").joinpath("data/venues.toml").read_bytes()
    venues, problems = parse(raw, "data/venues.toml")
    if problems:  # the shipped file is checked by the tests; say so rather than fail
        for p in problems:
            log.warning("venue gazetteer: %s", p)
    return venues


_ENV = ("TEARLINE_VENUES_FILE", "TEARLINE_HOME", "TEARLINE_CONFIG")
_paths: dict[tuple[str | None, ...], Path | None] = {}
_chosen: Path | None = None


def file_of(venues_file: str, home: Path) -> Path:
    """The venues file settings name: ``venues_file``, else ``home``/venues.toml."""
    return Path(venues_file).expanduser() if venues_file else home / "venues.toml"


def use(where: Path | None) -> None:
    """Read (and remember) venues in this file from now on (an app's own settings);
    None: the file the environment's settings name again."""
    global _chosen
    _chosen = where


def path() -> Path | None:
    """The deployment's venues file: the one ``use`` chose, else TEARLINE_VENUES_FILE,
    else $TEARLINE_HOME/venues.toml (None when the settings cannot be read: then only
    the shipped venues are used). Resolved again whenever those variables change."""
    if _chosen is not None:
        return _chosen
    key = tuple(os.environ.get(v) for v in _ENV)
    if key in _paths:
        return _paths[key]
    from tearline.errors import TearlineError
    from tearline.settings import load_settings

    try:
        settings = load_settings()
        found: Path | None = file_of(settings.venues_file, settings.home_path)
    except TearlineError as exc:
        log.warning("venue gazetteer: settings: %s; only the shipped venues are used", exc)
        found = None
    _paths[key] = found
    return found


@dataclass(frozen=True)
class Venues:
    """The shipped venues with a deployment's own; a deployment's row of the same name
    and country replaces the shipped one (the analyst's correction wins)."""

    venues: tuple[Venue, ...]
    problems: tuple[str, ...] = ()
    _index: dict[str, list[Venue]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, list[Venue]] = {}
        for v in self.venues:
            for n in {fold_key(n) for n in (v.name, *v.aliases)}:
                index.setdefault(n, []).insert(0, v)  # the later file first
        object.__setattr__(self, "_index", index)

    def find(self, name: str, country: str | None = None) -> Venue | None:
        """The venue called ``name`` (caselessly, "the" ignored), in ``country`` if
        given; None when none is known or the name is ambiguous without a country."""
        key = fold_key(name)
        if key.startswith("the "):
            key = key[4:]
        found: list[Venue] = self._index.get(key, [])
        if country:
            found = [v for v in found if v.country == country]
        elif len({v.country for v in found}) > 1:
            return None
        return found[0] if found else None


_lock = threading.Lock()
_cache: dict[tuple[Any, ...], Venues] = {}


def load(where: Path | None = None) -> Venues:
    """The venues extraction reads now: read again whenever the deployment's file
    changes, so a remembered correction is used by the very next report."""
    where = where if where is not None else path()
    stamp: tuple[Any, ...] = (str(where),)
    raw: bytes | None = None
    problems: list[str] = []
    if where is not None:
        try:
            st = where.stat()
            stamp = (str(where), st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            pass
        except OSError as exc:
            problems.append(f"{where}: cannot be read: {exc}")
    with _lock:
        if stamp in _cache:
            return _cache[stamp]
    own: list[Venue] = []
    if where is not None and len(stamp) == 3:
        try:
            raw = where.read_bytes()
        except OSError as exc:
            problems.append(f"{where}: cannot be read: {exc}")
        if raw is not None:
            own, found = parse(raw, str(where))
            problems += found
    for p in problems:
        log.warning("venue gazetteer: %s", p)
    venues = Venues((*_shipped(), *own), tuple(problems))
    with _lock:
        if len(_cache) > 8:
            _cache.clear()
        _cache[stamp] = venues
    return venues


def _toml_text(value: str) -> str:
    # JSON's string escapes are TOML's basic-string escapes for everything json.dumps
    # writes with ensure_ascii (\uXXXX, \", \\, \n ...).
    return json.dumps(value, ensure_ascii=True)


def remember(venue: Venue, where: Path | None = None) -> Path:
    """Add ``venue`` to the deployment's venues file (creating it), so the next report
    naming it is placed there. Returns the file written."""
    row: dict[str, Any] = {
        "name": venue.name,
        "country": venue.country,
        "lat": venue.lat,
        "lon": venue.lon,
        "source": venue.source,
    }
    if venue.city is not None:
        row["city"] = venue.city
    try:
        _row(row)  # a bad venue is refused here, not written for every later load to skip
    except VenueProblem as exc:
        from tearline.errors import InputError

        raise InputError(f"cannot remember the venue: {exc}") from None
    target = where if where is not None else path()
    if target is None:
        from tearline.errors import ConfigError

        raise ConfigError("the settings cannot be read, so there is no venues file to write")
    lines = ["", "[[venue]]", f"name = {_toml_text(venue.name)}"]
    if venue.city:
        lines.append(f"city = {_toml_text(venue.city)}")
    lines += [
        f"country = {_toml_text(venue.country)}",
        f"lat = {venue.lat!r}",
        f"lon = {venue.lon!r}",
        f"source = {_toml_text(venue.source)}",
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock, open(target, "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return target
