"""What extraction knows about a language, read from data/lexicon/<lang>/*.toml into
typed values: the phrases that mark attacks, methods, weapons, targets, harm and the
people who act (phrases.toml), words about who acts (actors.toml), the words the role
taggers' fillers are cut with and their sentence cues (roles.toml), and the words a
document's header and sentences are read with (text.toml).

The code holds the grammar that uses these; the files hold the words. Every key of a
file must be one the loader knows and every value valid (a Method that exists, a role
with its value), or loading fails naming the file and the entry: the files ship with
the program, so a mistake in one is a bug to fix, not a case to skip.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from tearline.model import Harm, Method, TargetType

LANGUAGES = ("en",)
TRIGGERS = ("attack", "plot", "claim", "conditional", "targeting")
WEAPON_CLASSES = ("firearm", "explosive", "incendiary", "blade", "cbrn")
# The sections of phrases.toml, in the order their phrases are filed: where two groups
# give one phrase, the earlier one's marks come first.
PHRASE_SECTIONS = ("attack", "method", "weapon", "target", "individuals", "harm")
# What each role's value may be; "individuals" takes none.
ROLE_VALUES: dict[str, frozenset[str]] = {
    "trigger": frozenset(TRIGGERS),
    "method": frozenset(m.value for m in Method),
    "weapon": frozenset(WEAPON_CLASSES),
    "target": frozenset(t.value for t in TargetType),
    "harm": frozenset(h.value for h in Harm),
    "individuals": frozenset([""]),
}


class LexiconError(ValueError):
    """A shipped lexicon file that does not say what the loader expects."""


@dataclass(frozen=True, slots=True)
class Mark:
    """What a phrase means: a role ("trigger", "method", ...) and its value."""

    role: str
    value: str
    rules_only: bool  # read by the rules only, no feature of the role taggers


@dataclass(frozen=True, slots=True)
class PhraseGroup:
    """Phrases that mean the same: each "stem|suffix|suffix:p" (":p" a past form)."""

    section: str
    words: tuple[str, ...]
    means: tuple[Mark, ...]


@dataclass(frozen=True, slots=True)
class Phrases:
    groups: tuple[PhraseGroup, ...]
    weapon_method: Mapping[str, Method]  # a weapon class -> the method it implies
    method_weapons: Mapping[Method, frozenset[str]]  # the weapon classes that fit a method
    method_priority: tuple[Method, ...]  # most specific method first

    @property
    def size(self) -> int:
        return sum(len(g.words) for g in self.groups)


@dataclass(frozen=True, slots=True)
class ActorWords:
    not_people_before: tuple[str, ...]  # "terrorist attack": then not people acting


@dataclass(frozen=True, slots=True)
class FillerWords:
    """How the role taggers' marked runs are cut into the names they stand for."""

    initials_skip: frozenset[str]
    articles: tuple[str, ...]
    leading: frozenset[str]  # a filler does not start with these
    trailing: frozenset[str]  # nor end with these (the leading ones included)
    clause: frozenset[str]
    list_separators: frozenset[str]
    function_words: frozenset[str]
    sentence_cues: Mapping[str, str]  # kind of violence -> a regular expression


@dataclass(frozen=True, slots=True)
class TextWords:
    meta_keys: frozenset[str]  # "Serial:", "Date:": a header line about the document
    content_keys: frozenset[str]  # "Subject:": a header line read like a headline
    abbreviations: frozenset[str]  # "Gen.", "Jan.": no end of a sentence
    possessives: tuple[str, ...]  # "in his country": the reacting party's own
    town_lists: Mapping[str, tuple[str, ...]]  # area_words, connectors, emphasis, prepositions


@dataclass(frozen=True, slots=True)
class Lexicon:
    lang: str
    phrases: Phrases
    actors: ActorWords
    fillers: FillerWords
    text: TextWords


def _file(lang: str, name: str) -> dict[str, Any]:
    source = resources.files("tearline.data").joinpath(f"lexicon/{lang}/{name}")
    try:
        return tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"lexicon/{lang}/{name}: not valid TOML: {exc}") from None


