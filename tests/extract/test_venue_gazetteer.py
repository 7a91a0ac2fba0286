"""Venues at their own coordinates: the shipped venue gazetteer, a deployment's own venues
file, and an analyst's remembered correction - never a reason to fail."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from tearline import venues
from tearline.errors import InputError

from ._support import only_event

LUZHNIKI = "Gunmen are planning an attack on the Luzhniki Stadium in Moscow on Friday."
CROCUS = "Gunmen are planning an attack on the Crocus City Hall in Moscow on Friday."


@pytest.fixture
def own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A deployment's venues file, named by the setting (an app may have chosen another
    before: that choice is dropped, then dropped again after)."""
    path = tmp_path / "venues.toml"
    monkeypatch.setenv("TEARLINE_VENUES_FILE", str(path))
    venues.use(None)
    yield path
    venues.use(None)


def test_every_shipped_venue_is_valid_and_cites_its_source() -> None:
    raw = resources.files("tearline").joinpath("data/venues.toml").read_bytes()
    rows = tomllib.loads(raw.decode())["venue"]
    found, problems = venues.parse(raw, "shipped")
    assert problems == []
    assert len(found) == len(rows) >= 4
    assert all(v.source for v in found)


def test_a_named_venue_gets_its_own_point_not_its_citys(own: Path) -> None:
    p = only_event(CROCUS).place
    assert p is not None
    assert p.venue == "Crocus City Hall"
    assert p.city == "Moscow"
    assert (p.lat, p.lon) == pytest.approx((55.825, 37.389), abs=0.005)
    # a venue the gazetteer lacks keeps its city's point, as before
    other = only_event(LUZHNIKI).place
    assert other is not None
    assert other.venue == "Luzhniki Stadium"
    assert (other.lat, other.lon) == pytest.approx((55.752, 37.618), abs=0.01)


def test_a_remembered_venue_places_the_next_report(own: Path) -> None:
    venues.remember(
        venues.Venue("Luzhniki Stadium", "RU", 55.7158, 37.5537, city="Moscow", source="analyst")
    )
    p = only_event(LUZHNIKI).place
    assert p is not None
    assert (p.lat, p.lon) == (55.7158, 37.5537)
    # and a deployment's row replaces the shipped one of the same name
    venues.remember(venues.Venue("Crocus City Hall", "RU", 55.8, 37.4, source="analyst, 2026"))
    crocus = only_event(CROCUS).place
    assert crocus is not None
    assert (crocus.lat, crocus.lon) == (55.8, 37.4)


def test_a_name_with_quotes_and_non_latin_letters_is_written_back_intact(own: Path) -> None:
    name = 'Стадион "Лужники" \\ North'
    venues.remember(venues.Venue(name, "RU", 55.7, 37.5, source="a\nb"))
    assert venues.load().find(name, "RU") == venues.Venue(name, "RU", 55.7, 37.5, source="a\nb")


def test_a_bad_row_is_skipped_with_a_warning_and_the_rest_are_used(
    own: Path, caplog: pytest.LogCaptureFixture
) -> None:
    own.write_text(
        '[[venue]]\nname = "Luzhniki Stadium"\ncountry = "RU"\nlat = 155.7\nlon = 37.5\n\n'
        '[[venue]]\nname = "Nowhere Hall"\ncountry = "russia"\nlat = 1\nlon = 2\n\n'
        '[[venue]]\nname = "Luzhniki Stadium"\ncountry = "RU"\nlat = 55.7158\nlon = 37.5537\n',
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="tearline.venues"):
        p = only_event(LUZHNIKI).place
    assert p is not None
    assert (p.lat, p.lon) == (55.7158, 37.5537)
    said = caplog.text
    assert "venue 1 ('Luzhniki Stadium'): lat must be between -90 and 90; skipped" in said
    assert "venue 2 ('Nowhere Hall'): country must be an ISO 3166-1 alpha-2 code" in said


def test_a_broken_file_warns_and_the_shipped_venues_still_place(
    own: Path, caplog: pytest.LogCaptureFixture
) -> None:
    own.write_text('[[venue]\nname = "x', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="tearline.venues"):
        p = only_event(CROCUS).place
    assert p is not None
    assert p.lat == pytest.approx(55.825, abs=0.005)
    assert "not a TOML file" in caplog.text


def test_a_bad_venue_is_refused_before_it_is_written(own: Path) -> None:
    with pytest.raises(InputError, match="lat must be between"):
        venues.remember(venues.Venue("Luzhniki Stadium", "RU", 95.0, 37.5))
    assert not own.exists()


def test_a_name_in_several_countries_needs_the_country(own: Path) -> None:
    own.write_text(
        '[[venue]]\nname = "Grand Hall"\ncountry = "RU"\nlat = 55\nlon = 37\n\n'
        '[[venue]]\nname = "Grand Hall"\ncountry = "FR"\nlat = 48\nlon = 2\n',
        encoding="utf-8",
    )
    known = venues.load()
    assert known.find("the Grand Hall", "FR") == venues.Venue("Grand Hall", "FR", 48.0, 2.0)
    assert known.find("Grand Hall") is None
