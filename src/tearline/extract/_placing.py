"""Where the document puts things: its place names resolved and filed by sentence, the
country the report is about (where an event it gives no place for happens), and the
dateline's city.

Place names are found and read in ``_places``; here they are weighed against each other
and against the document: a foreign place the text never puts anything in is no event's
place, a city abroad listed among a country's towns is one of them, "the capital" and
"here" are the report's own, and towns the gazetteer lacks are kept by name.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from tearline.extract import _lexicon as lx
from tearline.extract._doc import Doc
from tearline.extract._places import (
    BIG_CITY,
    DIVISION_AFTER,
    LIST_GAP,
    LOCATIVE,
    NAME_ENDS,
    PlaceMention,
    Settlement,
    TownList,
    apposed,
    demonym_mentions,
    drop_surnames,
    find_places,
    find_settlements,
    find_town_lists,
    of_a_person,
    place_chains,
    resolve,
    settlement_name,
    town_in_chain,
)
from tearline.extract._text import Unit, fold_key
from tearline.extract.gazetteer import City, Gazetteer, lookup_city
from tearline.model import Place, PlacePrecision, Span


@dataclass(frozen=True, slots=True)
class PlaceFact:
    mention: PlaceMention
    place: Place


class _Sentence(Protocol):
    unit: Unit
    places: list[PlaceFact]
    countries: list[tuple[str, Span]]


class _Filing(Protocol):
    """Facts filed by sentence (``_facts``): what placing reads and writes of them."""

    dateline_country: Place | None
    dateline_city: Place | None

    @property
    def doc(self) -> Doc: ...

    @property
    def by_unit(self) -> Mapping[int, _Sentence]: ...

    def at(self, pos: int) -> _Sentence | None: ...


def file_places(
    filing: _Filing,
    gaz: Gazetteer,
    blocked: list[tuple[int, int]],
    groups: list[tuple[str, Span]],
) -> None:
    """File the document's places by sentence and set the report's country and the
    dateline's city; ``blocked``: organisation names, which hold no places; ``groups``:
    the country each mention of an armed group names it fighting in."""
    doc = filing.doc
    mentions = drop_surnames(doc, find_places(doc, gaz, blocked))
    dateline = [
        pm for pm in mentions if doc.dateline and doc.dateline[0] <= pm.span.start < doc.dateline[1]
    ]
    # The dateline's country settles ambiguous names in the text ("SAN MIGUEL" in a
    # report filed in San Salvador is in El Salvador).
    filed = [p for p in resolve(dateline, gaz, []) if p is not None and p.country]
    context = [p.country for p in filed if p.country]
    nationalities = [
        (code, Span(a, b, doc.text[a:b])) for code, (a, b) in demonym_mentions(doc.folded)
    ]
    demonyms = [
        (code, span)
        for code, span in nationalities
        if doc.unit_at(span.start) is not None and not _FOREIGNER.match(doc.text, span.end)
    ]
    context += [code for code, _ in demonyms]
    # ... and so does, in a report filed from nowhere ("CLANDESTINE"), the one country its
    # armed groups fight in: "A NATIONAL POLICE POST IN BERLIN" of an FMLN communique is
    # El Salvador's Berlin.
    fought_in = _groups_country(groups, gaz) if not filed else None
    if fought_in is not None and fought_in.country:
        context.append(fought_in.country)
    places = resolve(mentions, gaz, context, doc.text)
    known = set(context) | {
        p.country for p in places if p is not None and p.precision is PlacePrecision.COUNTRY
    }
    if not filed:
        # With no dateline country, a city only one place is named after names its
        # country as well as the country's name would: a report "from nowhere" that
        # speaks of Soyapango and calls on the Costa Rican president is about El
        # Salvador's San Miguel, not Costa Rica's.
        known |= {
            p.country
            for pm, p in zip(mentions, places, strict=True)
            if p is not None and pm.span.start >= doc.dateline_end and _sole_city(pm, p, gaz)
        }
    kept: list[Place] = []
    for i, (pm, place) in enumerate(zip(mentions, places, strict=True)):
        if place is None or pm.span.start < doc.dateline_end:
            continue  # where the report was filed (or relayed from), not where anything happened
        if (local := _odd_one_out(doc.text, i, mentions, places, known)) is not None:
            # ... a town of that country the gazetteer does not know: named, not placed
            name = settlement_name(pm.span.text[: pm.name_end - pm.span.start], doc.upper)
            place = Place(pm.span, PlacePrecision.CITY, country=local, city=name)
        elif doc.upper and known and _stray_town(pm, place, known, gaz, dated=bool(filed)):
            continue
        f = filing.at(pm.span.start)
        if f is None:
            continue
        # Where someone is from is no event's place, though it tells what the report
        # is about.
        if not _ORIGIN.search(doc.text, max(0, pm.span.start - 40), pm.span.start) and not (
            pm.prep == "of" and of_a_person(doc.text, pm.span.start)
        ):
            f.places.append(PlaceFact(pm, place))
        kept.append(place)
    # every country each sentence names, by nationality or by name, kept as a place or not
    for nation, span in nationalities:
        if (f := filing.at(span.start)) is None:
            continue
        f.countries.append((nation, span))
        if (national := _national_place(doc.text, nation, span, gaz)) is not None:
            word, named = national
            mention = PlaceMention(named.span, (), word, False, False, f.unit.index, named.span.end)
            f.places.append(PlaceFact(mention, named))
    for pm, place in zip(mentions, places, strict=True):
        code = place.country if place and place.precision is PlacePrecision.COUNTRY else None
        if code and pm.span.start >= doc.dateline_end and (f := filing.at(pm.span.start)):
            f.countries.append((code, pm.span))
    # A report filed from nowhere counts its armed groups' country as a dateline would; a
    # dateline that names its country ("MONTEVIDEO (URUGUAY)") is a bureau abroad.
    filing.dateline_country = (
        _home_country(filed[0], kept, demonyms, gaz, BUREAU_WEIGHT if len(filed) > 1 else None)
        if filed
        else _home_country(fought_in, kept, demonyms, gaz, named_first=True)
    ) or fought_in
    home = filing.dateline_country.country if filing.dateline_country else None
    resolved = list(zip(mentions, places, strict=True))
    _file_chain_heads(filing, mentions, places, blocked, gaz)
    for s in find_settlements(doc):
        _file_settlement(filing, s, resolved, blocked, home, known)
    for listed in find_town_lists(doc):
        _file_town_list(filing, listed, blocked, home, known)
    if filing.dateline_country is not None:
        # A foreign place the text never puts anything in ("Nicaragua has denied any
        # links with the assassination", "flew to Mexico") is not where an event is.
        qualified = {b.span.start for a, b in itertools.pairwise(mentions) if apposed(a, b)}
        facts = [pf for f in filing.by_unit.values() for pf in f.places]
        located = {
            (pf.place.country, pf.place.city)
            for pf in facts
            if pf.mention.prep in LOCATIVE or pf.mention.span.start in qualified
        }
        for f in filing.by_unit.values():
            f.places = [
                pf
                for pf in f.places
                if pf.place.country in (home, None) or (pf.place.country, pf.place.city) in located
            ]
        _file_capital(filing, gaz, home or "")
        if filed and filed[0].precision is PlacePrecision.CITY and filed[0].country == home:
            _file_here(filing, filed[0])
            filing.dateline_city = filed[0]


# "in Kolofata, Far North, Cameroon": a name the gazetteer lacks after "in", before a
# chain of places that ends in a country.
_CHAIN_HEAD = re.compile(
    r"\b(?P<prep>in|at|near|outside|around|inside)[ \t]+(?:the[ \t]+(?:town|village|city)"
    r"[ \t]+of[ \t]+)?(?P<name>[^\W\d_][\w'\u2019.-]*(?:[ \t]+[^\W\d_][\w'\u2019.-]*){0,3})"
    r"[ \t]*,[ \t]*$",
    re.IGNORECASE,
)


def _file_chain_heads(
    filing: _Filing,
    mentions: Sequence[PlaceMention],
    places: Sequence[Place | None],
    blocked: list[tuple[int, int]],
    gaz: Gazetteer,
) -> None:
    """A town the gazetteer lacks at the head of a chain that names its country: "in
    Kolofata, Far North, Cameroon" is Kolofata, Cameroon, at the Far North's point."""
    doc = filing.doc
    chained = place_chains(mentions, gaz, doc.text)
    ends = {c.end for c in chained.values()}
    for i, pm in enumerate(mentions):
        if (i in chained and not chained[i].first) or (i in ends and i - 1 in chained):
            continue
        end = chained[i].end if i in chained else i
        last = places[end]
        if last is None or last.country is None or pm.span.start < doc.dateline_end:
            continue
        if last.precision is not PlacePrecision.COUNTRY and not mentions[end].region:
            continue  # "in Gwoza, Borno State", "in Mora, Cameroon"; not "in Ali, Baghdad"
        m = _chain_head(doc, max(doc.dateline_end, pm.span.start - 60), pm.span.start)
        if m is None or (f := filing.at(m.start("name"))) is None:
            continue
        a, b = m.span("name")
        if any(x < b and a < y for x, y in blocked) or any(
            q.span.start < b and a < q.span.end for q in mentions
        ):
            continue  # an organisation's name, or a name the gazetteer knows
        if doc.upper and last.precision is not PlacePrecision.COUNTRY:
            continue  # "IN WHICH THEY WERE TRAVELLING, HUILA DEPARTMENT": no name
        country = last.country
        provinces = [
            p
            for k in range(i, end + 1)
            if (p := places[k]) is not None
            and p.country == country
            and p.precision is not PlacePrecision.COUNTRY
        ]
        span = Span(a, b, doc.text[a:b])
        place = town_in_chain(span, country, provinces, doc.upper, gaz)
        mention = PlaceMention(span, (), m.group("prep").lower(), False, False, f.unit.index, b)
        f.places.append(PlaceFact(mention, place))


