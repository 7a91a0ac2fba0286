"""STIX 2.1 bundles pass the OASIS stix2-validator (strict), carry the TLP 2.0 marking,
and hold exactly what the tier may be told."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import stix2
from stix2validator import ValidationOptions, validate_string

from tearline.model import Tier
from tearline.release import verify
from tests.release.support import released


def bundle(tmp_path: Path, tier: Tier, lang: str = "en") -> dict:  # type: ignore[type-arg]
    _, artifacts, _ = released(tmp_path, tier, lang)
    return json.loads(artifacts["stix"])


def objects(b: dict, kind: str) -> list[dict]:  # type: ignore[type-arg]
    return [o for o in b["objects"] if o["type"] == kind]


@pytest.mark.parametrize("tier", list(Tier))
def test_the_oasis_validator_accepts_every_tier_strictly(tmp_path: Path, tier: Tier) -> None:
    _, artifacts, _ = released(tmp_path, tier, "fa")
    result = validate_string(artifacts["stix"], ValidationOptions(version="2.1", strict=True))
    assert result.is_valid, [str(e) for e in result.errors]
    assert list(result.warnings) == []
    stix2.parse(artifacts["stix"], allow_custom=False)  # and the OASIS library reads it back


def test_adversary_bundle_names_the_group_targets_and_city(tmp_path: Path) -> None:
    b = bundle(tmp_path, Tier.ADVERSARY)
    (actor,) = objects(b, "threat-actor")
    assert actor["name"] == "ISIL Khorasan"
    names = {o["name"] for o in objects(b, "identity")}
    assert {"large gatherings", "concerts and concert venues", "Crocus City Hall"} <= names
    (loc,) = objects(b, "location")
    assert (loc["city"], loc["country"], loc["latitude"], loc["precision"]) == (
        "Moscow",
        "RU",
        55.75,
        32000.0,
    )
    kinds = {(r["relationship_type"]) for r in objects(b, "relationship")}
    assert kinds == {"targets", "located-at"}
    (report,) = objects(b, "report")
    assert report["external_references"] == [{"source_name": "Test agency", "external_id": "WRN-1"}]
    assert set(report["object_refs"]) >= {actor["id"], loc["id"]}
    (note,) = objects(b, "note")
    assert note["object_refs"] == [report["id"]]
    assert "Pass this warning without delay" in note["content"]
    (marking,) = objects(b, "marking-definition")
    assert marking["name"] == "TLP:AMBER"
    assert marking["id"] == "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
    for o in b["objects"]:
        if o["type"] not in ("marking-definition",) and o["id"] != report["created_by_ref"]:
            assert o["object_marking_refs"] == [marking["id"]]


def test_public_bundle_is_clear_and_names_no_group_or_venue(tmp_path: Path) -> None:
    b = bundle(tmp_path, Tier.PUBLIC)
    text = json.dumps(b)
    assert "ISIL" not in text
    assert "Crocus" not in text
    (actor,) = objects(b, "threat-actor")
    assert actor["name"] == "Unidentified extremist group"
    assert objects(b, "marking-definition")[0]["name"] == "TLP:CLEAR"


def test_the_same_warning_always_gives_the_same_bundle(tmp_path: Path) -> None:
    assert bundle(tmp_path / "a", Tier.ALLY) == bundle(tmp_path / "b", Tier.ALLY)


def test_signed_bundle_verifies(tmp_path: Path) -> None:
    _, artifacts, store = released(tmp_path, Tier.PARTNER)
    v = verify(artifacts["stix_jws"], store.keyset())
    assert v.form == "stix"
    assert v.document == json.loads(artifacts["stix"])
    assert v.signed_at is not None
    assert v.signed_at.isoformat() == "2024-03-06T09:10:00+00:00"
