"""Partners' traffic for tests and bench/partner_intake.py: CAP alerts, STIX bundles and
Atom feeds holding ``n`` items in all, about a tenth of them repeats of an item sent
before (the same alert re-sent, a report in a later bundle, an entry still in the next
pull of a feed) and a few that a partner got wrong (an alert without its status, a report
without its publication date, an entry without an id).

Every item's text is a threat in words extraction reads, at one of a handful of cities,
so the items file into a handful of cases, as a day's partner traffic would.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

CITIES = ("Moscow", "Kazan", "Samara", "Istanbul", "Paris", "Madrid", "Cairo", "Karachi")
PLOTS = (
    "Extremists plan to attack a concert hall in {city}",
    "Gunmen plan to storm a theatre in {city}",
    "A cell is preparing to bomb the central station in {city}",
    "Militants plan to kidnap foreign aid workers in {city}",
)
_NS = uuid.UUID("1b4e28ba-2fa1-11d2-883f-0016d3cca427")
_START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class PartnerBatch:
    files: list[tuple[str, bytes]]  # (file name, bytes), in the order they arrive
    items: int  # every item in every file, repeats and bad ones included
    unique: int  # items stored once each
    duplicates: int  # items that repeat one sent before
    bad: int  # items a partner got wrong: each refused with its reason


def _text(i: int) -> str:
    city = CITIES[i % len(CITIES)]
    day = 10 + i % 15
    plot = PLOTS[(i // len(CITIES)) % len(PLOTS)].format(city=city)
    return f"{plot} on {day} March 2024. Partner reference {i}."


def _cap(i: int, *, bad: bool = False) -> bytes:
    status = "" if bad else "<status>Actual</status>"
    sent = (_START + timedelta(minutes=i)).isoformat()
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'>"
        f"<identifier>PARTNER-{i}</identifier><sender>alerts@partner.example</sender>"
        f"<sent>{sent}</sent>{status}<msgType>Alert</msgType><scope>Restricted</scope>"
        "<restriction>TLP:AMBER; REL TO USA, GBR</restriction>"
        "<info><language>en-GB</language><category>Security</category>"
        "<event>Terrorist threat</event><urgency>Expected</urgency><severity>Severe</severity>"
        f"<certainty>Likely</certainty><headline>Partner alert {i}</headline>"
        f"<description>{_text(i)}</description>"
        f"<area><areaDesc>{CITIES[i % len(CITIES)]}</areaDesc></area></info></alert>"
    ).encode()


def _stix_report(i: int, *, bad: bool = False) -> dict[str, object]:
    stamp = (_START + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    report: dict[str, object] = {
        "type": "report",
        "spec_version": "2.1",
        "id": f"report--{uuid.uuid5(_NS, f'report-{i}')}",
        "created": stamp,
        "modified": stamp,
        "name": f"Partner report {i}",
        "description": _text(i),
        "published": stamp,
        "object_refs": [f"location--{uuid.uuid5(_NS, CITIES[i % len(CITIES)])}"],
    }
    if bad:
        del report["published"]
    return report


def _location(city: str) -> dict[str, object]:
    return {
        "type": "location",
        "spec_version": "2.1",
        "id": f"location--{uuid.uuid5(_NS, city)}",
        "created": "2024-03-01T00:00:00.000Z",
        "modified": "2024-03-01T00:00:00.000Z",
        "name": city,
        "country": "XX",
    }


def _bundle(reports: list[dict[str, object]]) -> bytes:
    objects: list[dict[str, object]] = [_location(c) for c in CITIES]
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects + reports}
    return json.dumps(bundle).encode()


def _entry(i: int, *, bad: bool = False) -> str:
    stamp = (_START + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ident = "" if bad else f"<id>urn:partner:entry:{i}</id>"
    return (
        f"<entry>{ident}<title>Partner entry {i}</title><updated>{stamp}</updated>"
        f"<content type='text'>{_text(i)}</content></entry>"
    )


def _feed(entries: list[str]) -> bytes:
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        "<id>urn:partner:feed</id><title>Partner warnings</title>"
        "<updated>2024-03-06T09:00:00Z</updated>" + "".join(entries) + "</feed>"
    ).encode()


def partner_batch(n: int, *, seed: int = 22) -> PartnerBatch:
    """``n`` items: 40 % CAP, 30 % STIX, 30 % Atom; n // 10 repeats; max(3, n // 100) bad."""
    rng = random.Random(seed)  # noqa: S311 - which items repeat, not a secret
    duplicates = n // 10
    bad = max(3, n // 100)
    unique = n - duplicates - bad
    kinds = ["cap" if i % 10 < 4 else "stix" if i % 10 < 7 else "atom" for i in range(unique)]
    repeats = sorted(rng.sample(range(unique), duplicates))
    caps: list[tuple[str, bytes]] = []
    reports: list[dict[str, object]] = []
    entries: list[str] = []
    for i, kind in enumerate(kinds):
        if kind == "cap":
            caps.append((f"alert-{i}.cap", _cap(i)))
        elif kind == "stix":
            reports.append(_stix_report(i))
        else:
            entries.append(_entry(i))
    # The bad ones, one of each kind in turn.
    for b in range(bad):
        i = unique + b
        if b % 3 == 0:
            caps.append((f"alert-{i}.cap", _cap(i, bad=True)))
        elif b % 3 == 1:
            reports.append(_stix_report(i, bad=True))
        else:
            entries.append(_entry(i, bad=True))
    files = caps[:]
    files += [
        (f"bundle-{k}.json", _bundle(reports[k : k + 10])) for k in range(0, len(reports), 10)
    ]
    files += [(f"feed-{k}.atom", _feed(entries[k : k + 20])) for k in range(0, len(entries), 20)]
    # The repeats arrive last, each in a container of its kind.
    again_reports = [_stix_report(i) for i in repeats if kinds[i] == "stix"]
    again_entries = [_entry(i) for i in repeats if kinds[i] == "atom"]
    files += [(f"alert-{i}-again.cap", _cap(i)) for i in repeats if kinds[i] == "cap"]
    files += [
        (f"bundle-again-{k}.json", _bundle(again_reports[k : k + 10]))
        for k in range(0, len(again_reports), 10)
    ]
    files += [
        (f"feed-again-{k}.atom", _feed(again_entries[k : k + 20]))
        for k in range(0, len(again_entries), 20)
    ]
    return PartnerBatch(files, n, unique, duplicates, bad)
