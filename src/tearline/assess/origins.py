"""Whether two reports share an origin: one text re-sent, re-typed or cut, a passage
lifted whole, a report citing another, the same serial number.

Corroboration is only worth something when it is independent; circular reporting (one
origin echoed through several channels) is how analysts fool themselves. This module is
pure: it compares texts, and the thresholds and cue phrases are data
(``tearline/data/origins.toml``, extended by a deployment's own file).

Near-duplicates are found with word shingles compared exactly (Jaccard and containment of
the two sets), not estimated with MinHash: ingest compares a new report with a bounded
set of recent ones, where exact sets are as fast as signatures (bench/origins.py measures
both) and leave no estimation error near the threshold.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class OriginRules:
    """The thresholds, cue phrases and patterns of ``data/origins.toml``."""

    shingle_words: int = 3
    jaccard: float = 0.2
    containment: float = 0.35
    min_shingles: int = 12
    passage_words: int = 10
    citation_window: int = 8
    cues: tuple[str, ...] = ()
    references: tuple[re.Pattern[str], ...] = ()
    boilerplate: tuple[re.Pattern[str], ...] = ()
    window_days: int = 90
    max_candidates: int = 2000
    problems: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Reported:
    """One report as the comparison sees it: its reference, text, source name and title."""

    ref: str
    text: str
    source: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Fingerprint:
    """What is compared of one report, computed once."""

    ref: str
    words: tuple[str, ...]
    shingles: frozenset[str]
    passages: frozenset[str]
    references: frozenset[str]
    names: tuple[tuple[str, ...], ...]  # its source name, title and ref, as words
    vocabulary: frozenset[str] = frozenset()  # its words, to skip what cannot match


@dataclass(frozen=True)
class Link:
    """Why two reports share an origin: ``kind`` is near_duplicate, contained, passage,
    citation or reference; ``why`` says it for a person."""

    kind: str
    score: float
    why: str


# --- the rules ----------------------------------------------------------------------------

_NUMBERS = {
    ("near_duplicate", "shingle_words"): ("shingle_words", int),
    ("near_duplicate", "jaccard"): ("jaccard", float),
    ("near_duplicate", "containment"): ("containment", float),
    ("near_duplicate", "min_shingles"): ("min_shingles", int),
    ("passage", "min_words"): ("passage_words", int),
    ("citation", "window"): ("citation_window", int),
    ("ingest", "window_days"): ("window_days", int),
    ("ingest", "max_candidates"): ("max_candidates", int),
}


def _compile(raw: Iterable[Any], where: str, problems: list[str]) -> list[re.Pattern[str]]:
    out = []
    for p in raw:
        try:
            out.append(re.compile(str(p), re.IGNORECASE | re.MULTILINE))
        except re.error as exc:
            problems.append(f"{where}: pattern {p!r} skipped: {exc}")
    return out


def _merge(data: Mapping[str, Any], into: dict[str, Any], problems: list[str], where: str) -> None:
    for (table, key), (name, kind) in _NUMBERS.items():
        value = (data.get(table) or {}).get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            problems.append(f"{where}: [{table}] {key} must be a positive number; kept default")
            continue
        into[name] = kind(value)
    into["cues"] += [str(c) for c in (data.get("citation") or {}).get("cues", [])]
    refs = (data.get("reference") or {}).get("patterns", [])
    into["references"] += _compile(refs, where, problems)
    plate = (data.get("boilerplate") or {}).get("patterns", [])
    into["boilerplate"] += _compile(plate, where, problems)


def load_rules(extra: Path | None = None) -> OriginRules:
    """The shipped rules, extended by ``extra`` (a deployment's file) if it exists. A file
    that cannot be read, or a key it gets wrong, is reported in ``problems``, never fatal."""
    return _load(extra)


@cache
def _load(extra: Path | None) -> OriginRules:
    shipped = resources.files("tearline.data").joinpath("origins.toml").read_text("utf-8")
    into: dict[str, Any] = {"cues": [], "references": [], "boilerplate": []}
    problems: list[str] = []
    _merge(tomllib.loads(shipped), into, problems, "origins.toml")
    if extra is not None and extra.is_file():
        try:
            _merge(tomllib.loads(extra.read_text("utf-8")), into, problems, str(extra))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError) as exc:
            problems.append(f"{extra}: not read: {exc}")
    cues = tuple(dict.fromkeys(_words(c) for c in into.pop("cues") if _words(c)))
    return OriginRules(
        cues=tuple(" ".join(c) for c in cues),
        references=tuple(into.pop("references")),
        boilerplate=tuple(into.pop("boilerplate")),
        problems=tuple(problems),
        **into,
    )


# --- fingerprints ---------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return tuple(_WORD.findall(folded.replace("_", " ")))


def normalise(text: str, rules: OriginRules) -> tuple[str, ...]:
    """The words that carry the report: boilerplate blanked, case, punctuation and
    whitespace folded away (reflowed lines and re-typed spacing compare equal)."""
    body = unicodedata.normalize("NFKC", text)
    for pattern in rules.boilerplate:
        body = pattern.sub(" ", body)
    return _words(body)


def _grams(words: tuple[str, ...], n: int) -> frozenset[str]:
    if len(words) < n:
        return frozenset({" ".join(words)}) if words else frozenset()
    return frozenset(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))


def _reference_key(match: str) -> str:
    return " ".join(_WORD.findall(match.upper()))


def fingerprint(report: Reported, rules: OriginRules) -> Fingerprint:
    words = normalise(report.text, rules)
    refs = {_reference_key(m.group(0)) for p in rules.references for m in p.finditer(report.text)}
    names = tuple(
        w
        for w in (_words(report.source or ""), _words(report.title or ""), _words(report.ref))
        if w
    )
    return Fingerprint(
        ref=report.ref,
        words=words,
        shingles=_grams(words, rules.shingle_words),
        passages=_grams(words, rules.passage_words)
        if len(words) >= rules.passage_words
        else frozenset(),
        references=frozenset(refs),
        names=names,
        vocabulary=frozenset(words),
    )


# --- comparing two ----------------------------------------------------------------------


def _find(words: tuple[str, ...], phrase: tuple[str, ...]) -> list[int]:
    n = len(phrase)
    return [i for i in range(len(words) - n + 1) if words[i : i + n] == phrase]


def _cites(citing: Fingerprint, cited: Fingerprint, rules: OriginRules) -> str | None:
    """The cue phrase by which ``citing`` attributes what it says to ``cited``, if any."""
    names = [n for n in cited.names if n[0] in citing.vocabulary]
    if not names:
        return None
    for cue in rules.cues:
        cue_words = tuple(cue.split())
        for i in _find(citing.words, cue_words):
            after = citing.words[i + len(cue_words) : i + len(cue_words) + rules.citation_window]
            for name in names:
                if _find(after, name):
                    return cue
    return None


def _passage(a: Fingerprint, b: Fingerprint) -> str | None:
    shared = a.passages & b.passages
    if not shared:
        return None
    # The first shared run in a's order, for the reason.
    return next((p for p in _ordered(a, shared)), None)


def _ordered(fp: Fingerprint, among: frozenset[str]) -> Iterable[str]:
    n = len(next(iter(among)).split())
    for i in range(len(fp.words) - n + 1):
        p = " ".join(fp.words[i : i + n])
        if p in among:
            yield p


def compare(a: Fingerprint, b: Fingerprint, rules: OriginRules) -> Link | None:
    """How ``b`` shares ``a``'s origin (``a`` the earlier), or None when nothing ties them.
    The strongest tie wins: a re-sent text before a quoted passage before a citation."""
    sa, sb = a.shingles, b.shingles
    if sa and sb:
        common = len(sa & sb)
        jaccard = common / len(sa | sb)
        if jaccard >= rules.jaccard:
            return Link(
                "near_duplicate", jaccard, f"near-duplicate of {a.ref} (Jaccard {jaccard:.2f})"
            )
        small = min(len(sa), len(sb))
        contained = common / small
        if small >= rules.min_shingles and contained >= rules.containment:
            whole = "it holds" if len(sb) > len(sa) else "it is"
            return Link(
                "contained",
                contained,
                f"copy of {a.ref}: {whole} {contained:.0%} of the shorter text's word runs",
            )
    passage = _passage(a, b)
    if passage is not None:
        words = passage.split()
        shown = " ".join(words[:8]) + (" …" if len(words) > 8 else "")
        return Link("passage", 1.0, f"repeats a passage of {a.ref}: '{shown}'")
    cue = _cites(b, a, rules) or _cites(a, b, rules)
    if cue is not None:
        return Link("citation", 1.0, f"cites {a.ref} ('{cue}' its source)")
    shared = sorted(a.references & b.references)
    if shared:
        return Link("reference", 1.0, f"gives the same reference as {a.ref} ({shared[0]})")
    return None


def shared_origin(a: Reported, b: Reported, rules: OriginRules) -> Link | None:
    """Whether ``b`` shares ``a``'s origin (``a`` the earlier report)."""
    return compare(fingerprint(a, rules), fingerprint(b, rules), rules)
