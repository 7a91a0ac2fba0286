"""Relative times resolve against the document date: forward for threats, back for incidents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tearline.model import EventKind, TimePrecision

from ._support import only_event

WED = datetime(2024, 3, 6, 9, 0, tzinfo=UTC)  # a Wednesday
MON = datetime(2024, 3, 25, 12, 0, tzinfo=UTC)


def day(y: int, m: int, d: int) -> tuple[datetime, datetime]:
    start = datetime(y, m, d, tzinfo=UTC)
    return start, start + timedelta(days=1)


@pytest.mark.parametrize(
    ("sentence", "start", "end", "precision"),
    [
        ("within the next 48 hours", WED, WED + timedelta(hours=48), TimePrecision.WINDOW),
        ("over the next 48 hours", WED, WED + timedelta(hours=48), TimePrecision.WINDOW),
        ("in the coming days", WED, WED + timedelta(days=7), TimePrecision.VAGUE),
        (
            "this weekend",
            *day(2024, 3, 9)[:1],
            datetime(2024, 3, 11, tzinfo=UTC),
            TimePrecision.WINDOW,
        ),
        ("on Friday", *day(2024, 3, 8), TimePrecision.DAY),
        ("on 22 March", *day(2024, 3, 22), TimePrecision.DAY),
        ("on March 22, 2024", *day(2024, 3, 22), TimePrecision.DAY),
        ("on January 3", *day(2025, 1, 3), TimePrecision.DAY),  # the next 3 January
        ("in five days", *day(2024, 3, 11), TimePrecision.DAY),
        ("in two weeks' time", *day(2024, 3, 20), TimePrecision.DAY),
    ],
)
def test_threat_times_look_forward(
    sentence: str, start: datetime, end: datetime, precision: TimePrecision
) -> None:
    e = only_event(
        f"Militants are planning a bomb attack on the airport in Istanbul {sentence}.", WED
    )
    assert e.kind is EventKind.THREAT
    assert e.time is not None
    assert (e.time.start, e.time.end, e.time.precision) == (start, end, precision)


@pytest.mark.parametrize(
    ("sentence", "start", "end"),
    [
        ("on Friday night", *day(2024, 3, 22)),  # the Friday before a Monday report
        ("yesterday", *day(2024, 3, 24)),
        ("2 days ago", *day(2024, 3, 23)),
        ("on January 3", *day(2024, 1, 3)),  # the last 3 January
        ("on 3 January 2024", *day(2024, 1, 3)),
    ],
)
def test_incident_times_look_back(sentence: str, start: datetime, end: datetime) -> None:
    e = only_event(f"Gunmen attacked a hotel in Kabul {sentence}, killing 5 people.", MON)
    assert e.kind is EventKind.INCIDENT
    assert e.time is not None
    assert (e.time.start, e.time.end, e.time.precision) == (start, end, TimePrecision.DAY)


def test_windows_are_in_the_document_time_zone() -> None:
    moscow = timezone(timedelta(hours=3))
    e = only_event(
        "Gunmen attacked a hotel in Kabul yesterday, killing 5 people.", MON.astimezone(moscow)
    )
    assert e.time is not None
    assert e.time.start == datetime(2024, 3, 24, tzinfo=moscow)
    assert e.time.start.utcoffset() == timedelta(hours=3)


def test_a_naive_document_date_is_refused() -> None:
    from tearline.errors import InputError
    from tearline.extract import extract

    with pytest.raises(InputError, match="time zone"):
        extract("Gunmen attacked a hotel in Kabul.", datetime(2024, 3, 6))


def test_an_ultimatum_is_the_window_it_gives() -> None:
    e = only_event(
        "The death squad gave the journalists in San Salvador 48 hours to leave the country "
        "or be killed.",
        WED,
    )
    assert e.kind is EventKind.THREAT
    assert e.time is not None
    assert (e.time.start, e.time.end) == (WED, WED + timedelta(hours=48))
    # a deadline for something else is no ultimatum: the bombing stays in the past
    e = only_event(
        "The court gave the defence 10 days to appeal the sentence for the bombing in Lima on "
        "Monday.",
        WED,
    )
    assert e.kind is EventKind.INCIDENT
