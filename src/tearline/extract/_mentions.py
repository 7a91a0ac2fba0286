"""One sentence read as mentions of events: trigger words, their kind and modality, and
the facts nearest to each.

Kind: a plot, or a plan, threat or possibility before the trigger ("are planning an
armed attack", "may target") makes a threat; a past-tense verb, a claim or a casualty
count makes an incident; a bare noun ("the bombing") is an incident unless a future
time is given. Modality comes from the words before the trigger: denied > claimed >
threatened > hypothetical > planned > reported. Words before an inquiry into the event
("will investigate the murder", "brought to trial for the assassination") are about the
inquiry and are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tearline.extract import _advisory as advisory
from tearline.extract import _lexicon as lx
from tearline.extract._actors import ActorMention
from tearline.extract._casualties import CountMention
from tearline.extract._facts import UnitFacts
from tearline.extract._matcher import Match
from tearline.extract._places import LOCATIVE
from tearline.extract._placing import PlaceFact
from tearline.extract._text import Unit
from tearline.extract._time import FUTURE, PAST, TimeMention
from tearline.model import (
    EventKind,
    Harm,
    HarmFact,
    Method,
    Modality,
    Span,
    Target,
    TargetType,
    TimePrecision,
)

_WINDOW = 120  # characters before a trigger that can change its kind or modality
_NEGATED = re.compile(r"\b(?:not|never|no|n't|nor)\b(?:\s+\S+){0,4}\s*$", re.IGNORECASE)
_DENIED = re.compile(
    r"\b(?:den(?:y|ies|ied|ying)|rejected (?:claims|reports|allegations)"
    r"|dismissed (?:claims|reports))\b",
    re.IGNORECASE,
)
_CLAIMED = re.compile(r"\bclaim(?:s|ed|ing)?\s+(?:responsibility|credit)\b", re.IGNORECASE)
_THREATENED = re.compile(
    r"\b(?:threaten(?:s|ed|ing)?|threat(?:ing|ed)|vow(?:s|ed|ing)?|pledg(?:e|es|ed|ing)|swore"
    r"|swears)\s+to\b"
    # "threatened a generalized attack on radio stations"
    r"|\bthreaten(?:s|ed|ing)?\s+(?:an?|the|new|more|further)\s+(?:[^\s.;:]+\s+){0,3}$"
    # "warned that the judges would be killed", "posted that he would bomb", "received a
    # letter saying he would be killed"
    r"|\b(?:warn(?:s|ed|ing)?|post(?:s|ed|ing)?|wrote|writes|tweeted"
    r"|(?:letters?|notes?|messages?|calls?|e-?mails?|texts?|posts?|leaflets?|pamphlets?)"
    r"\s+(?:saying|warning|stating|announcing))\s+(?:online\s+)?"
    r"(?:that\s+)?(?:[^\s.;:]+\s+){0,6}?(?:would|will)\b"
    # an ultimatum ("48 hours to leave the country or be killed") and incitement ("called
    # on its followers to murder", "called for the assassination of")
    r"|\bor\s+(?:else\s+)?(?:they\s+will\s+|he\s+will\s+|she\s+will\s+)?be\s*$"
    r"|\bcall(?:s|ed|ing)?\s+for\s+(?:the\s+|an?\s+)?$"
    r"|\b(?:call(?:s|ed|ing)?|urg(?:e|es|ed|ing))\s+(?:on\s+|upon\s+)?[^.;:]{0,60}?\bto\s+$",
    re.IGNORECASE,
)
# "could have perpetrated this attack", "may have happened in the assassinations": a guess
# about what happened, not something to come.
_PAST_GUESS = re.compile(
    r"\b(?:may|might|could|would|must|should)\s+(?:not\s+)?have\b", re.IGNORECASE
)
_DONE = re.compile(r"\b(?:was|were|had|has|have|been|who|which)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
# "will be killed", "would be executed": a past participle that speaks of what is to come.
_TO_BE = re.compile(
    r"\b(?:will|would|shall|should|could|might|may|must|or|to)\s+(?:not\s+)?be\s*$",
    re.IGNORECASE,
)
# Words that are themselves a threat to someone's life: "death threats", "a death list",
# "sentenced to death", "declared a military target", "a price on his head".
_THREAT_WORDS = re.compile(
    r"threat|death\s+(?:list|sentence)|hit\s+list|(?:sentenced|condemned)\s+\w*\s*to\s+death"
    r"|targets?\b|\bheads?$",
    re.IGNORECASE,
)
# A threat word is negated anywhere in its clause, and "its own death sentence" is a figure.
_NOT_IN_CLAUSE = re.compile(r"\b(?:no|not|never|nor|n't)\b[^,;:()]*$", re.IGNORECASE)
_OWN = re.compile(r"\bown\s+$", re.IGNORECASE)
_THREAT_FROM = re.compile(
    r"[\"'\u201d\u2019]?\s+(?:of|from|by)\s+(?:the\s+)?[^.;:]{0,40}$", re.IGNORECASE
)
_SENTENCE = re.compile(r"sentence|condemned", re.IGNORECASE)


def is_threat_word(trigger: str) -> bool:
    """Whether a trigger is itself a threat to someone's life."""
    return _THREAT_WORDS.search(trigger) is not None


