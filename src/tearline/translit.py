"""Names across scripts: one key for a name written in Cyrillic, Arabic script or Latin.

A protected code word, an organisation or a town reaches Tearline written as its source
wrote it: "Hizballah", "Хезболла", "حزب الله"; "Shcherbakov", "Scherbakov", "Щербаков".
``sound_key`` reduces each to the consonants a reader would hear, in broad classes, so
that the spellings of one name meet::

    >>> sound_key("Hizballah") == sound_key("Хезболла") == sound_key("حزب الله")
    True
    >>> sound_key("Shcherbakov") == sound_key("Scherbakov") == sound_key("Щербаков")
    True
    >>> sound_key("Kerman") == sound_key("کرمان")
    True

How: the text is written in Latin letters (``anyascii``: Cyrillic letter by letter,
Arabic script by its consonants, as it is written); the digraphs of the usual
transliterations become one letter ("shch", "sch", "sh" → s; "kh" → h; "dzh", "dj" → j);
letters no other script tells apart fall together (c/k/q, p/b); vowels, and the letters
one script uses as vowels and another as consonants (w, y, v, f: Arabic و, ي, and ف for
a foreign v), are dropped; so are a final h (Arabic ta marbuta, "Hezbollah"/"Хезболла")
and doubled letters.

The key loses information on purpose: "Kerman" and "Carmen" share one. Callers decide
how much a match means: the leak check refuses on it (a false refusal is seen and
overridden; a missed leak is not), extraction uses it only for names of four or more
consonants and only across scripts.

The leak check needs two things more, both here so that every caller reads a name the
same way. ``sound_slots`` gives the key with its *vowel slots*: for each place before,
between and after the key's consonants, whether the spelling writes a vowel there (or
one of the letters that stand for one). Latin and Cyrillic write every vowel; Arabic
script writes only the long ones (ا و ي), so an Arabic spelling's slots are a subset of
a Latin one's — "حزب الله" fits "Hizballah", where the Arabic "نظر" (a look) does not fit
"Nazari" in the way "نظری" does. Arabic letters are read one by one (a letter is one
sound: ک then ه is k-h, not "kh"), alef counts as a vowel, diacritics and tatweel are
dropped. ``spellings`` lists the other ways the languages warnings are written in spell
a name: French "Chtcherbakov" and "ch" for ш, Spanish "j" for х and خ, Persian "z" for
ظ and ذ, Egyptian "g" for ج, "gh" for ق::

    >>> sound_slots("Hizballah")
    Slots(key='hzbl', vowels=('', 'i', '', 'a', 'a'))
    >>> sound_slots("حزب الله")
    Slots(key='hzbl', vowels=('', '', '', 'a', ''))
    >>> sound_slots("Chtcherbakov")[0] == sound_slots("Щербаков")[0]
    True
    >>> ("jalid", ("latin",)) in spellings("Khalid")
    True
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from anyascii import anyascii

# Applied in this order, on lower-case ASCII: the longest digraphs first.
_DIGRAPHS = (
    ("shch", "s"),
    ("sch", "s"),
    ("tch", "C"),
    ("dzh", "j"),
    ("igh", "i"),  # English spelling: "Nightjar" is heard "Naytjar", "Найтджар"
    ("sh", "s"),
    ("zh", "z"),
    ("kh", "h"),
    ("gh", "g"),
    ("ch", "C"),  # ч / چ / "ch": its own class, kept apart from k
    ("ts", "s"),
    ("tz", "s"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("dj", "j"),
    ("ck", "k"),
    ("ks", "X"),
    ("x", "X"),
)
_LETTERS = str.maketrans({"c": "k", "q": "k", "p": "b"})
# Vowels, and the letters that stand for vowels in one script and consonants in another
# (w/y: Arabic و/ي; v/w/f: "Peshawar", "Пешавар", Arabic ف for a foreign v).
_VOWELS = frozenset("aeiouywvf")
_NOT_LETTER = re.compile(r"[^a-z0-9]+")
_DIGRAPH = re.compile("|".join(d for d, _ in _DIGRAPHS))
_DIGRAPH_OF = dict(_DIGRAPHS)


def latin(text: str) -> str:
    """The text in Latin letters, lower case, accents and signs dropped: 'Хезболла' →
    'khezbolla', 'حزب الله' → 'hzb llh', 'Cúcuta' → 'cucuta'."""
    return anyascii(unicodedata.normalize("NFKC", text)).lower()


@lru_cache(maxsize=65536)
def sound_key(text: str) -> str:
    """The consonant key of a name (the module docstring): '' for a text with no letters."""
    s = _NOT_LETTER.sub("", latin(text))
    if not s:
        return ""
    s = _DIGRAPH.sub(lambda m: _DIGRAPH_OF[m.group(0)], s).translate(_LETTERS)
    out: list[str] = []
    for ch in s:
        if ch in _VOWELS or (out and ch == out[-1]):
            continue
        out.append(ch)
    if not out:  # a name of vowels only ("Aya"): its first letter
        return s[0].lower()
    if len(out) > 2 and out[-1] == "h":
        out.pop()
    return "".join(out).lower()


def script(text: str) -> str:
    """The script most of the text's letters are in: "latin", "cyrillic", "arabic",
    "greek", "hebrew", "cjk", "other" or "" where there are no letters."""
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        name = _script_of(ch)
        counts[name] = counts.get(name, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else ""


def _script_of(ch: str) -> str:
    o = ord(ch)
    if o < 0x250 or 0x1E00 <= o < 0x1F00:
        return "latin"
    if 0x400 <= o < 0x530 or 0x1C80 <= o < 0x1C90 or (0x2DE0 <= o < 0xA6A0 and o >= 0xA640):
        return "cyrillic"
    if 0x600 <= o < 0x780 or 0x8A0 <= o < 0x900 or 0xFB50 <= o < 0xFE00 or 0xFE70 <= o < 0xFF00:
        return "arabic"
    if 0x370 <= o < 0x400:
        return "greek"
    if 0x590 <= o < 0x600:
        return "hebrew"
    if 0x3040 <= o < 0xA000 or 0xAC00 <= o < 0xD7B0:
        return "cjk"
    return "other"


# --- vowel slots and other spellings: what the leak check matches names by -----------------

# Arabic script letter by letter, straight into the key's classes (what sound_key reaches
# through anyascii and the digraphs, without "که" read as "kh"). Alef, waw and ya are
# vowel letters; hamza and ain are not heard in other scripts.
_ARABIC_LETTERS = {
    **dict.fromkeys("اآأإٱى", "a"),
    **dict.fromkeys("وؤ", "w"),
    **dict.fromkeys("يیئېۍے", "y"),
    **dict.fromkeys("بپ", "b"),
    **dict.fromkeys("تطث", "t"),
    **dict.fromkeys("ةهۀھہ", "h"),
    **dict.fromkeys("حخ", "h"),
    **dict.fromkeys("دذضظ", "d"),
    **dict.fromkeys("زژ", "z"),
    **dict.fromkeys("سصش", "s"),
    **dict.fromkeys("قكک", "k"),
    **dict.fromkeys("غگڨ", "g"),
    "ج": "j",
    "چ": "C",
    "ر": "r",
    "ف": "f",
    "ڤ": "v",
    "ل": "l",
    "م": "m",
    "ن": "n",
}
# Every other character of the Arabic blocks (hamza, ain, digits, punctuation) is dropped.
_ARABIC_TABLE: dict[int, str | None] = {
    **dict.fromkeys([*range(0x600, 0x700), *range(0x750, 0x780), *range(0x8A0, 0x900)]),
    **{ord(k): v for k, v in _ARABIC_LETTERS.items()},
}
_ARABIC_RUN = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]+")
# Marks no reader hears apart: combining accents (Russian stress marks), Arabic harakat
# and Quranic marks, tatweel, and the invisible format characters.
_MARKS = re.compile(
    r"[\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
    r"\u0640\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)
# French spells щ "chtch" and German ч "tsch": the same sounds as "shch" and "ch".
_LATIN_SPELLINGS = re.compile(r"chtch|tsch")
_LATIN_SPELLING_OF = {"chtch": "shch", "tsch": "ch"}


class Slots(NamedTuple):
    """A name's consonant key and its vowel slots: ``vowels[i]`` holds the vowel letters
    (Latin; and w, v, f where they stand for vowels) written before the key's i-th
    consonant, '' for none; the last entry, those after the last consonant.
    ``len(vowels) == len(key) + 1``."""

    key: str
    vowels: tuple[str, ...]

    def shape(self) -> tuple[bool, ...]:
        """Which slots hold a vowel."""
        return tuple(bool(v) for v in self.vowels)

    def then(self, word: Slots) -> Slots:
        """This name continued by the next word ("Hiz" then "ballah"), as sound_key hears
        the two written together: a consonant repeated across the join is heard once."""
        if not self.key:
            return Slots(word.key, (self.vowels[0] + word.vowels[0], *word.vowels[1:]))
        if not word.key:
            return Slots(self.key, (*self.vowels[:-1], self.vowels[-1] + word.vowels[0]))
        if self.key[-1] == word.key[0]:
            joint = self.vowels[-1] + word.vowels[0] + word.vowels[1]
            return Slots(self.key + word.key[1:], (*self.vowels[:-1], joint, *word.vowels[2:]))
        joint = self.vowels[-1] + word.vowels[0]
        return Slots(self.key + word.key, (*self.vowels[:-1], joint, *word.vowels[1:]))

    def heard(self) -> Slots:
        """Without a final h (Arabic ta marbuta, "Hezbollah"/"Хезболла"), as in sound_key."""
        if len(self.key) > 2 and self.key[-1] == "h":
            return Slots(self.key[:-1], (*self.vowels[:-2], self.vowels[-2] + self.vowels[-1]))
        return self


# Foreign sounds Arabic script writes with two letters: ch as تش ("تشيخوف"), shch as شچ.
_ARABIC_PAIRS = re.compile("تش|شچ")
_ARABIC_PAIR_OF = {"تش": "چ", "شچ": "ش"}


def _classes(text: str) -> str:
    """The text as key classes and vowel letters: Latin and Cyrillic through ``latin`` and
    the digraphs, Arabic script letter by letter."""
    parts: list[str] = []
    pos = 0
    for m in _ARABIC_RUN.finditer(text):
        parts.append(_latin_classes(text[pos : m.start()]))
        run = _ARABIC_PAIRS.sub(lambda p: _ARABIC_PAIR_OF[p.group(0)], m.group(0))
        parts.append(run.translate(_ARABIC_TABLE))
        pos = m.end()
    parts.append(_latin_classes(text[pos:]))
    return "".join(parts)


def _latin_classes(text: str) -> str:
    if not text:
        return ""
    s = _NOT_LETTER.sub("", latin(text))
    s = _LATIN_SPELLINGS.sub(lambda m: _LATIN_SPELLING_OF[m.group(0)], s)
    return _DIGRAPH.sub(lambda m: _DIGRAPH_OF[m.group(0)], s).translate(_LETTERS)


# Unlike sound_key, slots keep v and f, one consonant ("Novikov", "Новиков", "نوفيكوف":
# Arabic script writes a foreign v with ف). w is a vowel letter (Arabic و: "Peshawar",
# "پیشاور") but in the fine key, for the alphabets that write every vowel, where it is v
# ("Shcherbakow").
_SLOT_VOWELS = frozenset("aeiouyw")
_FINE_VOWELS = frozenset("aeiouy")
_COARSE_V = str.maketrans("f", "v")
_FINE_V = str.maketrans("fw", "vv")


@lru_cache(maxsize=65536)
def word_slots(text: str, fine: bool = False) -> Slots:
    """The slots of one written word, a final h kept (``Slots.then`` may follow); ``fine``:
    w is v, as Latin and Cyrillic spellings meet."""
    s = _classes(unicodedata.normalize("NFKC", _MARKS.sub("", text)))
    if fine:
        s, vowel_letters = s.translate(_FINE_V), _FINE_VOWELS
    else:
        s, vowel_letters = s.translate(_COARSE_V), _SLOT_VOWELS
    out: list[str] = []
    vowels = [""]
    for ch in s:
        if ch in vowel_letters:
            vowels[-1] += ch
        elif not out or ch != out[-1]:
            out.append(ch)
            vowels.append("")
    return Slots("".join(out).lower(), tuple(vowels))


def sound_slots(text: str, fine: bool = False) -> Slots:
    """The key of a name and its vowel slots (the module docstring). The key is
    ``sound_key``'s but that v and f are heard (``sound_slots("Novikov").key`` is 'nvkv'
    where ``sound_key`` gives 'nk'), Arabic script is read letter by letter, and a name of
    vowels only has ''. ``fine`` hears w as v too."""
    slots = Slots("", ("",))
    for word in _WORDS.findall(text):
        slots = slots.then(word_slots(word, fine))
    return slots.heard()


_WORDS = re.compile(r"[^\W\d_]+")
_ANY = ("latin", "cyrillic", "arabic", "other")
# (script of the name, what is written, how another convention writes it, the scripts of
# the words that spelling may be met in)
_RULES: tuple[tuple[str, re.Pattern[str], str, tuple[str, ...]], ...] = (
    # French ch is sh ("Chirac", "Ширак"); Greek ch is kh ("orchid", "орхидея")
    ("latin", re.compile(r"(?<![cst])ch"), "sh", _ANY),
    ("latin", re.compile(r"(?<![cst])ch"), "kh", ("cyrillic", "arabic")),
    # Spanish writes kh as j ("Jalid"), French writes zh as j ("Jdanov")
    ("latin", re.compile(r"kh"), "j", ("latin",)),
    ("latin", re.compile(r"j"), "kh", ("cyrillic", "arabic")),
    ("latin", re.compile(r"(?<!d)j"), "zh", ("cyrillic", "arabic")),
    # Spanish y for ج ("Yabhat al Nusra")
    ("latin", re.compile(r"(?<!d)j"), "y", ("latin",)),
    # z for ظ and ذ (Persian "Nazari" for نظری), gh for ق (Persian "Ghasem" for قاسم), j
    # for g (Egyptian ج: "تيليجرام"), a construct ة ("Jabhat" for جبهة)
    ("latin", re.compile(r"z"), "dh", ("arabic",)),
    ("latin", re.compile(r"gh"), "q", ("arabic",)),
    ("latin", re.compile(r"(?<!n)g(?!h)"), "j", ("arabic",)),
    ("latin", re.compile(r"(?<=[a-z])[ae]t(?=[\s-])"), "ah", ("arabic",)),
    # French ш "ch", ж "j"; Spanish х "j" ("Jruschov")
    ("cyrillic", re.compile("ш"), "ch", ("latin",)),
    ("cyrillic", re.compile("ж"), "j", ("latin",)),
    ("cyrillic", re.compile("х"), "j", ("latin",)),
    # Persian and Turkish z for ظ ذ ض, s for ث; Egyptian g for ج; Persian and Gulf g for ق;
    # Spanish j for خ; French ch for ش ("Chérif")
    ("arabic", re.compile("[ظذض]"), "ز", _ANY),
    ("arabic", re.compile("ث"), "س", _ANY),
    ("arabic", re.compile("ج"), "گ", _ANY),
    ("arabic", re.compile("ق"), "گ", _ANY),
    ("arabic", re.compile("خ"), "j", ("latin",)),
    ("arabic", re.compile("ة(?=\\s)"), "ت", _ANY),
    ("arabic", re.compile("ش"), "ch", ("latin",)),
)
_MAX_SPELLINGS = 16


def spellings(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Other spellings of a name, in the conventions of the languages warnings are written
    in, each with the scripts of the words it may be met in: ``spellings("Khalid")`` holds
    ``("jalid", ("latin",))``. Rules combine (at most 16 spellings); () where none apply."""
    name = script(text)
    lowered = latin(text) if name == "latin" else text.casefold()
    rules = [r for r in _RULES if r[0] == name and r[1].search(lowered)]
    out: dict[str, tuple[str, ...]] = {}
    for n in range(1, len(rules) + 1):
        for combo in itertools.combinations(rules, n):
            spelled = lowered
            where = set(_ANY)
            for _, pattern, other, scripts in combo:
                spelled = pattern.sub(other, spelled)
                where &= set(scripts)
            if where and spelled != lowered and spelled not in out:
                out[spelled] = tuple(s for s in _ANY if s in where)
            if len(out) >= _MAX_SPELLINGS:
                return tuple(out.items())
    return tuple(out.items())
