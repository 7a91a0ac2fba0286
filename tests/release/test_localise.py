"""Places, dates and numbers in the reader's language: CLDR through Babel, GeoNames names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tearline.extract import gazetteer
from tearline.model import PlacePrecision, TimePrecision
from tearline.release.facts import ReleasablePlace, ReleasableWindow
from tearline.release.localise import city_text, place_text, window_text
from tearline.release.phrases import LANGUAGES


def city(name: str, country: str) -> ReleasablePlace:
    c = gazetteer.lookup_city(name, country)
    assert c is not None
    return ReleasablePlace(PlacePrecision.CITY, country, city=c.name, geonameid=c.geonameid)


@pytest.mark.parametrize(
    ("name", "country", "expected"),
    [
        # CLDR's own names for the cities it knows
        ("Moscow", "RU", {"ru": "Москва", "ar": "موسكو", "fa": "مسکو", "es": "Moscú"}),
        ("Berlin", "DE", {"de": "Berlin", "uk": "Берлін", "zh": "柏林", "tr": "Berlin"}),
        ("Paris", "FR", {"fr": "Paris", "uk": "Париж", "zh": "巴黎", "de": "Paris"}),
        ("Istanbul", "TR", {"tr": "İstanbul", "zh": "伊斯坦布尔", "uk": "Стамбул"}),
        ("Kyiv", "UA", {"uk": "Київ", "zh": "基辅"}),
        ("Tehran", "IR", {"ru": "Тегеран", "ar": "طهران", "fa": "تهران", "es": "Teherán"}),
        # GeoNames names picked by alphabet and likeness where CLDR has none
        ("Kerman", "IR", {"ru": "Керман", "ar": "كرمان", "fa": "کرمان", "es": "Kerman"}),
        ("Isfahan", "IR", {"ru": "Исфахан", "fa": "اصفهان"}),
        ("Krasnogorsk", "RU", {"ru": "Красногорск"}),
        ("Kazan", "RU", {"ru": "Казань", "uk": "Казань"}),
        # Ukrainian: its own alphabet and spellings, not the Russian ones
        ("Krasnogorsk", "RU", {"uk": "Красногорськ"}),
        ("Kharkiv", "UA", {"uk": "Харків"}),
        ("Lviv", "UA", {"uk": "Львів"}),
        ("Kerman", "IR", {"uk": "Керман"}),
        ("Saint Petersburg", "RU", {"ru": "Санкт-Петербург"}),
    ],
)
def test_city_names_in_each_language(name: str, country: str, expected: dict[str, str]) -> None:
    place = city(name, country)
    for lang, want in expected.items():
        assert city_text(place, LANGUAGES[lang]) == want, lang


def test_country_names_come_from_cldr() -> None:
    place = city("Moscow", "RU")
    got = {lang: place_text(place, ph) for lang, ph in LANGUAGES.items()}
    assert got == {
        "en": "Moscow, Russia",
        "ru": "Москва, Россия",
        "ar": "موسكو، روسيا",
        "fa": "مسکو، روسیه",
        "es": "Moscú, Rusia",
        "de": "Moskau, Russland",
        "fr": "Moscou, Russie",
        "tr": "Moskova, Rusya",
        "uk": "Москва, Росія",
        "zh": "莫斯科，俄罗斯",
    }


def test_dates_follow_the_locale() -> None:
    w = ReleasableWindow(
        datetime(2024, 3, 6, tzinfo=UTC),
        datetime(2024, 3, 13, 23, 59, 59, tzinfo=UTC),
        TimePrecision.WINDOW,
    )
    assert window_text(w, LANGUAGES["en"]) == "from 6 March 2024 to 13 March 2024 (UTC)"
    assert window_text(w, LANGUAGES["es"]) == "del 6 de marzo de 2024 al 13 de marzo de 2024 (UTC)"
    assert (
        window_text(w, LANGUAGES["ru"]) == "с 6 марта 2024\u202fг. по 13 марта 2024\u202fг. (UTC)"
    )
    assert "مارس" in window_text(w, LANGUAGES["ar"])
    day = ReleasableWindow(w.start, w.start.replace(hour=23, minute=59), TimePrecision.DAY)
    assert window_text(day, LANGUAGES["en"]) == "on 6 March 2024 (UTC)"
    exact = ReleasableWindow(
        w.start.replace(hour=18), w.start.replace(hour=21, minute=30), TimePrecision.EXACT
    )
    assert window_text(exact, LANGUAGES["en"]) == "6 March 2024 18:00 to 21:30 (UTC)"
