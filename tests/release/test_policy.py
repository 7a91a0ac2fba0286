"""The releasability policy is data: defaults, a TOML file that overrides them, and the
duty officer's per-warning overrides — each value checked, with a clear error."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tearline.assess import assess
from tearline.errors import ConfigError, InputError
from tearline.model import PlacePrecision, Tier, TimePrecision
from tearline.release import (
    DEFAULT_POLICY,
    ActorLevel,
    FactOverride,
    Tlp,
    apply_overrides,
    check_override,
    load_policy,
    policy_toml,
    releasable_facts,
)
from tearline.release.policy import direction, parse_policy
from tests.factories import DOC_DATE, moscow_threat
from tests.release.support import facts_for


def test_the_printed_policy_reads_back_as_the_same_policy(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(policy_toml(DEFAULT_POLICY))
    assert load_policy(path) == DEFAULT_POLICY


def test_a_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        '[adversary]\nplace = "venue"\ntlp = "amber+strict"\n[public]\nlikelihood = true\n'
    )
    policy = load_policy(path)
    assert policy[Tier.ADVERSARY].place is PlacePrecision.VENUE
    assert policy[Tier.ADVERSARY].tlp is Tlp.AMBER_STRICT
    assert policy[Tier.ADVERSARY].time is TimePrecision.WINDOW  # untouched default
    assert policy[Tier.PUBLIC].likelihood is True
    assert policy[Tier.ALLY] == DEFAULT_POLICY[Tier.ALLY]


def test_no_file_means_the_defaults(tmp_path: Path) -> None:
    assert load_policy(tmp_path / "absent.toml") == DEFAULT_POLICY
    assert load_policy(None) == DEFAULT_POLICY


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[allies]\nplace = 'city'\n", "unknown tier [allies]"),
        ("[ally]\nplaces = 'city'\n", "unknown key 'places'"),
        ("[ally]\nplace = 'street'\n", "place = 'street' is not one of: venue, district"),
        ("[ally]\nlikelihood = 'maybe'\n", "likelihood must be true/false or shared/withheld"),
        ("[ally\n", "not valid TOML"),
        ("ally = 3\n", "[ally] must be a table"),
    ],
)
def test_bad_policy_files_are_refused_clearly(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_policy(path)


def test_an_override_loosens_or_tightens_one_fact() -> None:
    base = DEFAULT_POLICY[Tier.ADVERSARY]
    venue = FactOverride("place", "venue", "the police must guard the hall itself", "dana")
    loosened = apply_overrides(base, [venue])
    assert loosened.place is PlacePrecision.VENUE
    assert direction(base, venue) == "loosened"
    no_name = FactOverride("actor", "generic", "naming the group exposes the source", "dana")
    assert apply_overrides(base, [no_name]).actor is ActorLevel.GENERIC
    assert direction(base, no_name) == "tightened"
    f = facts_for(Tier.ADVERSARY, policy=loosened)
    assert f.place is not None
    assert f.place.venue == "Crocus City Hall"


def test_an_override_cannot_invent_precision_the_reporting_lacks() -> None:
    event = moscow_threat()
    assert event.place is not None
    city_only = replace(
        event, place=replace(event.place, precision=PlacePrecision.CITY, venue=None)
    )
    policy = apply_overrides(
        DEFAULT_POLICY[Tier.ALLY], [FactOverride("place", "venue", "x" * 10, "d")]
    )
    a = assess(city_only, source_reliability="B", corroborations=0, now=DOC_DATE, horizon_days=30)
    f = releasable_facts(city_only, a, policy)
    assert f.place is not None
    assert f.place.precision is PlacePrecision.CITY


@pytest.mark.parametrize(
    ("fact", "level", "message"),
    [("colour", "red", "unknown fact 'colour'"), ("place", "street", "place cannot be 'street'")],
)
def test_bad_overrides_are_refused(fact: str, level: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        check_override(fact, level)


def test_parse_policy_accepts_booleans_and_words() -> None:
    p = parse_policy({"public": {"likelihood": "shared", "actor": "withheld"}}, "test")
    assert p[Tier.PUBLIC].likelihood is True
    assert p[Tier.PUBLIC].actor is ActorLevel.WITHHELD