def _chain_head(doc: Doc, lo: int, hi: int) -> re.Match[str] | None:
    """The nearest "in Name," ending at ``hi`` whose words are a name: capitalised, and
    in capitals no function word or event word ("IN WHICH THEY WERE TRAVELLING,")."""
    while (m := _CHAIN_HEAD.search(doc.text, lo, hi)) is not None:
        words = m.group("name").split()
        named = all(w[0].isupper() for w in words)
        if named and doc.upper:
            a, b = m.span("name")
            named = not lx.index().find(doc.folded[a:b]) and not any(
                w.lower() in NAME_ENDS or w.lower() in ("the", "a", "an") for w in words
            )
        if named:
            return m
        lo = m.start() + 1
    return None


def _file_settlement(
    filing: _Filing,
    s: Settlement,
    resolved: list[tuple[PlaceMention, Place | None]],
    blocked: list[tuple[int, int]],
    home: str | None,
    known: set[str | None],
) -> None:
    """A town named as one ("the town of Chullas") that the gazetteer does not know, in
    the region named with it or else in the country the report is about. Where the
    gazetteer knows only the start of its name ("San Miguel" of "San Miguel de
    Mercedes"), the longer name stands."""
    span = s.span
    if any(a < span.end and span.start < b for a, b in blocked):
        return
    # (a name the gazetteer knows only abroad, resolved to nothing or to a town in a
    # country the text never names - "the township of Campina" in Peru, not Romania's
    # Campina - does not count)
    overlapping = [
        (pm, place)
        for pm, place in resolved
        if place is not None and pm.span.start < span.end and span.start < pm.span.end
    ]
    named = [pm for pm, _ in overlapping]  # the gazetteer's names within it, anywhere
    inside = [
        pm
        for pm, place in overlapping
        if place.country in known or place.country == home or not filing.doc.upper
    ]
    if any(pm.span.start == span.start and pm.name_end >= span.end for pm in inside):
        return  # the gazetteer knows it
    if not s.named_as_town and not (s.bounded and _longer_by_de(span, named, filing.doc.text)):
        return  # "IN SAN SALVADOR EFFECTIVE TODAY.": San Salvador, the gazetteer's
    if not s.bounded and inside:
        return  # "THE TOWN OF SAN CLEMENTE WHERE ...": the gazetteer's San Clemente
    region = country = None
    for pm, place in resolved:
        if s.region is None or place is None or pm.span.start != s.region.start:
            continue
        if place.precision is PlacePrecision.REGION:  # not San Isidro, Lima, in "SAN
            region, country = place.region, place.country  # ISIDRO LABRADOR JURISDICTION"
    country = country or s.country or _country_after(filing.doc.text, span, resolved) or home
    f = filing.at(span.start)
    if country is None or f is None:
        return
    f.places = [pf for pf in f.places if pf.mention not in named]
    mention = PlaceMention(span, (), s.prep, False, False, f.unit.index, span.end)
    name = settlement_name(span.text, filing.doc.upper)
    place = Place(span, PlacePrecision.CITY, country=country, city=name, region=region)
    f.places.append(PlaceFact(mention, place))


