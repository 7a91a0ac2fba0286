"""The recipient registry's file formats (CSV and JSON): read, check every field, write.

Reading never stops at the first mistake: it returns every problem with its row number
and column, so a 10,000-row file is fixed in one go; the workflow stores nothing unless
the whole file is clean. The formats are documented in docs/recipients.md.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from tearline.deliver.sms import is_phone_number
from tearline.errors import InputError
from tearline.markings import community_code, nation_code
from tearline.model import Contact, Location, Recipient, RecipientKind, Tier
from tearline.settings import CAP_SIGNATURES

CSV_COLUMNS = (
    "name",
    "kind",
    "tier",
    "language",
    "jurisdiction",
    "nation",
    "communities",
    "country",
    "city",
    "lat",
    "lon",
    "radius_km",
    "contacts",
    "fallback",
    "home",
    "itinerary",
)
MAX_ROWS = 2_000_000


class RegistryFileRejected(InputError):
    """A registry file with mistakes: ``problems`` lists every one; nothing was stored."""

    def __init__(self, problems: Sequence[str]) -> None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"nothing imported: {problems[0]}{more}")
        self.problems = list(problems)


@dataclass
class _Row:
    number: int  # as a person counts: the first data row of a CSV is row 2
    problems: list[str] = field(default_factory=list)

    def bad(self, column: str, message: str) -> None:
        self.problems.append(f"row {self.number}, {column}: {message}")


def check_contact(channel: str, address: str) -> str | None:
    """What is wrong with a contact point, or None."""
    from tearline.deliver import CHANNEL_NAMES

    if channel not in CHANNEL_NAMES:
        return f"unknown channel {channel!r}; use one of {', '.join(sorted(CHANNEL_NAMES))}"
    if not address.strip():
        return f"{channel} needs an address"
    if channel == "webhook" and not address.startswith(("http://", "https://")):
        return f"a webhook address is an http(s) URL, not {address!r}"
    if channel == "email" and "@" not in parseaddr(address)[1]:
        return f"not an e-mail address: {address!r}"
    if channel == "sms" and not is_phone_number(address):
        return f"an SMS address is an E.164 number such as +79161234567, not {address!r}"
    if channel == "taxii_push" and not (
        address.startswith(("http://", "https://")) and address.rstrip("/").endswith("/objects")
    ):
        return f"a taxii_push address is a collection's objects URL (…/objects/), not {address!r}"
    if channel == "taxii" and len(address) > 200:
        return "a taxii address is the collection's title: at most 200 characters"
    return None


def _country(row: _Row, column: str, value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if len(text) != 2 or not text.isalpha():
        row.bad(column, f"{text!r} is not an ISO 3166-1 alpha-2 country code such as RU")
        return None
    return text.upper()


def _number(row: _Row, column: str, value: Any, low: float, high: float) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        row.bad(column, f"{value!r} is not a number")
        return None
    if not math.isfinite(number) or not low <= number <= high:
        row.bad(column, f"{number:g} is outside {low:g}..{high:g}")
        return None
    return number


def _time(row: _Row, column: str, value: Any) -> datetime | None:
    try:
        t = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        row.bad(column, f"{value!r} is not an ISO 8601 time such as 2024-03-22T18:00:00Z")
        return None
    if t.tzinfo is None:
        row.bad(column, f"{value!r} has no time zone; add Z or an offset such as +03:00")
        return None
    return t


def _point(row: _Row, column: str, d: Any, *, stop: bool) -> Location | None:
    if not isinstance(d, dict):
        row.bad(column, "must be an object with lat and lon")
        return None
    lat = _number(row, f"{column}.lat", d.get("lat"), -90, 90)
    lon = _number(row, f"{column}.lon", d.get("lon"), -180, 180)
    if lat is None or lon is None:
        if d.get("lat") in (None, "") or d.get("lon") in (None, ""):
            row.bad(column, "needs both lat and lon")
        return None
    starts = ends = None
    if stop:
        starts, ends = (
            _time(row, f"{column}.from", d.get("from")),
            _time(row, f"{column}.to", d.get("to")),
        )
        if starts and ends and ends <= starts:
            row.bad(column, "'to' must come after 'from'")
            return None
        if starts is None or ends is None:
            return None
    label = str(d.get("label") or "")[:200]
    return Location(
        lat, lon, label, _country(row, f"{column}.country", d.get("country")), starts, ends
    )


def _contacts(row: _Row, column: str, items: Any) -> list[Contact]:
    contacts = []
    for i, c in enumerate(items or [], 1):
        if not isinstance(c, dict):
            row.bad(f"{column}[{i}]", "must be an object with channel and address")
            continue
        channel, address = str(c.get("channel") or ""), str(c.get("address") or "").strip()
        problem = check_contact(channel, address)
        if problem:
            row.bad(f"{column}[{i}]", problem)
        cap = str(c.get("cap_signature") or "").strip().lower() or None
        if cap is not None and cap not in CAP_SIGNATURES:
            row.bad(f"{column}[{i}].cap_signature", f"{cap!r} is not one of: ed25519, rsa")
        contacts.append(Contact(channel, address, c.get("secret") or None, cap))
    return contacts


def _one_cap_signature(row: _Row, contacts: Iterable[Contact]) -> None:
    """A recipient's warning has one CAP: its contact points may not ask for two kinds."""
    asked = sorted({c.cap_signature for c in contacts if c.cap_signature})
    if len(asked) > 1:
        row.bad("contacts", f"contact points ask for CAP signed with both {' and '.join(asked)}")


