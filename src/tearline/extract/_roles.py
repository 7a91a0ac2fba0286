"""Role fillers: who did it, to whom or to what, with what - read by a trained tagger.

A linear-chain conditional random field (CRFsuite) gives each word its probability of
being part of a perpetrator (individuals or organisation), a physical target, a named
human target or a weapon; a document model gives the probability that the text reports
an incident at all. Mentions of one entity ("FMLN", "Farabundo Marti National
Liberation Front") are gathered, and an entity is kept when the tagger was sure enough of
one of its mentions in a document that reports an incident. Both models and both
thresholds come from scripts/build_roles.py, trained and chosen on the MUC-4
development set; the files and their origin are in src/tearline/data/roles/.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pycrfsuite

from tearline.extract import _lexdata, gazetteer, organisations
from tearline.extract import _lexicon as lx
from tearline.extract._doc import Doc
from tearline.extract._role_features import (
    FEATURES_VERSION,
    Marks,
    Sentence,
    featurise,
    names_digest,
    read_sentences,
)
from tearline.extract._role_features import relevance_features as _relevance_features
from tearline.extract._text import fold_key
from tearline.extract._wordclasses import digest as word_classes_digest
from tearline.extract.gazetteer import Gazetteer
from tearline.extract.organisations import Organisation, Organisations
from tearline.model import Span

# MUC-4's role names (as in its answer keys) and the Event fields that hold them.
ROLE_FIELDS = {
    "PerpInd": "perpetrator_individuals",
    "PerpOrg": "perpetrator_organizations",
    "Target": "physical_targets",
    "Victim": "human_targets",
    "Weapon": "weapons",
}
# Words below this probability of being in a filler are not proposed at all.
PROPOSAL_THRESHOLD = 0.1

# The words fillers are cut and compared with (data/lexicon/en/roles.toml).
_WORDS = _lexdata.load("en").fillers
_STOP = _WORDS.initials_skip
_PUNCT = re.compile(r"[^\w\s]")
_ARTICLES = re.compile(r"\b(?:" + "|".join(map(re.escape, _WORDS.articles)) + r")\b")


@dataclass(frozen=True, slots=True)
class RoleMention:
    role: str  # a MUC-4 role name, a key of ROLE_FIELDS
    span: Span
    unit: int  # index of the unit (sentence) it is in; -1 for facts the rules found
    score: float  # the tagger's probability for its first word


@dataclass(frozen=True, slots=True)
class Candidate:
    """The mentions of one entity in one role, proposed by the tagger."""

    role: str
    mentions: tuple[RoleMention, ...]

    @property
    def score(self) -> float:
        return max(m.score for m in self.mentions)


@dataclass(frozen=True, slots=True)
class DocumentRoles:
    mentions: tuple[RoleMention, ...]  # the mentions of the entities kept
    relevance: float  # the document model's probability that an incident is reported
    candidates: tuple[Candidate, ...] = ()  # every entity proposed, kept or not


class RoleModel:
    """The trained taggers and document model, with the thresholds chosen for them.

    Several taggers (trained alike but regularised differently) vote: a word's
    probabilities are the mean of theirs. Thread-safe: each thread opens its own.
    """

    def __init__(self, taggers: Sequence[bytes], relevance: bytes, meta: dict[str, Any]) -> None:
        if meta.get("features_version") != FEATURES_VERSION:
            raise ValueError(
                "the role model was trained for other features; "
                "rebuild it with scripts/build_roles.py"
            )
        if not taggers:
            raise ValueError("a role model needs at least one tagger")
        self.meta = meta
        self.vocabulary: dict[str, str] = meta["vocabulary"]
        thresholds = meta.get("thresholds", {})
        mention = thresholds.get("mention", {})
        self.mention_threshold = {r: float(mention.get(r, 0.2)) for r in ROLE_FIELDS}
        self.relevance_threshold = float(thresholds.get("relevance", 0.15))
        self._models = (tuple(taggers), relevance)
        self._local = threading.local()

    def _opened(self) -> tuple[tuple[pycrfsuite.Tagger, ...], pycrfsuite.Tagger]:
        got: tuple[tuple[pycrfsuite.Tagger, ...], pycrfsuite.Tagger] | None = getattr(
            self._local, "taggers", None
        )
        if got is None:
            taggers = tuple(_open(m) for m in self._models[0])
            got = self._local.taggers = (taggers, _open(self._models[1]))
        return got

    def read(
        self, doc: Doc, gaz: Gazetteer, orgs: Organisations, only: set[int] | None = None
    ) -> DocumentRoles:
        """The document's role mentions and its relevance score. ``only``: the units to
        tag (None: all); the document model reads the whole document either way. An
        entity's score is its best mention's among the units tagged, so a perpetrator
        named with certainty only far from every event does not vouch for a doubtful
        mention near one (about 17 % faster on MUC-4, held-out F1 unchanged)."""
        sents, marks = read_sentences(doc, gaz, orgs)
        if not sents:
            return DocumentRoles((), 0.0)
        taggers, relevance = self._opened()
        score = document_relevance(relevance, doc, sents, marks)
        featurise(doc, sents, marks, self.vocabulary, score, only)
        mentions = [
            m
            for s in sents
            if only is None or s.unit.index in only
            for m in _tag(taggers, doc.text, s)
        ]
        candidates = tuple(
            Candidate(role, tuple(entity))
            for role in ROLE_FIELDS
            for entity in gather(role, [m for m in mentions if m.role == role], orgs)
        )
        kept: list[RoleMention] = []
        if score >= self.relevance_threshold:
            for c in candidates:
                if c.score >= self.mention_threshold[c.role]:
                    kept.extend(c.mentions)
        return DocumentRoles(tuple(kept), score, candidates)


def document_relevance(
    model: pycrfsuite.Tagger, doc: Doc, sents: Sequence[Sentence], marks: Marks
) -> float:
    """The document model's probability that the document reports an incident."""
    model.set([_relevance_features(doc, sents, marks)])
    model.tag()
    return float(model.marginal("R", 0))


