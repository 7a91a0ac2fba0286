"""A partner's MISP event, its releasability honoured end to end, on SQLite and
PostgreSQL: the markings it states (rel-to tags, a sharing group) mark the case, a
warning goes only where they allow, and the warning exported back to MISP carries them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pymisp import MISPEvent

from tearline import workflow as wf
from tearline.demo.scenario import report_text
from tearline.errors import InvalidState
from tests.conftest import seed_users
from tests.factories import add_liaison_with_fallback

EVENT = "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a"


def partner_event(**marks: Any) -> bytes:
    """The demo report as a partner's MISP shares it, with ``marks`` over the event."""
    event: dict[str, Any] = {
        "uuid": EVENT,
        "info": "Threat to large gatherings in Moscow",
        "date": "2024-03-06",
        "timestamp": "1709715600",
        "distribution": "1",
        "threat_level_id": "1",
        "analysis": "1",
        "Orgc": {"name": "Partner Liaison Office", "uuid": "5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c"},
        "Tag": [{"name": "tlp:amber"}],
        "Attribute": [
            {
                "type": "text",
                "category": "Other",
                "uuid": "6e5d4c3b-2a1f-4e0d-9c8b-7a6f5e4d3c2b",
                "value": report_text().decode("utf-8"),
            }
        ],
    }
    event.update(marks)
    return json.dumps({"Event": event}).encode()


def ingest(app: wf.App, raw: bytes) -> str:
    prov = wf.Provenance(source="Partner Liaison Office", reliability="B")
    done = wf.ingest_items(app, raw, "partner.json", prov, "dana")
    assert [len(done.stored), len(done.refused)] == [1, 0], [str(r) for r in done.refused]
    return next(e.threat_ref for e in done.stored[0].events if e.threat_ref)


def test_rel_to_tags_mark_the_case_and_the_warning_exported_to_misp(app: wf.App) -> None:
    people = seed_users(app)
    add_liaison_with_fallback(app)  # the Russian government: nation RUS
    rel_to = [{"name": 'tearline:rel-to="RUS"'}, {"name": 'tearline:rel-to="FVEY"'}]
    threat = ingest(app, partner_event(Tag=[{"name": "tlp:amber"}, *rel_to]))
    wf.decide(app, threat, people[0])
    wf.approve_release(app, wf.propose_release(app, threat, people[0]).ref, people[1])
    event = MISPEvent()
    event.load(wf.export_warning(app, "WRN-1", "misp").content)
    tags = [t.name for t in event.tags]
    assert 'tearline:rel-to="RUS"' in tags
    assert 'tearline:rel-to="FVEY"' in tags
    assert int(event.distribution) == 4
    assert event.SharingGroup.name == "REL TO RUS, FVEY"


def test_a_sharing_group_the_recipient_is_outside_keeps_the_warning_from_it(
    app: wf.App,
) -> None:
    people = seed_users(app)
    add_liaison_with_fallback(app)
    group = {"name": "NATO", "releasability": "REL TO NATO"}
    threat = ingest(app, partner_event(distribution="4", SharingGroup=group))
    with pytest.raises(InvalidState, match="outside the case's releasability markings REL TO"):
        wf.decide(app, threat, people[0])
