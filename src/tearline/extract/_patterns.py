"""Event words the phrase list cannot hold, found by regular expressions sentence by
sentence: arson, placed or thrown explosives, killing called execution or shooting,
threats in so many words, aircraft shot down, gunfire at someone. Read by the rules only,
like the lexicon's rules-only words: the role taggers never saw them."""

from __future__ import annotations

import re
from dataclasses import replace

from tearline.extract import _lexicon as lx
from tearline.extract._doc import Doc
from tearline.extract._matcher import Match
from tearline.extract._text import Unit
from tearline.model import Method

# Arson the phrase list cannot hold: words between ("set two trucks loaded with minerals
# on fire"), or a verb that also burns documents and food ("burned 11 buses", "the
# burning of five buses"), taken only where the sentence names someone doing it. Read by
# the rules only, like the lexicon's rules-only words: the role taggers never saw them.
_SET_ON_FIRE = re.compile(r"\bset(?:s|ting)?\s+(?:[^\s.;:]+\s+){1,8}?on\s+fire\b", re.IGNORECASE)
_BURNED = re.compile(
    r"\b(?:burn(?:ed|t)(?:\s+down)?(?=\s+(?:the|a|an|\d+|several|some|two|three|four|five"
    r"|six|seven|eight|nine|ten|dozens|their|his|her|its)\b)"
    r"|(?:was|were|been)\s+burn(?:ed|t)\b(?!\s+(?:to\s+death|alive))"
    r"|the\s+burning\s+of)",
    re.IGNORECASE,
)


def _marks(method: Method, *more: lx.Lex) -> tuple[lx.Lex, ...]:
    """What a pattern marks, as rules-only lexicon values: an event word, its method."""
    return tuple(lx.rules_only(v) for v in (lx.ATTACK_T, lx.Lex(lx.METHOD, method.value), *more))


_ARSON = _marks(Method.ARSON, lx.DAMAGE)


# Explosives placed are a bombing, set off or not: "urban cells placed dynamite sticks in
# four commercial establishments", "several explosive devices were placed at different
# sites in Medellin" (not "placed under arrest", nor bombs found in a cache).
_CHARGE = (
    r"(?:dynamite(?:\s+sticks|\s+charges?)?|sticks\s+of\s+dynamite|(?:car\s+)?bombs?"
    r"|explosives?|explosive\s+(?:devices?|charges?)|charges?|mines?|grenades?)"
)
_PLACED = re.compile(
    rf"\b(?:plac|plant)(?:ed|ing)\s+(?:(?:a|an|the|two|three|four|five|several|some|\d+)\s+)?"
    rf"(?:[^\s.;:,]+\s+){{0,2}}?{_CHARGE}\b"
    rf"|\b{_CHARGE}\s+(?:was|were|had\s+been|have\s+been|has\s+been)\s+(?:plac|plant)ed\b",
    re.IGNORECASE,
)
_BOMB_PLACED = _marks(Method.BOMBING)
# ... and so are explosives thrown: "incendiary bombs were hurled at a Mormon temple",
# "hurled a dynamite stick at the embassy".
_THROWN_CHARGE = rf"(?:{_CHARGE}|molotov\s+cocktails?|incendiary\s+devices?|dynamite\s+sticks?)"
_THROWN = re.compile(
    r"\b(?:hurl(?:ed|ing|s)?|thr(?:ew|own|owing|ows)|toss(?:ed|ing|es)?|lobb(?:ed|ing))\s+"
    r"(?:(?:a|an|the|two|three|four|five|several|some|\d+)\s+)?(?:[^\s.;:,]+\s+){0,2}?"
    rf"{_THROWN_CHARGE}\b"
    rf"|\b{_THROWN_CHARGE}\s+(?:was|were|had\s+been|have\s+been|has\s+been)\s+"
    r"(?:hurled|thrown|tossed|lobbed)\b",
    re.IGNORECASE,
)


