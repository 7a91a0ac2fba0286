"""Role fillers: perpetrators, targets and weapons, each copied exactly from the text."""

from __future__ import annotations

from tearline.extract import extract
from tearline.model import Event, IncidentType

from ._support import DEMO_DATE, only_event


def texts(fillers: tuple[object, ...]) -> list[str]:
    return [f.span.text for f in fillers]  # type: ignore[attr-defined]


def test_a_wire_report_in_capitals() -> None:
    e = only_event(
        "SAN SALVADOR, 3 JAN 90 (ACAN-EFE) -- [TEXT] URBAN TERRORISTS OF THE FARABUNDO MARTI "
        "NATIONAL LIBERATION FRONT (FMLN) BLEW UP AN ELECTRIC POWER SUBSTATION IN SAN MIGUEL "
        "WITH DYNAMITE TODAY, THE ARMY REPORTED. THREE PEASANTS WERE WOUNDED IN THE EXPLOSION."
    )
    assert e.incident_type is IncidentType.BOMBING
    assert "DYNAMITE" in texts(e.weapons)
    [org] = e.perpetrator_organizations  # the acronym and its expansion are one entity
    assert org.canonical == "Farabundo Marti National Liberation Front"
    assert org.org_id == "tearline:fmln"
    assert any("SUBSTATION" in t for t in texts(e.physical_targets))
    assert e.place is not None
    assert e.place.city == "San Miguel"
    assert e.place.country == "SV"  # the dateline settles which San Miguel


def test_a_named_victim_is_marked_named_and_a_group_is_not() -> None:
    e = only_event(
        "Guerrillas kidnapped businessman Carlos Alberto Mendez in Bogota yesterday and "
        "killed two peasants, police said."
    )
    assert e.incident_type is IncidentType.KIDNAPPING
    named = [f for f in e.human_targets if f.named]
    assert [f.span.text for f in named] == ["Carlos Alberto Mendez"]
    assert "Guerrillas" in texts(e.perpetrator_individuals)


def test_every_filler_is_exactly_the_text_at_its_offsets() -> None:
    text = (
        "the fmln attacked the home of mayor jose antonio rivas with rifles and grenades "
        "yesterday in usulutan. the farabundo marti national liberation front later claimed "
        "the attack."
    )
    events = extract(text, DEMO_DATE)
    assert events
    for e in events:
        for name in ("perpetrator_individuals", "perpetrator_organizations",
                     "physical_targets", "human_targets", "weapons"):  # fmt: skip
            for f in getattr(e, name):
                for s in (f.span, *f.mentions):
                    assert text[s.start : s.end] == s.text


def test_the_rules_fill_roles_in_modern_reporting(demo_events: list[Event]) -> None:
    threat, incident = demo_events
    orgs = [f.canonical for f in threat.perpetrator_organizations]
    assert "ISIL Khorasan" in orgs
    assert "Crocus City Hall" in texts(threat.physical_targets)
    assert texts(threat.weapons) == ["automatic rifles"]
    assert "large gatherings" in texts(threat.human_targets)
    assert all(not f.named for f in threat.human_targets)
    assert incident.incident_type is IncidentType.BOMBING


def test_no_event_no_fillers() -> None:
    assert extract("The FMLN and the government met in Caracas to discuss a ceasefire.",
                   DEMO_DATE) == []  # fmt: skip
