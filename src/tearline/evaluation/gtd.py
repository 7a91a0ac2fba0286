"""Accuracy against incident tables in the Global Terrorism Database's column layout.

Each row's ``summary`` is extracted (dated by ``iyear``/``imonth``/``iday``) and the first
incident found is compared with the row: country, city, attack type, target type,
group, weapon type, killed and wounded. A field whose gold value is empty or "Unknown"
is not scored. How Tearline's vocabulary maps onto GTD's is in docs/evaluation.md.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tearline.errors import InputError, NotFound
from tearline.extract import _lexicon as lx
from tearline.extract import gazetteer, organisations
from tearline.extract._text import fold, fold_key
from tearline.model import Count, Event, EventKind, Method, TargetType

COLUMNS = (
    "eventid", "iyear", "imonth", "iday", "country_txt", "city", "latitude", "longitude",
    "attacktype1_txt", "targtype1_txt", "gname", "weaptype1_txt", "nkill", "nwound", "summary",
)  # fmt: skip
FIELDS = ("country", "city", "attack_type", "target_type", "group", "weapon_type", "killed",
          "wounded")  # fmt: skip
CITY_RADIUS_KM = 30.0  # a city this close to the row's coordinates counts as the same

ATTACK_TYPE = {
    Method.ARMED_ASSAULT: "Armed Assault",
    Method.STABBING: "Armed Assault",
    Method.BOMBING: "Bombing/Explosion",
    Method.SUICIDE_BOMBING: "Bombing/Explosion",
    Method.KIDNAPPING: "Hostage Taking",  # GTD splits kidnapping and barricade incidents
    Method.ASSASSINATION: "Assassination",
    Method.HIJACKING: "Hijacking",
    Method.ARSON: "Facility/Infrastructure Attack",
    Method.VEHICLE_RAMMING: "Unarmed Assault",
    Method.CBRN: "Unarmed Assault",
    Method.ROBBERY: "Armed Assault",  # GTD has no robbery type; armed robbery is assault
    Method.FORCED_WORK_STOPPAGE: "Unknown",
}
TARGET_TYPE = {
    TargetType.MASS_GATHERING: ("Private Citizens & Property",),
    TargetType.CONCERT: ("Private Citizens & Property", "Business"),
    TargetType.CIVILIANS: ("Private Citizens & Property", "Tourists"),
    TargetType.PERSON: ("Private Citizens & Property", "Journalists & Media",
                        "Government (General)"),
    TargetType.RELIGIOUS: ("Religious Figures/Institutions",),
    TargetType.TRANSPORT: ("Transportation", "Airports & Aircraft", "Maritime"),
    TargetType.GOVERNMENT: ("Government (General)",),
    TargetType.DIPLOMATIC: ("Government (Diplomatic)",),
    TargetType.MILITARY: ("Military",),
    TargetType.POLICE: ("Police",),
    TargetType.EDUCATION: ("Educational Institution",),
    TargetType.BUSINESS: ("Business",),
    TargetType.INFRASTRUCTURE: ("Utilities", "Telecommunication", "Food or Water Supply"),
    TargetType.OTHER: ("Other",),
}  # fmt: skip
WEAPON_TYPE = {
    lx.FIREARM: "Firearms",
    lx.EXPLOSIVE: "Explosives",  # "Explosives/Bombs/Dynamite" before 2012
    lx.INCENDIARY: "Incendiary",
    lx.BLADE: "Melee",
    lx.CBRN: "Chemical",  # also Biological, Radiological, Nuclear
}
_METHOD_WEAPON = {
    Method.ARMED_ASSAULT: lx.FIREARM,
    Method.BOMBING: lx.EXPLOSIVE,
    Method.SUICIDE_BOMBING: lx.EXPLOSIVE,
    Method.ARSON: lx.INCENDIARY,
    Method.STABBING: lx.BLADE,
    Method.CBRN: lx.CBRN,
}
_CBRN = ("Chemical", "Biological", "Radiological", "Nuclear")
_PAREN = re.compile(r"\s*\([^)]*\)\s*$")  # "Lashkar-e-Taiba (LeT)" -> "Lashkar-e-Taiba"

Extractor = Callable[[str, datetime], Sequence[Event]]


@dataclass(frozen=True, slots=True)
class GtdRow:
    eventid: str
    date: datetime
    values: dict[str, str]
    summary: str


@dataclass(slots=True)
class GtdReport:
    rows: int = 0
    rows_with_events: int = 0
    fields: dict[str, tuple[int, int]] = field(default_factory=dict)  # field -> right, scored
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)  # id, field, gold, got

    def accuracy(self, name: str) -> float | None:
        right, scored = self.fields.get(name, (0, 0))
        return right / scored if scored else None

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "rows_with_events": self.rows_with_events,
            "fields": {
                k: {"right": r, "scored": n, "accuracy": (r / n if n else None)}
                for k, (r, n) in self.fields.items()
            },
            "misses": [
                {"eventid": i, "field": f, "gold": g, "got": v} for i, f, g, v in self.misses
            ],
        }


def _date(row: dict[str, str], line: int, path: Path) -> datetime:
    try:
        y = int(row["iyear"])
        m, d = max(1, int(row["imonth"] or 0)), max(1, int(row["iday"] or 0))  # 0: unknown
        return datetime(y, m, d, 12, tzinfo=UTC)
    except (TypeError, ValueError):
        raise InputError(f"{path}:{line}: iyear/imonth/iday are not a date") from None


def read_gtd(path: Path) -> list[GtdRow]:
    """The rows of a CSV file in GTD's layout (extra columns are ignored)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(f"{path}: missing GTD columns: {', '.join(missing)}")
            rows = []
            for row in reader:
                line = reader.line_num
                values = {k: (row.get(k) or "").strip() for k in COLUMNS}
                if not values["summary"]:
                    raise InputError(f"{path}:{line}: the summary is empty")
                rows.append(
                    GtdRow(values["eventid"], _date(values, line, path), values, values["summary"])
                )
    except FileNotFoundError:
        raise NotFound(f"{path}: no such file") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: not a UTF-8 CSV file ({exc})") from None
    if not rows:
        raise InputError(f"{path}: no rows")
    return rows


