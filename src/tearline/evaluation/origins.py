"""Precision and recall of "same origin" on pairs of reports keyed by hand.

A key file is JSON Lines, one pair a line: ``id``, ``split`` (dev or test), ``kind`` (how
the pair was made: exact, retyped, forwarded, truncated, paraphrase, attributed, passage,
reference; independent, independent_echo, unrelated), ``same_origin`` (true or false), and
``a`` and ``b``, each ``{"source": ..., "text": ...}`` (``a`` the earlier report). The
shipped set is tests/assess/fixtures/origins/pairs.jsonl.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tearline.assess.origins import OriginRules, Reported, shared_origin
from tearline.errors import InputError, NotFound


@dataclass(frozen=True, slots=True)
class OriginPair:
    id: str
    split: str
    kind: str
    same_origin: bool
    a: Reported
    b: Reported


@dataclass
class KindScore:
    """One kind of pair: how many, and how many the detector called same origin."""

    pairs: int = 0
    called_same: int = 0


@dataclass
class OriginsReport:
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0
    true_neg: int = 0
    kinds: dict[str, KindScore] = field(default_factory=dict)
    misses: list[tuple[str, bool, str]] = field(default_factory=list)  # id, key, why

    @property
    def precision(self) -> float:
        called = self.true_pos + self.false_pos
        return self.true_pos / called if called else 1.0

    @property
    def recall(self) -> float:
        same = self.true_pos + self.false_neg
        return self.true_pos / same if same else 1.0

    @property
    def pairs(self) -> int:
        return self.true_pos + self.false_pos + self.false_neg + self.true_neg

    def as_json(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "true_positives": self.true_pos,
            "false_positives": self.false_pos,
            "false_negatives": self.false_neg,
            "true_negatives": self.true_neg,
            "kinds": {
                k: {"pairs": s.pairs, "called_same": s.called_same} for k, s in self.kinds.items()
            },
            "misses": [{"id": i, "same_origin": key, "why": why} for i, key, why in self.misses],
        }


def _reported(raw: Any, ref: str, where: str) -> Reported:
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        raise InputError(f"{where}: '{ref}' must be an object with a 'text'")
    return Reported(ref=ref, text=raw["text"], source=raw.get("source") or None)


def read_pairs(path: Path) -> list[OriginPair]:
    """The keyed pairs in ``path``; InputError naming the line when one is malformed."""
    if not path.is_file():
        raise NotFound(f"no key file at {path}")
    pairs = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name} line {n}"
        try:
            raw = json.loads(line)
            pairs.append(
                OriginPair(
                    id=str(raw["id"]),
                    split=str(raw.get("split", "test")),
                    kind=str(raw["kind"]),
                    same_origin=bool(raw["same_origin"]),
                    a=_reported(raw["a"], f"{raw['id']}/a", where),
                    b=_reported(raw["b"], f"{raw['id']}/b", where),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(f"{where}: not a keyed pair ({exc})") from exc
    return pairs


def score_pairs(pairs: Iterable[OriginPair], rules: OriginRules) -> OriginsReport:
    report = OriginsReport()
    for pair in pairs:
        link = shared_origin(pair.a, pair.b, rules)
        called = link is not None
        kind = report.kinds.setdefault(pair.kind, KindScore())
        kind.pairs += 1
        kind.called_same += called
        if called and pair.same_origin:
            report.true_pos += 1
        elif called:
            report.false_pos += 1
        elif pair.same_origin:
            report.false_neg += 1
        else:
            report.true_neg += 1
        if called != pair.same_origin:
            report.misses.append((pair.id, pair.same_origin, link.why if link else "no tie found"))
    return report
