"""CEAF-REE as MUC-4 papers score it: normalised strings, one-to-one alignment, micro F1."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tearline.evaluation import ROLES, ceaf_ree, normalise
from tearline.evaluation.ceaf import aligned


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ('The "Santo Tomas" Presidential Farm', "santo tomas presidential farm"),
        ("an  AK-47 rifle", "ak47 rifle"),
        ("members of the FMLN.", "members of fmln"),
        ("a", ""),
        ("THEATRE", "theatre"),  # "the" inside a word stays
    ],
)
def test_normalisation(written: str, normal: str) -> None:
    assert normalise(written) == normal


def test_a_prediction_matches_when_its_string_is_any_mention_of_the_entity() -> None:
    gold = {"d": {"PerpOrg": [["Farabundo Marti National Liberation Front", "FMLN"]]}}
    got = ceaf_ree({"d": {"PerpOrg": [["the fmln"]]}}, gold)["PerpOrg"]
    assert (got.matched, got.predicted, got.gold) == (1.0, 1, 1)
    assert got.f1 == 1.0


def test_two_predictions_of_one_entity_count_once() -> None:
    # Mentions of one entity predicted as two entities: one aligns, the other is wrong.
    gold = {"d": {"PerpOrg": [["farabundo marti national liberation front", "fmln"]]}}
    pred = {"d": {"PerpOrg": [["fmln"], ["farabundo marti national liberation front"]]}}
    got = ceaf_ree(pred, gold)["PerpOrg"]
    assert (got.precision, got.recall) == (0.5, 1.0)


def test_every_mention_of_a_predicted_entity_must_be_in_the_gold_entity() -> None:
    gold = {"d": {"Weapon": [["dynamite"]]}}
    assert ceaf_ree({"d": {"Weapon": [["dynamite", "rifles"]]}}, gold)["Weapon"].matched == 0


def test_alignment_is_optimal_not_greedy() -> None:
    # Greedy would give the first prediction to the first gold entity and score 1 of 2.
    gold = [["guerrillas", "rebels"], ["guerrillas"]]
    pred = [["guerrillas"], ["rebels"]]
    assert aligned(pred, gold) == 2.0


def test_missing_documents_predict_nothing_and_micro_pools_the_roles() -> None:
    gold = {
        "a": {"Weapon": [["bomb"]], "Victim": [["jose rivas"]]},
        "b": {"Target": [["bus"]]},
    }
    pred = {"a": {"Weapon": [["bomb"], ["rifle"]]}, "other": {"Target": [["bus"]]}}
    scores = ceaf_ree(pred, gold)
    assert set(scores) == {*ROLES, "micro"}
    micro = scores["micro"]
    assert (micro.matched, micro.predicted, micro.gold) == (1.0, 2, 3)
    assert micro.precision == 0.5
    assert micro.recall == pytest.approx(1 / 3)
    assert micro.f1 == pytest.approx(0.4)


def _brute_force(pred: list[list[str]], gold: list[list[str]]) -> float:
    p = [frozenset(normalise(m) for m in e) for e in pred]
    g = [frozenset(normalise(m) for m in e) for e in gold]
    if not p or not g:
        return 0.0
    small, large = (p, g) if len(p) <= len(g) else (g, p)
    best = 0.0
    for perm in itertools.permutations(range(len(large)), len(small)):
        pairs = [(small[i], large[j]) for i, j in enumerate(perm)]
        score = sum(1.0 for a, b in pairs if (a <= b if small is p else b <= a))
        best = max(best, score)
    return best


_words = st.sampled_from(["fmln", "guerrillas", "the army", "rebels", "bomb", "a bus"])


@settings(max_examples=150, deadline=None)
@given(
    pred=st.lists(st.lists(_words, min_size=1, max_size=2), max_size=4),
    gold=st.lists(st.lists(_words, min_size=1, max_size=3), max_size=4),
)
def test_hungarian_alignment_equals_the_best_of_all_alignments(
    pred: list[list[str]], gold: list[list[str]]
) -> None:
    assert aligned(pred, gold) == _brute_force(pred, gold)
