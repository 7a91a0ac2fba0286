"""Property: whatever a threat's facts contain, no released warning holds a protected term —
in any tier, language or format — and every refusal names the term and the format.

Hypothesis builds threats whose actor, venue, named targets, weapon and city may carry a
protected term (a code word, a source's name, a collection method, a protected place),
sometimes disguised (case, zero-width characters, full-width forms, Cyrillic look-alikes,
spaced or hyphenated letters). Each is released as the pipeline releases it: cut to a
random tier, written in a random language plus English, every format rendered and signed.
The oracle is independent of the leak check: it reads each format with its standard parser
(the e-mail package, lxml, json, base64) and looks for the term and for the exact strings
that were planted. ``TEARLINE_LEAK_EXAMPLES`` sets the run size (default 1500).
"""

from __future__ import annotations

import base64
import json
import os
import re
import unicodedata
from collections import Counter
from datetime import timedelta
from email import message_from_string, policy
from email.message import EmailMessage
from typing import Any

import lxml.html
from babel import Locale
from babel.core import get_global
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from joserfc.jwk import OKPKey
from lxml import etree

from tearline.assess import assess
from tearline.errors import LeakDetected
from tearline.extract import gazetteer
from tearline.model import (
    Actor,
    Event,
    EventKind,
    Harm,
    HarmFact,
    Method,
    MethodFact,
    Modality,
    Place,
    PlacePrecision,
    Target,
    TargetType,
    Tier,
    TimePrecision,
    TimeWindow,
)
from tearline.release import (
    DEFAULT_POLICY,
    Envelope,
    ProtectedTerm,
    ensure_no_leak,
    releasable_facts,
    render_artifacts,
    warning_document,
)
from tearline.release.phrases import LANGUAGES
from tests.factories import DOC_DATE, span

EXAMPLES = int(os.environ.get("TEARLINE_LEAK_EXAMPLES", "1500"))
KEY = OKPKey.generate_key("Ed25519", parameters={"alg": "Ed25519"})
KEY.ensure_kid()

CODE_WORDS = ["KESTREL", "LANTERN", "ORCHID", "GRANITE", "MERIDIAN", "COBALT", "NIGHTJAR", "SABLE"]
PEOPLE = ["Farid Nazari", "Yusuf Oduya", "Dmitri Volkonsky", "Leyla Hashemi", "Omar Qadiri"]
METHODS = ["Telegram", "WhatsApp", "Threema relay", "satellite phone"]
CITIES = [
    ("Moscow", "RU"),
    ("Krasnogorsk", "RU"),
    ("Tehran", "IR"),
    ("Kerman", "IR"),
    ("Kabul", "AF"),
    ("Colombo", "LK"),
    ("Mumbai", "IN"),
    ("Madrid", "ES"),
]
GROUPS = ["ISIL Khorasan", "Al-Shabaab", "Boko Haram", "Tehrik-i-Taliban Pakistan"]
VENUES = ["Crocus City Hall", "Olympic Arena", "Central Station", "Grand Bazaar"]
WEAPONS = ["automatic rifles", "explosives", "a truck", "knives"]
LOOKALIKE = {"A": "А", "E": "Е", "O": "О", "P": "Р", "C": "С", "T": "Т", "X": "Х", "K": "К"}


@st.composite
def protected_terms(draw: st.DrawFn) -> list[ProtectedTerm]:
    code = " ".join(
        draw(st.lists(st.sampled_from(CODE_WORDS), min_size=2, max_size=2, unique=True))
    )
    terms = [
        ProtectedTerm("PT-1", "code_word", term=code),
        ProtectedTerm("PT-2", "source_name", term=draw(st.sampled_from(PEOPLE))),
        ProtectedTerm("PT-3", "collection_method", term=draw(st.sampled_from(METHODS))),
    ]
    if draw(st.booleans()):
        terms.append(ProtectedTerm("PT-4", "marked_span", term=draw(st.sampled_from(CITIES))[0]))
    return terms


