"""Dates, numbers, lists and place names in the recipient's language (Babel and GeoNames).

Place names come, in order: from CLDR's localised city names (through Babel) for the
cities CLDR knows; else from the gazetteer's GeoNames alternate names, picking a name
written in the language's alphabet that sounds most like the English one; else the
English name. Country names always come from CLDR.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from babel import Locale
from babel.core import get_global
from babel.dates import format_skeleton, format_time
from babel.lists import format_list
from babel.numbers import format_decimal

from tearline.extract import gazetteer
from tearline.model import TimePrecision
from tearline.release.facts import ReleasablePlace, ReleasableWindow
from tearline.release.phrases import Phrases

# Unicode isolates: an embedded left-to-right name inside right-to-left text keeps its
# own order and does not drag neighbouring punctuation with it (UAX #9).
FSI, PDI = "\u2068", "\u2069"
_LATIN = re.compile(r"[A-Za-z0-9]")


def isolate(text: str, ph: Phrases) -> str:
    """Wrap left-to-right runs for right-to-left languages; leave others alone."""
    if not ph.rtl or not _LATIN.search(text):
        return text
    return f"{FSI}{text}{PDI}"


def date_text(d: datetime, ph: Phrases) -> str:
    return format_skeleton("yMMMMd", d, locale=ph.locale, tzinfo=UTC)


def datetime_text(d: datetime, ph: Phrases) -> str:
    return f"{date_text(d, ph)} {format_time(d, 'HH:mm', locale=ph.locale, tzinfo=UTC)}"


def short_date(d: datetime, ph: Phrases) -> str:
    return format_skeleton("MMMd", d, locale=ph.locale, tzinfo=UTC)


def window_text(w: ReleasableWindow | None, ph: Phrases) -> str:
    """When the threat applies: a window of days, a day, a clock time — or vague."""
    if w is None or w.precision is TimePrecision.VAGUE:
        return ph.time_vague
    start, end = w.start.astimezone(UTC), w.end.astimezone(UTC)
    if w.precision is TimePrecision.EXACT:
        if start.date() == end.date():
            stop = format_time(end, "HH:mm", locale=ph.locale, tzinfo=UTC)
            return ph.at_time.format(start=datetime_text(start, ph), end=stop)
        return ph.between.format(start=datetime_text(start, ph), end=datetime_text(end, ph))
    if start.date() == end.date():
        return ph.on_day.format(date=date_text(start, ph))
    return ph.between.format(start=date_text(start, ph), end=date_text(end, ph))


def validity_text(start: datetime, end: datetime, ph: Phrases) -> str:
    return ph.between.format(start=datetime_text(start, ph), end=datetime_text(end, ph))


def list_text(items: list[str], ph: Phrases) -> str:
    return format_list(items, locale=ph.locale) if items else ""


def number_text(value: float, ph: Phrases) -> str:
    return format_decimal(value, locale=ph.locale)


def language_name(code: str) -> str:
    """The language's own name for itself: "русский", "فارسی"."""
    return str(Locale.parse(code).get_display_name(code))


@functools.cache
def _locale(tag: str) -> Locale:
    return Locale.parse(tag)


def country_text(code: str | None, ph: Phrases) -> str | None:
    if not code:
        return None
    name = _locale(ph.locale).territories.get(code.upper())
    return str(name) if name else (gazetteer.country_name(code) or code.upper())


def _cldr_city(name: str, country: str | None, ph: Phrases) -> str | None:
    zones: Mapping[str, list[str]] = get_global("territory_zones")
    for tz in zones.get((country or "").upper(), []):
        english = tz.rsplit("/", 1)[-1].replace("_", " ")
        if english.casefold() != name.casefold():
            continue
        city = _locale(ph.locale).time_zones.get(tz, {}).get("city")
        return str(city) if city else None
    return None


