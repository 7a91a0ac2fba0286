"""The shipped organisations file: origin, aliases, and the build that made it."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from tearline.extract import organisations

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data" / "designations"


def shipped() -> dict[str, object]:
    text = resources.files("tearline.data").joinpath("organisations.json").read_text("utf-8")
    data: dict[str, object] = json.loads(text)
    return data


def test_origin_names_every_source_with_date_and_licence() -> None:
    origin = organisations.origin()
    files = {s["file"]: s for s in origin["sources"]}
    assert set(files) == {
        "ofac_FTO_with_aliases_2022-01-31.jsonl",
        "ofac_sdn_FTO_entries_2024-05-03.jsonl",
        "un_sc_entities_with_aliases_2020-11-30.jsonl",
    }
    for source in files.values():
        assert source["date"]
        assert source["licence"]
        assert source["publisher"]
    assert "tearline" in origin["supplement"]


@pytest.mark.parametrize(
    "alias",
    [
        "ISIS-K",
        "ISKP",
        "IS-K",
        "Islamic State Khorasan Province",
        "Islamic State-Khorasan",
        "isil khorasan",
    ],
)
def test_isis_k_aliases_resolve(alias: str) -> None:
    org = organisations.lookup(alias)
    assert org is not None
    assert (org.id, org.name) == ("ofac:18647", "ISIL Khorasan")
    assert org.parent == "ofac:8759"


@pytest.mark.parametrize("alias", ["Islamic State", "IS", "ISIS", "ISIL", "Daesh"])
def test_islamic_state_aliases_resolve(alias: str) -> None:
    org = organisations.lookup(alias)
    assert org is not None
    assert org.id == "ofac:8759"


def test_the_same_group_is_merged_across_lists() -> None:
    org = organisations.get("ofac:18647")
    assert org is not None
    assert {"ofac-2022", "ofac-2024", "un-2020:QDe.161"} <= set(org.sources)


def test_muc4_era_groups_are_in_the_supplement() -> None:
    for alias, name in [
        ("FMLN", "Farabundo Marti National Liberation Front"),
        ("Sendero Luminoso", "Shining Path"),
        ("MRTA", "Tupac Amaru Revolutionary Movement"),
    ]:
        org = organisations.lookup(alias)
        assert org is not None
        assert org.name == name


def test_short_aliases_are_matched_only_in_context() -> None:
    orgs = shipped()["organisations"]
    assert isinstance(orgs, list)
    rules = {a["name"]: a["match"] for o in orgs for a in o["aliases"]}
    assert (rules["IS"], rules["HUM"], rules["ESO"]) == ("context", "context", "context")
    assert rules["ISIS-K"] == "acronym"
    unmatched = {u["name"] for o in orgs for u in o["unmatched"]}
    assert {"THE BASE", "PARTY OF GOD"} <= unmatched


def test_state_proliferation_lists_are_left_out() -> None:
    excluded = organisations.origin()["excluded_un_regimes"]
    assert set(excluded) == {"DPRK", "Iran", "Iraq", "Libya"}
    assert organisations.lookup("7th of Tir") is None


@pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"the designation lists are not here: {SHARED} is missing"
)
def test_the_build_script_reproduces_the_shipped_file(tmp_path: Path) -> None:
    out = tmp_path / "organisations.json"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "build_organisations.py"),
            "--shared",
            str(SHARED),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    shipped_bytes = resources.files("tearline.data").joinpath("organisations.json").read_bytes()
    assert out.read_bytes() == shipped_bytes
