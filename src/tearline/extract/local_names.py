"""A deployment's own names: organisations, aliases and places that extraction knows
from the next document on, without retraining anything.

The file is TOML (``$TEARLINE_HOME/names.toml``, or ``TEARLINE_NAMES_FILE``)::

    [[organisation]]
    name = "Harakat al-Example"
    aliases = ["HaE"]
    country = "AF"          # optional: the one country it fights in

    [[alias]]
    of = "Islamic State"    # a shipped or local organisation, by name, alias or id
    alias = "Daesh Wilayat X"

    [[place]]
    name = "New Town"
    country = "AF"
    province = "Helmand"    # optional
    lat = 31.58             # optional, with lon; else the province's, if known
    lon = 64.36

``tearline names add|list|remove`` edits it; ``tearline doctor`` shows what was loaded.
Nothing in it can stop extraction: a malformed file, an unknown kind, an empty or
duplicate name is reported (``LocalNames.problems``) and skipped. The names feed the
rules only; the role taggers read the shipped names they were trained with.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from tearline.extract import gazetteer, organisations
from tearline.extract._matcher import Match, PhraseIndex
from tearline.extract._text import fold_key
from tearline.extract.gazetteer import TOWN, Entry, Gazetteer, Town
from tearline.extract.organisations import Organisation, Organisations

KINDS = ("organisation", "alias", "place")
MAX_BYTES = 2_000_000  # a names file is typed by people; a larger one is a mistake
MAX_ENTRIES = 20_000
MAX_NAME = 200  # characters
_FIELDS = {
    "organisation": {"name", "aliases", "country"},
    "alias": {"of", "alias"},
    "place": {"name", "country", "province", "lat", "lon"},
}
_CODE = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True, slots=True)
class Problem:
    """Why part of the file was skipped: ``where`` is "line 3" or "place 2 ("Foo")"."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class LocalOrganisation:
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None


@dataclass(frozen=True, slots=True)
class LocalAlias:
    of: str  # as written in the file
    alias: str
    org_id: str = ""  # the organisation it resolved to


@dataclass(frozen=True, slots=True)
class LocalPlace:
    name: str
    country: str
    province: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class LocalNames:
    """What a names file holds, checked: the entries kept and the problems skipped."""

    path: Path | None
    organisations: tuple[LocalOrganisation, ...] = ()
    aliases: tuple[LocalAlias, ...] = ()
    places: tuple[LocalPlace, ...] = ()
    problems: tuple[Problem, ...] = ()
    found: bool = False  # whether the file exists

    def __len__(self) -> int:
        return len(self.organisations) + len(self.aliases) + len(self.places)


def org_id(name: str) -> str:
    """The id of an organisation a deployment adds: "local:harakat-al-example"."""
    return "local:" + "-".join(re.findall(r"\w+", fold_key(name)))


# --- reading and checking ---------------------------------------------------------------


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, got {type(value).__name__}")
    text = " ".join(value.split())
    if not text or not any(c.isalnum() for c in text):
        raise ValueError(f"{what} is empty")
    if len(text) > MAX_NAME:
        raise ValueError(f"{what} is longer than {MAX_NAME} characters")
    return text


def _country(value: object, gaz: Gazetteer) -> str:
    code = _text(value, "country").upper()
    if not _CODE.fullmatch(code) or gaz.country(code) is None:
        raise ValueError(f"country {value!r} is not an ISO 3166-1 code the gazetteer knows")
    return code