def _open(model: bytes) -> pycrfsuite.Tagger:
    t = pycrfsuite.Tagger()
    t.open_inmemory(model)
    return t


_LABELS = tuple(f"{bi}-{role}" for role in ROLE_FIELDS for bi in "BI")


def _marginals(taggers: Sequence[pycrfsuite.Tagger], s: Sentence) -> list[dict[str, float]]:
    """Per word, the mean probability of each label (only "O" for words no tagger
    thinks could be in a filler). A label a tagger never saw in training (a model built
    from a handful of documents) has probability 0 there."""
    known = []
    items = pycrfsuite.ItemSequence(s.features)  # converted once for every tagger
    for t in taggers:
        t.set(items)
        t.tag()  # the marginals need a tagged sequence
        known.append((t, frozenset(t.labels())))
    n = len(taggers)
    out: list[dict[str, float]] = []
    for i in range(len(s.tokens)):
        outside = sum(t.marginal("O", i) if "O" in k else 0.0 for t, k in known) / n
        probs = {"O": outside}
        if 1.0 - outside >= PROPOSAL_THRESHOLD:
            for lab in _LABELS:
                probs[lab] = sum(t.marginal(lab, i) for t, k in known if lab in k) / n
        out.append(probs)
    return out


def _tag(taggers: Sequence[pycrfsuite.Tagger], text: str, s: Sentence) -> list[RoleMention]:
    """Mentions in one sentence: runs of words likely enough to be in a filler, each
    word labelled with its most likely role, then cut to the words that name it."""
    probs = _marginals(taggers, s)
    runs: list[tuple[str, int, int]] = []  # role, first token, last token
    current: list[int] | None = None  # [first token, last token]
    role = ""
    for i, p in enumerate(probs):
        if len(p) == 1:
            if current is not None:
                runs.append((role, current[0], current[1]))
            current = None
            continue
        label = max(_LABELS, key=lambda lab: p[lab])
        kind, r = label[0], label[2:]
        if current is not None and kind == "I" and r == role:
            current[1] = i
            continue
        if current is not None:
            runs.append((role, current[0], current[1]))
        current, role = [i, i], r
    if current is not None:
        runs.append((role, current[0], current[1]))
    words = [text[a:b].lower() for a, b in s.tokens]
    out: list[RoleMention] = []
    for role, i, j in runs:
        for a, b in _trimmed(role, words, i, j):
            first = probs[a]
            score = max(first[f"B-{role}"], first[f"I-{role}"])
            span = Span(s.tokens[a][0], s.tokens[b][1], text[s.tokens[a][0] : s.tokens[b][1]])
            out.append(RoleMention(role, span, s.unit.index, score))
    return [m for m in out if _worth_keeping(m.span.text)]


def _closes(words: Sequence[str], a: int, b: int) -> bool:
    """Whether the part ``a..b`` may end at ``b``: a word, or the bracket that closes
    one opened in the part ("Farabundo Marti National Liberation Front (FMLN)")."""
    return words[b][-1].isalnum() or (words[b] == ")" and "(" in words[a:b])


