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
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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
    if 0x400 <= o < 0x530 or 0x1C80 <= o < 0x1C90 or 0x2DE0 <= o < 0xA6A0 and o >= 0xA640:
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
