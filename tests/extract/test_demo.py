"""The demo liaison report reads as the threat and the past incident it describes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tearline.extract import extract
from tearline.model import (
    Event,
    EventKind,
    Harm,
    Method,
    Modality,
    PlacePrecision,
    TargetType,
    TimePrecision,
)

from ._support import DEMO_DATE


@pytest.fixture(scope="module")
def threat(demo_events: list[Event]) -> Event:
    return demo_events[0]


@pytest.fixture(scope="module")
def incident(demo_events: list[Event]) -> Event:
    return demo_events[1]


def test_exactly_a_threat_and_an_incident(demo_events: list[Event]) -> None:
    assert [(e.kind, e.modality) for e in demo_events] == [
        (EventKind.THREAT, Modality.PLANNED),
        (EventKind.INCIDENT, Modality.REPORTED),
    ]


def test_threat_actor_is_isil_khorasan(threat: Event) -> None:
    orgs = {(a.canonical, a.org_id) for a in threat.actors if not a.individuals}
    assert orgs == {("ISIL Khorasan", "ofac:18647")}
    assert {a.span.text for a in threat.actors if a.individuals} <= {"operatives", "attackers"}


def test_threat_method_harm_and_targets(threat: Event) -> None:
    assert threat.method is not None
    assert threat.method.method is Method.ARMED_ASSAULT
    assert threat.method.weapon == "automatic rifles"
    assert Harm.KILLING in threat.harms
    types = {t.type for t in threat.targets}
    assert {TargetType.MASS_GATHERING, TargetType.CONCERT} <= types
    assert "Crocus City Hall" in {t.name for t in threat.targets}


def test_threat_place_is_the_venue_in_moscow(threat: Event) -> None:
    p = threat.place
    assert p is not None
    assert (p.precision, p.venue, p.city, p.country) == (
        PlacePrecision.VENUE,
        "Crocus City Hall",
        "Moscow",
        "RU",
    )
    # at the hall's own point from the venue gazetteer (Krasnogorsk), not Moscow's centre
    # 16 km away (55.752, 37.618)
    assert p.lat == pytest.approx(55.825, abs=0.005)
    assert p.lon == pytest.approx(37.389, abs=0.005)


def test_threat_window_starts_at_the_report_and_lasts_a_week(threat: Event) -> None:
    t = threat.time
    assert t is not None
    assert t.span.text == "within days"
    assert (t.start, t.end) == (DEMO_DATE, DEMO_DATE + timedelta(days=7))
    assert t.precision is TimePrecision.VAGUE


def test_threat_evidence_is_subject_and_paragraphs_1_3_4(threat: Event, demo_text: str) -> None:
    starts = [s.text[:20] for s in threat.evidence]
    assert starts[0].startswith("ISIS-K operatives")
    assert any(s.startswith("A source with") for s in starts)
    assert any(s.startswith("The cell has") for s in starts)
    assert any(s.startswith("The attackers intend") for s in starts)
    assert not any("Telegram" in s.text for s in threat.evidence)  # paragraph 2


def test_threat_place_is_not_afghanistan(threat: Event) -> None:
    assert threat.place is not None
    assert threat.place.country != "AF"


def test_code_word_serial_and_marking_are_never_facts(demo_events: list[Event]) -> None:
    protected = ("KESTREL", "LANTERN", "Telegram", "LR-2024-0306-117", "TLP", "AMBER")
    for e in demo_events:
        named = [a.span.text for a in e.actors] + [t.span.text for t in e.targets]
        if e.place is not None:
            named.append(e.place.span.text)
        assert not any(p in n for p in protected for n in named), named


def test_kerman_incident(incident: Event) -> None:
    assert incident.method is not None
    assert incident.method.method is Method.BOMBING
    assert incident.place is not None
    assert (incident.place.city, incident.place.country) == ("Kerman", "IR")
    t = incident.time
    assert t is not None
    assert t.precision is TimePrecision.DAY
    assert (t.start.date().isoformat(), t.end - t.start) == ("2024-01-03", timedelta(days=1))
    killed, injured = incident.casualties.killed, incident.casualties.injured
    assert killed is not None
    assert (killed.min, killed.max) == (95, None)
    assert injured is not None
    assert (injured.min, injured.max) == (281, None)
    assert [a.canonical for a in incident.actors] == ["ISIL Khorasan"]


def test_confidence_is_a_probability(demo_events: list[Event]) -> None:
    assert all(0.0 < e.confidence < 1.0 for e in demo_events)
    assert demo_events[0].confidence >= 0.7


def test_windows_line_endings_read_the_same(demo_text: str, demo_events: list[Event]) -> None:
    crlf = demo_text.replace("\n", "\r\n")
    events = extract(crlf, DEMO_DATE)

    def summary(events: list[Event]) -> list[tuple[object, ...]]:
        return [
            (e.kind, e.modality, len(e.evidence), e.place and (e.place.venue, e.place.city))
            for e in events
        ]

    assert summary(events) == summary(demo_events)
    assert all(crlf[s.start : s.end] == s.text for e in events for s in e.evidence)
