"""Text primitives: offset-preserving case folding, and the units a document is read in.

Every later step works on character offsets into the original text, so folding never
changes the length of the text and units are plain (start, end) ranges.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from itertools import pairwise

from tearline.extract import _lexdata

# Characters folded to a plain equivalent so that "al-Qaeda" matches "al Qaeda" and a
# curly apostrophe matches a straight one. Each maps one character to one character.
_PUNCT = {
    "-": " ",
    "\u2010": " ",
    "\u2011": " ",
    "\u2012": " ",
    "\u2013": " ",
    "\u2014": " ",
    "\n": " ",
    "\r": " ",
    "\t": " ",
    "\u00a0": " ",
    "\u2019": "'",
    "\u2018": "'",
    "`": "'",
    "\u00b4": "'",
    "\u201c": '"',
    "\u201d": '"',
}
_ASCII_TABLE = str.maketrans({k: v for k, v in _PUNCT.items() if k.isascii()})


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    if c in _PUNCT:
        return _PUNCT[c]
    base = "".join(x for x in unicodedata.normalize("NFD", c) if not unicodedata.combining(x))
    low = (base or c).lower()
    if len(low) == 1:
        return low
    low = c.lower()
    return low if len(low) == 1 else c


def fold(text: str) -> str:
    """Lowercase, accents and dashes removed; ``len(fold(t)) == len(t)`` always."""
    if text.isascii():
        return text.lower().translate(_ASCII_TABLE)
    if len(text) < 64:
        return "".join([_fold_char(c) for c in text])
    table = {ord(c): _fold_char(c) for c in set(text)}
    return text.translate(table)


def fold_key(name: str) -> str:
    """The form a name takes in a phrase index: folded, single spaces."""
    return " ".join(fold(name).split())


def is_upper_text(text: str) -> bool:
    """Text whose letter case says nothing about names: all capitals (wire services,
    MUC-4) or all lower case (lowercased corpora, chat). Extraction reads it caselessly."""
    head = text[:20000]
    lower = sum(map(str.islower, head))
    upper = sum(map(str.isupper, head))
    letters = lower + upper
    return (upper > 20 and lower < 0.05 * letters) or (lower > 20 and upper < 0.002 * letters)


class Role(Enum):
    """What a unit of a document is: extraction reads body, subject and title units."""

    META = "meta"  # a header line such as "Serial: ..." or "Date: ..."
    SUBJECT = "subject"  # "Subject: ..." - read like a headline
    TITLE = "title"  # a short line in the header block
    BODY = "body"


@dataclass(frozen=True, slots=True)
class Unit:
    """A sentence (or header line) of a document, as offsets into its text."""

    start: int
    end: int
    role: Role
    paragraph: int
    index: int


_BLANK = re.compile(r"\n[ \t\r]*\n")
_ENUMERATOR = re.compile(r"[ \t]*(?:\(?\d{1,3}[.)]|\(?[a-z][.)]|[-*\u2022])[ \t]+")
_HEADER_KEY = re.compile(r"[ \t]*([A-Za-z][A-Za-z /-]{0,30}):[ \t]*\S")
_MARKING = re.compile(r"\bTLP:|\bCLASSIFICATION\b|\b(?:UNCLASSIFIED|SECRET|CONFIDENTIAL)//")
# The header keys and abbreviations of English documents (data/lexicon/en/text.toml).
_WORDS = _lexdata.load("en").text
_CONTENT_KEYS = _WORDS.content_keys
_META_KEYS = _WORDS.meta_keys
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*\s+")
_ABBREVIATIONS = _WORDS.abbreviations
MAX_UNIT = 1200  # longer sentences are cut at a space: keeps later steps linear


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: split at blank lines and at enumerated lines."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in [*_BLANK.finditer(text), None]:
        end = m.start() if m else len(text)
        out.extend(_split_enumerated(text, pos, end))
        pos = m.end() if m else len(text)
    return [(s, e) for s, e in out if text[s:e].strip()]


def _split_enumerated(text: str, start: int, end: int) -> list[tuple[int, int]]:
    cuts = [start]
    pos = text.find("\n", start, end)
    while pos != -1:
        if _ENUMERATOR.match(text, pos + 1, end):
            cuts.append(pos + 1)
        pos = text.find("\n", pos + 1, end)
    cuts.append(end)
    return [(a, b) for a, b in pairwise(cuts) if a < b]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_abbreviation(text: str, dot: int, start: int) -> bool:
    i = dot
    while i > start and not text[i - 1].isspace():
        i -= 1
    token = text[i:dot].lstrip("([\"'").lower()
    if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
        return True
    return bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", token))  # "U.S", "e.g"


def sentences(text: str, start: int, end: int, upper: bool) -> list[tuple[int, int]]:
    """Sentence ranges inside one paragraph."""
    m = _ENUMERATOR.match(text, start, end)
    if m and m.group().strip()[:1].isdigit():
        start = m.end()  # "1. A source ..." - the paragraph number is not text
    out: list[tuple[int, int]] = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        nxt = m.end()
        if nxt >= end:
            break
        c = text[nxt]
        starts_sentence = c.isupper() or c.isdigit() or c in "\"'\u201c(["
        if (upper or starts_sentence) and not _is_abbreviation(text, m.start(), pos):
            out.append((pos, m.end()))
            pos = nxt
    out.append((pos, end))
    return [r for s, e in out for r in _cut_long(text, *_trim(text, s, e)) if r[0] < r[1]]


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    while end - start > MAX_UNIT:
        cut = text.rfind(" ", start + MAX_UNIT // 2, start + MAX_UNIT)
        cut = cut if cut > start else start + MAX_UNIT
        out.append(_trim(text, start, cut))
        start = cut
    out.append(_trim(text, start, end))
    return out


def units(text: str, upper: bool) -> list[Unit]:
    """The document as header lines and sentences, in order."""
    out: list[Unit] = []
    paras = paragraphs(text)
    for p, (start, end) in enumerate(paras):
        lines = _header_lines(text, start, end) if p == 0 else None
        if lines is not None:
            for s, e, role in lines:
                out.append(Unit(s, e, role, p, len(out)))
            continue
        for s, e in sentences(text, start, end, upper):
            out.append(Unit(s, e, Role.BODY, p, len(out)))
    return out


def _header_lines(text: str, start: int, end: int) -> list[tuple[int, int, Role]] | None:
    """Lines of a header block ("Serial: ...", "Subject: ..."), or None if it is prose."""
    spans: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl == -1 else nl
        s, e = _trim(text, pos, stop)
        if s < e:
            spans.append((s, e))
        pos = stop + 1
    keys = [_HEADER_KEY.match(text, s, e) for s, e in spans]
    known = [k for k in keys if k and _key(k) in _META_KEYS | _CONTENT_KEYS]
    if not known or any(e - s > 160 for s, e in spans):
        return None
    out: list[tuple[int, int, Role]] = []
    for (s, e), key in zip(spans, keys, strict=True):
        if _MARKING.search(text, s, e):
            out.append((s, e, Role.META))  # handling marks are never content
        elif key is None or _key(key) not in _META_KEYS | _CONTENT_KEYS:
            out.append((s, e, Role.TITLE))
        elif _key(key) in _CONTENT_KEYS:
            out.append((key.end() - 1, e, Role.SUBJECT))
        else:
            out.append((s, e, Role.META))
    return out


def _key(m: re.Match[str]) -> str:
    return " ".join(m.group(1).lower().split())


def sentence_initial(text: str, unit: Unit, pos: int) -> bool:
    """Whether only punctuation or an enumerator stands between the unit start and pos."""
    head = text[unit.start : pos]
    return not any(c.isalnum() for c in head)
