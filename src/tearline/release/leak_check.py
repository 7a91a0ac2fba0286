"""The leak check: no protected term may appear in anything that is released.

Terms come from the source (names, code words, collection methods), from spans an
analyst marks, and from built-in patterns (classification markings, report serials,
collection vocabulary). Each artifact is checked as written and as a reader would decode
it: HTML and XML entities and markup, JSON escapes, percent-encoding, JWS payloads, and
every part of an e-mail (headers decoded, quoted-printable and base64 bodies, attachments)
— after Unicode normalisation (NFKC), removal of invisible characters, folding of common
look-alike letters and of case. A protected place name is also matched in the other
languages Tearline writes (its GeoNames and CLDR names), since warnings are translated.

A protected name or code word is also matched as it sounds, in any script: a term
registered as "NIGHTJAR" is found written "НАЙТДЖАР", "نایتجار" or "Naitdzhar", and
"حزب الله" written "Hizballah" (``tearline.translit``: sound keys and vowel slots). The
rules that keep such matches from refusing ordinary Russian, Arabic or Persian text are
under "Names across scripts" below and in docs/releasability.md.

A refusal names the term to the officer who attempted the release; the audit record and
logs name only the term's ID, never its text.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import email
import functools
import html
import json
import re
import sys
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from email.header import decode_header, make_header
from typing import Any, NamedTuple
from urllib.parse import unquote

import ahocorasick

from tearline.errors import LeakDetected
from tearline.translit import Slots, script, spellings, word_slots

# Look-alike letters from other scripts that NFKC leaves alone (Cyrillic, Greek).
_CONFUSABLES = str.maketrans(
    "аеорсухіјѕԁԛԝһӏАВЕКМНОРСТХІЈЅαβεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdqwhlABEKMHOPCTXIJSabeiknoptuxABEZHIKMNOPTYX",
)
_WORD = re.compile(r"[^\w]+", re.UNICODE)


# Letters Arabic and Persian write one sound with (ي/ی/ى, ك/ک, ة/ۀ/ه, the alef forms); ё/е.
_LETTER_VARIANTS = str.maketrans(
    {
        "ی": "ي",
        "ى": "ي",
        "ک": "ك",
        "ۀ": "ه",
        "ة": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ё": "e",
        "Ё": "E",
    }
)


@functools.cache
def _marks() -> tuple[int, ...]:
    """Every format character (Unicode category Cf: zero-width, bidi controls, BOM, ...)
    and every combining mark (Mn: Arabic harakat, Russian stress marks) — and tatweel."""
    kinds = ("Cf", "Mn")
    return (0x640, *(c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in kinds))


@functools.cache
def _fold_table() -> dict[int, str | int | None]:
    """Look-alikes to Latin, letter variants to one letter, marks and invisible characters
    to nothing — one table, one pass."""
    return {**dict.fromkeys(_marks()), **_LETTER_VARIANTS, **_CONFUSABLES}


def fold(text: str) -> str:
    """NFKC, drop invisible characters and combining marks, fold letter variants,
    look-alikes and case."""
    if text.isascii():  # nothing to normalise, nothing invisible, no look-alikes
        return text.lower()
    return unicodedata.normalize("NFKC", text).translate(_fold_table()).casefold()


def skeleton(text: str, folded: str | None = None) -> str:
    """Folded words separated by single spaces: 'KESTREL-lantern' → 'kestrel lantern'."""
    f = fold(text) if folded is None else folded
    return " " + _WORD.sub(" ", f.replace("_", " ")).strip() + " "


@dataclass(frozen=True)
class ProtectedTerm:
    id: str  # "PT-3", or "builtin:<name>"
    kind: str  # code_word, source_name, collection_method, marked_span, classification, ...
    term: str | None = None  # a literal term
    pattern: re.Pattern[str] | None = None  # a built-in pattern, matched on folded text
    # Words one of which any match of ``pattern`` contains: a cheap test before the regex.
    hints: tuple[str, ...] = ()
    # A regex that starts with fixed text (found fast) and that every match of ``pattern``
    # contains: searched before it.
    gate: re.Pattern[str] | None = None
    # ``pattern``'s alternatives in parts, each with the words one of which its matches
    # contain, and most starting with fixed text: a part is searched only where one of its
    # words is. ``matches`` runs the parts when given (the leftmost match of any).
    parts: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = ()

    def matches(self, folded: str, skel: str, squashed: str) -> str | None:
        """The matched text, or None. A built-in pattern does not match inside an
        identifier Tearline generated itself (``generated_span``)."""
        if self.pattern is not None:
            if self.hints and not any(h in folded for h in self.hints):
                return None
            if self.gate is not None and self.gate.search(folded) is None:
                return None
            if not self.parts:
                m = _first_match(self.pattern, folded)
                return None if m is None else m.group(0)
            first: re.Match[str] | None = None
            for hints, part in self.parts:
                if hints and not any(h in folded for h in hints):
                    continue
                m = _first_match(part, folded)
                if m is not None and (first is None or m.start() < first.start()):
                    first = m
            return None if first is None else first.group(0)
        assert self.term is not None
        for form in _forms(self.term):
            if _literal_match(form, skel, squashed):
                return self.term
        return None


def _first_match(pattern: re.Pattern[str], folded: str) -> re.Match[str] | None:
    """The first match of a built-in pattern outside the identifiers Tearline generates."""
    for m in pattern.finditer(folded):
        if generated_span(folded, m.start(), m.end()) is None:
            return m
    return None


@functools.lru_cache(maxsize=4096)
def _term_skeleton(term: str) -> tuple[str, str]:
    t = skeleton(term)
    return t, t.replace(" ", "")


# Han, kana and hangul: scripts that write no spaces between words (Chinese, Japanese) and
# put a word in two or three characters, so a short term is still sought inside a run.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _short(t: str) -> bool:
    """A term matched only as a whole word: under four letters, unless written in a script
    without spaces (then two characters are enough to be sought anywhere)."""
    bare = t.strip()
    if _UNSPACED.search(bare):
        return len(bare.replace(" ", "")) < 2
    return len(bare) < 4


def _literal_match(term: str, skel: str, squashed: str) -> bool:
    t, bare = _term_skeleton(term)
    if _short(t):  # short terms only as whole words
        return t in skel or f" {bare} " in _joined(skel)
    if t.strip() in skel:
        return True
    # "K E S T R E L" or "kestrel.lantern" spelled to dodge the check
    if f" {bare} " in _joined(skel):
        return True
    return _squashable(bare) and bare in squashed


def _squashable(bare: str) -> bool:
    """Long enough to be sought with the text's spaces and punctuation squashed out."""
    return len(bare) >= 6 or (len(bare) >= 2 and _UNSPACED.search(bare) is not None)