def _number(value: object, what: str, limit: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a number")
    if not math.isfinite(value) or abs(value) > limit:
        raise ValueError(f"{what} must be between -{limit:g} and {limit:g}")
    return float(value)


class _Checker:
    """Checks entries one by one against the shipped names and the ones kept before."""

    def __init__(self, gaz: Gazetteer, orgs: Organisations) -> None:
        self.gaz, self.orgs = gaz, orgs
        self.names: dict[str, str] = {}  # folded organisation name -> id, local ones
        self.places: set[tuple[str, str]] = set()

    def resolve(self, name: str) -> str | None:
        """The id of the organisation ``name`` names: a local one, a shipped id or name."""
        key = fold_key(name)
        if key in self.names:
            return self.names[key]
        if name in self.orgs.by_id:
            return name
        rules = self.orgs.names.get(key)
        return rules[0].org.id if rules else None

    def _new_name(self, name: str, owner: str) -> None:
        key = fold_key(name)
        taken = self.names.get(key)
        if taken is None and (rules := self.orgs.names.get(key)):
            taken = rules[0].org.id
        if taken == owner:
            raise ValueError(f"{name!r} is listed twice")
        if taken is not None:
            raise ValueError(f"{name!r} already names {self._display(taken)}")

    def _display(self, oid: str) -> str:
        org = self.orgs.by_id.get(oid)
        return f"{org.name} ({oid})" if org is not None else oid

    def check(
        self, kind: str, entry: Mapping[str, Any]
    ) -> LocalOrganisation | LocalAlias | LocalPlace:
        unknown = sorted(set(entry) - _FIELDS[kind])
        if unknown:
            known = ", ".join(sorted(_FIELDS[kind]))
            raise ValueError(f"unknown field(s) {', '.join(unknown)} (a {kind} has {known})")
        if kind == "organisation":
            return self._organisation(entry)
        if kind == "alias":
            return self._alias(entry)
        return self._place(entry)

    def _organisation(self, entry: Mapping[str, Any]) -> LocalOrganisation:
        name = _text(entry.get("name"), "name")
        raw = entry.get("aliases", [])
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list):
            raise ValueError("aliases must be a list of names")
        aliases = list(dict.fromkeys(_text(a, "an alias") for a in raw))
        country = _country(entry["country"], self.gaz) if "country" in entry else None
        oid = org_id(name)
        written = [name, *(a for a in aliases if fold_key(a) != fold_key(name))]
        for n in written:
            self._new_name(n, oid)
        for n in written:
            self.names[fold_key(n)] = oid
        return LocalOrganisation(name, tuple(written[1:]), country)

    def _alias(self, entry: Mapping[str, Any]) -> LocalAlias:
        of = _text(entry.get("of"), "of")
        alias = _text(entry.get("alias"), "alias")
        oid = self.resolve(of)
        if oid is None:
            raise ValueError(f"no organisation is named {of!r}; add it with kind organisation")
        self._new_name(alias, oid)
        self.names[fold_key(alias)] = oid
        return LocalAlias(of, alias, oid)

    def _place(self, entry: Mapping[str, Any]) -> LocalPlace:
        name = _text(entry.get("name"), "name")
        country = _country(entry.get("country"), self.gaz)
        province = _text(entry["province"], "province") if "province" in entry else None
        if ("lat" in entry) != ("lon" in entry):
            raise ValueError("give both lat and lon, or neither")
        lat = _number(entry["lat"], "lat", 90) if "lat" in entry else None
        lon = _number(entry["lon"], "lon", 180) if "lon" in entry else None
        key = (fold_key(name), country)
        if key in self.places:
            raise ValueError(f"{name!r} in {country} is listed twice")
        self.places.add(key)
        return LocalPlace(name, country, province, lat, lon)


def _where(kind: str, n: int, entry: object) -> str:
    name = entry.get("name") or entry.get("alias") if isinstance(entry, dict) else None
    return f"{kind} {n}" + (f" ({name!r})" if isinstance(name, str) and name else "")


def parse(
    raw: bytes,
    path: Path | None = None,
    gaz: Gazetteer | None = None,
    orgs: Organisations | None = None,
) -> LocalNames:
    """The entries of a names file, checked; every problem reported, none raised."""
    gaz = gaz or gazetteer.load()
    orgs = orgs or organisations.load()
    if len(raw) > MAX_BYTES:
        return LocalNames(
            path,
            problems=(Problem("file", f"larger than {MAX_BYTES:,} bytes; nothing read"),),
            found=True,
        )
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return LocalNames(path, problems=(Problem("file", f"not UTF-8 text: {exc}"),), found=True)
    except tomllib.TOMLDecodeError as exc:
        return LocalNames(path, problems=(Problem("file", f"not valid TOML: {exc}"),), found=True)
    problems: list[Problem] = []
    kept: dict[str, list[Any]] = {k: [] for k in KINDS}
    checker = _Checker(gaz, orgs)
    count = 0
    for kind, entries in data.items():
        if kind not in KINDS:
            problems.append(
                Problem(kind, f"unknown kind of name (known: {', '.join(KINDS)}); skipped")
            )
            continue
        if not isinstance(entries, list):
            problems.append(Problem(kind, f"write each entry as [[{kind}]]; skipped"))
            continue
        for n, entry in enumerate(entries, 1):
            where = _where(kind, n, entry)
            count += 1
            if count > MAX_ENTRIES:
                problems.append(
                    Problem(where, f"more than {MAX_ENTRIES:,} entries; the rest skipped")
                )
                break
            if not isinstance(entry, dict):
                problems.append(Problem(where, "not a table of fields; skipped"))
                continue
            try:
                kept[kind].append(checker.check(kind, entry))
            except ValueError as exc:
                problems.append(Problem(where, f"{exc}; skipped"))
    return LocalNames(
        path,
        tuple(kept["organisation"]),
        tuple(kept["alias"]),
        tuple(kept["place"]),
        tuple(problems),
        found=True,
    )


