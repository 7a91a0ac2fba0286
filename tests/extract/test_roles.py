"""Role fillers: perpetrators, targets and weapons, each copied exactly from the text."""

from __future__ import annotations

from tearline.extract import _roles, extract, gazetteer, organisations
from tearline.extract._doc import prepare
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


def test_the_taggers_read_only_the_sentences_within_reach_of_an_event() -> None:
    # The document model reads the whole report; the taggers only the sentences whose
    # fillers can be given to an event (the event's own and two either side).
    text = (
        "SAN SALVADOR, 3 JAN 90 (ACAN-EFE) -- [TEXT] URBAN TERRORISTS BLEW UP A POWER "
        "SUBSTATION IN SAN MIGUEL WITH DYNAMITE TODAY.  THE ARMY REPORTED IT.  "
        + "THE WEATHER WAS FINE.  " * 4
        + "IN 1988 FMLN GUERRILLAS HAD KIDNAPPED A JUDGE WITH RIFLES."
    )
    doc = prepare(text)
    model = _roles.load()
    gaz, orgs = gazetteer.load(), organisations.load()
    whole = model.read(doc, gaz, orgs)
    near = model.read(doc, gaz, orgs, {0, 1, 2})
    assert near.relevance == whole.relevance
    last = doc.units[-1].index
    assert any(m.unit == last for c in whole.candidates for m in c.mentions)
    assert all(m.unit in {0, 1, 2} for c in near.candidates for m in c.mentions)
    assert any(m.span.text == "DYNAMITE" for c in near.candidates for m in c.mentions)
