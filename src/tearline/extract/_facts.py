"""Every fact the document states, found once over the whole text and filed by sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tearline.extract import _lexicon as lx
from tearline.extract._actors import ActorMention, find_individuals, find_organisations
from tearline.extract._casualties import CountMention, find_counts
from tearline.extract._doc import Doc
from tearline.extract._matcher import Match, leftmost_longest
from tearline.extract._placing import PlaceFact, file_places
from tearline.extract._text import Role, Unit
from tearline.extract._time import TimeMention, find_times
from tearline.extract._venues import VenueMention, find_venues, speaks_after
from tearline.extract.gazetteer import Gazetteer
from tearline.extract.organisations import Organisations
from tearline.model import (
    Harm,
    HarmFact,
    Method,
    Place,
    Span,
    Target,
    TargetType,
)

# "concert venues in the Moscow area, including Crocus City Hall": the named venue is
# one of the targets just listed, and takes their type.
_INCLUDING = re.compile(
    r"[^.;]{0,60}?[,;]?\s*(?:including|such as|like|notably|especially|in particular|namely)"
    r"\s+(?:the\s+)?$"
)


@dataclass
class UnitFacts:
    """What one sentence says, before it is read as part of an event."""

    unit: Unit
    triggers: list[Match[lx.Lex]] = field(default_factory=list)
    methods: list[tuple[Span, Method]] = field(default_factory=list)
    weapons: list[tuple[Span, str]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    harms: list[HarmFact] = field(default_factory=list)
    actors: list[ActorMention] = field(default_factory=list)
    places: list[PlaceFact] = field(default_factory=list)
    times: list[TimeMention] = field(default_factory=list)
    counts: list[tuple[Span, CountMention]] = field(default_factory=list)
    # every country the sentence names, by nationality or by name, kept as a place or not
    # ("the University of El Salvador" in a report from Havana): who is whose in a
    # reaction (_pipeline)
    countries: list[tuple[str, Span]] = field(default_factory=list)

    def has_event_facts(self) -> bool:
        """Facts that continue an event even without a trigger word in this sentence."""
        return bool(self.weapons or self.targets or self.harms or self.methods or self.counts)


class _Filing:
    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.by_unit: dict[int, UnitFacts] = {}
        self.dateline_country: Place | None = None
        self.dateline_city: Place | None = None

    def at(self, pos: int) -> UnitFacts | None:
        u = self.doc.unit_at(pos)
        if u is None:
            return None
        if u.index not in self.by_unit:
            self.by_unit[u.index] = UnitFacts(u)
        return self.by_unit[u.index]


def read_facts(
    doc: Doc, gaz: Gazetteer, orgs: Organisations
) -> tuple[dict[int, UnitFacts], Place | None, Place | None]:
    """Facts by unit index (units without any fact are absent), the country the report
    is about, and the dateline's city when it is in that country."""
    filing = _Filing(doc)
    lexicon = [m for m in leftmost_longest(lx.index().find(doc.folded)) if doc.unit_at(m.start)]
    org_mentions = find_organisations(doc, orgs)
    for a in [*org_mentions, *find_individuals(doc, lexicon)]:
        if (f := filing.at(a.span.start)) is not None:
            f.actors.append(a)
    for m in lexicon:
        if (f := filing.at(m.start)) is not None:
            _file_lexicon(doc, f, m)
    file_places(
        filing,
        gaz,
        [(a.span.start, a.span.end) for a in org_mentions],
        [(a.org.country, a.span) for a in org_mentions if a.org is not None and a.org.country],
    )
    for u in doc.units:
        if u.role is not Role.META:
            _file_unit_patterns(filing, u)
    for f in filing.by_unit.values():
        f.actors.sort(key=lambda a: a.span.start)
        f.targets = sorted(
            (t for t in f.targets if t.name or not speaks_after(doc.text, t.span.end)),
            key=lambda t: t.span.start,
        )
    return filing.by_unit, filing.dateline_country, filing.dateline_city


