"""Releasability: how precise each fact may be for each recipient tier — as data.

The defaults below are a starting point, documented in docs/releasability.md. A
deployment overrides any of them in a TOML file (``release_policy`` setting, or
``$TEARLINE_HOME/release-policy.toml``); the duty officer can tighten or loosen one fact
for one warning, on the record (:func:`apply_overrides`). The trade-off is the core
judgement of this work: too vague and the warning cannot be acted on ("too general"),
too precise and it exposes the source.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from tearline.errors import ConfigError, InputError
from tearline.model import PlacePrecision, Tier, TimePrecision


class ActorLevel(StrEnum):
    NAMED = "named"  # "ISIL Khorasan"
    GENERIC = "generic"  # "an extremist group"
    WITHHELD = "withheld"


class Detail(StrEnum):
    SPECIFIC = "specific"  # a named target, a method with its weapon
    CATEGORY = "category"  # "concert venues", "an armed attack"
    WITHHELD = "withheld"


class Tlp(StrEnum):
    """TLP 2.0: how far the recipient may pass the warning on."""

    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"


@dataclass(frozen=True)
class TierPolicy:
    place: PlacePrecision  # the most precise place this tier may be told
    time: TimePrecision
    actor: ActorLevel
    method: Detail
    target: Detail
    likelihood: bool  # whether the ICD 203 likelihood judgement is shared
    tlp: Tlp = Tlp.AMBER  # the marking the warning carries (STIX, CAP, e-mail)


# The facts a duty officer may tighten or loosen for one warning, and their levels from
# most to least precise. "likelihood" is shared or withheld.
FACT_LEVELS: dict[str, tuple[str, ...]] = {
    "place": tuple(p.value for p in PlacePrecision),
    "time": tuple(t.value for t in TimePrecision),
    "actor": tuple(a.value for a in ActorLevel),
    "method": tuple(d.value for d in Detail),
    "target": tuple(d.value for d in Detail),
    "likelihood": ("shared", "withheld"),
}

DEFAULT_POLICY: dict[Tier, TierPolicy] = {
    Tier.ALLY: TierPolicy(
        PlacePrecision.VENUE,
        TimePrecision.EXACT,
        ActorLevel.NAMED,
        Detail.SPECIFIC,
        Detail.SPECIFIC,
        likelihood=True,
        tlp=Tlp.AMBER,
    ),
    Tier.PARTNER: TierPolicy(
        PlacePrecision.VENUE,
        TimePrecision.DAY,
        ActorLevel.NAMED,
        Detail.SPECIFIC,
        Detail.SPECIFIC,
        likelihood=True,
        tlp=Tlp.AMBER,
    ),
    Tier.NEUTRAL: TierPolicy(
        PlacePrecision.CITY,
        TimePrecision.DAY,
        ActorLevel.NAMED,
        Detail.CATEGORY,
        Detail.SPECIFIC,
        likelihood=True,
        tlp=Tlp.AMBER,
    ),
    # Those who must protect the victims get named targets to act on, but no venue
    # coordinates or exact times that could point back to how we know. AMBER, not
    # AMBER+STRICT: they must pass it to the services that guard the places.
    Tier.ADVERSARY: TierPolicy(
        PlacePrecision.CITY,
        TimePrecision.WINDOW,
        ActorLevel.NAMED,
        Detail.CATEGORY,
        Detail.SPECIFIC,
        likelihood=True,
        tlp=Tlp.AMBER,
    ),
    Tier.PUBLIC: TierPolicy(
        PlacePrecision.CITY,
        TimePrecision.WINDOW,
        ActorLevel.GENERIC,
        Detail.WITHHELD,
        Detail.CATEGORY,
        likelihood=False,
        tlp=Tlp.CLEAR,
    ),
}


def policy_row(p: TierPolicy) -> dict[str, str]:
    """One tier's policy as plain strings (the TOML keys and the preview's words)."""
    return {
        "place": p.place.value,
        "time": p.time.value,
        "actor": p.actor.value,
        "method": p.method.value,
        "target": p.target.value,
        "likelihood": "shared" if p.likelihood else "withheld",
        "tlp": p.tlp.value,
    }


def _parse_value(key: str, raw: object, where: str) -> Any:
    choices: dict[str, type[StrEnum]] = {
        "place": PlacePrecision,
        "time": TimePrecision,
        "actor": ActorLevel,
        "method": Detail,
        "target": Detail,
        "tlp": Tlp,
    }
    if key == "likelihood":
        if isinstance(raw, bool):
            return raw
        if raw in ("shared", "withheld"):
            return raw == "shared"
        raise ConfigError(f"{where}: likelihood must be true/false or shared/withheld")
    enum = choices[key]
    try:
        return enum(str(raw).upper() if enum is Tlp else str(raw).lower())
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise ConfigError(f"{where}: {key} = {raw!r} is not one of: {allowed}") from None


def parse_policy(data: dict[str, Any], origin: str) -> dict[Tier, TierPolicy]:
    """Defaults overridden by ``data`` (``{tier: {key: value}}``), every value checked."""
    known = {f.name for f in fields(TierPolicy)}
    policy = dict(DEFAULT_POLICY)
    for tier_name, table in data.items():
        try:
            tier = Tier(tier_name)
        except ValueError:
            tiers = ", ".join(t.value for t in Tier)
            raise ConfigError(f"{origin}: unknown tier [{tier_name}]; use {tiers}") from None
        if not isinstance(table, dict):
            raise ConfigError(f"{origin}: [{tier_name}] must be a table of settings")
        changes: dict[str, Any] = {}
        for key, raw in table.items():
            if key not in known:
                keys = ", ".join(sorted(known))
                raise ConfigError(f"{origin}: [{tier_name}] has unknown key {key!r}; use {keys}")
            changes[key] = _parse_value(key, raw, f"{origin} [{tier_name}]")
        policy[tier] = replace(policy[tier], **changes)
    return policy


def load_policy(path: Path | None) -> dict[Tier, TierPolicy]:
    """The policy in force: the defaults, overridden by the TOML file at ``path`` if any."""
    if path is None or not path.is_file():
        return dict(DEFAULT_POLICY)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_policy(data, str(path))


def policy_toml(policy: dict[Tier, TierPolicy]) -> str:
    """The policy as an editable TOML document (``tearline policy --toml``)."""
    lines = [
        "# Tearline releasability policy: how precise each fact may be, per recipient tier.",
        "# place: venue | district | city | region | country",
        "# time: exact | day | window | vague",
        "# actor: named | generic | withheld      method, target: specific | category | withheld",
        "# likelihood: shared | withheld          tlp: CLEAR | GREEN | AMBER | AMBER+STRICT | RED",
    ]
    for tier in Tier:
        lines.append("")
        lines.append(f"[{tier.value}]")
        lines.extend(f'{k} = "{v}"' for k, v in policy_row(policy[tier]).items())
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class FactOverride:
    """A duty officer's decision to tell one recipient a fact more or less precisely."""

    fact: str  # a key of FACT_LEVELS
    level: str  # one of FACT_LEVELS[fact]
    reason: str
    by: str


