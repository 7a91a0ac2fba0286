"""Grading a threat: Admiralty code, ICD 203 likelihood, specificity, imminence, severity.

Every grade comes with a one-line rationale, so the analyst who overrides it — and the
auditor who reads it afterwards — can see why it was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tearline.model import (
    HARM_IN_SCOPE,
    LETHAL_METHODS,
    MASS_CASUALTY_METHODS,
    Event,
    EventKind,
    Harm,
    Method,
    Modality,
    PlacePrecision,
    TargetType,
)

RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}


class Likelihood(StrEnum):
    """ICD 203 expressions of likelihood, in order, with their probability ranges."""

    ALMOST_NO_CHANCE = "almost no chance"
    VERY_UNLIKELY = "very unlikely"
    UNLIKELY = "unlikely"
    ROUGHLY_EVEN = "roughly even chance"
    LIKELY = "likely"
    VERY_LIKELY = "very likely"
    ALMOST_CERTAIN = "almost certain"

    @property
    def percent(self) -> tuple[int, int]:
        return _PERCENT[self]

    def lower(self, steps: int = 1) -> Likelihood:
        order = list(Likelihood)
        return order[max(0, order.index(self) - steps)]


_PERCENT = {
    Likelihood.ALMOST_NO_CHANCE: (1, 5),
    Likelihood.VERY_UNLIKELY: (5, 20),
    Likelihood.UNLIKELY: (20, 45),
    Likelihood.ROUGHLY_EVEN: (45, 55),
    Likelihood.LIKELY: (55, 80),
    Likelihood.VERY_LIKELY: (80, 95),
    Likelihood.ALMOST_CERTAIN: (95, 99),
}


class Imminence(StrEnum):
    IMMINENT = "imminent"  # the window is open or opens within 72 hours
    NEAR_TERM = "near-term"  # opens within the imminence horizon (a setting)
    DISTANT = "distant"
    EXPIRED = "expired"  # the window has closed
    UNKNOWN = "unknown"  # no time given
    PAST = "past"  # an incident: it happened


class Severity(StrEnum):
    EXTREME = "extreme"
    SEVERE = "severe"
    MODERATE = "moderate"
    MINOR = "minor"


@dataclass(frozen=True)
class Specificity:
    who: bool
    where: bool
    when: bool
    how: bool

    @property
    def count(self) -> int:
        return sum((self.who, self.where, self.when, self.how))

    def as_dict(self) -> dict[str, bool]:
        return {"who": self.who, "where": self.where, "when": self.when, "how": self.how}


@dataclass(frozen=True)
class Assessment:
    source_reliability: str
    info_credibility: int
    likelihood: Likelihood | None  # None for incidents: they are not forecasts
    specificity: Specificity
    imminence: Imminence
    hours_to_window: float | None
    severity: Severity
    rationale: dict[str, str]

    @property
    def admiralty(self) -> str:
        return f"{self.source_reliability}{self.info_credibility}"


IMMINENT_HOURS = 72
_CREDIBILITY_BY_RELIABILITY = {"A": 2, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6}
_LIKELIHOOD_BY_CREDIBILITY = {
    1: Likelihood.VERY_LIKELY,
    2: Likelihood.LIKELY,
    3: Likelihood.ROUGHLY_EVEN,
    4: Likelihood.UNLIKELY,
    5: Likelihood.VERY_UNLIKELY,
    6: Likelihood.ROUGHLY_EVEN,
}
_PUBLIC_TARGETS = frozenset(
    {TargetType.MASS_GATHERING, TargetType.CONCERT, TargetType.CIVILIANS, TargetType.TRANSPORT}
)


def _credibility(reliability: str, corroborations: int) -> tuple[int, str]:
    if corroborations > 0:
        return 1, f"confirmed by {corroborations} other independent source(s)"
    grade = _CREDIBILITY_BY_RELIABILITY[reliability]
    return grade, f"single source, {RELIABILITY[reliability]}: {CREDIBILITY[grade]}"


def _likelihood(event: Event, credibility: int) -> tuple[Likelihood | None, str]:
    if event.kind is EventKind.INCIDENT:
        return None, "an incident that happened; likelihood applies to threats"
    band = _LIKELIHOOD_BY_CREDIBILITY[credibility]
    why = f"information {CREDIBILITY[credibility]}"
    if event.modality in (Modality.HYPOTHETICAL, Modality.DENIED):
        band = band.lower(2)
        why += f"; the report only says it is {event.modality.value}"
    elif event.modality is Modality.PLANNED and credibility <= 2:
        why += "; an active plan is reported"
    return band, why


def _specificity(event: Event, horizon_days: int) -> Specificity:
    who = bool(event.actors)
    where = event.place is not None and event.place.precision in (
        PlacePrecision.VENUE,
        PlacePrecision.DISTRICT,
        PlacePrecision.CITY,
    )
    # "When" is stated if the text bounds the time to a window no longer than the horizon.
    when = event.time is not None and (
        event.time.end - event.time.start <= timedelta(days=horizon_days)
    )
    how = event.method is not None and event.method.method is not Method.UNKNOWN
    return Specificity(who=who, where=where, when=when, how=how)


def _imminence(event: Event, now: datetime, horizon_days: int) -> tuple[Imminence, float | None]:
    if event.kind is EventKind.INCIDENT:
        return Imminence.PAST, None
    if event.time is None:
        return Imminence.UNKNOWN, None
    hours = (event.time.start - now).total_seconds() / 3600
    if event.time.end < now:
        return Imminence.EXPIRED, hours
    if hours <= IMMINENT_HOURS:
        return Imminence.IMMINENT, hours
    if hours <= horizon_days * 24:
        return Imminence.NEAR_TERM, hours
    return Imminence.DISTANT, hours


def _severity(event: Event) -> tuple[Severity, str]:
    harms = event.harms
    killed = event.casualties.killed.min if event.casualties.killed else 0
    public = any(t.type in _PUBLIC_TARGETS for t in event.targets)
    method = event.method.method if event.method is not None else None
    mass_method = method in MASS_CASUALTY_METHODS
    if Harm.KILLING in harms and (public or killed >= 10 or mass_method):
        return Severity.EXTREME, "intent to kill, with mass-casualty targets or method"
    if mass_method and public and method is not None:
        # "Suicide bombers plan to attack crowds" states no harm verb; the method does.
        return Severity.EXTREME, f"{method.value.replace('_', ' ')} against people in public"
    if harms & {Harm.KILLING, Harm.KIDNAPPING}:
        return Severity.SEVERE, "threat to life or liberty"
    if method in LETHAL_METHODS and method is not None:
        return Severity.SEVERE, f"method ({method.value.replace('_', ' ')}) threatens life"
    if harms & HARM_IN_SCOPE:
        return Severity.MODERATE, "serious bodily injury"
    return Severity.MINOR, "no harm to people stated"


def assess(
    event: Event,
    *,
    source_reliability: str,
    corroborations: int,
    now: datetime,
    horizon_days: int,
    graded_credibility: tuple[int, str] | None = None,
    origins: str | None = None,
) -> Assessment:
    """Grade one event (a threat case's current facts). Pure: ``now`` is passed in.

    ``corroborations`` counts independent origins beyond the first, not copies
    (assess.corroboration); ``origins`` says how they were counted ("3 reports, 2
    independent origins: RPT-3 repeats RPT-1"), and the credibility rationale ends with it.
    ``graded_credibility`` is an analyst's grade of the information (1-6, with the
    reason); it replaces the computed one, and the rationale says so.
    """
    reliability = source_reliability.upper()
    if reliability not in RELIABILITY:
        raise ValueError(f"source reliability must be one of A-F, not {source_reliability!r}")
    credibility, cred_why = graded_credibility or _credibility(reliability, corroborations)
    if origins:
        cred_why = f"{cred_why} ({origins})"
    likelihood, like_why = _likelihood(event, credibility)
    spec = _specificity(event, horizon_days)
    imminence, hours = _imminence(event, now, horizon_days)
    severity, sev_why = _severity(event)
    missing = [k for k, v in spec.as_dict().items() if not v]
    return Assessment(
        source_reliability=reliability,
        info_credibility=credibility,
        likelihood=likelihood,
        specificity=spec,
        imminence=imminence,
        hours_to_window=hours,
        severity=severity,
        rationale={
            "source": f"{reliability}: {RELIABILITY[reliability]}",
            "credibility": cred_why,
            "likelihood": like_why,
            "specificity": "states "
            + ", ".join(k for k, v in spec.as_dict().items() if v)
            + (f"; missing {', '.join(missing)}" if missing else ""),
            "imminence": _imminence_text(imminence, hours),
            "severity": sev_why,
        },
    )


def _imminence_text(imminence: Imminence, hours: float | None) -> str:
    if hours is None:
        return imminence.value
    if imminence is Imminence.EXPIRED:
        return f"{imminence.value}: the window has closed"
    if hours <= 0:
        return f"{imminence.value}: the window is already open"
    return f"{imminence.value}: the window opens in {hours:.0f} h"