_SPELLED = re.compile(r"(?<= )\w(?: \w){2,}(?= )")


class _Literals(NamedTuple):
    """Every form of every literal term as the needles ``_literal_match`` looks for, in
    three automata — one pass over each of a view's skeleton, its spelled-out letters
    joined, and its squashed skeleton finds them all; values: the terms' positions."""

    skel: Any  # ahocorasick.Automaton | None: a term's skeleton (whole words if short)
    joined: Any  # " bare ": the term squashed, as a whole word of the joined skeleton
    squashed: Any  # a squashed term of six letters or more, anywhere


@functools.lru_cache(maxsize=32)
def _literal_index(terms: tuple[ProtectedTerm, ...]) -> _Literals:
    """The needles of ``_literal_match`` for each literal term (``pattern`` None) in
    ``terms``, by the term's position: the same tests, all at once."""
    needles: tuple[dict[str, set[int]], ...] = ({}, {}, {})
    for i, term in enumerate(terms):
        if term.pattern is not None or term.term is None:
            continue
        for form in _forms(term.term):
            t, bare = _term_skeleton(form)
            if _short(t):  # short terms only as whole words
                needles[0].setdefault(t, set()).add(i)
            else:
                needles[0].setdefault(t.strip(), set()).add(i)
                if _squashable(bare):
                    needles[2].setdefault(bare, set()).add(i)
            needles[1].setdefault(f" {bare} ", set()).add(i)
    automata: list[Any] = []
    for words in needles:
        if not words:
            automata.append(None)
            continue
        automaton = ahocorasick.Automaton()
        for needle, where in words.items():
            automaton.add_word(needle, frozenset(where))
        automaton.make_automaton()
        automata.append(automaton)
    return _Literals(*automata)


def _literal_hits(index: _Literals, skel: str, squashed: str) -> set[int]:
    """The positions of the literal terms found in a view (``_literal_match`` for each)."""
    hits: set[int] = set()
    for automaton, text in (
        (index.skel, skel),
        (index.joined, _joined(skel) if index.joined is not None else ""),
        (index.squashed, squashed),
    ):
        if automaton is not None:
            for _end, where in automaton.iter(text):
                hits.update(where)
    return hits


@functools.lru_cache(maxsize=64)
def _joined(skel: str) -> str:
    """Letters spelled out one by one joined back into words: ' k a b u l ' → ' kabul '."""
    return _SPELLED.sub(lambda m: m.group(0).replace(" ", ""), skel)


