"""Threats as advisories, embassy alerts and intelligence reports word them - "security
threats", "imminent plans to target", "may target", "leave immediately" - with their
place, window and evidence; and what such texts give only as background (a war "amid"
which, an attack years ago) never becomes an incident."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources

from tearline.extract import _advisory, extract
from tearline.extract._text import fold
from tearline.model import EventKind, Method, Modality, PlacePrecision, TargetType

MOSCOW = timezone(timedelta(hours=3))

MOSCOW_ALERT = """Security Alert - U.S. Embassy Moscow, Russia (March 7, 2024)

Location: Moscow, Russia

Event: The Embassy is monitoring reports that extremists have imminent plans to target large \
gatherings in Moscow, to include concerts, and U.S. citizens should be advised to avoid large \
gatherings over the next 48 hours.

Actions to Take:
Avoid crowds.
Monitor local media for updates."""

KABUL_ALERT = """Security Alert - U.S. Embassy Kabul, Afghanistan (August 25, 2021)

Location: Kabul, Afghanistan

Event: Because of security threats outside the gates of Kabul airport, we are advising U.S. \
citizens to avoid traveling to the airport and to avoid airport gates at this time unless you \
receive individual instructions from a U.S. government representative to do so. U.S. citizens \
who are at the Abbey gate, East gate, or North gate now should leave immediately.

