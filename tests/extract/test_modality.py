"""How the text holds the event: reported, claimed, denied, planned, threatened, hypothetical."""

from __future__ import annotations

import pytest

from tearline.extract import extract
from tearline.model import EventKind, Modality

from ._support import DEMO_DATE, only_event


def test_denied() -> None:
    e = only_event(
        "The army denied that guerrillas attacked a police station in Santa Ana on Monday."
    )
    assert (e.kind, e.modality) == (EventKind.INCIDENT, Modality.DENIED)


def test_claimed_by_is() -> None:
    e = only_event("IS claimed responsibility for the bombing of a bus in Kabul on Tuesday.")
    assert (e.kind, e.modality) == (EventKind.INCIDENT, Modality.CLAIMED)
    assert [a.canonical for a in e.actors] == ["Islamic State of Iraq and the Levant"]


def test_a_later_claim_joins_the_incident() -> None:
    e = only_event(
        "Gunmen attacked a concert hall in Moscow on Friday, killing at least 133 people. "
        "The Islamic State group claimed responsibility."
    )
    assert e.modality is Modality.CLAIMED
    assert "ofac:8759" in {a.org_id for a in e.actors}


def test_hypothetical() -> None:
    e = only_event("Officials said ISIS-K may be trying to attack the airport in Istanbul.")
    assert (e.kind, e.modality) == (EventKind.THREAT, Modality.HYPOTHETICAL)


def test_planned() -> None:
    e = only_event(
        "Extremists have imminent plans to target large gatherings in Moscow, including concerts."
    )
    assert (e.kind, e.modality) == (EventKind.THREAT, Modality.PLANNED)


def test_threatened() -> None:
    e = only_event("The group threatened to bomb the embassy in Nairobi within the next 48 hours.")
    assert (e.kind, e.modality) == (EventKind.THREAT, Modality.THREATENED)


def test_reported_incident() -> None:
    e = only_event("Gunmen opened fire on worshippers at a mosque in Kano yesterday, killing 12.")
    assert (e.kind, e.modality) == (EventKind.INCIDENT, Modality.REPORTED)


def test_the_word_is_never_the_islamic_state() -> None:
    e = only_event("THIS IS URGENT: gunmen attacked a hotel in Kabul and it is said that 5 died.")
    assert all(a.org_id is None for a in e.actors)


def test_a_murder_under_investigation_is_no_threat() -> None:
    # "will", "ready to" and "if" are about the inquiry, not the murder
    for text in (
        "The government will investigate the murder of six Jesuit priests in San Salvador "
        "on 16 November.",
        "The government seems ready to carry out the investigation requested to clarify last "
        "Thursday's murder of eight people in San Salvador.",
        "If army officers are brought to trial for the assassination of six Jesuits in San "
        "Salvador, it will be the first time.",
    ):
        e = only_event(text)
        assert e.kind is EventKind.INCIDENT, text
        assert e.modality is Modality.REPORTED, text


def test_an_attempt_made_is_an_incident_an_attempt_under_way_a_threat() -> None:
    made = only_event(
        "An armed group tried to attack the ambassador's residence in Bogota on Monday."
    )
    assert made.kind is EventKind.INCIDENT
    ongoing = only_event("Officials said an armed group is trying to attack the embassy in Bogota.")
    assert ongoing.kind is EventKind.THREAT


def test_the_month_of_may_and_a_guess_about_the_past_are_no_threats() -> None:
    for text in (
        "On 11 May a bomb destroyed a building owned by the family of the mayor of Lima.",
        "LIMA, 12 MAY 90 -- Garcia said the terrorists could have perpetrated the attack on "
        "the police station in Huancayo in retaliation.",
    ):
        e = only_event(text)
        assert (e.kind, e.modality) == (EventKind.INCIDENT, Modality.REPORTED), text
    # the verb still makes a possibility
    e = only_event("Officials said gunmen may attack the embassy in Lima.")
    assert (e.kind, e.modality) == (EventKind.THREAT, Modality.HYPOTHETICAL)