@functools.lru_cache(maxsize=4096)
def _forms(term: str) -> tuple[str, ...]:
    """The term, and its names in the languages warnings are written in if it is a place,
    and every name of the organisation if it names a listed one: protecting "Islamic
    State Khorasan Province" protects "ISIL Khorasan", "ISKP" and "Вилаят Хорасан" too."""
    from tearline.release.place_names import translations  # a lazy import: gazetteer data

    return tuple(dict.fromkeys((term, *translations(term), *_organisation_names(term))))


def _organisation_names(term: str) -> tuple[str, ...]:
    """Every name of the listed organisation ``term`` names (its listed name, the aliases
    extraction matches, and its whole-word names in the reader lexicons); () if none."""
    from tearline.extract import _readerlex, organisations  # lazy: reference data

    org = organisations.lookup(term)
    if org is None:
        return ()
    names = [org.name, *org.aliases]
    for lang in _readerlex.READER_LANGUAGES:
        names += [
            p.written
            for p in _readerlex.load(lang).organisations
            if p.value == org.id and "*" not in p.written
        ]
    # a name of three letters or fewer ("IS", "HQN") would refuse ordinary words
    return tuple(n for n in dict.fromkeys(names) if len(n.replace(" ", "")) > 3 and n != term)


# --- Identifiers Tearline generates ------------------------------------------------------
#
# A release carries identifiers the program made itself: STIX object IDs (UUIDs laid over a
# hash), UUIDs, idempotency keys (hex), digests, JWS compact serialisations (their key IDs
# and signatures), XML-signature values, MIME boundaries. Their characters are random, so
# the built-in patterns would fire on them now and then ("report--…-ffed-4402-9978-…" has
# the shape of a report serial). A match of a *built-in pattern* that lies wholly inside
# such a token is not a leak: a UUID (8-4-4-4-12 hex digits), a run of 32 or more hex
# digits, or a JWS compact serialisation (whose header and payload are decoded and checked
# as views of their own; its signature is random). Standard base64 (signature values,
# e-mail parts, decoded and checked as views too) has no "-", so no report serial; the
# other patterns need word boundaries it almost never gives (the property test in
# tests/release/test_generated_ids.py). Protected terms a user registers are never
# excused: they are matched on the words of every view, whatever is around them.

_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.+/=")
_GENERATED_TOKEN = re.compile(
    r"(?<![0-9a-z])[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}(?![0-9a-z])"  # a UUID
    r"|(?<![0-9a-z])[0-9a-f]{32,}(?![0-9a-z])"  # a digest, a hex key
    r"|(?<![\w-])eyj[\w-]{8,}\.[\w-]+\.[\w-]{40,}"  # a JWS: header, payload, signature
)


def generated_span(folded: str, start: int, end: int) -> str | None:
    """What kind of generated identifier ``folded[start:end]`` lies wholly inside, or None.

    ``folded`` is folded text (lower case). Only the run of token characters around the
    span is searched, so the cost is paid only when a built-in pattern matches."""
    left = start
    while left > 0 and folded[left - 1] in _TOKEN_CHARS:
        left -= 1
    right = end
    while right < len(folded) and folded[right] in _TOKEN_CHARS:
        right += 1
    for m in _GENERATED_TOKEN.finditer(folded, left, right):
        if m.start() <= start and end <= m.end():
            return _kind_of(m.group(0))
    return None


def _kind_of(token: str) -> str:
    if token.startswith("eyj"):
        return "JWS"
    return "UUID" if "-" in token else "hex digest"


def _builtin(
    name: str,
    kind: str,
    regex: str,
    hints: tuple[str, ...] = (),
    gate: str | None = None,
    parts: tuple[tuple[tuple[str, ...], str], ...] = (),
) -> ProtectedTerm:
    pattern = re.compile(regex)  # matched on folded (lower-case) text
    return ProtectedTerm(
        f"builtin:{name}",
        kind,
        pattern=pattern,
        hints=hints,
        gate=None if gate is None else re.compile(gate),
        parts=tuple((words, re.compile(part)) for words, part in parts),
    )