def check_override(fact: str, level: str) -> None:
    """Raise InputError unless ``fact`` can be set to ``level``."""
    if fact not in FACT_LEVELS:
        raise InputError(f"unknown fact {fact!r}; use one of: {', '.join(FACT_LEVELS)}")
    if level not in FACT_LEVELS[fact]:
        raise InputError(f"{fact} cannot be {level!r}; use one of: {', '.join(FACT_LEVELS[fact])}")


def policy_level(policy: TierPolicy, fact: str) -> str:
    return policy_row(policy)[fact]


def apply_overrides(policy: TierPolicy, overrides: list[FactOverride]) -> TierPolicy:
    """The tier's policy with one warning's overrides applied (the last per fact wins)."""
    changes: dict[str, Any] = {}
    for o in overrides:
        check_override(o.fact, o.level)
        changes[o.fact] = _parse_value(o.fact, o.level, "override")
    return replace(policy, **changes)


def direction(policy: TierPolicy, o: FactOverride) -> str:
    """'loosened' (more precise than the tier allows), 'tightened', or 'unchanged'."""
    order = FACT_LEVELS[o.fact]
    base = order.index(policy_level(policy, o.fact))
    new = order.index(o.level)
    return "unchanged" if new == base else ("loosened" if new < base else "tightened")
