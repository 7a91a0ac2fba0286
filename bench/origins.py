"""Origin comparison at ingest's scale: one new report against a store of recent ones.

Tearline compares exact shingle sets (``assess.origins``); the peer is datasketch's
MinHash (128 permutations) estimating the same Jaccard, with signatures made once per
report as an index would keep them. Both read the 432 texts of the hand-keyed pairs
(tests/assess/fixtures/origins/pairs.jsonl). Printed: fingerprints per second (each
report read once), comparisons per second (every report against every other), and the
ratio Tearline / datasketch; and how often the MinHash estimate falls on the other side
of the Jaccard threshold from the exact figure.

    python bench/origins.py [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from tearline.assess.origins import compare, fingerprint, load_rules
from tearline.evaluation.origins import read_pairs

PAIRS = Path(__file__).resolve().parent.parent / "tests/assess/fixtures/origins/pairs.jsonl"


def _median(fn: object, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    rules = load_rules()
    reports = [r for p in read_pairs(PAIRS) for r in (p.a, p.b)]
    n = len(reports)
    prints = [fingerprint(r, rules) for r in reports]
    fp_s = _median(lambda: [fingerprint(r, rules) for r in reports], rounds)
    cmp_s = _median(lambda: [compare(a, b, rules) for a in prints for b in prints], rounds)
    print(f"{n} reports, {n * n} comparisons, median of {rounds} rounds")
    print(f"tearline   fingerprints {n / fp_s:10.0f}/s   comparisons {n * n / cmp_s:10.0f}/s")
    try:
        from datasketch import MinHash
    except ImportError:
        print("datasketch not installed (pip install '.[bench]'): no peer to compare with")
        return

    def sign(shingles: frozenset[str]) -> MinHash:
        m = MinHash(num_perm=128)
        m.update_batch([s.encode() for s in shingles])
        return m

    sigs = [sign(p.shingles) for p in prints]
    mh_fp = _median(lambda: [sign(p.shingles) for p in prints], rounds)
    mh_cmp = _median(lambda: [a.jaccard(b) for a in sigs for b in sigs], rounds)
    print(f"datasketch fingerprints {n / mh_fp:10.0f}/s   comparisons {n * n / mh_cmp:10.0f}/s")
    print(
        f"ratio tearline/datasketch: fingerprints {mh_fp / fp_s:.2f}x, comparisons "
        f"{mh_cmp / cmp_s:.2f}x"
    )
    flips = 0
    for i, a in enumerate(prints):
        for j, b in enumerate(prints):
            if a.shingles and b.shingles:
                exact = len(a.shingles & b.shingles) / len(a.shingles | b.shingles)
                flips += (exact >= rules.jaccard) != (sigs[i].jaccard(sigs[j]) >= rules.jaccard)
    print(f"MinHash on the other side of Jaccard {rules.jaccard}: {flips} of {n * n} comparisons")


if __name__ == "__main__":
    main()
