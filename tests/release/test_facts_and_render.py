"""Each tier gets the precision its policy allows, in its language, with what to do, how
long it holds and how to reply — rendered from facts, never from report text."""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import replace

import pytest

from tearline.model import Method, Place, PlacePrecision, Span, TargetType, Tier, TimePrecision
from tearline.release import MessageKind, render_warning
from tearline.release.phrases import LABELS, LANGUAGES, language_code
from tests.factories import moscow_threat
from tests.release.support import envelope, facts_for

LANGS = sorted(LANGUAGES)


def render(tier: Tier, lang: str = "en", kind: MessageKind = MessageKind.ALERT) -> str:
    prev = {"reference": "WRN-1", "issued_at": "2024-03-06T09:10:00+00:00"}
    env = envelope(tier, kind, "WRN-2", prev if kind is not MessageKind.ALERT else None)
    return render_warning(facts_for(tier), env, lang).text


def visible(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def test_ally_gets_the_venue_its_coordinates_and_the_weapon() -> None:
    f = facts_for(Tier.ALLY)
    assert f.place is not None
    assert f.place.precision is PlacePrecision.VENUE
    assert f.place.venue == "Crocus City Hall"
    assert (f.place.lat, f.place.lon, f.place.radius_km) == (55.8253, 37.3886, 1.0)
    assert f.weapon == "automatic rifles"
    assert f.changes == ()
    text = render(Tier.ALLY)
    assert "Place: Crocus City Hall, Moscow, Russia" in text
    assert "Coordinates: 55.8253, 37.3886 (within 1 km)" in text
    assert "Weapons reported: automatic rifles" in text


def test_city_level_gives_the_citys_centre_not_the_venues_point_rounded() -> None:
    # Rounding the venue's own coordinates would still say where the venue is.
    f = facts_for(Tier.ADVERSARY)
    assert f.place is not None
    assert f.place.precision is PlacePrecision.CITY
    assert (f.place.lat, f.place.lon) == (55.75, 37.62)  # central Moscow, GeoNames
    assert f.place.radius_km == 32.0
    assert f.place.venue is None


def test_adversary_gets_the_group_and_named_targets_but_not_the_weapon() -> None:
    f = facts_for(Tier.ADVERSARY)
    assert f.actor == "ISIL Khorasan"
    assert f.target_names == ("Crocus City Hall",)
    assert f.weapon is None
    assert "place: venue → city" in f.changes
    assert "weapon: withheld" in f.changes
    text = render(Tier.ADVERSARY)
    assert "Group: ISIL Khorasan" in text
    assert "Method: armed attack" in text
    assert "Place: Moscow, Russia" in text
    assert "Time: from 6 March 2024 to 13 March 2024 (UTC)" in text
    assert "Named as possible targets: Crocus City Hall" in text
    assert "Likelihood of an attack (our assessment): likely (55–80 %)" in text
    assert "automatic rifles" not in text
    assert "Coordinates" not in text


def test_public_gets_a_security_alert_with_no_group_method_venue_or_likelihood() -> None:
    f = facts_for(Tier.PUBLIC)
    assert (f.actor, f.actor_generic, f.method, f.target_names) == (None, True, None, ())
    assert f.window is not None
    assert f.window.precision is TimePrecision.WINDOW
    text = render(Tier.PUBLIC)
    assert text.startswith("Location: Moscow, Russia")
    assert "Event: Extremists are reported to be planning an imminent attack." in text
    assert "Possible targets: large gatherings; concerts and concert venues." in text
    assert "Actions to take:\n  - Avoid large gatherings and crowded places." in text
    for secret in ("ISIL", "Crocus", "armed", "rifles", "likely", "TLP"):
        assert secret not in text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("tier", list(Tier))
def test_every_warning_says_what_to_do_how_long_and_how_to_reply(tier: Tier, lang: str) -> None:
    ph = LANGUAGES[lang]
    r = render_warning(facts_for(tier), envelope(tier), lang)
    text = visible(r.text)
    label = {k: visible(v) for k, v in ph.labels.items()}
    actions = label["actions_public" if tier is Tier.PUBLIC else "actions_official"]
    assert f"{actions}:\n  - " in text
    assert len(r.actions) >= 3
    assert f"{label['valid']}: " in text
    assert "WRN-1" in text.split(label["reply"])[1]  # the reply line quotes the reference
    assert "2024" in text.split(label["valid"])[1]
    assert r.language == lang
    assert r.rtl == ph.rtl


def test_russian_letter_is_in_russian_with_the_city_in_cyrillic() -> None:
    text = render(Tier.ADVERSARY, "ru")
    assert "Место: Москва, Россия" in text
    assert "Время: с 6 марта 2024\u202fг. по 13 марта 2024\u202fг. (UTC)" in text
    assert "Группировка: ISIL Khorasan" in text
    assert "Вероятность нападения (наша оценка): высокая (55–80 %)" in text
    assert "Рекомендуемые меры:" in text


def test_right_to_left_languages_isolate_latin_names() -> None:
    ar = render(Tier.ADVERSARY, "ar")
    assert "المكان: موسكو، روسيا" in ar
    assert "الجماعة: \u2068ISIL Khorasan\u2069" in ar  # FSI … PDI keeps the name whole
    fa = render(Tier.PUBLIC, "fa")
    assert fa.startswith("مکان: مسکو، روسیه")
    assert "\u2068WRN-2\u2069" in fa


def test_update_cancel_and_all_clear_refer_to_the_original() -> None:
    update = render(Tier.ADVERSARY, "en", MessageKind.UPDATE)
    assert update.startswith("This warning updates and replaces warning WRN-1 of 6 March 2024.")
    assert "Group: ISIL Khorasan" in update
    cancel = render(Tier.PUBLIC, "en", MessageKind.CANCEL)
    assert "Warning WRN-1 of 6 March 2024 is withdrawn" in cancel
    assert "Disregard the earlier alert." in cancel
    clear = render(Tier.ADVERSARY, "ru", MessageKind.ALL_CLEAR)
    assert clear.startswith("Угроза, о которой сообщалось в предупреждении WRN-1 от 6 марта 2024")
    assert "ISIL" not in clear  # an all-clear repeats no threat details


@pytest.mark.parametrize("lang", LANGS)
def test_every_language_fills_every_phrase(lang: str) -> None:
    ph = LANGUAGES[lang]
    assert set(ph.labels) == set(LABELS)
    assert set(ph.methods) == set(Method)
    assert set(ph.targets) == set(TargetType)
    assert set(ph.avoid) == set(TargetType)
    assert len(ph.likelihood) == 7
    assert set(ph.tlp) == {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"}
    for f in dataclasses.fields(ph):
        value = getattr(ph, f.name)
        assert value not in ("", None, ()) or f.name == "rtl", f.name
    # No English left behind in a translation (names of standards excepted).
    if lang != "en":
        en = LANGUAGES["en"]
        assert ph.lead != en.lead
        assert ph.official_actions != en.official_actions


def test_language_tags_fall_back_to_english() -> None:
    assert language_code("ru-RU") == "ru"
    assert language_code("fa_IR") == "fa"
    assert language_code("ja") == "en"


def test_withheld_time_and_unknown_place_still_render() -> None:
    event = moscow_threat(place=None, time=None)
    r = render_warning(facts_for(Tier.ADVERSARY, event), envelope(Tier.ADVERSARY), "es")
    assert "Lugar: no especificado" in r.text
    assert "Periodo: en los próximos días" in r.text


def test_a_venue_known_only_by_its_citys_centre_gets_the_citys_circle() -> None:
    # Extraction puts a venue it cannot locate at its city's centre: sending that as
    # "within 1 km" would send the police to the wrong place.
    event = moscow_threat()
    assert event.place is not None
    at_centre = replace(event.place, lat=55.75204, lon=37.61781)
    f = facts_for(Tier.ALLY, moscow_threat(place=at_centre))
    assert f.place is not None
    assert f.place.venue == "Crocus City Hall"
    assert (f.place.lat, f.place.lon, f.place.radius_km) == (55.75, 37.62, 32.0)


def test_a_small_town_gets_its_gazetteer_centre_and_a_town_sized_circle() -> None:
    # Towns of under 15,000 people (GeoNames cities1000) were sent without any area,
    # so area targeting could not reach anyone there.
    town = Place(
        Span(0, 8, "Tecoluca"),
        PlacePrecision.CITY,
        country="SV",
        city="Tecoluca",
        lat=13.80123,  # the event's own point: never sent
        lon=-89.01987,
    )
    f = facts_for(Tier.ALLY, moscow_threat(place=town))
    assert f.place is not None
    assert f.place.city == "Tecoluca"
    assert (f.place.lat, f.place.lon, f.place.radius_km) == (13.79, -89.01, 5.0)
    # (the CAP alert's area circle around it: tests/release/test_cap.py)


def test_a_town_the_gazetteer_does_not_know_is_named_without_an_area() -> None:
    unknown = Place(Span(0, 7, "Chullas"), PlacePrecision.CITY, country="PE", city="Chullas")
    f = facts_for(Tier.ADVERSARY, moscow_threat(place=unknown))
    assert f.place is not None
    assert f.place.city == "Chullas"
    assert (f.place.lat, f.place.lon, f.place.radius_km) == (None, None, None)


def test_names_from_reports_cannot_reorder_or_hide_text() -> None:
    event = moscow_threat()
    assert event.place is not None
    hostile = replace(event.place, venue="Crocus\u202e llaH ytiC\u200b\n\x07Hall")
    f = facts_for(Tier.ALLY, moscow_threat(place=hostile))
    assert f.place is not None
    assert f.place.venue == "Crocus llaH ytiC Hall"  # no override, no newline, no bell
    text = render_warning(f, envelope(Tier.ALLY), "ar").text
    assert "\u202e" not in text
    assert "\x07" not in text
