"""Extraction time grows with the text, not faster: a 5 MB report finishes in a few
seconds per megabyte."""

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
# About 9 s per MB on one idle core of the development machine for this text, where every
# sentence is next to an attack and so read by the role taggers (MUC-4's wire texts read
# at about 5 s per MB); the bound leaves room for a CI machine whose two cores run two
# test workers and other jobs. Quadratic work (comparing every mention with every other)
# took 56 s for the first megabyte and would not have finished 5 MB in twenty minutes.
SECONDS_PER_MB = 30


@pytest.mark.slow
def test_five_megabytes_in_bounded_time() -> None:
    text = PARAGRAPH * (5_000_000 // len(PARAGRAPH) + 1)
    extract(PARAGRAPH, datetime(2024, 3, 6, 9, tzinfo=UTC))  # warm: models loaded
    started = time.perf_counter()
    events = extract(text, datetime(2024, 3, 6, 9, tzinfo=UTC))
    elapsed = time.perf_counter() - started
    assert events  # it read the text rather than giving up
    megabytes = len(text) / 1_000_000
    assert elapsed < SECONDS_PER_MB * megabytes, f"{elapsed:.1f} s for {len(text):,} characters"
