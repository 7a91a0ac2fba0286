"""Threats to someone's life as armed groups and reporters word them: death threats, death
lists, death sentences passed by a death squad, people declared military targets, prices
on heads, ultimatums and warnings. Each must become a threat a duty officer sees, with
whom it is against; look-alikes (a court's sentence, a plan executed) must not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tearline.extract import extract
from tearline.model import EventKind, Harm, IncidentType, Modality, TargetType

from ._support import only_event

DATE = datetime(1990, 1, 20, tzinfo=UTC)


def _threat(text: str) -> tuple[EventKind, Modality]:
    e = only_event(text, DATE)
    return e.kind, e.modality


def test_declared_a_military_target_is_a_threat_against_the_ambassador() -> None:
    e = only_event(
        "BOGOTA, 20 Jan 90 -- U.S. Ambassador Thomas McNamara has been declared a priority "
        '"military target" of the Army of National Liberation (ELN).',
        DATE,
    )
    assert (e.kind, e.modality) == (EventKind.THREAT, Modality.THREATENED)
    assert [(t.span.text, t.type) for t in e.targets] == [("Ambassador", TargetType.DIPLOMATIC)]
    assert [a.span.text for a in e.actors] == ["ELN"]
    assert e.place is not None
    assert e.place.country == "CO"


def test_a_death_squads_death_sentence_is_a_threat_in_capitals_too() -> None:
    text = (
        "TEGUCIGALPA, 26 JAN 89 -- [COMMUNIQUE] [TEXT] THE ANTICOMMUNIST ACTION ALLIANCE "
        "REPORTS THAT ITS DISCIPLINARY TRIBUNAL TRIED AND SENTENCED TO DEATH THE FOLLOWING "
        "TERRORISTS OF INTERNATIONAL COMMUNISM:  JORGE ARTURO REINA, JUAN ALMENDAREZ "
        "BONILLA, AND HECTOR HERNANDEZ.\n\n   THESE PEOPLE WILL BE EXECUTED BEGINNING ON THIS "
        "DATE."
    )
    e = only_event(text, DATE)
    assert (e.kind, e.modality) == (EventKind.THREAT, Modality.THREATENED)
    assert Harm.KILLING in {h.harm for h in e.harm}
    assert e.place is not None
    assert e.place.country == "HN"
    # both sentences are the threat's evidence: the sentence and the promise to carry it out
    assert len(e.evidence) == 2
    # whom to warn: every person named on the list
    assert [" ".join(h.text.split()) for h in e.human_targets if h.named] == [
        "JORGE ARTURO REINA",
        "JUAN ALMENDAREZ BONILLA",
        "HECTOR HERNANDEZ",
    ]


def test_a_courts_death_sentence_is_no_threat() -> None:
    assert (
        extract("A military court in Lima sentenced the two rebels to death on Monday.", DATE) == []
    )


@pytest.mark.parametrize(
    "text",
    [
        "Shining Path placed the mayor of Huanta on a death list.",
        "Judge Maria Elena Diaz has received death threats from the Extraditables.",
        "The cartel has put a price on the head of the judge who signed the extradition order.",
        "The death squad gave the journalists 48 hours to leave the country or be killed.",
        "A note from the group warned that the judges would be killed if they convicted its "
        "leaders.",
        "FMLN units in Usulutan warned the mayors that they will be considered military targets.",
        "The justice minister and her son in Bogota have been threatened by the drug mafias.",
        "Francisco Merino has threatened opposition leaders in San Salvador with death.",
        "Judge Maria Diaz of Medellin received several threats today.",
        "The announcer told police in Guatemala City a caller threatened a generalized attack "
        "on radio stations.",
        "She is hiding in Miami from the cartel's assassination threats against judges.",
        "A man threatened to shoot students at Lincoln High School in Denver on Friday.",
        "The imam received a letter saying he would be killed if he kept preaching in Birmingham.",
        "He posted online that he would bomb the synagogue in Halle on Yom Kippur.",
        "In Bogota, threats were made against other political figures such as Liberal Party "
        "candidate Cesar Gaviria.",
        "SAN SALVADOR, 19 APR 89 (AFP) -- [TEXT] THE COMMUNIQUE ADDS A VEILED THREAT AGAINST "
        "FRANCISCO GUERRERO, PRESIDENT OF THE SUPREME COURT OF JUSTICE.",
        "The 8th FARC front declared the Pan-American Highway near Popayan a military target "
        "during the next 48 hours.",
        "The ELN declared all oil installations in Arauca legitimate military targets.",
        "Guillermo Ungo sought asylum at the Venezuelan embassy in San Salvador 6 days ago to "
        "protect himself against the threats issued on the government radio.",
        "The journalist went into hiding in Guatemala City after threats from a death squad.",
        "Gunmen threatened the judge with pistols outside his home in Medellin on Monday.",
    ],
)
def test_worded_threats_to_kill_are_threatened(text: str) -> None:
    assert _threat(text) == (EventKind.THREAT, Modality.THREATENED)


def test_a_promise_to_execute_is_a_planned_threat_and_an_execution_an_incident() -> None:
    planned = only_event(
        "The Extraditables announced that they will execute ten politicians for every "
        "Colombian extradited.",
        DATE,
    )
    assert (planned.kind, planned.modality) == (EventKind.THREAT, Modality.PLANNED)
    done = only_event(
        "Guerrillas executed two peasants they accused of being army informers in Puerto "
        "Boyaca on Monday.",
        DATE,
    )
    assert done.kind is EventKind.INCIDENT
    assert Harm.KILLING in {h.harm for h in done.harm}


@pytest.mark.parametrize(
    "text",
    [
        "The guerrillas executed their plan to blockade the highway near Medellin on Monday.",
        "The cold-blooded plan was executed by the army to decapitate the movement in Lima.",
        "The FMLN said diplomatic offices in San Salvador are not military targets.",
        "The mayor of Lima was threatened with dismissal by the council on Monday.",
        "The farmers in Lima threatened the ministry with a strike on Monday.",
        "The coach said the team would shoot for the title in Denver next season.",
        "The minister denounced threats against democracy in Lima.",
        "The mayor declared the meeting in Lima a success.",
        "Chiefs of state expressed support in Buenos Aires in view of the threats against "
        "Argentine democracy.",
        "The mayor has received threats of a lawsuit from the contractors in Lima.",
        "He has received threats in Lima.",  # whom, from whom, of what: none said
        "The director will shoot a film about the mayor of Denver next week.",
        "The FMLN said no U.S. diplomatic or economic facility in El Salvador will be "
        "considered a military target.",
        "If the killing does not stop, the army in San Salvador will be signing its own "
        "death sentence.",
    ],
)
def test_look_alikes_are_no_threats(text: str) -> None:
    assert extract(text, DATE) == []


def test_an_aircraft_shot_down_is_an_attack_and_a_misspelt_threat_still_threatens() -> None:
    e = only_event(
        "CLANDESTINE, 5 DEC 89 (RADIO VENCEREMOS) -- [TEXT] SALVADORANS, THIS AFTERNOON WE "
        "DOWNED AN O-2 AIRPLANE IN THE AREA OF THE CITY OF USULUTAN.",
        DATE,
    )
    assert (e.kind, e.incident_type, e.place and e.place.country) == (
        EventKind.INCIDENT,
        IncidentType.ATTACK,
        "SV",
    )
    assert (
        extract("Stock prices went down the drain after the airplane maker's report.", DATE) == []
    )
    # machine translation drops letters: "threating to kill" is "threatening to kill"
    e = only_event(
        "The troops beat up the peasants in Perquin, threating to kill them if they spoke.", DATE
    )
    assert (e.kind, e.modality) == (EventKind.THREAT, Modality.THREATENED)


def test_a_threat_to_kill_beside_a_deed_is_still_a_threat() -> None:
    # The stoppage is called for a day to come, and the rebels threaten to kill: both are
    # threats, though "stoppage" is an event word that used to silence "kill".
    e = only_event(
        "LIMA, 10 MAR 90 -- [TEXT] IN THE PAST FEW DAYS, THE REBELS HAVE CALLED FOR A "
        "TRANSPORTATION STOPPAGE TO BEGIN ON 16 MARCH, HAVE ORDERED GAS STATION OWNERS TO "
        "REFRAIN FROM SELLING FUEL, AND THREATENED TO KILL ELECTION OFFICIALS.",
        DATE,
    )
    assert (e.kind, e.modality) == (EventKind.THREAT, Modality.THREATENED)
    assert Harm.KILLING in {h.harm for h in e.harm}
    # the group that bombs is the group that threatens
    events = extract(
        "The guerrillas have reacted by carrying out bomb attacks in Bogota and threatening "
        "to kill judges and journalists.",
        DATE,
    )
    threat = next(e for e in events if e.kind is EventKind.THREAT)
    assert [a.span.text for a in threat.actors] == ["guerrillas"]
    # ... but not past another actor nearer the threat
    events = extract(
        "The Islamic State group quickly claimed responsibility for the attack on the concert "
        "hall, with U.S. intelligence warning the Kremlin that ISIS-K was planning an attack "
        "on Moscow.",
        DATE,
    )
    threat = next(e for e in events if e.kind is EventKind.THREAT)
    assert [a.span.text for a in threat.actors] == ["ISIS-K"]