def _main_event(events: Sequence[Event]) -> Event | None:
    incidents = [e for e in events if e.kind is EventKind.INCIDENT]
    found = incidents or list(events)
    return found[0] if found else None


def _known(value: str) -> bool:
    return bool(value) and value.lower() != "unknown"


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _country(e: Event | None, gold: str) -> tuple[bool, str]:
    got = e.place.country if e and e.place else None
    want = gazetteer.lookup_country(gold)
    return (want is not None and got == want.code), got or ""


def _city(e: Event | None, gold: str, row: dict[str, str]) -> tuple[bool, str]:
    p = e.place if e else None
    if p is None or p.city is None:
        return False, ""
    if fold_key(p.city) == fold_key(gold) or any(
        c.geonameid == p.geonameid for c in gazetteer.cities_named(gold)
    ):
        return True, p.city
    try:
        lat, lon = float(row["latitude"]), float(row["longitude"])
    except ValueError:
        return False, p.city
    near = p.lat is not None and p.lon is not None and _km(lat, lon, p.lat, p.lon) <= CITY_RADIUS_KM
    return near, p.city


def _attack(e: Event | None, gold: str) -> tuple[bool, str]:
    got = ATTACK_TYPE.get(e.method.method, "Unknown") if e and e.method else "Unknown"
    return gold.startswith(got), got


def _target(e: Event | None, gold: str) -> tuple[bool, str]:
    if e is None or not e.targets:
        return False, ""
    accepted = TARGET_TYPE.get(e.targets[0].type, ())
    return gold in accepted, e.targets[0].type.value


def _group(e: Event | None, gold: str) -> tuple[bool, str]:
    orgs = organisations.load()
    actors = [a for a in (e.actors if e else ()) if a.org_id]
    want = organisations.lookup(gold) or organisations.lookup(_PAREN.sub("", gold).strip())
    if want is not None:
        ok = any(orgs.related(a.org_id or "", want.id) for a in actors)
    else:
        ok = any(fold_key(a.span.text) in fold_key(gold) for a in actors)
    return ok, ", ".join(a.canonical or a.span.text for a in actors)


def _weapon(e: Event | None, gold: str) -> tuple[bool, str]:
    cls: str | None = None
    if e is not None and e.method is not None:
        if e.method.weapon:
            found = lx.index().find(fold(e.method.weapon))
            cls = next((v.value for m in found for v in m.values if v.role == lx.WEAPON), None)
        cls = cls or _METHOD_WEAPON.get(e.method.method)
        if e.method.method is Method.VEHICLE_RAMMING:
            return gold.startswith("Vehicle"), "Vehicle"
    got = WEAPON_TYPE.get(cls or "", "")
    if got == "Chemical":
        return gold in _CBRN, got
    return bool(got) and gold.startswith(got), got


def _toll(count: Count | None, gold: str) -> tuple[bool, str] | None:
    try:
        n = round(float(gold))
    except ValueError:
        return None  # empty: GTD does not know
    if count is None:
        return n == 0, ""
    top = math.inf if count.max is None else count.max
    return count.min <= n <= top, f"{count.min}..{'' if count.max is None else count.max}"


def score_gtd(rows: Sequence[GtdRow], extractor: Extractor) -> GtdReport:
    report = GtdReport(rows=len(rows), fields=dict.fromkeys(FIELDS, (0, 0)))
    for row in rows:
        events = extractor(row.summary, row.date)
        report.rows_with_events += bool(events)
        e, v = _main_event(events), row.values
        checks: dict[str, tuple[bool, str] | None] = {
            "country": _country(e, v["country_txt"]) if _known(v["country_txt"]) else None,
            "city": _city(e, v["city"], v) if _known(v["city"]) else None,
            "attack_type": _attack(e, v["attacktype1_txt"])
            if _known(v["attacktype1_txt"])
            else None,
            "target_type": _target(e, v["targtype1_txt"]) if _known(v["targtype1_txt"]) else None,
            "group": _group(e, v["gname"]) if _known(v["gname"]) else None,
            "weapon_type": _weapon(e, v["weaptype1_txt"]) if _known(v["weaptype1_txt"]) else None,
            "killed": _toll(e.casualties.killed if e else None, v["nkill"]),
            "wounded": _toll(e.casualties.injured if e else None, v["nwound"]),
        }
        gold_of = {
            "country": "country_txt", "city": "city", "attack_type": "attacktype1_txt",
            "target_type": "targtype1_txt", "group": "gname", "weapon_type": "weaptype1_txt",
            "killed": "nkill", "wounded": "nwound",
        }  # fmt: skip
        for name, result in checks.items():
            if result is None:
                continue
            right, scored = report.fields[name]
            report.fields[name] = (right + result[0], scored + 1)
            if not result[0]:
                report.misses.append((row.eventid, name, v[gold_of[name]], result[1]))
    return report
