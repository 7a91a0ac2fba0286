"""The registry's nation and communities: what releasability markings are tested against."""

from __future__ import annotations

import json

import pytest

from tearline.deliver.registry import RegistryFileRejected, read_registry, write_registry

CSV = "\n".join(
    [
        "name,kind,tier,jurisdiction,nation,communities,contacts",
        "Russian Federation (liaison),government,adversary,RU,,,liaison_note=moscow-desk",
        "UK embassy Moscow,organisation,ally,,United Kingdom,NATO | five eyes,email=a@b.test",
        "NATO situation centre,organisation,ally,,,NATO,webhook=https://sitcen.test/in",
        "",
    ]
)


def test_nations_are_trigraphs_and_a_government_takes_its_jurisdiction() -> None:
    liaison, embassy, sitcen = read_registry(CSV.encode(), "csv")
    assert (liaison.nation, liaison.communities) == ("RUS", ())
    assert (embassy.nation, embassy.communities) == ("GBR", ("NATO", "FVEY"))
    assert (sitcen.nation, sitcen.communities) == (None, ("NATO",))


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_nation_and_communities_survive_a_round_trip(fmt: str) -> None:
    first = read_registry(CSV.encode(), "csv")
    again = read_registry(write_registry(first, fmt).encode(), fmt)
    assert [(r.nation, r.communities) for r in again] == [(r.nation, r.communities) for r in first]


def test_an_unknown_nation_or_community_is_named_by_row() -> None:
    bad = CSV.replace("United Kingdom,NATO | five eyes", "Atlantis,NATO | SEATO")
    with pytest.raises(RegistryFileRejected) as refused:
        read_registry(bad.encode(), "csv")
    problems = refused.value.problems
    assert problems[0].startswith("row 3, nation: 'Atlantis' is not a nation")
    assert problems[1].startswith("row 3, communities: 'SEATO' is not a sharing community")
    assert "known: ACGU, EU, EU INTCEN, FVEY, NATO" in problems[1]


def test_json_communities_must_be_a_list() -> None:
    row = {
        "name": "X",
        "kind": "organisation",
        "tier": "ally",
        "communities": {"NATO": True},
        "contacts": [{"channel": "email", "address": "x@y.test"}],
    }
    with pytest.raises(RegistryFileRejected, match="communities: must be a list"):
        read_registry(json.dumps([row]).encode(), "json")