_RUSSIAN = re.compile(r"^[А-ЯЁа-яё \-]+$")
# Spellings of Cyrillic neighbours that Russian never uses: a Ukrainian "-ськ" ending, a
# hard sign before a, o, u (Tatar, Caucasian languages).
_NOT_RUSSIAN = re.compile(r"[сц]ьк\b|ъ[аоуыэи]")
# Ukrainian: only letters of its alphabet (no ы, э, ъ, ё, ў); its own letters and the
# "-ськ"/"-цьк" ending tell a Ukrainian spelling from a Russian one spelled alike.
_UKRAINIAN = re.compile(r"^[А-ЩЬЮЯЄІЇҐа-щьюяєіїґʼ' \-]+$")
_UKRAINIAN_MARK = re.compile(r"[ІЇЄҐіїєґ]|[сц]ьк\b")
_ARABIC_ONLY = set("كيةىأإ")
_PERSIAN_ONLY = set("پچژگکی")
_URDU_ONLY = set("ٹڈڑںھےۓ")  # Urdu's letters: neither Arabic nor Persian
_ROMAN = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфхцыэ", "abvgdeziyklmnoprstufhcye", strict=True)),
        "ё": "yo",
        "ж": "zh",
        "ч": "ch",
        "ш": "sh",
        "щ": "sch",
        "ю": "yu",
        "я": "ya",
        "ъ": "",
        "ь": "",
    }
)
# Consonant skeletons for scripts that do not write short vowels.
_ABJAD = str.maketrans(
    {
        **dict.fromkeys("اأإآءعى", "a"),
        **dict.fromkeys("ثسصش", "s"),
        **dict.fromkeys("ذزضظژ", "z"),
        **dict.fromkeys("تط", "t"),
        **dict.fromkeys("کكق", "k"),
        **dict.fromkeys("حهة", "h"),
        **dict.fromkeys("یي", "y"),
        "ب": "b",
        "پ": "p",
        "ج": "j",
        "چ": "ch",
        "خ": "kh",
        "د": "d",
        "ر": "r",
        "غ": "gh",
        "ف": "f",
        "گ": "g",
        "ل": "l",
        "م": "m",
        "ن": "n",
        "و": "v",
    }
)


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKD", text.casefold()))


def _skeleton(latin: str) -> str:
    folded = unicodedata.normalize("NFKD", latin.casefold())
    return re.sub(r"[aeiouy\W\d_]+", "", folded)


def _script_city(geonameid: int, english: str, ph: Phrases) -> str | None:
    names = gazetteer.alternate_names(geonameid)
    score: Callable[[str], str]
    if ph.code == "ru":
        found = [n for n in names if _RUSSIAN.match(n) and not _NOT_RUSSIAN.search(n)]

        def score(n: str) -> str:
            return n.casefold().translate(_ROMAN)

    elif ph.code == "uk":
        found = [n for n in names if _UKRAINIAN.match(n)]
        roman = {**_ROMAN, ord("і"): "i", ord("ї"): "yi", ord("є"): "ye", ord("ґ"): "g"}

        def score(n: str) -> str:
            return n.casefold().translate(roman)

    elif ph.code in ("ar", "fa"):
        avoid = (_PERSIAN_ONLY if ph.code == "ar" else _ARABIC_ONLY) | _URDU_ONLY
        found = [
            n
            for n in names
            if n and unicodedata.name(n[0], "").startswith("ARABIC") and not set(n) & avoid
        ]

        def score(n: str) -> str:
            return n.translate(_ABJAD)

    else:
        return None
    if not found:
        return None
    target, plain = _skeleton(english), _letters(english)

    def rank(n: str) -> tuple[float, float, float]:
        latin = score(n)
        consonants = difflib.SequenceMatcher(None, _skeleton(latin), target).ratio()
        if ph.code == "uk":  # a tie goes to the spelling only Ukrainian writes ("Львів")
            letters = difflib.SequenceMatcher(None, _letters(latin), plain).ratio()
            return consonants, letters + bool(_UKRAINIAN_MARK.search(n)), "-" in n
        if ph.code != "ru":  # no short vowels written: the plainest spelling is the usual one
            return consonants, -len(n), False
        return consonants, difflib.SequenceMatcher(None, _letters(latin), plain).ratio(), "-" in n

    # Russian and Ukrainian ties go to the longer of two spellings that differ by a soft sign
    # ("Казань", not "Казан"); Arabic-script ties to the first in alphabetical order.
    return max(sorted(found, reverse=ph.code in ("ru", "uk")), key=rank)


def city_text(place: ReleasablePlace, ph: Phrases) -> str | None:
    english = place.city
    if english is None:
        return None
    if ph.code == "en":
        return english
    return (
        _cldr_city(english, place.country, ph)
        or (_script_city(place.geonameid, english, ph) if place.geonameid else None)
        or english
    )


def place_text(place: ReleasablePlace | None, ph: Phrases) -> str:
    """ "Crocus City Hall, Moscow, Russia" — as precise as the releasable place allows."""
    if place is None:
        return ph.place_unknown
    city = city_text(place, ph)
    parts = [place.venue, city or place.region, country_text(place.country, ph)]
    return ph.separator.join(isolate(p, ph) for p in parts if p) or ph.place_unknown


def coordinates_text(place: ReleasablePlace | None, ph: Phrases) -> str | None:
    if place is None or place.lat is None or place.lon is None or place.radius_km is None:
        return None
    # Coordinates keep the decimal point in every language: a comma would be ambiguous.
    latlon = ", ".join(f"{v:.4f}".rstrip("0").rstrip(".") for v in (place.lat, place.lon))
    return ph.coordinates.format(
        latlon=isolate(latlon, ph), radius=number_text(place.radius_km, ph)
    )