def _enum(row: _Row, column: str, kind: type[Any], value: Any) -> Any:
    try:
        return kind(str(value or "").strip().lower())
    except ValueError:
        allowed = ", ".join(k.value for k in kind)
        row.bad(column, f"{value!r} is not one of: {allowed}")
        return None


def recipient_from_dict(d: Any, number: int) -> tuple[Recipient | None, list[str]]:
    """One recipient from its JSON object; (None, problems) if anything is wrong."""
    row = _Row(number)
    if not isinstance(d, dict):
        return None, [f"row {number}: must be an object"]
    name = str(d.get("name") or "").strip()
    if not name:
        row.bad("name", "is empty")
    kind = _enum(row, "kind", RecipientKind, d.get("kind"))
    if kind is RecipientKind.GROUP:
        row.bad("kind", "'group' is made by a release for registered people, not imported")
    tier = _enum(row, "tier", Tier, d.get("tier"))
    language = str(d.get("language") or "en").strip()
    if not language.replace("-", "").isalnum() or len(language) > 20:
        row.bad("language", f"{language!r} is not a BCP 47 tag such as en or ru")
    contacts = _contacts(row, "contacts", d.get("contacts"))
    fallback = _contacts(row, "fallback_contacts", d.get("fallback_contacts"))
    if not contacts:
        row.bad("contacts", "a recipient needs at least one contact point")
    _one_cap_signature(row, [*contacts, *fallback])
    area = d.get("area") or {}
    jurisdiction = _country(row, "jurisdiction", d.get("jurisdiction"))
    country = _country(row, "area.country", area.get("country"))
    lat = _number(row, "area.lat", area.get("lat"), -90, 90)
    lon = _number(row, "area.lon", area.get("lon"), -180, 180)
    radius = _number(row, "area.radius_km", area.get("radius_km"), 0.01, 5000)
    if (lat is None) != (lon is None):
        row.bad("area", "give both lat and lon, or neither")
    if kind is RecipientKind.GOVERNMENT and jurisdiction is None:
        row.bad("jurisdiction", "a government needs the country it protects")
    nation, communities = _nation(row, d, kind, jurisdiction)
    if kind is RecipientKind.PUBLIC and country is None and lat is None:
        row.bad("area", "a public audience needs an area: a country, or lat, lon and radius_km")
    locations: list[Location] = []
    if d.get("home") not in (None, ""):
        home = _point(row, "home", d["home"], stop=False)
        locations += [home] if home else []
    for i, stop in enumerate(d.get("itinerary") or [], 1):
        s = _point(row, f"itinerary[{i}]", stop, stop=True)
        locations += [s] if s else []
    if locations and kind is not RecipientKind.PERSON:
        row.bad("home", "only people have a home and an itinerary; give others an area")
    if row.problems:
        return None, row.problems
    return (
        Recipient(
            id=0,
            name=name[:300],
            kind=kind,
            tier=tier,
            language=language,
            contacts=tuple(contacts),
            jurisdiction=jurisdiction,
            area_country=country,
            area_city=(str(area.get("city")).strip()[:200] or None) if area.get("city") else None,
            area_lat=lat,
            area_lon=lon,
            area_radius_km=radius if lat is not None else None,
            locations=tuple(locations),
            fallback_contacts=tuple(fallback),
            nation=nation,
            communities=communities,
        ),
        [],
    )


