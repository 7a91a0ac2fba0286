"""Hostile and noisy text: no crash, every span still points at the text, time grows
with length and no faster."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tearline.extract import extract
from tearline.model import Event, Span, event_to_dict

from ._support import DEMO_DATE

ATTACK = "Gunmen of the FMLN attacked a bus in San Salvador yesterday, killing 4 passengers."


def spans(e: Event) -> Iterator[Span]:
    yield from e.evidence
    for name in (
        "perpetrator_individuals",
        "perpetrator_organizations",
        "physical_targets",
        "human_targets",
        "weapons",
    ):
        for f in getattr(e, name):
            yield f.span
            yield from f.mentions
    yield from (a.span for a in e.actors)
    yield from (t.span for t in e.targets)
    if e.place is not None:
        yield e.place.span
    if e.time is not None:
        yield e.time.span


def assert_spans_hold(text: str, events: list[Event]) -> None:
    for e in events:
        for s in spans(e):
            assert text[s.start : s.end] == s.text, (s, text[s.start : s.end])


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01\x02 Gunmen attacked\x07 a bus\x1b[31m in Kabul \x1b[0m yesterday, killing 4.",
        "Боевики атаковали автобус в Москве. 武装分子袭击了一辆公共汽车。 " + ATTACK,
        "\u202eGunmen attacked a hotel in Kabul\u202c yesterday, killing 5. \u200b\u200b",
        "🔥💣 " * 500 + ATTACK,
        "a" * 200_000,  # one word, no spaces, no sentence end
        ("attack " * 30_000).strip(),  # one sentence of trigger words
        ATTACK.replace(" ", "\t") + "\r\n\r\n" + ATTACK.upper(),
        "\ufeff" + ATTACK + "\ud7ff\ue000\uffff",
    ],
)
def test_noisy_text_gives_valid_events(text: str) -> None:
    events = extract(text, DEMO_DATE)
    assert_spans_hold(text, events)
    for e in events:
        event_to_dict(e)  # serialisable


_fragments = st.sampled_from(
    [
        ATTACK,
        "IS claimed responsibility. ",
        "THE ARMY DENIED THAT GUERRILLAS DYNAMITED THE SUBSTATION. ",
        "  \n\n",
        "Officials fear militants may target concerts in Moscow within 48 hours. ",
        "the fmln attacked the home of mayor jose rivas with rifles. ",
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.one_of(_fragments, st.text(max_size=40)), max_size=12))
def test_any_mixture_keeps_every_span_honest(parts: list[Any]) -> None:
    text = "".join(parts)
    assert_spans_hold(text, extract(text, DEMO_DATE))


def test_whitespace_and_empty_text_give_nothing() -> None:
    for text in ("", " ", "\n\n\t", "\u3000\u00a0"):
        assert extract(text, DEMO_DATE) == []


@pytest.mark.slow
def test_time_grows_linearly_with_length() -> None:
    block = (ATTACK + " The weather was mild and the market opened late. ") * 200
    extract(block, DEMO_DATE)  # warm: models loaded

    def seconds(text: str) -> float:
        started = time.process_time()
        extract(text, DEMO_DATE)
        return time.process_time() - started

    small, large = seconds(block), seconds(block * 8)
    # Eight times the text may take eight times as long, and some slack for a busy
    # machine; quadratic behaviour would take sixty-four times as long.
    assert large < 20 * small + 2.0, (small, large)