def _known(where: str, table: Mapping[str, Any], keys: set[str], required: set[str]) -> None:
    unknown = sorted(set(table) - keys)
    if unknown:
        raise LexiconError(f"{where}: unknown key(s) {', '.join(unknown)}")
    missing = sorted(required - set(table))
    if missing:
        raise LexiconError(f"{where}: missing {', '.join(missing)}")


def _strings(where: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise LexiconError(f"{where}: must be a list of non-empty strings")
    return tuple(value)


def _method(where: str, value: object) -> Method:
    try:
        return Method(str(value))
    except ValueError:
        raise LexiconError(f"{where}: {value!r} is not a method") from None


def _mark(where: str, text: str, rules_only: bool) -> Mark:
    role, _, value = text.partition(" ")
    allowed = ROLE_VALUES.get(role)
    if allowed is None:
        raise LexiconError(f"{where}: {role!r} is not a role ({', '.join(ROLE_VALUES)})")
    if value not in allowed:
        raise LexiconError(f"{where}: {value!r} is not a value of {role}")
    return Mark(role, value, rules_only)


def _group(where: str, section: str, table: object) -> PhraseGroup:
    if not isinstance(table, dict):
        raise LexiconError(f"{where}: write it as [[{section}]]")
    _known(where, table, {"words", "means", "rules_only"}, {"words", "means"})
    words = _strings(f"{where} words", table["words"])
    means = _strings(f"{where} means", table["means"])
    flag = table.get("rules_only", False)
    if isinstance(flag, bool):
        only = set(means) if flag else set()
    else:
        only = set(_strings(f"{where} rules_only", flag))
        if not only <= set(means):
            raise LexiconError(f"{where}: rules_only names marks the group does not mean")
    return PhraseGroup(section, words, tuple(_mark(f"{where} means", m, m in only) for m in means))


def _phrases(lang: str) -> Phrases:
    name = f"lexicon/{lang}/phrases.toml"
    data = _file(lang, "phrases.toml")
    tables = {"weapon_method", "method_weapons", "method_priority"}
    _known(name, data, {*PHRASE_SECTIONS, *tables}, {*PHRASE_SECTIONS, *tables})
    groups = []
    for section in PHRASE_SECTIONS:
        entries = data[section]
        if not isinstance(entries, list):
            raise LexiconError(f"{name}: write each group of {section} as [[{section}]]")
        groups += [_group(f"{name} {section} {n}", section, t) for n, t in enumerate(entries, 1)]
    implied: dict[str, Method] = {}
    for cls, method in data["weapon_method"].items():
        if cls not in WEAPON_CLASSES:
            raise LexiconError(f"{name} weapon_method: {cls!r} is not a weapon class")
        implied[cls] = _method(f"{name} weapon_method.{cls}", method)
    fits: dict[Method, frozenset[str]] = {}
    for method, classes in data["method_weapons"].items():
        got = _strings(f"{name} method_weapons.{method}", classes)
        if not set(got) <= set(WEAPON_CLASSES):
            raise LexiconError(f"{name} method_weapons.{method}: not weapon classes: {got}")
        fits[_method(f"{name} method_weapons", method)] = frozenset(got)
    _known(f"{name} method_priority", data["method_priority"], {"order"}, {"order"})
    order = _strings(f"{name} method_priority.order", data["method_priority"]["order"])
    priority = tuple(_method(f"{name} method_priority", m) for m in order)
    return Phrases(tuple(groups), implied, fits, priority)


def _tables(
    lang: str, name: str, shape: Mapping[str, tuple[str, ...]]
) -> dict[str, dict[str, Any]]:
    """A file of tables of words: exactly the tables and keys of ``shape``."""
    where = f"lexicon/{lang}/{name}"
    data = _file(lang, name)
    _known(where, data, set(shape), set(shape))
    for table, keys in shape.items():
        if not isinstance(data[table], dict):
            raise LexiconError(f"{where}: {table} must be a table")
        if keys:  # () : a table whose keys are the data (sentence_cues)
            _known(f"{where} [{table}]", data[table], set(keys), set(keys))
    return data


def _words(where: str, value: object) -> tuple[str, ...]:
    words = _strings(where, value)
    if any(w != w.lower() or w != w.strip() for w in words):
        raise LexiconError(f"{where}: words are written in lower case, without spaces around")
    return words


def _actors(lang: str) -> ActorWords:
    name = f"lexicon/{lang}/actors.toml"
    data = _tables(lang, "actors.toml", {"individuals": ("not_before",)})
    return ActorWords(_words(f"{name} not_before", data["individuals"]["not_before"]))


_FILLER_KEYS = ("initials_skip", "articles", "leading", "trailing", "clause", "list_separators",
                "function_words")  # fmt: skip


def _fillers(lang: str) -> FillerWords:
    name = f"lexicon/{lang}/roles.toml"
    data = _tables(lang, "roles.toml", {"fillers": _FILLER_KEYS, "sentence_cues": ()})
    words = {k: _words(f"{name} {k}", v) for k, v in data["fillers"].items()}
    cues: dict[str, str] = {}
    for kind, pattern in data["sentence_cues"].items():
        if not isinstance(pattern, str):
            raise LexiconError(f"{name} sentence_cues.{kind}: must be a regular expression")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise LexiconError(f"{name} sentence_cues.{kind}: {exc}") from None
        cues[kind] = pattern
    if not cues:
        raise LexiconError(f"{name}: no sentence_cues")
    return FillerWords(
        frozenset(words["initials_skip"]),
        words["articles"],
        frozenset(words["leading"]),
        frozenset(words["leading"]) | frozenset(words["trailing"]),
        frozenset(words["clause"]),
        frozenset(words["list_separators"]),
        frozenset(words["function_words"]),
        cues,
    )


def _text_words(lang: str) -> TextWords:
    name = f"lexicon/{lang}/text.toml"
    data = _tables(
        lang,
        "text.toml",
        {
            "header": ("meta_keys", "content_keys"),
            "sentences": ("abbreviations",),
            "events": ("possessives",),
            "town_lists": _TOWN_LIST_KEYS,
        },
    )
    return TextWords(
        frozenset(_words(f"{name} meta_keys", data["header"]["meta_keys"])),
        frozenset(_words(f"{name} content_keys", data["header"]["content_keys"])),
        frozenset(_words(f"{name} abbreviations", data["sentences"]["abbreviations"])),
        _words(f"{name} possessives", data["events"]["possessives"]),
        {k: _words(f"{name} town_lists.{k}", data["town_lists"][k]) for k in _TOWN_LIST_KEYS},
    )


_TOWN_LIST_KEYS = ("area_words", "connectors", "emphasis", "prepositions")


def alternatives(words: tuple[str, ...]) -> str:
    """A regular expression for any of ``words``, a space in one matching any spaces."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)


def longest_first(words: Iterable[str]) -> str:
    """alternatives() of ``words`` tried longest first, so that "leave the area
    immediately" wins over "leave" wherever both would match."""
    return alternatives(tuple(sorted(words, key=len, reverse=True)))


@cache
def load(lang: str = "en") -> Lexicon:
    """The lexicon of a language, read once per process. LexiconError if a file is
    wrong; KeyError-free: every key is checked."""
    if lang not in LANGUAGES:
        raise LexiconError(f"no lexicon for language {lang!r}; there is one for: {LANGUAGES}")
    return Lexicon(lang, _phrases(lang), _actors(lang), _fillers(lang), _text_words(lang))


def files(lang: str = "en") -> list[str]:
    """The names of the language's lexicon files."""
    folder = resources.files("tearline.data").joinpath(f"lexicon/{lang}")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".toml"))


@cache
def file_digest(lang: str = "en") -> str:
    """SHA-256 of the language's lexicon files as shipped (for ``tearline doctor``)."""
    h = hashlib.sha256()
    folder = resources.files("tearline.data").joinpath(f"lexicon/{lang}")
    for name in files(lang):
        h.update(name.encode())
        h.update(folder.joinpath(name).read_bytes())
    return h.hexdigest()
