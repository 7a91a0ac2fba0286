"""Text as the readers of other languages match it, with a way back to the original.

Matching wants one spelling per word: lower case, no accents or vowel marks, one form of
the letters that Arabic and Farsi write two ways (ي/ی/ى, ك/ک, ه/ة, أ/إ/آ → ا), no
tatweel, Western digits for Arabic-Indic and Persian ones, ё as е. The evidence must
stay the text as written, so ``normalise`` keeps, for every character it gives, the
offset of the character it came from.

    >>> n = normalise("هجوم بالقاهرةِ في ٢٢ مارس")
    >>> n.text
    'هجوم بالقاهره في 22 مارس'
    >>> n.original(5, 14)
    (5, 15)
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# After NFKD and the removal of combining marks (which takes hamza and madda off alef,
# waw and yeh, and vowel marks off everything): the letters written two ways.
_LETTERS = {
    "ی": "ي",  # Farsi yeh
    "ى": "ي",  # alef maksura
    "ک": "ك",  # Farsi kaf
    "ة": "ه",  # ta marbuta
    "ۀ": "ه",
    "ٱ": "ا",  # alef wasla
    "\u200c": " ",  # zero-width non-joiner: Farsi's joint between a word and its affix
    "\u0640": "",  # tatweel
    "\u200d": "",
    "\u200e": "",
    "\u200f": "",
    "\u061c": "",
    "\u00ad": "",
    "’": "'",
    "ʼ": "'",
    "«": '"',
    "»": '"',
}
_DIGITS = {chr(0x660 + i): str(i) for i in range(10)} | {chr(0x6F0 + i): str(i) for i in range(10)}


@lru_cache(maxsize=8192)
def _char(ch: str) -> str:
    if ch in _LETTERS:
        return _LETTERS[ch]
    if ch in _DIGITS:
        return _DIGITS[ch]
    out = []
    for c in unicodedata.normalize("NFKD", ch):
        if unicodedata.combining(c):
            continue
        c = c.casefold()
        out.append(_LETTERS.get(c, c))
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Normal:
    """The normalised text and, for each of its characters, where it came from."""

    text: str
    origin: tuple[int, ...]  # origin[i]: offset in the original of text[i]
    length: int  # the original's length

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of the normalised range [start, end)."""
        if start >= end:
            at = self.origin[start] if start < len(self.origin) else self.length
            return at, at
        return self.origin[start], self.origin[end - 1] + 1


def normalise(text: str) -> Normal:
    """The text lower-cased and with its letter variants folded (see the module)."""
    if text.isascii():
        return Normal(text.lower(), tuple(range(len(text))), len(text))
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        mapped = _char(ch)
        chars.append(mapped)
        origin.extend([i] * len(mapped))
    return Normal("".join(chars), tuple(origin), len(text))


def word(text: str) -> str:
    """One word or phrase of a lexicon, normalised as text is."""
    return " ".join(normalise(text).text.split())
