"""Grades a duty officer would read: Admiralty, ICD 203, specificity, imminence, severity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tearline.assess import Imminence, Likelihood, Severity, assess
from tearline.extract import extract
from tearline.model import EventKind, Modality
from tests.factories import DOC_DATE, moscow_threat


def grade(event=None, reliability="B", corroborations=0, now=DOC_DATE):  # type: ignore[no-untyped-def]
    return assess(
        event or moscow_threat(),
        source_reliability=reliability,
        corroborations=corroborations,
        now=now,
        horizon_days=30,
    )


def test_moscow_threat_from_a_usually_reliable_source() -> None:
    a = grade()
    assert a.admiralty == "B2"
    assert a.likelihood is Likelihood.LIKELY
    assert a.likelihood.percent == (55, 80)
    assert a.specificity.as_dict() == {"who": True, "where": True, "when": True, "how": True}
    assert a.imminence is Imminence.IMMINENT
    assert a.severity is Severity.EXTREME
    assert "usually reliable" in a.rationale["source"]


def test_corroboration_raises_credibility_to_confirmed() -> None:
    a = grade(corroborations=1)
    assert a.admiralty == "B1"
    assert a.likelihood is Likelihood.VERY_LIKELY


@pytest.mark.parametrize(
    ("grade_", "expected"), [("A", "A2"), ("C", "C3"), ("D", "D4"), ("F", "F6")]
)
def test_credibility_follows_reliability(grade_: str, expected: str) -> None:
    assert grade(reliability=grade_).admiralty == expected


def test_hypothetical_lowers_likelihood() -> None:
    a = grade(moscow_threat(modality=Modality.HYPOTHETICAL))
    assert a.likelihood is Likelihood.UNLIKELY  # two bands below "likely"


def test_missing_place_and_time_lower_specificity() -> None:
    a = grade(moscow_threat(place=None, time=None))
    assert (a.specificity.where, a.specificity.when) == (False, False)
    assert a.imminence is Imminence.UNKNOWN
    assert "missing where, when" in a.rationale["specificity"]


def test_imminence_moves_with_the_clock() -> None:
    assert grade(now=DOC_DATE - timedelta(days=10)).imminence is Imminence.NEAR_TERM
    assert grade(now=DOC_DATE - timedelta(days=60)).imminence is Imminence.DISTANT
    assert grade(now=DOC_DATE + timedelta(days=8)).imminence is Imminence.EXPIRED


def test_incidents_get_no_likelihood() -> None:
    a = grade(moscow_threat(kind=EventKind.INCIDENT))
    assert a.likelihood is None
    assert a.imminence is Imminence.PAST


def test_bad_reliability_is_refused() -> None:
    with pytest.raises(ValueError, match="A-F"):
        grade(reliability="Z")


def test_a_lethal_method_is_severe_even_when_no_harm_verb_is_written() -> None:
    # "ISIS-K suicide bombers plan to attack crowds at the Abbey Gate": no "kill" in the
    # text, yet the method says what is at stake. Triage must not rank it as minor.
    text = (
        "Kabul, 25 August 2021. Reporting indicates that ISIS-K suicide bombers plan to "
        "attack crowds at the Abbey Gate of Kabul airport within the next 24 hours."
    )
    when = datetime(2021, 8, 25, 9, tzinfo=UTC)
    (event,) = [e for e in extract(text, when) if e.kind is EventKind.THREAT]
    assert not event.harms
    a = grade(event, now=when)
    assert a.severity is Severity.EXTREME
    assert a.rationale["severity"] == "suicide bombing against people in public"

    away_from_crowds = (
        "Kabul, 25 August 2021. Reporting indicates that gunmen plan to kidnap a minister "
        "in Kabul within the next 24 hours."
    )
    (event,) = [e for e in extract(away_from_crowds, when) if e.kind is EventKind.THREAT]
    assert grade(event, now=when).severity in (Severity.SEVERE, Severity.EXTREME)
