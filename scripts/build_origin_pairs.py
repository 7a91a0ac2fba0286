"""Build tests/assess/fixtures/origins/pairs.jsonl from the hand-written events.toml.

Each event gives an origin report (a), a report of the same origin (p) and an independent
report of the same event (i). The copies of a are made here, the way people re-send a
text: the same bytes under another source; re-typed (case, spacing, a few typos, lines
reflowed); forwarded under a header and a footer; cut short. Every pair's key (same origin
or not, and its kind) follows from how it was made, before any detector runs. The
randomness is seeded by the event's id, so the file is the same on every run.

    .venv/bin/python scripts/build_origin_pairs.py
"""

from __future__ import annotations

import json
import random
import textwrap
import tomllib
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).resolve().parent.parent / "tests/assess/fixtures/origins"

HEADERS = (
    "FYI - forwarded for awareness, please handle per SOP.\n",
    "Passing this on from the overnight desk, unverified.\n",
    "Below received by the watch officer at 0412Z, for action.\n",
)
FOOTERS = (
    "\n-- \nWatch desk, second shift. Do not reply to this address.",
    "\nPlease acknowledge receipt. Thanks, Ops.",
    "\n[end of forwarded text] Distribution: internal only.",
)


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 2)
    how = rng.choice(("swap", "drop", "double"))
    if how == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if how == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def retyped(text: str, rng: random.Random) -> str:
    """Re-typed by hand: other case here and there, spacing, a typo in one word in twenty,
    the lines reflowed to another width."""
    words = []
    for w in text.split():
        if rng.random() < 0.05:
            w = _typo(w, rng)
        if rng.random() < 0.15:
            w = w.upper() if rng.random() < 0.5 else w.lower()
        words.append(w)
    spaced = "".join(w + ("  " if rng.random() < 0.1 else " ") for w in words)
    return textwrap.fill(spaced, width=rng.choice((48, 64, 90)), replace_whitespace=False)


def forwarded(text: str, rng: random.Random) -> str:
    return rng.choice(HEADERS) + "\n" + text.strip() + "\n" + rng.choice(FOOTERS)


def truncated(text: str) -> str:
    words = text.split()
    return " ".join(words[: max(12, len(words) * 3 // 5)])


def _pair(
    ev: dict[str, Any], kind: str, same: bool, a: tuple[str, str], b: tuple[str, str]
) -> dict[str, Any]:
    return {
        "id": f"{ev['id']}-{kind}",
        "split": ev["split"],
        "kind": kind,
        "same_origin": same,
        "a": {"source": a[0], "text": a[1].strip()},
        "b": {"source": b[0], "text": b[1].strip()},
    }


def build(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    pairs = []
    for ev in events:
        rng = random.Random(ev["id"])  # noqa: S311 - seeded copies, not secrets
        a = (ev["a_source"], ev["a"])
        p = (ev["p_source"], ev["p"])
        i = (ev["i_source"], ev["i"])
        pairs += [
            _pair(ev, "exact", True, a, (ev["p_source"], ev["a"])),
            _pair(ev, "retyped", True, a, (ev["i_source"], retyped(ev["a"], rng))),
            _pair(ev, "forwarded", True, a, (ev["p_source"], forwarded(ev["a"], rng))),
            _pair(ev, "truncated", True, a, (ev["i_source"], truncated(ev["a"]))),
            _pair(ev, ev["p_kind"], True, a, p),
            _pair(ev, "independent", False, a, i),
            _pair(ev, "independent_echo", False, p, i),
        ]
    for split in ("dev", "test"):
        same = [ev for ev in events if ev["split"] == split]
        for n, ev in enumerate(same):
            other = same[(n + 1) % len(same)]
            far = same[(n + 2) % len(same)]
            pairs.append(
                _pair(
                    ev,
                    "unrelated",
                    False,
                    (ev["a_source"], ev["a"]),
                    (other["a_source"], other["a"]),
                )
                | {"id": f"{ev['id']}-unrelated-{other['id']}"}
            )
            pairs.append(
                _pair(
                    ev, "unrelated", False, (ev["p_source"], ev["p"]), (far["i_source"], far["i"])
                )
                | {"id": f"{ev['id']}-unrelated-{far['id']}"}
            )
    return pairs


def main() -> None:
    events = tomllib.loads((FOLDER / "events.toml").read_text("utf-8"))["event"]
    pairs = build(events)
    with (FOLDER / "pairs.jsonl").open("w", encoding="utf-8") as f:
        for pair in pairs:
            f.write(json.dumps(pair, ensure_ascii=False) + "\n")
    print(f"{len(pairs)} pairs written to {FOLDER / 'pairs.jsonl'}")


if __name__ == "__main__":
    main()
