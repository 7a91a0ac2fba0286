"""Words about places, read from data/lexicon/en/places.toml: the words that make a name
a division ("Helmand Province") and those its official name starts with ("Muhafazat
Kirkuk") - the gazetteer's build strips them, extraction reads chains of places with
them - and the words that make a name no place ("the MV Tripoli")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tearline.extract._lexdata import _tables, _words, longest_first
from tearline.extract._text import fold


@dataclass(frozen=True, slots=True)
class DivisionWords:
    after: frozenset[str]  # "province", "district", "lga": after the name
    before: tuple[str, ...]  # "muhafazat", "departement de la": before it, longest first

    def bare(self, name: str) -> str:
        """The name without the words that say it is a division: "Basra Governorate" is
        Basra, "Departement de la Haute-Vienne" Haute-Vienne ('' if nothing is left)."""
        words = name.split()
        while len(words) > 1 and fold(words[-1]) in self.after:
            words.pop()
        rest = " ".join(words)
        folded = fold(rest)
        for start in self.before:
            if folded.startswith(start) and len(folded) > len(start):
                cut = rest[len(start) :]
                if start.endswith("'") or cut[:1] in (" ", "-"):
                    return cut.strip(" -")
        return rest


@dataclass(frozen=True, slots=True)
class PlaceWords:
    divisions: DivisionWords
    ships_before: frozenset[str]  # "mv", "tanker": the name after is a ship's

    @property
    def division_after(self) -> re.Pattern[str]:
        """A division word right after a name: " Province", " District"."""
        return _after_pattern(self.divisions.after)


@cache
def _after_pattern(words: frozenset[str]) -> re.Pattern[str]:
    return re.compile(rf"[ \t]+(?:{longest_first(words)})\b", re.IGNORECASE)


@cache
def load(lang: str = "en") -> PlaceWords:
    """The place words of a language (English only so far); a malformed file raises
    LexiconError naming the file and the key."""
    where = f"lexicon/{lang}/places.toml"
    data = _tables(
        lang, "places.toml", {"divisions": ("after", "before"), "not_places": ("ships_before",)}
    )
    d = data["divisions"]
    after = _words(f"{where} [divisions] after", d["after"])
    before = _words(f"{where} [divisions] before", d["before"])
    ships = _words(f"{where} [not_places] ships_before", data["not_places"]["ships_before"])
    return PlaceWords(
        DivisionWords(
            frozenset(fold(w) for w in after),
            tuple(sorted((fold(w) for w in before), key=len, reverse=True)),
        ),
        frozenset(ships),
    )