# Killing called execution: "will be executed", "guerrillas executed two peasants" - not
# a plan, an order or a decree executed, before or after the verb.
_DEEDS = (
    r"(?:plans?|orders?|operations?|attacks?|actions?|programs?|projects?|decrees?"
    r"|polic(?:y|ies)|strateg(?:y|ies)|missions?|tasks?|contracts?|warrants?|sentences?"
    r"|judg(?:e?ment)s?|budgets?|works?|agreements?|accords?|measures?|duties|functions?"
    r"|movements?|manoeuvres?|maneuvers?|transactions?|payments?|instructions?|acts?)"
)
_EXECUTED = re.compile(
    r"\bexecut(?:e|es|ed|ing)\b"
    r"(?!\s+(?:(?:the|a|an|its|their|his|her|our|this|these|that|those|such)\s+)?"
    rf"(?:[^\s.;:,]+\s+)?{_DEEDS}\b)",
    re.IGNORECASE,
)
_DEED_BEFORE = re.compile(
    rf"\b{_DEEDS}\s+(?:(?:was|were|is|are|has|have|had|will|would|to)\s+)?(?:been\s+|be\s+)?"
    r"(?:\w+ly\s+)?$",
    re.IGNORECASE,
)
# "threatened to shoot students": not a photo shoot, shooting for a title or a film.
_SHOOT = re.compile(
    r"\bshoot(?:s)?\b(?!\s+(?:for|up|down|out|at\s+goal|a\s+(?:film|movie|video|scene|documentary)"
    r"|the\s+(?:breeze|ball|film|movie|video|scene)|photos?|pictures?|hoops|baskets?|films?|videos?"
    r"|scenes?)\b)",
    re.IGNORECASE,
)
_EXECUTION = (
    lx.rules_only(lx.Lex(lx.TRIGGER, lx.CONDITIONAL)),
    lx.rules_only(lx.KILL),
)
# A person or a place declared a target, a price put on a head: a threat to kill, as
# armed groups word it ("has been declared a priority military target of the ELN",
# "they will be considered military targets", "declared legitimate targets").
_DECLARED_TARGET = re.compile(
    r"\b(?:(?:declared?|declaring|considered?|named|branded|designated)"
    # "declared the Pan-American Highway a military target"
    r"(?:\s+(?:the|its|their|all|any)(?:\s+[^\s.;:,]+){1,5}?"
    r"(?=\s+(?:an?\s+)?(?:priority\s+|legitimate\s+)?(?:military|legitimate|priority)\s+target))?"
    r"|becomes?|became|be|is|are|as)\s+(?:an?\s+|as\s+)?(?:priority\s+|legitimate\s+)?[\"']?"
    r"(?:military|legitimate|priority)\s+targets?\b"
    r"|\b(?:a\s+)?(?:price|bount(?:y|ies)|reward)\s+(?:of\s+[^.;:]{1,40}?\s+)?on\s+"
    r"(?:the\s+)?(?:his|her|their|its|the)\s+heads?\b",
    re.IGNORECASE,
)
THREAT_MARK = (lx.rules_only(lx.Lex(lx.TRIGGER, lx.PLOT)),)
# Someone threatened, in so many words: "the minister and her son have been threatened by
# the drug trafficking mafias", "he has received threats", "a veiled threat against the
# president of the supreme court", "threats were made against other political figures".
_THREATENED_PERSON = re.compile(
    r"\b(?:has|have|had|was|were|been|being)\s+(?:repeatedly\s+|constantly\s+)?threatened\b"
    r"(?!\s+(?:to|with\s+(?:arrest|dismissal|prosecution|sanctions?|expulsion|legal))\b)"
    r"|\b(?:received?|receiving|receives)\s+(?:[^\s.;:,]+\s+){0,2}?threats\b"
    r"(?!\s+of\s+(?:an?\s+)?(?:lawsuits?|legal|arrest|dismissal|prosecution|sanctions?"
    r"|expulsion|strikes?|resignation)\b)"
    r"|\bthreats?\s+(?:(?:(?:were|was|have\s+been|has\s+been|had\s+been)\s+)?"
    r"(?:made|issued|directed|levell?ed|uttered|voiced)\s+)?"
    r"(?:against|on\s+the\s+li(?:fe|ves)\s+of)\b"
    # not "threats against (Argentine) democracy"
    r"(?!\s+(?:the\s+)?(?:[^\s.;:,]+\s+)?(?:democracy|peace|freedoms?|liberty|stability"
    r"|sovereignty|security|economy|environment|constitution|state|institutions|process|order"
    r"|rule\s+of\s+law)\b)"
    # "took students as hostages, threatening them with hand grenades"
    r"|\bthreaten(?:ed|ing|s)?\s+(?:(?:him|her|them|us|me|you)|(?:the\s+)?[^\s.;:,]+)\s+with\s+"
    r"(?:(?:an?|the|their|his|her|its|several|two|three)\s+)?(?:[^\s.;:,]+\s+)?"
    r"(?:guns?|pistols?|revolvers?|rifles?|knives|knife|machetes?|grenades?|explosives?|bombs?"
    r"|dynamite|machine-?guns?|weapons?|firearms?)\b"
    # "sought asylum to protect himself against the threats", "fled after death threats"
    r"|\b(?:protect\s+(?:himself|herself|themselves)|fled|flee|fleeing|sought\s+(?:asylum|refuge)"
    r"|went\s+into\s+hiding|is\s+hiding|are\s+hiding)\b[^.;:]{0,60}?\bthreats\b",
    re.IGNORECASE,
)
# An aircraft brought down by fire: "we downed an O-2 airplane", "shot down a helicopter".
_AIRCRAFT = r"(?:air)?planes?|aircraft|helicopters?|jets?|airliners?"
_DOWNED = re.compile(
    rf"\b(?:down(?:ed|ing)|shot\s+down|shoot(?:s|ing)?\s+down)\s+"
    rf"(?:(?:an?|the|one|two|three|\d+)\s+)?(?:[^\s.;:,]+\s+){{0,2}}?(?:{_AIRCRAFT})\b"
    rf"|\b(?:{_AIRCRAFT})\s+(?:was|were|had\s+been|has\s+been)\s+(?:shot\s+)?downed\b",
    re.IGNORECASE,
)
_AIRCRAFT_DOWNED = _marks(Method.ARMED_ASSAULT)
# Gunfire at someone: "the gunmen fired on the police", "mortars have been fired against
# that sector of the neighborhood" (not "he was fired on Monday").
_FIRED_ON = re.compile(
    r"\bfired\s+(?:on|upon|against|into)\b(?!\s+(?:\d|(?:mon|tues|wednes|thurs|fri|satur|sun)day"
    r"|january|february|march|april|may|june|july|august|september|october|november"
    r"|december|charges|grounds)\b)",
    re.IGNORECASE,
)
_FIRED = tuple(replace(v, past=True) for v in _marks(Method.ARMED_ASSAULT))


