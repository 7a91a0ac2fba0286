"""Accuracy on alert and advisory texts keyed by hand: event kind, country and city.

A key file is TOML with one ``[[alert]]`` table per text: ``id``, ``text``, ``date``
(ISO 8601; a bare date is read as midnight UTC), ``kind`` (``threat``, ``incident`` or
``none``), ``country`` (ISO 3166-1 alpha-2, "" for none) and ``city`` ("" for none); a
key may accept alternatives written ``a|b`` ("threat|none", "Kyiv|Kiev").

How each field is read from what ``extract`` returns:

- kind: ``none`` when it finds no event, the one kind when every event found is of one
  kind, ``mixed`` otherwise (never right: a threat advisory that also yields an incident
  has taken its background for an event);
- country and city: those of the first event of the key's kind (for a ``none`` key, of
  the first event of any kind); "" when there is none. Cities are compared without case
  or accents.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tearline.errors import InputError, NotFound
from tearline.model import Event, EventKind

FIELDS = ("kind", "country", "city")
Extractor = Callable[[str, datetime], list[Event]]


@dataclass(frozen=True, slots=True)
class AlertKey:
    """One keyed text."""

    id: str
    text: str
    date: datetime
    kind: str
    country: str
    city: str


@dataclass(frozen=True, slots=True)
class AlertMiss:
    """A field read wrong: what the key says and what was found."""

    id: str
    field: str
    expected: str
    found: str


@dataclass
class AlertReport:
    texts: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    misses: list[AlertMiss] = field(default_factory=list)

    @property
    def fields_right(self) -> int:
        return sum(self.right.values())

    @property
    def fields_scored(self) -> int:
        return self.texts * len(FIELDS)

    @property
    def share(self) -> float:
        """The share of all fields read right, 0 to 1."""
        return self.fields_right / self.fields_scored if self.fields_scored else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "texts": self.texts,
            "fields": {k: {"right": r, "scored": self.texts} for k, r in self.right.items()},
            "all_fields": {"right": self.fields_right, "scored": self.fields_scored},
            "misses": [
                {"id": m.id, "field": m.field, "expected": m.expected, "found": m.found}
                for m in self.misses
            ],
        }


def read_alerts(path: Path) -> list[AlertKey]:
    """The keyed texts of a TOML key file (layout in the module docstring)."""
    return [_key(row, path) for row in key_rows(path, "alert")]


def key_rows(path: Path, table: str) -> list[dict[str, Any]]:
    """The ``[[table]]`` rows of a TOML key file; NotFound or InputError saying why not."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFound(f"no {table} key file at {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path} is not a TOML key file: {exc}") from None
    rows = raw.get(table)
    if not isinstance(rows, list) or not rows:
        raise InputError(f"{path} holds no [[{table}]] tables")
    return rows


def _key(row: dict[str, Any], path: Path) -> AlertKey:
    missing = [k for k in ("id", "text", "date", "kind", "country", "city") if k not in row]
    if missing:
        raise InputError(f"{path}: alert {row.get('id', '?')!r} lacks {', '.join(missing)}")
    return AlertKey(
        str(row["id"]),
        str(row["text"]),
        _date(row["date"], path),
        str(row["kind"]),
        str(row["country"]),
        str(row["city"]),
    )


def _date(value: object, path: Path) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    try:
        d = datetime.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{path}: {value!r} is not an ISO 8601 date") from None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def _fold(s: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", s.casefold()) if not unicodedata.combining(c)
    ).strip()


def _accepts(key: str, found: str) -> bool:
    return any(_fold(k) == _fold(found) for k in key.split("|"))


def read_events(key: AlertKey, events: Sequence[Event]) -> dict[str, str]:
    """The kind, country and city ``events`` give for a keyed text (see the docstring)."""
    kinds = {e.kind.value for e in events}
    kind = "none" if not kinds else kinds.pop() if len(kinds) == 1 else "mixed"
    wanted = {EventKind(k) for k in key.kind.split("|") if k in set(EventKind)}
    main = next((e for e in events if e.kind in wanted or not wanted), None)
    place = main.place if main is not None else None
    return {
        "kind": kind,
        "country": (place.country or "") if place is not None else "",
        "city": (place.city or "") if place is not None else "",
    }


def score_alerts(keys: Sequence[AlertKey], run: Extractor) -> AlertReport:
    """Each text extracted and its kind, country and city compared with the key."""
    report = AlertReport()
    for key in keys:
        report.texts += 1
        found = read_events(key, run(key.text, key.date))
        expected = {"kind": key.kind, "country": key.country, "city": key.city}
        for name in FIELDS:
            if _accepts(expected[name], found[name]):
                report.right[name] += 1
            else:
                report.misses.append(AlertMiss(key.id, name, expected[name], found[name]))
    return report
