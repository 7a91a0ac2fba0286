"""Text that reports no threat to life yields nothing."""

from __future__ import annotations

import pytest

from tearline.extract import extract

from ._support import DEMO_DATE


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t  ",
        "Heavy snow is expected in Moscow on Friday, with temperatures falling to minus 15. "
        "Winds will strengthen over the weekend and roads may be icy.",
        "Arsenal beat Chelsea 3-1 in London on Saturday. Their attack was relentless and "
        "Saka's shot hit the post twice before the captain scored.",
        "The central bank in Ankara kept interest rates unchanged on Thursday, citing inflation.",
        "Is it true? IS IT? The report is due on 22 March and will be published in Paris.",
    ],
)
def test_nothing_to_report(text: str) -> None:
    assert extract(text, DEMO_DATE) == []


def test_a_negated_attack_is_not_an_event() -> None:
    text = "Police said there was no attack on the hotel in Kabul and nobody was hurt."
    assert extract(text, DEMO_DATE) == []


def test_an_attack_with_its_object_is_an_event_and_a_bare_mention_is_not() -> None:
    # "the attack against FENASTRAS" names what was attacked, though no lexicon word
    # says what FENASTRAS is; "the attack in San Salvador" says too little to report.
    named = "The government condemned the attack against FENASTRAS in San Salvador."
    (event,) = extract(named, DEMO_DATE)
    assert event.place is not None
    assert event.place.city == "San Salvador"
    assert extract("The government condemned the attack in San Salvador.", DEMO_DATE) == []
