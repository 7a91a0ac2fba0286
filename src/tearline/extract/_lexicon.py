"""The words extraction looks for: attack triggers, methods, weapons, targets, harm, actors.

Each phrase is listed in the forms it is written in (no stemming), lower case; the
phrase index folds the text, so "BOMBING" and "Bombing" match too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from functools import cache

from tearline.extract._matcher import PhraseIndex
from tearline.extract._text import fold_key
from tearline.model import Harm, Method, TargetType


@dataclass(frozen=True, slots=True)
class Lex:
    """What a phrase means. ``role`` is one of the ROLE_* names below."""

    role: str
    value: str = ""
    past: bool = False  # a past-tense verb form: the event happened
    # Read by the rules only, not marked for the role taggers: words added after the
    # taggers were trained, kept out of their features until a rebuild shows on the
    # development set that the taggers gain by them (see digest()).
    rules_only: bool = False


TRIGGER = "trigger"  # value: ATTACK, PLOT, CLAIM, CONDITIONAL or TARGETING
METHOD = "method"  # value: a Method
WEAPON = "weapon"  # value: a weapon class (FIREARM, EXPLOSIVE, ...)
TARGET = "target"  # value: a TargetType
HARM = "harm"  # value: a Harm
INDIVIDUALS = "individuals"  # people acting: "gunmen", "operatives"

ATTACK, PLOT, CLAIM, CONDITIONAL, TARGETING = "attack", "plot", "claim", "conditional", "targeting"
FIREARM, EXPLOSIVE, INCENDIARY, BLADE, CBRN = "firearm", "explosive", "incendiary", "blade", "cbrn"

# A weapon implies a method when the text names no method ("gunmen with rifles").
WEAPON_METHOD = {
    FIREARM: Method.ARMED_ASSAULT,
    EXPLOSIVE: Method.BOMBING,
    INCENDIARY: Method.ARSON,
    BLADE: Method.STABBING,
    CBRN: Method.CBRN,
}
# Which weapons fit a method, so that "incendiary devices" does not become the weapon
# of an armed assault.
METHOD_WEAPONS = {
    Method.ARMED_ASSAULT: {FIREARM},
    Method.ASSASSINATION: {FIREARM, EXPLOSIVE, BLADE},
    Method.KIDNAPPING: {FIREARM},
    Method.HIJACKING: {FIREARM, EXPLOSIVE, BLADE},
    Method.BOMBING: {EXPLOSIVE},
    Method.SUICIDE_BOMBING: {EXPLOSIVE},
    Method.ARSON: {INCENDIARY},
    Method.STABBING: {BLADE},
    Method.CBRN: {CBRN},
    Method.ROBBERY: {FIREARM, BLADE},
}
# When a sentence names several methods, the most specific one describes the event.
METHOD_PRIORITY = (
    Method.SUICIDE_BOMBING,
    Method.VEHICLE_RAMMING,
    Method.HIJACKING,
    Method.CBRN,
    Method.KIDNAPPING,
    Method.BOMBING,
    Method.ASSASSINATION,
    Method.ROBBERY,
    Method.ARMED_ASSAULT,
    Method.STABBING,
    Method.ARSON,
    Method.FORCED_WORK_STOPPAGE,
)


def _forms(spec: str) -> list[str]:
    """'attack|s|ed:p|ing' -> attack, attacks, attacked (past), attacking."""
    stem, *suffixes = spec.split("|")
    return [stem, *(stem + s for s in suffixes)]


def _entries(specs: str, *lexes: Lex) -> list[tuple[str, Lex]]:
    """Phrases separated by commas, each with optional '|suffix' forms; ':p' marks past."""
    out: list[tuple[str, Lex]] = []
    for spec in (s.strip() for s in specs.split(",")):
        if not spec:
            continue
        for form in _forms(spec):
            past = form.endswith(":p")
            phrase = form.removesuffix(":p")
            out += [(fold_key(phrase), replace(x, past=past or x.past)) for x in lexes]
    return out


def rules_only(lex: Lex) -> Lex:
    """The mark read by the rules alone (the role taggers were trained without it)."""
    return replace(lex, rules_only=True)


def _trigger(value: str) -> Lex:
    return Lex(TRIGGER, value)


def _method(m: Method) -> Lex:
    return Lex(METHOD, m.value)


def _target(t: TargetType) -> Lex:
    return Lex(TARGET, t.value)


def _harm(h: Harm) -> Lex:
    return Lex(HARM, h.value)


ATTACK_T = _trigger(ATTACK)
KILL = _harm(Harm.KILLING)
INJURE = _harm(Harm.SERIOUS_BODILY_INJURY)
KIDNAP = _harm(Harm.KIDNAPPING)
DAMAGE = _harm(Harm.PROPERTY_DAMAGE)
PEOPLE = Lex(INDIVIDUALS)


def _attack_words() -> list[tuple[str, Lex]]:
    return [
        *_entries(
            "attack|s|ed:p|ing, terrorist attack|s, terror attack|s, assault|s|ed:p", ATTACK_T
        ),
        *_entries("massacre|s|d:p", ATTACK_T, KILL),
        *_entries("murder|s|ed:p, mass murder|s", ATTACK_T, KILL),
        *_entries("ambush|es|ed:p, stormed:p, sabotage|d:p", ATTACK_T),
        *_entries("terrorist act|s, act of terrorism, acts of terrorism", ATTACK_T),
        *_entries("plot|s|ted|ting, conspiracy to attack", _trigger(PLOT)),
        *_entries("death threat|s", _trigger(PLOT), rules_only(KILL)),
        *_entries("bomb threat|s", _trigger(PLOT)),
        # A threat to kill named as such: read by the rules only.
        *_entries(
            "death list|s, hit list|s, death sentence|s, sentenced to death, "
            "condemned to death, sentenced them to death, sentenced him to death, "
            "sentenced her to death",
            rules_only(_trigger(PLOT)),
            rules_only(KILL),
        ),
        *_entries(
            "assassination threat|s, kidnapping threat|s, kidnap threat|s, threatening call|s, "
            "threatening phone call|s, threatening telephone call|s, threatening letter|s, "
            "threatening message|s, threatening note|s",
            rules_only(_trigger(PLOT)),
        ),
        *_entries(
            "annihilate|d:p|s, annihilating, gun down, behead|s|ed:p|ing, "
            "slaughter|s|ed:p|ing, stab, stabs",
            rules_only(_trigger(CONDITIONAL)),
            rules_only(KILL),
        ),
        *_entries(
            "summary execution|s, extrajudicial execution|s", rules_only(ATTACK_T), rules_only(KILL)
        ),
        *_entries("target|s|ed|ing", _trigger(TARGETING)),
        *_entries("kill|s|ed:p|ing", _trigger(CONDITIONAL), KILL),
        *_entries("died:p, dies, was dead:p, were dead:p", rules_only(KILL)),
        # what a threat threatens: "has threatened opposition leaders with death"
        *_entries("with death", rules_only(KILL)),
        *_entries(
            "ended his life:p, ended her life:p, ended their lives:p",
            rules_only(_trigger(CONDITIONAL)),
            rules_only(KILL),
        ),
        *_entries(
            "injure|s|d:p, injuring, wound|s|ed:p|ing, maimed:p", _trigger(CONDITIONAL), INJURE
        ),
        *_entries(
            "claimed responsibility:p, claims responsibility, claim responsibility, "
            "claiming responsibility, claimed credit:p, took responsibility:p, "
            "responsibility was claimed:p, claimed the attack:p",
            _trigger(CLAIM),
        ),
    ]


def _method_words() -> list[tuple[str, Lex]]:
    """Armed assault and bombings; the other methods are in _other_method_words."""
    arm, bomb = _method(Method.ARMED_ASSAULT), _method(Method.BOMBING)
    suicide = _method(Method.SUICIDE_BOMBING)
    return [
        *_entries(
            "armed attack|s, armed assault|s, gun attack|s, shooting|s, mass shooting|s",
            ATTACK_T,
            arm,
        ),
        *_entries(
            "opened fire:p, open fire, shot dead:p, gunned down:p, shot and killed:p, "
            "machinegunned:p, machine-gunned:p, riddled with bullets:p",
            ATTACK_T,
            arm,
            KILL,
        ),
        *_entries("were shot:p, was shot:p", ATTACK_T, arm),
        *_entries(
            "shot to death:p, shot him to death:p, shot them to death:p, fired at:p, "
            "sprayed with bullets:p, sprayed with gunfire:p",
            rules_only(ATTACK_T),
            rules_only(arm),
        ),
        *_entries("shootout|s, shoot-out|s", rules_only(_trigger(CONDITIONAL)), rules_only(arm)),
        *_entries(
            "gunmen, gunman, armed men, heavily armed men, armed looters, heavily armed looters",
            arm,
            PEOPLE,
        ),
        *_entries(
            "bomb|s|ed:p|ing|ings, bomb attack|s, bomb blast|s, blast|s, explosion|s, exploded:p, "
            "detonated:p, car bomb|s|ing|ings, truck bomb|s, dynamite attack|s, grenade attack|s, "
            "letter bomb|s, parcel bomb|s, explosive attack|s, dynamited:p, blew up:p, blown up:p, "
            "explode|s|d:p, defused:p, rocket attack|s, mortar attack|s",
            ATTACK_T,
            bomb,
        ),
        *_entries(
            "suicide bombing|s, suicide attack|s, suicide bomb|s, blew himself up:p, "
            "blew herself up:p, blew themselves up:p, suicide car bomb|s|ing",
            ATTACK_T,
            suicide,
        ),
        *_entries("suicide bomber|s", ATTACK_T, suicide, PEOPLE),
    ]


def _other_method_words() -> list[tuple[str, Lex]]:
    kid = _method(Method.KIDNAPPING)
    return [
        *_entries(
            "kidnap|s|ped:p|ping|pings, abduct|s|ed:p|ing, abduction|s, took hostage:p, "
            "taken hostage:p, held hostage:p, hostage taking, hostage|s",
            ATTACK_T,
            kid,
            KIDNAP,
        ),
        *_entries("kidnapper|s, abductor|s, hostage takers", kid, PEOPLE),
        *_entries(
            "arson, arson attack|s, set fire to, set on fire, set ablaze, torched:p, "
            "firebomb|s|ed:p|ing, incendiary attack|s",
            ATTACK_T,
            _method(Method.ARSON),
            DAMAGE,
        ),
        *_entries(
            "assassinate|d:p, assassination|s", ATTACK_T, _method(Method.ASSASSINATION), KILL
        ),
        *_entries(
            "ramming attack|s, car ramming, vehicle ramming, rammed:p, ramming, vehicle attack|s, "
            "to ram, ram into",
            ATTACK_T,
            _method(Method.VEHICLE_RAMMING),
        ),
        *_entries("hijack|s|ed:p|ing|ings", ATTACK_T, _method(Method.HIJACKING)),
        *_entries("hijacker|s", _method(Method.HIJACKING), PEOPLE),
        *_entries("stabbing|s, stabbed:p, knife attack|s", ATTACK_T, _method(Method.STABBING)),
        # Read by the rules only: the role taggers were trained without these marks.
        *_entries(
            "robbery, robberies, armed robbery, armed robberies, bank robbery, bank robberies, "
            "rob, robs, robbed:p, robbing, hold-up|s, holdup|s, assaulted and robbed:p",
            rules_only(ATTACK_T),
            rules_only(_method(Method.ROBBERY)),
        ),
        *_entries(
            "armed strike|s, armed stoppage|s, forced stoppage|s, forced work stoppage|s, "
            "transport stoppage|s, transportation stoppage|s, transport strike|s, "
            "transportation strike|s, paro armado",
            rules_only(ATTACK_T),
            rules_only(_method(Method.FORCED_WORK_STOPPAGE)),
        ),
        *_entries(
            "chemical attack|s, gas attack|s, biological attack|s, radiological attack|s, "
            "dirty bomb|s",
            ATTACK_T,
            _method(Method.CBRN),
        ),
    ]


def _weapon_words() -> list[tuple[str, Lex]]:
    def w(cls: str) -> Lex:
        return Lex(WEAPON, cls)

    return [
        *_entries(
            "rifle|s, automatic rifle|s, assault rifle|s, automatic weapon|s, ak-47|s, "
            "kalashnikov|s, machine gun|s, machinegun|s, submachine gun|s, pistol|s, handgun|s, "
            "firearm|s, gun|s, m-16|s, m-16 rifle|s, shotgun|s, small arms",
            w(FIREARM),
        ),
        *_entries(
            "gunshot|s, bullet|s, gunfire, machinegun fire, submachinegun fire, "
            "machine-gun fire, sniper fire, shots",
            rules_only(w(FIREARM)),
        ),
        *_entries(
            "bomb|s, explosive|s, explosive device|s, improvised explosive device|s, ied|s, "
            "car bomb|s, truck bomb|s, grenade|s, hand grenade|s, dynamite, sticks of dynamite, "
            "tnt, rocket-propelled grenade|s, rpg|s, suicide vest|s, explosive belt|s, "
            "explosive vest|s, landmine|s, rocket|s, mortar|s, rocket launcher|s, "
            "grenade launcher|s",
            w(EXPLOSIVE),
        ),
        *_entries(
            "incendiary device|s, incendiary bomb|s, molotov cocktail|s, petrol bomb|s, firebomb|s",
            w(INCENDIARY),
        ),
        *_entries("knife, knives, machete|s", w(BLADE)),
        *_entries("sarin, anthrax, nerve agent|s, chemical weapon|s, poison gas", w(CBRN)),
    ]


# What is attacked, by type. Named venues are found separately (_venues.py).
_TARGETS: list[tuple[str, TargetType]] = [
    (
        "large gathering|s, gathering|s, crowd|s, crowded place|s, festival|s, rally, rallies, "
        "parade|s, mass event|s, public event|s, public gathering|s, stadium|s, arena|s, "
        "sporting event|s, sports event|s, christmas market|s, public place|s, celebration|s",
        TargetType.MASS_GATHERING,
    ),
    (
        "concert|s, concert venue|s, concert hall|s, music venue|s, music festival|s, "
        "theatre|s, theater|s, opera house|s",
        TargetType.CONCERT,
    ),
    (
        "church|es, cathedral|s, mosque|s, synagogue|s, temple|s, shrine|s, place of worship, "
        "places of worship, commemoration|s, commemorate, commemorating, memorial service|s, "
        "religious gathering|s, worshippers, worshipers, pilgrims, easter service|s",
        TargetType.RELIGIOUS,
    ),
    (
        "airport|s, train station|s, railway station|s, bus station|s, metro station|s, "
        "metro, subway, train|s, bus|es, public transport, airliner|s, ferry, ferries, "
        "transport hub|s",
        TargetType.TRANSPORT,
    ),
    (
        "government building|s, government office|s, ministry, ministries, parliament, "
        "city hall, town hall, courthouse|s, presidential palace, government facilities, "
        "public buildings",
        TargetType.GOVERNMENT,
    ),
    (
        "embassy, embassies, consulate|s, diplomat|s, diplomatic mission|s",
        TargetType.DIPLOMATIC,
    ),
    (
        "military base|s, army base|s, barracks, soldiers, troops, military post|s, "
        "garrison|s, military convoy|s, military patrol|s, military installation|s, "
        "u.s. forces",
        TargetType.MILITARY,
    ),
    (
        "police station|s, police post|s, police headquarters, policemen, police officer|s, "
        "police patrol|s, police checkpoint|s",
        TargetType.POLICE,
    ),
    (
        "school|s, university, universities, college|s, campus, students, schoolchildren",
        TargetType.EDUCATION,
    ),
    (
        "hotel|s, shopping centre|s, shopping center|s, shopping mall|s, mall|s, restaurant|s, "
        "market|s, marketplace, bank|s, cafe|s, café|s, nightclub|s, office building|s, "
        "supermarket|s, commercial establishment|s",
        TargetType.BUSINESS,
    ),
    (
        "power station|s, power plant|s, power line|s, pylon|s, electric tower|s, "
        "power tower|s, high-tension tower|s, substation|s, pipeline|s, oil pipeline|s, "
        "refinery, refineries, "
        "oil refinery, oil refineries, bridge|s, dam|s, water supply, power grid",
        TargetType.INFRASTRUCTURE,
    ),
    (
        "judge|s, mayor, priest|s, journalist|s, politician|s, presidential candidate|s",
        TargetType.PERSON,
    ),
    (
        "civilian|s, peasant|s, villager|s, tourist|s, pedestrian|s, passenger|s",
        TargetType.CIVILIANS,
    ),
]


# People whose office makes them the target, added after the taggers were trained: read
# by the rules only (a threat to "U.S. Ambassador Thomas McNamara" names whom to warn).
_RULES_ONLY_TARGETS: list[tuple[str, TargetType]] = [
    ("ambassador|s, consul|s", TargetType.DIPLOMATIC),
    (
        "minister|s, senator|s, governor|s, councilman, councilmen, councillor|s, "
        "councilor|s, congressman, congressmen, legislator|s, prosecutor|s, "
        "attorney general, magistrate|s, candidate|s, union leader|s, trade unionist|s, "
        "labor leader|s, labour leader|s, activist|s, human rights worker|s, lawyer|s, "
        "witness|es, editor|s, cartoonist|s, newsman, newsmen, reporter|s, bishop|s, "
        "archbishop|s, nun|s, missionary, missionaries",
        TargetType.PERSON,
    ),
    (
        "powerline|s, power pole|s, electric pole|s, electric power pole|s, electrical tower|s, "
        "electric line|s, electrical installation|s, transmission line|s, high-voltage post|s",
        TargetType.INFRASTRUCTURE,
    ),
]


def _target_words() -> list[tuple[str, Lex]]:
    return [
        *(e for specs, kind in _TARGETS for e in _entries(specs, _target(kind))),
        *(
            e
            for specs, kind in _RULES_ONLY_TARGETS
            for e in _entries(specs, rules_only(_target(kind)))
        ),
    ]


def _actor_words() -> list[tuple[str, Lex]]:
    return _entries(
        "operative|s, attacker|s, assailant|s, militant|s, guerrilla|s, guerilla|s, terrorist|s, "
        "extremist|s, insurgent|s, rebel|s, jihadist|s, bomber|s, subversive|s, urban terrorists, "
        "masked men, death squad|s, hit squad|s, sniper|s, lone wolf, armed group|s",
        PEOPLE,
    ) + _entries(
        # Colombia's sicarios: added after the role taggers were trained, so read by the
        # rules only.
        "assassin|s, hired assassin|s, paid assassin|s, hitman, hitmen, hit man, hit men",
        rules_only(PEOPLE),
    )


def _harm_words() -> list[tuple[str, Lex]]:
    return [
        *_entries("injuries, wounding, wounded", INJURE),
        *_entries("damaged, destroyed", DAMAGE),
    ]


def _all() -> list[tuple[str, Lex]]:
    return [
        *_attack_words(),
        *_method_words(),
        *_other_method_words(),
        *_weapon_words(),
        *_target_words(),
        *_actor_words(),
        *_harm_words(),
    ]


@cache
def index() -> PhraseIndex[Lex]:
    """The whole lexicon as one phrase index (built once, in a few milliseconds)."""
    return PhraseIndex(_all())


@cache
def digest() -> str:
    """SHA-256 of what the lexicon marks for the role taggers (phrase, role, value; the
    rules-only words left out). The marks are features of the taggers: a model records
    the lexicon it was trained with, and an edit needs a rebuilt model
    (scripts/build_roles.py) or the rules-only mark."""
    rows = sorted({(phrase, lex.role, lex.value) for phrase, lex in _all() if not lex.rules_only})
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()
