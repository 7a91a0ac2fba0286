"""What the role tagger sees of each word: the word, its neighbours, the lexicons that
name it, its word classes (clusters of a sentence encoder's word-piece embeddings, and
whether it is a given name or a surname), and where it stands relative to the attack
words of its sentence.

Shared by the tagger at run time and by scripts/build_roles.py, which trains it: a
change here needs a rebuild (the model file records ``FEATURES_VERSION``). Features are
case-insensitive, so one model reads mixed-case, ALL-CAPS and lower-case text alike.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from tearline.extract import _lexdata, _wordclasses
from tearline.extract import _lexicon as lx
from tearline.extract._doc import Doc
from tearline.extract._text import Role, Unit
from tearline.extract.gazetteer import Gazetteer
from tearline.extract.organisations import Organisations

FEATURES_VERSION = 4

TOKEN = re.compile(r"\w+(?:[-./]\w+)*|['\u2019][sS]\b|[^\w\s]")
# A sentence-long run without any full stop is cut here, so tagging stays linear.
MAX_TOKENS = 160
_CONTEXT = (-3, -2, -1, 1, 2, 3)
_NEAR = (-2, -1, 1, 2)  # the neighbours whose lexicon and word classes a word sees

# Kinds of violence a sentence speaks of: they tell the tagger which sentences hold
# perpetrators and targets. "neg" and "claim" shape the reading, they are no violence
# (data/lexicon/en/roles.toml).
SENTENCE_CUES: dict[str, re.Pattern[str]] = {
    kind: re.compile(pattern) for kind, pattern in _lexdata.load("en").fillers.sentence_cues.items()
}
VIOLENCE = tuple(k for k in SENTENCE_CUES if k not in ("neg", "claim"))
_TRIGGER_WORD = re.compile("|".join(SENTENCE_CUES[k].pattern for k in VIOLENCE))


class Sentence:
    """One unit of the document as tokens, with each token's features."""

    __slots__ = ("features", "tokens", "unit")

    def __init__(self, unit: Unit, tokens: list[tuple[int, int]]) -> None:
        self.unit = unit
        self.tokens = tokens
        self.features: list[list[str]] = []


def sentences(doc: Doc) -> list[Sentence]:
    """The document's content units as token lists (long ones cut at MAX_TOKENS)."""
    out: list[Sentence] = []
    for u in doc.units:
        if u.role is Role.META:
            continue
        toks = [(m.start(), m.end()) for m in TOKEN.finditer(doc.text, u.start, u.end)]
        for i in range(0, len(toks), MAX_TOKENS):
            if toks[i : i + MAX_TOKENS]:
                out.append(Sentence(u, toks[i : i + MAX_TOKENS]))
    return out


def _classes(doc: Doc, sents: Sequence[Sentence], gaz: Gazetteer, orgs: Organisations) -> Marks:
    """Lexicon classes per token start offset: B-/I- marks from the phrase indexes."""
    starts: dict[int, int] = {}
    ends: dict[int, int] = {}
    order: list[int] = []
    for s in sents:
        for a, b in s.tokens:
            starts[a] = len(order)
            ends[b] = len(order)
            order.append(a)
    marks: Marks = {}

    def mark(a: int, b: int, names: Sequence[str]) -> None:
        i, j = starts.get(a), ends.get(b)
        if i is None or j is None:
            return
        for k in range(i, j + 1):
            prefix = "B" if k == i else "I"
            marks.setdefault(order[k], set()).update(prefix + n for n in names)

    for m in lx.index().find(doc.folded):
        marked = [f"lex:{v.role}:{v.value}" for v in m.values if not v.rules_only]
        if marked:
            mark(m.start, m.end, marked)
    for o in orgs.index.find(doc.folded):
        mark(o.start, o.end, ["org"])
    for g in gaz.index.find(doc.folded):
        mark(g.start, g.end, [f"gaz:{g.values[0].kind}"])
    return marks


def names_digest(gaz: Gazetteer, orgs: Organisations) -> str:
    """SHA-256 of the place names (with the kind of place each first names) and the
    organisation names the taggers see marked. They are features: a model records the
    names it was trained with, and a rebuilt gazetteer or organisation list needs a
    rebuilt model (scripts/build_roles.py). The small towns are not marked, so not here,
    and neither are the names a deployment adds (``local_names``): the taggers read the
    shipped ones only."""
    places = [(key, entries[0].kind) for key, entries in gaz.names.items() if key]
    h = hashlib.sha256()
    h.update("\x1e".join(key for key, _ in places).encode())
    h.update(bytes(kind for _, kind in places))
    h.update("\x1e".join(key for key in orgs.names if key).encode())
    return h.hexdigest()


