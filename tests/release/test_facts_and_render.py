"""Each tier gets the precision its policy allows, rendered from facts, not report text."""

from __future__ import annotations

from datetime import UTC, datetime

from tearline.assess import assess
from tearline.model import PlacePrecision, Tier, TimePrecision
from tearline.release import DEFAULT_POLICY, releasable_facts, render_warning
from tests.factories import DOC_DATE, moscow_threat

VALID = datetime(2024, 3, 13, 23, 59, 59, tzinfo=UTC)


def facts_for(tier: Tier):  # type: ignore[no-untyped-def]
    event = moscow_threat()
    a = assess(event, source_reliability="B", corroborations=0, now=DOC_DATE, horizon_days=30)
    return releasable_facts(event, a, DEFAULT_POLICY[tier])


def render(tier: Tier) -> str:
    return render_warning(
        facts_for(tier),
        public=tier is Tier.PUBLIC,
        sender="Test agency",
        reference="WRN-1",
        valid_until=VALID,
    ).text


def test_ally_gets_the_venue_and_the_weapon() -> None:
    f = facts_for(Tier.ALLY)
    assert f.place is not None
    assert f.place.precision is PlacePrecision.VENUE
    assert f.place.venue == "Crocus City Hall"
    assert f.weapon == "automatic rifles"
    assert f.changes == ()


def test_adversary_gets_the_city_the_group_and_named_targets_but_not_the_weapon() -> None:
    f = facts_for(Tier.ADVERSARY)
    assert f.place is not None
    assert f.place.precision is PlacePrecision.CITY
    assert f.place.venue is None
    assert f.place.lat == 55.83
    assert f.actor == "ISIL Khorasan"
    assert f.target_names == ("Crocus City Hall",)
    assert f.weapon is None
    assert "place: venue → city" in f.changes
    assert "weapon: withheld" in f.changes
    text = render(Tier.ADVERSARY)
    assert "ISIL Khorasan is planning an armed attack" in text
    assert "Moscow, Russia" in text
    assert "between 6 and 13 March 2024" in text
    assert "Crocus City Hall" in text
    assert "automatic rifles" not in text


def test_public_gets_a_security_alert_with_no_group_method_or_venue() -> None:
    f = facts_for(Tier.PUBLIC)
    assert f.actor is None
    assert f.actor_generic
    assert f.method is None
    assert f.target_names == ()
    assert f.window is not None
    assert f.window.precision is TimePrecision.WINDOW
    text = render(Tier.PUBLIC)
    assert text.startswith("Location: Moscow, Russia")
    assert "Event: Extremists have imminent plans to target large gatherings and concerts" in text
    assert "Actions to take:" in text
    assert "Avoid large gatherings" in text
    for secret in ("ISIL", "Crocus", "armed", "rifles", "likely"):
        assert secret not in text


def test_every_warning_says_how_long_it_is_valid_and_how_to_reply() -> None:
    for tier in Tier:
        text = render(tier)
        assert "Valid until 13 March 2024 23:59 UTC. Reference: WRN-1." in text
        assert "reply quoting the reference" in text
