"""Place names in a document: found with the gazetteer, filtered by how they are written,
and resolved to one place each (Moscow, Russia rather than Moscow, Idaho).

Ambiguous names are resolved by, in order: a country or US state named in the same
sentence, a country named anywhere in the document (or its dateline, or by a town only
that country has; where nothing names one, the country more of the document's place
names can be in than any other), countries before cities before regions, the place's
own name before an alternate name, population.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from tearline.extract import _lexicon as lx
from tearline.extract import _place_words as place_words
from tearline.extract._doc import Doc
from tearline.extract._matcher import Match, leftmost_longest
from tearline.extract._text import Unit, fold_key, sentence_initial
from tearline.extract._wordclasses import given_names
from tearline.extract.gazetteer import CITY, COUNTRY, REGION, TOWN, Entry, Gazetteer
from tearline.model import Place, PlacePrecision, Span

# Words after a place name that make it a region ("San Miguel Department").
_REGION_SUFFIX = {
    "department", "province", "region", "oblast", "governorate", "district", "county",
    "prefecture", "state",
}  # fmt: skip
# Words after a place name that still leave it a place ("Moscow area", "Kabul Airport").
_NAME_SUFFIX = {*_REGION_SUFFIX, "area", "city", "airport", "metropolitan", "region's"}
# Words after a name that make it the name of something smaller than a town, even in
# capitals: "THE SAN JOSE NEIGHBORHOOD" of San Salvador, "LA ESPERANZA FARM".
_SUBPLACE_SUFFIX = {
    "neighborhood", "neighbourhood", "colony", "farm", "hacienda", "estate", "ranch",
    "plantation", "canton", "hamlet", "subdivision", "residential", "hill", "river", "lake",
    "volcano", "battalion", "brigade", "regiment", "detachment", "street", "avenue",
    "boulevard", "corregimiento", "vereda", "caserio",
}  # fmt: skip
# Words before a name that make it a person's ("JUDGE VALENCIA GARCIA", "COLONEL ZAMORA").
_TITLES = {
    "judge", "president", "minister", "colonel", "col", "gen", "general", "lieutenant", "lt",
    "captain", "capt", "sergeant", "sgt", "major", "mr", "mrs", "ms", "dr", "father", "fr",
    "monsignor", "msgr", "bishop", "archbishop", "cardinal", "senator", "sen", "deputy",
    "mayor", "commander", "comandante", "governor", "ambassador", "professor", "prof",
    "attorney", "journalist", "priest", "brother", "sister", "don", "dona", "citizen",
    "leader", "congressman", "councilman", "businessman", "engineer", "eng",
}  # fmt: skip


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# In capitals a surname cannot be told from a town by its case: "CARLOS VALENCIA
# GARCIA", "GENERAL OSVALDO DIAZ SALVADOR", "RUBEN ZAMORA". A town name next to a given
# name or a surname (Spanish names, as the wire reports of Latin America write them) is
# taken for a person's, and so are its other mentions in the document, unless something
# is said to be in it.
_GIVEN_NAMES = _words(
    """adolfo agustin alberto alejandro alfonso alfredo alvaro ana andres angel antonio
    armando arnoldo arturo augusto bernardo blanca carlos cesar cristina daniel diego
    domingo edgar eduardo elba elena emilio enrique ernesto esteban federico felipe
    fernando francisco gabriel gerardo gilberto gonzalo guillermo gustavo hector hernan
    hugo humberto ignacio ivan jaime javier jesus joaquin jorge jose juan julio leonel
    luis manuel marco marcos margarita maria mario mauricio miguel napoleon nestor octavio
    oscar osvaldo pablo pedro rafael ramiro ramon raul reinaldo rene ricardo rigoberto
    roberto rodrigo rolando ruben salvador samuel sergio tomas vicente victor"""
)
_SURNAMES = _words(
    """acosta aguilar alvarado alvarez arango arce avila barco benitez calderon camacho
    cardenas castaneda castillo castro chavez contreras cordero cristiani cruz diaz
    dominguez duarte escobar espinoza estrada fernandez figueroa flores fuentes galan
    gallardo garcia gaviria giraldo gomez gonzalez guerra guerrero gutierrez guzman
    henao hernandez herrera ibarra jaramillo jimenez lara leon lopez lozano marin
    marquez martinez medina mejia melendez mendez mendoza molina montenegro montoya morales moreno
    munoz navarro nunez ochoa orozco ortega ortiz osorio ospina pacheco padilla palacios
    paredes pena perez ponce quintero ramirez ramos restrepo reyes rincon rios rivas
    rivera rodriguez rojas romero rosales ruiz salazar salinas sanchez sandoval santos
    serrano silva soto suarez toro torres trujillo uribe valdez valencia vargas vasquez
    vazquez vega velasquez villalobos zamora zuniga"""
)
# Words Faker lists as given names that stand before a town in a report for another
# reason ("POLICE SAID", "SANTA ROSA DEL SUR"), or are places themselves.
_NOT_GIVEN = {
    "said",
    "del",
    "santiago",
    "paz",
    "rosa",
    "mercedes",
    "dolores",
    "concepcion",
    "trinidad",
    "asuncion",
    "victoria",
    "carmen",
    "maria",
    "jesus",
    "florida",
}
_MONTHS_DAYS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday",
}  # fmt: skip
# Capitalised words that may stand before a place name without making it part of
# another name ("In Moscow", "Greater London").
_FREE_BEFORE = {
    "in", "at", "on", "the", "of", "from", "to", "near", "and", "or", "but", "for", "with",
    "by", "greater", "north", "south", "east", "west", "central", "northern", "southern",
    "eastern", "western", "downtown", "outside", "inside", "across", "into",
}  # fmt: skip
# Words before a place name that make it where something is or happens ("in Lima"); a
# foreign country or city named otherwise ("Nicaragua has denied any links with the
# assassination", "flew to Mexico") is not taken as where a report's event happened.
LOCATIVE = {
    "in", "at", "near", "outside", "inside", "on", "into", "around", "throughout", "across",
    "within", "downtown", "northern", "southern", "eastern", "western", "central",
    "northeastern", "northwestern", "southeastern", "southwestern", "midtown", "mid-town",
}  # fmt: skip
_KIND_RANK = {COUNTRY: 3.5, CITY: 1, REGION: 1, TOWN: 0.5}  # a country beats a town of its name
BIG_CITY = 100_000
# In all-capital text a one-word alternate name counts only for a big city ("MOSCOU").
ALTERNATES_IN_CAPITALS = 1_000_000


@dataclass(frozen=True, slots=True)
class PlaceMention:
    span: Span
    entries: tuple[Entry, ...]
    prep: str  # the word before, lower case ("in", "from", "on"): how the place is used
    possessive: bool  # "Moscow's": a name used as an actor, not as a location
    region: bool  # followed by "Department", "Province": the region, not the city
    unit: int
    name_end: int  # end of the name itself, before "Department"


_ADJECTIVAL = re.compile(r"(?:[ \t]+|[ \t]*\n[ \t]*)[A-Za-z]")  # "U.S.\nCONGRESS" too
# "in the town of Kerman", "in an area of San Salvador", "in the Peruvian town of
# Yunguyo": the place is where it happened, as with "in".
_IN_THE_X_OF = re.compile(
    r"\b(?:in|at|near)\s+(?:the\s+|an?\s+)?(?:[^\W\d_]+\s+){0,2}?"
    r"(?:town|city|village|hamlet|township|settlement|locality|province|region|district|area|capital"
    r"|outskirts|suburbs?|centre|center|heart|neighbou?rhood|sector|quarter)\s+of\s+$",
    re.IGNORECASE,
)
# "... in Narino corregimiento, Tulua", "in the Zacamil neighborhood, Mejicanos": the
# town a part of it is named in.
_PART_OF_BEFORE = re.compile(
    r"\b(?:in|at|near)\s+(?:the\s+)?(?:[^\W\d_][\w'.-]*\s+){1,3}"
    r"(?:corregimiento|vereda|caserio|neighbou?rhood|district|sector|canton|hamlet|colony"
    r"|quarter)\s*,\s*$",
    re.IGNORECASE,
)
# "the corner of Sarmiento and San Martin streets": streets, one or two named.
_STREETS_AFTER = re.compile(
    r"(?:\s+(?:and|y)\s+[^\W\d_][\w'.-]*(?:\s+[^\W\d_][\w'.-]*){0,2})?\s+(?:streets|avenues)\b",
    re.IGNORECASE,
)
# Words after a name that make it a station's or a paper's ("LIMA RADIO", "TEGUCIGALPA
# RADIO AMERICA"), where no "in" puts something there.
_MEDIA_SUFFIX = {"radio", "television", "tv", "newspaper", "daily"}
# A quoted name after one of these words is the name of a firm, an operation, a paper.
_QUOTED_NAME_OF = re.compile(
    r"\b(?:firm|company|enterprise|corporation|newspaper|magazine|daily|operation|plan"
    r"|organi[sz]ation|group)\s+[\"\u201c]$",
    re.IGNORECASE,
)
_AIRPORT_AFTER = re.compile(r"\s+(?:international\s+)?airport\b", re.IGNORECASE)
# "415 km southeast of Lima", "12 km from the capital": a place to measure from.
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "hundred": 100,
}  # fmt: skip
_NUMBER_WORDS = "(?:" + "|".join(_NUMBERS) + ")"
_KM = r"km|kms|kilomet(?:er|re)s?|miles?"  # distances worth placing a town by
_ROUGHLY = r"about|approximately|some|nearly|roughly|only|just"
_MEASURED_FROM = re.compile(
    rf"\b(?P<n>\d[\d,.]*|a\s+few|several|some|{_NUMBER_WORDS})\s*(?:-\s*)?"
    rf"(?P<unit>{_KM}|meters?|metres?|blocks?)\.?\s+(?:(?:to\s+the\s+)?(?:north|south|east|west"
    r"|north-?east|north-?west|south-?east|south-?west)(?:ern)?\s+)?(?:of|from)\s+(?:the\s+)?"
    r"(?:(?:city|town|village)\s+of\s+)?$",
    re.IGNORECASE,
)
# What may stand between a place and the distance that measures from another: "Huancayo,
# some 315 km east of Lima", "Sevilla municipality (370 km from Bogota".
_APPOSED_MEASURE = re.compile(
    r"[,(]\s*(?:(?:which|that)\s+(?:is|are|was|lies)\s+)?"
    rf"(?:(?:{_ROUGHLY}|a\s+scant|a\s+scarce|located|situated)\s+)*$",
    re.IGNORECASE,
)
NEAR_KM = 30  # a place this close to the event, measured from, is where it happened
_NEXT_WORD = re.compile(r"\s+([^\s]+)")
# Between the names of a list of places: "Santiago, Talca and Temuco".
LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or)\s+)\s*", re.IGNORECASE)
# After a place name, a division word makes the name before it a place in that division,
# not the next of a list: "Nueva Florida, Miraflores Municipality", "Juan Bueno, Arboledas
# Municipality".
DIVISION_AFTER = re.compile(
    r"\s+(?:department|province|municipality|jurisdiction|district|region|state|county)\b",
    re.IGNORECASE,
)


# A settlement the gazetteer does not know, named as one: "the town of Chullas", "the
# small town of Hostigal", "in San Francisco Javier, Usulutan Department".
_SP = r"(?:[ \t]+\n?[ \t]*|\n[ \t]*)"  # a space, or one line break
_SETTLEMENT_NAME = rf"(?P<name>[^\W\d_][\w'.-]*(?:{_SP}[^\W\d_][\w'.-]*){{0,5}})"
_NOT_NAME = (
    r"(?!(?:in|at|near|the|of|and|on|to|for|with|by|from|his|her|their|its|our|a|an|this"
    r"|combat)\b)"
)
# ", San Miguel Department" after a settlement's name: the division it is in.
_REGION_AFTER = (
    rf",{_SP}(?:the{_SP})?"
    r"(?:(?:north|south|east|west|central|north-?east|north-?west|south-?east|south-?west)"
    rf"(?:ern)?{_SP})?(?P<region>[^\W\d_][\w'.-]*(?:{_SP}[^\W\d_][\w'.-]*){{0,3}}){_SP}"
    r"(?:department|province|municipality|jurisdiction|district|corregimiento|intendancy"
    r"|commissary)\b"
)
# ", a key mining town" after a name the gazetteer may not know: a town.
_TOWN_AFTER = (
    rf",{_SP}(?:an?|the){_SP}(?:[^\W\d_][\w'-]*{_SP}){{0,3}}?"
    r"(?:town|village|hamlet|township|settlement|locality)\b(?!\s+of\b)"
    # ", 5 km north of the city of San Francisco Gotera": measured from another place
    rf"|,{_SP}(?:(?:{_ROUGHLY}){_SP})?\d[\d,.]*{_SP}?(?:{_KM})\b"
)
# After "in", every word up to the comma is the name: "DAMAGE IN THE MILLIONS IN NUEVA
# FLORIDA, MIRAFLORES MUNICIPALITY" names Nueva Florida.
_SETTLEMENT_IN = re.compile(
    r"\b(?P<prep>in|at|near)\s+"
    rf"(?P<name>{_NOT_NAME}[^\W\d_][\w'.-]*(?:{_SP}{_NOT_NAME}[^\W\d_][\w'.-]*){{0,5}})"
    rf"(?:{_REGION_AFTER}|{_TOWN_AFTER})",
    re.IGNORECASE,
)
# "the town of Chullas", "the Peruvian town of Yunguyo", "the hamlet of San Andres, San
# Miguel Department", "the Caribbean port city of Covenas".
_SETTLEMENT_OF = re.compile(
    r"\b(?:(?P<prep>in|at|near|outside|from|of|to)\s+)?the\s+"
    r"(?:(?:small|tiny|remote|mountain|rural|coastal|border|jungle|farming|mining|fishing|"
    r"northern|southern|eastern|western|central|indian|caribbean|pacific|atlantic|river"
    r"|frontier)\s+)*"
    r"(?:(?P<nation>[^\W\d_]+(?:\s+rican)?)\s+)?"
    r"(?:(?:port\s+)?(?:town|village|hamlet|township|municipality|locality|settlement"
    r"|(?P<city>city))|(?P<port>port))\s+of\s+" + _SETTLEMENT_NAME + rf"(?:{_REGION_AFTER})?",
    re.IGNORECASE,
)
# "in San Luis de la Reina.", "the attack on San Miguel de Mercedes.": a saint's name after
# "in" or "on", ended by punctuation, where the gazetteer knows none of it or only its
# start before "de" ("San Luis").
_SETTLEMENT_SAINT = re.compile(
    r"\b(?P<prep>in|at|near|on)\s+"
    rf"(?P<name>(?:san|santa|santo)(?:{_SP}[^\W\d_][\w'.-]*){{1,5}})",
    re.IGNORECASE,
)
# Words that end a settlement's name in capitals, where case cannot.
NAME_ENDS = _NAME_ENDS = {
    *LOCATIVE, "of", "and", "or", "but", "where", "which", "who", "that", "when", "while",
    "located", "last", "yesterday", "today", "tonight", "this", "by", "was", "were", "has",
    "had", "is", "are", "after", "before", "during", "with", "from", "to", "for", "about",
    "some", "department", "province", "municipality", "jurisdiction", "region", "district",
    "area", "village", "town", "km", "kilometers", "miles", "itself", "as", "early", "late",
    "city", "corregimiento", "vereda", "caserio", *_TITLES,
}  # fmt: skip
# A name ending in one of these is of something smaller than a town, or no place at all.
_NOT_SETTLEMENT = {
    *_SUBPLACE_SUFFIX, "path", "road", "highway", "street", "avenue", "bridge", "sector",
    "zone", "base", "camp", "refugees", "country", "hospital", "church", "cathedral",
    "school", "university", "prison", "barracks", "stadium", "market", "hotel", "airport",
    "station",
}  # fmt: skip
_NAME_JOINERS = {"de", "del", "la", "las", "los", "el", "y", "san", "santa", "do", "da", "dos"}
_ARTICLES = {"the", "a", "an"}
_NAME_STARTS = {"san", "santa", "la", "el", "los", "las"}  # may begin a name ("La Oroya")
_LOWER_JOINERS = _NAME_JOINERS - {"san", "santa"}  # written lower case inside a name
_INNER_JOINERS = {"de", "del", "y", "do", "da", "dos"}  # never the first word of a name


@dataclass(frozen=True, slots=True)
class Settlement:
    span: Span  # the name as written
    prep: str
    region: Span | None  # "Usulutan" of "Usulutan Department"
    bounded: bool  # punctuation ends the name: "in Nueva Florida, Miraflores Municipality"
    country: str | None = None  # "the Peruvian town of Yunguyo": PE
    named_as_town: bool = True  # "the town of ...", "..., Usulutan Department"; not "in San ..."


def _settlement_name(doc: Doc, start: int, end: int) -> tuple[Span, bool] | None:
    """The name a settlement pattern caught, cut where it ends, and whether punctuation
    ends it (in capitals only punctuation, a function word or an event word can)."""
    text, upper = doc.text, doc.upper
    # "THE TOWN OF SAN CLEMENTE TERRORISTS THREW BOMBS": an event word is no part of it
    words_at = [m.start for m in lx.index().find(doc.folded[start:end])]
    end = start + min(words_at, default=end - start)
    kept: list[re.Match[str]] = []
    punctuated = False
    for w in re.finditer(r"\S+", text[start:end]):
        word = w.group().lower()
        joiner = bool(kept) and not upper and word in _NAME_JOINERS  # "San José de las Flores"
        if (word in _NAME_ENDS or (not upper and not w.group()[0].isupper())) and not joiner:
            break
        kept.append(w)
        if not w.group()[-1].isalnum():
            punctuated = True
            break  # "CHULLAS." ends the name (and the sentence)
    else:
        if upper and not words_at and text[end : end + 1] not in (",", ".", ";", ":"):
            return None  # six words and no end in sight: no name
    while kept and kept[-1].group().lower() in _NAME_JOINERS:
        kept.pop()
    if not kept or kept[0].group().lower() in (_NAME_JOINERS - _NAME_STARTS) | _ARTICLES:
        return None  # "THE PORT OF THE BOLIVIAN CITY OF ...": no name of its own
    if kept[-1].group().lower().strip(",.;:") in _NOT_SETTLEMENT or len(kept) > 5:
        return None  # "LA ESPERANZA FARM": smaller than a town
    a, b = start + kept[0].start(), start + kept[-1].end()
    while b > a and not text[b - 1].isalnum():
        b -= 1
    punctuated = punctuated or text[b : b + 1] in (",", ".", ";", ":")
    return (Span(a, b, text[a:b]), punctuated) if b - a >= 3 else None


def settlement_name(written: str, upper: bool) -> str:
    """The name as a place is named: "SANTA MARIA DEL VALLE" is Santa Maria del Valle."""
    if not upper:
        return " ".join(written.split())
    words = written.lower().split()
    return " ".join(w if i and w in _LOWER_JOINERS else w.capitalize() for i, w in enumerate(words))


def find_settlements(doc: Doc) -> list[Settlement]:
    """Towns and villages named as such, whether or not the gazetteer knows them."""
    out: dict[int, Settlement] = {}
    for pattern in (_SETTLEMENT_IN, _SETTLEMENT_OF, _SETTLEMENT_SAINT):
        for m in pattern.finditer(doc.text, doc.dateline_end):
            if doc.unit_at(m.start("name")) is None:
                continue
            named = _settlement_name(doc, m.start("name"), m.end("name"))
            if named is None or named[0].start in out:
                continue
            span, bounded = named
            # "THE CITY OF ICA REPRESENTS THOUSANDS OF ...": a city's name runs on into
            # the sentence more often than a town's
            city = bool(m.groupdict().get("city") or m.groupdict().get("port"))
            words = [w for w in span.text.split() if w.lower() not in _NAME_JOINERS]
            if city and not bounded and len(words) > 2:
                continue
            region = None
            if m.groupdict().get("region") and span.end == m.end("name"):
                region = Span(m.start("region"), m.end("region"), m.group("region"))
            prep = (m.group("prep") or "of").lower()
            if pattern is _SETTLEMENT_OF and prep == "of":
                prep = "in"  # "the killing of the mayor of the town of Hostigal": there
            nation = m.groupdict().get("nation")
            country = _DEMONYMS.get(" ".join(nation.lower().split())) if nation else None
            out[span.start] = Settlement(
                span, prep, region, bounded, country, pattern is not _SETTLEMENT_SAINT
            )
    return sorted(out.values(), key=lambda s: s.span.start)


# A list of towns, some of which the gazetteer may not know: "in Huarpacha, Ambo,
# Tomayquichua, and Kichki", "in the towns of Santo Tomas de Pata, Pulluhuaman, Anta, and
# Rosaspata", "Honduran towns, among them Alauca, Samayares, Oropoli, and Santa Maria".
_TOWNS = r"(?:towns|villages|cities|municipalities|hamlets|localities|communities|settlements)"
_LIST_OPEN = re.compile(
    rf"\b(?:(?P<prep>in|at|near)\s+(?P<towns>the\s+(?:[^\W\d_]+\s+)?{_TOWNS}\s+of\s+)?"
    rf"|{_TOWNS}\b[^.;:]{{0,40}}?\b(?:among\s+them|such\s+as|including)\s+)",
    re.IGNORECASE,
)
# Words no town's name in such a list holds: "in Lima, Callao, and other cities".
_NOT_TOWN_WORD = {
    "other", "several", "various", "many", "all", "both", "nearby", "neighboring",
    "neighbouring", "surrounding", "according", "respectively", "among", "such", "including",
    "etc", "towns", "villages", "cities", "provinces", "departments", "areas", "parts",
    "police", "army", "troops", "soldiers", "guerrillas", "rebels", "people", "persons",
    "said", "reported", "also", "not", "no", "then", "there", "here", "now", "rest",
    "between", "since", "if", "because", "until", "than", "north", "south", "east", "west",
    "northern", "southern", "eastern", "western", "central",
}  # fmt: skip
_MAX_LIST = 12  # names in one list
_DIVISIONS_AFTER = re.compile(
    r"\W*(?:departments?|provinces?|municipalities|municipality|states?|regions?|districts?"
    r"|counties|county|jurisdictions?)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class TownList:
    prep: str  # "in" for "in the towns of", "among them"
    items: tuple[Span, ...]  # each name as written, in order
    open_end: bool  # no punctuation ends the last: in capitals it may run on ("SOYAPANGO SINCE")
    towns: bool  # said to be towns: "the towns of ...", "towns, among them ..."


def find_town_lists(doc: Doc) -> list[TownList]:
    """Lists of three or more names ("A, B, and C") put after "in", "at", "near" or a word
    for towns (then two are enough: "near the towns of Tejutla and San Miguel de
    Mercedes"): each may be a town, known to the gazetteer or not."""
    out: list[TownList] = []
    done = doc.dateline_end
    for m in _LIST_OPEN.finditer(doc.text, doc.dateline_end):
        unit = doc.unit_at(m.end())
        if m.end() < done or unit is None:
            continue
        towns = m.group("towns") is not None or m.group("prep") is None
        got = _list_items(doc, m.end(), unit.end, 2 if towns else 3)
        if got is not None:
            items, open_end = got
            out.append(TownList((m.group("prep") or "in").lower(), items, open_end, towns))
            done = items[-1].end
    return out


def _list_items(doc: Doc, start: int, end: int, least: int) -> tuple[tuple[Span, ...], bool] | None:
    """The names of "A, B, and C" from ``start`` (commas between, "and"/"or" before the
    last) and whether no punctuation ends the last; None where the words there are no
    such list."""
    text = doc.text
    items: list[list[re.Match[str]]] = []
    current: list[re.Match[str]] = []
    joined = -1  # the number of names before "and"/"or": the one after it is the last
    for w in _WORD.finditer(text, start, end):
        word = w.group()
        bare = word.lower().strip(",.;:")
        if bare in ("and", "or") and joined < 0 and (current or items):
            if current:
                items.append(current)  # "Callao and Huancayo"
                current = []
            joined = len(items)
            continue
        if not _town_word(bare, word, bool(current), doc.upper):
            break
        current.append(w)
        if len(current) > 4:
            return None
        if word[-1] in ",.;:":
            items.append(current)
            current = []
            if joined >= 0 or word[-1] != "," or len(items) > _MAX_LIST:
                break
    if current:
        items.append(current)
    # "San Miguel, Chalatenango, and the Comalapa airport": not all of them towns
    if joined < 0 or len(items) != joined + 1 or not least <= len(items) <= _MAX_LIST:
        return None
    spans = []
    for words in items:
        a, b = words[0].start(), words[-1].end()
        while b > a and not text[b - 1].isalnum():
            b -= 1
        if words[0].group().lower() in _INNER_JOINERS or lx.index().find(doc.folded[a:b]):
            return None  # "de Pata" alone; "ASSASSINATED": no town's name
        tail = words[-1].group().lower().strip(",.;:")
        if tail in _NOT_SETTLEMENT or tail.removesuffix("s") in _NOT_SETTLEMENT:
            return None  # "in Zacamil, Soyapango, and San Marcos neighborhoods"
        spans.append(Span(a, b, text[a:b]))
    after = _NEXT_WORD.match(text, spans[-1].end, min(end, spans[-1].end + 40))
    noun = after.group(1).lower().strip(",.;:") if after else ""
    if _DIVISIONS_AFTER.match(text, spans[-1].end) or noun.removesuffix("s") in _NOT_SETTLEMENT:
        return None  # "in Zelaya, Matagalpa, and Jinotega departments": provinces
    # the names before the last are each ended by a comma ("A, B, and C"; "A, B and C")
    for s, nxt in itertools.pairwise(spans):
        if not LIST_GAP.fullmatch(text, s.end, nxt.start):
            return None
    return tuple(spans), text[spans[-1].end : spans[-1].end + 1] not in (",", ".", ";", ":")


def _town_word(bare: str, word: str, inside: bool, upper: bool) -> bool:
    if not bare or not bare[0].isalpha() or any(c.isdigit() for c in bare):
        return False
    if bare in _NAME_ENDS or bare in _ARTICLES or bare in _NOT_TOWN_WORD:
        return False
    return upper or word[0].isupper() or (inside and bare in _LOWER_JOINERS)


def _words_around(text: str, start: int, end: int) -> tuple[str, str]:
    before = text[max(0, start - 40) : start].split()
    after = text[end : end + 40].split()
    return (before[-1] if before else ""), (after[0] if after else "")


def _preposition(text: str, start: int) -> str:
    """The word before a place name, looking past an article: "in the United States"."""
    words = text[max(0, start - 40) : start].split()
    while words and words[-1].lower() in ("the", "a", "an"):
        words.pop()
    return words[-1].strip("\"'(\u201c").lower() if words else ""


def _prev_word_start(text: str, start: int) -> int:
    i = start
    while i > 0 and text[i - 1].isspace():
        i -= 1
    while i > 0 and not text[i - 1].isspace():
        i -= 1
    return i


def _name_like(word: str) -> bool:
    w = word.strip("\"'()[],.;:\u201c\u201d")
    return bool(w) and w[0].isupper()


def _minor_alternate(e: Entry, gaz: Gazetteer) -> bool:
    """A one-word alternate name of a city under a million people ("Shot", "Market")."""
    return (
        e.kind == CITY and not e.primary and gaz.cities[e.ref].population < ALTERNATES_IN_CAPITALS
    )


def _accept(
    text: str, m: Match[Entry], unit: Unit, upper: bool, gaz: Gazetteer
) -> tuple[Entry, ...]:
    written = text[m.start : m.end]
    entries = [e for e in m.values if e.exact is None or (not upper and written == e.exact)]
    abbreviation = any(e.exact or (e.kind == COUNTRY and "." in written) for e in entries)
    if abbreviation and _ADJECTIVAL.match(text, m.end):
        return ()  # "U.S. intelligence", "UK forces": a modifier, not a place
    if upper:  # capitals say nothing: only names that are not also words
        single = " " not in written.strip()
        return tuple(
            e for e in entries if not e.wordlike and not (single and _minor_alternate(e, gaz))
        )
    if _lower_initial(written) or (written.isupper() and len(written) > 4 and not _big(entries)):
        return ()
    before, after = _words_around(text, m.start, m.end)
    nxt = after.strip("\"'(),.;:").lower()
    joined_after = (
        _name_like(after)
        and not after.startswith(("(", "["))  # "Montevideo (Uruguay)": its country
        and nxt not in _NAME_SUFFIX
        and nxt not in _MONTHS_DAYS
    )
    joined_before = (
        _name_like(before)
        and before.strip("\"'(").lower() not in _FREE_BEFORE
        and not sentence_initial(text, unit, _prev_word_start(text, m.start))
        and not before.endswith((".", ",", ":", ";", ")"))
        and not before.endswith(("'s", "\u2019s"))  # "Kenya's Lamu county"
    )
    if joined_after or joined_before:
        return ()  # part of a longer name: "Vladimir Putin", "Washington Post"
    if sentence_initial(text, unit, m.start):
        entries = [e for e in entries if not e.wordlike]
    return tuple(entries)


_ARTICLE = re.compile(r"(?:al|el|ad|an|ar|as|ash|at|az)[-\u2010 ]", re.IGNORECASE)


def _lower_initial(written: str) -> bool:
    """'nice', not 'Nice'; an Arabic article does not count ('al-Hasakah')."""
    m = _ARTICLE.match(written)
    rest = written[m.end() :] if m else written
    return not rest or rest[0].islower()


# Words after which a name in capitals may begin: prepositions, articles, conjunctions.
_FUNCTION_WORDS = {
    *LOCATIVE, "of", "from", "to", "toward", "towards", "and", "or", "between", "the", "a",
    "an", "by", "for", "with", "via", "through", "reached", "entered", "left", "visited",
}  # fmt: skip


def _after_function_word(text: str, start: int) -> bool:
    """Whether the name at ``start`` follows punctuation, a function word or nothing."""
    before = text[max(0, start - 40) : start].rstrip()
    if not before or not before[-1].isalnum():
        return True
    return before.split()[-1].lower() in _FUNCTION_WORDS


def _countries_only(entries: Sequence[Entry]) -> bool:
    return all(e.kind == COUNTRY for e in entries)


def _big(entries: Sequence[Entry]) -> bool:
    return any(e.kind == COUNTRY or (e.kind == CITY and e.primary) for e in entries)


def _matches(doc: Doc, gaz: Gazetteer) -> list[Match[Entry]]:
    """Names of countries, regions and cities, and of small towns, the readings of one
    name together."""
    found: dict[tuple[int, int], tuple[Entry, ...]] = {}
    for m in [*gaz.index.find(doc.folded), *gaz.town_index.find(doc.folded)]:
        found[m.start, m.end] = found.get((m.start, m.end), ()) + m.values
    return [Match(start, end, values) for (start, end), values in found.items()]


def _without_possessive(word: str) -> str:
    """ "battalion's" -> "battalion" (the San Benito Battalion's positions)."""
    return word.removesuffix("'s").removesuffix("\u2019s")


def find_places(doc: Doc, gaz: Gazetteer, blocked: Sequence[tuple[int, int]]) -> list[PlaceMention]:
    """Place mentions in content units, outside ``blocked`` ranges (organisation names)."""
    text = doc.text
    out: list[PlaceMention] = []
    blocked_at = {i for s, e in blocked for i in range(s, e)}
    for m in leftmost_longest(_matches(doc, gaz)):
        unit = doc.unit_at(m.start)
        if unit is None and doc.dateline and doc.dateline[0] <= m.start < doc.dateline[1]:
            unit = doc.units[0]  # the dateline's place gives context even in a header line
        if unit is None or m.start in blocked_at or (m.end - 1) in blocked_at:
            continue
        entries = _accept(text, m, unit, doc.upper, gaz)
        if doc.upper and not _after_function_word(text, m.start):
            # "DANILO BARILLAS", "SIMON BOLIVAR": in capitals a small town's name after
            # another name is read as part of that name.
            entries = tuple(e for e in entries if e.kind != TOWN)
        if not entries or text[m.end : m.end + 1] == "-":
            continue  # "Afghanistan-based": a modifier, not a place
        if text[m.start - 1 : m.start] == "-" and text[m.start - 2 : m.start - 1].isalpha():
            # "the Cano Limon-Covenas pipeline": a small town's name joined to a word
            # before is part of another name (a city's, "Pereira-Cartago", still a place)
            entries = tuple(e for e in entries if e.kind != TOWN)
            if not entries:
                continue
        nxt = _NEXT_WORD.match(text, m.end, min(len(text), m.end + 40))
        after = _without_possessive(nxt.group(1).rstrip(",.;:").lower()) if nxt else ""
        if after in _SUBPLACE_SUFFIX or _STREETS_AFTER.match(text, m.end):
            continue  # "the San Jose neighborhood", "Junin street": not the city
        if after in _MEDIA_SUFFIX and _preposition(text, m.start) not in LOCATIVE:
            continue  # "BROADCAST BY TEGUCIGALPA RADIO AMERICA": a station's name
        quoted = text[m.end : m.end + 1] in ('"', "\u201d")
        if quoted and _QUOTED_NAME_OF.search(text, max(0, m.start - 30), m.start):
            continue  # 'THE MILANESE FIRM "TORNO"': a firm's name, not the town
        airport = _AIRPORT_AFTER.match(text, m.end) is not None
        if airport and not any(
            e.kind in (CITY, COUNTRY) and gaz.population(e) >= BIG_CITY for e in entries
        ):
            continue  # "El Dorado airport" is Bogota's; "Bogota airport" is in Bogota
        if _preposition(text, m.start).rstrip(".") in _TITLES and not _countries_only(entries):
            continue  # "Judge Valencia": a person
        if _preposition(text, m.start) in place_words.load().ships_before:
            continue  # "the MV Tripoli", "the tanker Sabiti": a ship
        region = nxt is not None and nxt.group(1).rstrip(",.;:").lower() in _REGION_SUFFIX
        end = (
            nxt.start(1) + len(nxt.group(1).rstrip(",.;:")) if nxt is not None and region else m.end
        )
        prep = _preposition(text, m.start)
        if _IN_THE_X_OF.search(text, max(0, m.start - 40), m.start):
            prep = "in"
        elif _PART_OF_BEFORE.search(text, max(0, m.start - 40), m.start):
            prep = "in"  # "in Narino corregimiento, Tulua": Tulua is where
        elif measured := _MEASURED_FROM.search(text, max(0, m.start - 60), m.start):
            # "Huancayo, 415 km southeast of Lima": Lima is only the mark; "a house located
            # 1 km from Tenjo": where it happened, as with "near"
            prep = "near" if _near_mark(text, measured) else "from"
        out.append(
            PlaceMention(
                Span(m.start, end, text[m.start : end]),
                entries,
                prep,
                text[m.end : m.end + 2] in ("'s", "\u2019s"),
                region,
                unit.index,
                m.end,
            )
        )
    return out


def _near_mark(text: str, measured: re.Match[str]) -> bool:
    """Whether the place a distance is measured from is where the event is: close, and
    no other place named just before the distance ("Apopa, 12 km north of ...")."""
    if _APPOSED_MEASURE.search(text, max(0, measured.start() - 30), measured.start()):
        return False
    n, unit = measured.group("n").replace(",", "").lower(), measured.group("unit").lower()
    if unit.startswith(("met", "block")):
        return True  # "a few meters from": near
    try:
        return float(_NUMBERS.get(n, n)) * (1.609 if unit.startswith("mile") else 1.0) <= NEAR_KM
    except ValueError:
        return False  # "several km from"


def drop_surnames(doc: Doc, mentions: list[PlaceMention]) -> list[PlaceMention]:
    """In capitals, the mentions of a town name that the document uses as a surname."""
    if not doc.upper:
        return mentions
    text, people = doc.text, set()
    for pm in mentions:
        name = pm.span.text[: pm.name_end - pm.span.start].lower()
        if any(e.kind == COUNTRY for e in pm.entries):
            if name in _SURNAMES:
                people.add(name)  # "MARCO TULIO MONTENEGRO": only "in Montenegro" is a place
            continue
        before = text[max(0, pm.span.start - 30) : pm.span.start]
        after = text[pm.name_end : pm.name_end + 30]
        # the words before and after, where a space parts them from the name (a document
        # may begin or end with it: " SAN SALVADOR")
        prev = (
            before.split()[-1].lower().lstrip('[("')
            if before[-1:].isspace() and before.strip()
            else ""
        )
        nxt = (
            after.split()[0].lower().rstrip('])"') if after[:1].isspace() and after.strip() else ""
        )
        given = prev in _GIVEN_NAMES or (prev in given_names() and prev not in _NOT_GIVEN)
        if given or prev in _SURNAMES or prev in _TITLES or nxt in _SURNAMES:
            people.add(name)
    return [
        pm
        for pm in mentions
        if pm.span.text[: pm.name_end - pm.span.start].lower() not in people or pm.prep in LOCATIVE
    ]


_NAME_OF = re.compile(r"((?:[^\W\d_]+\s+){2,3})of\s+$", re.IGNORECASE)


def of_a_person(text: str, start: int) -> bool:
    """Whether the place at ``start`` follows a person's name and "of": "MARIO ACCURSO OF
    ROME" is where he is from, not where he was kidnapped."""
    m = _NAME_OF.search(text, max(0, start - 50), start)
    if m is None:
        return False
    given = [w.lower() for w in m.group(1).split()[:-1]]  # the last is the surname
    return any(w in _GIVEN_NAMES or (w in given_names() and w not in _NOT_GIVEN) for w in given)


def resolve(
    mentions: Sequence[PlaceMention],
    gaz: Gazetteer,
    extra_context: Sequence[str],
    text: str = "",
) -> list[Place | None]:
    """One Place per mention, choosing among the readings of ambiguous names; None for
    a name that is only a small town's, in a country the document is not about."""
    doc_countries: Counter[str] = Counter(extra_context)
    towns: dict[str, set[str]] = {}
    several: list[PlaceMention] = []
    for pm in mentions:
        code = _only_country(pm, gaz, towns=False)
        if code is not None:
            doc_countries[code] += 1
        elif (code := _only_country(pm, gaz)) is not None:
            towns.setdefault(code, set()).add(fold_key(pm.span.text))
        elif pm.entries and all(e.kind == TOWN for e in pm.entries):
            several.append(pm)
    # ... and so do towns of several countries of which the document names only one,
    # where two agree ("ABREGO" and "ARBOLEDAS" are in Colombia and Mexico: in a report
    # from Bogota, Colombia's; "FELICIANO" alone is a name)
    shared: dict[str, set[str]] = {}
    for pm in several:
        among = {gaz.country_of(e) for e in pm.entries} & set(doc_countries)
        if len(among) == 1 and (code := among.pop()) is not None:
            shared.setdefault(code, set()).add(fold_key(pm.span.text))
    for code, names in shared.items():
        if len(names) >= 2:
            towns.setdefault(code, set()).update(names)
    # Towns only one country has ("JIQUILISCO") weigh in where the document names some
    # country, or where two of them agree: one small town alone is too often a word.
    for code, names in towns.items():
        if doc_countries or len(names) >= 2:
            doc_countries[code] += len(names)
    if not doc_countries:
        doc_countries.update(_shared_country(mentions, gaz))
    top = max(doc_countries.values(), default=0)
    main = {c for c, n in doc_countries.items() if n == top}
    out: list[Place | None] = []
    chained = place_chains(mentions, gaz, text)
    for i, pm in enumerate(mentions):
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        qualifier = _qualifier(nxt, gaz) if nxt is not None and apposed(pm, nxt) else None
        # A small town only in the country the document is most about, or the one named
        # with it ("Tecoluca, El Salvador"): there are too many of them to take any other.
        # A town whose name is also a word or a name ("Early", "Benavides") only where
        # its country is written with it.
        entries = [
            e
            for e in pm.entries
            if e.kind != TOWN
            or gaz.country_of(e) == qualifier
            or (gaz.country_of(e) in main and not e.wordlike)
        ]
        if not entries:
            out.append(None)
            continue
        named = nxt is not None and qualifier is not None and _names_country(nxt)
        if (
            named
            and not _names_country(pm)
            and all(gaz.country_of(e) != qualifier for e in entries)
        ):
            # "EL PARAISO (EL SALVADOR)": a town of that country the gazetteer lacks,
            # not El Paraiso in Honduras - named, not located
            written = pm.span.text[: pm.name_end - pm.span.start]
            name = settlement_name(written, written.isupper())
            out.append(Place(pm.span, PlacePrecision.CITY, country=qualifier, city=name))
            continue
        pm = replace(pm, entries=tuple(entries))
        out.append(_place(pm, _choose(pm, gaz, doc_countries, qualifier, main), gaz))
    # Then the names of chains again, once the name that ends each is read; a province
    # before the town it holds. (Each was read alone above, as it is read where the
    # chain ends in a division and a city of another country begins it.)
    for i in sorted(chained, reverse=True):
        chain = chained[i]
        end = out[chain.end]
        pm = mentions[i]
        country_end = _names_country(mentions[chain.end])
        if end is None or end.country is None:
            continue
        abroad = all(gaz.country_of(e) != end.country for e in pm.entries)
        if not country_end and abroad and _named_elsewhere(pm, gaz, doc_countries):
            continue  # "ZACATECOLUCA, LA PAZ DEPARTMENT": El Salvador's, not Mexico's
        out[i] = _in_chain(pm, chain, end, mentions, out, gaz, doc_countries, main)
    return out


@dataclass(frozen=True, slots=True)
class Chain:
    """Where a name stands in "Town, District, Province, Country": the name that ends
    the chain (a country, or a name written as a division: "San Miguel Department"), and
    the places named between (a province decides among same-named towns)."""

    end: int  # the mention that ends the chain
    within: tuple[int, ...]  # the mentions after this one and before the end
    first: bool  # the chain's first name: the town, if it is not a province


# Between two names of a chain, a name the gazetteer lacks: "Bara, Khyber, Pakistan".
_UNKNOWN_LINK = re.compile(
    r"(?:,|[ \t]+-)[ \t]*(?:[^\W\d_][\w'\u2019.-]*[ \t]+){0,2}[^\W\d_][\w'\u2019.-]*[ \t]*,[ \t]*"
)


def linked(a: PlaceMention, b: PlaceMention, text: str) -> bool:
    """Whether b follows a in one chain of places: apposed, or with a name the gazetteer
    lacks between, written as a name ("Bara, Khyber, Pakistan")."""
    if apposed(a, b):
        return True
    if not text or a.unit != b.unit or b.span.start - a.span.end > 40:
        return False
    gap = _UNKNOWN_LINK.fullmatch(text, a.span.end, b.span.start)
    if gap is None:
        return False
    words = text[a.span.end : b.span.start].strip(" ,-\t").split()
    division = place_words.load().divisions.after
    return words[0][0].isupper() and all(
        w[0].isupper() or w.lower() in _NAME_JOINERS or w.lower() in division for w in words
    )


def place_chains(
    mentions: Sequence[PlaceMention], gaz: Gazetteer, text: str = ""
) -> dict[int, Chain]:
    """For each mention in a chain of places ("Taji, Baghdad, Iraq"; "Kolofata,
    Cameroon"; "San Andres, San Miguel Department"), where it stands in it."""
    out: dict[int, Chain] = {}
    i = 0
    while i < len(mentions):
        j = i
        while j + 1 < len(mentions) and linked(mentions[j], mentions[j + 1], text):
            j += 1
        countries = {gaz.country_of(e) for e in mentions[j].entries if e.kind == COUNTRY}
        if j > i and (len(countries) == 1 or mentions[j].region):
            for k in range(i, j):
                # a country's name is a town where a province of another country follows
                # it: "Jamaica, Guanajuato, Mexico" (not "Kenya, Uganda")
                if not _names_country(mentions[k]) or (k == i and j - i >= 2):
                    out[k] = Chain(j, tuple(range(k + 1, j)), k == i)
        i = j + 1
    return out


def _in_chain(
    pm: PlaceMention,
    chain: Chain,
    end: Place,
    mentions: Sequence[PlaceMention],
    places: Sequence[Place | None],
    gaz: Gazetteer,
    doc: Counter[str],
    main: set[str],
) -> Place | None:
    """A name in a chain: a place of the chain's country, in the province the chain names
    where one is; else, for the chain's first name, a town of that country the gazetteer
    lacks, at the province's point where a province is named (precision region), or
    named only (precision city, no coordinates). A same-named place abroad never wins."""
    country = end.country or ""
    here = [e for e in pm.entries if gaz.country_of(e) == country]
    if not chain.first:  # where a province is written: "Aurangabad, Bihar", the state
        here = [e for e in here if _is_division(e, gaz)] or here
    named = [places[k] for k in chain.within]
    if end.precision is not PlacePrecision.COUNTRY:
        named.append(end)
    provinces = [
        p
        for p in named
        if p is not None and p.country == country and p.precision is not PlacePrecision.COUNTRY
    ]
    if here:
        inside = [e for e in here if any(_is_within(e, p, gaz) for p in provinces)]
        own = [e for e in inside if e.primary]  # "Zumpango" itself, not Zumpango del Rio
        pm = replace(pm, entries=tuple(own or inside or here))
        return _place(pm, _choose(pm, gaz, doc, country, main), gaz)
    if (
        not chain.first
        or pm.region
        or (_names_country(pm) and not chain.within)
        or (pm.entries and all(_is_division(e, gaz) for e in pm.entries))
    ):
        return None  # a province abroad between a town and its country is no town
    if end.precision is not PlacePrecision.COUNTRY and any(
        p is not None and p.precision is PlacePrecision.CITY for p in named
    ):
        return None  # "AGUA CALIENTE, SOYAPANGO, SAN MIGUEL DEPARTMENT": a part of a city
    written = pm.span.text[: pm.name_end - pm.span.start]
    span = Span(pm.span.start, pm.name_end, written)
    return town_in_chain(span, country, provinces, written.isupper(), gaz)


def _named_elsewhere(pm: PlaceMention, gaz: Gazetteer, doc: Counter[str]) -> bool:
    """Whether a city of the name is in a country the document names by other names."""
    own = _only_country(pm, gaz, towns=False)
    codes = {gaz.country_of(e) for e in pm.entries if e.kind != TOWN} - {None}
    return any(doc.get(c or "", 0) - (c == own) >= 1 for c in codes)


def town_in_chain(
    span: Span, country: str, provinces: Sequence[Place], upper: bool, gaz: Gazetteer
) -> Place:
    """A town the gazetteer lacks in a chain that names its country: "Taji, Baghdad,
    Iraq" is Taji at the point of the province of Baghdad, precision region (the town's
    own point is not known); with no province known, named only."""
    name = settlement_name(span.text, upper)
    for p in provinces:
        point = _point_of(p, gaz)
        if point is not None:
            region = p.region or p.city
            return Place(
                span,
                PlacePrecision.REGION,
                country=country,
                city=name,
                region=region,
                lat=point[0],
                lon=point[1],
            )
    return Place(span, PlacePrecision.CITY, country=country, city=name)


def _point_of(p: Place, gaz: Gazetteer) -> tuple[float, float] | None:
    """A province's representative point: its division's (the centroid of its towns),
    else the city's it is named by."""
    if p.precision is PlacePrecision.REGION and p.region:
        for e in gaz.town_index.named(place_words.load().divisions.bare(p.region)):
            t = gaz.town(e.ref)
            if t.division and t.country == p.country:
                return t.lat, t.lon
    if p.lat is not None and p.lon is not None:
        return p.lat, p.lon
    return None


def _is_division(e: Entry, gaz: Gazetteer) -> bool:
    return e.kind == REGION or (e.kind == TOWN and gaz.town(e.ref).division)


def _is_within(e: Entry, province: Place, gaz: Gazetteer) -> bool:
    """Whether a town or city is in the named province (by its division's names)."""
    want = fold_key(place_words.load().divisions.bare(province.region or province.city or ""))
    if e.kind == TOWN:
        t = gaz.town(e.ref)
        return not t.division and want in (fold_key(t.admin1), fold_key(t.admin2))
    if e.kind == CITY:
        return fold_key(gaz.admin1_of(gaz.cities[e.ref])) == want
    return False


def _names_country(pm: PlaceMention) -> bool:
    return any(e.kind == COUNTRY for e in pm.entries)


def _shared_country(mentions: Sequence[PlaceMention], gaz: Gazetteer) -> dict[str, int]:
    """Where nothing else says which country a document is about: the one country that
    more of its place names can be in than any other ("San Salvador" is in El Salvador or
    Angola, "Santa Ana" in the United States, El Salvador, the Philippines...: together,
    El Salvador). Countries and cities, not towns; counted once per distinct name."""
    seen: dict[str, set[str]] = {}
    for pm in mentions:
        codes = {c for e in pm.entries if e.kind in (CITY, COUNTRY) and (c := gaz.country_of(e))}
        if codes:
            seen[fold_key(pm.span.text)] = codes
    counts = Counter(c for codes in seen.values() for c in codes)
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return {}
    return {ranked[0][0]: ranked[0][1]}


def _only_country(pm: PlaceMention, gaz: Gazetteer, towns: bool = True) -> str | None:
    """The country all readings of the name are in; a name read only as small towns
    says nothing of the document's country unless ``towns``."""
    codes = {gaz.country_of(e) for e in pm.entries if towns or e.kind != TOWN} - {None}
    return next(iter(codes)) if len(codes) == 1 else None


def _qualifier(pm: PlaceMention, gaz: Gazetteer) -> str | None:
    """The country a name after a place qualifies it with: "San Jose, Costa Rica" is in
    Costa Rica though a town in Mexico is also called Costa Rica."""
    countries = {gaz.country_of(e) for e in pm.entries if e.kind == COUNTRY} - {None}
    return next(iter(countries)) if len(countries) == 1 else _only_country(pm, gaz)


def apposed(a: PlaceMention, b: PlaceMention) -> bool:
    """'Kerman, Iran', 'Moscow, Idaho', 'Moscow (Russia)': b qualifies a."""
    gap = b.span.start - a.span.end
    return a.unit == b.unit and 0 < gap <= 3 and a.span.text != b.span.text


def _choose(
    pm: PlaceMention, gaz: Gazetteer, doc: Counter[str], qualifier: str | None, main: set[str]
) -> Entry:
    """The reading of the name: in the country named with it, else in the country the
    document is most about, else in another it names; a country before a city before a
    town; the place's own name before an alternate; the larger."""

    # A town yields to a large city of its name unless the document is about the
    # town's country and names the city's only in passing ("in San Salvador" in a report
    # from Madrid is not San Salvador in the province of Valladolid).
    town_rank = _KIND_RANK[TOWN] - (
        1.0 if any(e.kind == CITY and gaz.population(e) >= BIG_CITY for e in pm.entries) else 0.0
    )

    def score(e: Entry) -> tuple[float, ...]:
        code = gaz.country_of(e) or ""
        if e.kind == COUNTRY:
            context = 0.0
        elif code == qualifier:
            context = 4.0
        else:
            context = 2.0 if code in main else 1.0 if doc.get(code, 0) else 0.0
        rank = town_rank if e.kind == TOWN else _KIND_RANK[e.kind]
        if e.kind == TOWN and (level := gaz.town(e.ref).level):
            # "CORDOBA DEPARTMENT": the division itself; "in Bolivar", the department
            # rather than a town of its name, but "in Opotiki" the town rather than the
            # district named after it
            rank = _KIND_RANK[CITY] + 0.5 if pm.region else rank + (0.25 if level == 1 else -0.25)
        return (context + rank, float(e.primary), math.log10(gaz.population(e) + 1))

    return max(pm.entries, key=score)


def _place(pm: PlaceMention, e: Entry, gaz: Gazetteer) -> Place:
    if e.kind != CITY and pm.region:  # "El Salvador District" is still the country
        name = pm.span.text[: pm.name_end - pm.span.start]
        pm = replace(pm, span=Span(pm.span.start, pm.name_end, name), region=False)
    if e.kind == COUNTRY:
        c = gaz.countries[e.ref]
        return Place(pm.span, PlacePrecision.COUNTRY, country=c.code, geonameid=c.geonameid)
    if e.kind == REGION:
        r = gaz.regions[e.ref]
        return Place(
            pm.span, PlacePrecision.REGION, country=r.country, region=r.name, geonameid=r.geonameid
        )
    if e.kind == TOWN:
        t = gaz.town(e.ref)
        if t.division:
            name = pm.span.text[: pm.name_end - pm.span.start]
            pm = replace(pm, span=Span(pm.span.start, pm.name_end, name), region=False)
            return Place(pm.span, PlacePrecision.REGION, country=t.country, region=t.name)
        if pm.region:
            return Place(pm.span, PlacePrecision.REGION, country=t.country, region=pm.span.text)
        return Place(
            pm.span, PlacePrecision.CITY, country=t.country, city=t.name, lat=t.lat, lon=t.lon
        )
    city = gaz.cities[e.ref]
    if pm.region:
        return Place(pm.span, PlacePrecision.REGION, country=city.country, region=pm.span.text)
    return Place(
        pm.span,
        PlacePrecision.CITY,
        country=city.country,
        city=city.name,
        lat=city.lat,
        lon=city.lon,
        geonameid=city.geonameid,
    )


# Nationality adjectives: "the Brazilian state of Parana", "Salvadoran troops". They say
# which country a document is about, and so settle names such as Colombo or San Miguel.
# Left out where the word is ambiguous ("Indian", "Georgian", "Korean").
_DEMONYMS = {
    "afghan": "AF", "albanian": "AL", "algerian": "DZ", "american": "US", "angolan": "AO",
    "argentine": "AR", "argentinian": "AR", "armenian": "AM", "australian": "AU",
    "austrian": "AT", "azerbaijani": "AZ", "bahraini": "BH", "bangladeshi": "BD",
    "belarusian": "BY", "belgian": "BE", "bolivian": "BO", "bosnian": "BA", "brazilian": "BR",
    "british": "GB", "bulgarian": "BG", "burmese": "MM", "cambodian": "KH",
    "cameroonian": "CM", "canadian": "CA", "chadian": "TD", "chilean": "CL", "chinese": "CN",
    "colombian": "CO", "congolese": "CD", "costa rican": "CR", "croatian": "HR", "cuban": "CU",
    "cypriot": "CY", "czech": "CZ", "danish": "DK", "dutch": "NL", "ecuadorian": "EC",
    "ecuadoran": "EC", "egyptian": "EG", "salvadoran": "SV", "salvadorean": "SV",
    "emirati": "AE", "eritrean": "ER", "estonian": "EE", "ethiopian": "ET", "filipino": "PH",
    "finnish": "FI", "french": "FR", "german": "DE", "ghanaian": "GH", "greek": "GR",
    "guatemalan": "GT", "haitian": "HT", "honduran": "HN", "hungarian": "HU",
    "indonesian": "ID", "iranian": "IR", "iraqi": "IQ", "irish": "IE", "israeli": "IL",
    "italian": "IT", "ivorian": "CI", "jamaican": "JM", "japanese": "JP", "jordanian": "JO",
    "kazakh": "KZ", "kenyan": "KE", "kuwaiti": "KW", "latvian": "LV", "lebanese": "LB",
    "liberian": "LR", "libyan": "LY", "lithuanian": "LT", "malaysian": "MY", "malian": "ML",
    "mauritanian": "MR", "mexican": "MX", "moldovan": "MD", "mongolian": "MN",
    "moroccan": "MA", "mozambican": "MZ", "namibian": "NA", "nepalese": "NP", "nepali": "NP",
    "nicaraguan": "NI", "nigerian": "NG", "nigerien": "NE", "norwegian": "NO", "omani": "OM",
    "pakistani": "PK", "palestinian": "PS", "panamanian": "PA", "paraguayan": "PY",
    "peruvian": "PE", "polish": "PL", "portuguese": "PT", "qatari": "QA", "romanian": "RO",
    "russian": "RU", "rwandan": "RW", "saudi": "SA", "senegalese": "SN", "serbian": "RS",
    "singaporean": "SG", "slovak": "SK", "slovenian": "SI", "somali": "SO",
    "south african": "ZA", "spanish": "ES", "sri lankan": "LK", "sudanese": "SD",
    "swedish": "SE", "swiss": "CH", "syrian": "SY", "taiwanese": "TW", "tajik": "TJ",
    "tanzanian": "TZ", "thai": "TH", "tunisian": "TN", "turkish": "TR", "ugandan": "UG",
    "ukrainian": "UA", "uruguayan": "UY", "uzbek": "UZ", "venezuelan": "VE",
    "vietnamese": "VN", "yemeni": "YE", "zambian": "ZM", "zimbabwean": "ZW",
}  # fmt: skip
_DEMONYM = re.compile(
    r"(?<!latin )(?<!south )(?<!central )(?<!north )\b("
    + "|".join(sorted(_DEMONYMS, key=len, reverse=True))
    + r")s?\b"
)


def demonym_countries(folded: str) -> list[str]:
    """The countries a document's nationality adjectives point to, once per mention."""
    return [code for code, _ in demonym_mentions(folded)]


def demonym_mentions(folded: str) -> list[tuple[str, tuple[int, int]]]:
    """Each nationality adjective's country and where it is written."""
    return [(_DEMONYMS[m.group(1)], m.span(1)) for m in _DEMONYM.finditer(folded)]
