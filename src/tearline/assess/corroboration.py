"""How many independent origins a case's reports have, and the best reliability among them.

Corroboration counts origins, not copies: a report that repeats another (assess.origins)
adds nothing, and neither does a second report from the same source. An echo does not
lift reliability either: a copy of an E report re-sent by a B source is still an E
report, so each origin is graded by the source of its earliest report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CaseReport:
    """One report of a case, as counting sees it."""

    ref: str  # RPT-n
    origin: str  # the ref of the earliest report of its origin: its own when an origin
    origin_source: str | None  # that origin's source (any stable key); None: unsourced
    origin_reliability: str | None  # that source's Admiralty grade, A-F; None: unsourced
    echo: str | None = None  # why it shares the origin ("near-duplicate of RPT-1 ...")


@dataclass(frozen=True)
class Corroboration:
    reliability: str  # the best grade among the origins' sources; F when none is graded
    corroborations: int  # independent origins beyond the first
    reports: int
    origins: int
    why: str  # "3 reports, 2 independent origins: RPT-3 repeats RPT-1 (...)"


def count_origins(reports: Sequence[CaseReport]) -> Corroboration:
    """The reliability and corroboration a case's reports give, and why. Pure."""
    ordered = sorted(reports, key=lambda r: _number(r.ref))
    origins: dict[str, CaseReport] = {}
    notes: list[str] = []
    for r in ordered:
        if r.origin != r.ref or r.origin in origins:
            if r.origin not in origins:
                origins[r.origin] = r  # its origin is not on the case: it stands in for it
            notes.append(f"{r.ref} repeats {r.origin}" + (f" ({r.echo})" if r.echo else ""))
            continue
        origins[r.origin] = r
    # A source reporting twice does not corroborate itself.
    independent: dict[str, CaseReport] = {}
    for ref, r in origins.items():
        key = f"source:{r.origin_source}" if r.origin_source is not None else f"report:{ref}"
        if key in independent:
            notes.append(f"{ref} comes from the same source as {independent[key].origin}")
            continue
        independent[key] = r
    grades = sorted(r.origin_reliability for r in independent.values() if r.origin_reliability)
    n = len(independent)
    why = (
        f"{len(ordered)} report{'s' * (len(ordered) != 1)}, {n} independent origin{'s' * (n != 1)}"
    )
    if notes:
        why += ": " + "; ".join(notes)
    return Corroboration(
        reliability=grades[0] if grades else "F",
        corroborations=max(0, n - 1),
        reports=len(ordered),
        origins=n,
        why=why,
    )


def _number(ref: str) -> tuple[int, str]:
    tail = ref.rsplit("-", 1)[-1]
    return (int(tail), ref) if tail.isdigit() else (0, ref)
