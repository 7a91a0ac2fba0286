"""The shipped organisations file: designated groups and their aliases, by name or id.

    >>> from tearline.extract import organisations
    >>> organisations.lookup("ISIS-K").name
    'ISIL Khorasan'
    >>> organisations.get("ofac:18647").parent
    'ofac:8759'

Built by scripts/build_organisations.py from the OFAC and UN lists plus a small,
labelled project supplement; ``organisations.origin()`` says which lists and dates.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from tearline.extract._matcher import PhraseIndex
from tearline.extract._resident import resident
from tearline.extract._text import fold_key


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str  # "ofac:18647", "un:QDe.161", "tearline:fmln"
    name: str  # display name, e.g. "ISIL Khorasan"
    kind: str  # "armed_group" or "support_entity" (a listed company, charity, exchange)
    parent: str | None  # the organisation this one is a branch of
    country: str | None  # ISO code of the one country it fights in, where there is one
    aliases: tuple[str, ...]  # the names extraction matches
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AliasRule:
    """How one written form of a name may be matched (see the file's "match_modes")."""

    org: Organisation
    alias: str
    mode: str  # "fold", "acronym" or "context"


class Organisations:
    """The loaded file. Use the module functions; this is for extraction's internals."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.origin: dict[str, Any] = data["origin"]
        rules: list[tuple[Organisation, list[tuple[str, str]]]] = []
        for rec in data["organisations"]:
            org = Organisation(
                rec["id"],
                rec["name"],
                rec["kind"],
                rec["parent"],
                rec.get("country"),
                tuple(a["name"] for a in rec["aliases"]),
                tuple(rec["sources"]),
            )
            rules.append((org, [(a["name"], a["match"]) for a in rec["aliases"]]))
        self._build(rules)

    def _build(self, records: list[tuple[Organisation, list[tuple[str, str]]]]) -> None:
        """Index the organisations by id and every alias by its folded form."""
        self._records = records
        self.by_id: dict[str, Organisation] = {}
        entries: list[tuple[str, AliasRule]] = []
        for org, aliases in records:
            self.by_id[org.id] = org
            entries += [(fold_key(name), AliasRule(org, name, mode)) for name, mode in aliases]
        self.names: dict[str, list[AliasRule]] = {}
        for key, rule in entries:
            self.names.setdefault(key, []).append(rule)
        self.index: PhraseIndex[AliasRule] = PhraseIndex(entries)

    def extended(
        self, added: Sequence[Organisation], aliases: Mapping[str, Sequence[str]]
    ) -> Organisations:
        """These organisations with ``added`` ones and more ``aliases`` (organisation id
        -> names) for any of them: a deployment's own names (``local_names``). Each name
        is matched in any letter case, or as written where it is an acronym ("HaE", "ISKP")."""
        records = {org.id: (org, known) for org, known in self._records}
        for org in added:
            records[org.id] = (org, [(name, match_mode(name)) for name in org.aliases])
        for org_id, names in aliases.items():
            if org_id not in records:
                continue
            org, known = records[org_id]
            org = replace(org, aliases=(*org.aliases, *names))
            known = [*known, *((name, match_mode(name)) for name in names)]
            records[org_id] = (org, known)
        out = Organisations.__new__(Organisations)
        out.origin = self.origin
        out._build(list(records.values()))  # the shipped reading of a name stays first
        return out

    def related(self, a: str, b: str) -> bool:
        """Same organisation, or one a branch of the other."""
        if a == b:
            return True
        pa, pb = (
            self.by_id[a].parent if a in self.by_id else None,
            self.by_id[b].parent if b in self.by_id else None,
        )
        return pa == b or pb == a


def match_mode(name: str) -> str:
    """How a name a deployment adds is matched: as written where it is an acronym
    ("HaE", "ISKP": no word of lower-case letters only), in any letter case otherwise."""
    words = name.split()
    if len(words) == 1 and sum(c.isupper() for c in name) >= 2 and len(name) <= 8:
        return "acronym"
    return "fold"


_lock = threading.Lock()


@cache
def _load() -> Organisations:
    source = resources.files("tearline.data").joinpath("organisations.json")
    return resident(lambda: Organisations(json.loads(source.read_text(encoding="utf-8"))))


def load() -> Organisations:
    """The organisations, loaded once per process and shared."""
    with _lock:
        return _load()


def origin() -> dict[str, Any]:
    """Source lists, dates and licences, and how the supplement is labelled."""
    return dict(load().origin)


def get(org_id: str) -> Organisation | None:
    return load().by_id.get(org_id)


def lookup(name: str) -> Organisation | None:
    """The organisation an alias names, in any letter case ("isis-k", "Daesh"), and in
    any script Tearline reads: a name in a reader lexicon ("Исламское государство",
    "داعش") or one that sounds like a listed alias ("Хезболла", "بوكو حرام")::

        >>> lookup("Хезболла").name, lookup("داعش").name
        ('Hizballah', 'Islamic State of Iraq and the Levant')
    """
    orgs = load()
    rules = orgs.names.get(fold_key(name), [])
    if rules:
        return rules[0].org
    from tearline.extract._reader import lookup_name  # the readers' names, loaded lazily

    found = lookup_name(name, orgs)
    return orgs.by_id.get(found) if found else None
