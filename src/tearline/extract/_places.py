"""Place names in a document: found with the gazetteer, filtered by how they are written,
and resolved to one place each (Moscow, Russia rather than Moscow, Idaho).

Ambiguous names are resolved by, in order: a country or US state named in the same
sentence, a country named anywhere in the document (or its dateline), countries before
cities before regions, the place's own name before an alternate name, population.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from tearline.extract._doc import Doc
from tearline.extract._matcher import Match, leftmost_longest
from tearline.extract._text import Unit, sentence_initial
from tearline.extract.gazetteer import CITY, COUNTRY, REGION, Entry, Gazetteer
from tearline.model import Place, PlacePrecision, Span

# Words after a place name that make it a region ("San Miguel Department").
_REGION_SUFFIX = {
    "department", "province", "region", "oblast", "governorate", "district", "county",
    "prefecture", "state",
}  # fmt: skip
# Words after a place name that still leave it a place ("Moscow area", "Kabul Airport").
_NAME_SUFFIX = {*_REGION_SUFFIX, "area", "city", "airport", "metropolitan", "region's"}
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
_KIND_RANK = {COUNTRY: 3.5, CITY: 1, REGION: 1}  # a country beats a town of its name
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


_ADJECTIVAL = re.compile(r"[ \t]+[A-Za-z]")
# "in the town of Kerman": the place is where it happened, as with "in".
_IN_THE_X_OF = re.compile(
    r"\b(?:in|at|near)\s+(?:the\s+)?(?:town|city|village|province|region|district|area|capital"
    r"|outskirts|suburbs?|centre|center|heart)\s+of\s+$",
    re.IGNORECASE,
)
_NEXT_WORD = re.compile(r"\s+([^\s]+)")


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
    joined_after = _name_like(after) and nxt not in _NAME_SUFFIX and nxt not in _MONTHS_DAYS
    joined_before = (
        _name_like(before)
        and before.strip("\"'(").lower() not in _FREE_BEFORE
        and not sentence_initial(text, unit, _prev_word_start(text, m.start))
        and not before.endswith((".", ",", ":", ";", ")"))
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


def _big(entries: Sequence[Entry]) -> bool:
    return any(e.kind == COUNTRY or (e.kind == CITY and e.primary) for e in entries)


def find_places(doc: Doc, gaz: Gazetteer, blocked: Sequence[tuple[int, int]]) -> list[PlaceMention]:
    """Place mentions in content units, outside ``blocked`` ranges (organisation names)."""
    text = doc.text
    out: list[PlaceMention] = []
    blocked_at = {i for s, e in blocked for i in range(s, e)}
    for m in leftmost_longest(gaz.index.find(doc.folded)):
        unit = doc.unit_at(m.start)
        if unit is None and doc.dateline and doc.dateline[0] <= m.start < doc.dateline[1]:
            unit = doc.units[0]  # the dateline's place gives context even in a header line
        if unit is None or m.start in blocked_at or (m.end - 1) in blocked_at:
            continue
        entries = _accept(text, m, unit, doc.upper, gaz)
        if not entries or text[m.end : m.end + 1] == "-":
            continue  # "Afghanistan-based": a modifier, not a place
        nxt = _NEXT_WORD.match(text, m.end, min(len(text), m.end + 40))
        region = nxt is not None and nxt.group(1).rstrip(",.;:").lower() in _REGION_SUFFIX
        end = (
            nxt.start(1) + len(nxt.group(1).rstrip(",.;:")) if nxt is not None and region else m.end
        )
        prep = _preposition(text, m.start)
        if _IN_THE_X_OF.search(text, max(0, m.start - 40), m.start):
            prep = "in"
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


def resolve(
    mentions: Sequence[PlaceMention], gaz: Gazetteer, extra_context: Sequence[str]
) -> list[Place]:
    """One Place per mention, choosing among the readings of ambiguous names."""
    doc_countries: Counter[str] = Counter(extra_context)
    for pm in mentions:
        code = _only_country(pm, gaz)
        if code is not None:
            doc_countries[code] += 1
    out: list[Place] = []
    for i, pm in enumerate(mentions):
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        qualifier = _only_country(nxt, gaz) if nxt is not None and _apposed(pm, nxt) else None
        out.append(_place(pm, _choose(pm, gaz, doc_countries, qualifier), gaz))
    return out


def _only_country(pm: PlaceMention, gaz: Gazetteer) -> str | None:
    codes = {gaz.country_of(e) for e in pm.entries} - {None}
    return next(iter(codes)) if len(codes) == 1 else None


def _apposed(a: PlaceMention, b: PlaceMention) -> bool:
    """'Kerman, Iran', 'Moscow, Idaho', 'Moscow (Russia)': b qualifies a."""
    gap = b.span.start - a.span.end
    return a.unit == b.unit and 0 < gap <= 3 and a.span.text != b.span.text


def _choose(pm: PlaceMention, gaz: Gazetteer, doc: Counter[str], qualifier: str | None) -> Entry:
    def score(e: Entry) -> tuple[float, ...]:
        code = gaz.country_of(e)
        if e.kind == COUNTRY:
            context = 0
        else:
            context = 4 if code == qualifier else 2 if doc.get(code or "", 0) else 0
        return (context + _KIND_RANK[e.kind], float(e.primary), math.log10(gaz.population(e) + 1))

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
    return [_DEMONYMS[m.group(1)] for m in _DEMONYM.finditer(folded)]