def _shape(w: str) -> str:
    if w.isdigit():
        return "d"
    if w.isalpha():
        return "a"
    return "p" if not w[0].isalnum() else "m"


def _trigger_features(j: int, words: Sequence[str], triggers: Sequence[int]) -> list[str]:
    """How far the word is from the nearest violence word, on which side, and which word
    it is: before "attacked" stands the attacker, after it what was attacked."""
    if not triggers:
        return ["trd=none"]
    d, t = min((abs(j - t), t) for t in triggers)
    side = "b" if j < t else "a" if j > t else "t"
    out = [f"trd={side}{d}" if d < 8 else f"trd={side}{'far' if d < 20 else 'vfar'}"]
    if 0 < d < 8:
        out.append(f"trw={side}:{words[t]}")
    return out


@lru_cache(maxsize=1 << 16)  # bounded: a firehose of new words must not grow it forever
def word_class(word: str) -> tuple[str, ...]:
    """The word's classes: its first word piece's embedding clusters (coarse and fine),
    and whether it is a given name or a surname."""
    pieces, given, surnames = _wordclasses.load()
    out: list[str] = []
    if word.isalpha():
        for n in range(min(len(word), 18), 0, -1):
            got = pieces.get(word[:n])
            if got is not None:
                whole = "w" if n == len(word) else "p"
                out += [f"c1={got[0]}", f"c2={got[1]}", f"c2{whole}={got[1]}"]
                break
        if word in given:
            out.append("given")
        if word in surnames:
            out.append("surname")
    return tuple(out)


Marks = dict[int, set[str]]  # token start -> lexicon classes ("Blex:weapon:firearm", "Iorg")


def read_sentences(doc: Doc, gaz: Gazetteer, orgs: Organisations) -> tuple[list[Sentence], Marks]:
    """The document's sentences as tokens, and the lexicon classes of its words."""
    sents = sentences(doc)
    return sents, _classes(doc, sents, gaz, orgs)


RELEVANCE_BUCKETS = (0.1, 0.2, 0.35, 0.5, 0.7)


def _repeated(folded: str, sents: Sequence[Sentence]) -> dict[str, int]:
    """Words the document repeats, with how often (2, 3, or 4 for more): the entities a
    report is about are named again and again."""
    counts: dict[str, int] = {}
    for s in sents:
        for a, b in s.tokens:
            w = folded[a:b]
            counts[w] = counts.get(w, 0) + 1
    return {w: min(n, 4) for w, n in counts.items() if n > 1}


def featurise(
    doc: Doc,
    sents: Sequence[Sentence],
    marks: Marks,
    vocabulary: Mapping[str, str],
    relevance: float,
    only: set[int] | None = None,
) -> None:
    """Give every token of every sentence its features. ``relevance`` is the document
    model's probability that the document reports an incident: the same words are
    perpetrators in a report of an attack and bystanders in a report of a debate.
    ``only``: the units to featurise (None: all); the others keep no features."""
    folded = doc.folded
    cues: list[list[str]] = []
    first_violent: int | None = None
    for i, s in enumerate(sents):
        text = folded[s.tokens[0][0] : s.tokens[-1][1]]
        keys = [k for k, p in SENTENCE_CUES.items() if p.search(text)]
        cues.append(keys)
        if first_violent is None and any(k in VIOLENCE for k in keys):
            first_violent = i
    counts = _repeated(folded, sents)
    doc_relevance = next(
        (i for i, edge in enumerate(RELEVANCE_BUCKETS) if relevance < edge), len(RELEVANCE_BUCKETS)
    )
    for i, s in enumerate(sents):
        if only is not None and s.unit.index not in only:
            continue
        shared = [f"s.{k}" for k in cues[i]]
        shared.append(f"s.pos={min(i, 4)}")
        shared.append(f"doc.rel={doc_relevance}")
        if first_violent is None:
            shared.append("s.no_trig_doc")
        else:
            shared.append(f"s.rel_first_trig={max(-1, min(i - first_violent, 3))}")
        s.features = _token_features(folded, s, marks, vocabulary, shared, counts)


