"""The leak check: no protected term may appear in anything that is released.

Terms come from the source (names, code words, collection methods), from spans an
analyst marks, and from built-in patterns (classification markings, report serials,
collection vocabulary). Each artifact is checked as written and as a reader would decode
it (HTML entities, JSON escapes, a JWS payload), after Unicode normalisation (NFKC),
removal of invisible characters, folding of common look-alike letters and of case.

A refusal names the term to the officer who attempted the release; the audit record and
logs name only the term's ID, never its text.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import html
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tearline.errors import LeakDetected

# Look-alike letters from other scripts that NFKC leaves alone (Cyrillic, Greek).
_CONFUSABLES = str.maketrans(
    "аеорсухіјѕԁԛԝһӏАВЕКМНОРСТХІЈЅαβεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdqwhlABEKMHOPCTXIJSabeiknoptuxABEZHIKMNOPTYX",
)
_WORD = re.compile(r"[^\w]+", re.UNICODE)


def fold(text: str) -> str:
    """NFKC, drop invisible format characters, fold look-alikes and case."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return text.translate(_CONFUSABLES).casefold()


def skeleton(text: str) -> str:
    """Folded words separated by single spaces: 'KESTREL-lantern' → 'kestrel lantern'."""
    return " " + _WORD.sub(" ", fold(text).replace("_", " ")).strip() + " "


@dataclass(frozen=True)
class ProtectedTerm:
    id: str  # "PT-3", or "builtin:<name>"
    kind: str  # code_word, source_name, collection_method, marked_span, classification, ...
    term: str | None = None  # a literal term
    pattern: re.Pattern[str] | None = None  # a built-in pattern, matched on folded text

    def matches(self, folded: str, skel: str, squashed: str) -> str | None:
        """The matched text, or None."""
        if self.pattern is not None:
            m = self.pattern.search(folded)
            return m.group(0) if m else None
        assert self.term is not None
        t = skeleton(self.term)
        if len(t.strip()) < 4:  # short terms only as whole words
            return self.term if t in skel else None
        if t.strip() in skel:
            return self.term
        # "K E S T R E L" or "kestrel.lantern" spelled to dodge the check
        bare = t.replace(" ", "")
        return self.term if len(bare) >= 6 and bare in squashed else None


def _builtin(name: str, kind: str, regex: str) -> ProtectedTerm:
    return ProtectedTerm(f"builtin:{name}", kind, pattern=re.compile(regex, re.IGNORECASE))


BUILTIN_TERMS: tuple[ProtectedTerm, ...] = (
    _builtin(
        "classification",
        "classification_marking",
        r"top\s*secret|\bsecret\s*//|//\s*(?:noforn|orcon|rel\b)|\bnoforn\b|\borcon\b"
        r"|\bts\s*//\s*sci\b|\((?:ts|s|c)\s*//[^)]*\)|\bconfidential\s*//",
    ),
    _builtin("report-serial", "report_identifier", r"\b[a-z]{2,5}-\d{4}-\d{3,}(?:-\d+)?\b"),
    _builtin(
        "collection-vocabulary",
        "collection_method",
        r"\bintercept(?:s|ed|ion)?\b|\b(?:sig|hum|im|mas|geo)int\b|\bwiretap|\binformant"
        r"|\bclandestine\b|\bcode\s*word|\bsub-?source\b|\bsource with (?:direct|indirect)"
        r"|\bsignals intelligence\b|\bhuman intelligence\b|\bliaison service\b",
    ),
)


@dataclass(frozen=True)
class Leak:
    artifact: str
    term: ProtectedTerm
    found: str


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


def decoded_views(artifact: str) -> Iterator[str]:
    """The artifact as written and as decoded: entities, JSON escapes, JWS payloads."""
    yield artifact
    unescaped = html.unescape(artifact)
    if unescaped != artifact:
        yield unescaped
    unicode_escaped = _U_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), artifact)
    if unicode_escaped != artifact:
        yield unicode_escaped
    with contextlib.suppress(json.JSONDecodeError, RecursionError):
        yield "\n".join(_json_strings(json.loads(artifact)))
    for m in _JWS.finditer(artifact):
        for part in m.group(1, 2):
            try:
                decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
                yield from decoded_views(decoded.decode("utf-8", errors="replace"))
            except (binascii.Error, ValueError):
                continue


def find_leaks(artifacts: Mapping[str, str], terms: Sequence[ProtectedTerm]) -> list[Leak]:
    """Every (artifact, term) pair where a protected term appears."""
    leaks: list[Leak] = []
    all_terms = (*terms, *BUILTIN_TERMS)
    for name, artifact in artifacts.items():
        seen: set[str] = set()
        for view in decoded_views(artifact):
            folded, skel = fold(view), skeleton(view)
            squashed = skel.replace(" ", "")
            for term in all_terms:
                if term.id in seen:
                    continue
                found = term.matches(folded, skel, squashed)
                if found is not None:
                    seen.add(term.id)
                    leaks.append(Leak(name, term, found))
    return leaks


def ensure_no_leak(artifacts: Mapping[str, str], terms: Sequence[ProtectedTerm]) -> None:
    """Raise LeakDetected for the first leak, naming the term and the artifact."""
    leaks = find_leaks(artifacts, terms)
    if leaks:
        first = leaks[0]
        more = f" (and {len(leaks) - 1} more)" if len(leaks) > 1 else ""
        raise LeakDetected(
            f"release refused: {first.artifact} contains protected "
            f"{first.term.kind.replace('_', ' ')} {first.found!r} ({first.term.id}){more}; "
            "coarsen or withhold the fact that carries it, then propose the release again",
            term_id=first.term.id,
            artifact=first.artifact,
        )
