"""MISP events read as partner items: text from what carries language (never indicators),
the creating organisation as source, TLP from the tlp taxonomy (TLP 1.0 white is CLEAR),
markings from rel-to tags and the sharing group, a versioned partner id; a bad event is
refused with its reason and the others still read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tearline.errors import InputError, MalformedDocument
from tearline.intake import Document, Refused, read_items
from tearline.intake.misp import MispReader, read_feed

FIXTURES = Path(__file__).parent / "fixtures" / "misp"
PARTNER = "6b1e2f0a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
OSINT = "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d"


def partner_event() -> dict[str, Any]:
    return json.loads((FIXTURES / "partner_event.json").read_text("utf-8"))  # type: ignore[no-any-return]


def osint_event() -> dict[str, Any]:
    return json.loads((FIXTURES / "osint_event.json").read_text("utf-8"))  # type: ignore[no-any-return]


def items(raw: bytes, name: str = "events.json") -> list[Document | Refused]:
    return list(MispReader().read_items(raw, name))


def test_a_partners_event_becomes_one_item_with_its_source_tlp_markings_and_id() -> None:
    raw = (FIXTURES / "partner_event.json").read_bytes()
    assert MispReader().sniff(raw)
    (doc,) = items(raw, "partner_event.json")
    assert isinstance(doc, Document)
    assert doc.title == "Planned attack on the Christmas market in Strasbourg"
    assert doc.source_hint == "Partner Liaison Office"
    assert doc.document_date == datetime(2024, 12, 10, tzinfo=UTC)
    assert doc.tlp == "AMBER"
    assert doc.markings == ("REL TO NATO",)  # the sharing group's own statement
    assert doc.external_id == f"misp:{PARTNER}@1733820000"
    # Prose is read: the text attribute, the indicator's comment, the place, the report.
    for kept in (
        "plan a bombing at the Christmas market in Strasbourg",
        "Threat actor: Islamic State of Iraq and the Levant",
        "Channel used to coordinate the cell",
        "Place Kleber, Strasbourg",
        "Visitors should avoid crowded stalls",
    ):
        assert kept in doc.text
    # The indicator itself, a country code and a deleted attribute are not.
    for left_out in ("relay-7f3a.example", "\nFR\n", "wrong city"):
        assert left_out not in doc.text


def test_bare_events_lists_and_search_answers_are_read_the_same() -> None:
    bare, wrapped = osint_event(), partner_event()
    for container in ([wrapped, bare], {"response": [wrapped, {"Event": bare}]}):
        docs = items(json.dumps(container).encode())
        assert [d.external_id for d in docs if isinstance(d, Document)] == [
            f"misp:{PARTNER}@1733820000",
            f"misp:{OSINT}@1733900000",
        ]
    (osint,) = items(json.dumps(bare).encode())
    assert isinstance(osint, Document)
    assert osint.tlp == "CLEAR"  # tlp:white, TLP 1.0
    assert osint.markings == ()
    assert osint.source_hint == "CIRCL OSINT desk"
    assert "news.example" not in osint.text  # a link is not prose


def test_the_strictest_tlp_and_the_rel_to_tags_are_taken() -> None:
    event = osint_event()
    event["Tag"] += [
        {"name": "tlp:amber+strict"},
        {"name": 'tearline:rel-to="USA"'},
        {"name": 'tearline:rel-to="GBR"'},
    ]
    (doc,) = items(json.dumps(event).encode())
    assert isinstance(doc, Document)
    assert doc.tlp == "AMBER+STRICT"
    assert doc.markings == ("REL TO USA, GBR",)


def test_an_updated_event_is_a_new_version_not_the_same_item() -> None:
    first = partner_event()
    update = partner_event()
    update["Event"]["timestamp"] = "1733906400"
    update["Event"]["Attribute"][0]["value"] += " The date has moved to 21 December."
    (a,) = items(json.dumps(first).encode())
    (b,) = items(json.dumps(update).encode())
    assert isinstance(a, Document)
    assert isinstance(b, Document)
    assert a.external_id != b.external_id
    assert b.external_id == f"misp:{PARTNER}@1733906400"


def test_bad_events_are_refused_with_the_reason_and_the_rest_are_read() -> None:
    no_uuid = osint_event() | {"uuid": "not-a-uuid"}
    no_info = osint_event() | {"uuid": "0e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b", "info": " "}
    bad_date = osint_event() | {"uuid": "1f5a6b7c-8d9e-4f0a-9b1c-2d3e4f5a6b7c", "date": "12/11"}
    out = items(json.dumps([no_uuid, partner_event(), no_info, bad_date, "junk"]).encode())
    refused = [r for r in out if isinstance(r, Refused)]
    assert [r.item for r in refused] == [
        "event 1",
        "event 0e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b",
        "event 1f5a6b7c-8d9e-4f0a-9b1c-2d3e4f5a6b7c",
        "event 5",
    ]
    assert "no valid uuid" in refused[0].reason
    assert "no info" in refused[1].reason
    assert "'12/11' is not an ISO 8601 date" in refused[2].reason
    assert refused[3].reason == "not a JSON object"
    assert [d.external_id for d in out if isinstance(d, Document)] == [f"misp:{PARTNER}@1733820000"]


def test_a_file_that_is_not_json_or_not_an_event_is_refused_whole() -> None:
    with pytest.raises(MalformedDocument, match="not valid JSON"):
        items(b'{"Event": {"info": "cut off')
    with pytest.raises(MalformedDocument, match="not a MISP event"):
        items(b'"just a string"')


def test_intake_chooses_the_misp_reader_by_sniffing() -> None:
    raw = (FIXTURES / "partner_event.json").read_bytes()
    (doc,) = read_items(raw, "partner_event.json", max_bytes=1 << 20)
    assert isinstance(doc, Document)
    assert doc.external_id == f"misp:{PARTNER}@1733820000"


def test_a_feed_directory_is_read_in_manifest_order_and_a_missing_file_refused(
    tmp_path: Path,
) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    missing = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    manifest = {OSINT: {"info": "Goma"}, missing: {"info": "gone"}, PARTNER: {"info": "x"}}
    (feed / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    (feed / f"{OSINT}.json").write_text(json.dumps({"Event": osint_event()}), "utf-8")
    (feed / f"{PARTNER}.json").write_bytes((FIXTURES / "partner_event.json").read_bytes())
    (feed / "hashes.csv").write_text("not an event\n", "utf-8")  # feeds carry these too
    entries = list(read_feed(feed))
    assert [e[0] if isinstance(e, tuple) else e.item for e in entries] == [
        f"{OSINT}.json",
        f"event {missing}",
        f"{PARTNER}.json",
    ]
    assert isinstance(entries[1], Refused)
    assert "listed in manifest.json" in entries[1].reason
    # The manifest itself, met as a file, is an index and yields no item.
    assert items((feed / "manifest.json").read_bytes(), "manifest.json") == []


def test_a_directory_without_a_manifest_is_not_a_feed(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no manifest\.json"):
        list(read_feed(tmp_path))


def test_threat_actors_named_through_the_galaxy_are_read() -> None:
    event = osint_event()
    event["Tag"].append({"name": 'misp-galaxy:threat-actor="Sofacy"'})
    event["Galaxy"] = [
        {
            "name": "Threat Actor",
            "type": "threat-actor",
            "uuid": "698774c7-8022-42c4-917f-8d6e4f06ada3",
            "GalaxyCluster": [
                {
                    "type": "threat-actor",
                    "value": "Sofacy",
                    "uuid": "7cdff317-a673-4474-84ec-4f1754947823",
                    "tag_name": 'misp-galaxy:threat-actor="Sofacy"',
                },
                {
                    "type": "threat-actor",
                    "value": "Comment Crew",
                    "uuid": "1cb7e1cc-d695-42b1-92f4-fd0112a3c9be",
                    "tag_name": 'misp-galaxy:threat-actor="Comment Crew"',
                },
            ],
        }
    ]
    (doc,) = items(json.dumps(event).encode())
    assert isinstance(doc, Document)
    assert doc.text.count("Threat actor: Sofacy") == 1
    assert "Threat actor: Comment Crew" in doc.text
