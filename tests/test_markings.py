"""Releasability markings: what a partner writes, what a recipient may see, the banner."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tearline import markings
from tearline.errors import InputError
from tearline.markings import (
    UNRESTRICTED,
    combine,
    community_code,
    find_markings,
    from_json,
    nation_code,
    parse_markings,
)


def test_rel_to_nations_and_a_community() -> None:
    rel = parse_markings(["REL TO USA, GBR, FVEY"])
    assert rel.banner() == "REL TO USA, GBR, FVEY"
    assert rel.allows("NZL", ())  # a Five Eyes member
    assert rel.allows("GBR", ())
    assert not rel.allows("FRA", ())
    assert not rel.allows(None, ())  # a recipient of no known nation
    assert rel.allows(None, ["fvey"])  # a Five Eyes body


def test_alpha2_and_country_names_are_read_as_trigraphs() -> None:
    rel = parse_markings(["rel to gb, France;  united states"])
    assert rel.banner() == "REL TO USA, FRA, GBR"
    assert nation_code("DE") == "DEU"
    assert nation_code("germany") == "DEU"
    assert nation_code("Bosnia and Herzegovina") == "BIH"


def test_a_community_alone_and_by_alias() -> None:
    assert parse_markings(["NATO"]).allows("TUR")
    assert not parse_markings(["NATO"]).allows("AUS")
    assert parse_markings(["Five Eyes"]).banner() == "REL TO FVEY"
    assert parse_markings(["EU INTCEN"]).allows("IRL")
    assert community_code("intcen") == "EU INTCEN"


def test_shipped_communities_have_their_members() -> None:
    known = markings.shipped().by_code
    assert len(known["NATO"].members) == 32
    assert len(known["EU"].members) == 27
    assert known["FVEY"].members == {"USA", "GBR", "CAN", "AUS", "NZL"}


def test_no_marking_is_unrestricted() -> None:
    rel = parse_markings([])
    assert rel == UNRESTRICTED
    assert rel.banner() == ""
    assert rel.allows(None, ())
    assert combine([UNRESTRICTED, parse_markings(["NATO"])]) == parse_markings(["NATO"])


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("REL TO USA, XYZ", "'XYZ' is not a nation or a sharing community"),
        ("REL TO", "names no nation or community"),
        ("", "empty releasability marking"),
        ("SECRET GARDEN", "'SECRET GARDEN' is not a nation"),
    ],
)
def test_a_bad_marking_names_the_bad_part_and_the_forms(text: str, named: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_markings([text])
    message = str(caught.value)
    assert named in message
    assert "REL TO USA, GBR, FVEY" in message
    if "not a nation" in named:
        assert "FVEY, NATO" in message  # the known communities


def test_several_markings_on_one_item_each_restrict_it() -> None:
    rel = parse_markings(["REL TO USA, GBR, FRA", "NATO"])
    assert rel.banner() == "REL TO USA, FRA, GBR"


def test_combine_keeps_the_result_legible() -> None:
    fvey = parse_markings(["REL TO FVEY"])
    three = parse_markings(["REL TO USA, GBR, FRA"])
    assert combine([fvey, three]).banner() == "REL TO USA, GBR"
    # NATO and FVEY overlap in three nations, named by trigraph
    assert combine([parse_markings(["NATO"]), fvey]).banner() == "REL TO USA, CAN, GBR"
    # a community both sources name stays a community
    both = combine([parse_markings(["REL TO FVEY, JPN"]), parse_markings(["REL TO NATO, FVEY"])])
    assert both.banner() == "REL TO FVEY"
    assert both.allows("NZL")
    assert both.allows(None, ["FVEY"])


def test_disjoint_markings_release_to_no_one() -> None:
    rel = combine([parse_markings(["REL TO USA"]), parse_markings(["REL TO FRA"])])
    assert rel.banner() == "REL TO NONE"
    assert not rel.allows("USA")
    assert not rel.allows("FRA")


def test_stored_form_reads_back() -> None:
    for rel in (UNRESTRICTED, parse_markings(["REL TO USA, GBR, FVEY"]), parse_markings(["NATO"])):
        again = from_json(rel.to_json())
        assert again == rel
        assert again.allows("NZL") == rel.allows("NZL")
        assert again.allows("TUR") == rel.allows("TUR")


def test_header_rel_to_line_is_found_like_tlp() -> None:
    text = "TLP:AMBER\nSECRET//REL TO USA, GBR\n\nThe body mentions nothing.\n"
    assert find_markings(text) == ("REL TO USA, GBR",)
    assert find_markings("A story about a relative to be named later.") == ()
    assert find_markings("TLP:AMBER//REL TO USA, FVEY//NOFORN\n") == ("REL TO USA, FVEY",)
    assert find_markings("REL TO NATO   TLP:GREEN\n") == ("REL TO NATO",)


def test_a_deployment_adds_communities_and_bad_rows_are_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    extra = tmp_path / "communities.toml"
    extra.write_text(
        '["BALTIC SEA"]\nmembers = ["DNK", "EST", "Finland", "Atlantis"]\n'
        "[FRA]\nmembers = ['FRA']\n"  # a country's code: not a community
        "[EMPTY]\nname = 'no members'\n",
        "utf-8",
    )
    with caplog.at_level(logging.WARNING):
        loaded = markings.load(str(extra))
    assert loaded.by_code["BALTIC SEA"].members == {"DNK", "EST", "FIN"}
    assert "FRA" not in loaded.by_code
    assert "EMPTY" not in loaded.by_code
    assert "NATO" in loaded.by_code  # the shipped ones are still there
    assert "'Atlantis' is not a country" in caplog.text
    markings.use(str(extra))
    try:
        assert parse_markings(["REL TO BALTIC SEA"]).allows("FIN")
    finally:
        markings.use("")
    with pytest.raises(InputError, match=r"known: ACGU, EU, EU INTCEN, FVEY, NATO$"):
        community_code("BALTIC SEA")


def test_an_unreadable_deployment_file_leaves_the_shipped_list(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[FVEY\n", "utf-8")
    with caplog.at_level(logging.WARNING):
        assert markings.load(str(bad)) == markings.shipped()
    assert "cannot be read" in caplog.text


_NATIONS = ["USA", "GBR", "CAN", "AUS", "NZL", "FRA", "DEU", "TUR", "JPN", "IRL"]
_MARK = st.lists(
    st.sampled_from([*_NATIONS, "FVEY", "NATO", "EU", "ACGU"]), min_size=1, max_size=4
).map(lambda parts: parse_markings(["REL TO " + ", ".join(parts)]))
_VALUE = st.one_of(st.just(UNRESTRICTED), _MARK)


@given(st.lists(_VALUE, max_size=5), st.sampled_from([*_NATIONS, "NLD", "ALB"]))
def test_combine_never_allows_a_nation_any_input_forbids(
    values: list[markings.Releasability], nation: str
) -> None:
    together = combine(values)
    if any(not v.allows(nation) for v in values):
        assert not together.allows(nation)
    else:
        assert together.allows(nation)
    assert from_json(together.to_json()).allows(nation) == together.allows(nation)


def test_a_sentence_in_the_body_is_not_a_marking() -> None:
    assert find_markings("Releasable to the press after review.\nREL TO the embassy") == ()


@given(st.lists(_VALUE, max_size=5), st.sampled_from(["FVEY", "NATO", "EU", "ACGU"]))
def test_combine_never_allows_a_community_body_any_input_forbids(
    values: list[markings.Releasability], community: str
) -> None:
    together = combine(values)
    allowed = together.allows(None, [community])
    assert allowed == all(v.allows(None, [community]) for v in values)
