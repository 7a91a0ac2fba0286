"""The leak check's cost on real releases: every format of one warning, against a case's terms.

Each warning is the Moscow threat cut to a tier and written in a language (every tier,
every language Tearline writes), rendered in every format and signed, as a release is
before it leaves (``render_artifacts``); the English copy travels beside a translated one.
The terms are what a busy case holds: the demo's source, code word and collection method,
and code words, names, organisations and places registered in Latin, Cyrillic and Arabic
script. ``find_leaks`` runs over each warning's artifacts; the figure is the median
milliseconds per warning over ROUNDS passes (one core, after a warm-up pass that loads
the gazetteer), and the first call's time in a fresh process is printed apart.

    python bench/leak_check.py [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from joserfc.jwk import OKPKey

from tearline.assess import assess
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
    Span,
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
    find_leaks,
    releasable_facts,
    render_artifacts,
    warning_document,
)
from tearline.release.phrases import LANGUAGES

DOC_DATE = datetime(2024, 3, 6, 9, 0, tzinfo=UTC)

TERMS = [
    "PINE HARBOUR",
    "KESTREL LANTERN",
    "intercepted Telegram conversations",
    "NIGHTJAR",
    "MERIDIAN COBALT",
    "GRANITE SABLE",
    "Shcherbakov",
    "Dmitri Volkonsky",
    "Farid Nazari",
    "Leyla Hashemi",
    "Omar Qadiri",
    "Yusuf Oduya",
    "ЛАСТОЧКА",
    "Ворон",
    "حزب الله",
    "فرید نظری",
    "Tehrik-i-Taliban Pakistan",
    "Threema relay",
    "Krasnogorsk",
    "Kerman",
]


def _span(text: str) -> Span:
    return Span(0, len(text), text)


def moscow_threat() -> Event:
    """ISIS-K planning an armed attack on large gatherings in Moscow within days."""
    return Event(
        kind=EventKind.THREAT,
        modality=Modality.PLANNED,
        evidence=(_span("ISIS-K operatives planning an armed attack"),),
        actors=(Actor(_span("ISIS-K"), canonical="ISIL Khorasan", org_id="ofac:18647"),),
        harm=(HarmFact(Harm.KILLING, _span("kill")),),
        method=MethodFact(Method.ARMED_ASSAULT, _span("armed attack"), weapon="automatic rifles"),
        targets=(
            Target(TargetType.MASS_GATHERING, _span("large gatherings")),
            Target(TargetType.CONCERT, _span("concerts")),
            Target(TargetType.CONCERT, _span("Crocus City Hall"), name="Crocus City Hall"),
        ),
        place=Place(
            _span("Moscow"),
            precision=PlacePrecision.VENUE,
            country="RU",
            city="Moscow",
            region="Moscow",
            venue="Crocus City Hall",
            lat=55.82529,
            lon=37.38859,
            geonameid=524901,
        ),
        time=TimeWindow(
            _span("within days"), DOC_DATE, DOC_DATE + timedelta(days=7), TimePrecision.WINDOW
        ),
        confidence=0.8,
    )


def warnings() -> list[dict[str, str]]:
    """Every format of the Moscow warning, for each tier and language, signed."""
    key = OKPKey.generate_key("Ed25519", parameters={"alg": "Ed25519"})
    key.ensure_kid()
    event = moscow_threat()
    a = assess(event, source_reliability="B", corroborations=0, now=DOC_DATE, horizon_days=30)
    out = []
    for tier in Tier:
        facts = releasable_facts(event, a, DEFAULT_POLICY[tier])
        env = Envelope(
            reference="WRN-1",
            sender="Bench agency",
            valid_from=DOC_DATE,
            valid_until=DOC_DATE + timedelta(days=3),
            public=tier is Tier.PUBLIC,
        )
        for language in sorted(LANGUAGES):
            recipient = {"name": "Recipient", "tier": tier.value, "language": language}
            doc = warning_document(facts, env, recipient=recipient, issued_at=DOC_DATE)
            out.append(render_artifacts(doc, key))
    return out


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    terms = [ProtectedTerm(f"PT-{i}", "code_word", term=t) for i, t in enumerate(TERMS, 1)]
    releases = warnings()
    size = sum(len(a) for r in releases for a in r.values()) / len(releases)
    start = time.process_time()
    refused = sum(1 for r in releases if find_leaks(r, terms))
    first = time.process_time() - start
    per_warning = []
    for _ in range(rounds):
        start = time.process_time()
        for r in releases:
            find_leaks(r, terms)
        per_warning.append((time.process_time() - start) * 1000 / len(releases))
    print(
        f"{len(releases)} warnings (every tier x {len(LANGUAGES)} languages), "
        f"{size / 1000:.1f} kB of artifacts each, {len(terms)} terms; "
        f"{refused} refused (a clean case: should be 0)"
    )
    print(f"first pass (loads the gazetteer): {first:.2f} s")
    print(
        f"leak check: median {statistics.median(per_warning):.1f} ms per warning "
        f"(min {min(per_warning):.1f}, max {max(per_warning):.1f}; {rounds} rounds)"
    )


if __name__ == "__main__":
    main()