BUILTIN_TERMS: tuple[ProtectedTerm, ...] = (
    _builtin(
        "classification",
        "classification_marking",
        r"top\s*secret|\bsecret\s*//|//\s*(?:noforn|orcon|rel\b)|\bnoforn\b|\borcon\b"
        r"|\bts\s*//\s*sci\b|\((?:ts|s|c)\s*//[^)]*\)|\bconfidential\s*//",
        ("secret", "//", "noforn", "orcon"),
        # "//" is in every URL: the alternatives apart, each behind a word of its own or
        # its fixed start, not one alternation tried at every character
        parts=(
            (("secret",), r"top\s*secret|\bsecret\s*//"),
            (("//",), r"//\s*(?:noforn|orcon|rel\b)"),
            (("noforn", "orcon"), r"\bnoforn\b|\borcon\b"),
            (("sci",), r"\bts\s*//\s*sci\b"),
            (("//",), r"\((?:ts|s|c)\s*//[^)]*\)"),
            (("confidential",), r"\bconfidential\s*//"),
        ),
    ),
    _builtin(
        "report-serial",
        "report_identifier",
        r"\b[a-z]{2,5}-\d{4}-\d{3,}(?:-\d+)?\b",
        gate=r"-\d{4}-\d{3}",
    ),
    _builtin(
        "collection-vocabulary",
        "collection_method",
        r"\bintercept(?:s|ed|ion)?\b|\b(?:sig|hum|im|mas|geo)int\b|\bwiretap|\binformant"
        r"|\bclandestine\b|\bcode\s*word|\bsub-?source\b|\bsource with (?:direct|indirect)"
        r"|\bsignals intelligence\b|\bhuman intelligence\b|\bliaison service\b",
        (
            *("intercept", "sigint", "humint", "imint", "masint", "geoint", "intelligence"),
            *("wiretap", "informant", "clandestine", "code", "source", "liaison"),
        ),
        parts=(
            (("intercept",), r"\bintercept(?:s|ed|ion)?\b"),
            (("sigint", "humint", "imint", "masint", "geoint"), r"\b(?:sig|hum|im|mas|geo)int\b"),
            (("wiretap",), r"\bwiretap"),
            (("informant",), r"\binformant"),
            (("clandestine",), r"\bclandestine\b"),
            (("code",), r"code(?<=\bcode)\s*word"),  # \b after the fixed text: found fast
            (("subsource", "sub-source"), r"\bsub-?source\b"),
            (("source with",), r"\bsource with (?:direct|indirect)"),
            (("intelligence",), r"\bsignals intelligence\b|\bhuman intelligence\b"),
            (("liaison",), r"\bliaison service\b"),
        ),
    ),
)


@dataclass(frozen=True)
class Leak:
    artifact: str
    term: ProtectedTerm
    found: str
    written: str | None = None  # how the artifact spells it, where it does not match literally


# --- Names across scripts ------------------------------------------------------------------
#
# A literal term is also matched by how it sounds. Each run of words of the artifact, all
# in one script, is reduced to a consonant key and its vowel slots (tearline.translit:
# which places before, between and after the consonants are written with a vowel) and
# compared with the term's — and with the term's other spellings (French, Spanish,
# Persian conventions: ``translit.spellings``). Two keys: a *fine* one among the alphabets
# that write every vowel (Latin, Cyrillic: v, w and f are consonants, "Novikov" is n-v-k-v)
# and the *coarse* one wherever Arabic script is on either side (و and ف stand for vowels
# and for v). Keys are lossy on purpose — Arabic script writes no short vowels, "Kerman"
# and "Carmen" share one — so a key match counts only as these rules allow (n = consonants
# in the key; a run may have as many words as the term, not counting connectors — "i" in
# "Tehrik-i-Taliban", "al" —, and one more in Arabic script where it is the article:
# "حزب الله" for "Hizballah"):
#
# * the same script (a variant spelling: "Scherbakov", "Shcherbakow" for "Shcherbakov";
#   Arabic letter variants and diacritics are folded for the literal match already):
#   n >= 4 and every vowel slot the same — "sobre" is not "SABRE", "visible" not "SABLE";
# * Latin against Cyrillic (both write every vowel): n >= 4 with the slots inside the name
#   the same (either end may differ: a silent e, a case ending), one of them allowed to
#   differ from n = 5 ("Pine"/"Пайн": English writes silent letters); or n = 3 with the
#   same vowel letters in the same slots, a transliteration letter by letter ("Назари" for
#   "Nazari"; "fueron" is not "ВОРОН", "вилаят" not "VIOLET");
# * Arabic script against any other: n >= 4 and every vowel letter the Arabic spelling
#   writes (ا و ي) stands where the other spelling has a vowel ("حزب الله"/"Hizballah";
#   "نایتجار"/"NIGHTJAR"), or n = 3 with the slots equal and two vowel letters written
#   ("پیشاور"/"Peshawar"): three-consonant Arabic keys are everyday words ("نظر", a look,
#   has the key of "Nazari");
# * Arabic script against Arabic script (a Persian spelling of an Arabic one): n >= 4 and
#   one spelling's vowel letters within the other's.
#
# Articles are not heard: "al", "an", "аль" are skipped and Arabic ال is read off its word
# ("النصرة" is "Nusra", "an-Nusra" is "Nusra"; "الأكبر" is not "Ali Akbari"). A Russian
# case ending ("Щербаковым") is tried off the last word of a run, an Arabic proclitic
# ("بحزب الله", "والنصرة") off the first. Runs made only of Tearline's own words
# (the phrases of every warning language, month and day names) are never matched by
# sound: Tearline's fixed text cannot carry a protected term, and "гранаты" (grenades,
# in a Russian warning) is not the code word GRANITE. Terms of more than six words are
# matched literally only; runs of 40 or more letters and digits (base64) are skipped, as
# their decoded views are checked.