def _nation(
    row: _Row, d: dict[str, Any], kind: RecipientKind | None, jurisdiction: str | None
) -> tuple[str | None, tuple[str, ...]]:
    """The nation and communities releasability markings are tested against; a
    government's nation is its jurisdiction's unless given."""
    nation = None
    given = str(d.get("nation") or "").strip()
    try:
        if given:
            nation = nation_code(given)
        elif kind is RecipientKind.GOVERNMENT and jurisdiction:
            nation = nation_code(jurisdiction)
    except InputError as exc:
        row.bad("nation", str(exc))
    raw = d.get("communities") or []
    if isinstance(raw, str):
        raw = _split(raw)
    if not isinstance(raw, list):
        row.bad("communities", "must be a list of sharing communities such as NATO")
        raw = []
    communities: list[str] = []
    for item in raw:
        try:
            communities.append(community_code(str(item)))
        except InputError as exc:
            row.bad("communities", str(exc))
    return nation, tuple(dict.fromkeys(communities))


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split("|") if part.strip()]


def _csv_contacts(cell: str, column: str, number: int, problems: list[str]) -> list[Any]:
    contacts = []
    for part in _split(cell):
        channel, sep, address = part.partition("=")
        if not sep:
            problems.append(f"row {number}, {column}: {part!r} must look like CHANNEL=ADDRESS")
            continue
        contacts.append({"channel": channel.strip(), "address": address.strip()})
    return contacts


def _csv_row(r: dict[str, str], number: int) -> tuple[dict[str, Any], list[str]]:
    """A CSV row as the JSON object it stands for (cells are documented in docs/recipients.md)."""
    problems: list[str] = []
    contacts = _csv_contacts(r.get("contacts", ""), "contacts", number, problems)
    fallback = _csv_contacts(r.get("fallback", ""), "fallback", number, problems)
    home: dict[str, Any] | None = None
    if (r.get("home") or "").strip():
        parts = [p.strip() for p in r["home"].split(",")]
        home = {"lat": parts[0], "lon": parts[1] if len(parts) > 1 else None}
        home["country"] = parts[2] if len(parts) > 2 else None
    stops = []
    for part in _split(r.get("itinerary", "")):
        when, _, rest = part.partition("@")
        where, _, label = rest.partition("@")
        start, _, end = when.partition("/")
        lat, _, lon = where.partition(",")
        stops.append({"from": start, "to": end, "lat": lat, "lon": lon, "label": label})
    obj = {
        "name": r.get("name"),
        "kind": r.get("kind"),
        "tier": r.get("tier"),
        "language": r.get("language") or "en",
        "jurisdiction": r.get("jurisdiction"),
        "nation": r.get("nation"),
        "communities": r.get("communities"),
        "area": {
            "country": r.get("country"),
            "city": r.get("city"),
            "lat": r.get("lat"),
            "lon": r.get("lon"),
            "radius_km": r.get("radius_km"),
        },
        "contacts": contacts,
        "fallback_contacts": fallback,
        "home": home,
        "itinerary": stops,
    }
    return obj, problems


# The registry's file formats, by the name a user gives (``--format``).
FORMATS = ("csv", "json")


