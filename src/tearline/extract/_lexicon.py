"""The words extraction looks for: attack triggers, methods, weapons, targets, harm, actors.

The phrases are data (data/lexicon/en/phrases.toml, read by ``_lexdata``), each listed
in the forms it is written in (no stemming), lower case; the phrase index folds the
text, so "BOMBING" and "Bombing" match too. This module gives them the values the
rules and the role taggers' features read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from functools import cache

from tearline.extract import _lexdata
from tearline.extract._matcher import PhraseIndex
from tearline.extract._text import fold_key
from tearline.model import Harm, Method


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

ATTACK, PLOT, CLAIM, CONDITIONAL, TARGETING = _lexdata.TRIGGERS
FIREARM, EXPLOSIVE, INCENDIARY, BLADE, CBRN = _lexdata.WEAPON_CLASSES

_PHRASES = _lexdata.load("en").phrases
# A weapon implies a method when the text names no method ("gunmen with rifles").
WEAPON_METHOD: dict[str, Method] = dict(_PHRASES.weapon_method)
# Which weapons fit a method, so that "incendiary devices" does not become the weapon
# of an armed assault.
METHOD_WEAPONS: dict[Method, set[str]] = {m: set(c) for m, c in _PHRASES.method_weapons.items()}
# When a sentence names several methods, the most specific one describes the event.
METHOD_PRIORITY: tuple[Method, ...] = _PHRASES.method_priority


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


def _harm(h: Harm) -> Lex:
    return Lex(HARM, h.value)


ATTACK_T = _trigger(ATTACK)
KILL = _harm(Harm.KILLING)
INJURE = _harm(Harm.SERIOUS_BODILY_INJURY)
KIDNAP = _harm(Harm.KIDNAPPING)
DAMAGE = _harm(Harm.PROPERTY_DAMAGE)
PEOPLE = Lex(INDIVIDUALS)


def _all() -> list[tuple[str, Lex]]:
    """Every phrase of data/lexicon/en/phrases.toml with what it means, in file order."""
    out: list[tuple[str, Lex]] = []
    for group in _PHRASES.groups:
        lexes = [Lex(m.role, m.value, rules_only=m.rules_only) for m in group.means]
        out += _entries(", ".join(group.words), *lexes)
    return out


@cache
def index() -> PhraseIndex[Lex]:
    """The whole lexicon as one phrase index (built once, in a few milliseconds)."""
    return PhraseIndex(_all())


@cache
def digest() -> str:
    """SHA-256 of what the lexicon marks for the role taggers (phrase, role, value; the
    rules-only words left out). The marks are features of the taggers: a model records
    the lexicon it was trained with, and a tagger-marked edit of phrases.toml needs a
    rebuilt model (scripts/build_roles.py) or the rules_only mark; until then the taggers
    run on changed inputs and ``tearline doctor`` says so."""
    rows = sorted({(phrase, lex.role, lex.value) for phrase, lex in _all() if not lex.rules_only})
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()
