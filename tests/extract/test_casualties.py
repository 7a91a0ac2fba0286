"""Casualty phrases become counts with honest bounds."""

from __future__ import annotations

import pytest

from tearline.extract._casualties import find_counts

from ._support import only_event


def counts(text: str) -> list[tuple[bool, int, int | None]]:
    return [(c.killed, c.count.min, c.count.max) for _, c in find_counts(text, 0, len(text))]


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        (
            "killing at least 133 people and injuring more than 100",
            [(True, 133, None), (False, 101, None)],
        ),
        ("at least 95 killed", [(True, 95, None)]),
        ("145 dead", [(True, 145, 145)]),
        ("More than 95 people were killed.", [(True, 96, None)]),
        ("two people were wounded", [(False, 2, 2)]),
        ("twenty-five civilians died", [(True, 25, 25)]),
        ("dozens were killed", [(True, 24, None)]),
        ("between 10 and 20 people were injured", [(False, 10, 20)]),
        ("3 killed and 5 wounded", [(True, 3, 3), (False, 5, 5)]),
        ("the death toll rose to 140", [(True, 140, 140)]),
        (
            "THREE SUBVERSIVES WERE KILLED AND SEVEN OTHERS WERE WOUNDED",
            [(True, 3, 3), (False, 7, 7)],
        ),
        ("about 50 people were hurt", [(False, 50, 50)]),
    ],
)
def test_phrase(phrase: str, expected: list[tuple[bool, int, int | None]]) -> None:
    assert counts(phrase) == expected


def test_dates_and_years_are_not_counts() -> None:
    assert counts("the two bombings in Kerman on 3 January 2024, which was a Wednesday") == []
    assert counts("In 1999 the building was destroyed") == []


def test_counts_reach_the_event() -> None:
    e = only_event(
        "Gunmen stormed a concert hall in Moscow on Friday, killing at least 133 people."
    )
    assert e.casualties.killed is not None
    assert (e.casualties.killed.min, e.casualties.killed.max) == (133, None)
    assert e.casualties.killed.span.text == "killing at least 133"
