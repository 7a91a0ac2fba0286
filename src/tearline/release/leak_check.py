"""The leak check: no protected term may appear in anything that is released.

Terms come from the source (names, code words, collection methods), from spans an
analyst marks, and from built-in patterns (classification markings, report serials,
collection vocabulary). Each artifact is checked as written and as a reader would decode
it: HTML and XML entities and markup, JSON escapes, percent-encoding, JWS payloads, and
every part of an e-mail (headers decoded, quoted-printable and base64 bodies, attachments)
— after Unicode normalisation (NFKC), removal of invisible characters, folding of common
look-alike letters and of case. A protected place name is also matched in the other
languages Tearline writes (its GeoNames and CLDR names), since warnings are translated.

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
from typing import Any
from urllib.parse import unquote

from tearline.errors import LeakDetected

# Look-alike letters from other scripts that NFKC leaves alone (Cyrillic, Greek).
_CONFUSABLES = str.maketrans(
    "аеорсухіјѕԁԛԝһӏАВЕКМНОРСТХІЈЅαβεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdqwhlABEKMHOPCTXIJSabeiknoptuxABEZHIKMNOPTYX",
)
_WORD = re.compile(r"[^\w]+", re.UNICODE)


@functools.cache
def _fold_table() -> dict[int, int | None]:
    """Look-alikes to Latin, and every format character (Unicode category Cf: zero-width,
    bidi controls, BOM, ...) to nothing — one table, one pass."""
    invisible = (c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf")
    return {**dict.fromkeys(invisible), **_CONFUSABLES}


def fold(text: str) -> str:
    """NFKC, drop invisible format characters, fold look-alikes and case."""
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

    def matches(self, folded: str, skel: str, squashed: str) -> str | None:
        """The matched text, or None."""
        if self.pattern is not None:
            if self.hints and not any(h in folded for h in self.hints):
                return None
            m = self.pattern.search(folded)
            return m.group(0) if m else None
        assert self.term is not None
        for form in _forms(self.term):
            if _literal_match(form, skel, squashed):
                return self.term
        return None


def _literal_match(term: str, skel: str, squashed: str) -> bool:
    t = skeleton(term)
    bare = t.replace(" ", "")
    if len(t.strip()) < 4:  # short terms only as whole words
        return t in skel or f" {bare} " in _joined(skel)
    if t.strip() in skel:
        return True
    # "K E S T R E L" or "kestrel.lantern" spelled to dodge the check
    if f" {bare} " in _joined(skel):
        return True
    return len(bare) >= 6 and bare in squashed


_SPELLED = re.compile(r"(?<= )\w(?: \w){2,}(?= )")


@functools.lru_cache(maxsize=64)
def _joined(skel: str) -> str:
    """Letters spelled out one by one joined back into words: ' k a b u l ' → ' kabul '."""
    return _SPELLED.sub(lambda m: m.group(0).replace(" ", ""), skel)


@functools.lru_cache(maxsize=4096)
def _forms(term: str) -> tuple[str, ...]:
    """The term, and its names in the languages warnings are written in if it is a place."""
    from tearline.release.place_names import translations  # a lazy import: gazetteer data

    return (term, *translations(term))


def _builtin(name: str, kind: str, regex: str, hints: tuple[str, ...] = ()) -> ProtectedTerm:
    pattern = re.compile(regex)  # matched on folded (lower-case) text
    return ProtectedTerm(f"builtin:{name}", kind, pattern=pattern, hints=hints)


BUILTIN_TERMS: tuple[ProtectedTerm, ...] = (
    _builtin(
        "classification",
        "classification_marking",
        r"top\s*secret|\bsecret\s*//|//\s*(?:noforn|orcon|rel\b)|\bnoforn\b|\borcon\b"
        r"|\bts\s*//\s*sci\b|\((?:ts|s|c)\s*//[^)]*\)|\bconfidential\s*//",
        ("secret", "//", "noforn", "orcon"),
    ),
    _builtin("report-serial", "report_identifier", r"\b[a-z]{2,5}-\d{4}-\d{3,}(?:-\d+)?\b"),
    _builtin(
        "collection-vocabulary",
        "collection_method",
        r"\bintercept(?:s|ed|ion)?\b|\b(?:sig|hum|im|mas|geo)int\b|\bwiretap|\binformant"
        r"|\bclandestine\b|\bcode\s*word|\bsub-?source\b|\bsource with (?:direct|indirect)"
        r"|\bsignals intelligence\b|\bhuman intelligence\b|\bliaison service\b",
        ("intercept", "int", "wiretap", "informant", "clandestine", "code", "source", "liaison"),
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
    for name, artifact in artifacts.items():
        seen: set[str] = set()
        views: set[str] = set()
        for view in decoded_views(artifact):
            if view in views:
                continue
            views.add(view)
            folded = fold(view)
            skel = skeleton(view, folded)
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
