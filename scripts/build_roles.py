"""Train the role taggers and the document model shipped in src/tearline/data/roles/.

Input: MUC-4 documents with their answer keys in the JSON-lines form of GRIT's
processed files (``docid``, ``doctext``, ``extracts`` with PerpInd, PerpOrg, Target,
Victim, Weapon, each gold entity a list of ``[mention, offset]``) - the development
("train") split, 1,300 documents. The corpus is not in the repository; give its path:

    python scripts/build_roles.py --train ../shared/data/muc4/grit_processed_train_dev.json

Training is deterministic (L-BFGS). The thresholds (how sure the taggers must be of a
filler; how likely the document must be to report an incident) are chosen on held-out
output: the documents in five folds, each fold read by models trained on the other four,
exactly as ``tearline extract`` reads (events first, then the role fillers given to
them), the values with the best micro F1 (CEAF-REE) over all folds. The shipped models
are then trained on all the documents. The six trainings run in two processes: about
twelve minutes on two idle cores. It writes tagger-l1.crfsuite and tagger-l2.crfsuite
(the word taggers), relevance.crfsuite (the document model) and model.json (feature
version, vocabulary, thresholds, held-out scores, and where the data came from).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycrfsuite

from tearline.evaluation.ceaf import RoleScore, ceaf_ree
from tearline.evaluation.muc4 import DEFAULT_DATE
from tearline.extract import gazetteer, organisations
from tearline.extract._doc import Doc, prepare
from tearline.extract._lexicon import digest as lexicon_digest
from tearline.extract._pipeline import extract_with
from tearline.extract._role_features import (
    FEATURES_VERSION,
    TOKEN,
    Marks,
    Sentence,
    featurise,
    names_digest,
    read_sentences,
    relevance_features,
)
from tearline.extract._roles import ROLE_FIELDS, RoleModel, document_relevance, same_entity
from tearline.extract._wordclasses import digest as word_classes_digest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "src" / "tearline" / "data" / "roles"
# Two taggers on the same features, one with a sparser and one with a denser penalty
# (more L1, more L2): the mean of their probabilities is steadier than either alone.
TAGGERS = {
    "tagger-l1.crfsuite": {"c1": 0.05, "c2": 0.01, "max_iterations": 150},
    "tagger-l2.crfsuite": {"c1": 0.01, "c2": 0.3, "max_iterations": 150},
}
RELEVANCE_PARAMS = {"c1": 0.02, "c2": 1.0, "max_iterations": 200}
FOLDS = 5  # the thresholds are chosen on held-out output of five folds
MENTION_GRID = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
RELEVANCE_GRID = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3)


def read_corpus(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    sys.exit(f"{path}:{n}: not JSON ({exc.msg})")


def vocabulary(texts: list[str]) -> dict[str, str]:
    """How often each word occurs in the training texts, as a bucket."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(m.group().lower() for m in TOKEN.finditer(text))
    return {
        w: "rare" if n < 3 else "mid" if n < 20 else "common" for w, n in sorted(counts.items())
    }


def gold_spans(text: str, extracts: dict[str, Any]) -> list[tuple[int, int, str]]:
    """Every occurrence of every key string: the keys name an entity once, the text
    may name it many times, and the tagger should learn all of them."""
    low = text.lower()
    spans = []
    for role in ROLE_FIELDS:
        for entity in extracts.get(role, []):
            for mention, _offset in entity:
                for m in re.finditer(re.escape(mention.lower()), low):
                    spans.append((m.start(), m.end(), role))
    return sorted(spans, key=lambda s: s[0] - s[1])  # longest first


def labels(sent: Sentence, spans: list[tuple[int, int, str]]) -> list[str]:
    out = ["O"] * len(sent.tokens)
    starts = {a: i for i, (a, _) in enumerate(sent.tokens)}
    ends = {b: i for i, (_, b) in enumerate(sent.tokens)}
    for a, b, role in spans:
        i, j = starts.get(a), ends.get(b)
        if i is None or j is None or any(x != "O" for x in out[i : j + 1]):
            continue
        out[i] = f"B-{role}"
        for k in range(i + 1, j + 1):
            out[k] = f"I-{role}"
    return out


