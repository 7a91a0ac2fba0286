"""STIX 2.1 bundles coming in: each report one item, in text a person can read, with its
TLP and markings; a bundle of indicators alone is refused with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import stix2

from tearline.errors import MalformedDocument
from tearline.intake import Document, Refused, read_items
from tearline.intake.stix import TLP_IDS
from tearline.model import Tier
from tearline.release.stix import TLP2_IDS, tlp_marking
from tests.release.support import released

EXAMPLES = Path(__file__).resolve().parents[1] / "intake" / "fixtures" / "partners" / "stix"
MAX = 10_000_000


def _documents(raw: bytes, name: str = "bundle.json") -> list[Document]:
    items = list(read_items(raw, name, max_bytes=MAX))
    assert all(isinstance(i, Document) for i in items), items
    return [i for i in items if isinstance(i, Document)]


def test_the_oasis_apt1_report_reads_with_its_actors_and_attack_patterns() -> None:
    (doc,) = _documents((EXAMPLES / "apt1.json").read_bytes(), "apt1.json")
    assert doc.external_id == "stix:report--e33ffe07-2f4c-48d8-b0af-ee2619d765cf"
    assert doc.title == "APT1: Exposing One of China's Cyber Espionage Units"
    assert "Published 2013-02-19" in doc.text
    assert "Threat actors: " in doc.text
    assert "Ugly Gorilla" in doc.text
    assert "Attack patterns: " in doc.text
    assert doc.document_date is not None
    assert doc.document_date.year == 2013


def test_a_bundle_of_indicators_alone_is_refused_naming_what_it_holds() -> None:
    raw = (EXAMPLES / "indicator-for-c2-ip-address.json").read_bytes()
    with pytest.raises(MalformedDocument, match=r"holds no report objects \(it holds indicator\)"):
        list(read_items(raw, "c2.json", max_bytes=MAX))


def _partner_bundle(report_extra: dict[str, object]) -> bytes:
    rel = stix2.v21.MarkingDefinition(
        definition_type="statement", definition={"statement": "REL TO USA, GBR"}
    )
    actor = stix2.v21.ThreatActor(name="Islamic State Khorasan Province")
    place = stix2.v21.Location(city="Moscow", country="RU")
    report = stix2.v21.Report(
        name="Planned attack on a concert in Moscow",
        description="ISKP members plan to attack a concert hall in Moscow on 22 March.",
        published="2024-03-07T09:00:00Z",
        object_refs=[actor.id, place.id],
        object_marking_refs=[TLP2_IDS["AMBER"], rel.id],
        allow_custom=True,
        **report_extra,
    )
    bundle = stix2.v21.Bundle(tlp_marking("AMBER"), rel, actor, place, report)
    return str(bundle.serialize()).encode()


def test_tlp_and_a_statement_marking_come_through_and_refs_are_named() -> None:
    (doc,) = _documents(_partner_bundle({}))
    assert doc.tlp == "AMBER"
    assert doc.markings == ("REL TO USA, GBR",)
    assert "Threat actors: Islamic State Khorasan Province" in doc.text
    assert "Locations: Moscow, RU" in doc.text


def test_one_bad_report_is_refused_and_the_other_still_read() -> None:
    bundle = json.loads(_partner_bundle({}))
    bad = {
        "type": "report",
        "id": "report--00000000-0000-4000-8000-000000000000",
        "spec_version": "2.1",
        "name": "no dates",
        "object_refs": [],
    }
    bundle["objects"].append(bad)
    items = list(read_items(json.dumps(bundle).encode(), "b.json", max_bytes=MAX))
    assert isinstance(items[0], Document)
    refused = items[1]
    assert isinstance(refused, Refused)
    assert refused.item == bad["id"]
    assert "not a valid STIX 2.1 report" in refused.reason


def test_a_bundle_tearline_itself_writes_reads_back_as_one_report(tmp_path: Path) -> None:
    _, artifacts, _ = released(tmp_path, Tier.PARTNER)
    (doc,) = _documents(artifacts["stix"].encode(), "warning.stix")
    assert doc.external_id is not None
    assert doc.external_id.startswith("stix:report--")
    assert doc.tlp is not None
    assert doc.text.strip()


def test_the_tlp_ids_read_are_the_ones_tearline_writes() -> None:
    assert {v: k for k, v in TLP2_IDS.items()}.items() <= TLP_IDS.items()


def test_a_copyright_statement_is_not_a_marking_and_joins_the_text() -> None:
    bundle = json.loads(_partner_bundle({}))
    for obj in bundle["objects"]:
        if obj.get("definition_type") == "statement":
            obj["definition"]["statement"] = "Copyright 2024 Example Corp"
    (doc,) = _documents(json.dumps(bundle).encode())
    assert doc.markings == ()
    assert "Handling: Copyright 2024 Example Corp" in doc.text


def test_a_plain_json_report_that_mentions_a_bundle_is_read_as_a_document() -> None:
    raw = json.dumps(
        {"title": "Drop", "text": "A bundle was left at the station.", "kind": "bundle"}
    )
    (doc,) = _documents(raw.encode(), "report.json")
    assert doc.external_id is None
    assert doc.media_type == "application/json"
