"""Every fact the document states, found once over the whole text and filed by sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tearline.extract import _advisory as advisory
from tearline.extract import _lexicon as lx
from tearline.extract._actors import ActorMention, find_individuals, find_organisations
from tearline.extract._casualties import CountMention, find_counts
from tearline.extract._doc import Doc
from tearline.extract._matcher import Match, leftmost_longest
from tearline.extract._patterns import THREAT_MARK, pattern_marks
from tearline.extract._placing import PlaceFact, file_places
from tearline.extract._text import Role, Unit
from tearline.extract._time import TimeMention, find_times
from tearline.extract._venues import VenueMention, find_venues, speaks_after
from tearline.extract.gazetteer import Gazetteer
from tearline.extract.organisations import Organisations
from tearline.model import (
    EventKind,
    Harm,
    HarmFact,
    Method,
    Place,
    PlacePrecision,
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
    # the document is an advisory, an alert or an intelligence report (_advisory): a past
    # attack it tells is background unless dated to the day or ``under_way``
    advisory: bool = False
    under_way: bool = False

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
    _file_threat_language(filing)
    for f in filing.by_unit.values():
        f.actors.sort(key=lambda a: a.span.start)
        f.targets = sorted(
            (t for t in f.targets if t.name or not speaks_after(doc.text, t.span.end)),
            key=lambda t: t.span.start,
        )
    return filing.by_unit, filing.dateline_country, filing.dateline_city


# "Location: Kabul, Afghanistan": where a security alert's event is.
_LOCATION_LINE = re.compile(r"\s*location\s*:", re.IGNORECASE)


def _file_threat_language(filing: _Filing) -> None:
    """Threat language as advisories and alerts word it, and what they give as background:
    context clauses lose their facts, and in an advisory a sentence with no event word
    lends no town to an event ("peaceful protests and strikes in Paris")."""
    doc = filing.doc
    lexicon = advisory.load()
    register = advisory.register_of(doc.folded, lexicon)
    for m in advisory.threat_marks(doc.folded, lexicon, register is not None):
        if (f := filing.at(m.start)) is not None:
            # the phrase replaces the event words inside it ("may attack") and the event it
            # names ("a high threat of kidnap")
            reach = advisory.threatened_reach(doc.folded, m)
            f.triggers = [t for t in f.triggers if not (t.start < reach and m.start < t.end)]
            f.triggers.append(m)
    for start, end in advisory.context_spans(doc.text, register is not None):
        if (u := doc.unit_at(start)) is not None and u.index in filing.by_unit:
            _drop_between(filing.by_unit[u.index], start, end)
    if register == advisory.ADVISORY:
        _drop_issuer_and_advice(filing, lexicon)
    for f in filing.by_unit.values():
        u = f.unit
        if register is None:
            continue
        f.advisory = True
        f.under_way = advisory.under_way(doc.folded, u.start, u.end)
        if register == advisory.ADVISORY and not (
            f.triggers or f.has_event_facts() or _LOCATION_LINE.match(doc.text, u.start)
        ):
            # its towns say nothing of the event, their country what the advisory is about
            f.places = [_country_only(p) for p in f.places]
    home = filing.dateline_country
    named = {p.place.country for f in filing.by_unit.values() for p in f.places}
    named |= {code for f in filing.by_unit.values() for code, _ in f.countries}
    if doc.dateline is None and home is not None and home.country not in named:
        # named only in context ("amid the conflict in Gaza"): not what the report is about
        filing.dateline_country = filing.dateline_city = None


def _drop_issuer_and_advice(filing: _Filing, lexicon: advisory.ThreatLexicon) -> None:
    """An alert's issuer is not its target ("The U.S. Embassy has received information",
    "Security Alert – U.S. Embassy Islamabad"), and its advice ("Actions to Take:",
    "Shelter in place if you hear gunfire") gives no method, weapon or attack; its targets
    count only where the rest of the alert names none."""
    doc = filing.doc
    text = doc.text
    for f in filing.by_unit.values():
        header = f.unit.index == doc.units[0].index and not f.triggers
        f.targets = [
            t
            for t in f.targets
            if not lexicon.issuer.issues(text, t.span.start, t.span.end, header)
        ]
    given = lexicon.advice.units(text, [(u.start, u.end) for u in doc.units])
    advice = {doc.units[i].index for i in given}
    if not advice:
        return
    for index in advice & filing.by_unit.keys():
        f = filing.by_unit[index]
        f.methods, f.weapons = [], []
        f.triggers = [t for t in f.triggers if _threatens(t)]
    if any(f.targets for i, f in filing.by_unit.items() if i not in advice):
        for index in advice & filing.by_unit.keys():
            filing.by_unit[index].targets = []


def _threatens(m: Match[lx.Lex]) -> bool:
    """Whether a trigger is threat language of a threat ("shelter in place"), not an attack
    or an incident ("gunfire")."""
    reading = advisory.reading_of(m)
    return reading is not None and reading[0] is EventKind.THREAT


def _country_only(pf: PlaceFact) -> PlaceFact:
    p = pf.place
    if p.precision is PlacePrecision.COUNTRY:
        return pf
    country = Place(p.span, PlacePrecision.COUNTRY, country=p.country)
    return PlaceFact(pf.mention, country)


def _drop_between(f: UnitFacts, start: int, end: int) -> None:
    """Forget the facts of a context clause ("amid the conflict in Gaza")."""

    def outside(span: Span) -> bool:
        return not start <= span.start < end

    f.triggers = [t for t in f.triggers if not start <= t.start < end]
    f.places = [p for p in f.places if outside(p.mention.span)]
    f.times = [t for t in f.times if outside(t.span)]
    f.actors = [a for a in f.actors if outside(a.span)]
    f.targets = [t for t in f.targets if outside(t.span)]
    f.methods = [m for m in f.methods if outside(m[0])]
    f.weapons = [w for w in f.weapons if outside(w[0])]
    f.harms = [h for h in f.harms if outside(h.span)]
    f.counts = [c for c in f.counts if outside(c[0])]
    f.countries = [c for c in f.countries if outside(c[1])]


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


def _file_unit_patterns(filing: _Filing, u: Unit) -> None:
    """Facts found by regular expressions (times, counts, venues, and the event words of
    _patterns), sentence by sentence."""
    doc = filing.doc
    times = [t for t in find_times(doc.text, u.start, u.end) if t.span.start >= doc.dateline_end]
    counts = find_counts(doc.text, u.start, u.end)
    venues = [] if doc.upper else find_venues(doc.text, u.start, u.end)
    filed = filing.by_unit.get(u.index)
    marked = pattern_marks(doc, u, filed is not None and bool(filed.actors))
    if not (times or counts or venues or marked):
        return
    f = filing.at(u.start)
    if f is None:
        return
    for m in marked:
        if m.values is THREAT_MARK:
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