@dataclass
class Item:
    """One training document, read once."""

    docid: str
    doc: Doc
    extracts: dict[str, Any]
    fold: int
    sents: list[Sentence]
    marks: Marks
    relevance: float = 0.0  # the document model's score, from a model that did not see it

    @property
    def relevant(self) -> bool:
        return any(self.extracts.get(r) for r in ROLE_FIELDS)


def train_models(items: list[Item], out: Path) -> dict[str, str]:
    """Train the taggers and the document model on ``items``; returns the vocabulary."""
    vocab = vocabulary([i.doc.text for i in items])
    taggers = {name: pycrfsuite.Trainer(verbose=False) for name in TAGGERS}
    relevance = pycrfsuite.Trainer(verbose=False)
    for item in items:
        featurise(item.doc, item.sents, item.marks, vocab, item.relevance)
        spans = gold_spans(item.doc.text, item.extracts)
        for s in item.sents:
            y = labels(s, spans)
            for trainer in taggers.values():
                trainer.append(s.features, y)
        relevance.append(
            [relevance_features(item.doc, item.sents, item.marks)],
            ["R" if item.relevant else "N"],
        )
    for name, trainer in taggers.items():
        trainer.set_params({**TAGGERS[name], "feature.possible_transitions": True})
        trainer.train(str(out / name))
    relevance.set_params(RELEVANCE_PARAMS)
    relevance.train(str(out / "relevance.crfsuite"))
    return vocab


def held_out_relevance(items: list[Item]) -> None:
    """Each document's relevance from a document model trained on the other folds: the
    taggers learn from scores like those they will meet, not from memorised ones."""
    for fold in range(FOLDS):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "relevance.crfsuite"
            trainer = pycrfsuite.Trainer(verbose=False)
            for i in items:
                if i.fold != fold:
                    features = relevance_features(i.doc, i.sents, i.marks)
                    trainer.append([features], ["R" if i.relevant else "N"])
            trainer.set_params(RELEVANCE_PARAMS)
            trainer.train(str(path))
            model = pycrfsuite.Tagger()
            model.open(str(path))
            for i in items:
                if i.fold == fold:
                    i.relevance = document_relevance(model, i.doc, i.sents, i.marks)
            model.close()


Filler = tuple[str, str, float]  # role, the filler's text, its confidence
HeldOut = tuple[str, float, list[Filler]]  # docid, relevance, fillers