_MIN_KEY = 4
_MIN_KEY_EXACT = 3
_MAX_WORDS = 6
_ALL_SCRIPTS = ("latin", "cyrillic", "arabic", "other")
_WORDS = re.compile(r"[^\W\d_]+")
_BLOB = re.compile(r"[A-Za-z0-9+/_=-]{40,}")
_PROCLITIC = re.compile("^(?:[وف]?(?:بال|كال|فال|لل|ال|[بلك])|[وف])")
_ARABIC_ARTICLE = re.compile("^(?:ال|لل)")
_ARTICLES = frozenset(
    ["al", "el", "ul", "ad", "ar", "as", "at", "az", "ash", "an", "ал", "аль", "эль", "ан", "ад"]
)
_CASE_ENDING = re.compile(
    "(?:ами|ями|ыми|ими|ого|его|ому|ему|ом|ем|ём|ой|ей|ым|им|ам|ям|ах|ях|ых|их|[аяуюеыио])$"
)
_FINE, _COARSE = 0, 1


def _script_class(name: str) -> str:
    return name if name in ("latin", "cyrillic", "arabic") else "other"


@dataclass(frozen=True)
class _Spelling:
    """One spelling of a term: its vowel slots, and the runs it may be compared with."""

    term: ProtectedTerm
    script: str
    vowels: tuple[str, ...]
    scripts: tuple[str, ...]  # the scripts of the runs it may be compared with
    words: int  # not counting connectors


@dataclass(frozen=True, eq=False)
class _Keys:
    """The spellings of the terms by one kind of key."""

    kind: int  # _FINE or _COARSE
    by_key: dict[str, list[_Spelling]]
    ends: frozenset[str]  # every key, and every key + "h" (a final h is not heard)
    prefixes: frozenset[str]  # of every key in ``ends``
    runs: frozenset[str]  # the scripts of the runs compared with these keys
    span: int  # the most words one run may take


def _keys(kind: int, spelled: list[tuple[str, _Spelling]]) -> _Keys | None:
    by_key: dict[str, list[_Spelling]] = {}
    for key, s in spelled:
        if len(key) >= _MIN_KEY_EXACT:
            by_key.setdefault(key, []).append(s)
    if not by_key:
        return None
    ends = frozenset(k for key in by_key for k in (key, key + "h"))
    prefixes = frozenset(k[:i] for k in ends for i in range(1, len(k) + 1))
    runs = frozenset(r for spellings_ in by_key.values() for s in spellings_ for r in s.scripts)
    span = 2 * max(s.words for spellings_ in by_key.values() for s in spellings_) + 1
    return _Keys(kind, by_key, ends, prefixes, runs, span)


@functools.lru_cache(maxsize=32)
def _name_index(terms: tuple[ProtectedTerm, ...]) -> tuple[_Keys, ...]:
    """The literal terms' spellings, by fine and by coarse key."""
    spelled: tuple[list[tuple[str, _Spelling]], list[tuple[str, _Spelling]]] = ([], [])
    for term in terms:
        assert term.term is not None
        if not 0 < len(_WORDS.findall(term.term)) <= _MAX_WORDS:
            continue
        name = _script_class(script(term.term))
        for text, scripts in ((term.term, _ALL_SCRIPTS), *spellings(term.term)):
            words = [w for w in map(_word, _WORDS.findall(_unmarked(text))) if not w.connector]

            if name == "arabic":
                where = {_COARSE: scripts}
            else:
                where = {
                    _FINE: tuple(s for s in scripts if s != "arabic"),
                    _COARSE: tuple(s for s in scripts if s == "arabic"),
                }
            for kind, runs in where.items():
                if runs:
                    slots = Slots("", ("",))
                    for w in words:
                        slots = slots.then(w.slots[kind])
                    slots = slots.heard()
                    entry = _Spelling(term, name, slots.vowels, runs, len(words))
                    spelled[kind].append((slots.key, entry))
    return tuple(k for k in (_keys(_FINE, spelled[0]), _keys(_COARSE, spelled[1])) if k)


