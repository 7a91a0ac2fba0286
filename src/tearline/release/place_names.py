"""A protected place name in every language warnings are written in.

Warnings are translated, and a translated warning names a place in its own script
("Москва", "مسکو"). If an analyst protects a place name, its translations are protected
too: the leak check matches all of them.
"""

from __future__ import annotations

from tearline.extract import gazetteer
from tearline.model import PlacePrecision
from tearline.release.facts import ReleasablePlace
from tearline.release.localise import city_text, country_text
from tearline.release.phrases import LANGUAGES


def translations(term: str) -> tuple[str, ...]:
    """The names of the place(s) called ``term`` in each supported language; () if none."""
    names: set[str] = set()
    for city in gazetteer.cities_named(term)[:5]:
        place = ReleasablePlace(
            precision=PlacePrecision.CITY,
            country=city.country,
            city=city.name,
            geonameid=city.geonameid,
        )
        for ph in LANGUAGES.values():
            name = city_text(place, ph)
            if name:
                names.add(name)
    country = gazetteer.lookup_country(term)
    if country is not None:
        for ph in LANGUAGES.values():
            name = country_text(country.code, ph)
            if name:
                names.add(name)
    names.discard(term)
    return tuple(sorted(names))