Actions to Take:
Avoid the airport.
Be aware of your surroundings."""


def test_the_moscow_alert_is_a_threat_to_gatherings_in_moscow_for_48_hours() -> None:
    sent = datetime(2024, 3, 7, 18, 0, tzinfo=MOSCOW)
    events = extract(MOSCOW_ALERT, sent)
    assert [e.kind for e in events] == [EventKind.THREAT]
    e = events[0]
    assert e.place is not None
    assert (e.place.country, e.place.city) == ("RU", "Moscow")
    assert e.time is not None
    assert e.time.start == sent
    assert e.time.end - e.time.start == timedelta(hours=48)
    assert {TargetType.MASS_GATHERING, TargetType.CONCERT} <= {t.type for t in e.targets}
    assert any("imminent plans to target" in s.text for s in e.evidence)


def test_the_kabul_gates_alert_is_a_threat_at_kabul_with_its_evidence() -> None:
    sent = datetime(2021, 8, 25, 12, 0, tzinfo=timezone(timedelta(hours=4, minutes=30)))
    events = extract(KABUL_ALERT, sent)
    assert [e.kind for e in events] == [EventKind.THREAT]
    e = events[0]
    assert e.place is not None
    assert (e.place.country, e.place.city) == ("AF", "Kabul")
    assert TargetType.TRANSPORT in {t.type for t in e.targets}  # the airport
    said = " ".join(s.text for s in e.evidence)
    assert "security threats" in said
    assert "should leave immediately" in said  # the advice is part of the same threat


def test_a_specific_credible_threat_needs_no_attack_verb() -> None:
    text = (
        "Location: Kampala, Uganda\n\nEvent: The U.S. Embassy has been made aware of a "
        "specific, credible threat at locations in Kampala where Westerners gather, "
        "including hotels and restaurants."
    )
    e = extract(text, datetime(2025, 10, 2, tzinfo=UTC))
    assert [(x.kind, x.place and x.place.city) for x in e] == [(EventKind.THREAT, "Kampala")]
    assert e[0].modality is Modality.THREATENED


def test_a_worldwide_caution_amid_a_war_places_no_incident_in_the_war() -> None:
    text = (
        "Worldwide Caution\n\nLocation: Worldwide\n\nEvent: Due to increased tensions in "
        "various locations around the world, the potential for terrorist attacks, "
        "demonstrations or violent actions against U.S. citizens and interests, the "
        "Department of State advises U.S. citizens overseas to exercise increased caution. "
        "Amid the conflict in Gaza, U.S. citizens should be alert in locations frequented "
        "by tourists."
    )
    events = extract(text, datetime(2023, 10, 19, tzinfo=UTC))
    assert all(e.kind is EventKind.THREAT for e in events)
    assert all(e.place is None for e in events)  # worldwide: no place, not Gaza


def test_guidance_motivated_by_a_war_is_no_incident_in_that_country() -> None:
    text = (
        "There is a heightened threat of terrorist attack globally against UK interests and "
        "British nationals, from groups or individuals motivated by the conflict in Israel "
        "and Gaza. You should remain vigilant at this time."
    )
    events = extract(text, datetime(2024, 1, 15, tzinfo=UTC))
    assert not [e for e in events if e.kind is EventKind.INCIDENT]
    assert not [e for e in events if e.place is not None and e.place.country in ("IL", "PS")]


def test_a_threat_amid_a_war_elsewhere_is_placed_where_it_is_aimed() -> None:
    text = (
        "Amid the ongoing conflict in Sudan, we assess that extremists are plotting attacks "
        "against Western interests in Nairobi."
    )
    events = extract(text, datetime(2025, 7, 22, tzinfo=UTC))
    assert [(e.kind, e.place and e.place.country) for e in events] == [(EventKind.THREAT, "KE")]


def test_an_advisorys_past_attack_is_background_not_an_incident_nor_the_threats_city() -> None:
    text = (
        "Do not travel to Russia for any reason due to terrorism, unrest, wrongful detention "
        "and other risks.\n\nTerrorism\nTerrorists continue to plan and carry out attacks in "
        "Russia. The March 2024 Crocus City Hall attack in Moscow proved terrorists can strike "
        "without warning."
    )
    events = extract(text, datetime(2025, 12, 29, tzinfo=UTC))
    assert events
    assert all(e.kind is EventKind.THREAT for e in events)
    assert all(e.place is not None and e.place.country == "RU" for e in events)
    assert all(e.place is not None and e.place.city is None for e in events)
    assert all(e.time is None or e.time.start.year == 2025 for e in events)


def test_an_anniversary_of_an_attack_reports_nothing() -> None:
    text = (
        "Ten years after the Westgate mall attack in Nairobi, Kenyan officials held a "
        "memorial ceremony for the victims. Security at shopping centres has been improved "
        "since then."
    )
    assert extract(text, datetime(2023, 9, 21, tzinfo=UTC)) == []


def test_routine_advice_is_no_threat() -> None:
    text = (
        "Exercise normal safety precautions in Japan. Use common sense and look out for "
        "suspicious behaviour, as you would in Australia. Monitor the media for information "
        "about safety risks, including earthquakes and typhoons."
    )
    assert extract(text, datetime(2025, 3, 3, tzinfo=UTC)) == []


def test_an_alert_about_an_attack_under_way_is_an_incident() -> None:
    text = (
        "Location: Mogadishu, Somalia\n\nEvent: There are reports of an ongoing attack at a "
        "hotel near Mogadishu's Aden Adde International Airport. Gunfire and explosions have "
        "been reported in the area.\n\nActions to Take:\nShelter in place.\nAvoid the area."
    )
    events = extract(text, datetime(2025, 9, 3, 15, tzinfo=UTC))
    assert [(e.kind, e.place and e.place.city) for e in events] == [
        (EventKind.INCIDENT, "Mogadishu")
    ]


def test_the_window_comes_from_the_sentence_of_the_attack_not_the_rehearsal() -> None:
    text = (
        "Our source reports that the cell met near the central railway station in Lyon. "
        "Rehearsals took place this week. The attack is planned in five days, on 11 December, "
        "at the station."
    )
    events = extract(text, datetime(2025, 12, 6, 9, tzinfo=UTC))
    assert [e.kind for e in events] == [EventKind.THREAT]
    e = events[0]
    assert e.place is not None
    assert e.place.city == "Lyon"
    assert e.time is not None
    assert (e.time.start.month, e.time.start.day) == (12, 11)
    assert e.modality is Modality.PLANNED


def test_a_later_sentence_dates_the_planned_attack() -> None:
    text = (
        "Militants plan to bomb the central station in Lyon. They rehearsed the attack "
        "this week. The attack will take place in five days."
    )
    events = extract(text, datetime(2025, 12, 6, 9, tzinfo=UTC))
    threats = [e for e in events if e.kind is EventKind.THREAT]
    assert len(threats) == 1
    assert threats[0].time is not None
    assert (threats[0].time.start.month, threats[0].time.start.day) == (12, 11)


def test_a_rehearsal_for_the_attack_is_part_of_the_threat_and_not_its_time() -> None:
    text = (
        "ISIS operatives are planning a bombing in Lyon. Rehearsals for the bombing took "
        "place this week. The bombing is planned for 11 December."
    )
    events = extract(text, datetime(2025, 12, 6, 9, tzinfo=UTC))
    assert [e.kind for e in events] == [EventKind.THREAT]  # no bombing that took place
    assert events[0].time is not None
    assert (events[0].time.start.month, events[0].time.start.day) == (12, 11)


def test_every_phrase_of_the_threat_language_file_is_found_as_written() -> None:
    source = resources.files("tearline.data").joinpath("lexicon/en/threats.toml")
    raw = tomllib.loads(source.read_text(encoding="utf-8"))
    lexicon = _advisory.load()
    for group in raw["language"]:
        for phrase in group["phrases"]:
            folded = fold(f"They said {phrase} here.")
            marks = _advisory.threat_marks(folded, lexicon, advisory=True)
            assert any(m.start <= 10 and m.end >= 10 + len(phrase) for m in marks), phrase
    for phrase in raw["register"]["advisories"] + raw["register"]["reports"]:
        assert _advisory.register_of(fold(f"x {phrase} x"), lexicon) is not None, phrase


def test_a_later_day_narrows_a_vague_window() -> None:
    text = (
        "Militants plan an attack on the central station in Lyon in the coming weeks. "
        "The attack is planned for 11 December."
    )
    events = extract(text, datetime(2025, 12, 6, 9, tzinfo=UTC))
    assert [e.kind for e in events] == [EventKind.THREAT]
    assert events[0].time is not None
    assert events[0].time.span.text == "11 December"


def test_towns_an_advisory_gives_as_examples_do_not_place_its_threat() -> None:
    text = (
        "Exercise a high degree of caution in Indonesia overall due to the threat of "
        "terrorism. Terrorists continue to plan attacks in Indonesia, including in Bali and "
        "Jakarta. Possible targets include nightclubs, bars, places of worship and hotels."
    )
    events = extract(text, datetime(2025, 11, 28, tzinfo=UTC))
    assert events
    assert {(e.kind, e.place and e.place.country, e.place and e.place.city) for e in events} == {
        (EventKind.THREAT, "ID", None)
    }


PESHAWAR_ALERT = """Security Alert \u2013 U.S. Embassy Islamabad, Pakistan (December 4, 2026)

