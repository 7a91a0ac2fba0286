"""Named venues: "Crocus City Hall", "the Taj Mahal Palace hotel", "Abbey Gate".

A venue is one to four capitalised words ending in a venue word. It is found only in
mixed-case text, where capitals mark names. Its target type comes from the words around
it ("the Crocus City Hall concert venue", "concert venues ..., including Crocus City
Hall") or else from its last word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tearline.model import Span, TargetType

_HEADS: dict[str, TargetType] = {
    "hall": TargetType.CONCERT,
    "theatre": TargetType.CONCERT,
    "theater": TargetType.CONCERT,
    "opera": TargetType.CONCERT,
    "arena": TargetType.MASS_GATHERING,
    "stadium": TargetType.MASS_GATHERING,
    "square": TargetType.MASS_GATHERING,
    "park": TargetType.MASS_GATHERING,
    "gate": TargetType.TRANSPORT,
    "airport": TargetType.TRANSPORT,
    "station": TargetType.TRANSPORT,
    "terminal": TargetType.TRANSPORT,
    "mosque": TargetType.RELIGIOUS,
    "church": TargetType.RELIGIOUS,
    "cathedral": TargetType.RELIGIOUS,
    "synagogue": TargetType.RELIGIOUS,
    "temple": TargetType.RELIGIOUS,
    "shrine": TargetType.RELIGIOUS,
    "embassy": TargetType.DIPLOMATIC,
    "consulate": TargetType.DIPLOMATIC,
    "hotel": TargetType.BUSINESS,
    "shopping mall": TargetType.BUSINESS,
    "shopping centre": TargetType.BUSINESS,
    "shopping center": TargetType.BUSINESS,
    "concert hall": TargetType.CONCERT,
    "police station": TargetType.POLICE,
    "railway station": TargetType.TRANSPORT,
    "train station": TargetType.TRANSPORT,
    "mall": TargetType.BUSINESS,
    "centre": TargetType.BUSINESS,
    "center": TargetType.BUSINESS,
    "market": TargetType.BUSINESS,
    "plaza": TargetType.BUSINESS,
    "club": TargetType.BUSINESS,
    "tower": TargetType.BUSINESS,
    "towers": TargetType.BUSINESS,
    "palace": TargetType.GOVERNMENT,
    "parliament": TargetType.GOVERNMENT,
    "ministry": TargetType.GOVERNMENT,
    "university": TargetType.EDUCATION,
    "college": TargetType.EDUCATION,
    "school": TargetType.EDUCATION,
    "hospital": TargetType.OTHER,
    "museum": TargetType.OTHER,
    "bridge": TargetType.INFRASTRUCTURE,
    "base": TargetType.MILITARY,
    "barracks": TargetType.MILITARY,
}
# "City Hall" and "Town Hall" on their own are the seat of a city government.
_GOVERNMENT_HALLS = ("city hall", "town hall")
_LEADING = {"the", "a", "an", "in", "at", "on", "near", "of", "its", "their", "his", "her"}
_NAME_WORD = r"(?:[A-Z][A-Za-z'\u2019&\-]*\.?|[A-Z]\.(?:[A-Z]\.)+)"
_HEAD_RE = "|".join(sorted(_HEADS, key=len, reverse=True))
_CAPITAL_HEAD_RE = "|".join(h.title() for h in sorted(_HEADS, key=len, reverse=True))
_VENUE = re.compile(
    rf"\b(?P<name>(?:{_NAME_WORD}[ \t]+){{1,4}}?)"
    rf"(?:(?P<Head>{_CAPITAL_HEAD_RE})|(?P<head>{_HEAD_RE}))\b"
)
_NEXT_HEAD = re.compile(rf"[ \t]+(?P<head>{_HEAD_RE}|concert venue|venue)\b")
# The venue names an institution that speaks, not a place that is attacked.
_SPEAKS = re.compile(
    r"[^.;:!?]{0,60}?\b(?:said|says|told|warned|issued|stated|reported|announced|urged|advised"
    r"|monitoring|published|confirmed|denied|called on)\b"
)


@dataclass(frozen=True, slots=True)
class VenueMention:
    span: Span  # the name as written, e.g. "Crocus City Hall"
    head_type: TargetType
    speaker: bool  # followed by "said", "warned": an institution speaking


def speaks_after(text: str, pos: int) -> bool:
    """Whether the name ending at ``pos`` is the subject of a speech verb ("... said")."""
    return bool(_SPEAKS.match(text, pos))


def find_venues(text: str, start: int, end: int) -> list[VenueMention]:
    out: list[VenueMention] = []
    for m in _VENUE.finditer(text, start, end):
        head = m.group("Head") or m.group("head")
        words = m.group("name").split()
        while words and words[0].lower() in _LEADING:
            words.pop(0)
        if not words:
            continue
        s = m.start("name") + m.group("name").index(words[0])
        e = m.end() if m.group("Head") else m.end("name")
        name = text[s:e].rstrip()
        e = s + len(name)
        head_type = _HEADS[head.lower()]
        if name.lower() in _GOVERNMENT_HALLS:
            head_type = TargetType.GOVERNMENT
        after = _NEXT_HEAD.match(text, m.end(), end) if m.group("Head") else None
        if after is not None:  # "the Taj Mahal Palace hotel": the last word decides
            head_type = _HEADS.get(after.group("head"), TargetType.CONCERT)
        speaker = bool(_SPEAKS.match(text, m.end()))
        out.append(VenueMention(Span(s, e, name), head_type, speaker))
    return out