def disguise(term: str, how: str) -> str:
    if how == "upper":
        return term.upper()
    if how == "lower":
        return term.lower()
    if how == "zero-width":
        return "\u200b".join(term)
    if how == "full-width":
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in term)
    if how == "lookalike":
        return "".join(LOOKALIKE.get(c, c) for c in term.upper())
    if how == "spaced":
        return " ".join(term.replace(" ", ""))
    if how == "hyphenated":
        return term.replace(" ", "-")
    return term


def cldr_names(city: str, country: str) -> list[str]:
    """The city's names in CLDR (straight from Babel's data), for the cities it knows."""
    zones = get_global("territory_zones").get(country, [])
    tz = next((z for z in zones if z.rsplit("/", 1)[-1].replace("_", " ") == city), None)
    if tz is None:
        return []
    names = (Locale.parse(lang).time_zones.get(tz, {}).get("city") for lang in LANGUAGES)
    return [str(n) for n in names if n]


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    terms = draw(protected_terms())
    literal = [t.term for t in terms if t.term]
    planted: dict[str, list[str]] = {t: [] for t in literal}  # term → strings planted for it

    def maybe(clean: list[str], embed: bool = True) -> str:
        if not draw(st.booleans()):
            return draw(st.sampled_from(clean))
        how = draw(
            st.sampled_from(
                [
                    "as is",
                    "upper",
                    "lower",
                    "zero-width",
                    "full-width",
                    "lookalike",
                    "spaced",
                    "hyphenated",
                ]
            )
        )
        term = draw(st.sampled_from(literal))
        word = disguise(term, how)
        planted[term].append(word)
        return f"{word} Hall" if embed and draw(st.booleans()) else word

    city_name, country = draw(st.sampled_from(CITIES))
    city = gazetteer.lookup_city(city_name, country)
    assert city is not None
    venue = maybe(VENUES)
    precision = draw(st.sampled_from(list(PlacePrecision)))
    types = draw(st.lists(st.sampled_from(list(TargetType)), min_size=1, max_size=3, unique=True))
    named = maybe(VENUES)
    event = Event(
        kind=EventKind.THREAT,
        modality=Modality.PLANNED,
        evidence=(span("..."),),
        actors=(Actor(span("x"), canonical=maybe(GROUPS, embed=False)),),
        harm=(HarmFact(Harm.KILLING, span("kill")),),
        method=MethodFact(draw(st.sampled_from(list(Method))), span("x"), weapon=maybe(WEAPONS)),
        targets=(
            *(Target(t, span(t.value)) for t in types),
            Target(types[0], span(named), name=named),
        ),
        place=Place(
            span(city.name),
            precision=precision,
            country=country,
            city=city.name,
            region=None,
            venue=venue if precision is PlacePrecision.VENUE else None,
            lat=city.lat + 0.071,
            lon=city.lon - 0.23,
            geonameid=city.geonameid,
        ),
        time=TimeWindow(
            span("soon"),
            DOC_DATE + timedelta(hours=draw(st.integers(0, 200))),
            DOC_DATE + timedelta(hours=draw(st.integers(201, 400))),
            draw(st.sampled_from(list(TimePrecision))),
        ),
        confidence=0.8,
    )
    # A protected city appears in every language the warning is written in.
    if city.name in planted:
        planted[city.name].extend(gazetteer.alternate_names(city.geonameid))
        planted[city.name].extend(cldr_names(city.name, country))
    return {
        "terms": terms,
        "planted": planted,
        "event": event,
        "tier": draw(st.sampled_from(list(Tier))),
        "language": draw(st.sampled_from(sorted(LANGUAGES))),
    }