# Each pattern is tried only in a sentence holding one of its key words (folded): most
# sentences hold none, and the patterns are the costly part.
_GATED: tuple[tuple[re.Pattern[str], tuple[lx.Lex, ...], tuple[str, ...]], ...] = (
    (_PLACED, _BOMB_PLACED, ("plac", "plant")),
    (_THROWN, _BOMB_PLACED, ("hurl", "threw", "thrown", "throw", "toss", "lobb")),
    (_EXECUTED, _EXECUTION, ("execut",)),
    (_SHOOT, _EXECUTION, ("shoot",)),
    (_DECLARED_TARGET, THREAT_MARK, ("target", " head")),
    (_THREATENED_PERSON, THREAT_MARK, ("threat",)),
    (_DOWNED, _AIRCRAFT_DOWNED, ("down",)),
    (_FIRED_ON, _FIRED, ("fired",)),
)


def pattern_marks(doc: Doc, u: Unit, actors: bool) -> list[Match[lx.Lex]]:
    """Arson, placed explosives, executions, threats in so many words, aircraft shot down
    and gunfire at someone in the sentence, as lexicon matches; ``actors``: whether it
    names someone acting (a burning is arson only then)."""
    words = doc.folded[u.start : u.end]
    patterns = [(_SET_ON_FIRE, _ARSON)] + ([(_BURNED, _ARSON)] if actors else [])
    patterns += [(p, marks) for p, marks, keys in _GATED if any(k in words for k in keys)]
    return [
        Match(m.start(), m.end(), marks)
        for pattern, marks in patterns
        for m in pattern.finditer(doc.text, u.start, u.end)
        if pattern is not _EXECUTED
        or not _DEED_BEFORE.search(doc.text, max(u.start, m.start() - 40), m.start())
    ]
