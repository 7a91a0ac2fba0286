"""The registry on file and in the database, and targeting a real threat case with it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tearline import workflow as wf
from tearline.deliver.registry import RegistryFileRejected
from tearline.settings import load_settings
from tearline.store import tables as t
from tests.workflow.conftest import PROVENANCE

REGISTRY = [
    {
        "name": "Russian Federation",
        "kind": "government",
        "tier": "adversary",
        "jurisdiction": "RU",
        "contacts": [{"channel": "liaison_note", "address": "moscow-desk"}],
    },
    {
        "name": "République française",
        "kind": "government",
        "tier": "ally",
        "jurisdiction": "FR",
        "contacts": [{"channel": "email", "address": "cdc@interieur.test"}],
    },
    {
        "name": "Public in Moscow",
        "kind": "public",
        "tier": "public",
        "area": {"country": "RU", "city": "Moscow"},
        "contacts": [{"channel": "public_feed", "address": "ru-moscow"}],
    },
    {
        "name": "Concert hall operator",
        "kind": "organisation",
        "tier": "partner",
        "area": {"country": "RU", "lat": 55.8305, "lon": 37.3925, "radius_km": 1},
        "contacts": [{"channel": "webhook", "address": "https://ops.example/hook"}],
    },
    {
        "name": "Kazan arena",
        "kind": "organisation",
        "tier": "partner",
        "area": {"country": "RU", "lat": 55.82, "lon": 49.16, "radius_km": 2},
        "contacts": [{"channel": "email", "address": "ops@kazan.test"}],
    },
    {
        "name": "Anna",
        "kind": "person",
        "tier": "partner",
        "home": {"lat": 55.8285, "lon": 37.3925},  # 0.3 km from Crocus City Hall
        "contacts": [{"channel": "sms", "address": "+79160000010"}],
    },
    {
        "name": "Boris",
        "kind": "person",
        "tier": "partner",
        "home": {"lat": 59.93, "lon": 30.33},
        "itinerary": [
            {
                "label": "Moscow conference",
                "lat": 55.8265,
                "lon": 37.3875,
                "from": "2024-03-07T08:00:00Z",
                "to": "2024-03-08T20:00:00Z",
            }
        ],
        "contacts": [{"channel": "email", "address": "boris@example.org"}],
    },
    {
        "name": "Chen",
        "kind": "person",
        "tier": "partner",
        "home": {"lat": 59.93, "lon": 30.33},
        "itinerary": [
            {
                "label": "Later visit",
                "lat": 55.8265,
                "lon": 37.3875,
                "from": "2024-03-20T08:00:00Z",
                "to": "2024-03-21T20:00:00Z",
            }
        ],
        "contacts": [{"channel": "email", "address": "chen@example.org"}],
    },
    {
        "name": "Dmitri",
        "kind": "person",
        "tier": "partner",
        "home": {"lat": 56.2, "lon": 37.62},  # 50 km north of Moscow's centre, 42 of the hall
        "contacts": [{"channel": "email", "address": "d@example.org"}],
    },
]


def rows(app: wf.App) -> tuple[int, int]:
    with app.read() as s:
        return (
            s.scalar(select(func.count()).select_from(t.Recipient)) or 0,
            s.scalar(select(func.count()).select_from(t.RecipientLocation)) or 0,
        )


def test_targeting_finds_who_is_there_with_reasons(app: wf.App) -> None:
    done = wf.import_recipients(app, json.dumps(REGISTRY).encode(), "json", actor="dana")
    assert len(done.created) == len(REGISTRY)
    got = wf.ingest_bytes(
        app,
        __import__("tearline.demo.scenario", fromlist=["x"]).report_text(),
        "m.txt",
        PROVENANCE,
        actor="dana",
    )
    threat = next(e.threat_ref for e in got.events if e.threat_ref)
    assert threat is not None
    result = wf.target(app, threat)
    # The report names Crocus City Hall, which the venue gazetteer places in Krasnogorsk
    # (data/venues.toml): the search is two km around the hall, not Moscow's centre.
    assert result.radius_km == 2.0
    assert result.area == "2 km around Crocus City Hall (venue)"
    reasons = {a.name: a.reason for a in result.recipients}
    assert set(reasons) == {
        "Russian Federation",
        "Public in Moscow",
        "Concert hall operator",
        "Anna",
        "Boris",
    }
    assert reasons["Russian Federation"] == "responsible for protecting people in Russia"
    assert reasons["Anna"].startswith("home, 0.")
    assert reasons["Boris"].startswith("itinerary: Moscow conference 07 Mar 08:00–08 Mar 20:00 UTC")
    assert reasons["Public in Moscow"] == "public in the threatened area: in Moscow"
    roles = {a.name: a.role for a in result.recipients}
    assert roles["Russian Federation"] == "protector"
    assert roles["Concert hall operator"] == roles["Anna"] == roles["Boris"] == "at_risk"
    assert roles["Public in Moscow"] == "public"
    assert "km from the place" in reasons["Concert hall operator"]
    kinds = [a.kind for a in result.recipients]
    assert kinds == sorted(kinds, key=["government", "organisation", "public", "person"].index)


def test_a_bad_file_stores_nothing(app: wf.App) -> None:
    wf.import_recipients(app, json.dumps(REGISTRY[:2]).encode(), "json", actor="dana")
    before = rows(app)
    bad = [
        *REGISTRY[2:],
        {
            "name": "Eve",
            "kind": "person",
            "tier": "partner",
            "home": {"lat": 200, "lon": 0},
            "contacts": [],
        },
    ]
    with pytest.raises(RegistryFileRejected) as info:
        wf.import_recipients(app, json.dumps(bad).encode(), "json", actor="dana")
    assert "row 8, home.lat: 200 is outside -90..90" in info.value.problems
    assert rows(app) == before
    again = wf.import_recipients  # a name that exists is refused unless updating
    with pytest.raises(RegistryFileRejected, match="already exists"):
        again(app, json.dumps(REGISTRY[:1]).encode(), "json", actor="dana")
    assert rows(app) == before


def test_update_replaces_and_targeting_sees_the_change(app: wf.App) -> None:
    wf.import_recipients(app, json.dumps(REGISTRY).encode(), "json", actor="dana")
    got = wf.ingest_bytes(
        app,
        __import__("tearline.demo.scenario", fromlist=["x"]).report_text(),
        "m.txt",
        PROVENANCE,
        actor="dana",
    )
    threat = next(e.threat_ref for e in got.events if e.threat_ref)
    assert threat is not None
    assert "Dmitri" not in {a.name for a in wf.target(app, threat).recipients}
    moved = {**REGISTRY[-1], "home": {"lat": 55.8258, "lon": 37.3903}}
    done = wf.import_recipients(
        app, json.dumps([moved]).encode(), "json", actor="dana", update=True
    )
    assert (done.created, len(done.updated)) == ([], 1)
    assert "Dmitri" in {a.name for a in wf.target(app, threat).recipients}


def test_export_then_import_elsewhere_gives_the_same_registry(
    app: wf.App, tmp_path: object
) -> None:
    wf.import_recipients(app, json.dumps(REGISTRY).encode(), "json", actor="dana")

    def secrets(text: str) -> list[str | None]:
        return [
            c.get("secret")
            for r in json.loads(text)
            for c in r["contacts"]
            if c["channel"] == "webhook"
        ]

    plain = secrets(wf.export_recipients(app, "json"))
    assert plain
    assert all(s is None for s in plain)  # write-only: a plain export has none
    exported = wf.export_recipients(app, "json", with_secrets=True, by="dana")
    assert secrets(exported)
    assert all(s and s.startswith("whsec_") for s in secrets(exported))  # made on import, kept
    other = wf.App(load_settings({"home": str(app.home / "other")}, environ={}), clock=app.clock)
    try:
        wf.import_recipients(other, exported.encode(), "json", actor="dana")
        assert wf.export_recipients(other, "json", with_secrets=True, by="dana") == exported
        csv_text = wf.export_recipients(other, "csv")
        assert csv_text.splitlines()[0].startswith("name,kind,tier")
    finally:
        other.close()