def held_out(items: list[Item], fold: int) -> list[HeldOut]:
    """Train on the other folds and read this one as ``tearline extract`` would (events,
    then role fillers given to them), keeping every filler with its confidence: what
    the thresholds are chosen on."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        vocab = train_models([i for i in items if i.fold != fold], out)
        model = RoleModel(
            [(out / name).read_bytes() for name in TAGGERS],
            (out / "relevance.crfsuite").read_bytes(),
            {
                "features_version": FEATURES_VERSION,
                "vocabulary": vocab,
                "thresholds": {"mention": dict.fromkeys(ROLE_FIELDS, 0.0), "relevance": 0.0},
            },
        )
    gaz, orgs = gazetteer.load(), organisations.load()
    read = []
    for i in items:
        if i.fold == fold:
            relevance = model.read(i.doc, gaz, orgs).relevance
            fillers = [
                (role, f.span.text, f.confidence)
                for e in extract_with(i.doc.text, DEFAULT_DATE, model)
                for role, name in ROLE_FIELDS.items()
                for f in getattr(e, name)
                if role != "Victim" or f.named
            ]
            read.append((i.docid, relevance, fillers))
    return read


def _scores(
    read: list[HeldOut], gold: dict[str, Any], mention: dict[str, float], relevance: float
) -> dict[str, RoleScore]:
    """CEAF-REE of the fillers that pass the thresholds, one mention per entity as
    ``tearline eval muc4`` predicts them."""
    orgs = organisations.load()
    predicted: dict[str, dict[str, list[list[str]]]] = {}
    for docid, p, fillers in read:
        roles: dict[str, list[str]] = {role: [] for role in ROLE_FIELDS}
        if p >= relevance:
            for role, text, score in fillers:
                texts = roles[role]
                if score >= mention[role] and not any(
                    same_entity(role, text, t, orgs) for t in texts
                ):
                    texts.append(text)
        predicted[docid] = {role: [[t] for t in texts] for role, texts in roles.items()}
    return ceaf_ree(predicted, gold)


def choose_thresholds(read: list[HeldOut], items: list[Item]) -> dict[str, Any]:
    """Per role, how sure the taggers must be of a filler, and how likely the document
    must be to report an incident: the values with the best micro F1 (CEAF-REE) over the
    held-out output of all folds, by coordinate ascent over a grid."""
    gold = {
        i.docid: {r: [[m for m, _ in e] for e in i.extracts.get(r, [])] for r in ROLE_FIELDS}
        for i in items
    }
    best: dict[str, Any] = {"f1": -1.0}
    for relevance in RELEVANCE_GRID:
        mention = dict.fromkeys(ROLE_FIELDS, 0.2)
        for _ in range(2):
            for role in ROLE_FIELDS:
                mention[role] = max(
                    MENTION_GRID,
                    key=lambda t, r=role: (
                        _scores(read, gold, {**mention, r: t}, relevance)["micro"].f1
                    ),
                )
        scores = _scores(read, gold, mention, relevance)
        if scores["micro"].f1 > best["f1"]:
            best = {
                "f1": round(scores["micro"].f1, 4),
                "mention": dict(mention),
                "relevance": relevance,
                "per_role_f1": {r: round(scores[r].f1, 4) for r in ROLE_FIELDS},
            }
    return best


def train(docs: list[dict[str, Any]], out: Path, workers: int) -> dict[str, Any]:
    gaz, orgs = gazetteer.load(), organisations.load()
    items = []
    for n, d in enumerate(docs):
        doc = prepare(d["doctext"])
        items.append(
            Item(d["docid"], doc, d["extracts"], n % FOLDS, *read_sentences(doc, gaz, orgs))
        )
    held_out_relevance(items)
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        final = pool.apply_async(train_models, (items, out))
        parts = pool.starmap(held_out, [(items, fold) for fold in range(FOLDS)])
        vocab = final.get()
    chosen = choose_thresholds([r for part in parts for r in part], items)
    return {
        "vocabulary": vocab,
        "documents": len(items),
        "relevant_documents": sum(i.relevant for i in items),
        "held_out": chosen,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=Path, required=True, help="GRIT-form JSON lines")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    docs = list(read_corpus(args.train))
    if not docs:
        sys.exit(f"{args.train}: no documents")
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    got = train(docs, args.out, args.workers)
    held = got["held_out"]
    meta = {
        "format": "tearline.roles/1",
        "features_version": FEATURES_VERSION,
        "built_by": "scripts/build_roles.py",
        "trained_on": {
            "corpus": "MUC-4 development set (DEV-MUC3-0001..1300), GRIT's processed form",
            "file": args.train.name,
            "sha256": hashlib.sha256(args.train.read_bytes()).hexdigest(),
            "documents": got["documents"],
            "relevant_documents": got["relevant_documents"],
            "licence_note": "The model holds weights over words, not the texts; the MUC-4 "
            "corpus itself is not redistributed.",
        },
        "word_classes": {"file": "wordclasses.json", "sha256": word_classes_digest()},
        "lexicon": {"module": "tearline/extract/_lexicon.py", "sha256": lexicon_digest()},
        "names": {
            "files": ["gazetteer.json", "organisations.json"],
            "sha256": names_digest(gazetteer.load(), organisations.load()),
        },
        "taggers": list(TAGGERS),
        "tagger_params": TAGGERS,
        "relevance_params": RELEVANCE_PARAMS,
        "held_out": held,
        "thresholds": {"mention": held["mention"], "relevance": held["relevance"]},
        "vocabulary": got["vocabulary"],
    }
    (args.out / "model.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"trained on {got['documents']} documents in {time.perf_counter() - started:.0f} s")
    print(
        f"  held-out micro F1 {100 * held['f1']:.1f}; mention thresholds {held['mention']},"
        f" relevance threshold {held['relevance']}"
    )
    for name in (*TAGGERS, "relevance.crfsuite", "model.json"):
        print(f"  {args.out / name}: {(args.out / name).stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
