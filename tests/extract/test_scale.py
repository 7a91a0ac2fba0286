"""Extraction time grows with the text, not faster: a 5 MB report costs about four times
what a quarter of it does."""

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
# Extraction's work must grow with the text, not faster. Compared as a ratio of CPU time
# on the same machine in the same run (no wall-clock bound: timings live in bench/):
# a quarter of the text and the whole 5 MB; linear work costs about four times as much,
# quadratic work (comparing every mention with every other, which once took 56 s for
# the first megabyte) sixteen times.
MAX_GROWTH = 8.0


@pytest.mark.slow
def test_five_megabytes_in_bounded_time() -> None:
    quarter = PARAGRAPH * (1_250_000 // len(PARAGRAPH) + 1)
    whole = quarter * 4
    extract(PARAGRAPH, datetime(2024, 3, 6, 9, tzinfo=UTC))  # warm: models loaded

    def cpu_seconds(text: str) -> tuple[float, int]:
        started = time.process_time()
        events = extract(text, datetime(2024, 3, 6, 9, tzinfo=UTC))
        return time.process_time() - started, len(events)

    (small, _), (large, found) = cpu_seconds(quarter), cpu_seconds(whole)
    assert found  # it read the text rather than giving up
    assert large < MAX_GROWTH * small, f"{small:.1f} s for 1.25 MB, {large:.1f} s for 5 MB"