# "the town of Kolofata in northern Cameroon": the country a settlement is said to be in.
_IN_COUNTRY_AFTER = re.compile(
    r",?[ \t\n]+(?:in|of)[ \t\n]+(?:the[ \t\n]+)?(?:(?:north|south|east|west|central"
    r"|north-?east|north-?west|south-?east|south-?west)(?:ern)?[ \t\n]+)?",
    re.IGNORECASE,
)


def _country_after(
    text: str, span: Span, resolved: list[tuple[PlaceMention, Place | None]]
) -> str | None:
    """The country named right after a settlement ("... of Kolofata in northern
    Cameroon"): its country, whatever the report is otherwise about (a group's country
    does not move a town named in another)."""
    m = _IN_COUNTRY_AFTER.match(text, span.end)
    if m is None:
        return None
    for pm, place in resolved:
        if pm.span.start == m.end() and place is not None:
            return place.country if place.precision is PlacePrecision.COUNTRY else None
    return None


def _file_town_list(
    filing: _Filing,
    listed: TownList,
    blocked: list[tuple[int, int]],
    home: str | None,
    known: set[str | None],
) -> None:
    """A list of towns of which the gazetteer knows some, all in one country the report
    names: each name is a town of that country, and each is where the list is put ("in
    Huarpacha, Ambo, Tomayquichua, and Kichki": Ambo as much as Huarpacha). With a
    province among them, only the names the gazetteer knows are placed."""
    items = listed.items
    if any(a < items[-1].end and items[0].start < b for a, b in blocked):
        return
    # the places filed for the names (a town abroad listed with a country's towns is
    # filed as one of them; a stray town is not filed)
    sentences = [filing.at(s.start) for s in items]
    within = [
        [
            pf
            for pf in (f.places if f is not None else [])
            if s.start <= pf.mention.span.start < s.end
        ]
        for s, f in zip(items, sentences, strict=True)
    ]
    # a name the gazetteer knows whole ("AND SOYAPANGO SINCE": the last, open, may run on)
    whole = [
        next(
            (
                pf.place
                for pf in found
                if pf.mention.span.start == s.start
                and (pf.mention.name_end >= s.end or (s is items[-1] and listed.open_end))
            ),
            None,
        )
        for s, found in zip(items, within, strict=True)
    ]
    countries = {pf.place.country for found in within for pf in found}
    kinds = {pf.place.precision for found in within for pf in found}
    if len(countries) > 1 or not kinds <= {PlacePrecision.CITY, PlacePrecision.REGION}:
        return  # places of several countries, or a list of countries
    code = next(iter(countries)) if countries else home if listed.towns else None
    if code is None or not (any(whole) or listed.towns) or (code not in known and code != home):
        return
    # "bombed civilian populations in Morazan, Chalatenango, and Guazapa": a department
    # among them - each is where, but a name the gazetteer lacks may be anything
    towns_only = kinds == {PlacePrecision.CITY}
    for s, f, found, place in zip(items, sentences, within, whole, strict=True):
        if f is None:
            continue
        if place is not None:
            f.places = [
                PlaceFact(replace(pf.mention, prep=listed.prep), pf.place)
                if pf.mention.span.start == s.start
                else pf
                for pf in f.places
            ]
            continue
        if not towns_only or (s is items[-1] and listed.open_end):
            continue  # "AND SOYAPANGO SINCE": where the last name ends is not known
        if found and not _longer_by_de(s, [pf.mention for pf in found], filing.doc.text):
            continue  # part of the name is a place of its own
        if any(
            pf.mention.span.start == s.start and pf.mention.span.end >= s.end for pf in f.places
        ):
            continue  # filed as a settlement already
        f.places = [pf for pf in f.places if not s.start <= pf.mention.span.start < s.end]
        mention = PlaceMention(s, (), listed.prep, False, False, f.unit.index, s.end)
        name = settlement_name(s.text, filing.doc.upper)
        f.places.append(PlaceFact(mention, Place(s, PlacePrecision.CITY, country=code, city=name)))