# A run of tagged words often starts or ends a word too far ("dynamite placed in", "of
# the embassy"), and a list of targets or weapons is one run ("stores and electric
# towers") where MUC-4's keys, and a reader, see one entity per item.
_LEADING = _WORDS.leading
_TRAILING = _WORDS.trailing
# Words that end a name where a clause begins: the tagger's run went on past it ("MRTA
# since", "Sorto Milla had bullet wounds", "the bus standing nearby").
_CLAUSE = _WORDS.clause
_LIST_ROLES = frozenset(["Target", "Weapon"])
_LIST_SEPARATORS = _WORDS.list_separators


def _trimmed(role: str, words: Sequence[str], i: int, j: int) -> list[tuple[int, int]]:
    """The token ranges a run of tagged tokens ``i..j`` stands for: split at list
    separators for targets and weapons, each part cut where a clause begins or before a
    bracket it does not close, without function words or punctuation at its ends."""
    parts: list[tuple[int, int]] = []
    start = i
    for k in range(i, j + 1):
        if role in _LIST_ROLES and words[k] in _LIST_SEPARATORS:
            parts.append((start, k - 1))
            start = k + 1
    parts.append((start, j))
    out = []
    for a, b in parts:
        cut = next((k for k in range(a + 1, b + 1) if words[k] in _CLAUSE), None)
        if cut is not None:
            b = cut - 1
        if "(" in words[a : b + 1] and ")" not in words[a : b + 1]:
            b = a + words[a : b + 1].index("(") - 1  # "Front (FMLN": the name before it
        while a <= b and (words[a] in _LEADING or not words[a][0].isalnum()):
            a += 1
        while b >= a and (words[b] in _TRAILING or not _closes(words, a, b)):
            b -= 1
        if a <= b:
            out.append((a, b))
    return out


_FUNCTION_WORDS = _WORDS.function_words


def _worth_keeping(text: str) -> bool:
    """A mention names something: not only punctuation and function words ("the")."""
    return any(w not in _FUNCTION_WORDS for w in normal(text).split())


# --- gathering mentions into entities ----------------------------------------------------


def normal(text: str) -> str:
    """The comparable form of a mention: folded, no punctuation or articles."""
    return " ".join(_ARTICLES.sub(" ", _PUNCT.sub(" ", fold_key(text))).split())


def _initials(words: Sequence[str]) -> str:
    return "".join(w[0] for w in words if w not in _STOP)


def same_entity(role: str, a: str, b: str, orgs: Organisations) -> bool:
    """Whether two mentions in one role name the same entity."""
    na, nb = normal(a), normal(b)
    if na == nb:
        return True
    ta, tb = na.split(), nb.split()
    if not ta or not tb:
        return False
    if role == "PerpOrg":
        oa, ob = organisation_of(a, orgs), organisation_of(b, orgs)
        if oa is not None and ob is not None and orgs.related(oa.id, ob.id):
            return True
        # "FMLN" and "Farabundo Marti National Liberation Front"
        return (len(ta) == 1 and _initials(tb) == na) or (len(tb) == 1 and _initials(ta) == nb)
    if role == "Victim":  # "Romero" and "Oscar Arnulfo Romero"
        return (len(ta) == 1 and ta[0] in tb) or (len(tb) == 1 and tb[0] in ta)
    return ta[-1].rstrip("s") == tb[-1].rstrip("s")  # same head word: "farm", "the farm"


def organisation_of(text: str, orgs: Organisations) -> Organisation | None:
    rules = orgs.names.get(fold_key(text), [])
    return rules[0].org if rules else None


