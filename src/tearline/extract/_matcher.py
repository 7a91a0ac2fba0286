"""Multi-pattern phrase matching over folded text (Aho-Corasick), whole words only."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import ahocorasick

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    """A phrase found at text[start:end], with every value filed under that phrase."""

    start: int
    end: int
    values: tuple[T, ...]


class PhraseIndex(Generic[T]):
    """Finds many phrases at once in time linear in the text.

    Keys must already be folded (see ``_text.fold_key``); the text searched must be the
    folded document, so offsets are offsets into the original.
    """

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        grouped: dict[str, list[T]] = {}
        for key, value in entries:
            if key:
                grouped.setdefault(key, []).append(value)
        self._values: list[tuple[T, ...]] = []
        self._lengths: list[int] = []
        self._automaton = ahocorasick.Automaton()
        for i, (key, values) in enumerate(grouped.items()):
            self._automaton.add_word(key, i)  # an int value: much faster to build
            self._values.append(tuple(values))
            self._lengths.append(len(key))
        self._empty = not grouped
        if not self._empty:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return len(self._values)

    def find(self, folded: str) -> list[Match[T]]:
        """Every whole-word occurrence, overlapping ones included, ordered by end."""
        if self._empty:
            return []
        out: list[Match[T]] = []
        n = len(folded)
        lengths = self._lengths
        for last, idx in self._automaton.iter(folded):
            start, end = last - lengths[idx] + 1, last + 1
            if start > 0 and _is_word(folded[start - 1]) and _is_word(folded[start]):
                continue
            if end < n and _is_word(folded[end]) and _is_word(folded[end - 1]):
                continue
            out.append(Match(start, end, self._values[idx]))
        return out


def _is_word(c: str) -> bool:
    return c.isalnum()


def leftmost_longest(matches: Sequence[Match[T]]) -> list[Match[T]]:
    """Non-overlapping matches, preferring the earliest and then the longest."""
    ordered = sorted(matches, key=lambda m: (m.start, -m.end))
    out: list[Match[T]] = []
    reach = -1
    for m in ordered:
        if m.start >= reach:
            out.append(m)
            reach = m.end
    return out
