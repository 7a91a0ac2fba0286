"""The words the readers of other languages read with: data/lexicon/<lang>/reader.toml.

One file per language holds everything that language's reader knows: the words for
each attack method, for a threat, a foiled plot, a claim and a denial, for the dead and
the wounded, for targets and for the people who act; the names of organisations and
places the shared name files lack; the words of background (an anniversary, a trial, a
film) and the phrases that contain an attack word without meaning one ("bomba de
tiempo"). The code (``_reader.py``) holds the grammar; these files hold the words.

The lists of words ([words]: threat, plan, foiled, claimed, denied, possible, advisory,
context, not_events, killed, injured, at_least, individuals, locatives, not_places,
under_way) and the tables ([methods], [targets], [numbers], [organisations], [places],
[time]) are described in the Russian file's comments.

Each entry is a phrase: words separated by spaces, each matched after the text's
normalisation (``_normal``). A word ending in ``*`` matches any word that begins so
("взрыв*": взрыв, взрыва, взрывом...): that is how the readers meet Russian and Arabic
inflection. A misspelt key or a value that is not a method or target type fails the
load naming the file: the files ship with the program.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from tearline.extract._lexdata import LexiconError
from tearline.extract._normal import word
from tearline.model import Method, TargetType

READER_LANGUAGES = ("es", "fr", "ru", "ar", "fa")
_WORD = re.compile(r"\w+", re.UNICODE)  # as the reader cuts text into words
SCRIPTS = ("latin", "cyrillic", "arabic")
# Sections holding a plain list of phrases.
_LISTS = (
    "threat",
    "plan",
    "foiled",
    "claimed",
    "denied",
    "possible",
    "advisory",
    "context",
    "not_events",
    "killed",
    "injured",
    "at_least",
    "individuals",
    "not_places",
    "locatives",
    "under_way",
    "seized",
    "not_claimed",
    "place_words",
    "affiliation",
    "aftermath",
    "outside",
    "location_fields",
    "group_words",
    "state_forces",
    "reporting",
    "not_threat",
    "against",
    "town_words",
    "route_to",
    "route_from",
)
_TABLES = ("methods", "targets", "numbers", "organisations", "places", "time", "language", "words")


@dataclass(frozen=True, slots=True)
class Pattern:
    """One phrase of a lexicon: normalised words, each a prefix where it ended in '*'."""

    words: tuple[tuple[str, bool], ...]  # (word, is_prefix)
    value: str
    written: str  # as the file writes it


@dataclass(frozen=True, slots=True)
class ReaderLexicon:
    lang: str
    name: str
    script: str
    clitics: tuple[str, ...]  # prefixes a word may carry (Arabic و ب ل ف ك ال...)
    endings: tuple[str, ...]  # case endings a place name may take (Russian)
    lists: Mapping[str, tuple[Pattern, ...]]
    methods: tuple[Pattern, ...]  # value: a Method
    targets: tuple[Pattern, ...]  # value: a TargetType
    numbers: Mapping[str, int]  # normalised number word -> value
    organisations: tuple[Pattern, ...]  # value: an organisation id
    places: tuple[Pattern, ...]  # value: "XX" a country, "XX:Region", or a GeoNames id
    relative_days: tuple[Pattern, ...]  # value: days from the document date ("-1")
    vague: tuple[Pattern, ...]  # value: days the window runs
    not_relative: tuple[Pattern, ...]  # phrases holding a relative word that are not one
    months: Mapping[str, int]  # extra month names -> 1..12
    age_words: tuple[Pattern, ...]  # "лет", "años": a number before is an age
    range_words: frozenset[str]  # "по", "al", "au": "с 21 по 24 марта" starts on the 21st
    weekdays: Mapping[str, int]  # names dateparser lacks or misfiles -> 0 Monday .. 6 Sunday
    name_joiners: frozenset[str]  # "de", "del": inside a group's or a town's name
    number_joiners: frozenset[str]  # "y" in "treinta y dos"
    adjective_endings: tuple[str, ...]  # Russian: "ском" in "стамбульском", longest first
    name_article: str  # Arabic script: the article a place name may carry ("ال")
    name_stem_letters: str  # Cyrillic: the letters a name's stem drops before an ending
    name_suffixes: tuple[str, ...]  # Farsi: the ezafe a place name may take ("ی")
    ordinal_days: re.Pattern[str] | None  # "1er", "3-го": a day number with its suffix
    count_after: bool  # a casualty number after its word wins a tie ("قتل ثلاثة")
    verb_final: bool  # the verb ends the clause (Farsi): a reporting verb's day comes before it
    reach: int  # how many words apart a count and its noun, or background and attack, may be


def _patterns(where: str, value: object, meaning: str = "") -> tuple[Pattern, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise LexiconError(f"{where}: expected a list of phrases")
    out = []
    for phrase in value:
        parts: list[tuple[str, bool]] = []
        for w in phrase.split():
            prefix = w.endswith("*")
            # cut as text is cut into words: "игил-к" is two words, "EE.UU." two
            pieces = _WORD.findall(word(w.rstrip("*")))
            if not pieces:
                raise LexiconError(f"{where}: {phrase!r} has an empty word")
            parts.extend((p, prefix and i == len(pieces) - 1) for i, p in enumerate(pieces))
        out.append(Pattern(tuple(parts), meaning, phrase))
    return tuple(out)


def phrase(text: str, meaning: str) -> Pattern:
    """One phrase of whole words, cut as text is cut (dateparser's month and day names)."""
    return Pattern(tuple((w, False) for w in _WORD.findall(word(text))), meaning, text)


def _table(where: str, raw: Mapping[str, Any], allowed: set[str] | None) -> tuple[Pattern, ...]:
    out: list[Pattern] = []
    for key, phrases in raw.items():
        if allowed is not None and key not in allowed:
            raise LexiconError(f"{where}: {key!r} is not one of {', '.join(sorted(allowed))}")
        out.extend(_patterns(f"{where}.{key}", phrases, key))
    return tuple(out)


def _file(lang: str) -> dict[str, Any]:
    source = resources.files("tearline.data").joinpath(f"lexicon/{lang}/reader.toml")
    try:
        return tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LexiconError(f"lexicon/{lang}/reader.toml: {exc}") from None


@cache
def load(lang: str) -> ReaderLexicon:
    """The reader lexicon of a language, loaded once per process."""
    where = f"lexicon/{lang}/reader.toml"
    raw = _file(lang)
    unknown = set(raw) - set(_TABLES)
    if unknown:
        raise LexiconError(f"{where}: unknown sections {', '.join(sorted(unknown))}")
    lists = raw.get("words", {})
    unknown = set(lists) - set(_LISTS)
    if unknown:
        raise LexiconError(f"{where} [words]: unknown lists {', '.join(sorted(unknown))}")
    language = raw.get("language", {})
    script = language.get("script", "")
    if script not in SCRIPTS:
        raise LexiconError(f"{where}: [language] script must be one of {', '.join(SCRIPTS)}")
    methods = _table(f"{where} [methods]", raw.get("methods", {}), {m.value for m in Method})
    targets = _table(f"{where} [targets]", raw.get("targets", {}), {t.value for t in TargetType})
    numbers: dict[str, int] = {}
    for k, v in raw.get("numbers", {}).items():
        if not isinstance(v, int):
            raise LexiconError(f"{where} [numbers]: {k!r} must be a whole number")
        numbers[word(k)] = v
    orgs: list[Pattern] = []
    for org_id, phrases in raw.get("organisations", {}).items():
        orgs.extend(_patterns(f"{where} [organisations].{org_id}", phrases, org_id))
    places: list[Pattern] = []
    for ref, phrases in raw.get("places", {}).items():
        places.extend(_patterns(f"{where} [places].{ref}", phrases, ref))
    time = raw.get("time", {})
    relative: list[Pattern] = []
    for days, phrases in time.get("relative_days", {}).items():
        int(days)  # a number of days, e.g. "-1"
        relative.extend(_patterns(f"{where} [time.relative_days]", phrases, days))
    vague: list[Pattern] = []
    for days, phrases in time.get("vague", {}).items():
        int(days)
        vague.extend(_patterns(f"{where} [time.vague]", phrases, days))
    months = {word(k): int(v) for k, v in time.get("months", {}).items()}
    return ReaderLexicon(
        lang=lang,
        name=str(language.get("name", lang)),
        script=script,
        clitics=tuple(
            sorted((word(c) for c in language.get("clitics", [])), key=len, reverse=True)
        ),
        endings=tuple(sorted((word(e) for e in language.get("endings", [])), key=len)),
        lists={
            k: _patterns(f"{where} [words] {k}", lists[k], k) if lists.get(k) else ()
            for k in _LISTS
        },
        methods=methods,
        targets=targets,
        numbers=numbers,
        organisations=tuple(orgs),
        places=tuple(places),
        relative_days=tuple(relative),
        vague=tuple(vague),
        not_relative=_patterns(f"{where} [time.not_relative]", time["not_relative"])
        if time.get("not_relative")
        else (),
        months=months,
        age_words=_patterns(f"{where} [time.age_words]", time["age_words"])
        if time.get("age_words")
        else (),
        range_words=frozenset(word(w) for w in time.get("range_words", [])),
        weekdays={
            " ".join(_WORD.findall(word(name))): int(day)
            for day, names in time.get("weekdays", {}).items()
            for name in names
        },
        reach=int(language.get("reach", 5)),
        name_joiners=frozenset(word(w) for w in language.get("name_joiners", [])),
        number_joiners=frozenset(word(w) for w in language.get("number_joiners", [])),
        adjective_endings=tuple(
            sorted((word(e) for e in language.get("adjective_endings", [])), key=len, reverse=True)
        ),
        name_article=word(language.get("name_article", "")),
        name_stem_letters=word(language.get("name_stem_letters", "")),
        name_suffixes=tuple(word(e) for e in language.get("name_suffixes", [])),
        ordinal_days=_ordinals(time.get("ordinal_suffixes", [])),
        count_after=bool(language.get("count_after", False)),
        verb_final=bool(language.get("verb_final", False)),
    )


def _ordinals(suffixes: list[str]) -> re.Pattern[str] | None:
    if not suffixes:
        return None
    ends = "|".join(re.escape(word(x)) for x in sorted(suffixes, key=len, reverse=True))
    return re.compile(rf"(\d{{1,2}})(?:{ends})$")


@cache
def method_priority() -> tuple[Method, ...]:
    """The readers' order of methods, most specific first (data/lexicon/readers.toml)."""
    source = resources.files("tearline.data").joinpath("lexicon/readers.toml")
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
        return tuple(Method(m) for m in raw["method_priority"])
    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError) as exc:
        raise LexiconError(f"lexicon/readers.toml: {exc}") from None
