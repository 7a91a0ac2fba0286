"""Places anywhere: "in Town, District, Province, Country" read as a whole; towns the
gazetteer lacks kept honestly; organisations and ships are no places."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime

import pytest

from tearline.extract import extract, gazetteer
from tearline.model import Place, PlacePrecision

DATE = datetime(2024, 5, 1, tzinfo=UTC)


def place_of(text: str) -> Place:
    events = extract(text, DATE)
    assert events, text
    place = events[0].place
    assert place is not None, text
    return place


@pytest.mark.parametrize(
    ("text", "city", "country"),
    [
        ("Gunmen attacked a market in Taji, Baghdad, Iraq, on Monday.", "Taji", "IQ"),
        ("A car bomb exploded near a police station in Bara, Khyber, Pakistan.", "Bara", "PK"),
        ("A bomb exploded in Bara, Khyber district, Pakistan.", "Bara", "PK"),
        ("An attack by Boko Haram in Kolofata, Far North, Cameroon killed eight.",
         "Kolofata", "CM"),
        ("Militants kidnapped 12 people in Kolofata, Cameroon.", "Kolofata", "CM"),
        ("Boko Haram fighters attacked the town of Kolofata in northern Cameroon, killing 12.",
         "Kolofata", "CM"),
        ("A car bomb exploded near a police station in Moscow, Idaho, United States.",
         "Moscow", "US"),
    ],
)  # fmt: skip
def test_the_country_written_last_wins_over_a_same_named_town_abroad(
    text: str, city: str, country: str
) -> None:
    place = place_of(text)
    assert (place.city, place.country) == (city, country)


def test_a_town_the_gazetteer_lacks_in_a_named_province_has_the_provinces_point() -> None:
    place = place_of("Gunmen attacked a market in Taji, Baghdad, Iraq, on Monday.")
    assert place.name == "Taji"
    assert place.region == "Baghdad"
    # the town's own point is not known: the province's, and a precision that says so
    assert place.precision is PlacePrecision.REGION
    assert place.geonameid is None
    assert place.lat == pytest.approx(33.3, abs=0.2)
    assert place.lon == pytest.approx(44.4, abs=0.2)
    kolofata = place_of("An attack by Boko Haram in Kolofata, Far North, Cameroon killed eight.")
    far_north = gazetteer.divisions_named("Far North", "CM")[0]
    assert (kolofata.lat, kolofata.lon) == (far_north.lat, far_north.lon)
    assert (kolofata.region, kolofata.precision) == ("Far North", PlacePrecision.REGION)


def test_a_town_the_gazetteer_lacks_with_only_its_country_is_named_not_located() -> None:
    place = place_of("Militants kidnapped 12 people in Kolofata, Cameroon.")
    assert place.precision is PlacePrecision.CITY
    assert (place.lat, place.lon, place.geonameid) == (None, None, None)


def test_the_written_province_decides_among_same_named_towns_of_one_country() -> None:
    bihar = place_of("Rebels ambushed an army convoy outside Aurangabad, Bihar, India.")
    assert (bihar.city, bihar.country) == ("Aurangābād", "IN")
    assert bihar.lat == pytest.approx(24.75, abs=0.1)  # not Aurangabad, Maharashtra (19.9)
    alone = place_of("Rebels ambushed an army convoy outside Aurangabad, India.")
    assert alone.lat == pytest.approx(19.88, abs=0.1)  # the larger, where nothing says


def test_small_towns_worldwide_and_their_spelling_variants_are_known() -> None:
    zurmat = place_of("Gunmen attacked a market in Zurmat, Paktia, Afghanistan.")
    assert (zurmat.city, zurmat.country, zurmat.precision) == ("Zurmat", "AF", PlacePrecision.CITY)
    assert gazetteer.lookup_town("Zurmat", "AF") is not None
    lashkar = place_of("The Taliban attacked a checkpoint in Lashkargah, Helmand, Afghanistan.")
    assert (lashkar.city, lashkar.country) == ("Lashkar Gāh", "AF")
    assert [t.name for t in gazetteer.divisions_named("Helmand", "AF")] == ["Helmand"]


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Boko Haram fighters killed 9 villagers in northern Cameroon.", "CM"),
        ("Boko Haram attacked a village in Cameroon's Far North region, killing 9.", "CM"),
        ("Al-Shabaab militants attacked a military base in Kenya's Lamu county.", "KE"),
        ("The Taliban attacked a police checkpoint in Ghazni, Afghanistan.", "AF"),
        ("Fighters of the Islamic State West Africa Province killed 20 soldiers in Niger.",
         "NE"),
    ],
)  # fmt: skip
def test_group_names_are_no_places(text: str, country: str) -> None:
    assert place_of(text).country == country


def test_a_ships_name_is_no_place() -> None:
    assert place_of("Pirates hijacked the MV Tripoli off the coast of Somalia.").country == "SO"


def test_a_town_named_like_a_word_is_taken_only_with_its_country() -> None:
    # Early is a town in Texas: without its country written, it is a word
    events = extract("Early on Monday gunmen attacked a police post in Kabul.", DATE)
    assert [e.place.city for e in events if e.place] == ["Kabul"]
    place = place_of("Militants kidnapped 12 people in Lexington, United States.")
    assert (place.city, place.country) == ("Lexington", "US")


def test_a_wrong_place_words_file_is_refused_naming_where(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import resources

    from tearline.extract import _lexdata, _place_words

    source = resources.files("tearline.data").joinpath("lexicon/en/places.toml")
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    data["divisions"]["after"].append("Province")
    real = _lexdata._file
    monkeypatch.setattr(
        _lexdata, "_file", lambda lang, n: data if n == "places.toml" else real(lang, n)
    )
    _place_words.load.cache_clear()
    try:
        with pytest.raises(_lexdata.LexiconError, match=r"places.toml \[divisions\] after"):
            _place_words.load("en")
    finally:
        monkeypatch.undo()
        _place_words.load.cache_clear()
    assert "governorate" in _place_words.load().divisions.after
