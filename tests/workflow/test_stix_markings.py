"""A partner's STIX 2.1 bundle, its releasability honoured end to end, on SQLite and
PostgreSQL: the report is read into a case, its REL TO statement marks the case, and a
warning goes only where the marking allows."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tearline import workflow as wf
from tearline.demo.scenario import report_text
from tearline.errors import InvalidState
from tests.conftest import seed_users
from tests.factories import add_liaison_with_fallback

MARKING = "marking-definition--7a1e2b3c-4d5e-4f60-8a1b-2c3d4e5f6a7b"
TLP_AMBER = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"  # TLP 1.0 AMBER


def partner_bundle(statement: str) -> bytes:
    """The demo report as a partner's platform shares it: a STIX report marked TLP:AMBER
    and with ``statement`` (a releasability marking) over it."""
    objects: list[dict[str, Any]] = [
        {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": MARKING,
            "created": "2024-03-01T00:00:00.000Z",
            "definition_type": "statement",
            "definition": {"statement": statement},
        },
        {
            "type": "report",
            "spec_version": "2.1",
            "id": "report--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
            "created": "2024-03-06T09:00:00.000Z",
            "modified": "2024-03-06T09:00:00.000Z",
            "name": "Threat to large gatherings in Moscow",
            "description": report_text().decode("utf-8"),
            "published": "2024-03-06T09:00:00Z",
            "report_types": ["threat-report"],
            "object_refs": ["threat-actor--2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a"],
            "object_marking_refs": [TLP_AMBER, MARKING],
        },
        {
            "type": "threat-actor",
            "spec_version": "2.1",
            "id": "threat-actor--2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a",
            "created": "2024-03-01T00:00:00.000Z",
            "modified": "2024-03-01T00:00:00.000Z",
            "name": "ISIS-K",
        },
    ]
    bundle = {"type": "bundle", "id": "bundle--3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b"}
    return json.dumps({**bundle, "objects": objects}).encode()


def ingest(app: wf.App, raw: bytes) -> str:
    prov = wf.Provenance(source="Partner Liaison Office", reliability="B")
    done = wf.ingest_items(app, raw, "partner.json", prov, "dana")
    assert [len(done.stored), len(done.refused)] == [1, 0], [str(r) for r in done.refused]
    return next(e.threat_ref for e in done.stored[0].events if e.threat_ref)


def test_a_bundle_marked_for_the_recipients_nation_warns_it_with_the_banner(
    app: wf.App,
) -> None:
    people = seed_users(app)
    add_liaison_with_fallback(app)  # the Russian government: nation RUS
    threat = ingest(app, partner_bundle("REL TO RUS, GBR"))
    wf.decide(app, threat, people[0])
    released = wf.approve_release(app, wf.propose_release(app, threat, people[0]).ref, people[1])
    assert released.warnings
    text = wf.export_warning(app, "WRN-1", "text").content
    assert text.splitlines()[0] == "TLP:AMBER | REL TO GBR, RUS"  # the partner's marking


def test_a_bundle_marked_for_others_keeps_the_warning_from_the_recipient(app: wf.App) -> None:
    people = seed_users(app)
    add_liaison_with_fallback(app)
    threat = ingest(app, partner_bundle("REL TO NATO"))
    with pytest.raises(InvalidState, match="outside the case's releasability markings REL TO"):
        wf.decide(app, threat, people[0])
