"""Helpers shared by the extraction tests."""

from __future__ import annotations

from datetime import UTC, datetime

from tearline.extract import extract
from tearline.model import Event

DEMO_DATE = datetime(2024, 3, 6, 9, 0, tzinfo=UTC)


def only_event(text: str, date: datetime = DEMO_DATE) -> Event:
    """The single event a short test text must yield."""
    events = extract(text, date)
    assert len(events) == 1, [(e.kind, [s.text for s in e.evidence]) for e in events]
    return events[0]