def read(path: Path) -> LocalNames:
    """The names file at ``path`` (an empty one if it does not exist)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return LocalNames(path)
    except OSError as exc:
        return LocalNames(path, problems=(Problem("file", f"cannot be read: {exc}"),), found=True)
    return parse(raw, path)


# --- where the file is ------------------------------------------------------------------

_ENV = ("TEARLINE_NAMES_FILE", "TEARLINE_HOME", "TEARLINE_CONFIG")
_chosen: Path | None = None
_paths: dict[tuple[str | None, ...], tuple[Path | None, str]] = {}


def use(path: Path | None) -> None:
    """Read names from this file from now on (the CLI's ``--home``); None: from the
    settings again."""
    global _chosen
    _chosen = path


def path() -> tuple[Path | None, str]:
    """The names file the settings point to, and a problem with the settings if there
    is one (then no file). Resolved again whenever the variables it depends on change."""
    if _chosen is not None:
        return _chosen, ""
    key = tuple(os.environ.get(v) for v in _ENV)
    if key not in _paths:
        from tearline.errors import TearlineError
        from tearline.settings import load_settings

        try:
            settings = load_settings()
            given: str = settings.names_file
            _paths[key] = (Path(given) if given else settings.home_path / "names.toml", "")
        except TearlineError as exc:
            _paths[key] = (None, f"settings: {exc}")
    return _paths[key]


# --- the names extraction reads ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Known:
    """The names extraction reads: the shipped ones with a deployment's own."""

    gazetteer: Gazetteer
    organisations: Organisations
    local: LocalNames
    problems: tuple[Problem, ...] = field(default=())  # the file's, and any in using it


def _organisations(orgs: Organisations, local: LocalNames) -> Organisations:
    if not local.organisations and not local.aliases:
        return orgs
    added = [
        Organisation(
            org_id(o.name), o.name, "armed_group", None, o.country, (o.name, *o.aliases), ("local",)
        )
        for o in local.organisations
    ]
    aliases: dict[str, list[str]] = {}
    for a in local.aliases:
        aliases.setdefault(a.org_id, []).append(a.alias)
    return orgs.extended(added, aliases)


# A deployment's places are numbered from here, after every shipped town and division.
LOCAL_BASE = 1 << 30


class _Towns:
    """The shipped towns and a deployment's places, looked up as one index."""

    def __init__(self, shipped: Any, places: tuple[LocalPlace, ...]) -> None:
        self.shipped = shipped
        entries = [
            (fold_key(p.name), Entry(TOWN, LOCAL_BASE + i, True, False))
            for i, p in enumerate(places)
        ]
        self.own: PhraseIndex[Entry] = PhraseIndex(entries)
        self.names: dict[str, tuple[Entry, ...]] = {}
        for key, e in entries:
            self.names[key] = (*self.names.get(key, ()), e)

    def __len__(self) -> int:
        return len(self.shipped) + len(self.names)

    def named(self, name: str) -> tuple[Entry, ...]:
        return (*self.names.get(fold_key(name), ()), *self.shipped.named(name))

    def find(self, folded: str) -> list[Match[Entry]]:
        found = [*self.own.find(folded), *self.shipped.find(folded)]
        return sorted(found, key=lambda m: m.start) if len(found) > 1 else found


class _WithPlaces:
    """The shipped gazetteer with a deployment's places as towns: taken, as towns are,
    where the document's country agrees ("in New Town, Afghanistan")."""

    def __init__(self, shipped: Gazetteer, places: tuple[LocalPlace, ...]) -> None:
        self._shipped = shipped
        self._places = [
            Town(p.name, p.country, p.province or "", *_point(shipped, p), False) for p in places
        ]
        self.town_index = _Towns(shipped.town_index, places)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._shipped, name)

    def town(self, i: int) -> Town:
        return self._places[i - LOCAL_BASE] if i >= LOCAL_BASE else self._shipped.town(i)

    def country_of(self, entry: Entry) -> str | None:
        if entry.kind == TOWN and entry.ref >= LOCAL_BASE:
            return self._places[entry.ref - LOCAL_BASE].country
        return self._shipped.country_of(entry)

    def population(self, entry: Entry) -> int:
        if entry.kind == TOWN and entry.ref >= LOCAL_BASE:
            return 0
        return self._shipped.population(entry)