def _file_lexicon(doc: Doc, f: UnitFacts, m: Match[lx.Lex]) -> None:
    span = Span(m.start, m.end, doc.text[m.start : m.end])
    for v in m.values:
        if v.role == lx.TRIGGER:
            if m not in f.triggers:
                f.triggers.append(m)
        elif v.role == lx.METHOD:
            f.methods.append((span, Method(v.value)))
        elif v.role == lx.WEAPON:
            f.weapons.append((span, v.value))
        elif v.role == lx.TARGET:
            f.targets.append(Target(TargetType(v.value), span))
        elif v.role == lx.HARM:
            f.harms.append(HarmFact(Harm(v.value), span))


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
    r"\b(?:declared?|declaring|considered?|named|branded|designated|becomes?|became|be|is|are"
    r"|as)\s+(?:an?\s+|as\s+)?(?:priority\s+|legitimate\s+)?[\"']?"
    r"(?:military|legitimate|priority)\s+targets?\b"
    r"|\b(?:a\s+)?(?:price|bount(?:y|ies)|reward)\s+(?:of\s+[^.;:]{1,40}?\s+)?on\s+"
    r"(?:the\s+)?(?:his|her|their|its|the)\s+heads?\b",
    re.IGNORECASE,
)
_THREAT_MARK = (lx.rules_only(lx.Lex(lx.TRIGGER, lx.PLOT)),)
# Someone threatened, in so many words: "the minister and her son have been threatened by
# the drug trafficking mafias", "he has received threats", "a veiled threat against the
# president of the supreme court".
_THREATENED_PERSON = re.compile(
    r"\b(?:has|have|had|was|were|been|being)\s+(?:repeatedly\s+|constantly\s+)?threatened\b"
    r"(?!\s+(?:to|with\s+(?:arrest|dismissal|prosecution|sanctions?|expulsion|legal))\b)"
    r"|\b(?:received?|receiving|receives)\s+(?:[^\s.;:,]+\s+){0,2}?threats\b"
    r"|\bthreats?\s+(?:against|on\s+the\s+li(?:fe|ves)\s+of)\b",
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


def _pattern_marks(doc: Doc, u: Unit, f: UnitFacts | None) -> list[Match[lx.Lex]]:
    """Arson, placed explosives, executions and declared targets in the sentence, as
    lexicon matches."""
    burned = [(_BURNED, _ARSON)] if f is not None and f.actors else []
    words = doc.folded[u.start : u.end]
    placed = [(_PLACED, _BOMB_PLACED)] if "plac" in words or "plant" in words else []
    executed = [(_EXECUTED, _EXECUTION)] if "execut" in words else []
    if "shoot" in words:
        executed.append((_SHOOT, _EXECUTION))
    declared = [(_DECLARED_TARGET, _THREAT_MARK)] if "target" in words or " head" in words else []
    if "threat" in words:
        declared.append((_THREATENED_PERSON, _THREAT_MARK))
    downed = [(_DOWNED, _AIRCRAFT_DOWNED)] if "down" in words else []
    patterns = [(_SET_ON_FIRE, _ARSON), *burned, *placed, *executed, *declared, *downed]
    return [
        Match(m.start(), m.end(), marks)
        for pattern, marks in patterns
        for m in pattern.finditer(doc.text, u.start, u.end)
        if pattern is not _EXECUTED
        or not _DEED_BEFORE.search(doc.text, max(u.start, m.start() - 40), m.start())
    ]


def _file_unit_patterns(filing: _Filing, u: Unit) -> None:
    """Facts found by regular expressions (times, counts, venues, arson, placed
    explosives), sentence by sentence."""
    doc = filing.doc
    times = [t for t in find_times(doc.text, u.start, u.end) if t.span.start >= doc.dateline_end]
    counts = find_counts(doc.text, u.start, u.end)
    venues = [] if doc.upper else find_venues(doc.text, u.start, u.end)
    marked = _pattern_marks(doc, u, filing.by_unit.get(u.index))
    if not (times or counts or venues or marked):
        return
    f = filing.at(u.start)
    if f is None:
        return
    for m in marked:
        if m.values is _THREAT_MARK:
            # "declared a military target": the threat, not a word that needs support
            f.triggers = [t for t in f.triggers if not (t.start < m.end and m.start < t.end)]
        if not any(t.start < m.end and m.start < t.end for t in f.triggers):
            _file_lexicon(doc, f, m)
    f.times.extend(times)
    f.counts.extend(counts)
    for span, c in counts:
        f.harms.append(HarmFact(Harm.KILLING if c.killed else Harm.SERIOUS_BODILY_INJURY, span))
    for v in venues:
        if v.speaker:  # "The U.S. Embassy ... told Americans": it speaks, it is not a target
            f.targets = [t for t in f.targets if not (v.span.start <= t.span.start < v.span.end)]
        else:
            _add_venue(doc, f, v)


def _add_venue(doc: Doc, f: UnitFacts, v: VenueMention) -> None:
    listed = [
        t
        for t in f.targets
        if t.span.end <= v.span.start and _INCLUDING.search(doc.text, t.span.end, v.span.start)
    ]
    kind = listed[-1].type if listed else v.head_type
    # a lexicon word inside the name ("City Hall" in "Crocus City Hall") is the name
    f.targets = [t for t in f.targets if not (v.span.start <= t.span.start < v.span.end)]
    f.targets.append(Target(kind, v.span, name=v.span.text))
