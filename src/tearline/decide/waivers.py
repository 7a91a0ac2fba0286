"""Waiver reasons, as data. ICD 191's full list was not verified: keep it editable here.

A waiver needs a written justification and a second person's approval.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WaiverReason:
    code: str
    text: str
    verified: bool  # quoted from a public text of ICD 191, or only commonly cited


WAIVER_REASONS: tuple[WaiverReason, ...] = (
    WaiverReason(
        "endanger-sources-methods",
        "Warning would unduly endanger personnel, sources, methods, intelligence operations "
        "or defense operations.",
        verified=True,
    ),
    WaiverReason(
        "victim-violent-actor",
        "There is a reasonable basis to believe the intended victim is a terrorist, a direct "
        "supporter of terrorists, an assassin, a drug trafficker, or involved in violent crimes.",
        verified=True,
    ),
    WaiverReason(
        "insurgency-participant",
        "The intended victim is at risk only because of participation in an insurgency or "
        "insurrection.",
        verified=True,
    ),
    WaiverReason(
        "victim-already-knows",
        "The intended victim already knows of the specific threat.",
        verified=False,
    ),
    WaiverReason(
        "no-reasonable-way",
        "There is no reasonable way to warn the intended victim.",
        verified=False,
    ),
)

_BY_CODE = {w.code: w for w in WAIVER_REASONS}


def waiver_reason(code: str) -> WaiverReason | None:
    return _BY_CODE.get(code)