class _Word(NamedTuple):
    text: str
    script: str
    slots: tuple[Slots, Slots]  # fine, coarse; an Arabic word less its article
    first: tuple[Slots, Slots] | None  # less an Arabic proclitic, as a run's first word
    last: tuple[Slots, Slots] | None  # less a Russian case ending, as a run's last word
    connector: bool  # "i", "e", "al": not heard, not counted as a word of a name
    split: bool  # an Arabic word with the article: "الله" in "حزب الله"
    ours: bool  # a word of Tearline's own phrases


def _both(text: str) -> tuple[Slots, Slots]:
    return word_slots(text, True), word_slots(text)


@functools.lru_cache(maxsize=1 << 16)
def _word(text: str) -> _Word:
    name = "latin" if text.isascii() else _script_class(script(text))
    first = last = None
    base, split = text, False
    if name == "arabic":
        if (m := _ARABIC_ARTICLE.match(text)) and len(text) - m.end() >= 2:
            base, split = text[m.end() :], True
        proclitic = _PROCLITIC.match(text)
        if (
            proclitic
            and len(text) - proclitic.end() >= 2
            and proclitic.end() > len(text) - len(base)
        ):
            first = _both(text[proclitic.end() :])
    elif name == "cyrillic" and (m := _CASE_ENDING.search(text)) and m.start() >= 3:
        last = _both(text[: m.start()])
    slots = _both(base)
    connector = not slots[_COARSE].key or text in _ARTICLES
    return _Word(text, name, slots, first, last, connector, split, text in _our_words())


@functools.cache
def _our_words() -> frozenset[str]:
    """Every word of the phrases warnings are written with, in every language, and the
    month and day names their dates are written with."""
    from babel import Locale

    from tearline.release.phrases import LANGUAGES  # a lazy import: the phrase modules

    texts: list[str] = []

    def strings(value: object) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, Mapping):
            for v in value.values():
                strings(v)
        elif hasattr(value, "__dataclass_fields__"):
            for field in value.__dataclass_fields__:
                strings(getattr(value, field))

    for phrases in LANGUAGES.values():
        strings(phrases)
        locale = Locale.parse(phrases.locale)
        for table in (locale.months, locale.days):
            for context in table.values():
                for width in context.values():
                    texts.extend(width.values())
    return frozenset(w for t in texts for w in _WORDS.findall(_unmarked(t)))


