"""Casualty counts: "killing at least 133 people", "145 dead", "more than 280 injured".

Quantifiers map to a ``Count`` (min, max) as follows - documented in docs/extract-json.md:
exact "145" -> 145..145; "at least N", "N or more" -> N..None; "more than N", "over N"
-> N+1..None; "about/some/nearly/almost/around N" -> N..N (the span keeps the hedge);
"up to N", "as many as N" -> 1..N; "between N and M", "N to M" -> N..M; "dozens" ->
24..None; "scores" -> 40..None; "hundreds" -> 200..None; "several" -> 3..None;
"a dozen" -> 12..12.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tearline.model import Count, Span

_UNITS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
# Vague plurals: the smallest number the word can honestly mean, and no maximum.
_VAGUE = {"dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2000, "several": 3}

_WORD = "|".join(
    sorted([*(k for k in _UNITS if k not in ("a", "an")), *_TENS], key=len, reverse=True)
)
NUMBER = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+|(?:(?:{_WORD})(?:[ -](?:{_WORD}))?"
    rf"(?: hundred(?: and (?:{_WORD})(?:[ -](?:{_WORD}))?)?)?)|a dozen|dozens|scores|hundreds"
    rf"|thousands|several|a hundred)"
)
_QUANT = (
    r"(?:at least|more than|over|well over|nearly|almost|about|around|approximately|some"
    r"|roughly|up to|as many as|an estimated|a total of|at most|fewer than|less than)"
)
_KILLED = r"(?:killed|dead|died|slain|murdered|massacred|perished|lost their lives)"
_INJURED = r"(?:injured|wounded|hurt|maimed)"
_NOUN_GAP = r"(?:\s+(?!(?:and|or|but|which|who|that|were|was|in|on|at)\b)[a-z][a-z'-]*){0,3}?"
_BE = r"(?:\s+(?:were|was|are|have been|had been|has been|are reported|were reported|reportedly))?"

# "at least 95 killed", "145 dead", "more than 95 people were killed", "ONE DEAD TERRORIST"
_NUMBER_FIRST = re.compile(
    rf"\b(?:between\s+(?P<a>{NUMBER})\s+and\s+|(?P<b>\d+)\s*(?:to|-|\u2013)\s*|(?P<q>{_QUANT}\s+))?"
    rf"(?P<n>{NUMBER})(?P<more>\s+or more)?{_NOUN_GAP}{_BE}\s+"
    rf"(?:(?P<k>{_KILLED})|(?P<i>{_INJURED}))\b",
    re.IGNORECASE,
)
_MONTHS = r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
# "killing at least 133 people", "injured more than 280"
_VERB_FIRST = re.compile(
    r"\b(?:(?P<k>kill(?:ed|ing|s)?)|(?P<i>injur(?:ed|ing|es)|wound(?:ed|ing|s)))"
    rf"\s+(?P<q>{_QUANT}\s+)?(?P<n>{NUMBER})(?P<more>\s+or more)?\b(?!\s*(?:{_MONTHS}))",
    re.IGNORECASE,
)
# "the death toll rose to 140", "death toll of at least 95"
_TOLL = re.compile(
    r"\bdeath toll\b(?:\s+\w+){0,3}?\s+(?:to|at|of|reached|is|was|stands at)\s+"
    rf"(?P<q>{_QUANT}\s+)?(?P<n>{NUMBER})\b",
    re.IGNORECASE,
)


# One person named by a noun: "a peasant was killed", "killing a guard" -> 1.
_PERSON = (
    r"(?:man|woman|child|boy|girl|person|civilian|peasant|farmer|soldier|policeman"
    r"|police officer|officer|guard|student|worker|journalist|priest|tourist|passenger"
    r"|pedestrian|villager|businessman|judge|mayor|teacher|nurse|doctor)"
)
_ONE = rf"(?:a|an|one)\s+(?:(?:young|local|foreign|former|retired)\s+)?{_PERSON}"
_KILLED_ONE = (
    r"(?:killed|shot dead|stabbed to death|beaten to death|murdered|slain|shot and killed)"
)
_ONE_FIRST = re.compile(
    rf"\b(?<!\bno )(?P<n>{_ONE})\s+(?:was|has been|had been|is)\s+(?:reportedly\s+)?"
    rf"(?:(?P<k>{_KILLED_ONE})|(?P<i>{_INJURED}))\b",
    re.IGNORECASE,
)
_ONE_AFTER = re.compile(
    r"\b(?:(?P<k>kill(?:ed|ing|s)?|shot dead|shooting dead|murder(?:ed|ing|s)?"
    r"|stabb(?:ed|ing) to death)|(?P<i>injur(?:ed|ing|es)|wound(?:ed|ing|s)))"
    rf"\s+(?P<n>{_ONE})\b",
    re.IGNORECASE,
)

# Every pattern needs one of these words; most sentences have none.
_CUE = re.compile(
    r"kill|dead|died|slain|murder|massacre|perish|lives|injur|wound|hurt|maim|toll|death",
    re.IGNORECASE,
)


_NOBODY = re.compile(r"\bno one\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CountMention:
    killed: bool  # False: injured
    count: Count


def number_value(text: str) -> int | None:
    """'133' -> 133, 'two hundred and fifty' -> 250, 'twenty-five' -> 25."""
    t = text.lower().replace(",", "").strip()
    if t.isdigit():
        return int(t)
    if t in _VAGUE:
        return _VAGUE[t]
    if t in ("a dozen",):
        return 12
    total, current = 0, 0
    for word in re.split(r"[ -]+", t):
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word != "and":
            return None
    return total + current


def _bounds(quant: str, number: str, more: bool) -> tuple[int, int | None] | None:
    n = number_value(number)
    if n is None:
        return None
    q = " ".join(quant.lower().split())
    if number.lower() in _VAGUE:
        return n, None
    if more or q == "at least":
        return n, None
    if q in ("more than", "over", "well over"):
        return n + 1, None  # "more than 280" is at least 281
    if q in ("up to", "as many as", "at most"):
        return min(1, n), n
    if q in ("fewer than", "less than"):
        return min(1, n - 1), max(n - 1, 0)
    return n, n


def find_counts(text: str, start: int, end: int) -> list[tuple[Span, CountMention]]:
    """Casualty counts in text[start:end], as (span, mention), in text order."""
    found: dict[tuple[int, bool], tuple[Span, CountMention]] = {}
    if not _CUE.search(text, start, end):
        return []
    for pattern in (_ONE_FIRST, _ONE_AFTER):
        for m in pattern.finditer(text, start, end):
            span = Span(m.start(), m.end(), text[m.start() : m.end()])
            killed = m.group("k") is not None
            found.setdefault(
                (m.start("n"), killed), (span, CountMention(killed, Count(1, 1, span)))
            )
    for pattern in (_NUMBER_FIRST, _VERB_FIRST, _TOLL):
        for m in pattern.finditer(text, start, end):
            if _NOBODY.search(text, max(start, m.start() - 3), m.start() + 4):
                continue  # "no one was hurt"
            killed = pattern is _TOLL or m.group("k") is not None
            bounds = _bounds(m.group("q") or "", m.group("n"), bool(m.groupdict().get("more")))
            low = m.groupdict().get("a") or m.groupdict().get("b")
            if bounds is not None and low is not None:
                low_value = number_value(low)
                bounds = None if low_value is None else (low_value, bounds[0])
            if bounds is None or _looks_like_year(m.group("n"), bounds[0]):
                continue
            span = Span(m.start(), m.end(), text[m.start() : m.end()])
            key = (m.start("n"), killed)
            if key not in found:
                found[key] = (span, CountMention(killed, Count(bounds[0], bounds[1], span)))
    return [found[k] for k in sorted(found)]


def _looks_like_year(number: str, value: int) -> bool:
    return number.isdigit() and len(number) == 4 and 1900 <= value <= 2100