def release(case: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    event: Event = case["event"]
    tier: Tier = case["tier"]
    a = assess(event, source_reliability="B", corroborations=0, now=DOC_DATE, horizon_days=30)
    facts = releasable_facts(event, a, DEFAULT_POLICY[tier])
    env = Envelope(
        reference="WRN-1",
        sender="Test agency",
        valid_from=DOC_DATE,
        valid_until=DOC_DATE + timedelta(days=3),
        public=tier is Tier.PUBLIC,
    )
    recipient = {"name": "Recipient", "tier": tier.value, "language": case["language"]}
    doc = warning_document(facts, env, recipient=recipient, issued_at=DOC_DATE)
    return doc, render_artifacts(doc, KEY)


# --- the oracle: standard parsers, no code shared with the leak check ------------------


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (str(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _jws(token: str) -> list[str]:
    header, payload, _ = token.strip().split(".")
    return [
        s
        for part in (header, payload)
        for s in _strings(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))
    ]


def _xml(data: bytes) -> list[str]:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    return ["".join(root.itertext()), *(v for e in root.iter() for v in e.attrib.values())]


def _email(text: str) -> list[str]:
    msg = message_from_string(text, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    out = [str(v) for v in msg.values()]
    for part in msg.walk():
        kind = part.get_content_type()
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        if kind == "text/html":
            out.append(lxml.html.document_fromstring(data.decode()).text_content())
        elif kind == "application/jose":
            out.extend(_jws(data.decode()))
        elif kind == "application/cap+xml":
            out.extend(_xml(data))
        else:
            out.append(data.decode())
    return out


def readable(fmt: str, content: str) -> str:
    if fmt == "email":
        parts = _email(content)
    elif fmt == "cap":
        parts = _xml(content.encode())
    elif fmt in ("jws", "stix_jws"):
        parts = _jws(content)
    elif fmt == "stix":
        parts = _strings(json.loads(content))
    else:
        parts = [content]
    return "\n".join(parts)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf").casefold()
    return " ".join(text.split())


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", _norm(text))


def _has(text: str, word: str) -> bool:
    """``word`` in ``text`` as a whole word (so "Moskva" does not match "Moskvaretsky")."""
    return re.search(rf"(?<!\w){re.escape(_norm(word))}(?!\w)", text) is not None


def oracle_finds(content: str, term: str, planted: dict[str, list[str]]) -> bool:
    text = _norm(content)
    if _norm(term) in text or any(_has(text, p) for p in planted.get(term, [])):
        return True
    bare = _squash(term)
    if len(bare) >= 6 and bare in _squash(content):
        return True
    # Spelled out letter by letter: "K a b u l", "k.a.b.u.l".
    spelled = r"(?<!\w)" + r"[\W_]*".join(map(re.escape, bare)) + r"(?!\w)"
    return re.search(spelled, text) is not None


def refusal(named: dict[str, str], terms: list[ProtectedTerm]) -> LeakDetected | None:
    try:
        ensure_no_leak(named, terms)
    except LeakDetected as exc:
        return exc
    return None


def test_no_release_ever_contains_a_protected_term() -> None:
    stats: Counter[str] = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(case=cases())
    def check(case: dict[str, Any]) -> None:
        terms: list[ProtectedTerm] = case["terms"]
        doc, artifacts = release(case)
        named = {f"WRN-1 {fmt}": content for fmt, content in artifacts.items()}
        named["WRN-1 JSON"] = json.dumps(doc, ensure_ascii=False)
        readable_forms = {fmt: readable(fmt, c) for fmt, c in artifacts.items()}
        refused = refusal(named, terms)
        if refused is not None:
            stats["refused"] += 1
            message, fmt = str(refused), refused.artifact.split(" ", 1)[1]
            assert refused.artifact in message  # the format is named
            if refused.term_id.startswith("builtin:"):
                stats["refused by a built-in pattern"] += 1
                return
            term = next(t for t in terms if t.id == refused.term_id)
            assert term.term is not None
            # Named by its id, never by its text: the error travels where the term must not.
            assert f"protected {term.kind.replace('_', ' ')} {term.id}" in message
            assert term.term.casefold() not in message.casefold()
            content = named[refused.artifact] if fmt == "JSON" else readable_forms[fmt]
            assert oracle_finds(content, term.term, case["planted"]), (fmt, term.term)
            return
        stats["released"] += 1
        for fmt, content in readable_forms.items():
            for term in terms:
                assert term.term is not None
                assert not oracle_finds(content, term.term, case["planted"]), (fmt, term.term)

    check()
    print(f"\nleak property: {EXAMPLES} threats, {dict(stats)}")
    assert stats["refused"] >= EXAMPLES // 10, stats
    assert stats["released"] >= EXAMPLES // 10, stats