def read_registry(data: bytes, fmt: str) -> list[Recipient]:
    """Every recipient in a CSV or JSON file; raises RegistryFileRejected listing all problems."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"the file is not UTF-8 text (byte {exc.start})") from None
    rows: list[tuple[int, Any, list[str]]] = []
    if fmt == "json":
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc}") from None
        if isinstance(items, dict):
            items = items.get("recipients")
        if not isinstance(items, list):
            raise InputError('a JSON registry is a list of recipients (or {"recipients": [...]})')
        rows = [(i, item, []) for i, item in enumerate(items, 1)]
    elif fmt == "csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [
            c for c in ("name", "kind", "tier", "contacts") if c not in (reader.fieldnames or [])
        ]
        if missing:
            raise InputError(f"the CSV header lacks column(s): {', '.join(missing)}")
        unknown = sorted(set(reader.fieldnames or []) - set(CSV_COLUMNS))
        if unknown:
            raise InputError(f"unknown CSV column(s): {', '.join(unknown)}; see docs/recipients.md")
        for i, r in enumerate(reader, 2):
            obj, problems = _csv_row(r, i)
            rows.append((i, obj, problems))
    else:
        raise InputError(f"unknown registry format {fmt!r}; use csv or json")
    if len(rows) > MAX_ROWS:
        raise InputError(f"the file has {len(rows):,} rows; split it below {MAX_ROWS:,}")
    return _checked(rows)


def _checked(rows: Iterable[tuple[int, Any, list[str]]]) -> list[Recipient]:
    problems: list[str] = []
    out: list[Recipient] = []
    seen: dict[str, int] = {}
    for number, obj, early in rows:
        problems += early
        recipient, found = recipient_from_dict(obj, number)
        problems += found
        name = str(obj.get("name") or "").strip() if isinstance(obj, dict) else ""
        first = seen.setdefault(name.casefold(), number) if name else number
        if first != number:
            problems.append(f"row {number}, name: {name!r} is already on row {first}")
        if recipient is not None:
            out.append(recipient)
    if problems:
        raise RegistryFileRejected(problems)
    return out


def _contact(c: Contact) -> dict[str, str]:
    return {
        "channel": c.channel,
        "address": c.address,
        **({"secret": c.secret} if c.secret else {}),
        **({"cap_signature": c.cap_signature} if c.cap_signature else {}),
    }


def recipient_to_dict(r: Recipient) -> dict[str, Any]:
    homes = [loc for loc in r.locations if loc.is_home]
    return {
        "name": r.name,
        "kind": r.kind.value,
        "tier": r.tier.value,
        "language": r.language,
        "jurisdiction": r.jurisdiction,
        "nation": r.nation,
        "communities": list(r.communities),
        "area": {
            "country": r.area_country,
            "city": r.area_city,
            "lat": r.area_lat,
            "lon": r.area_lon,
            "radius_km": r.area_radius_km,
        },
        "contacts": [_contact(c) for c in r.contacts],
        "fallback_contacts": [_contact(c) for c in r.fallback_contacts],
        "home": (
            {
                "lat": homes[0].lat,
                "lon": homes[0].lon,
                "label": homes[0].label,
                "country": homes[0].country,
            }
            if homes
            else None
        ),
        "itinerary": [
            {
                "label": s.label,
                "lat": s.lat,
                "lon": s.lon,
                "country": s.country,
                "from": s.starts_at.isoformat() if s.starts_at else None,
                "to": s.ends_at.isoformat() if s.ends_at else None,
            }
            for s in r.locations
            if not s.is_home
        ],
    }


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def csv_cells(r: Recipient) -> dict[str, str]:
    """One recipient as the cells of its CSV row (the desk's form shows the same cells)."""
    homes = [loc for loc in r.locations if loc.is_home]
    home = ""
    if homes:
        home = f"{homes[0].lat!r},{homes[0].lon!r}" + (
            f",{homes[0].country}" if homes[0].country else ""
        )
    stops = " | ".join(
        f"{s.starts_at.isoformat()}/{s.ends_at.isoformat()}@{s.lat!r},{s.lon!r}"
        + (f"@{s.label}" if s.label else "")
        for s in r.locations
        if not s.is_home and s.starts_at and s.ends_at
    )
    values = [
        r.name,
        r.kind.value,
        r.tier.value,
        r.language,
        _cell(r.jurisdiction),
        _cell(r.nation),
        " | ".join(r.communities),
        _cell(r.area_country),
        _cell(r.area_city),
        _cell(r.area_lat),
        _cell(r.area_lon),
        _cell(r.area_radius_km),
        " | ".join(f"{c.channel}={c.address}" for c in r.contacts),
        " | ".join(f"{c.channel}={c.address}" for c in r.fallback_contacts),
        home,
        stops,
    ]
    return dict(zip(CSV_COLUMNS, values, strict=True))


def recipient_from_cells(cells: dict[str, str]) -> Recipient:
    """One recipient from the cells of a CSV row (the desk's form), with the same checks as
    an imported row; raises RegistryFileRejected listing every problem by column."""
    obj, problems = _csv_row(cells, 1)
    recipient, found = recipient_from_dict(obj, 1)
    problems = [p.removeprefix("row 1, ") for p in problems + found]
    if problems or recipient is None:
        raise RegistryFileRejected(problems or ["the recipient could not be read"])
    return recipient


def write_registry(recipients: Sequence[Recipient], fmt: str) -> str:
    """The registry as CSV or JSON, readable again by ``read_registry``."""
    if fmt == "json":
        return json.dumps([recipient_to_dict(r) for r in recipients], ensure_ascii=False, indent=2)
    if fmt != "csv":
        raise InputError(f"unknown registry format {fmt!r}; use csv or json")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in recipients:
        writer.writerow(csv_cells(r).values())
    return buf.getvalue()