@dataclass(frozen=True, slots=True)
class _WordStrings:
    """The feature strings a word gives wherever it stands, built once per word."""

    own: tuple[str, ...]  # "w=", "suf3=", "suf2=", "pre3="
    shape: str
    at: dict[int, str]  # as a neighbour at an offset: "w-1=guerrillas"
    classes: tuple[str, ...]  # its word classes
    near: dict[int, tuple[str, ...]]  # its coarse classes as a neighbour: "-1:c1=17"


@lru_cache(maxsize=1 << 16)  # bounded, as word_class
def _word_strings(w: str) -> _WordStrings:
    classes = word_class(w)
    return _WordStrings(
        own=("w=" + w, "suf3=" + w[-3:], "suf2=" + w[-2:], "pre3=" + w[:3]),
        shape="shape=" + _shape(w),
        at={off: f"w{off}={w}" for off in _CONTEXT},
        classes=classes,
        near={off: tuple(f"{off}:{c}" for c in classes if not c.startswith("c2")) for off in _NEAR},
    )


def _token_features(
    folded: str,
    s: Sentence,
    marks: Mapping[int, set[str]],
    vocabulary: Mapping[str, str],
    shared: list[str],
    counts: Mapping[str, int],
) -> list[list[str]]:
    words = [folded[a:b] for a, b in s.tokens]
    n = len(words)
    triggers = [j for j, w in enumerate(words) if _TRIGGER_WORD.match(w)]
    classes = [sorted(marks.get(a, ())) for a, _ in s.tokens]
    strings = [_word_strings(w) for w in words]
    start, end = _word_strings("<s>"), _word_strings("</s>")
    fb = [vocabulary.get(w, "oov") for w in words]
    fb_start, fb_end = vocabulary.get("<s>", "oov"), vocabulary.get("</s>", "oov")
    out: list[list[str]] = []
    for j, w in enumerate(words):
        x = strings[j]
        f = ["bias", *x.own, "fb=" + fb[j], x.shape]
        for off in _CONTEXT:
            k = j + off
            inside = 0 <= k < n
            f.append((strings[k] if inside else start if k < 0 else end).at[off])
            if off in (-1, 1):
                f.append(f"fb{off}=" + (fb[k] if inside else fb_start if k < 0 else fb_end))
        before = words[j - 1] if j > 0 else "<s>"
        after = words[j + 1] if j + 1 < n else "</s>"
        f.append(f"bg-={before}|{w}")
        f.append(f"bg+={w}|{after}")
        f.extend(classes[j])
        f.extend(x.classes)
        for off in _NEAR:
            k = j + off
            if 0 <= k < n:
                f.extend(f"{off}:{c}" for c in classes[k])
                f.extend(strings[k].near[off])
        f.extend(_trigger_features(j, words, triggers))
        f.append(f"dc={counts.get(w, 0)}")
        f.extend(shared)
        out.append(f)
    return out


def relevance_features(doc: Doc, sents: Sequence[Sentence], marks: Marks) -> dict[str, float]:
    """Document features for the relevance model: the words and cues of its opening.

    Place and organisation names are replaced by PLACE and ORG, so the model learns how
    incidents are reported, not where the training reports came from.
    """
    folded = doc.folded
    f: dict[str, float] = {}
    violent = 0
    for i, s in enumerate(sents):
        text = folded[s.tokens[0][0] : s.tokens[-1][1]]
        keys = [k for k, p in SENTENCE_CUES.items() if p.search(text)]
        violent += any(k in VIOLENCE for k in keys)
        if i >= 6:
            continue
        zone = "s0" if i == 0 else "s1" if i < 3 else "s3"
        for k in keys:
            f[f"{zone}.{k}"] = 1.0
        for a, b in s.tokens:
            c = marks.get(a, set())
            w = folded[a:b]
            if any(x.startswith(("Bgaz", "Igaz")) for x in c):
                w = "PLACE"
            elif any(x.startswith(("Borg", "Iorg")) for x in c):
                w = "ORG"
            f[f"{zone}:{w}"] = 1.0
            for x in c:
                if x.startswith("Blex"):
                    f[f"{zone}:{x}"] = 1.0
    f[f"ntrig={min(violent, 6)}"] = 1.0
    f[f"frac={round(violent / max(1, len(sents)) * 5)}"] = 1.0
    return f