# "in the capital", "the capital's outskirts": the capital of the country the report is
# from (not "the capital of Peru", which names its country and is read as a place).
_THE_CAPITAL = re.compile(
    r"\b(?P<prep>in|at|near|outside|around|of)\s+the\s+(?:country's\s+|nation's\s+)?"
    r"(?P<name>capital)(?!\s+of\b)(?:'s)?\b",
    re.IGNORECASE,
)


def _capital_of(code: str, span: Span, gaz: Gazetteer) -> Place | None:
    """The capital city of the country of that ISO code as a place, written at ``span``."""
    country = gaz.country(code)
    city = lookup_city(country.capital, country=code) if country and country.capital else None
    if city is None:
        return None
    return Place(
        span,
        PlacePrecision.CITY,
        country=code,
        city=city.name,
        lat=city.lat,
        lon=city.lon,
        geonameid=city.geonameid,
    )


def _file_capital(filing: _Filing, gaz: Gazetteer, code: str) -> None:
    doc = filing.doc
    for m in _THE_CAPITAL.finditer(doc.text):
        f = filing.at(m.start("name"))
        span = Span(m.start("name"), m.end("name"), m.group("name"))
        if f is None or (place := _capital_of(code, span, gaz)) is None:
            continue
        mention = PlaceMention(
            span, (), m.group("prep").lower(), False, False, f.unit.index, span.end
        )
        f.places.append(PlaceFact(mention, place))