# A death sentence passed by a court is a judgment, not a threat.
_COURT = re.compile(r"\b(?:courts?|judges?|jur(?:y|ies)|judicial|magistrates?)\b", re.IGNORECASE)
_HYPOTHETICAL = re.compile(
    # "may" the verb, not the month ("on 11 May a bomb destroyed", "in May", "May 11")
    r"(?<!\d\s)(?<!\bin\s)(?<!\bof\s)(?<!\blate\s)(?<!\bearly\s)(?<!\bmid-)\bmay\b(?!\s+\d)"
    r"|\b(?:might|could|would|possibly|potentially|possible|potential|if|whether|risk of"
    r"|capable of|capability|capacity to)\b",
    re.IGNORECASE,
)
_PLANNED = re.compile(
    r"\b(?:plan(?:s|ned|ning)?|plot(?:s|ted|ting)?|intend(?:s|ed|ing)?|intention"
    r"|prepar(?:e|es|ed|ing)"
    r"|aim(?:s|ed|ing)?\s+to|seek(?:s|ing)?\s+to|tr(?:y|ies|ying)\s+to"
    r"|conspir(?:e|ed|ing|acy)|imminent|impending|upcoming)\b",
    re.IGNORECASE,
)
# What is to come, said of the event only when the event word follows closely: "the
# guerrillas will carry out terrorist actions and attacks", but not "we will remind you
# that in 1984 Lehder organised the assassination of the minister".
_WILL = re.compile(
    r"\b(?:will|shall|going\s+to|about\s+to|expected\s+to|set\s+to|ready\s+to)\b"
    # not "going to the dialogue meetings": going somewhere
    r"(?!\s+(?:the|a|an|this|that|these|those|his|her|their|its|our|my|your)\b)",
    re.IGNORECASE,
)
_WILL_REACH = 8  # words between "will" and the event word


# What someone will say or do about an event is not the event to come: "a listener who is
# going to tell us about two explosions", "we will mention the assassinations", "will not
# bow to terrorist threats".
_WILL_SAY = re.compile(
    r"\s+(?:not\s+)?(?:tell|mention|report|discuss|talk|speak|refer|reveal|disclose|file"
    r"|ask|explain|recall|remember|remind|describe|present|publish|comment|review|examine"
    r"|debate|denounce|condemn|protest|bow|yield|submit|give\s+in|cooperate|help|clarify)\b",
    re.IGNORECASE,
)


# Who planned an event named as one that happened: "no one knew who had planned the murder
# of Father Ellacuria", "planned and carried out the assassination", "who planned Ignacio
# Ellacuria's assassination" (a definite event; "planned an attack" is still a plan).
_PLANNED_DONE = re.compile(
    r"(?:planned|plotted|masterminded|prepared|ordered)\s+"
    r"(?:and\s+(?:carried\s+out|executed|perpetrated|committed)\s+)?"
    r"(?:the|this|that|these|those|his|her|their|its|(?:[^\s]+\s+){0,2}[^\s]+'s)\s+"
    r"(?:[^\s]+\s+){0,4}$",
    re.IGNORECASE,
)


