"""extract(): a document's text in, its events out - the one entry point of the stage."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from tearline.errors import InputError
from tearline.extract import _lexdata, _reader, gazetteer, langid, local_names, organisations
from tearline.extract import _roles as roles
from tearline.extract._assemble import assemble
from tearline.extract._doc import Doc, prepare
from tearline.extract._facts import UnitFacts, read_facts
from tearline.extract._fillers import attach, in_reach
from tearline.extract._lexdata import alternatives
from tearline.extract._mentions import REACTION, read_unit
from tearline.extract._merge import Merger
from tearline.extract._places import DIVISION_AFTER, LIST_GAP, LOCATIVE
from tearline.extract._placing import country_place
from tearline.extract._readerlex import READER_LANGUAGES
from tearline.extract._roles import RoleModel
from tearline.model import Event, Place, PlacePrecision

_LOCAL = (PlacePrecision.CITY, PlacePrecision.DISTRICT, PlacePrecision.VENUE)
# The words of the patterns below (data/lexicon/en/text.toml: events, town_lists).
_WORDS = _lexdata.load("en").text


# The languages extraction reads: English by the English pipeline, the others by the
# lexicon reader (_reader.py); the data is in data/lexicon/<lang>/.
LANGUAGES = ("en", *READER_LANGUAGES)
# A paragraph is read in another language than English only where the language
# identifier is at least this sure; below, it is read as English (as it always was).
_SURE = 0.7
_OWN_SCRIPT = ("ru", "ar", "fa")  # a script of their own: no English reading to fall back on


def extract(text: str, document_date: datetime, lang: str | None = None) -> list[Event]:
    """The threats and incidents a document reports, in the order it first mentions them.

    ``document_date`` must be timezone-aware: relative times ("yesterday", "within
    days", "on Friday") are resolved against it, forwards for a threat and backwards for
    an incident. ``lang``: the document's language, an ISO 639-1 code; None identifies
    the language of each paragraph (``langid``), so that an English cover note over a
    quoted Russian intercept is read in both. A language extraction does not read gives
    an InputError that names those it does; a paragraph found to be in one is skipped.
    Pure apart from loading the shipped reference data once per process and the
    deployment's names file (``local_names``) when it changes.
    """
    return extract_with(text, document_date, roles.load(), lang)


def check_language(lang: str | None) -> str:
    """The language code extraction reads the document in; InputError for another."""
    code = "en" if lang is None else lang.strip().lower()
    if code not in LANGUAGES:
        raise InputError(
            f"extraction does not read language {lang!r}; it reads: {', '.join(LANGUAGES)}"
        )
    return code


def extract_with(
    text: str, document_date: datetime, model: RoleModel | None, lang: str | None = None
) -> list[Event]:
    """extract() with the given role model (None: no learned role fillers). The build
    script reads held-out documents with models trained without them."""
    code = None if lang is None else check_language(lang)
    if document_date.tzinfo is None or document_date.utcoffset() is None:
        raise InputError(
            "the document date has no time zone; give one, e.g. 2024-03-06T09:00:00+00:00"
        )
    if not text.strip():
        return []
    # The rules read the shipped names with the deployment's own; the taggers read the
    # shipped names only, as they were trained (see _roles.RoleStatus).
    names = local_names.known()
    shipped = gazetteer.load(), organisations.load()
    if (names.gazetteer, names.organisations) != shipped:
        try:
            return _languages(
                text, document_date, model, code, names.gazetteer, names.organisations
            )
        except Exception as exc:  # a deployment's names never stop a run: read without them
            local_names.failed(exc)
    return _languages(text, document_date, model, code, *shipped)


def language_parts(text: str, lang: str | None = None) -> dict[str, list[tuple[int, int]]]:
    """The stretches of ``text`` each language reads: all of it in ``lang`` where given,
    else each paragraph in the language identified for it - English where the
    identifier is unsure of a Latin-script language, or finds one extraction does not
    read (as every document was read before languages were identified)."""
    if lang is not None:
        return {lang: [(0, len(text))]}
    parts: dict[str, list[tuple[int, int]]] = {}
    for p in langid.paragraphs(text):
        sure = p.score >= _SURE or p.lang in _OWN_SCRIPT
        if not sure and p.lang in READER_LANGUAGES:
            # unsure (capitals, datelines, names): its own function words decide
            votes = langid.function_words(text[p.start : p.end])
            sure = votes.get(p.lang, 0) >= 3 and votes.get(p.lang, 0) > votes.get("en", 0)
        code = p.lang if p.lang in READER_LANGUAGES and sure else "en"
        parts.setdefault(code, []).append((p.start, p.end))
    return parts


def _languages(
    text: str,
    document_date: datetime,
    model: RoleModel | None,
    lang: str | None,
    gaz: gazetteer.Gazetteer,
    orgs: organisations.Organisations,
) -> list[Event]:
    parts = language_parts(text, lang)
    if set(parts) <= {"en"}:
        return _read(text, document_date, model, gaz, orgs)
    events: list[tuple[int, Event]] = []
    for code, ranges in parts.items():
        if code == "en":
            masked = _only(text, ranges)
            if masked.strip():
                found = _read(masked, document_date, model, gaz, orgs)
                events += [(e.evidence[0].start if e.evidence else 0, e) for e in found]
        else:
            found = _reader.read(text, document_date, code, gaz, orgs, ranges)
            events += [(e.evidence[0].start if e.evidence else 0, e) for e in found]
    return merge_across(e for _, e in sorted(events, key=lambda pair: pair[0]))


def _only(text: str, ranges: list[tuple[int, int]]) -> str:
    """The text with everything outside ``ranges`` blanked (same length, same offsets)."""
    out = [" " if not c.isspace() else c for c in text]
    for s, e in ranges:
        out[s:e] = text[s:e]
    return "".join(out)


def merge_across(events: Iterable[Event]) -> list[Event]:
    """Events read from paragraphs in different languages that are one event: same kind,
    and the same town or one of them without a town (a cover note's "planned attack in
    Kazan" over the quoted report of it). The first keeps its facts; the other fills
    what it lacks and adds its evidence."""
    out: list[Event] = []
    for e in events:
        for i, o in enumerate(out):
            if o.kind is e.kind and _same_place(o.place, e.place):
                out[i] = replace(
                    o,
                    evidence=(*o.evidence, *e.evidence),
                    place=_finer(o.place, e.place),
                    time=o.time or e.time,
                    method=o.method or e.method,
                    actors=o.actors or e.actors,
                    targets=o.targets or e.targets,
                    harm=o.harm or e.harm,
                    casualties=o.casualties
                    if (o.casualties.killed or o.casualties.injured)
                    else e.casualties,
                    perpetrator_organizations=o.perpetrator_organizations
                    or e.perpetrator_organizations,
                    perpetrator_individuals=o.perpetrator_individuals or e.perpetrator_individuals,
                )
                break
        else:
            out.append(e)
    return out


def _same_place(a: Place | None, b: Place | None) -> bool:
    if a is None or b is None:
        return True
    if a.country and b.country and a.country != b.country:
        return False
    if a.city and b.city:
        return a.city == b.city
    return True


def _finer(a: Place | None, b: Place | None) -> Place | None:
    if a is None or b is None:
        return a or b
    order = list(PlacePrecision)
    return a if order.index(a.precision) <= order.index(b.precision) else b


def _read(
    text: str,
    document_date: datetime,
    model: RoleModel | None,
    gaz: gazetteer.Gazetteer,
    orgs: organisations.Organisations,
) -> list[Event]:
    doc = prepare(text)
    facts, home, dateline_city = read_facts(doc, gaz, orgs)
    merger = Merger(orgs, document_date)
    for index in sorted(facts):
        for mention in read_unit(doc.text, facts[index]):
            merger.add(mention)
    events = [e for d in merger.drafts if (e := assemble(d, doc.text, doc.upper)) is not None]
    if not events:
        return []
    if home is not None:
        # An event the text gives no place for happens in the country the report is
        # about: the one it was filed from ("SAN SALVADOR, 3 JAN 90 -- ... GUERRILLAS
        # ATTACKED A BUS") unless the text names another more often; without a dateline,
        # the country the document names most - unless that country reacts to it.
        events = [
            replace(e, place=_reacted_to(e, doc, facts, home, gaz) or e.place or home)
            for e in events
        ]
    located = [
        (index, pf.place)
        for index in sorted(facts)
        for pf in facts[index].places
        if pf.place.precision in _LOCAL
        and (pf.mention.prep in LOCATIVE or _opens_text(doc, pf.mention.span.start))
    ]
    events = [_with_city(e, doc, located, dateline_city) for e in events]
    events = [each for e in events for each in _per_town(e, doc, facts)]
    # The taggers read only the sentences whose fillers can be given to an event.
    found = (
        model.read(doc, gazetteer.load(), organisations.load(), in_reach(doc, events))
        if model is not None
        else None
    )
    return attach(events, found, doc, orgs)


# Between the dateline and the text's first word: "[REPORT] [MARIBEL OSORIO] [TEXT]".
_TAGS = re.compile(r"(?:\s*\[[^\]\n]{1,60}\])*\s*")


def _opens_text(doc: Doc, pos: int) -> bool:
    """Whether a report's first sentence opens with the name at ``pos``: the city the story
    is about, as a second dateline would say ("BOGOTA, 7 SEP 89 -- [TEXT] MEDELLIN
    CONTINUES TO LIVE THROUGH A WAVE OF TERROR.")."""
    return doc.dateline is not None and _TAGS.fullmatch(doc.text, doc.dateline_end, pos) is not None


# "... condemned the assassination of six Jesuits in his country": the reacting party's
_THEIR_COUNTRY = re.compile(
    r"\bin\s+(?:" + alternatives(_WORDS.possessives) + r")\s+(?:own\s+)?country\b", re.I
)


def _reacted_to(
    e: Event, doc: Doc, facts: dict[int, UnitFacts], home: Place, gaz: gazetteer.Gazetteer
) -> Place | None:
    """The country an event without a place happened in, where someone reacts to it in
    the event's first sentence: the report's own country reacting ("TEGUCIGALPA -- The
    Honduran government today denounced the assassination of Salvadoran ...", "Havana
    University professors have repudiated the assassination of ... of the University of
    El Salvador") puts it in the one other country named after the reaction; another
    country reacting to what happened "in his country" puts it there."""
    unit = doc.unit_at(e.evidence[0].start) if e.evidence else None
    f = facts.get(unit.index) if unit is not None else None
    if unit is None or f is None or (m := REACTION.search(doc.text, unit.start, unit.end)) is None:
        return None
    if e.place is not None and not (
        e.place.country == home.country and unit.start <= e.place.span.start < m.start()
    ):
        return None  # placed by the text, not where the reaction comes from
    named = [*f.countries]
    named += [(pf.place.country, pf.mention.span) for pf in f.places if pf.place.country]
    before = {code for code, span in named if span.start < m.start()}
    after = {code: span for code, span in named if span.start > m.start()}
    if home.country in before:
        others = {code: span for code, span in after.items() if code != home.country}
    elif len(before) == 1 and _THEIR_COUNTRY.search(doc.text, m.end(), unit.end):
        code = next(iter(before))
        others = {code: next(span for c, span in named if c == code)}
    else:
        return None
    if len(others) != 1:
        return None
    code, span = next(iter(others.items()))
    return country_place(code, span, gaz)


# Between places each an event is reported in: "Santiago, Talca and Temuco", "mainly in
# Usulutan, as well as in Chalatenango", "in Lima and also in Callao".
_TOWNS_GAP = re.compile(
    rf"{LIST_GAP.pattern}|(?:\s+(?:{alternatives(_WORDS.town_lists['area_words'])}))?\s*,?\s*"
    rf"(?:{alternatives(_WORDS.town_lists['connectors'])})\s+"
    rf"(?:(?:{alternatives(_WORDS.town_lists['emphasis'])})\s+)?"
    rf"(?:{alternatives(_WORDS.town_lists['prepositions'])})\s+",
    re.IGNORECASE,
)


def _per_town(e: Event, doc: Doc, facts: dict[int, UnitFacts]) -> list[Event]:
    """One event per town where the text lists several for it: "bombs exploded in
    Santiago, Talca and Temuco" reports three bombings, each with its own place."""
    place = e.place
    unit = doc.unit_at(place.span.start) if place is not None else None
    if place is None or unit is None or place.precision is not PlacePrecision.CITY:
        return [e]
    if not any(s.start <= place.span.start < s.end for s in e.evidence):
        return [e]  # a city lent by another sentence (_with_city) is one place, not a list
    towns = sorted(
        (
            pf.place
            for pf in (facts[unit.index].places if unit.index in facts else [])
            if pf.place.precision is PlacePrecision.CITY
            and pf.place.country == place.country
            and not DIVISION_AFTER.match(doc.text, pf.mention.name_end)
        ),
        key=lambda p: p.span.start,
    )
    listed: list[Place] = []
    mine = place.span  # where the event's own town is written
    for p in towns:
        if listed and listed[-1].span == mine and p.city == place.city:
            listed[-1], mine = p, p.span  # "here in the San Salvador area": named again
            continue
        if listed and not _TOWNS_GAP.fullmatch(doc.text, listed[-1].span.end, p.span.start):
            if any(q.span == mine for q in listed):
                break
            listed = []
        listed.append(p)
    if len(listed) < 2 or not any(q.span == mine for q in listed):
        return [e]
    names = {p.city for p in listed}
    if len(names) < len(listed):
        return [e]  # the same town twice: one event
    return [e if p.span == mine else replace(e, place=p) for p in listed]


def _with_city(
    e: Event, doc: Doc, located: list[tuple[int, Place]], dateline_city: Place | None
) -> Event:
    """An event whose sentences name only its country happens in a city of that country
    the text puts something in: one its own later sentences put something in, else the
    last named before the event, else the city the report was filed from, else the
    first named after it - as a reader would take it.
    The place keeps the span where the city is named, so the evidence shows why.
    ``located``: the cities something is put in ("in", "at", "near"), by unit index."""
    if e.place is not None and e.place.precision is not PlacePrecision.COUNTRY:
        return e
    code = e.place.country if e.place is not None else None
    units = [u.index for s in e.evidence if (u := doc.unit_at(s.start)) is not None]
    first = min(units, default=0)
    before: Place | None = None
    after: Place | None = None
    for index, p in located:
        if code is not None and p.country != code:
            continue
        if index in units and index > first:
            # a later sentence of its own puts it there: "CALI -- ... the killing of a
            # policeman ... The two were killed leaving a church in ..., Tulua"
            return replace(e, place=p)
        if index <= first:
            before = p
        elif after is None:
            after = p
    if before is None and dateline_city is not None and dateline_city.country in (code, None):
        before = dateline_city
    pick = before or after
    return e if pick is None else replace(e, place=pick)
