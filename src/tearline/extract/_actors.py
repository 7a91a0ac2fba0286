"""Who acts: designated organisations by alias, and people described as attackers.

Short aliases follow the match mode the organisations file gives them, so "IS" is the
Islamic State only in "IS claimed responsibility", never in "THIS IS" or "it is".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tearline.extract import _lexdata
from tearline.extract._doc import Doc
from tearline.extract._lexicon import INDIVIDUALS, TRIGGER, Lex
from tearline.extract._matcher import Match, leftmost_longest
from tearline.extract.organisations import AliasRule, Organisation, Organisations
from tearline.model import Span

_SPACING = re.compile(r"[\s\-\u2010-\u2015]+")
# "terrorist attack", "militant group": the word describes something, not someone
# (data/lexicon/en/actors.toml).
_ADJECTIVE_BEFORE = re.compile(
    r"\s+(?:" + "|".join(map(re.escape, _lexdata.load("en").actors.not_people_before)) + r")\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ActorMention:
    span: Span
    org: Organisation | None  # None for people described ("gunmen")


def _same_letters(written: str, alias: str) -> bool:
    return _SPACING.sub(" ", written) == _SPACING.sub(" ", alias)


def _neighbour_capitals(text: str, start: int, end: int) -> bool:
    """Whether a word next to text[start:end] is written in capitals ("THIS IS A")."""
    before = text[max(0, start - 30) : start].split()
    after = text[end : end + 30].split()
    words = [before[-1] if before else "", after[0] if after else ""]
    return any(
        sum(c.isalpha() for c in w) >= 2 and w.upper() == w and any(c.isalpha() for c in w)
        for w in words
    )


def _accept_org(doc: Doc, m: Match[AliasRule]) -> Organisation | None:
    written = doc.text[m.start : m.end]
    for rule in m.values:
        if rule.mode == "fold":
            if doc.upper or any(c.isupper() for c in written):  # "al-Shabaab", not "the base"
                return rule.org
        elif rule.mode == "acronym":
            if _same_letters(written.upper() if doc.upper else written, rule.alias):
                return rule.org  # in caseless text "fmln" is as good as "FMLN"
        elif (
            not doc.upper
            and _same_letters(written, rule.alias)
            and not _neighbour_capitals(doc.text, m.start, m.end)
        ):
            return rule.org
    return None


def find_organisations(doc: Doc, orgs: Organisations) -> list[ActorMention]:
    out: list[ActorMention] = []
    for m in leftmost_longest(orgs.index.find(doc.folded)):
        if doc.unit_at(m.start) is None:
            continue
        org = _accept_org(doc, m)
        if org is not None:
            out.append(ActorMention(Span(m.start, m.end, doc.text[m.start : m.end]), org))
    return out


def find_individuals(doc: Doc, lexicon: Sequence[Match[Lex]]) -> list[ActorMention]:
    """People described as acting ("gunmen", "ISIS-K operatives"), not adjectives."""
    out: list[ActorMention] = []
    for m in lexicon:
        if not any(v.role == INDIVIDUALS for v in m.values):
            continue
        if _ADJECTIVE_BEFORE.match(doc.text, m.end):
            continue
        out.append(ActorMention(Span(m.start, m.end, doc.text[m.start : m.end]), None))
    return out


def is_trigger(m: Match[Lex]) -> bool:
    return any(v.role == TRIGGER for v in m.values)