def _planned(before: str) -> bool:
    """Whether the words before an event word plan it or say it is to come."""
    if any(not _PLANNED_DONE.match(before, m.start()) for m in _PLANNED.finditer(before)):
        return True
    return any(
        len(before[m.end() :].split()) <= _WILL_REACH and not _WILL_SAY.match(before, m.end())
        for m in _WILL.finditer(before)
    )


# Before an organisation, these make it the one attacked, not the attacker.
_VICTIM_BEFORE = re.compile(
    r"\b(?:against|targeting|on|at|fighting|versus|vs\.?)\s+(?:the\s+)?$", re.IGNORECASE
)
_AGENT_AFTER = re.compile(
    r"^[^,;()]{0,40}?\b(?:by|blamed on|attributed to)\s+(?:the\s+)?[^,;()]{0,20}$", re.IGNORECASE
)


@dataclass
class Mention:
    """Part of an event as one sentence tells it. ``kind`` None: a continuation."""

    kind: EventKind | None
    modality: Modality
    unit: Unit
    triggers: list[Span] = field(default_factory=list)
    actors: list[ActorMention] = field(default_factory=list)
    methods: list[tuple[Span, Method]] = field(default_factory=list)
    weapons: list[tuple[Span, str]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    harms: list[HarmFact] = field(default_factory=list)
    places: list[PlaceFact] = field(default_factory=list)
    times: list[TimeMention] = field(default_factory=list)
    counts: list[tuple[Span, CountMention]] = field(default_factory=list)
    # "two vehicles of the Red Cross have also been attacked": another event than the one
    # just told, not more of it
    another: bool = False
    # told in threat language ("a credible threat", "may target"): the words say what is
    # threatened, a fact of their own (_assemble)
    language: bool = False
    # "the attack", "this bombing": the event a sentence before told of (_merge)
    definite: bool = False
    # "rehearsals for the attack": told only as being prepared, so its times are not the
    # event's
    preparing: bool = False
    # where its places given as examples of a wider one start ("including in Bali")
    examples: set[int] = field(default_factory=set)

    def distance(self, start: int, end: int) -> int:
        """Characters between text[start:end] and the nearest of the mention's triggers."""
        return min(max(t.start - end, start - t.end, 0) for t in self.triggers)


# Words of reacting to an event, before it ("we condemn the murders") or after it ("the
# attack was condemned by diplomats in Tegucigalpa").
_REACTING = r"condemn\w*|denounc\w*|repudiat\w*|deplor\w*"


# An event named as what is investigated or tried: what comes before such a word speaks
# of the inquiry, not of the event ("seems ready to carry out the investigation requested
# ... to clarify last Thursday's murder" plans an investigation, not a murder). Of those,
# the ones that say who did it (``who``): denied, they deny the event as well.
_INQUIRY = re.compile(
    r"\b(?:investigat\w*|inquir(?:y|ies)|inquest|probes?|clarif\w*|solv(?:e|es|ed|ing)"
    r"|trials?|tried\s+for|punish\w*|prosecut\w*|accused\s+of|charged\s+with"
    r"|convicted\s+of|sentenced\s+for|testif(?:y|ies|ied|ying)|testimony|case\s+of"
    r"|in\s+connection\s+with|caused\s+by"
    # a reaction: "we would like to say that we condemn the murders"
    rf"|{_REACTING}|regrett?(?:ed|ing|s)?|protest(?:s|ed|ing)?"
    r"|(?P<who>blam(?:e|es|ed|ing)\s+(?:[^\s.;:]+\s+){0,8}?for|implicated\s+in"
    r"|(?:involvement|participation)\s+(?:of\s+[^.;:]{1,40}?\s+)?in|involved\s+in"
    r"|authors?\s+of|perpetrators?\s+of))\b",
    re.IGNORECASE,
)


def _window(text: str, unit: Unit, pos: int) -> str | None:
    """The words before an event word that can change its kind or modality: back to the
    clause's start or to an inquiry into the event. None where a denial of who did it
    ends them ("they have not been involved in terrorist bombings"): the event is denied
    with its authors."""
    w = text[max(unit.start, pos - _WINDOW) : pos]
    cut = max(w.rfind(";"), w.rfind(":"), w.rfind("\u2014"))
    w = w[cut + 1 :] if cut >= 0 else w
    inquiries = list(_INQUIRY.finditer(w))
    if not inquiries:
        return w
    last = inquiries[-1]
    if last.group("who") and _NEGATED.search(w, 0, last.end()):
        return None
    return w[last.end() :]


def _values(m: Match[lx.Lex]) -> tuple[str, bool]:
    trig = next(v for v in m.values if v.role == lx.TRIGGER)
    return trig.value, any(v.past for v in m.values)


# An event noun that is the subject of a past verb tells what happened, whatever else the
# sentence says is to come: "the terrorist attacks affected the main powerline and the
# supply will be restored in the next few hours".
DID = re.compile(
    # "the attack that was carried out against him today"
    r"(?:,?\s+(?:that|which)\s+(?:was|were)\s+(?:carried\s+out|perpetrated|committed)\b)"
    r"|\s+(?:(?:also|reportedly|apparently)\s+)?(?:affected|killed|destroyed|damaged|left"
    r"|caused|wounded|injured|occurred|took\s+place|happened|hit|struck|shook|tore|razed"
    r"|claimed\s+the\s+lives|cut\s+off|paralyzed|paralysed|interrupted|knocked\s+out)\b",
    re.IGNORECASE,
)


def _kind_and_modality(
    text: str, f: UnitFacts, m: Match[lx.Lex], before: str | None
) -> tuple[EventKind, Modality] | None:
    """The kind and modality of the event word ``m``; ``before``: its window (_window)."""
    value, past = _values(m)
    if before is None or _NEGATED.search(before):
        return None  # "have not been involved in terrorist bombings"
    language = advisory.reading_of(m)
    if language is not None:  # "a specific, credible threat", "may target"
        return language[0], Modality.DENIED if _DENIED.search(before) else language[1]
    unit_text = text[f.unit.start : f.unit.end]
    threat_words = value == lx.PLOT and is_threat_word(text[m.start : m.end])
    if threat_words and (_NOT_IN_CLAUSE.search(before) or _OWN.search(before)):
        return None  # "no U.S. facility will be considered a military target"
    if threat_words and _SENTENCE.search(text, m.start, m.end) and _COURT.search(unit_text):
        return None
    if advisory.prepares(before):
        return EventKind.THREAT, Modality.PLANNED  # "rehearsals for the bombing took place"
    if _PAST_GUESS.search(before):
        # the event happened; the guess is about who did it or how
        return EventKind.INCIDENT, Modality.REPORTED
    did = DID.match(text, m.end) is not None  # "the attack that was carried out"
    past = (past and not _TO_BE.search(before)) or did
    if past and _DONE.search(before):
        # "named after Bateman, who was killed", "the targets of a bomb attack that
        # exploded": the tense is plain whatever was planned around it
        return EventKind.INCIDENT, (
            Modality.DENIED if _DENIED.search(before) else Modality.REPORTED
        )
    # "the attack is planned", "the bombing will take place on Friday"
    planned_after = advisory.load().planned_after.match(text, m.end) is not None
    threatish = bool(_THREATENED.search(before)) or _planned(before) or planned_after
    # a time to come said of the event, not of an inquiry into it before the window: "within
    # the next 72 hours the government will disclose the names of those implicated in the
    # murder"
    cut = len(before) < min(_WINDOW, m.start - f.unit.start)
    opens = m.start - len(before) if cut else f.unit.start
    future = any(t.direction == FUTURE and t.span.start >= opens for t in f.times)
    if value == lx.CLAIM or (past and not threatish) or did:
        kind = EventKind.INCIDENT
    elif value == lx.PLOT or threatish or (_HYPOTHETICAL.search(before) and not past) or future:
        kind = EventKind.THREAT
    else:
        kind = EventKind.INCIDENT
    if _DENIED.search(before):
        return kind, Modality.DENIED
    if kind is EventKind.INCIDENT:
        if value == lx.CLAIM or _claimed(unit_text):
            return kind, Modality.CLAIMED
        return kind, Modality.HYPOTHETICAL if _HYPOTHETICAL.search(before) else Modality.REPORTED
    if threat_words or _THREATENED.search(before):
        return kind, Modality.THREATENED
    if _HYPOTHETICAL.search(before):
        return kind, Modality.HYPOTHETICAL
    planned = value == lx.PLOT or _planned(before) or planned_after
    return kind, Modality.PLANNED if planned else Modality.REPORTED


def _claimed(text: str) -> bool:
    """A claim of responsibility that is not negated ("No group claimed responsibility")."""
    return any(not _NEGATED.search(text, 0, m.start()) for m in _CLAIMED.finditer(text))


def _live_triggers(text: str, f: UnitFacts) -> list[Match[lx.Lex]]:
    """Trigger words that mark an event here; kill verbs and 'target' need support."""
    firm = [m for m in f.triggers if _values(m)[0] in (lx.ATTACK, lx.PLOT, lx.CLAIM)]
    hostile = bool(f.actors or f.weapons or f.methods)
    out = []
    for m in f.triggers:
        value, _ = _values(m)
        if value not in (lx.CONDITIONAL, lx.TARGETING):
            continue
        before = _window(text, f.unit, m.start) or ""
        if firm:
            # beside an event word, a kill word counts only as a threat in so many words:
            # "the rebels called for a stoppage ... and threatened to kill election officials"
            if value == lx.CONDITIONAL and _THREATENED.search(before):
                out.append(m)
            continue
        intent = bool(
            _planned(before) or _THREATENED.search(before) or _HYPOTHETICAL.search(before)
        )
        if (value == lx.CONDITIONAL and (hostile or intent or _a_killing(text, f, m))) or (
            value == lx.TARGETING and intent
        ):
            out.append(m)
    return sorted(firm + out, key=lambda m: m.start)


# Deaths no one inflicted: a kill verb in such a sentence reports no attack.
_MISHAP = re.compile(
    r"\b(?:accidents?|accidental(?:ly)?|crash(?:es|ed)?|collisions?|collided|derail\w*"
    r"|storms?|hurricanes?|typhoons?|cyclones?|tornado(?:es)?|floods?|flooding|landslides?"
    r"|mudslides?|avalanches?|earthquakes?|quakes?|eruptions?|lightning|drown\w*"
    r"|diseases?|illness(?:es)?|epidemics?|outbreaks?|heart attacks?|cancer|falling"
    r"|overdoses?|heat ?waves?)\b",
    re.IGNORECASE,
)


_WAS = re.compile(r"\b(?:was|were)\s+$", re.IGNORECASE)


def _a_killing(text: str, f: UnitFacts, m: Match[lx.Lex]) -> bool:
    """A kill verb that reports a killing without naming who did it or with what: "the
    killing of a presidential candidate", "six priests were killed in San Salvador on 16
    November" (a person's office, or a place and a time). Not deaths in accidents and
    disasters ("killed in a car crash in Lima on Monday"), nor an injury alone."""
    if not any(v.role == lx.HARM and v.value == Harm.KILLING.value for v in m.values):
        return False
    if _MISHAP.search(text, f.unit.start, f.unit.end):
        return False
    if any(t.type is TargetType.PERSON for t in f.targets):
        return True
    placed = any(pf.mention.prep in LOCATIVE for pf in f.places)
    if f.counts and placed and _WAS.search(text, max(f.unit.start, m.start - 12), m.start):
        return True  # "one person was killed in Tulcan"
    return bool(f.times) and placed


# A reaction to an event: "the Honduran government today denounced the assassination of
# Salvadoran ...", "Argentina has expressed its solidarity ...", "Nicaragua has denied any
# links with the assassination of ...". The places after it are the reacting party's.
REACTION = re.compile(
    rf"\b(?:{_REACTING}|lament\w*|protest\w*)"
    r"|\b(?:indignation|outrage|consternation|condolences|solidarity)\b"
    r"|\bden(?:y|ies|ied|ying)\s+(?:any\s+)?(?:links?|involvement|participation|connection)\b",
    re.IGNORECASE,
)


# The place of one who speaks of the event, not of the event; and where people had been
# or lived before it: "a camp of Salvadoran refugees who had been in Honduras".
_SOMEONES_PLACE = re.compile(
    r"(?:\b(?:spokesm[ae]n|spokeswom[ae]n|spokespersons?|correspondents?)\s+(?:based\s+)?"
    r"|\b(?:who|that)\s+(?:had\s+|have\s+|has\s+)?(?:been|lived|living|resided|stayed|worked"
    r"|studied)\s+(?:\w+\s+)?)in\s+(?:the\s+)?$",
    re.IGNORECASE,
)


def _nearest(pos_start: int, pos_end: int, mentions: list[Mention]) -> Mention:
    return min(mentions, key=lambda mn: mn.distance(pos_start, pos_end))


def _agent_of(text: str, a: ActorMention, mn: Mention) -> bool:
    """Whether an actor is placed as the one acting in this mention, not its target."""
    t = mn.triggers[0]
    if a.span.end <= t.start:
        return not _VICTIM_BEFORE.search(text, max(0, a.span.start - 20), a.span.start)
    if is_threat_word(t.text) and _THREAT_FROM.match(text, t.end, a.span.start):
        return True  # "a military target of the ELN", "death threats from the cartel"
    return (
        bool(_AGENT_AFTER.match(text[t.end : a.span.start])) if a.span.start - t.end < 70 else False
    )


_DEFINITE = re.compile(r"\b(?:the|this|that)\s+$", re.IGNORECASE)
# "The command post in Soyapango was also attacked": another event (Mention.another).
_ANOTHER = re.compile(r"\b(?:also|another|other)\b", re.IGNORECASE)


def read_unit(text: str, f: UnitFacts) -> list[Mention]:
    """The mentions one sentence holds: one per kind of event it speaks of."""
    mentions: list[Mention] = []
    negated = False
    background: list[Span] = []  # an advisory's past attacks (_current)
    for m in _live_triggers(text, f):
        before = _window(text, f.unit, m.start)
        km = _kind_and_modality(text, f, m, before)
        if km is None:
            negated = True
            continue
        if km[0] is EventKind.INCIDENT and f.advisory and not _current(f):
            # "terrorist attacks have occurred in Sri Lanka": an advisory's background
            background.append(Span(m.start, m.end, text[m.start : m.end]))
            continue
        span = Span(m.start, m.end, text[m.start : m.end])
        # "a credible threat", "the attack is planned": the words say what is threatened
        language = advisory.reading_of(m) is not None or (
            km[0] is EventKind.THREAT
            and advisory.load().planned_after.match(text, m.end) is not None
        )
        preparing = before is not None and advisory.prepares(before)
        same = [mn for mn in mentions if mn.kind is km[0]]
        if same:
            same[0].preparing &= preparing
            same[0].triggers.append(span)
            same[0].language |= language
            if same[0].modality is Modality.REPORTED:
                same[0].modality = km[1]
        else:
            another = before is not None and _ANOTHER.search(before) is not None
            definite = _DEFINITE.search(text, max(f.unit.start, m.start - 6), m.start)
            mentions.append(
                Mention(
                    km[0],
                    km[1],
                    f.unit,
                    [span],
                    another=another,
                    language=language,
                    definite=definite is not None,
                    preparing=preparing,
                )
            )
    if not mentions:
        if f.has_event_facts() and not negated:
            mentions.append(
                Mention(None, Modality.REPORTED, f.unit, [Span(f.unit.start, f.unit.start, "")])
            )
        else:
            _forget_background(f, background)
            return []
    _forget_background(f, background, mentions)
    _attach(text, f, mentions)
    for mn in mentions:
        if mn.preparing:
            mn.times = []  # "rehearsals for the attack took place this week": not its time
    _forget_examples(f, mentions)
    return mentions


def _forget_examples(f: UnitFacts, mentions: list[Mention]) -> None:
    """Towns given only as examples of a country an event is placed in ("attacks in
    Indonesia, including in Bali and Jakarta") are not lent to it by a later step."""
    examples = {start for mn in mentions for start in mn.examples}
    wider = {
        pf.place.country
        for mn in mentions
        for pf in mn.places
        if pf.mention.span.start not in mn.examples
    }
    f.places = [
        pf
        for pf in f.places
        if pf.mention.span.start not in examples or pf.place.country not in wider
    ]


def _forget_background(
    f: UnitFacts, background: list[Span], mentions: list[Mention] | None = None
) -> None:
    """Forget the places, times and targets nearer an advisory's past attack than any event
    of the sentence ("The March 2024 Crocus City Hall attack in Moscow proved terrorists can
    strike without warning"): they are the past attack's, and are not lent to the event by
    a later step either."""
    if not background:
        return
    told = Mention(None, Modality.REPORTED, f.unit, background)

    def past(start: int, end: int) -> bool:
        own = min(
            (mn.distance(start, end) for mn in mentions or []), default=f.unit.end - f.unit.start
        )
        return told.distance(start, end) < own

    f.places = [p for p in f.places if not past(p.mention.span.start, p.mention.span.end)]
    f.times = [t for t in f.times if not past(t.span.start, t.span.end)]
    f.targets = [t for t in f.targets if not past(t.span.start, t.span.end)]
    f.counts = [c for c in f.counts if not past(c[0].start, c[0].end)]


# Any date will do to learn how precise a time expression is.
_ANY_DATE = datetime(2000, 1, 1, tzinfo=UTC)


def _current(f: UnitFacts) -> bool:
    """Whether a sentence of an advisory tells of an attack as news: dated to the day ("this
    morning", "on Saturday") or under way ("an ongoing attack")."""
    if f.under_way:
        return True
    for t in f.times:
        got = t.resolve(_ANY_DATE, False)
        if got is not None and got[2] is TimePrecision.DAY:
            return True
    return False


def _attach(text: str, f: UnitFacts, mentions: list[Mention]) -> None:
    for a in f.actors:
        agents = [mn for mn in mentions if mn.kind is None or _agent_of(text, a, mn)]
        if not agents:
            continue
        nearest = _nearest(a.span.start, a.span.end, agents)
        nearest.actors.append(a)
        # the subject of a threat as well as of a deed: "the rebels have called for a
        # stoppage ... and threatened to kill election officials"
        for mn in agents:
            start = mn.triggers[0].start
            if mn is nearest or mn.kind is not EventKind.THREAT or a.span.end > start:
                continue
            # not past another actor nearer the threat ("the Islamic State group claimed
            # responsibility, with U.S. intelligence warning that ISIS-K was planning ...")
            if not any(a.span.end <= b.span.start < start for b in f.actors):
                mn.actors.append(a)
    for span, method in f.methods:
        _nearest(span.start, span.end, mentions).methods.append((span, method))
    for span, weapon in f.weapons:
        _nearest(span.start, span.end, mentions).weapons.append((span, weapon))
    for t in f.targets:
        _nearest(t.span.start, t.span.end, mentions).targets.append(t)
    for h in f.harms:
        _nearest(h.span.start, h.span.end, mentions).harms.append(h)
    for p in f.places:
        mn = _nearest(p.mention.span.start, p.mention.span.end, mentions)
        trigger = mn.triggers[0]
        if trigger.text and REACTION.search(text, trigger.end, p.mention.span.start):
            continue  # "the attack was condemned by diplomats in Tegucigalpa"
        if _SOMEONES_PLACE.search(text, max(0, p.mention.span.start - 40), p.mention.span.start):
            continue  # "an FMLN spokesman in Washington blamed the army for the crime"
        mn.places.append(p)
        # an advisory's example of a wider place: "in Indonesia, including in Bali and
        # Jakarta" (news lists towns each an event happened in that way)
        if f.advisory and advisory.load().example_before.search(
            text, max(0, p.mention.span.start - 40), p.mention.span.start
        ):
            mn.examples.add(p.mention.span.start)
    for tm in f.times:
        fits = [mn for mn in mentions if _direction_fits(tm, mn.kind)]
        if fits:
            _nearest(tm.span.start, tm.span.end, fits).times.append(tm)
    for c in f.counts:
        fits = [mn for mn in mentions if mn.kind is not EventKind.THREAT]
        if fits:
            _nearest(c[0].start, c[0].end, fits).counts.append(c)


def _direction_fits(tm: TimeMention, kind: EventKind | None) -> bool:
    if kind is EventKind.THREAT:
        return tm.direction != PAST
    if kind is EventKind.INCIDENT:
        return tm.direction != FUTURE
    return True