def _unmarked(text: str) -> str:
    """NFKC, combining marks and invisible characters dropped, case folded."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).translate(_marks_table()).casefold()


@functools.cache
def _marks_table() -> dict[int, None]:
    return dict.fromkeys(_marks())


_CACHED_LINE = 1000  # longer lines (a JSON document, a JWS) differ from one warning to the next


def _line_leaks(line: str, index: tuple[_Keys, ...]) -> tuple[tuple[ProtectedTerm, str], ...]:
    """Terms heard in one line of an artifact, with the words that spell each."""
    return _hear(line, index) if len(line) > _CACHED_LINE else _hear_cached(line, index)


def _hear(line: str, index: tuple[_Keys, ...]) -> tuple[tuple[ProtectedTerm, str], ...]:
    """``_line_leaks`` itself."""
    if len(line) >= 40:
        line = _BLOB.sub(" ", line)
    words = [_word(w) for w in _WORDS.findall(_unmarked(line))]
    found: list[tuple[ProtectedTerm, str]] = []
    for i, word in enumerate(words):
        if word.connector:
            continue
        for keys in index:
            if word.script not in keys.runs:
                continue
            head = word.slots[keys.kind]
            if head.key in keys.prefixes or (
                word.last is not None and word.last[keys.kind].key in keys.ends
            ):
                found.extend(_runs(words, i, head, False, keys))
            if word.first is not None and word.first[keys.kind].key in keys.prefixes:
                found.extend(_runs(words, i, word.first[keys.kind], True, keys))
    return tuple(found)


# Warnings to many recipients share most lines (only the recipient's name differs): a
# line heard for one is not heard again for the next while the terms are the same.
_hear_cached = functools.lru_cache(maxsize=1 << 12)(_hear)


def _runs(
    words: list[_Word], i: int, head: Slots, bare: bool, keys: _Keys
) -> Iterator[tuple[ProtectedTerm, str]]:
    """The terms heard in the runs of words that start at ``words[i]``, read as ``head``
    (``bare``: less its proclitic)."""
    kind, ends, prefixes = keys.kind, keys.ends, keys.prefixes
    slots, run = head, words[i].script
    for j in range(i, min(len(words), i + keys.span)):
        word = words[j]
        if j > i:
            if word.script != run or slots.key not in prefixes:
                return
            if word.connector:
                continue
            if word.last is not None and (with_stem := slots.then(word.last[kind])).key in ends:
                yield from _heard(words, i, j, with_stem, keys)
            slots = slots.then(word.slots[kind])
        elif word.last is not None and word.last[kind].key in ends and not bare:
            yield from _heard(words, i, j, word.last[kind], keys)
        if slots.key in ends:
            yield from _heard(words, i, j, slots, keys)


def _heard(
    words: list[_Word], i: int, j: int, slots: Slots, keys: _Keys
) -> Iterator[tuple[ProtectedTerm, str]]:
    run = words[i : j + 1]
    if all(w.ours for w in run):
        return
    heard = slots.heard()
    count = sum(not w.connector for w in run)
    split = any(w.split for w in run[1:])  # "حزب الله": the article written apart
    for s in keys.by_key.get(heard.key, ()):
        if count > s.words + split:
            continue
        if _fits(s, run[0].script, heard):
            yield s.term, " ".join(w.text for w in run)


def _fits(spelling: _Spelling, run: str, heard: Slots) -> bool:
    """Whether a run of words in script ``run`` with the spelling's key is the term (the
    rules above)."""
    if run not in spelling.scripts:
        return False
    n, mine, other = len(heard.key), heard.shape(), spelling.script
    theirs = tuple(bool(v) for v in spelling.vowels)
    if "arabic" in (run, other):
        if mine == theirs and (n >= _MIN_KEY or sum(mine) >= 2):
            return True
        if n < _MIN_KEY:
            return False
        if run == other:
            return _within(mine, theirs) or _within(theirs, mine)
        return _within(mine, theirs) if run == "arabic" else _within(theirs, mine)
    if mine == theirs and n >= _MIN_KEY:
        return True
    if n < _MIN_KEY:  # across scripts, with the same vowel letters: "Назари", "Nazari"
        return run != other and mine == theirs and _same_vowels(heard.vowels, spelling.vowels)
    if run == other:
        return False
    differ = sum(a != b for a, b in zip(mine[1:-1], theirs[1:-1], strict=True))
    return differ == 0 or (differ == 1 and n > _MIN_KEY)


def _same_vowels(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return all(set(x) - {"y"} == set(y) - {"y"} for x, y in zip(a, b, strict=True))


def _within(arabic: tuple[bool, ...], other: tuple[bool, ...]) -> bool:
    """Every slot where the Arabic spelling writes a vowel letter has a vowel in the other."""
    return all(o or not a for a, o in zip(arabic, other, strict=True))


_U_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_JWS = re.compile(r"\b(eyJ[\w-]*)\.([\w-]+)\.([\w-]*)")


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)


_TAG = re.compile(r"<[^>]*>")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_MAIL_HEAD = re.compile(r"(?:[A-Za-z0-9-]+:[^\n]*\n(?:[ \t][^\n]*\n)*)+\n")


def _email_views(artifact: str, depth: int) -> Iterator[str]:
    """Each header decoded and each part of an e-mail as its reader sees it."""
    head = artifact[:8000].replace("\r\n", "\n")
    if "content-type:" not in head.casefold() or not _MAIL_HEAD.match(head):
        return
    # compat32: the parser without the header objects of policy.default, ten times faster;
    # encoded words are decoded below.
    msg = email.message_from_string(artifact)
    if not msg.keys():
        return
    headers = []
    for value in msg.values():
        with contextlib.suppress(ValueError, LookupError):
            value = str(make_header(decode_header(value)))
        headers.append(value)
    yield "\n".join(headers)
    for part in msg.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            yield from decoded_views(payload.decode("utf-8", errors="replace"), depth + 1)


def decoded_views(artifact: str, depth: int = 0) -> Iterator[str]:
    """The artifact as written and as decoded: entities and markup, JSON escapes, percent
    escapes, JWS payloads, e-mail parts."""
    yield artifact
    if depth > 3:  # nested encodings deeper than any format of ours: the raw view is enough
        return
    unescaped = html.unescape(artifact)
    if unescaped != artifact:
        yield unescaped
    if "<" in artifact:
        yield html.unescape(_TAG.sub("", artifact))
    if _PERCENT.search(artifact):
        unquoted = unquote(artifact)
        if unquoted != artifact:
            yield unquoted
    yield from _email_views(artifact, depth)
    unicode_escaped = _U_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), artifact)
    if unicode_escaped != artifact:
        yield unicode_escaped
    with contextlib.suppress(json.JSONDecodeError, RecursionError):
        yield "\n".join(_json_strings(json.loads(artifact)))
    for m in _JWS.finditer(artifact):
        for part in m.group(1, 2):
            try:
                decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
                yield from decoded_views(decoded.decode("utf-8", errors="replace"), depth + 1)
            except (binascii.Error, ValueError):
                continue


def find_leaks(artifacts: Mapping[str, str], terms: Sequence[ProtectedTerm]) -> list[Leak]:
    """Every (artifact, term) pair where a protected term appears."""
    leaks: list[Leak] = []
    all_terms = (*terms, *BUILTIN_TERMS)
    names = _name_index(tuple(t for t in terms if t.term is not None))
    literals = _literal_index(all_terms)
    heard: dict[str, tuple[tuple[ProtectedTerm, str], ...]] = {}  # by line, across artifacts
    # By view, across artifacts: the e-mail carries the JWS and the CAP, the JWS carries
    # the document; a view read for one artifact is not read again for the next.
    by_view: dict[str, list[tuple[ProtectedTerm, str, str | None]]] = {}
    for name, artifact in artifacts.items():
        seen: set[str] = set()
        views: set[str] = set()
        for view in decoded_views(artifact):
            if view in views:
                continue
            views.add(view)
            if (hits := by_view.get(view)) is None:
                hits = by_view[view] = _view_hits(view, all_terms, literals, names, heard)
            for term, found, written in hits:
                if term.id not in seen:
                    seen.add(term.id)
                    leaks.append(Leak(name, term, found, written))
    return leaks


def _view_hits(
    view: str,
    all_terms: tuple[ProtectedTerm, ...],
    literals: _Literals,
    names: tuple[_Keys, ...],
    heard: dict[str, tuple[tuple[ProtectedTerm, str], ...]],
) -> list[tuple[ProtectedTerm, str, str | None]]:
    """Every term found in one view, in the order ``find_leaks`` reports them: (term, the
    text matched, how the view spells it where it is heard rather than read)."""
    hits: list[tuple[ProtectedTerm, str, str | None]] = []
    folded = fold(view)
    skel = skeleton(view, folded)
    squashed = skel.replace(" ", "")
    literal = _literal_hits(literals, skel, squashed)
    for i, term in enumerate(all_terms):
        if term.pattern is None:  # a literal term: found by ``_literal_hits``
            found = term.term if i in literal else None
        else:
            found = term.matches(folded, skel, squashed)
        if found is not None:
            hits.append((term, found, None))
    if not names:
        return hits
    for line in view.split("\n"):
        if (line_hits := heard.get(line)) is None:
            line_hits = heard[line] = _line_leaks(line, names)
        for term, written in line_hits:
            assert term.term is not None
            hits.append((term, term.term, written))
    return hits


def ensure_no_leak(
    artifacts: Mapping[str, str],
    terms: Sequence[ProtectedTerm],
    facts: Mapping[str, Any] | None = None,
) -> None:
    """Raise LeakDetected for the first leak, naming the term by its id and the artifact.

    Never by its text: an error travels (the API's answer, a log line, a terminal's
    scrollback) where the protected term must not; the case file shows the term to those
    cleared for it. Given the warning's ``facts``, the refusal names the fact that carries
    the term, or says that none does (then it is in a part Tearline wrote, and there is
    no fact to coarsen)."""
    leaks = find_leaks(artifacts, terms)
    if leaks:
        first = leaks[0]
        more = f" (and {len(leaks) - 1} more)" if len(leaks) > 1 else ""
        written = " under another of its names or spellings" if first.written else ""
        raise LeakDetected(
            f"release refused: {first.artifact} contains protected "
            f"{first.term.kind.replace('_', ' ')} {first.term.id}{written}{more}; "
            + _remedy(first, terms, facts),
            term_id=first.term.id,
            artifact=first.artifact,
        )


def _remedy(leak: Leak, terms: Sequence[ProtectedTerm], facts: Mapping[str, Any] | None) -> str:
    """What to do about ``leak``: coarsen the fact that carries it, if one does."""
    if facts is None:
        return "coarsen or withhold the fact that carries it, then propose the release again"
    mine = [t for t in terms if t.id == leak.term.id]
    for name, value in facts.items():
        text = "\n".join(_json_strings(value))
        if text and any(x.term.id == leak.term.id for x in find_leaks({name: text}, mine)):
            return (
                f"the fact '{name}' carries it: coarsen or withhold it, "
                "then propose the release again"
            )
    if leak.term.pattern is not None:
        return (
            "no fact carries it: it is in a part Tearline generated for this format "
            "(an identifier, a signature or fixed text), not something to coarsen; "
            "report it as a fault in Tearline"
        )
    return (
        "no fact carries it: it is in the warning's framing (the recipient's or sender's "
        "name, a note); change that, then propose the release again"
    )