def _keys(
    role: str, text: str, orgs: Organisations
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """For one mention, the keys to look up among earlier mentions, and the keys to file
    it under: two mentions are ``same_entity`` exactly when one's look-up keys meet the
    other's filed keys."""
    n = normal(text)
    words = n.split()
    find, file = [("=", n)], [("=", n)]
    if not words:
        return find, file
    if role == "PerpOrg":
        org = organisation_of(text, orgs)
        if org is not None:  # the same organisation, or one a branch of the other
            find += [("org", org.id), ("child-of", org.id)]
            file.append(("org", org.id))
            parent = orgs.by_id[org.id].parent if org.id in orgs.by_id else None
            if parent is not None:
                find.append(("org", parent))
                file.append(("child-of", parent))
        # "FMLN" and "Farabundo Marti National Liberation Front"
        find.append(("acronym", _initials(words)))
        file.append(("initials", _initials(words)))
        if len(words) == 1:
            find.append(("initials", n))
            file.append(("acronym", n))
    elif role == "Victim":  # "Romero" and "Oscar Arnulfo Romero"
        find += [("single", w) for w in words]
        file += [("word", w) for w in words]
        if len(words) == 1:
            find.append(("word", n))
            file.append(("single", n))
    else:  # the same head word: "farm", "the farm"
        head = ("head", words[-1].rstrip("s"))
        find.append(head)
        file.append(head)
    return find, file


def gather(
    role: str, mentions: Iterable[RoleMention], orgs: Organisations
) -> list[list[RoleMention]]:
    """Mentions grouped into entities, in order of first mention: each joins the first
    entity that holds a mention of the same entity (``same_entity``), else starts one.

    Linear in the mentions: the keys under which two mentions match are looked up in an
    index rather than every earlier mention compared.
    """
    entities: list[list[RoleMention]] = []
    index: dict[tuple[str, str], int] = {}  # key -> the first entity filed under it
    for m in sorted(mentions, key=lambda m: m.span.start):
        find, file = _keys(role, m.span.text, orgs)
        found = [index[k] for k in find if k in index]
        e = min(found) if found else len(entities)
        if found:
            entities[e].append(m)
        else:
            entities.append([m])
        for k in file:
            index[k] = min(index.get(k, e), e)
    return entities


# --- the shipped model -------------------------------------------------------------------

_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class InputCheck:
    """One input the taggers' features are made of, as the model recorded it and as
    shipped now."""

    name: str  # "word_classes", "lexicon" or "names"
    recorded: str | None  # the SHA-256 the model was trained with; None: not recorded
    current: str

    @property
    def matches(self) -> bool:
        return self.recorded is None or self.recorded == self.current


# What each input is, for people reading `tearline doctor`.
INPUTS = {
    "word_classes": "word classes (data/roles/wordclasses.json)",
    "lexicon": "extraction lexicon (data/lexicon/en/phrases.toml)",
    "names": "shipped place and organisation names (gazetteer.json, organisations.json)",
}


@dataclass(frozen=True, slots=True)
class RoleStatus:
    """Whether the learned taggers take part in extraction, and why (``tearline doctor``).

    The taggers never stop a run. Their features are computed from the shipped data
    only (names a deployment adds feed the rules, not the taggers), so a model keeps
    reading as it was trained until the shipped data changes; when it has, the taggers
    still run (``state`` "inputs changed": their held-out figures may no longer hold,
    rebuild with scripts/build_roles.py); a model that cannot be read, or was trained
    for other features, leaves the rules to work alone ("rules only").
    """

    state: str  # "in use", "inputs changed", "rules only" or "not built"
    reason: str  # one line for people
    checks: tuple[InputCheck, ...] = ()

    @property
    def usable(self) -> bool:
        """Extraction runs (with or without the taggers); always true, by design."""
        return True

    @property
    def changed(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.checks if not c.matches)


def _checks(meta: dict[str, Any]) -> tuple[InputCheck, ...]:
    current: dict[str, Callable[[], str]] = {
        "word_classes": word_classes_digest,
        "lexicon": lx.digest,
        "names": lambda: names_digest(gazetteer.load(), organisations.load()),
    }
    out = []
    for key, digest in current.items():
        recorded = meta.get(key)
        sha = recorded.get("sha256") if isinstance(recorded, dict) else None
        out.append(InputCheck(key, sha if isinstance(sha, str) else None, digest()))
    return tuple(out)


@cache
def _load() -> tuple[RoleModel | None, RoleStatus]:
    folder = resources.files("tearline.data").joinpath("roles")
    meta_file = folder.joinpath("model.json")
    if not meta_file.is_file():
        return None, RoleStatus("not built", "no role model is shipped: the rules work alone")
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        model = RoleModel(
            [folder.joinpath(name).read_bytes() for name in meta["taggers"]],
            folder.joinpath("relevance.crfsuite").read_bytes(),
            meta,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        why = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
        return None, RoleStatus("rules only", f"the role model cannot be used ({why})")
    checks = _checks(meta)
    changed = [c.name for c in checks if not c.matches]
    if not changed:
        return model, RoleStatus(
            "in use", "the role taggers run on the inputs they were trained on", checks
        )
    return model, RoleStatus(
        "inputs changed",
        "the role taggers run, but the shipped "
        + ", ".join(INPUTS[c] for c in changed)
        + " differ from what they were trained on; their held-out figures may not hold "
        "until the model is rebuilt (scripts/build_roles.py)",
        checks,
    )


def load() -> RoleModel | None:
    """The shipped model, loaded once per process; None if it has not been built or
    cannot be used (``status()`` says why). Never raises."""
    with _lock:
        return _load()[0]


def status() -> RoleStatus:
    """Whether the taggers take part, and which of their inputs match the model."""
    with _lock:
        return _load()[1]
