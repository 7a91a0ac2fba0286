"""The registry's CSV and JSON files: every mistake named by row and column, round trips."""

from __future__ import annotations

import json

import pytest

from tearline.deliver.registry import RegistryFileRejected, read_registry, write_registry
from tearline.errors import InputError
from tearline.model import RecipientKind

CSV = "\n".join(
    [
        "name,kind,tier,language,jurisdiction,country,city,lat,lon,radius_km,contacts,home,itinerary",
        "Russian Federation (liaison),government,adversary,en,RU,,,,,,liaison_note=moscow-desk,,",
        "Public in Moscow,public,public,ru,,RU,Moscow,55.7558,37.6173,30,"
        "public_feed=ru-moscow | sms=+79160000000,,",
        "Anna K.,person,partner,en,,,,,,,email=anna@example.org | sms=+79161234567,"
        '"55.75,37.62,RU",'
        '"2024-03-22T17:00:00Z/2024-03-22T23:00:00Z@55.8253,37.3886@Crocus City Hall"',
        "",
    ]
)


def test_csv_reads_people_with_home_and_itinerary() -> None:
    gov, public, anna = read_registry(CSV.encode(), "csv")
    assert (gov.kind, gov.jurisdiction, gov.contacts[0].channel) == (
        RecipientKind.GOVERNMENT,
        "RU",
        "liaison_note",
    )
    assert (public.area_lat, public.area_radius_km) == (55.7558, 30.0)
    assert [c.channel for c in public.contacts] == ["public_feed", "sms"]
    home, stop = anna.locations
    assert home.is_home
    assert (home.lat, home.country) == (55.75, "RU")
    assert stop.label == "Crocus City Hall"
    assert stop.starts_at is not None
    assert stop.starts_at.isoformat() == "2024-03-22T17:00:00+00:00"


def test_every_bad_row_is_named_and_nothing_is_returned() -> None:
    bad = CSV + (
        "Nobody,person,friend,en,,,,,,,email=not-an-address,,\n"
        "Gov without land,government,ally,en,,,,,,,webhook=ftp://x,,\n"
        'Anna K.,person,partner,en,,,,,,,sms=12345,"95,10",\n'
        'Walker,person,partner,en,,,,,,,email=w@example.org,,"2024-03-22T17:00:00/2024-03-22T16:00:00Z@1,2"\n'
    )
    with pytest.raises(RegistryFileRejected) as info:
        read_registry(bad.encode(), "csv")
    problems = "\n".join(info.value.problems)
    assert "row 5, tier: 'friend' is not one of" in problems
    assert "row 5, contacts[1]: not an e-mail address" in problems
    assert "row 6, jurisdiction: a government needs the country it protects" in problems
    assert "row 6, contacts[1]: a webhook address is an http(s) URL" in problems
    assert "row 7, contacts[1]: an SMS address is an E.164 number" in problems
    assert "row 7, home.lat: 95 is outside -90..90" in problems
    assert "row 7, name: 'Anna K.' is already on row 4" in problems
    assert "row 8, itinerary[1].from: '2024-03-22T17:00:00' has no time zone" in problems
    assert str(info.value).startswith("nothing imported: row 5, tier")


def test_json_round_trip_keeps_everything() -> None:
    people = read_registry(CSV.encode(), "csv")
    again = read_registry(write_registry(people, "json").encode(), "json")
    assert again == people
    assert read_registry(write_registry(people, "csv").encode(), "csv") == people


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        (b"\xff\xfe garbage", "csv", "not UTF-8"),
        (b"{", "json", "not valid JSON"),
        (b'{"people": []}', "json", "a list of recipients"),
        (b"name,kind\nx,person\n", "csv", "lacks column"),
        (b"name,kind,tier,contacts,shoe_size\n", "csv", "unknown CSV column"),
        (b"[]", "xml", "unknown registry format"),
    ],
)
def test_unreadable_files_are_refused_clearly(data: bytes, fmt: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_registry(data, fmt)


def test_json_objects_are_checked_like_rows() -> None:
    data = json.dumps(
        [
            {
                "name": "Org",
                "kind": "organisation",
                "tier": "ally",
                "contacts": [],
                "home": {"lat": 1, "lon": 2},
            },
            "not an object",
        ]
    ).encode()
    with pytest.raises(RegistryFileRejected) as info:
        read_registry(data, "json")
    assert info.value.problems == [
        "row 1, contacts: a recipient needs at least one contact point",
        "row 1, home: only people have a home and an itinerary; give others an area",
        "row 2: must be an object",
    ]
