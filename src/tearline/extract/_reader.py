"""Reading reports in Spanish, French, Russian, Arabic and Farsi.

The English pipeline reads English with rules and taggers trained on English; these
languages are read by one reader driven by a lexicon per language
(data/lexicon/<lang>/reader.toml, ``_readerlex``) and the shared name files:

1. the text is normalised (``_normal``: case, accents and vowel marks, Arabic and Farsi
   letter variants, digits) and cut into words and sentences, each word remembering
   where it stands in the original, so that every fact's evidence is the text as written;
2. words are matched against the lexicon's phrases; a phrase word ending in ``*``
   matches any word it begins (Russian and Arabic inflection: "взрыв*" takes взрыва,
   взрывом), and an Arabic or Farsi word is also tried without its clitics ("بالقاهرة"
   → القاهرة → قاهره);
3. places: Cyrillic and Arabic-script names from GeoNames and CLDR
   (data/names/*.tsv, scripts/build_script_names.py) with the name's case endings or
   clitics taken off; Latin names through the main gazetteer (whose alternates hold
   "Moscú", "Kaboul"), towns where the document names their country;
4. organisations: the lexicon's names in the language ("Исламское государство",
   "داعش"), the designation lists' aliases as written, and a name in another script
   whose sound key (``tearline.translit``) is that of a listed alias ("Хезболла",
   "بوكو حرام");
5. dates with dateparser's own month, weekday and relative-day words for the language,
   resolved backwards for an incident and forwards for a threat;
6. a sentence with an attack word, or an advisory's threat words, makes an event; its
   kind and modality come from the threat, plan, foiled, claim and denial words near
   it; sentences of background (an anniversary, a trial, a film, a drill) make none;
   later sentences fill what the event lacks (the claim, the toll, the town).

The facts are in Tearline's own terms (methods, target types, English GeoNames place
names, the organisation's listed name), so that the desk shows them in English with the
original words beside them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cache, lru_cache
from importlib import resources

from anyascii import anyascii

from tearline.extract import _readerlex, gazetteer
from tearline.extract._assemble import confidence
from tearline.extract._normal import Normal, normalise, word
from tearline.extract._readerlex import Pattern, ReaderLexicon
from tearline.extract._text import fold
from tearline.extract.gazetteer import CITY, COUNTRY, REGION, TOWN, Gazetteer
from tearline.extract.organisations import Organisations
from tearline.model import (
    Actor,
    Casualties,
    Count,
    Event,
    EventKind,
    Harm,
    HarmFact,
    Method,
    MethodFact,
    Modality,
    Place,
    PlacePrecision,
    RoleFiller,
    Span,
    Target,
    TargetType,
    TimePrecision,
    TimeWindow,
    incident_type_of,
)
from tearline.translit import latin, sound_key
from tearline.translit import script as script_of

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(
    r"[.!?؟۔;]+(?=\s|$)|\n\s*\n|\n(?=\s*[-•*\u2022]|\s*\S[^\n]{0,60}\n)"
    # a heading: a short line without a full stop ends where its line does
    r"|(?:^|(?<=\n))[^\n.!?؟]{1,80}\n"
)
# A calendar date first, then a day named relative to the report, then a vague window.
_RANK_OF_TIME = {"date": 0, "relative": 1, "weekday": 1, "vague": 2}
# A sound-key match across scripts needs this many consonant classes to count.
_MIN_SOUND_KEY = 4


# --- words -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    start: int  # offsets in the original text
    end: int
    norm: str
    forms: tuple[str, ...]  # norm, then norm without each clitic it carries
    capital: bool  # written with a capital (Latin, Cyrillic)
    text: str  # as written


@dataclass(frozen=True, slots=True)
class Hit:
    first: int  # token indexes, end exclusive
    last: int
    value: str


class Matcher:
    """Find a set of lexicon patterns in a token list; the longest at each start wins."""

    def __init__(self, patterns: Iterable[Pattern]) -> None:
        self.exact: dict[str, list[Pattern]] = {}
        self.prefix: dict[str, list[Pattern]] = {}
        for p in patterns:
            first, is_prefix = p.words[0]
            (self.prefix if is_prefix else self.exact).setdefault(first, []).append(p)
        self.lengths = sorted({len(k) for k in self.prefix})

    def _candidates(self, tok: Token) -> list[Pattern]:
        out: list[Pattern] = []
        for form in tok.forms:
            out.extend(self.exact.get(form, ()))
            for n in self.lengths:
                if n > len(form):
                    break
                out.extend(self.prefix.get(form[:n], ()))
        return out

    def find(self, tokens: Sequence[Token], lo: int = 0, hi: int | None = None) -> list[Hit]:
        hi = len(tokens) if hi is None else hi
        hits: list[Hit] = []
        i = lo
        while i < hi:
            best: Hit | None = None
            for p in self._candidates(tokens[i]):
                n = len(p.words)
                if i + n > hi:
                    continue
                longer = best is None or n > best.last - best.first
                if longer and all(_word_matches(p.words[k], tokens[i + k]) for k in range(1, n)):
                    best = Hit(i, i + n, p.value)
            if best is not None:
                hits.append(best)
                i = best.last
            else:
                i += 1
        return hits


def _word_matches(w: tuple[str, bool], tok: Token) -> bool:
    text, prefix = w
    return any(f.startswith(text) if prefix else f == text for f in tok.forms)


def _forms(norm: str, clitics: Sequence[str]) -> tuple[str, ...]:
    forms = [norm]
    for c in clitics:  # longest first
        if norm.startswith(c) and len(norm) - len(c) >= 2:
            forms.append(norm[len(c) :])
    return tuple(dict.fromkeys(forms))


def tokens_of(text: str, norm: Normal, lex: ReaderLexicon) -> list[Token]:
    out = []
    for m in _WORD.finditer(norm.text):
        start, end = norm.original(m.start(), m.end())
        written = text[start:end]
        out.append(
            Token(
                start,
                end,
                m.group(0),
                _forms(m.group(0), lex.clitics),
                written[:1].isupper(),
                written,
            )
        )
    return out


# --- places ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlaceRef:
    kind: int  # COUNTRY, REGION (a lexicon region), CITY or TOWN
    country: str
    geonameid: int | None = None
    region: str | None = None
    town: int | None = None  # index into the gazetteer's town table
    name: str | None = None  # a town no gazetteer knows, as transliterated


@dataclass(frozen=True, slots=True)
class PlaceHit:
    first: int
    last: int
    refs: tuple[PlaceRef, ...]
    located: bool  # after a locative ("в", "en", "في", "در")


class ScriptNames:
    """Place names of one script, keyed as the reader keys a name written in it."""

    def __init__(self, script: str, gaz: Gazetteer, article: str, stem_letters: str) -> None:
        self.article = article
        self.stem_letters = stem_letters
        self.script = script
        self.names: dict[tuple[str, ...], list[PlaceRef]] = {}
        self.written: dict[PlaceRef, list[str]] = {}  # the normalised names of each place
        source = resources.files("tearline.data").joinpath(f"names/{script}.tsv")
        for line in source.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            name, code = line.split("\t")
            ref = _ref(code, gaz)
            if ref is not None:
                self.add(name, ref)
        self.longest = max((len(k) for k in self.names), default=1)

    def add(self, name: str, ref: PlaceRef) -> None:
        norm = word(name)
        key = tuple(self.key(w) for w in norm.split())
        if key and all(key):
            for k in {key, tuple(norm.split())}:  # its stem, and as written ("Могадишо")
                refs = self.names.setdefault(k, [])
                if ref not in refs:
                    refs.append(ref)
            self.written.setdefault(ref, []).append(norm)

    def key(self, w: str) -> str:
        """The form a name's word is filed under: without its article ("القاهرة" ->
        "قاهره"), or the stem a case ending is added to ("казань" -> "казан", "грозный"
        -> "грозн"), as the languages of the script say (their lexicons' [language])."""
        if self.article and w.startswith(self.article) and len(w) > len(self.article) + 2:
            return w[len(self.article) :]
        stem = w
        for _ in range(2):
            if len(stem) > 3 and stem[-1] in self.stem_letters:
                stem = stem[:-1]
        return stem


def _ref(ref: str, gaz: Gazetteer) -> PlaceRef | None:
    if ref.isdigit():
        i = gaz.by_geonameid.get(int(ref))
        return None if i is None else PlaceRef(CITY, gaz.cities[i].country, int(ref))
    return PlaceRef(COUNTRY, ref)


@cache
def script_names(script: str, article: str, stem_letters: str) -> ScriptNames:
    """The place names of a script, keyed by the rules its languages give (Arabic and
    Farsi give the same, so they share one index)."""
    return ScriptNames(script, gazetteer.load(), article, stem_letters)


# --- times -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeHit:
    first: int
    last: int
    kind: str  # "date", "relative", "weekday", "vague"
    day: int = 0
    month: int = 0
    year: int = 0
    offset: int = 0  # relative days, or the weekday (0 Monday), or the vague window's days


@dataclass(frozen=True, slots=True)
class Calendar:
    relative: Matcher  # "вчера", "ayer": days from the document date
    weekday_matcher: Matcher  # several-word names ("سه شنبه") before their last word
    month_matcher: Matcher  # the same for months ("كانون الثاني")


@cache
def calendar(lang: str) -> Calendar:
    """Month, weekday and relative-day words from dateparser's data for the language,
    with the lexicon's additions."""
    from dateparser.languages.loader import LocaleDataLoader

    lex = _readerlex.load(lang)
    info = next(iter(LocaleDataLoader().get_locale_map(languages=[lang]).values())).info
    names = [
        "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december",
    ]  # fmt: skip
    months: dict[str, int] = {}
    for n, key in enumerate(names, 1):
        for w in info.get(key, []):
            w = word(w)
            if len(w) >= 3 and "." not in w:
                months[w] = n
    months.update(lex.months)
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    weekdays: dict[str, int] = {}
    for n, key in enumerate(days):
        for w in info.get(key, []):
            w = word(w)
            if len(w) >= 4:
                weekdays[w] = n
    weekdays.update(lex.weekdays)  # the lexicon's own ("سه شنبه" is Tuesday, not Saturday)
    relative: list[Pattern] = list(lex.relative_days)
    for key, phrases in info.get("relative-type", {}).items():
        m = re.fullmatch(r"(in )?(\d) day( ago)?", key)
        if not m:
            continue
        days_off = int(m.group(2)) * (-1 if m.group(3) else 1)
        for phrase in phrases:
            if len(phrase) >= 3:
                relative.append(_readerlex.phrase(phrase, str(days_off)))
    return Calendar(
        Matcher(relative),
        Matcher(_readerlex.phrase(name, str(n)) for name, n in weekdays.items()),
        Matcher(_readerlex.phrase(name, str(n)) for name, n in months.items()),
    )


# --- the reader --------------------------------------------------------------------


@dataclass
class Sentence:
    first: int
    last: int
    methods: list[Hit] = field(default_factory=list)
    marks: dict[str, list[Hit]] = field(default_factory=dict)
    places: list[PlaceHit] = field(default_factory=list)
    orgs: list[tuple[int, int, str]] = field(default_factory=list)
    individuals: list[Hit] = field(default_factory=list)
    targets: list[Hit] = field(default_factory=list)
    times: list[TimeHit] = field(default_factory=list)
    killed: Count | None = None
    injured: Count | None = None

    def has(self, mark: str) -> bool:
        return bool(self.marks.get(mark))


@dataclass
class Draft:
    kind: EventKind
    modality: Modality
    sentences: list[Sentence]
    method: Hit | None = None
    header: list[PlaceHit] = field(default_factory=list)  # an alert's heading's places


class Reader:
    """One language's reader over one document."""

    def __init__(self, lang: str, gazetteer: Gazetteer, organisations: Organisations) -> None:
        self.lex = _readerlex.load(lang)
        self.gaz = gazetteer
        self.orgs = organisations
        self.matchers = {k: Matcher(v) for k, v in self.lex.lists.items() if v}
        self.method_matcher = Matcher(self.lex.methods)
        self.target_matcher = Matcher(self.lex.targets)
        self.org_matcher = _organisation_matcher(lang)
        self.place_matcher = Matcher(self.lex.places)
        cal = calendar(lang)
        self.calendar = cal
        self.relative_matcher = cal.relative
        self.vague_matcher = Matcher(self.lex.vague)
        self.not_relative = Matcher(self.lex.not_relative)
        self.age_matcher = Matcher(self.lex.age_words)
        self.not_place_matcher = Matcher(self.lex.lists["not_places"])
        self.sound_keys = _sound_keys(organisations)
        self._start("", [])

    def _start(self, text: str, toks: Sequence[Token]) -> None:
        """A new document's working state (read() sets it; the shared reader is copied
        for each document, so none of it leaks into the next)."""
        self._text = text
        self._folded = fold(text)  # for the Latin-script name indexes
        self._starts = {t.start: i for i, t in enumerate(toks)}
        self._ends = {t.end: i for i, t in enumerate(toks)}
        self.fielded: list[PlaceHit] = []  # places after "Location:"
        self.located: set[int] = set()  # words after a locative
        self.blocked: set[int] = set()  # words that are no place
        self.sentence_starts: set[int] = set()
        self.dateline_end = -1
        self.dateline_at = -1  # the token where the dateline's town is written
        self.passing: set[int] = set()  # places of routes and lists
        self.route_ends: set[int] = set()
        self.unlisted: list[tuple[int, int]] = []

    def hits(self, name: str, toks: Sequence[Token], lo: int, hi: int) -> list[Hit]:
        m = self.matchers.get(name)
        return m.find(toks, lo, hi) if m else []

    # --- one document --------------------------------------------------------------

    def read(self, text: str, date: datetime, ranges: Sequence[tuple[int, int]]) -> list[Event]:
        """The events of ``text[s:e]`` for each range (the paragraphs in this language).
        Call it on a copy of the shared reader (``read()`` does): it keeps the document's
        working state on the object."""
        norm = normalise(text)
        all_toks = tokens_of(text, norm, self.lex)
        toks = [t for t in all_toks if any(s <= t.start < e for s, e in ranges)]
        if not toks:
            return []
        self._start(text, toks)
        sentences = self._sentences(text, toks)
        self.sentence_starts = {s.first for s in sentences}
        advisory = bool(self.hits("advisory", toks, 0, len(toks)))
        orgs = self._orgs(text, toks)
        in_orgs = {i for first, last, _ in orgs for i in range(first, last)}
        self.unlisted = self._unlisted(toks, in_orgs)
        in_orgs |= {i for first, last in self.unlisted for i in range(first, last)}
        places = [p for p in self._places(text, toks) if p.first not in in_orgs]
        doc_countries = {
            r.country for p in places for r in p.refs if r.kind in (COUNTRY, REGION) and r.country
        }
        # and the country of a city something is put in that has one reading ("en
        # Ciudad de México": Mexico)
        doc_countries |= {
            p.refs[0].country
            for p in places
            if p.located and len(p.refs) == 1 and p.refs[0].kind == CITY and p.refs[0].country
        }
        if self.lex.script != "latin" and doc_countries:
            places = sorted(
                places + self._heard_places(toks, places, in_orgs, doc_countries),
                key=lambda p: p.first,
            )
        if self.lex.script == "latin" and len(doc_countries) == 1:
            places = sorted(
                places + self._unknown_towns(toks, places, in_orgs, next(iter(doc_countries))),
                key=lambda p: p.first,
            )
        for s in sentences:
            self._fill(s, toks, places, orgs)
        dateline = self._dateline(text, toks, places)
        if dateline is not None and dateline.country:
            doc_countries.add(dateline.country)  # filed from Mogadishu: about Somalia
        if dateline is not None:
            # the dateline's date is the report's, not the event's
            for s in sentences:
                s.times = [t for t in s.times if t.first > self.dateline_end]
        drafts = self._drafts(sentences, advisory)
        if advisory:
            # An alert headed "Security alert - Bishkek" or issued "in Istanbul" is about
            # that city where its threat sentences name no other.
            for d in drafts:
                if d.kind is EventKind.THREAT:
                    d.header = [
                        p for x in sentences if x.last <= d.sentences[0].first for p in x.places
                    ]
        events = [self._event(d, toks, date, doc_countries, text) for d in drafts]
        if dateline is not None:
            # "Ceuta, 10 abr. - Police arrested...": the town a report is filed from is
            # where its event is, where the event's own sentences name no place at all
            events = [replace(e, place=dateline) if e.place is None else e for e in events]
        # an attack dated over a year before the report is history recalled ("the AMIA
        # bombing of 18 July 1994"), not news
        long_ago = date - timedelta(days=366)
        return [
            e
            for e in events
            if not (e.kind is EventKind.INCIDENT and e.time is not None and e.time.end < long_ago)
        ]

    def _sentences(self, text: str, toks: Sequence[Token]) -> list[Sentence]:
        cuts = [m.end() for m in _SENTENCE_END.finditer(text)]
        out: list[Sentence] = []
        first = 0
        ci = 0
        for i, t in enumerate(toks):
            while ci < len(cuts) and cuts[ci] <= t.start:
                if i > first:
                    out.append(Sentence(first, i))
                    first = i
                ci += 1
        out.append(Sentence(first, len(toks)))
        return out

    def _fill(
        self,
        s: Sentence,
        toks: Sequence[Token],
        places: Sequence[PlaceHit],
        orgs: Sequence[tuple[int, int, str]],
    ) -> None:
        lo, hi = s.first, s.last
        blocked = {i for h in self.hits("not_events", toks, lo, hi) for i in range(h.first, h.last)}
        s.methods = [h for h in self.method_matcher.find(toks, lo, hi) if h.first not in blocked]
        for name in (
            "threat",
            "plan",
            "foiled",
            "claimed",
            "denied",
            "possible",
            "context",
            "under_way",
            "seized",
            "not_claimed",
            "affiliation",
            "aftermath",
            "against",
            "killed",
        ):
            s.marks[name] = self.hits(name, toks, lo, hi)
        if s.marks["not_claimed"]:
            s.marks["claimed"] = []
        # "at gunpoint", "the toll could rise": threat words that say nothing of the future
        cancelled = {
            i for h in self.hits("not_threat", toks, lo, hi) for i in range(h.first, h.last)
        }
        if cancelled:
            for name in ("threat", "possible", "plan"):
                s.marks[name] = [h for h in s.marks[name] if h.first not in cancelled]
        s.places = [p for p in places if lo <= p.first < hi]
        s.orgs = [o for o in orgs if lo <= o[0] < hi]
        s.individuals = self.hits("individuals", toks, lo, hi)
        s.targets = self.target_matcher.find(toks, lo, hi)
        said = {h.last + k for h in self.hits("reporting", toks, lo, hi) for k in range(2)}
        if self.lex.verb_final:  # "روز دوشنبه با انتشار بیانیه‌ای اعلام کرد": the day comes first
            said |= {h.first - k for h in self.hits("reporting", toks, lo, hi) for k in range(1, 6)}
        # "announced on Friday": the day of the announcement, not of the attack; and a
        # time written with it ("أمس الثلاثاء", "yesterday, Tuesday") goes with it
        times = self._times(toks, lo, hi)
        dropped = [t for t in times if t.first in said and t.kind != "vague"]
        for t in times:
            if t not in dropped and any(t.first in (d.last, d.last + 1) for d in dropped):
                dropped.append(t)
        s.times = [t for t in times if t not in dropped]
        s.injured = self._count("injured", toks, s)
        s.killed = self._count("killed", toks, s, s.injured)

    def _drafts(self, sentences: Sequence[Sentence], advisory: bool) -> list[Draft]:
        drafts: list[Draft] = []
        current: Draft | None = None
        # A document that opens on background (a verdict, a memorial, a film shoot, a
        # drill, a debate) is about that: the attacks it recalls are not new events.
        first = sentences[0] if sentences else None
        background = (
            first is not None
            and first.has("context")
            and not (first.methods and first.has("under_way"))
            and not _fresh(first)
        )
        if background:
            return []
        for s in sentences:
            if s.has("context") and _context_near(s, self.lex.reach):
                current = None if current is not None and not s.methods else current
                continue
            threatish = s.has("threat") or s.has("plan") or s.has("foiled") or s.has("possible")
            # with no attack word, only an advisory's words, or a threat or a foiled plot
            # in so many words ("угроза", "amenaza", "إحباط") about a place or a target,
            # make a threat: "warned of possible gas cuts in Tashkent" is no threat to life
            starts = s.methods or (
                (advisory and threatish)
                or ((s.has("threat") or s.has("foiled")) and (s.targets or s.places or s.orgs))
            )
            if s.has("seized") and not (current is not None and s.has("claimed")):
                starts = False  # weapons found or seized: not an attack
            if s.has("aftermath") and current is not None:
                starts = False  # "after the attack, the president...": about the same one
            if starts:
                kind = (
                    EventKind.THREAT if threatish and not s.has("under_way") else EventKind.INCIDENT
                )
                if (
                    advisory
                    and kind is EventKind.INCIDENT
                    and not s.has("under_way")
                    and any(d.kind is EventKind.THREAT for d in drafts)
                ):
                    continue  # an advisory's account of past attacks is background
                if (
                    kind is EventKind.INCIDENT
                    and current is not None
                    and current.kind is EventKind.THREAT
                    and not _happened(s)
                ):
                    # "Probable method: a suicide bomber or a roadside bomb." under a plot:
                    # the plot's method, not an attack of its own
                    kind = EventKind.THREAT
                modality = self._modality(s, kind)
                method = _best_method(s.methods)
                if current is not None and self._joins(current, s, kind):
                    current.sentences.append(s)
                    if method is not None and (
                        current.method is None or _rank(method) < _rank(current.method)
                    ):
                        current.method = method
                    if (
                        modality in (Modality.CLAIMED, Modality.DENIED)
                        and current.kind is EventKind.INCIDENT
                    ):
                        current.modality = modality
                    continue
                current = Draft(kind, modality, [s], method)
                drafts.append(current)
            elif current is not None and (
                s.orgs
                or s.killed
                or s.injured
                or s.places
                or s.times
                or s.has("claimed")
                or threatish
            ):
                current.sentences.append(s)  # fills what the event lacks
                if s.has("claimed") and current.kind is EventKind.INCIDENT:
                    current.modality = Modality.CLAIMED
                if (
                    threatish
                    and current.kind is EventKind.INCIDENT
                    and not any(
                        x.killed or x.injured or any(t.kind == "relative" for t in x.times)
                        for x in current.sentences
                    )
                ):
                    # "... sent a cell to attack hotels in Nairobi. The attack could come in
                    # the next weeks": an attack no one was hurt in, spoken of as to come
                    current.kind = EventKind.THREAT
                    current.modality = self._modality(s, EventKind.THREAT)
        if advisory and any(d.kind is EventKind.THREAT for d in drafts):
            drafts = [d for d in drafts if d.kind is EventKind.THREAT or _under_way(d)]
        return _reactions_folded(drafts)

    def _joins(self, current: Draft, s: Sentence, kind: EventKind) -> bool:
        """One report tells one event over several sentences: a later sentence of the
        same kind joins it unless it puts its attack in another country."""
        if kind is not current.kind:
            return False
        if s.has("claimed") and kind is EventKind.INCIDENT:
            return True  # a claim is of the attack just told, wherever its claimant speaks
        mine = _countries(current.sentences)
        theirs = _countries([s])
        if not mine or not theirs or mine & theirs:
            return True
        # across a border but not apart: Jerusalem and East Jerusalem
        return any(
            self._km(a, b) < 50
            for a in (r for x in current.sentences for p in x.places for r in p.refs)
            for b in (r for p in s.places for r in p.refs)
        )

    def _modality(self, s: Sentence, kind: EventKind) -> Modality:
        if kind is EventKind.THREAT:
            if s.has("foiled") or s.has("plan"):
                return Modality.PLANNED
            if s.has("possible") and not s.has("threat"):
                return Modality.HYPOTHETICAL
            return Modality.THREATENED
        if s.has("denied"):
            return Modality.DENIED
        if s.has("claimed"):
            return Modality.CLAIMED
        return Modality.REPORTED

    # --- places ----------------------------------------------------------------------

    def _places(self, text: str, toks: Sequence[Token]) -> list[PlaceHit]:
        located = set()
        place_words = {h.first: h.last for h in self.hits("place_words", toks, 0, len(toks))}
        for h in self.hits("locatives", toks, 0, len(toks)):
            located.add(h.last)
            if h.last + 1 < len(toks) and not toks[h.last].capital:
                located.add(h.last + 1)  # "в подмосковном Красногорске"
            if h.last in place_words:
                located.add(place_words[h.last])  # "в Республику Мали", "в городе Х"
        self.located = located
        self.blocked = {
            i for h in self.not_place_matcher.find(toks) for i in range(h.first, h.last)
        }
        out: list[PlaceHit] = []
        taken: set[int] = set()
        for h in self.place_matcher.find(toks):
            out.append(
                PlaceHit(h.first, h.last, (_lexicon_place(h.value, self.gaz),), h.first in located)
            )
            taken.update(range(h.first, h.last))
        if self.lex.script == "latin":
            found = self._latin_places(text, toks, located)
        else:
            found = self._script_places(toks, located)
        for p in found:
            if not taken & set(range(p.first, p.last)):
                out.append(p)
                taken.update(range(p.first, p.last))
        # "outside Bamako" is not where anything happens; a word of a quoted name
        # ("«Азия Молл»", "«Крокус Сити Холл»") is the name of a venue, not a town
        outside = {h.last for h in self.hits("outside", toks, 0, len(toks))}
        quoted = _quoted(text, toks)
        out = [
            p
            for p in out
            if p.first not in outside
            and not any(
                q0 <= p.first and p.last <= q1 and (q1 - q0) > (p.last - p.first)
                for q0, q1 in quoted
            )
        ]
        fields = {h.last for h in self.hits("location_fields", toks, 0, len(toks))}
        self.fielded = [p for p in out if p.first in fields]
        out.sort(key=lambda p: p.first)
        self.passing = self._route_and_lists(text, toks, out)
        return out

    def _route_and_lists(
        self, text: str, toks: Sequence[Token], places: Sequence[PlaceHit]
    ) -> set[int]:
        """Places named in passing: the ends of a route ("from Quetta to Peshawar",
        "من كويتا إلى بيشاور") and the towns of a list of three or more ("in Tillabéri,
        Tahoua, Agadez and Diffa": examples, where the event is the country's)."""
        out: set[int] = set()
        self.route_ends = set()
        to_words = {h.first: h.last for h in self.hits("route_to", toks, 0, len(toks))}
        from_words = {h.last for h in self.hits("route_from", toks, 0, len(toks))}
        # a destination ("on their way back to the city of Aden"): after a word for "to"
        # that is no locative, through a place word
        locatives = {p.words[0][0] for p in self.lex.lists["locatives"]}
        place_words = {h.first: h.last for h in self.hits("place_words", toks, 0, len(toks))}
        for first, last in to_words.items():
            if toks[first].norm in locatives:
                continue
            after = place_words.get(last, last)
            for p in places:
                if p.first in (last, after):
                    out.add(p.first)
                    self.route_ends.add(p.first)
        for a, b in itertools.pairwise(places):
            j = a.last
            if a.first in from_words and j in to_words and to_words[j] == b.first:
                out |= {a.first, b.first}
                self.route_ends |= {a.first, b.first}
        run: list[PlaceHit] = []
        for p in places:
            if run and _listed(text, toks, run[-1], p):
                run.append(p)
                continue
            if len(run) >= 3:
                out |= {q.first for q in run}
            run = [p]
        if len(run) >= 3:
            out |= {q.first for q in run}
        return out

    def _script_places(self, toks: Sequence[Token], located: set[int]) -> list[PlaceHit]:
        names = script_names(self.lex.script, self.lex.name_article, self.lex.name_stem_letters)
        out: list[PlaceHit] = []
        words = {h.last for h in self.hits("place_words", toks, 0, len(toks))}
        i = 0
        while i < len(toks):
            hit = None
            for n in range(min(names.longest, len(toks) - i), 0, -1):
                if n == 1 and i in self.blocked:
                    break  # "دير" alone is a word; "دير الزور" is still Deir ez-Zor
                refs = self._lookup(names, toks[i : i + n])
                if (
                    refs
                    and not any(r.kind == COUNTRY for r in refs)
                    and self._in_name(toks, i, words)
                ):
                    break  # "Касем Сулеймани": a surname, not Sulaymaniyah
                if refs:
                    hit = PlaceHit(i, i + n, tuple(refs), i in located)
                    break
            if hit is not None:
                out.append(hit)
                i = hit.last
            else:
                i += 1
        return out

    def _unlisted(self, toks: Sequence[Token], taken: set[int]) -> list[tuple[int, int]]:
        """Armed groups no list holds, named as Latin-script languages name them: a
        capitalised group word and the capitalised name after it ("Cártel de Sinaloa",
        "Clan del Golfo", "Ejército de Liberación de Baluchistán"), not a state's own
        forces ("Ejército Nacional")."""
        if self.lex.script != "latin":
            return []
        state = {
            i for h in self.hits("state_forces", toks, 0, len(toks)) for i in range(h.first, h.last)
        }
        out: list[tuple[int, int]] = []
        for h in self.hits("group_words", toks, 0, len(toks)):
            i = h.first
            if (
                not toks[i].capital
                or i in taken
                or i in state
                or (i in self.sentence_starts and not toks[i].capital)
            ):
                continue
            j, last = h.last, None
            while j < len(toks) and j - h.last < 6 and toks[j].start - toks[j - 1].end <= 1:
                if toks[j].capital:
                    last = j
                elif toks[j].norm not in self.lex.name_joiners:
                    break
                j += 1
            if last is None or taken & set(range(i, last + 1)):
                continue
            caps = [t for t in toks[h.last : last + 1] if t.capital]
            if len(caps) == 1 and any(
                e.kind == COUNTRY for e in self.gaz.names.get(fold(caps[0].text), ())
            ):
                continue  # "Ejército de Pakistán": a state's army
            out.append((i, last + 1))
        return out

    def _dateline(
        self, text: str, toks: Sequence[Token], places: Sequence[PlaceHit]
    ) -> Place | None:
        """The town a report is filed from: a town opening the text, followed by a date
        or an agency ("Kabul, 27 ago (EFE).-", "ИСЛАМАБАД, 31 января.", "Quibdó, 17 jul.")."""
        if not places or places[0].first != 0:
            return None
        p = places[0]
        rest = text[toks[p.last - 1].end : toks[p.last - 1].end + 3]
        if not rest.startswith((",", " (", "(", " -", " —", " –")):
            return None
        refs = [r for r in p.refs if r.kind in (CITY, TOWN)]
        if not refs:
            return None
        ref = max(refs, key=self._population)
        # the dateline runs to its agency's bracket or its dash, at most 10 words on:
        # "Guayaquil (Ecuador), 10 ene (EFE).-"
        stop = toks[min(p.last + 10, len(toks) - 1)].end
        tail = text[toks[p.last - 1].end : stop]
        m = re.search(r"\)\s*[.:]?\s*[-–—]|[-–—]{1,2}\s|\.-", tail) or re.search(r"\)", tail)
        end = toks[p.last - 1].end + m.end() if m else toks[min(p.last + 3, len(toks) - 1)].end
        self.dateline_end = max(i for i, t in enumerate(toks) if t.start < end)
        self.dateline_at = p.first
        return self._place_of(ref, toks, p, text)

    def _unknown_towns(
        self, toks: Sequence[Token], places: Sequence[PlaceHit], taken: set[int], country: str
    ) -> list[PlaceHit]:
        """Towns no gazetteer holds, named after a town word ("la localidad de
        Barsalogho", "la commune de Fambita") in a text about one country: kept as
        written, in that country."""
        used = {i for p in places for i in range(p.first, p.last)} | taken | self.blocked
        out: list[PlaceHit] = []
        for h in self.hits("town_words", toks, 0, len(toks)):
            i = h.last
            if i >= len(toks) or i in used or not toks[i].capital:
                continue
            last = i
            j = i + 1
            while j < len(toks) and j - i < 5 and toks[j].start - toks[j - 1].end <= 1:
                if toks[j].capital:
                    last = j
                elif toks[j].norm not in self.lex.name_joiners:
                    break
                j += 1
            while last > i and not toks[last].capital:
                last -= 1
            name = " ".join(t.text for t in toks[i : last + 1])
            out.append(PlaceHit(i, last + 1, (PlaceRef(TOWN, country, name=name),), True))
        return out

    def _in_name(self, toks: Sequence[Token], i: int, place_words: set[int]) -> bool:
        """Whether the word at ``i`` follows a capitalised word in the same sentence that
        is no place word: the second word of a person's or body's name."""
        if self.lex.script != "cyrillic" or i == 0 or i in place_words:
            return False
        prev = toks[i - 1]
        return (
            prev.capital
            and not prev.text.isupper()
            and prev.end + 1 == toks[i].start
            and i - 1 not in self.located
            and (i - 1) not in self.sentence_starts
        )

    def _heard_places(
        self,
        toks: Sequence[Token],
        places: Sequence[PlaceHit],
        in_orgs: set[int],
        countries: set[str],
    ) -> list[PlaceHit]:
        """Towns of the countries a text names, written in its script but missing from
        the script's name file (GeoNames gives Cyrillic and Arabic names for cities of
        15,000 only): "в населенном пункте Курига" is Kuriga, Nigeria, by sound. Only a
        word a place word or locative points at is tried."""
        taken = {i for p in places for i in range(p.first, p.last)} | in_orgs | self.blocked
        cued = {h.last for h in self.hits("place_words", toks, 0, len(toks))}
        out: list[PlaceHit] = []
        if self.lex.script == "cyrillic":
            # "в Сараване": a located name whose transliteration, less a case ending,
            # is the name of a town of a country the text names
            for i in sorted(self.located - cued - taken):
                if i >= len(toks) or not toks[i].capital:
                    continue
                t = toks[i]
                stems = [t.norm] + [
                    t.norm[: -len(e)]
                    for e in self.lex.endings
                    if e and t.norm.endswith(e) and len(t.norm) - len(e) >= 3
                ]
                for stem in stems:
                    refs = [
                        r
                        for c in sorted(countries)
                        for r, name in _heard(self.gaz, c).get(sound_key(stem), ())
                        if fold(name).replace(" ", "") == latin(stem).replace("'", "")
                    ]
                    if refs:
                        out.append(PlaceHit(i, i + 1, tuple(refs), True))
                        taken.add(i)
                        break
        for i in sorted(cued):
            if i >= len(toks) or i in taken:
                continue
            t = toks[i]
            if self.lex.script == "cyrillic" and not t.capital:
                continue
            for f in t.forms:
                key = sound_key(f)
                if len(key) < 3:
                    continue
                initial = latin(f)[:1]
                refs = [
                    r
                    for c in sorted(countries)
                    for r, name in _heard(self.gaz, c).get(key, ())
                    if fold(name)[:1] == initial  # "Центре" is not "Suntar"
                ]
                if refs:
                    out.append(PlaceHit(i, i + 1, tuple(refs), True))
                    break
            else:
                if self.lex.script == "cyrillic" and len(countries) == 1 and len(t.norm) >= 4:
                    # a town no file knows, named after its place word in the nominative
                    # ("в населенном пункте Курига"): kept, transliterated, in the one
                    # country the text names
                    name = anyascii(t.text)
                    [country] = countries
                    out.append(PlaceHit(i, i + 1, (PlaceRef(TOWN, country, name=name),), True))
        return out

    def _lookup(self, names: ScriptNames, toks: Sequence[Token]) -> list[PlaceRef]:
        if self.lex.script == "cyrillic" and not all(t.capital for t in toks[:1]):
            return self._adjective(names, toks)
        keys: list[tuple[str, ...]] = [()]
        for t in toks:
            options = self._keys(names, t)
            keys = [(*k, o) for k in keys for o in options]
        found: list[PlaceRef] = []
        for key in keys:
            found += [r for r in names.names.get(key, ()) if r not in found]
        if found:
            refs = found
            if True:
                # a country outranks a town of the same name ("России": Russia, not Rosso)
                refs = [r for r in refs if r.kind == COUNTRY] or refs
                # of names sharing a stem, the one the word is written closest to
                # ("Нигерии": Нигерия, not Нигер)
                written = " ".join(t.norm for t in toks)
                best = max(_common(written, n) for r in refs for n in names.written.get(r, [""]))
                refs = [
                    r
                    for r in refs
                    if max(_common(written, n) for n in names.written.get(r, [""])) == best
                ]
                # a name also given to another place (Тольятти was once Ставрополь): the
                # place whose own name sounds like the word
                heard = sound_key(written)
                alike = [r for r in refs if self._sounds_like(r, heard)]
                return alike or refs
        return []

    def _adjective(self, names: ScriptNames, toks: Sequence[Token]) -> list[PlaceRef]:
        """A city named by its adjective, as Russian does ("в стамбульском районе"): a
        city of 100,000 or more."""
        if len(toks) != 1:
            return []
        norm = toks[0].norm
        for ending in self.lex.adjective_endings:
            if norm.endswith(ending) and len(norm) - len(ending) >= 4:
                stem = norm[: -len(ending)]
                refs = names.names.get((names.key(stem),), []) or names.names.get((stem,), [])
                # cities only: "российским гражданам" names whose citizens, not where
                return [r for r in refs if r.kind == CITY and self._population(r) >= 100_000]
        return []

    def _keys(self, names: ScriptNames, t: Token) -> list[str]:
        if names.script == "cyrillic":
            # the word as written, or less one of the case endings it may carry: "Вене"
            # is Вена, "Лидо" is not Лида ("о" is no case ending)
            out = [t.norm]
            for e in self.lex.endings:
                if e and t.norm.endswith(e) and len(t.norm) - len(e) >= 3:
                    out.append(t.norm[: -len(e)])
            return list(dict.fromkeys(out))
        forms = list(t.forms)
        for f in t.forms:  # the ezafe a Farsi name takes before its adjective: "کربلای"
            forms += [f[: -len(e)] for e in self.lex.name_suffixes if f.endswith(e) and len(f) > 4]
        return list(dict.fromkeys(names.key(f) for f in forms))

    def _latin_places(self, text: str, toks: Sequence[Token], located: set[int]) -> list[PlaceHit]:
        folded, starts, ends = self._folded, self._starts, self._ends
        out: list[PlaceHit] = []
        for m in self.gaz.index.find(folded):
            first, last = starts.get(m.start), ends.get(m.end)
            if first is None or last is None:
                continue
            written = text[m.start : m.end]
            if not written[:1].isupper() or first in self.blocked:
                continue
            refs = []
            for e in m.values:
                if e.exact is not None and e.exact != written:
                    continue
                if e.kind == COUNTRY:
                    refs.append(PlaceRef(COUNTRY, self.gaz.countries[e.ref].code))
                elif e.kind == CITY:
                    c = self.gaz.cities[e.ref]
                    refs.append(PlaceRef(CITY, c.country, c.geonameid))
                elif e.kind == REGION:
                    r = self.gaz.regions[e.ref]
                    if r.country:
                        refs.append(PlaceRef(REGION, r.country, region=r.name))
            after = last + 1
            if (
                after < len(toks)
                and toks[after].capital
                and toks[after].start == m.end + 1
                and text[m.end] == " "
                and not any(e.kind == COUNTRY for e in m.values)
            ):
                continue  # the first word of a longer name: "la Fundación Santa Fe"
            if refs:
                # a country outranks a town of its name ("México", "Colombia", "Malí")
                refs = [r for r in refs if r.kind == COUNTRY] or refs
                out.append(PlaceHit(first, last + 1, tuple(refs), first in located))
        for m in self.gaz.town_index.find(folded):
            first, last = starts.get(m.start), ends.get(m.end)
            if first is None or last is None or not text[m.start : m.start + 1].isupper():
                continue
            if first not in located or first in self.blocked:
                continue
            refs = [
                PlaceRef(TOWN, self.gaz.country_of(e) or "", town=e.ref)
                for e in m.values
                if e.ref < self.gaz.towns.count
            ]
            if refs:
                out.append(PlaceHit(first, last + 1, tuple(refs), True))
        # the longest reading at each place wins
        out.sort(key=lambda p: (p.first, -(p.last - p.first)))
        kept: list[PlaceHit] = []
        for p in out:
            if kept and p.first < kept[-1].last:
                if p.first == kept[-1].first and p.last == kept[-1].last:
                    kept[-1] = PlaceHit(p.first, p.last, kept[-1].refs + p.refs, p.located)
                continue
            kept.append(p)
        return kept

    # --- organisations ---------------------------------------------------------------

    def _orgs(self, text: str, toks: Sequence[Token]) -> list[tuple[int, int, str]]:
        out: list[tuple[int, int, str]] = []
        taken: set[int] = set()
        for h in self.org_matcher.find(toks):
            if h.value in self.orgs.by_id:
                out.append((h.first, h.last, h.value))
                taken.update(range(h.first, h.last))
        folded, starts, ends = self._folded, self._starts, self._ends
        for m in self.orgs.index.find(folded):
            first, last = starts.get(m.start), ends.get(m.end)
            if first is None or last is None or taken & set(range(first, last + 1)):
                continue
            written = text[m.start : m.end]
            if any(e.kind in (COUNTRY, CITY) for e in self.gaz.names.get(fold(written), ())):
                # "JERUSALEM" is listed as an alias of the IRGC-Qods Force (its name's
                # meaning); in running text a place's name is the place
                continue
            for rule in m.values:
                if rule.mode == "context":
                    continue
                if rule.mode == "acronym" and written != rule.alias:
                    continue
                out.append((first, last + 1, rule.org.id))
                taken.update(range(first, last + 1))
                break
        # names in another script than the list's: by sound
        for i, t in enumerate(toks):
            if i in taken or script_of(t.text) == "latin":
                continue
            if self.lex.script == "cyrillic" and not t.capital:
                continue
            for n in (3, 2, 1):
                if i + n > len(toks) or taken & set(range(i, i + n)):
                    continue
                if any(len(x.norm) < 3 for x in toks[i : i + n]):
                    continue  # "با لباس": a preposition is no part of a name
                key = sound_key(" ".join(x.text for x in toks[i : i + n]))
                # Arabic script writes no short vowels: its keys are met by chance
                # ("الحادث" and the alias AL-HADID, "حسن شيخ" and Hamas): a longer key
                least = _MIN_SOUND_KEY + (1 if self.lex.script == "arabic" else 0)
                org = self.sound_keys.get(key) if len(key) >= least else None
                if org is not None:
                    out.append((i, i + n, org))
                    taken.update(range(i, i + n))
                    break
        return sorted(out)

    # --- times -----------------------------------------------------------------------

    def _times(self, toks: Sequence[Token], lo: int, hi: int) -> list[TimeHit]:
        out: list[TimeHit] = []
        blocked = {i for h in self.not_relative.find(toks, lo, hi) for i in range(h.first, h.last)}
        for h in self.vague_matcher.find(toks, lo, hi):
            out.append(TimeHit(h.first, h.last, "vague", offset=int(h.value)))
        for h in self.relative_matcher.find(toks, lo, hi):
            if h.first not in blocked:
                out.append(TimeHit(h.first, h.last, "relative", offset=int(h.value)))
        cal = self.calendar
        # month names of several words ("كانون الثاني", January) before their first word
        phrases = {h.first: (h.last, int(h.value)) for h in cal.month_matcher.find(toks, lo, hi)}
        i = lo
        while i < hi:
            t = toks[i]
            month_end, month = phrases.get(i, (i + 1, 0))
            if (month and i > lo and _day(toks[i - 1], self.lex.ordinal_days) is not None) or (
                month
                and i > lo + 1
                and _day(toks[i - 2], self.lex.ordinal_days) is not None
                and len(toks[i - 1].norm) <= 3
            ):
                d = (
                    toks[i - 1]
                    if _day(toks[i - 1], self.lex.ordinal_days) is not None
                    else toks[i - 2]
                )
                first = i - 1 if d is toks[i - 1] else i - 2
                while True:
                    # "с 21 по 24 марта", "on 8, 9 and 10 August", "entre el 1 y el 2 de
                    # octubre": the window opens on the first day
                    j = first - 1
                    if j >= lo and _short(toks[j], self.lex.range_words):
                        j -= 1  # an article: "y el 2"
                    if (
                        j >= lo
                        and toks[j].norm.isdigit()
                        and len(toks[j].norm) <= 2
                        and j == first - 1
                    ):
                        first = j
                    elif j >= lo and toks[j].norm in self.lex.range_words:
                        k = j - 1
                        if k >= lo and _short(toks[k], self.lex.range_words):
                            k -= 1
                        if k >= lo and _day(toks[k], self.lex.ordinal_days) is not None:
                            first = k
                        else:
                            break
                    else:
                        break
                    d = toks[first]
                day = _day(d, self.lex.ordinal_days) or 0
                year, last = 0, month_end
                for j in (month_end, month_end + 1):
                    if j < hi and toks[j].norm.isdigit() and len(toks[j].norm) == 4:
                        year, last = int(toks[j].norm), j + 1
                        break
                if 1 <= day <= 31:
                    out.append(TimeHit(first, last, "date", day, month, year))
                i = last
                continue
            if t.norm.isdigit() and i + 2 < hi and _numeric_date(toks, i):
                day, mon, year = (int(toks[i + k].norm) for k in (0, 1, 2))
                year += 2000 if year < 100 else 0
                if 1 <= day <= 31 and 1 <= mon <= 12:
                    out.append(TimeHit(i, i + 3, "date", day, mon, year))
                    i += 3
                    continue
            i += 1
        dated = {i for h in out for i in range(h.first, h.last)}
        for h in cal.weekday_matcher.find(toks, lo, hi):
            if h.first not in dated:
                out.append(TimeHit(h.first, h.last, "weekday", offset=int(h.value)))
        return sorted(out, key=lambda h: h.first)

    # --- counts ----------------------------------------------------------------------

    def _count(
        self, what: str, toks: Sequence[Token], s: Sentence, other: Count | None = None
    ) -> Count | None:
        words = self.hits(what, toks, s.first, s.last)
        if not words:
            return None
        at_least = {h.last for h in self.hits("at_least", toks, s.first, s.last)}
        in_times = {i for t in s.times for i in range(t.first, t.last)}
        ages = {h.first for h in self.age_matcher.find(toks, s.first, s.last)}
        best: tuple[int, int, int] | None = None  # distance, token index, value
        for h in words:
            reach = self.lex.reach
            for i in range(max(s.first, h.first - reach), min(s.last, h.last + reach)):
                if h.first <= i < h.last or i in in_times or i + 1 in ages:
                    continue
                if other is not None and toks[i].start == other.span.start:
                    continue  # "one killed and three wounded": the three are the wounded
                value = _number(toks[i], self.lex.numbers)
                if value is None:
                    continue
                # after the noun, one further off - or nearer, in languages that put the
                # number after the verb ("قتل ثلاثة أشخاص")
                after = (i - h.last + 1) + (0 if self.lex.count_after else 1)
                dist = (
                    2 * (h.first - i)
                    if i < h.first
                    else 2 * after - (1 if self.lex.count_after else 0)
                )
                if best is None or dist < best[0]:
                    best = (dist, i, value)
        if best is None:
            return None
        _, i, value = best
        t = toks[i]
        open_ended = i in at_least
        end = t.end
        # a compound written in words: "двадцать пять", "treinta y dos", "vingt-cinq" (the
        # nearest word may be its units: go back to its tens; or its tens: on to its units)
        compound = False
        if i > 0 and not t.norm.isdigit() and 1 <= value <= 9:
            joined = i > 1 and toks[i - 1].norm in self.lex.number_joiners
            tens = _number(toks[i - 2] if joined else toks[i - 1], self.lex.numbers)
            if tens and tens % 10 == 0 and 20 <= tens <= 90:
                i = i - 2 if joined else i - 1
                value, t, compound = tens + value, toks[i], True
        round_tens = value % 10 == 0 and 20 <= value <= 90
        if not compound and round_tens and i + 1 < len(toks) and not t.norm.isdigit():
            j = (
                i + 2
                if toks[i + 1].norm in self.lex.number_joiners and i + 2 < len(toks)
                else i + 1
            )
            units = _number(toks[j], self.lex.numbers)
            if units and 1 <= units <= 9 and not toks[j].norm.isdigit():
                value, end = value + units, toks[j].end
        span = Span(t.start, end, self._text[t.start : end])
        return Count(value, None if open_ended else value, span)

    # --- events ----------------------------------------------------------------------

    def _event(
        self,
        d: Draft,
        toks: Sequence[Token],
        date: datetime,
        doc_countries: set[str],
        text: str,
    ) -> Event:
        def span(first: int, last: int) -> Span:
            a, b = toks[first].start, toks[last - 1].end
            return Span(a, b, text[a:b])

        evidence = tuple(span(s.first, s.last) for s in d.sentences)
        method = None
        harms: list[HarmFact] = []
        if d.method is not None:
            m = Method(d.method.value)
            method = MethodFact(m, span(d.method.first, d.method.last))
            if m is Method.KIDNAPPING:
                harms.append(HarmFact(Harm.KIDNAPPING, method.span))
        killed = next((s.killed for s in d.sentences if s.killed), None)
        injured = next((s.injured for s in d.sentences if s.injured), None)
        if killed is not None:
            harms.append(HarmFact(Harm.KILLING, killed.span))
        else:
            # "they intend to kill as many people as possible": killing, with no toll
            word_hit = next((h for s in d.sentences for h in s.marks.get("killed", [])), None)
            if word_hit is not None:
                harms.append(HarmFact(Harm.KILLING, span(word_hit.first, word_hit.last)))
        if injured is not None:
            harms.append(HarmFact(Harm.SERIOUS_BODILY_INJURY, injured.span))
        actors: list[Actor] = []
        org_fillers: list[RoleFiller] = []
        seen: set[str] = set()
        # the organisation of the sentence that claims the attack first, then the rest
        for s in sorted(d.sentences, key=lambda x: not x.has("claimed")):
            linked = {h.last + k for h in s.marks.get("affiliation", []) for k in range(3)}
            # "the al-Shabaab group, linked to al-Qaeda": the parent named after "linked
            # to" is not the one who acted
            for first, last, org_id in sorted(s.orgs, key=lambda o: o[0] in linked):
                if org_id in seen:
                    continue
                seen.add(org_id)
                org = self.orgs.by_id[org_id]
                sp = span(first, last)
                actors.append(Actor(sp, org.name, org.id))
                org_fillers.append(RoleFiller(sp, (), 0.6, org.name, org.id))
        if not org_fillers:
            for first, last in self.unlisted:
                if any(s.first <= first < s.last for s in d.sentences):
                    sp = span(first, last)
                    actors.insert(0, Actor(sp, None, None))
                    org_fillers.append(RoleFiller(sp, (), 0.4))
                    break
        # a branch named with its parent ("the regional branch of the Islamic State,
        # IS-Khorasan"): the branch acted
        branches = {self.orgs.by_id[a.org_id].parent for a in actors if a.org_id}
        actors = [a for a in actors if a.org_id not in branches]
        org_fillers = [f for f in org_fillers if f.org_id not in branches]
        people: list[RoleFiller] = []
        for s in d.sentences[:2]:
            for h in s.individuals[:1]:
                sp = span(h.first, h.last)
                actors.append(Actor(sp, None, None, individuals=True))
                people.append(RoleFiller(sp, (), 0.5))
        targets = []
        seen_types: set[str] = set()
        for s in d.sentences:
            for h in s.targets:
                if h.value not in seen_types:
                    seen_types.add(h.value)
                    targets.append(Target(TargetType(h.value), span(h.first, h.last)))
        if d.kind is EventKind.INCIDENT and self._ahead(d, date):
            # an attack dated after the report ("a 72-hour armed strike from Wednesday
            # 15 January", written on the 13th) has not happened: it is announced
            d.kind, d.modality = EventKind.THREAT, Modality.THREATENED
        place = self._place(d, toks, doc_countries, text)
        time = self._time(d, toks, date, text)
        kinds = sum(
            bool(x) for x in (actors, harms, method, targets, place, time, killed or injured)
        )
        return Event(
            kind=d.kind,
            modality=d.modality,
            evidence=evidence,
            actors=tuple(actors),
            harm=tuple(harms),
            method=method,
            targets=tuple(targets),
            place=place,
            time=time,
            casualties=Casualties(killed, injured),
            confidence=confidence(kinds, len(evidence), d.modality, False),
            perpetrator_individuals=tuple(people),
            perpetrator_organizations=tuple(org_fillers),
            weapons=(),
            incident_type=incident_type_of(method.method if method else None)
            if d.kind is EventKind.INCIDENT
            else None,
        )

    def _place(
        self, d: Draft, toks: Sequence[Token], doc_countries: set[str], text: str
    ) -> Place | None:
        place = self._own_place(d, toks, doc_countries, text)
        if d.header and (place is None or place.precision is PlacePrecision.COUNTRY):
            for p in d.header:
                for r in p.refs:
                    if r.kind in (CITY, TOWN) and (place is None or r.country == place.country):
                        return self._place_of(r, toks, p, text) or place
        return place

    def _own_place(
        self, d: Draft, toks: Sequence[Token], doc_countries: set[str], text: str
    ) -> Place | None:
        # what was seized in a suspect's home town says nothing of where the attack was;
        # nor, for a threat, the place of the attack it follows ("after the attack on a
        # concert hall outside Moscow, France raised its alert")
        hits = [
            p
            for s in d.sentences
            if not s.has("seized")
            for p in s.places
            if not (
                d.kind is EventKind.THREAT
                and any(h.last <= p.first for h in s.marks.get("aftermath", []))
            )
            and p.first != self.dateline_at
            and (
                p.first not in self.passing
                or any(r.kind == COUNTRY for r in p.refs)
                # an attack on several towns at once is placed in the first; a threat
                # listing towns gives examples of a country-wide one
                or (d.kind is EventKind.INCIDENT and p.first not in self.route_ends)
            )
        ]
        if not hits:
            return None
        countries = {
            r.country for p in hits for r in p.refs if r.kind in (COUNTRY, REGION) and r.country
        } or doc_countries

        def choose(p: PlaceHit) -> PlaceRef | None:
            local = [r for r in p.refs if r.kind in (CITY, TOWN)]
            inside = [r for r in local if r.country in countries]
            if inside:
                best = max(inside, key=self._population)
                biggest = max(local, key=self._population)
                # "Посольство США в Москве": Moscow, not Moscow, Idaho - a world city
                # outranks a small namesake in a country the text names for another reason
                if self._population(biggest) > 20 * max(self._population(best), 1):
                    return biggest
                return best
            cities = [r for r in local if r.kind == CITY]
            city = max(cities, key=self._population, default=None)
            if countries and not p.located and (city is None or self._population(city) < 100_000):
                return None  # a small town abroad the text puts nothing in: a name
            return city

        first_sentence = d.sentences[0]
        fielded = [p for p in self.fielded if any(r.kind in (CITY, TOWN) for r in p.refs)]
        if fielded:  # "Location: Reynosa, Tamaulipas" in an alert says where, whatever else
            hits = fielded[:1] + hits
        # a plot's target: the town named in what it is "against" ("arrested in Mulhouse,
        # planned an attack against the Christmas market of Strasbourg")
        aimed = set()
        if d.kind is EventKind.THREAT:
            aimed = {
                p.first
                for x in d.sentences
                for h in x.marks.get("against", [])
                for p in x.places
                if h.last <= p.first <= h.last + 8
            }
        ordered = sorted(
            hits,
            key=lambda p: (
                p not in fielded,
                p.first not in aimed,
                p not in first_sentence.places,
                not p.located,
            ),
        )
        chosen = [(p, choose(p)) for p in ordered]
        # a town in a country the text names, or one it puts something in, before a
        # town abroad named in passing ("the Lido beach in Mogadishu, Somalia")
        chosen.sort(
            key=lambda pr: (
                pr[0] not in fielded,
                pr[0].first not in aimed,
                pr[1] is None or not (pr[1].country in countries or pr[0].located),
                # of towns abroad named in passing, a city before a village of its name
                pr[1] is None
                or (
                    not (pr[1].country in countries or pr[0].located)
                    and self._population(pr[1]) < 100_000
                ),
            )
        )
        for p, ref in chosen:
            if ref is not None:
                return self._place_of(ref, toks, p, text)
        # a country: one the text puts something in first ("в Мали", not "МИД России")
        for p in sorted(hits, key=lambda p: (not p.located, p not in first_sentence.places)):
            for r in p.refs:
                if r.kind in (COUNTRY, REGION):
                    return self._place_of(r, toks, p, text)
        return None

    def _km(self, a: PlaceRef, b: PlaceRef) -> float:
        """The distance between two cities in km (infinite where either is no city)."""
        import math

        points = []
        for r in (a, b):
            i = self.gaz.by_geonameid.get(r.geonameid) if r.kind == CITY and r.geonameid else None
            if i is None:
                return math.inf
            points.append(
                (math.radians(self.gaz.cities[i].lat), math.radians(self.gaz.cities[i].lon))
            )
        (la1, lo1), (la2, lo2) = points
        h = (
            math.sin((la2 - la1) / 2) ** 2
            + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
        )
        return 2 * 6371 * math.asin(math.sqrt(h))

    def _sounds_like(self, r: PlaceRef, heard: str) -> bool:
        if r.kind == COUNTRY:
            c = self.gaz.country(r.country)
            name = c.name if c else ""
        elif r.kind == CITY and r.geonameid is not None:
            i = self.gaz.by_geonameid.get(r.geonameid)
            name = self.gaz.cities[i].name if i is not None else ""
        else:
            return False
        key = sound_key(name)
        return bool(key) and (heard.startswith(key) or key.startswith(heard))

    def _population(self, r: PlaceRef) -> int:
        if r.kind == CITY and r.geonameid is not None:
            i = self.gaz.by_geonameid.get(r.geonameid)
            return self.gaz.cities[i].population if i is not None else 0
        if r.kind == TOWN and r.town is not None:
            return int(self.gaz.towns.population[r.town]) if r.town < self.gaz.towns.count else 0
        return 0

    def _place_of(self, r: PlaceRef, toks: Sequence[Token], p: PlaceHit, text: str) -> Place | None:
        a, b = toks[p.first].start, toks[p.last - 1].end
        sp = Span(a, b, text[a:b])
        if r.kind == CITY and r.geonameid is not None:
            i = self.gaz.by_geonameid.get(r.geonameid)
            if i is None:
                return None
            c = self.gaz.cities[i]
            return Place(
                sp,
                PlacePrecision.CITY,
                c.country,
                c.name,
                self.gaz.admin1_of(c) or None,
                None,
                c.lat,
                c.lon,
                c.geonameid,
            )
        if r.kind == TOWN and r.town is None:
            return Place(sp, PlacePrecision.CITY, r.country, r.name)
        if r.kind == TOWN and r.town is not None:
            t = self.gaz.town(r.town)
            return Place(
                sp, PlacePrecision.CITY, t.country, t.name, t.admin1 or None, None, t.lat, t.lon
            )
        if r.kind == REGION:
            return Place(sp, PlacePrecision.REGION, r.country or None, None, r.region)
        country = self.gaz.country(r.country)
        return Place(
            sp,
            PlacePrecision.COUNTRY,
            r.country,
            None,
            None,
            None,
            None,
            None,
            country.geonameid if country else None,
        )

    def _ahead(self, d: Draft, date: datetime) -> bool:
        """Whether the event's own sentence dates it after the document."""
        s = d.sentences[0]
        base = date.replace(hour=0, minute=0, second=0, microsecond=0)
        for h in s.times:
            if h.kind != "date":
                continue
            ahead = _resolve(h, EventKind.THREAT, date)
            behind = _resolve(h, EventKind.INCIDENT, date)
            if ahead is None or behind is None:
                continue
            if h.year:
                return ahead[0] > base + timedelta(days=1)
            return ahead[0] - base <= timedelta(days=14) < base - behind[0] - timedelta(days=16)
        return False

    def _time(
        self, d: Draft, toks: Sequence[Token], date: datetime, text: str
    ) -> TimeWindow | None:
        for s in d.sentences:
            anchors = [m.first for m in s.methods] or [s.first]
            # a calendar date before a weekday or "yesterday", then the nearest to the attack
            for h in sorted(
                s.times,
                key=lambda h: (_RANK_OF_TIME[h.kind], min(abs(h.first - a) for a in anchors)),
            ):
                window = _resolve(h, d.kind, date)
                if window is None:
                    continue
                a, b = toks[h.first].start, toks[h.last - 1].end
                start, end, precision = window
                return TimeWindow(Span(a, b, text[a:b]), start, end, precision)
        return None


def _resolve(
    h: TimeHit, kind: EventKind, date: datetime
) -> tuple[datetime, datetime, TimePrecision] | None:
    base = date.replace(hour=0, minute=0, second=0, microsecond=0)
    day = timedelta(days=1)
    future = kind is EventKind.THREAT
    if h.kind == "vague":
        return base, base + timedelta(days=h.offset), TimePrecision.VAGUE
    if h.kind == "relative":
        if future and h.offset < 0:
            return None  # "raised the alert last night": when the warning came, not the threat
        start = base + timedelta(days=h.offset)
        return start, start + day, TimePrecision.DAY
    if h.kind == "weekday":
        delta = (h.offset - base.weekday()) % 7
        start = base + timedelta(days=delta) if future else base - timedelta(days=(-delta) % 7)
        return start, start + day, TimePrecision.DAY
    if h.kind == "date":
        year = h.year or base.year
        try:
            start = base.replace(year=year, month=h.month, day=h.day)
        except ValueError:
            return None
        if not h.year:
            if future and base - timedelta(days=60) <= start < base - timedelta(days=1):
                return None  # a day just past in a threat's report: an arrest, not the plot
            if future and start < base - timedelta(days=1):
                start = start.replace(year=year + 1)
            elif not future and start > base + timedelta(days=1):
                start = start.replace(year=year - 1)
        return start, start + day, TimePrecision.DAY
    return None


def _numeric_date(toks: Sequence[Token], i: int) -> bool:
    a, b, c = toks[i], toks[i + 1], toks[i + 2]
    return (
        b.norm.isdigit()
        and c.norm.isdigit()
        and len(a.norm) <= 2
        and len(b.norm) <= 2
        and len(c.norm) in (2, 4)
        and a.end + 1 == b.start
        and b.end + 1 == c.start
    )


def _short(t: Token, range_words: frozenset[str]) -> bool:
    """An article or other short word between the days of a range ("el", "le")."""
    return len(t.norm) <= 3 and not t.norm.isdigit() and t.norm not in range_words


def _day(t: Token, ordinals: re.Pattern[str] | None) -> int | None:
    """A day of the month: "22", or with the language's ordinal suffix ("1er", "3-го")."""
    if t.norm.isdigit() and len(t.norm) <= 2:
        return int(t.norm)
    m = ordinals.match(t.norm) if ordinals is not None else None
    return int(m.group(1)) if m else None


def _number(t: Token, words: Mapping[str, int]) -> int | None:
    if t.norm.isdigit() and len(t.norm) <= 5:
        return int(t.norm)
    for f in t.forms:
        if f in words:
            return words[f]
    return None


@lru_cache(maxsize=64)
def _heard(gaz: Gazetteer, country: str) -> dict[str, list[tuple[PlaceRef, str]]]:
    """The cities and towns of a country by the sound key of their names."""
    out: dict[str, list[tuple[PlaceRef, str]]] = {}
    for c in gaz.cities:
        if c.country == country:
            ref = PlaceRef(CITY, country, c.geonameid)
            out.setdefault(sound_key(c.name), []).append((ref, c.name))
    towns = gaz.towns
    for i in range(towns.count):
        if towns.countries[2 * i : 2 * i + 2] == country:
            ref = PlaceRef(TOWN, country, town=i)
            out.setdefault(sound_key(towns.names[i]), []).append((ref, towns.names[i]))
    return out


def _common(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


_QUOTES = re.compile(r"«[^«»\n]{1,80}»|“[^“”\n]{1,80}”|\"[^\"\n]{1,80}\"")


def _quoted(text: str, toks: Sequence[Token]) -> list[tuple[int, int]]:
    """The token ranges inside quotation marks."""
    out = []
    for m in _QUOTES.finditer(text):
        inside = [i for i, t in enumerate(toks) if m.start() < t.start and t.end < m.end()]
        if inside:
            out.append((inside[0], inside[-1] + 1))
    return out


def _lexicon_place(value: str, gaz: Gazetteer) -> PlaceRef:
    if value.isdigit():
        i = gaz.by_geonameid.get(int(value))
        return PlaceRef(CITY, gaz.cities[i].country if i is not None else "", int(value))
    if ":" in value:
        country, region = value.split(":", 1)
        return PlaceRef(REGION, country, region=region)
    return PlaceRef(COUNTRY, value)


def _best_method(hits: Sequence[Hit]) -> Hit | None:
    return min(hits, key=_rank, default=None)


def _rank(h: Hit) -> int:
    order = _readerlex.method_priority()
    m = Method(h.value)
    return order.index(m) if m in order else len(order)


def _countries(sentences: Sequence[Sentence]) -> set[str]:
    """The countries the sentences' places are in, where each place has one reading."""
    out: set[str] = set()
    for s in sentences:
        for p in s.places:
            codes = {r.country for r in p.refs if r.country}
            if len(codes) == 1:
                out |= codes
    return out


def _listed(text: str, toks: Sequence[Token], a: PlaceHit, b: PlaceHit) -> bool:
    """Whether two places stand in one list: a comma, or a short "and", between them."""
    between = text[toks[a.last - 1].end : toks[b.first].start]
    words = _WORD.findall(between)
    return len(between) <= 8 and (
        ("," in between and not words) or (len(words) == 1 and len(words[0]) <= 3)
    )


def _reactions_folded(drafts: list[Draft]) -> list[Draft]:
    """A report of an attack goes on to what followed it: "investigated as a possible
    terrorist attack", "the government raised the alert to its highest level". Such a
    threat - no plan or plot of its own, nowhere else - is the incident's aftermath,
    not a second event."""
    out: list[Draft] = []
    for d in drafts:
        before = next((o for o in reversed(out) if o.kind is EventKind.INCIDENT), None)
        own_plot = any(x.has("plan") or x.has("foiled") for x in d.sentences)
        elsewhere = _countries(d.sentences) - _countries(before.sentences) if before else set()
        if d.kind is EventKind.THREAT and before is not None and not own_plot and not elsewhere:
            before.sentences.extend(d.sentences)
            continue
        out.append(d)
    return out


def _happened(s: Sentence) -> bool:
    """Whether a sentence tells an attack as done: a toll, a claim, or a past day."""
    return bool(
        s.killed
        or s.injured
        or s.has("claimed")
        or s.has("under_way")
        or any(t.kind in ("relative", "date", "weekday") for t in s.times)
    )


def _fresh(s: Sentence) -> bool:
    """Whether a sentence dates its attack, not its background, to now: a "yesterday" or
    weekday nearer an attack word than a background word ("the double suicide bombing
    carried out yesterday in Kerman, during the anniversary..." is news; "the court
    sentenced on Thursday the cell that carried out the 2017 attacks" is not)."""
    for t in s.times:
        if t.kind not in ("relative", "weekday"):
            continue
        to_attack = min((abs(t.first - m.first) for m in s.methods), default=10**6)
        to_context = min(
            (abs(t.first - c.first) for c in s.marks.get("context", [])), default=10**6
        )
        if to_attack < to_context:
            return True
    return False


def _context_near(s: Sentence, reach: int = 5) -> bool:
    """Background words that govern the sentence's attack word ("ten years after the
    attack", "the trial of the bombers"), or a sentence with no attack word at all; a
    memorial named in passing far from the attack word ("during the ceremony for the
    anniversary of his death, two explosions...") does not make the attack background."""
    if not s.methods:
        return True
    return any(
        abs(c.first - m.first) <= reach - 1 for c in s.marks.get("context", []) for m in s.methods
    )


def _under_way(d: Draft) -> bool:
    return any(s.has("under_way") for s in d.sentences)


# A deployment's names make a new Organisations each time its file changes: a few kept.
@lru_cache(maxsize=4)
def _sound_keys(orgs: Organisations) -> dict[str, str]:
    """Sound key -> organisation id, for the aliases long enough to mean something; a
    key two organisations share is dropped."""
    keys: dict[str, str] = {}
    clash: set[str] = set()
    for org in orgs.by_id.values():
        if org.kind != "armed_group":
            continue
        for alias in (org.name, *org.aliases):
            k = sound_key(alias)
            if len(k) < _MIN_SOUND_KEY:
                continue
            if keys.get(k, org.id) != org.id and not orgs.related(keys[k], org.id):
                clash.add(k)
            keys.setdefault(k, org.id)
    return {k: v for k, v in keys.items() if k not in clash}


def lookup_name(name: str, orgs: Organisations) -> str | None:
    """The id of the organisation a name in another language or script names: a whole
    name of a reader lexicon's [organisations], else a listed alias's sound key."""
    norm = normalise(name)
    for lang in _readerlex.READER_LANGUAGES:
        lex = _readerlex.load(lang)
        toks = tokens_of(name, norm, lex)
        for h in _organisation_matcher(lang).find(toks):
            if h.first == 0 and h.last == len(toks) and h.value in orgs.by_id:
                return h.value
    key = sound_key(name)
    return _sound_keys(orgs).get(key) if len(key) >= _MIN_SOUND_KEY else None


@cache
def _organisation_matcher(lang: str) -> Matcher:
    return Matcher(_readerlex.load(lang).organisations)


@lru_cache(maxsize=16)
def reader(lang: str, gazetteer: Gazetteer, organisations: Organisations) -> Reader:
    return Reader(lang, gazetteer, organisations)


def read(
    text: str,
    date: datetime,
    lang: str,
    gazetteer: Gazetteer,
    organisations: Organisations,
    ranges: Sequence[tuple[int, int]] | None = None,
) -> list[Event]:
    """The events the paragraphs ``ranges`` of ``text`` (all of it when None) report,
    read as language ``lang``."""
    # the loaded reader is shared; each document's working state lives on its own copy
    # (the attributes read() sets), so documents never see each other's, in any thread
    return copy(reader(lang, gazetteer, organisations)).read(text, date, ranges or [(0, len(text))])
