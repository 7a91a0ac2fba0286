"""The JSON envelope `tearline extract --json` prints (docs/extract-json.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tearline.extract import extraction_document
from tearline.model import EXTRACT_SCHEMA, Event, event_from_dict

from ._support import DEMO_DATE

ROOT = Path(__file__).resolve().parents[2]


def test_envelope(demo_events: list[Event]) -> None:
    doc = extraction_document(demo_events, DEMO_DATE)
    assert list(doc) == ["schema", "document_date", "events"]
    assert doc["schema"] == EXTRACT_SCHEMA == "tearline.extract/1"
    assert doc["document_date"] == "2024-03-06T09:00:00+00:00"
    assert [e["kind"] for e in doc["events"]] == ["threat", "incident"]


def test_documented_fields_are_present(demo_events: list[Event], demo_text: str) -> None:
    threat = extraction_document(demo_events, DEMO_DATE)["events"][0]
    assert set(threat) == {
        "kind", "modality", "confidence", "actors", "harm", "method", "targets", "place",
        "time", "casualties", "evidence", "incident_type", "perpetrator_individuals",
        "perpetrator_organizations", "physical_targets", "human_targets", "weapons",
    }  # fmt: skip
    assert threat["place"]["venue"] == "Crocus City Hall"
    assert threat["actors"][0]["canonical"] == "ISIL Khorasan"
    assert threat["time"]["start"] == "2024-03-06T09:00:00+00:00"
    assert threat["time"]["end"] == "2024-03-13T09:00:00+00:00"
    start, end = threat["time"]["offsets"]
    assert demo_text[start:end] == threat["time"]["text"] == "within days"


def test_events_round_trip_through_json(demo_events: list[Event]) -> None:
    text = json.dumps(extraction_document(demo_events, DEMO_DATE))
    back = [event_from_dict(d) for d in json.loads(text)["events"]]
    assert back == demo_events


def test_the_documented_example_is_what_extraction_prints() -> None:
    page = ROOT / "docs" / "extract-json.md"
    fresh = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_extract_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert fresh.returncode == 0, f"{page}: {fresh.stdout} {fresh.stderr}"
