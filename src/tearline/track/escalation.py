"""Responses to a warning, and the escalation rules that act on them — as data.

A dismissed warning (Moscow, 2024), an unanswered one (Kerman, 2024), one that stalled
in an office (Sri Lanka, 2019): each has a rule here that proposes the next step to the
duty officer. Rules only propose; a person decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class ResponseKind(StrEnum):
    RECEIVED = "received"
    ACTING = "acting"
    DISPUTED = "disputed"  # disputed or dismissed ("provocation")
    MORE_INFO = "more_info"  # more information requested
    MEASURES_TAKEN = "measures_taken"
    MEASURES_RELAXED = "measures_relaxed"


class Action(StrEnum):
    PROPOSE_WIDER_PUBLIC_WARNING = "propose_wider_public_warning"
    PROPOSE_MORE_SPECIFIC_REWARNING = "propose_more_specific_rewarning"
    RESEND_OTHER_CHANNEL = "resend_other_channel"
    ALERT_DUTY_OFFICER = "alert_duty_officer"


@dataclass(frozen=True)
class Rule:
    name: str
    trigger: str  # a ResponseKind value, or "no_ack"
    actions: tuple[Action, ...]
    description: str


RULES: tuple[Rule, ...] = (
    Rule(
        "dismissed",
        ResponseKind.DISPUTED.value,
        (Action.PROPOSE_WIDER_PUBLIC_WARNING, Action.ALERT_DUTY_OFFICER),
        "The recipient disputes or dismisses the warning: the people at risk can still be "
        "told directly, so propose a wider public warning.",
    ),
    Rule(
        "more-information",
        ResponseKind.MORE_INFO.value,
        (Action.PROPOSE_MORE_SPECIFIC_REWARNING, Action.ALERT_DUTY_OFFICER),
        "The recipient asks for more: propose a re-warning with more specific facts.",
    ),
    Rule(
        "measures-relaxed",
        ResponseKind.MEASURES_RELAXED.value,
        (Action.ALERT_DUTY_OFFICER,),
        "Protective measures were relaxed while the threat may still be open.",
    ),
    Rule(
        "no-acknowledgement",
        "no_ack",
        (Action.RESEND_OTHER_CHANNEL, Action.ALERT_DUTY_OFFICER),
        "No acknowledgement of a warning about an imminent threat in time.",
    ),
)


@dataclass(frozen=True)
class WarningState:
    """What the rules need to know about one released warning."""

    reference: str
    threat_reference: str
    recipient: str
    recipient_public: bool
    released_at: datetime
    valid_until: datetime
    imminent: bool
    place_country: str | None
    place_city: str | None
    responses: tuple[ResponseKind, ...] = ()


@dataclass(frozen=True)
class Proposal:
    rule: str
    action: Action
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)

    def dedupe_key(self, warning_reference: str) -> str:
        return f"{warning_reference}:{self.rule}:{self.action.value}"


def _detail(action: Action, w: WarningState, now: datetime) -> dict[str, Any]:
    if action is Action.PROPOSE_WIDER_PUBLIC_WARNING:
        return {
            "area": {"country": w.place_country, "city": None},
            "widen_from": {"country": w.place_country, "city": w.place_city},
            "valid_until": max(w.valid_until, now + timedelta(days=14)).isoformat(),
            "why": "the warned authority dismissed the warning; tell the people at risk directly",
        }
    return {}


def on_response(w: WarningState, kind: ResponseKind, now: datetime) -> list[Proposal]:
    """Proposals that follow from one response."""
    out: list[Proposal] = []
    for rule in RULES:
        if rule.trigger != kind.value:
            continue
        for action in rule.actions:
            if action is Action.PROPOSE_WIDER_PUBLIC_WARNING and w.recipient_public:
                continue  # the public disputing an alert is not a reason to widen it
            reason = f"{w.recipient} answered {kind.value} to {w.reference}: {rule.description}"
            out.append(Proposal(rule.name, action, reason, _detail(action, w, now)))
    return out


def overdue(
    warnings: Sequence[WarningState], now: datetime, ack_within: timedelta
) -> list[tuple[WarningState, Proposal]]:
    """Warnings about imminent threats with no acknowledgement in ``ack_within``."""
    rule = next(r for r in RULES if r.trigger == "no_ack")
    out: list[tuple[WarningState, Proposal]] = []
    for w in warnings:
        if w.recipient_public or not w.imminent or now > w.valid_until:
            continue
        if w.responses:  # any answer, even a dispute, shows it arrived
            continue
        if now - w.released_at < ack_within:
            continue
        minutes = int((now - w.released_at).total_seconds() // 60)
        reason = f"{w.recipient} has not acknowledged {w.reference} after {minutes} minutes"
        out.extend((w, Proposal(rule.name, a, reason)) for a in rule.actions)
    return out
