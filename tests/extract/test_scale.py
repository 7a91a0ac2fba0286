"""Extraction time grows with the text, not faster: a 5 MB report finishes."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from tearline.extract import extract

PARAGRAPH = (
    "Gunmen attacked a hotel in Kabul yesterday, killing at least 12 people and injuring more "
    "than 20. IS claimed responsibility. The weather in Paris was mild on Friday and the market "
    "in Moscow, Idaho opened late. Officials said militants are planning a bomb attack on the "
    "airport in Istanbul within the next 48 hours.\n\n"
)


@pytest.mark.slow
def test_five_megabytes_in_bounded_time() -> None:
    text = PARAGRAPH * (5_000_000 // len(PARAGRAPH) + 1)
    started = time.perf_counter()
    events = extract(text, datetime(2024, 3, 6, 9, tzinfo=UTC))
    elapsed = time.perf_counter() - started
    assert events  # it read the text rather than giving up
    assert elapsed < 120, f"{elapsed:.1f} s for {len(text):,} characters"
