"""CEAF-REE: role-filler entity scoring as recent MUC-4 papers report it (GRIT, GTT, IterX).

Per document and role, gold entities (each a list of mentions) and predicted entities are
aligned one to one (Hungarian, ``scipy.optimize.linear_sum_assignment``); a predicted
entity scores 1 against a gold entity when every mention of it, normalised, is among
the gold entity's normalised mentions ("phi-strict"). Precision divides the aligned
score by the predicted entities, recall by the gold entities; the micro average pools
the five roles' counts.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

ROLES = ("PerpInd", "PerpOrg", "Target", "Victim", "Weapon")
MICRO = "micro"

_ARTICLES = re.compile(r"\b(?:a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)

Entities = Sequence[Sequence[str]]  # entities, each a list of mentions as written
DocRoles = Mapping[str, Entities]  # role -> entities


def normalise(mention: str) -> str:
    """Lower case, ASCII punctuation and the articles a/an/the removed, spaces collapsed."""
    text = mention.lower().translate(_PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


@dataclass(frozen=True, slots=True)
class RoleScore:
    """Counts for one role (or the micro average) and the scores they give."""

    matched: float  # sum of the aligned similarities
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: RoleScore) -> RoleScore:
        return RoleScore(
            self.matched + other.matched, self.predicted + other.predicted, self.gold + other.gold
        )


def _entities(raw: Entities) -> list[frozenset[str]]:
    out = []
    for entity in raw:
        mentions = frozenset(normalise(m) for m in entity)
        if mentions:  # an entity without mentions is no entity (as in the reference scorer)
            out.append(mentions)
    return out


def aligned(predicted: Entities, gold: Entities) -> float:
    """The best one-to-one alignment score of predicted against gold entities."""
    pred, ref = _entities(predicted), _entities(gold)
    if not pred or not ref:
        return 0.0
    scores = np.array([[1.0 if p <= g else 0.0 for p in pred] for g in ref])
    rows, cols = linear_sum_assignment(scores, maximize=True)
    return float(scores[rows, cols].sum())


def ceaf_ree(
    predictions: Mapping[str, DocRoles], gold: Mapping[str, DocRoles]
) -> dict[str, RoleScore]:
    """Scores per role and ``"micro"``, over the documents of ``gold``.

    A document missing from ``predictions`` counts as predicting nothing; predictions
    for documents not in ``gold`` are ignored.
    """
    totals = {role: RoleScore(0.0, 0, 0) for role in ROLES}
    for docid, gold_roles in gold.items():
        pred_roles = predictions.get(docid, {})
        for role in ROLES:
            g, p = gold_roles.get(role, []), pred_roles.get(role, [])
            totals[role] += RoleScore(aligned(p, g), len(_entities(p)), len(_entities(g)))
    micro = RoleScore(0.0, 0, 0)
    for role in ROLES:
        micro += totals[role]
    return {**totals, MICRO: micro}