# "in this capital", "here": where the report was filed, as the reporter writes from it.
_HERE = re.compile(
    r"\b(?:(?P<prep>in|at|near|outside|around|of)\s+this\s+(?P<name>capital|city)\b(?!\s+of\b)"
    r"|(?P<here>here)\b(?!\s+(?:is|are)\b))",
    re.IGNORECASE,
)


def _file_here(filing: _Filing, filed: Place) -> None:
    """Where the text speaks of the dateline's city as the place it is written from."""
    doc = filing.doc
    for m in _HERE.finditer(doc.text, doc.dateline_end):
        group = "name" if m.group("name") else "here"
        f = filing.at(m.start(group))
        if f is None:
            continue
        span = Span(m.start(group), m.end(group), m.group(group))
        prep = (m.group("prep") or "in").lower()
        mention = PlaceMention(span, (), prep, False, False, f.unit.index, span.end)
        f.places.append(PlaceFact(mention, replace(filed, span=span)))


# A nationality that names a foreigner or a foreign mission says who was there, not what
# the report is about: "the Costa Rican embassy" in San Salvador, "Mexican television
# newsman Epigmenio Ibarra". (Not "Salvadoran government" or "Salvadoran president":
# a country's own institutions are what a report filed abroad is about.)
_FOREIGNER = re.compile(
    r"s?\s+(?:ambassadors?|embass(?:y|ies)|consul(?:s|ates?)?|diplomat(?:s|ic)?|newsm[ae]n"
    r"|journalists?|reporters?|correspondents?|tourists?|citizens?|nationals?|businessm[ae]n"
    r"|engineers?|volunteers?|priests?|nuns?|missionar(?:y|ies)|television|newspapers?"
    r"|news\s+agency|red\s+cross)\b",
    re.IGNORECASE,
)

# What the dateline's country is worth against the places and nationalities the text
# names: a report filed in Mexico City that speaks of "Salvadoran guerrillas" three times
# and of El Salvador once is about El Salvador.
DATELINE_WEIGHT = 2.0
BUREAU_WEIGHT = 1.5  # "MONTEVIDEO (URUGUAY)": FBIS's mark of a bureau abroad
DEMONYM_WEIGHT = 1.0  # a nationality adjective counts as a place of its country