def test_will_makes_a_threat_only_of_an_event_word_close_after_it() -> None:
    e = only_event("Ponce said the guerrillas will carry out terrorist attacks in San Salvador.")
    assert e.kind is EventKind.THREAT
    for text in (
        "I will remind you that in 1984 the same Lehder organized the assassination of the "
        "justice minister in Bogota.",
        "The foundation in Bogota will be named after Bateman, the guerrilla leader who was "
        "assassinated in 1983.",
        "A listener is going to tell us about two explosions in San Salvador that left five "
        "wounded.",
        # going somewhere is not what is to come
        "The FMLN leaders said in Managua that they are considering not going to the "
        "dialogue meetings because of the bombings in San Salvador.",
    ):
        assert all(e.kind is EventKind.INCIDENT for e in extract(text, DEMO_DATE)), text


def test_denying_involvement_in_bombings_denies_the_bombings() -> None:
    assert (
        extract(
            "The Ukrainians have not been involved in terrorist bombings of Russian cities.",
            DEMO_DATE,
        )
        == []
    )
    # while an inquiry into an event that happened keeps it
    e = only_event(
        "Col Isaac did not confirm whether Sisniega was involved in the attack on the "
        "embassy in Guatemala City on Monday."
    )
    assert e.kind is EventKind.INCIDENT


def test_an_event_word_that_did_something_is_an_incident_whatever_else_is_to_come() -> None:
    # "in the next few hours" is when the supply will be restored, not when the attacks
    # come: the attacks affected the powerline, and that is an incident in Chile
    e = only_event(
        "SANTIAGO, 27 NOV 89 (DOMESTIC SERVICE) -- [TEXT] THE COMPANIES CONCLUDED BY STATING "
        "THAT THE TERRORIST ATTACKS AFFECTED THE MAIN POWERLINE AND THAT THE ELECTRIC SUPPLY "
        "TO SOME TOWNS WILL BE RESTORED IN THE NEXT FEW HOURS."
    )
    assert (e.kind, e.modality) == (EventKind.INCIDENT, Modality.REPORTED)
    assert e.place is not None
    assert e.place.country == "CL"
    assert [t.span.text for t in e.targets] == ["POWERLINE"]
    threat = only_event("An attack on the embassy in Lima is expected in the coming days.")
    assert threat.kind is EventKind.THREAT


def test_who_planned_a_known_event_is_no_plan_of_one_to_come() -> None:
    for text in (
        "No one knew who had planned the murder of Father Ellacuria in San Salvador.",
        "Botero said the Medellin cartel planned and carried out the assassination of the "
        "candidate in Bogota.",
        "Walker said he does not know who planned Ignacio Ellacuria's assassination in San "
        "Salvador.",
        # the time to come is the inquiry's, not the murder's
        "The government will disclose within the next 72 hours the names of the individuals "
        "implicated in the murder of six Jesuits in San Salvador.",
    ):
        e = only_event(text)
        assert (e.kind, e.modality) == (EventKind.INCIDENT, Modality.REPORTED), text
    # an attack planned, named as one among others, is still a plan
    e = only_event("Police said the group planned an attack on the embassy in Lima.")
    assert (e.kind, e.modality) == (EventKind.THREAT, Modality.PLANNED)
    e = only_event("The guerrillas are planning the assassination of the mayor of Lima.")
    assert (e.kind, e.modality) == (EventKind.THREAT, Modality.PLANNED)
    e = only_event("Guerrillas will attack the embassy in Lima within the next 72 hours.")
    assert e.kind is EventKind.THREAT


@pytest.mark.parametrize(
    "text",
    [
        # a reaction: the words before it are about the reaction
        "We would like to say that we condemn in the strongest terms the murders of the "
        "Jesuit priests in San Salvador early this morning.",
        "FECODE will hold a 48-hour strike to protest the assassination of Jaramillo in Bogota.",
        # who was involved: the event happened
        "The poll reveals the possible participation of the FMLN in the murders of the "
        "FENASTRAS leaders in San Salvador.",
        "The government will disclose the names of the individuals implicated in the murder "
        "of six Jesuits in San Salvador.",
        # the month, not the verb
        "Maza, who in late May was the target of a dynamite attack in Bogota, spoke today.",
        # a plan of an attack that was carried out
        "One of the documents is the plan of the attack that was carried out against him "
        "today in Guatemala City.",
    ],
)
def test_events_spoken_of_as_done_are_incidents(text: str) -> None:
    events = extract(text, DEMO_DATE)
    assert events, text
    assert all(e.kind is EventKind.INCIDENT for e in events), text
    assert all(e.modality is Modality.REPORTED for e in events), text
