"""Whom to warn (decide.recipients) and how big a place is (one table for all)."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from tearline import place_sizes
from tearline.assess import assess
from tearline.decide import Role, choose_recipients, determine, parity_check, threatened_area
from tearline.model import Contact, PlacePrecision, Recipient, RecipientKind, Tier
from tearline.web.geo import area_km, place_map
from tests.decide.test_determination import PUBLIC, RUSSIA
from tests.factories import DOC_DATE, moscow_threat
from tests.release.support import facts_for

OPERATOR = Recipient(
    7,
    "Crocus City Hall management / security desk",
    RecipientKind.ORGANISATION,
    Tier.PARTNER,
    "en",
    (Contact("email", "security@crocus.test"),),
    area_country="RU",
    area_city="Moscow",
)
OTHER_HALL = replace(OPERATOR, id=8, name="Hall management, Kazan", area_city="Kazan")


def proposal(registry: list[Recipient], **kw: object):  # type: ignore[no-untyped-def]
    event = moscow_threat()
    a = assess(event, source_reliability="B", corroborations=0, now=DOC_DATE, horizon_days=30)
    return determine(event, a, registry, **kw)  # type: ignore[arg-type]


def test_the_named_venues_operator_is_warned_as_intended_victim() -> None:
    p = proposal([RUSSIA, PUBLIC, OPERATOR, OTHER_HALL])
    got = {s.recipient.name: (s.role, s.reason) for s in p.suggestions}
    assert got[OPERATOR.name] == (
        Role.INTENDED_VICTIM,
        "operator of Crocus City Hall, the named target",
    )
    assert OTHER_HALL.name not in got  # "Hall" alone is not the named target
    assert [s.role for s in p.suggestions] == [Role.PROTECTOR, Role.INTENDED_VICTIM, Role.PUBLIC]
    assert p.parity.victims_missing == ()


def test_parity_flags_a_named_victim_left_out() -> None:
    event = moscow_threat()
    chosen = choose_recipients(event, [RUSSIA, OPERATOR], threatened_area(event))
    officials_only = [s for s in chosen if s.role is Role.PROTECTOR]
    parity, added = parity_check(event, officials_only, [RUSSIA, OPERATOR])
    assert parity.flagged
    assert parity.victims_missing == (OPERATOR.name,)
    assert "no double standard" in parity.reason
    assert [(s.recipient.name, s.role) for s in added] == [(OPERATOR.name, Role.INTENDED_VICTIM)]


def test_via_protector_puts_the_victim_on_record_through_the_government() -> None:
    p = proposal([RUSSIA, OPERATOR], via_protector=True)
    victim = next(s for s in p.suggestions if s.role is Role.INTENDED_VICTIM)
    assert victim.via == RUSSIA
    assert victim.reason.endswith("; warned through Russian Federation (liaison)")


def test_a_named_person_is_an_intended_victim() -> None:
    event = moscow_threat()
    target = replace(event.targets[2], name="Ivan Petrov")
    event = replace(event, targets=(event.targets[0], target))
    ivan = replace(OPERATOR, id=9, name="Ivan Petrov", kind=RecipientKind.PERSON)
    (s,) = choose_recipients(event, [ivan], None)
    assert (s.role, s.reason) == (Role.INTENDED_VICTIM, "named as a target (Ivan Petrov)")


def test_map_targeting_and_warning_text_sizes_come_from_one_table() -> None:
    table = place_sizes.place_sizes()
    venue = moscow_threat()
    assert venue.place is not None
    area = threatened_area(venue)
    assert area is not None
    assert area.radius_km == table.area_km(PlacePrecision.VENUE) == 2.0
    place = {"precision": "venue", "country": "RU", "lat": 55.8253, "lon": 37.3886}
    assert area_km(place) == area.radius_km  # the map's circle is the area warned about
    facts = facts_for(Tier.ALLY, venue)
    assert facts.place is not None
    assert facts.place.radius_km == table.stated_km(PlacePrecision.VENUE) == 1.0
    # A city: Moscow's size by its population, the same in all three.
    city = moscow_threat(place=replace(venue.place, precision=PlacePrecision.CITY, venue=None))
    city_area = threatened_area(city)
    assert city_area is not None
    assert city_area.radius_km == 32.0
    assert area_km({"precision": "city", "country": "RU", "city": "Moscow"}) == 32.0
    adversary = facts_for(Tier.ADVERSARY, city)
    assert adversary.place is not None
    assert adversary.place.radius_km == 32.0
    assert place_map({**place, "precision": "city", "city": "Moscow"}) is not None


def test_a_deployment_tunes_the_table_and_its_mistakes_are_ignored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tuned = tmp_path / "sizes.toml"
    tuned.write_text('[venue]\narea_km = 3.5\nstated_km = "far"\n[planet]\narea_km = 1\n')
    try:
        with caplog.at_level(logging.WARNING):
            place_sizes.use(str(tuned))
            table = place_sizes.place_sizes()
        assert table.area_km(PlacePrecision.VENUE) == 3.5
        assert table.stated_km(PlacePrecision.VENUE) == 1.0  # the shipped value kept
        area = threatened_area(moscow_threat())
        assert area is not None
        assert area.radius_km == 3.5
        assert area_km({"precision": "venue", "country": "RU", "lat": 55.8, "lon": 37.4}) == 3.5
        assert "not a number" in caplog.text
        assert "unknown precision [planet]" in caplog.text
        place_sizes.use(str(tmp_path / "missing.toml"))
        assert place_sizes.place_sizes() == place_sizes.shipped()
    finally:
        place_sizes.use("")


def test_a_venue_known_only_by_name_is_searched_and_drawn_as_its_city() -> None:
    """The gazetteer knows no venues: "Crocus City Hall, Moscow" gets Moscow's centre as its
    point. Two km around that centre would search the Kremlin's streets, not Krasnogorsk's."""
    venue = moscow_threat()
    assert venue.place is not None
    centre = replace(venue.place, lat=55.75204, lon=37.61781, geonameid=524901, city="Moscow")
    by_name = moscow_threat(place=centre)
    area = threatened_area(by_name)
    assert area is not None
    assert (area.radius_km, area.where, area.precision) == (32.0, "Moscow", PlacePrecision.CITY)
    drawn = {"precision": "venue", "country": "RU", "city": "Moscow", "geonameid": 524901}
    assert area_km({**drawn, "lat": 55.75204, "lon": 37.61781}) == 32.0
    assert area_km({**drawn, "lat": 55.8253, "lon": 37.3886}) == 2.0  # its own point
    facts = facts_for(Tier.ALLY, by_name)
    assert facts.place is not None
    assert facts.place.radius_km == 32.0  # nor does the warning claim "within 1 km"