def _home_country(
    filed: Place | None,
    places: list[Place],
    demonyms: list[tuple[str, Span]],
    gaz: Gazetteer,
    weight: float | None = None,
    named_first: bool = False,
) -> Place | None:
    """The country the report is about, where an event it gives no place for happens:
    the dateline's, unless the text names another country (its places, its people) more
    often; without a dateline, the country the text names most (first named on a tie).
    ``named_first``: ``filed`` weighs as a dateline but is not written as one (the armed
    groups' country), so where the text names that country, the place is written there;
    ``weight``: what ``filed`` weighs, if not a dateline's."""
    counts: dict[str, float] = {}
    if filed is not None and filed.country:
        counts[filed.country] = DATELINE_WEIGHT if weight is None else weight
    for code, weight in [
        *((p.country, 1.0) for p in places if p.country),
        *((code, DEMONYM_WEIGHT) for code, _ in demonyms),
    ]:
        counts[code] = counts.get(code, 0.0) + weight
    if not counts:
        return None
    code = max(counts, key=lambda c: counts[c])  # the first seen on a tie
    lent = filed.span if filed is not None and filed.country == code else None
    named = next((p.span for p in places if p.country == code), None)
    adjective = next((s for c, s in demonyms if c == code), None)
    spans = [named, adjective, lent] if named_first else [lent, named, adjective]
    return country_place(code, next(s for s in spans if s is not None), gaz)


def _national_place(text: str, nation: str, span: Span, gaz: Gazetteer) -> tuple[str, Place] | None:
    """Where a nationality at ``span`` names a place, the word before and the place:
    "pursued 7 km inside Honduran territory" (the country), "in the Peruvian capital"
    (its capital city)."""
    before = max(0, span.start - 20)
    if (prep := _TERRITORY_BEFORE.search(text, before, span.start)) and _TERRITORY.match(
        text, span.end
    ):
        place = country_place(nation, span, gaz)
    elif (prep := _NATIONAL_BEFORE.search(text, before, span.start)) and (
        capital := _NATIONAL_CAPITAL.match(text, span.end)
    ):
        place = _capital_of(
            nation, Span(span.start, capital.end(), text[span.start : capital.end()]), gaz
        )
    else:
        return None
    word = prep.group(1).lower()
    word = word if word in LOCATIVE or word == "of" else "into"  # "entered Salvadoran territory"
    return (word, place) if place is not None else None


def _groups_country(groups: list[tuple[str, Span]], gaz: Gazetteer) -> Place | None:
    """For a report that names no country at all, the one the groups it names fight in
    (an FMLN communique "from" a clandestine radio is about El Salvador)."""
    codes = {code for code, _ in groups}
    return country_place(codes.pop(), groups[0][1], gaz) if len(codes) == 1 else None


def country_place(code: str, span: Span, gaz: Gazetteer) -> Place | None:
    """The country of that ISO code as a place, written at ``span`` (the words that say
    it); None for a code the gazetteer does not know."""
    country = gaz.country(code)
    if country is None:
        return None
    return Place(span, PlacePrecision.COUNTRY, country=code, geonameid=country.geonameid)


# "a 29-year-old woman from Cali, was murdered": where a person comes from.
_ORIGIN = re.compile(
    r"\b(?:wom[ae]n|m[ae]n|natives?|residents?|citizens?|persons?|people|business(?:man|men)"
    r"|youths?|students?|peasants?|priests?|girls?|boys?|journalists?|engineers?|doctors?)"
    r",?\s+from\s+(?:the\s+(?:city|town)\s+of\s+)?$",
    re.IGNORECASE,
)
STRAY_POPULATION = 1_000_000
# "inside Honduran territory", "on Colombian soil": a nationality that names where.
_TERRITORY_BEFORE = re.compile(
    r"\b(in|inside|into|on|within|entered|entering|enter|enters|crossed\s+into)\s+$", re.IGNORECASE
)
_NATIONAL_BEFORE = re.compile(r"\b(in|at|near|outside|around|of)\s+the\s+$", re.IGNORECASE)
_NATIONAL_CAPITAL = re.compile(r"\s+capital\b(?!\s+of\b)(?:'s)?", re.IGNORECASE)
_TERRITORY = re.compile(r"\s+(?:territory|soil|airspace|territorial\s+waters)\b", re.IGNORECASE)