def _point(gaz: Gazetteer, place: LocalPlace) -> tuple[Any, Any]:
    """A place's coordinates: its own, else its province's where the gazetteer knows the
    province, else none."""
    if place.lat is not None:
        return place.lat, place.lon
    if place.province is not None:
        for e in gaz.town_index.named(place.province):
            t = gaz.town(e.ref)
            if t.country == place.country and t.division:
                return t.lat, t.lon
    return None, None


def _gazetteer(gaz: Gazetteer, local: LocalNames) -> Gazetteer:
    if not local.places:
        return gaz
    return cast(Gazetteer, _WithPlaces(gaz, local.places))


def _known(local: LocalNames) -> Known:
    gaz, orgs = gazetteer.load(), organisations.load()
    problems = list(local.problems)
    try:
        orgs = _organisations(orgs, local)
    except Exception as exc:  # a deployment's names never stop a run
        problems.append(Problem("organisations", f"could not be added ({exc}); skipped"))
    try:
        gaz = _gazetteer(gaz, local)
    except Exception as exc:
        problems.append(Problem("places", f"could not be added ({exc}); skipped"))
    return Known(gaz, orgs, local, tuple(problems))


_lock = threading.Lock()
_cache: dict[str, tuple[object, Known]] = {}
_failures: list[Problem] = []


def failed(exc: Exception) -> None:
    """Record that extraction failed with the deployment's names (it then reads the
    document again without them); ``known().problems`` reports it from then on."""
    with _lock:
        problem = Problem("extraction", f"failed with these names ({exc!r}); read without them")
        if problem not in _failures and len(_failures) < 10:
            _failures.append(problem)


def _signature(p: Path) -> object:
    try:
        st = p.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def known() -> Known:
    """The shipped names with the deployment's own, read again when the file changes
    (a look at its modification time per call). Never raises."""
    where, trouble = path()
    sig = _signature(where) if where is not None else None
    with _lock:
        cached = _cache.get("known")
        if cached is not None and cached[0] == (where, sig, trouble):
            got = cached[1]
            if _failures:
                return replace(got, problems=(*got.problems, *_failures))
            return got
        if where is None:
            local = LocalNames(None, problems=(Problem("names file", trouble),) if trouble else ())
        else:
            local = read(where) if sig is not None else LocalNames(where)
        got = _known(local)
        _cache["known"] = ((where, sig, trouble), got)
        _failures.clear()  # a new file: its own record
        return got


# --- writing ----------------------------------------------------------------------------


def _value(v: object) -> str:
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a TOML basic string
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return repr(v)


def render(entries: Iterable[tuple[str, Mapping[str, object]]]) -> str:
    """TOML for (kind, fields) entries, as ``tearline names`` writes them."""
    out = []
    for kind, fields in entries:
        lines = [f"[[{kind}]]"]
        lines += [f"{k} = {_value(v)}" for k, v in fields.items() if v is not None and v != []]
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def fields(entry: LocalOrganisation | LocalAlias | LocalPlace) -> tuple[str, dict[str, object]]:
    """An entry as its kind and the fields the file writes for it."""
    if isinstance(entry, LocalOrganisation):
        return "organisation", {
            "name": entry.name,
            "aliases": list(entry.aliases),
            "country": entry.country,
        }
    if isinstance(entry, LocalAlias):
        return "alias", {"of": entry.of, "alias": entry.alias}
    return "place", {
        "name": entry.name,
        "country": entry.country,
        "province": entry.province,
        "lat": entry.lat,
        "lon": entry.lon,
    }