Location: Peshawar, Khyber Pakhtunkhwa, Pakistan

Event: The U.S. Embassy has received information of a specific, credible threat against \
hotels frequented by foreigners in Peshawar over the coming days. The Embassy has instructed \
U.S. government personnel to avoid the Saddar area until further notice.

Actions to Take:
- Avoid large crowds and hotels in Peshawar.
- Shelter in place if you hear gunfire.
- Monitor local media for updates."""


def test_the_embassy_that_issues_an_alert_is_neither_its_target_nor_its_place() -> None:
    events = extract(PESHAWAR_ALERT, datetime(2026, 12, 4, 9, tzinfo=UTC))
    assert [e.kind for e in events] == [EventKind.THREAT]
    e = events[0]
    assert TargetType.DIPLOMATIC not in {t.type for t in e.targets}
    assert [t.type for t in e.targets] == [TargetType.BUSINESS]  # the Event's hotels
    assert e.place is not None
    assert (e.place.precision, e.place.country, e.place.city) == (
        PlacePrecision.CITY,
        "PK",
        "Peshawar",
    )
    assert e.place.venue is None
    assert e.time is not None
    assert e.time.span.text == "over the coming days"


def test_an_alerts_advice_gives_no_method_of_the_threat() -> None:
    events = extract(PESHAWAR_ALERT, datetime(2026, 12, 4, 9, tzinfo=UTC))
    assert [e.kind for e in events] == [EventKind.THREAT]
    assert events[0].method is None or events[0].method.method is not Method.ARMED_ASSAULT
    assert events[0].weapons == ()


def test_a_threat_against_an_embassy_still_targets_the_embassy() -> None:
    sent = datetime(2026, 12, 4, 9, tzinfo=UTC)
    plain = extract("Militants plan to attack the U.S. Embassy in Kabul.", sent)
    alert = extract(
        "Security Alert \u2013 U.S. Embassy Kabul, Afghanistan (December 4, 2026)\n\n"
        "Event: The Embassy has received information that militants plan to attack the "
        "U.S. Embassy in Kabul.",
        sent,
    )
    for events in (plain, alert):
        assert [e.kind for e in events] == [EventKind.THREAT]
        assert [(t.type, t.name) for t in events[0].targets] == [
            (TargetType.DIPLOMATIC, "U.S. Embassy")
        ]
        assert events[0].place is not None
        assert (events[0].place.country, events[0].place.city) == ("AF", "Kabul")
