"""Releasability: how precise each fact may be for each recipient tier — as data.

The defaults below are a starting point, documented in docs/releasability.md; a
deployment edits them. The trade-off is the core judgement of this work: too vague and
the warning cannot be acted on ("too general"), too precise and it exposes the source.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tearline.model import PlacePrecision, Tier, TimePrecision


class ActorLevel(StrEnum):
    NAMED = "named"  # "ISIL Khorasan (ISIS-K)"
    GENERIC = "generic"  # "extremists"
    WITHHELD = "withheld"


class Detail(StrEnum):
    SPECIFIC = "specific"  # a named target, a method with its weapon
    CATEGORY = "category"  # "concert venues", "an armed attack"
    WITHHELD = "withheld"


@dataclass(frozen=True)
class TierPolicy:
    place: PlacePrecision  # the most precise place this tier may be told
    time: TimePrecision
    actor: ActorLevel
    method: Detail
    target: Detail
    likelihood: bool  # whether the ICD 203 likelihood judgement is shared


DEFAULT_POLICY: dict[Tier, TierPolicy] = {
    Tier.ALLY: TierPolicy(
        PlacePrecision.VENUE,
        TimePrecision.EXACT,
        ActorLevel.NAMED,
        Detail.SPECIFIC,
        Detail.SPECIFIC,
        likelihood=True,
    ),
    Tier.PARTNER: TierPolicy(
        PlacePrecision.VENUE,
        TimePrecision.DAY,
        ActorLevel.NAMED,
        Detail.SPECIFIC,
        Detail.SPECIFIC,
        likelihood=True,
    ),
    Tier.NEUTRAL: TierPolicy(
        PlacePrecision.CITY,
        TimePrecision.DAY,
        ActorLevel.NAMED,
        Detail.CATEGORY,
        Detail.SPECIFIC,
        likelihood=True,
    ),
    # Those who must protect the victims get named targets to act on, but no venue
    # coordinates or exact times that could point back to how we know.
    Tier.ADVERSARY: TierPolicy(
        PlacePrecision.CITY,
        TimePrecision.WINDOW,
        ActorLevel.NAMED,
        Detail.CATEGORY,
        Detail.SPECIFIC,
        likelihood=True,
    ),
    Tier.PUBLIC: TierPolicy(
        PlacePrecision.CITY,
        TimePrecision.WINDOW,
        ActorLevel.GENERIC,
        Detail.WITHHELD,
        Detail.CATEGORY,
        likelihood=False,
    ),
}
