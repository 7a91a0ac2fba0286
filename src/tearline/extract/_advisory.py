"""Threat language as advisories, alerts and intelligence reports word it, with no attack
verb: "a specific, credible threat", "may target", "heightened risk of attack", "continue
plotting", "leave immediately". The words are data (data/lexicon/<lang>/threats.toml),
read once into the values below and matched once per document.

Also what such a document treats as background: a context clause ("amid the conflict in
Gaza", "following the 2015 attacks") is never the event, and in an advisory a past
attack counts as an event only where it is dated to the day or told as under way; its
issuer ("The U.S. Embassy has received information") is not a target, and its advice
("Actions to Take:", "if you hear gunfire") gives no method, weapon or attack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tearline.extract import _lexicon as lx
from tearline.extract._lexdata import _file, longest_first
from tearline.extract._matcher import Match, PhraseIndex
from tearline.extract._text import fold_key
from tearline.model import EventKind, Modality

# The role of the lexicon value that carries a threat phrase's modality.
THREAT_LANGUAGE = "threat_language"
# What kind of document threat language comes in (Register).
ADVISORY, REPORT = "advisory", "report"


@dataclass(frozen=True, slots=True)
class ThreatPhrase:
    """What a phrase of threat language says: the modality it gives its threat, and
    whether it is read in any document or only in advisories, alerts and reports."""

    modality: Modality
    anywhere: bool
    kind: EventKind = EventKind.THREAT

    @property
    def values(self) -> tuple[lx.Lex, ...]:
        """As lexicon values: a threat trigger the role taggers never saw, and its modality."""
        word = lx.PLOT if self.kind is EventKind.THREAT else lx.ATTACK
        return (lx.rules_only(lx.Lex(lx.TRIGGER, word)), lx.Lex(THREAT_LANGUAGE, self.modality))


@dataclass(frozen=True, slots=True)
class Issuer:
    """Who issues an alert ("The U.S. Embassy", "the Consulate"): the names an issuer goes
    by, and what an issuer does just after its name ("has received", "has instructed")."""

    name: re.Pattern[str]  # the whole of a target's words: "The U.S. Embassy"
    act: re.Pattern[str]  # just after the name: " has received", " has instructed"

    def issues(self, text: str, start: int, end: int, header: bool) -> bool:
        """Whether text[start:end] names the alert's issuer: in its header, or doing what
        an issuer does ("The Embassy has instructed ...")."""
        if self.name.fullmatch(text, start, end) is None:
            return False
        return header or self.act.match(text, end) is not None


@dataclass(frozen=True, slots=True)
class Advice:
    """Protective advice: the lines under a heading ("Actions to Take:"), and sentences
    with a clause of advice ("if you hear", "in the event of")."""

    heading: re.Pattern[str]  # a whole line
    label: re.Pattern[str]  # a line opened by any "Label:", which ends the advice
    clause: re.Pattern[str]

    def units(self, text: str, spans: list[tuple[int, int]]) -> set[int]:
        """The indexes of the sentences (``spans``, in order) that give advice."""
        out: set[int] = set()
        under = False
        for i, (start, end) in enumerate(spans):
            if self.heading.fullmatch(text, start, end):
                under = True
                continue
            if self.label.match(text, start, end):
                under = False
            if under or self.clause.search(text, start, end):
                out.add(i)
        return out


@dataclass(frozen=True)
class ThreatLexicon:
    """The threat language of one language, ready to match."""

    phrases: PhraseIndex[ThreatPhrase]
    patterns: tuple[tuple[re.Pattern[str], ThreatPhrase], ...]
    register: PhraseIndex[str]  # values ADVISORY or REPORT
    present: PhraseIndex[str]
    context: re.Pattern[str]  # a context clause anywhere (its object a conflict or years back)
    advisory_context: re.Pattern[str]  # in an advisory, any clause so opened
    preparation: re.Pattern[str]  # "rehearsals for the", at the end of the words before
    planned_after: re.Pattern[str]  # " is planned", " will take place", right after "attack"
    example_before: re.Pattern[str]  # "including in", at the end of the words before a town
    issuer: Issuer
    advice: Advice


@cache
def load(lang: str = "en") -> ThreatLexicon:
    """The shipped threat language (English only so far)."""
    raw = _file(lang, "threats.toml")
    phrases: list[tuple[str, ThreatPhrase]] = []
    patterns: list[tuple[re.Pattern[str], ThreatPhrase]] = []
    for group in raw["language"]:
        phrase = ThreatPhrase(
            Modality(group["modality"]),
            bool(group["anywhere"]),
            EventKind(group.get("kind", EventKind.THREAT.value)),
        )
        phrases += [(fold_key(p), phrase) for p in group["phrases"]]
        patterns += [(re.compile(p), phrase) for p in group.get("patterns", [])]
    context = raw["context"]
    by_conflict = longest_first(context["conflict_openers"])
    by_date = longest_first(context["dated_openers"])
    openers = longest_first([*context["conflict_openers"], *context["dated_openers"]])
    conflicts = longest_first(context["conflicts"])
    events = longest_first([*context["events"], *context["conflicts"]])
    clause = r"[^,;:.]{0,80}?"
    issuer, advice = raw["issuer"], raw["advice"]
    planned, examples = raw["planned"], raw["examples"]
    opens = r"(?:^|(?<=[\s,;(]))"
    ends = r"(?=[,;:.]|$)"
    return ThreatLexicon(
        phrases=PhraseIndex(phrases),
        patterns=tuple(patterns),
        register=PhraseIndex(
            [(fold_key(p), ADVISORY) for p in raw["register"]["advisories"]]
            + [(fold_key(p), REPORT) for p in raw["register"]["reports"]]
        ),
        present=PhraseIndex((fold_key(p), p) for p in raw["present"]["phrases"]),
        context=re.compile(
            rf"{opens}(?:{by_conflict})\s+(?:the\s+)?{clause}\b(?:{conflicts})\b{clause}{ends}"
            rf"|{opens}(?:{by_date})\s+the\s+(?=[^,;:.]{{0,80}}?\b(?:{events})\b)"
            rf"(?:(?:19|20)\d\d\b{clause}|{clause}\b(?:last\s+year|years?\s+ago)\b{clause}){ends}"
            # "ten years after the Westgate mall attack in Nairobi,"
            rf"|\b\w+\s+years\s+after\s+(?=[^,;:.]{{0,80}}?\b(?:{events})\b){clause}{ends}",
            re.IGNORECASE,
        ),
        preparation=re.compile(
            rf"\b(?:{longest_first(raw['preparation']['nouns'])})\s+(?:for|of)\s+"
            r"(?:(?:the|an?|this|that|their|its)\s+)?(?:[^\s.;:,]+\s+)?$",
            re.IGNORECASE,
        ),
        advisory_context=re.compile(
            rf"{opens}(?:{openers})\s+(?:the\s+)?{clause}{ends}",
            re.IGNORECASE,
        ),
        planned_after=re.compile(
            rf"\s+(?:is|are)\s+(?:now\s+|being\s+)?(?:{longest_first(planned['participles'])})\b"
            r"|\s+(?:will|is\s+to|are\s+to|is\s+going\s+to)\s+"
            rf"(?:{longest_first(planned['happenings'])})\b",
            re.IGNORECASE,
        ),
        example_before=re.compile(
            rf"\b(?:{longest_first(examples['openers'])})\s+(?:in\s+)?(?:the\s+)?"
            r"(?:[^\s.;:]+\s+(?:and|or)\s+)?$"
            rf"|\b(?:{longest_first(examples['listing'])})\s+(?:in\s+)?[^.;:]{{1,40}},?\s+(?:and|or)\s+$",
            re.IGNORECASE,
        ),
        issuer=Issuer(
            # with a nationality or not: "the British High Commission"
            name=re.compile(
                rf"(?:the\s+)?(?:[A-Z][\w.]*\s+){{0,2}}?(?:{longest_first(issuer['names'])})",
                re.IGNORECASE,
            ),
            act=re.compile(rf"\s+(?:{longest_first(issuer['verbs'])})\b", re.IGNORECASE),
        ),
        advice=Advice(
            heading=re.compile(
                rf"\s*(?:{longest_first(advice['headings'])})\s*:?\s*", re.IGNORECASE
            ),
            label=re.compile(r"\s*[^\W\d_][\w ]{0,30}:"),
            clause=re.compile(rf"\b(?:{longest_first(advice['clauses'])})\b", re.IGNORECASE),
        ),
    )


def register_of(folded: str, lexicon: ThreatLexicon) -> str | None:
    """ADVISORY for an advisory or an alert, REPORT for an intelligence or liaison report,
    None for anything else (news)."""
    found = {v for m in lexicon.register.find(folded[:20000]) for v in m.values}
    return ADVISORY if ADVISORY in found else REPORT if found else None


def threat_marks(folded: str, lexicon: ThreatLexicon, advisory: bool) -> list[Match[lx.Lex]]:
    """Every phrase of threat language in the document, as lexicon matches (the longest
    where they overlap); ``advisory``: the document has a register (register_of)."""
    found = [(m.start, m.end, m.values[0]) for m in lexicon.phrases.find(folded)]
    if "terror" in folded or "attack" in folded:
        for pattern, phrase in lexicon.patterns:
            found += [(x.start(), x.end(), phrase) for x in pattern.finditer(folded)]
    found = [f for f in found if advisory or f[2].anywhere]
    found.sort(key=lambda f: (f[0], -f[1]))
    out: list[Match[lx.Lex]] = []
    reach = -1
    for start, end, phrase in found:
        if start >= reach:
            out.append(Match(start, end, phrase.values))
            reach = end
    return out


# After "threat of", "risk of", "plans to": the event threatened, part of the phrase.
_OPEN_END = re.compile(r"\b(?:of|to|on|against)$")
_JOIN = re.compile(r"\s+(?:of|to|on|against)\b")
_NEXT_WORDS = re.compile(r"(?:\s+[^\s.,;:]+){1,3}")


def threatened_reach(folded: str, m: Match[lx.Lex]) -> int:
    """Where the event a phrase of threat language names ends its reach: up to three words
    after "of" or "to" ending or following it ("a high threat of kidnap", "a credible threat
    of attack"); the event words there are the threat's, not events of their own."""
    end = m.end
    if not _OPEN_END.search(folded, m.start, end):
        joined = _JOIN.match(folded, end)  # "a credible threat of attack"
        if joined is None:
            return end
        end = joined.end()
    words = _NEXT_WORDS.match(folded, end)
    return words.end() if words else end


def reading_of(m: Match[lx.Lex]) -> tuple[EventKind, Modality] | None:
    """The kind and modality a match of threat language gives its event ("may target": a
    hypothetical threat; an alert's "gunfire": an incident); None for other words."""
    modality = next((Modality(v.value) for v in m.values if v.role == THREAT_LANGUAGE), None)
    if modality is None:
        return None
    kind = EventKind.THREAT if any(v.value == lx.PLOT for v in m.values) else EventKind.INCIDENT
    return kind, modality


def context_spans(text: str, advisory: bool) -> list[tuple[int, int]]:
    """The context clauses of a document: what they name is background."""
    lexicon = load()
    found = [(m.start(), m.end()) for m in lexicon.context.finditer(text)]
    if advisory:
        found += [(m.start(), m.end()) for m in lexicon.advisory_context.finditer(text)]
    return found


def prepares(before: str) -> bool:
    """Whether the words before an event word tell of preparing it ("rehearsals for the")."""
    return load().preparation.search(before) is not None


def under_way(folded: str, start: int, end: int) -> bool:
    """Whether text[start:end] tells of an attack as under way ("an ongoing attack")."""
    return bool(load().present.find(folded[start:end]))
