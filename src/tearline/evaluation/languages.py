"""Accuracy on texts in other languages keyed by hand: kind, country, city, actor, date.

A key file is TOML with one ``[[text]]`` table per text: ``id``, ``split`` ("dev": the
texts the readers were tuned on, "test": held out), ``source``, ``date`` (the document's
own date), ``text``, and the key: ``kind`` (threat / incident / none), ``country``
(ISO 3166-1 alpha-2), ``city`` (the English gazetteer name), ``actor`` (the
organisation's name in the shipped organisations file, or its common name) and
``event_date`` (ISO day; "" where the text gives none). "" is none; ``a|b`` accepts
either. The sets in tests/extract/fixtures/languages/ were keyed by hand before the
extractor was run on them.

How each field is read from what ``extract`` returns: kind, country and city as for
alerts (``alerts.read_events``); actor: the listed name of the first organisation the
main event names (else the first actor's words as written), "" where it names none;
date: the day the main event's time starts on where it is a day (a date, "yesterday",
"on Friday", the first day of a dated window), "" for a vague window or none.
Names are compared without case or accents.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tearline.errors import InputError
from tearline.evaluation.alerts import AlertKey, _accepts, _date, key_rows, read_events
from tearline.evaluation.alerts import AlertMiss as Miss
from tearline.model import Event, EventKind, TimePrecision

FIELDS = ("kind", "country", "city", "actor", "date")
Extractor = Callable[[str, datetime], list[Event]]


@dataclass(frozen=True, slots=True)
class TextKey:
    id: str
    split: str
    text: str
    date: datetime
    kind: str
    country: str
    city: str
    actor: str
    event_date: str


@dataclass
class LanguageReport:
    lang: str
    texts: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    misses: list[Miss] = field(default_factory=list)

    @property
    def fields_right(self) -> int:
        return sum(self.right.values())

    @property
    def fields_scored(self) -> int:
        return self.texts * len(FIELDS)

    def share(self, name: str | None = None) -> float:
        """The share of fields read right (one field, or all), 0 to 1."""
        if name is None:
            return self.fields_right / self.fields_scored if self.fields_scored else 0.0
        return self.right[name] / self.texts if self.texts else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "texts": self.texts,
            "fields": {k: {"right": r, "scored": self.texts} for k, r in self.right.items()},
            "all_fields": {"right": self.fields_right, "scored": self.fields_scored},
            "misses": [
                {"id": m.id, "field": m.field, "expected": m.expected, "found": m.found}
                for m in self.misses
            ],
        }


def read_keys(path: Path) -> list[TextKey]:
    """The keyed texts of a TOML key file (layout in the module docstring)."""
    rows = key_rows(path, "text")
    needed = ("id", "split", "text", "date", "kind", "country", "city", "actor", "event_date")
    out = []
    for row in rows:
        missing = [k for k in needed if k not in row]
        if missing:
            raise InputError(f"{path}: text {row.get('id', '?')!r} lacks {', '.join(missing)}")
        out.append(
            TextKey(
                str(row["id"]),
                str(row["split"]),
                str(row["text"]),
                _date(row["date"], path),
                str(row["kind"]),
                str(row["country"]),
                str(row["city"]),
                str(row["actor"]),
                str(row["event_date"]),
            )
        )
    return out


def read_fields(key: TextKey, events: Sequence[Event]) -> dict[str, str]:
    """The five fields ``events`` give for a keyed text (see the module docstring)."""
    alert = AlertKey(key.id, key.text, key.date, key.kind, key.country, key.city)
    found = read_events(alert, events)
    wanted = {EventKind(k) for k in key.kind.split("|") if k in set(EventKind)}
    main = next((e for e in events if e.kind in wanted or not wanted), None)
    actor = ""
    day = ""
    if main is not None:
        orgs = [a for a in main.actors if a.canonical]
        if orgs:
            actor = orgs[0].canonical or ""
        elif main.perpetrator_organizations:
            actor = (
                main.perpetrator_organizations[0].canonical
                or main.perpetrator_organizations[0].text
            )
        t = main.time
        if t is not None and t.precision in (
            TimePrecision.EXACT,
            TimePrecision.DAY,
            TimePrecision.WINDOW,
        ):
            day = t.start.date().isoformat()
    return {**found, "actor": actor, "date": day}


def score(lang: str, keys: Sequence[TextKey], run: Extractor, split: str = "all") -> LanguageReport:
    """Each text of the split extracted and its five fields compared with the key."""
    report = LanguageReport(lang)
    for key in keys:
        if split != "all" and key.split != split:
            continue
        report.texts += 1
        found = read_fields(key, run(key.text, key.date))
        expected = {
            "kind": key.kind,
            "country": key.country,
            "city": key.city,
            "actor": key.actor,
            "date": key.event_date,
        }
        for name in FIELDS:
            if _accepts(expected[name], found[name]):
                report.right[name] += 1
            else:
                report.misses.append(Miss(key.id, name, expected[name], found[name]))
    return report