def _odd_one_out(
    text: str,
    i: int,
    mentions: Sequence[PlaceMention],
    places: Sequence[Place | None],
    known: set[str | None],
) -> str | None:
    """The country of the places a city abroad is listed with, where the report names
    that country: "attacks were reported in Chalatenango, San Antonio, Ciudad Barrios"
    is no San Antonio in Texas but one in El Salvador."""
    place, pm = places[i], mentions[i]
    if place is None or place.precision is not PlacePrecision.CITY or place.country in known:
        return None
    if pm.region or DIVISION_AFTER.match(text, pm.name_end):
        return None  # "Nueva Florida, Miraflores Municipality": a qualifier, not a list
    for j in (i - 1, i + 1):
        if not 0 <= j < len(mentions) or (other := places[j]) is None:
            continue
        a, b = (mentions[j], pm) if j < i else (pm, mentions[j])
        listed = LIST_GAP.fullmatch(text, a.span.end, b.span.start) is not None
        if listed and other.country in known and other.country != place.country:
            return other.country
    return None


def _stray_town(
    pm: PlaceMention, place: Place, known: set[str | None], gaz: Gazetteer, dated: bool
) -> bool:
    """A town abroad in caseless text that names other countries: in "THE SANTO TOMAS
    FARM" of a report from Guatemala City, Santo Tomas is no town in the Philippines.
    Only cities of a million people are taken abroad without their country named, and
    only by their own name ("CANO" is a surname, not Kano) - and, where the dateline
    names no country (``dated`` False), cities of 100,000 no other place is named after,
    where something is put in them."""
    if place.precision is not PlacePrecision.CITY or place.country in known:
        return False
    city = _city_by_own_name(pm, place, gaz)
    if city is None:
        return True
    if city.population >= STRAY_POPULATION or _capital(city, gaz):
        return False  # "13 persons died in San Salvador" in a report filed in Tegucigalpa
    # In a report whose dateline names no country ("CLANDESTINE"), a city of its own name
    # no other place has ("IN SOYAPANGO", 330,000 people) is itself where something is
    # put in it. (Filed from a country, a foreign city is more often where someone spends
    # his time or sits in a hotel.)
    return dated or not _sole_city(pm, place, gaz)


def _capital(city: City, gaz: Gazetteer) -> bool:
    """Whether the city is its country's capital."""
    country = gaz.country(city.country)
    return country is not None and fold_key(country.capital) == fold_key(city.name)


def _city_by_own_name(pm: PlaceMention, place: Place, gaz: Gazetteer) -> City | None:
    """The gazetteer's city the place is, where the text names it by that city's own
    name (not an alternate: "CANO" is no name of Kano's)."""
    i = gaz.by_geonameid.get(place.geonameid or -1)
    if place.precision is not PlacePrecision.CITY or i is None:
        return None
    city = gaz.cities[i]
    written = pm.span.text[: pm.name_end - pm.span.start]
    return city if fold_key(written) == fold_key(city.name) else None


def _sole_city(pm: PlaceMention, place: Place, gaz: Gazetteer) -> bool:
    """A city of 100,000 no other place is named after, something is put in: "in
    Soyapango"."""
    city = _city_by_own_name(pm, place, gaz)
    if city is None or city.population < BIG_CITY or pm.prep not in LOCATIVE:
        return False
    return len({(e.kind, e.ref) for e in pm.entries}) == 1


_DE = re.compile(r"\s+(?:de|del)\b", re.IGNORECASE)


def _longer_by_de(span: Span, named: Sequence[PlaceMention], text: str) -> bool:
    """Whether the name is the gazetteer's name of its start and more after "de": "San
    Luis de la Reina", not San Luis; or the gazetteer knows none of it, in any country
    (``named``; "in San Jose." is the gazetteer's San Jose, wherever it is)."""
    if not named:
        return True
    return any(
        pm.span.start == span.start and _DE.match(text, pm.name_end, span.end) is not None
        for pm in named
    )
