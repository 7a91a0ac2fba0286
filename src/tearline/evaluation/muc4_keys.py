"""Places and incident types against MUC-4's original answer keys (the template files).

The original texts (upper case, with datelines such as ``SAN SALVADOR, 3 JAN 90 (ACAN-EFE)
-- [TEXT]``) and their keys (``key-tst1.v7``: templates of numbered slots) say for each
incident where it happened (``3. INCIDENT: LOCATION  EL SALVADOR: SAN MIGUEL (CITY)``)
and what it was (``4. INCIDENT: TYPE  BOMBING``). Each distinct place of a document is
scored once: the country is right when an event Tearline found in that document is in
that country; the city is right when one is in that city (a key's ``(CITY)`` or
``(TOWN)``). Incident types are scored the same way. Lenient by design - which of a
document's events answers which template is not decided - and documented as such.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tearline.errors import InputError, NotFound
from tearline.extract import gazetteer
from tearline.extract._text import fold_key
from tearline.model import Event, EventKind

Extractor = Callable[[str, datetime], Sequence[Event]]
_DOCID = re.compile(r"^\s*([A-Z0-9]+-MUC\d-\d{4})(?:[ \t]*\([^)\n]*\))?[ \t]*$", re.MULTILINE)
_SLOT = re.compile(r"^\s*(\d+)\.\s+[A-Z ]+:\s[A-Z ]+?\s{2,}(.*)$")
_DATELINE = re.compile(r"\b(\d{1,2}) ([A-Z]{3}) (\d{2})\b")
_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_TOWN = re.compile(r"([A-Z][A-Z .'-]*?) \((?:CITY|TOWN)[^)]*\)")


@dataclass(frozen=True, slots=True)
class KeyedPlace:
    country: str  # ISO code
    cities: frozenset[str]  # folded names; empty when the key names no city or town


@dataclass
class KeyReport:
    documents: int = 0
    places: int = 0
    country_right: int = 0
    cities: int = 0
    city_right: int = 0
    types: int = 0
    type_right: int = 0
    # The same, counting only the documents in which Tearline found an event: how well
    # it places what it finds, apart from what it does not find at all.
    found_places: int = 0
    found_country_right: int = 0
    found_cities: int = 0
    found_city_right: int = 0
    # Threats: documents whose key has a threatened incident ("STAGE OF EXECUTION
    # THREATENED"), and how many of them Tearline reports a threat in; documents whose
    # keyed incidents were all carried out or attempted, and how many it reports a threat
    # in (an upper bound on false threats: such a report may also carry a real threat that
    # MUC-4 does not key, "the guerrillas will continue attacking").
    threatened: int = 0
    threatened_found: int = 0
    carried_out: int = 0
    carried_out_with_threats: int = 0
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)  # doc, what, key, got


def read_texts(paths: Sequence[Path]) -> dict[str, str]:
    """Documents by id from MUC-4 text files (each document starts with its id line)."""
    out: dict[str, str] = {}
    for path in paths:
        try:
            raw = path.read_text(encoding="latin-1")
        except FileNotFoundError:
            raise NotFound(f"{path}: no such file") from None
        parts = _DOCID.split(raw)
        for i in range(1, len(parts) - 1, 2):
            out[parts[i]] = parts[i + 1].strip()
    if not out:
        raise InputError(f"{', '.join(map(str, paths))}: no MUC-4 documents found")
    return out


def _location(value: str) -> list[KeyedPlace]:
    out = []
    for alternative in value.split(" / "):
        alternative = alternative.strip()
        if alternative.startswith("(") and alternative.endswith(")"):
            alternative = alternative[1:-1]
        name = alternative.split(":")[0].strip(" ()")
        country = gazetteer.lookup_country(name.title())
        if country is None:
            continue
        named = [fold_key(m.group(1)) for m in _TOWN.finditer(alternative)]
        # "SOYAPANGO CITY (CITY)" is Soyapango; "GUATEMALA CITY" stays itself too
        towns = frozenset([*named, *(n.removesuffix(" city") for n in named)])
        out.append(KeyedPlace(country.code, towns))
    return out


def _slots(paths: Sequence[Path]) -> Iterator[tuple[str, int, str]]:
    """(document id, slot number, value) for every filled slot of the templates; slot 0
    (the id) once per template."""
    for path in paths:
        try:
            lines = path.read_text(encoding="latin-1").splitlines()
        except FileNotFoundError:
            raise NotFound(f"{path}: no such file") from None
        docid = ""
        for line in lines:
            m = _SLOT.match(line)
            if m is None:
                continue
            slot, value = int(m.group(1)), m.group(2).strip()
            if slot == 0:
                docid = value.split()[0] if value.split() else value  # "DEV-MUC3-0001 (NCCOSC)"
            if slot == 0 or value not in ("*", "-"):
                yield docid, slot, value


def read_keys(paths: Sequence[Path]) -> dict[str, tuple[list[KeyedPlace], list[str]]]:
    """Per document: the places and incident types its templates give."""
    keys: dict[str, tuple[list[KeyedPlace], list[str]]] = {}
    for docid, slot, value in _slots(paths):
        if slot == 0:
            keys.setdefault(docid, ([], []))
        elif slot == 3:
            places = keys[docid][0]
            places.extend(p for p in _location(value) if p not in places)
        elif slot == 4:
            # "FORCED WORK STOPPAGE"; "BOMBING / ATTACK": either is right
            keys[docid][1].append(" ".join(value.split()))
    return keys


def read_stages(paths: Sequence[Path]) -> dict[str, list[str]]:
    """Per document: its templates' stages of execution (ACCOMPLISHED, ATTEMPTED,
    THREATENED, or alternatives such as "ATTEMPTED / THREATENED")."""
    stages: dict[str, list[str]] = {}
    for docid, slot, value in _slots(paths):
        if slot == 0:
            stages.setdefault(docid, [])
        elif slot == 5:
            stages[docid].append(" ".join(value.split()))
    return stages


def _date(text: str) -> datetime:
    m = _DATELINE.search(text[:200])
    if m is None or m.group(2) not in _MONTHS:
        return datetime(1990, 1, 1, tzinfo=UTC)
    year = 1900 + int(m.group(3))
    try:
        return datetime(year, _MONTHS.index(m.group(2)) + 1, int(m.group(1)), 12, tzinfo=UTC)
    except ValueError:
        return datetime(1990, 1, 1, tzinfo=UTC)


def score_keys(
    texts: dict[str, str],
    keys: dict[str, tuple[list[KeyedPlace], list[str]]],
    extractor: Extractor,
    stages: dict[str, list[str]] | None = None,
) -> KeyReport:
    report = KeyReport()
    for docid, (places, types) in sorted(keys.items()):
        if docid not in texts or not (places or types):
            continue
        report.documents += 1
        events = extractor(texts[docid], _date(texts[docid]))
        executed = (stages or {}).get(docid, [])
        threat = any(e.kind is EventKind.THREAT for e in events)
        if any("THREATENED" in stage for stage in executed):
            report.threatened += 1
            report.threatened_found += threat
        elif executed:
            report.carried_out += 1
            report.carried_out_with_threats += threat
        countries = {e.place.country for e in events if e.place and e.place.country}
        cities = {fold_key(e.place.city) for e in events if e.place and e.place.city}
        ids = {e.place.geonameid for e in events if e.place and e.place.geonameid}
        kinds = {e.incident_type.value for e in events if e.incident_type}
        for p in places:
            report.places += 1
            ok = p.country in countries
            report.country_right += ok
            report.found_places += bool(events)
            report.found_country_right += ok
            if not ok:
                report.misses.append((docid, "country", p.country, ",".join(sorted(countries))))
            if p.cities:
                report.cities += 1
                # "WASHINGTON D.C." is GeoNames' Washington: names, else GeoNames ids
                named = (gazetteer.cities_named(n, p.country) for n in p.cities)
                keyed = {c.geonameid for found in named for c in found}
                right = bool(p.cities & cities or keyed & ids)
                report.city_right += right
                report.found_cities += bool(events)
                report.found_city_right += right
                if not right:
                    report.misses.append(
                        (docid, "city", "/".join(sorted(p.cities)), ",".join(sorted(cities)))
                    )
        for t in dict.fromkeys(types):
            report.types += 1
            report.type_right += any(alt in kinds for alt in t.split(" / "))
    return report
