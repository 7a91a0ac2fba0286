"""MISP on the record, on SQLite and PostgreSQL: a released warning exports as a MISP
event (a draft does not; a term marked protected after the release refuses the export,
naming the term's ID only); a MISP feed directory is stored event by event, a bad event
and a missing file refused with their reasons, a re-pull recognised, and an updated event
stored as a new report that echoes the first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pymisp import MISPEvent
from sqlalchemy import select

from tearline import workflow as wf
from tearline.errors import InputError, InvalidState, LeakDetected
from tearline.store import tables as t
from tearline.workflow.misp_feed import ingest_misp_feed, is_misp_feed

People = tuple[wf.Identity, wf.Identity]
FIXTURES = Path(__file__).parents[1] / "intake" / "fixtures" / "misp"
PARTNER = "6b1e2f0a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
OSINT = "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d"
BROKEN = "0e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b"
MISSING = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text("utf-8"))
    return data.get("Event", data)  # type: ignore[no-any-return]


def release(app: wf.App, threat_ref: str, people: People) -> None:
    wf.decide(app, threat_ref, people[0])
    wf.approve_release(app, wf.propose_release(app, threat_ref, people[0]).ref, people[1])


def test_a_released_warning_exports_as_a_misp_event_and_a_draft_does_not(
    app: wf.App, threat_ref: str, people: People
) -> None:
    wf.decide(app, threat_ref, people[0])
    proposed = wf.propose_release(app, threat_ref, people[0])
    with pytest.raises(InvalidState, match="has not been released"):
        wf.export_warning(app, "WRN-1", "misp")
    wf.approve_release(app, proposed.ref, people[1])
    exported = wf.export_warning(app, "WRN-1", "misp")
    assert exported.filename == "WRN-1.misp.json"
    event = MISPEvent()
    event.load(exported.content)
    assert event.info.startswith("Warning of a threat to life: Moscow")
    assert event.Orgc.name == "Test agency"
    with app.read() as s:
        w = s.get(t.WarningRecord, 1)
        assert w is not None
        tlp = w.content["facts"]["tlp"]
    assert f"tlp:{tlp.lower()}" in [tag.name for tag in event.tags]
    with pytest.raises(InputError, match="misp"):
        wf.export_warning(app, "WRN-1", "pdf")  # the error lists misp among the formats


def test_a_term_marked_after_release_refuses_the_export_by_its_id(
    app: wf.App, threat_ref: str, people: People
) -> None:
    release(app, threat_ref, people)
    with app.unit() as u:
        w = u.session.scalars(
            select(t.WarningRecord).where(t.WarningRecord.status == "released")
        ).first()
        assert w is not None
        wref = f"WRN-{w.id}"
        # A name the released warning states, marked protected after it went out.
        named = w.content["facts"]["place"]["city"]
        term = t.ProtectedTerm(term=named, kind="marked_span", created_by="ana", created_at=u.now)
        u.session.add(term)
        u.session.flush()
        term_id = f"PT-{term.id}"
    with pytest.raises(LeakDetected) as refused:
        wf.export_warning(app, wref, "misp")
    assert term_id in str(refused.value)
    assert named not in str(refused.value)
    assert refused.value.artifact == "misp"


def feed(tmp_path: Path) -> Path:
    """A MISP feed: two good events, one without info, and one listed but missing."""
    root = tmp_path / "feed"
    root.mkdir()
    broken = fixture("osint_event.json") | {"uuid": BROKEN, "info": ""}
    events = {PARTNER: fixture("partner_event.json"), OSINT: fixture("osint_event.json")}
    events[BROKEN] = broken
    manifest = {k: {"info": v["info"], "timestamp": v["timestamp"]} for k, v in events.items()}
    manifest[MISSING] = {"info": "never written", "timestamp": "1733900000"}
    (root / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    for key, event in events.items():
        (root / f"{key}.json").write_text(json.dumps({"Event": event}), "utf-8")
    return root


def test_a_misp_feed_is_stored_event_by_event_and_refusals_say_why(
    app: wf.App, tmp_path: Path
) -> None:
    root = feed(tmp_path)
    assert is_misp_feed(root)
    assert not is_misp_feed(tmp_path)
    done = ingest_misp_feed(app, root, wf.Provenance(), "ana")
    assert done.line() == "4 items: 2 stored, 0 already held, 2 refused"
    reasons = sorted(str(r) for r in done.refused)
    assert reasons[0].startswith(f"{BROKEN}.json event {BROKEN}: ")
    assert "no info" in reasons[0]
    assert reasons[1] == (
        f"feed event {MISSING}: listed in manifest.json, but {MISSING}.json: "
        "No such file or directory"
    )
    with app.read() as s:
        rows = {r.external_id: r for r in s.scalars(select(t.Report))}
    partner = rows[f"misp:{PARTNER}@1733820000"]
    assert partner.tlp == "AMBER"
    assert partner.media_type == "application/vnd.misp.event+json"
    assert "Christmas market in Strasbourg" in partner.text
    assert rows[f"misp:{OSINT}@1733900000"].tlp == "CLEAR"
    # The partner's threat opened a case, read from the event's prose.
    assert any(e.threat_ref for r in done.stored for e in r.events)
    # Pulled again: each event is recognised, nothing is stored twice.
    again = ingest_misp_feed(app, root, wf.Provenance(), "ana")
    assert [len(again.stored), len(again.duplicates)] == [0, 2]


def test_an_updated_event_is_stored_as_a_new_report_echoing_the_first(
    app: wf.App, tmp_path: Path
) -> None:
    root = feed(tmp_path)
    first = ingest_misp_feed(app, root, wf.Provenance(), "ana")
    by_id = {r.filename: r.report_ref for r in first.stored}
    update = fixture("partner_event.json")
    update["timestamp"] = "1733906400"
    update["Attribute"][0]["value"] += " The cell has moved the date to 21 December."
    (root / f"{PARTNER}.json").write_text(json.dumps({"Event": update}), "utf-8")
    again = ingest_misp_feed(app, root, wf.Provenance(), "ana")
    (new,) = again.stored
    assert new.report_ref != by_id[f"{PARTNER}.json"]
    assert new.origin == by_id[f"{PARTNER}.json"]  # an echo of the first version
    assert new.origin_reason
    with app.read() as s:
        ids = set(s.scalars(select(t.Report.external_id)))
    assert {f"misp:{PARTNER}@1733820000", f"misp:{PARTNER}@1733906400"} <= ids
