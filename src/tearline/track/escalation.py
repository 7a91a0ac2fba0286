"""Escalation policies as data: triggers, steps with wait times, and the actions they take.

A dismissed warning (Moscow, 2024), an unanswered one (Kerman, 2024), one that stalled
in an office (Sri Lanka, 2019), one whose 48 hours ran out two weeks before the attack:
each has a rule. A rule names a trigger and a list of steps; each step fires once, a
given time after the trigger, unless an answer that settles it has come in meanwhile.
Resending through another of the recipient's channels is done at once; every other
action is a proposal or an alert for the duty officer: a person decides.

``due(policy, warning, now)`` is pure: the clock is an argument, so tests are exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from tearline.errors import InputError


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
    PROPOSE_REWARNING = "propose_rewarning"  # the same warning again, with a new window
    RESEND_OTHER_CHANNEL = "resend_other_channel"
    ALERT_DUTY_OFFICER = "alert_duty_officer"


class Trigger(StrEnum):
    NO_ACK = "no_ack"  # no answer at all, the threat imminent
    DISPUTED = "disputed"
    MORE_INFO = "more_info"
    MEASURES_RELAXED = "measures_relaxed"
    VALIDITY_ENDING = "validity_ending"  # the warning's window ends, the threat still open
    NEW_REPORT = "new_report"  # another report about the same threat after the warning
    DEAD_LETTER = "dead_letter"  # a delivery failed for good


RESPONSE_TRIGGERS = frozenset({Trigger.DISPUTED, Trigger.MORE_INFO, Trigger.MEASURES_RELAXED})
# Causes that belong to the case, not to one recipient: every warning of a release shares
# its window and hears of the same new report, so these fire once per case and cause, not
# once per warning (the demo proposed "re-warn" twice in one minute, for WRN-1 and WRN-2).
CASE_TRIGGERS = frozenset({Trigger.VALIDITY_ENDING, Trigger.NEW_REPORT})
SETTLING = frozenset({ResponseKind.ACTING, ResponseKind.MEASURES_TAKEN})


@dataclass(frozen=True)
class Step:
    after_minutes: int  # from the trigger's moment
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class Rule:
    name: str
    trigger: Trigger
    steps: tuple[Step, ...]
    description: str
    # Answers that stop the later steps once they arrive after the trigger.
    settled_by: frozenset[ResponseKind] = frozenset()


@dataclass(frozen=True)
class Policy:
    rules: tuple[Rule, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rules": [
                {
                    "name": r.name,
                    "trigger": r.trigger.value,
                    "description": r.description,
                    "settled_by": sorted(k.value for k in r.settled_by),
                    "steps": [
                        {"after_minutes": s.after_minutes, "actions": [a.value for a in s.actions]}
                        for s in r.steps
                    ],
                }
                for r in self.rules
            ]
        }

    @classmethod
    def from_dict(cls, data: Any) -> Policy:
        """Read a policy document; every mistake is named with where it is."""
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            raise InputError('an escalation policy is {"rules": [...]}')
        rules, names = [], set()
        for i, r in enumerate(data["rules"], 1):
            rules.append(_rule(r, f"rule {i}"))
            if rules[-1].name in names:
                raise InputError(f"rule {i}: the name {rules[-1].name!r} is used twice")
            names.add(rules[-1].name)
        return cls(tuple(rules))


def _enum(kind: type[StrEnum], value: Any, where: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in kind)
        raise InputError(f"{where}: {value!r} is not one of: {allowed}") from None


def _rule(r: Any, where: str) -> Rule:
    if not isinstance(r, dict) or not isinstance(r.get("name"), str) or not r["name"].strip():
        raise InputError(f"{where}: needs a 'name'")
    trigger = _enum(Trigger, r.get("trigger"), f"{where} trigger")
    raw_steps = r.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise InputError(f"{where}: needs at least one step")
    steps = []
    for j, s in enumerate(raw_steps, 1):
        at = f"{where} step {j}"
        after = s.get("after_minutes") if isinstance(s, dict) else None
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            raise InputError(f"{at}: 'after_minutes' must be a whole number ≥ 0")
        actions = s.get("actions")
        if not isinstance(actions, list) or not actions:
            raise InputError(f"{at}: needs at least one action")
        steps.append(Step(after, tuple(_enum(Action, a, f"{at} action") for a in actions)))
    if [s.after_minutes for s in steps] != sorted(s.after_minutes for s in steps):
        raise InputError(f"{where}: steps must be in order of their wait times")
    settled = frozenset(
        _enum(ResponseKind, k, f"{where} settled_by") for k in r.get("settled_by", [])
    )
    return Rule(r["name"].strip(), trigger, tuple(steps), str(r.get("description", "")), settled)


def default_policy(ack_minutes: int) -> Policy:
    """The built-in policy; ``ack_minutes`` is TEARLINE_ACK_MINUTES_IMMINENT."""
    alert, resend = Action.ALERT_DUTY_OFFICER, Action.RESEND_OTHER_CHANNEL
    every_answer = frozenset(ResponseKind)
    return Policy(
        (
            Rule(
                "no-acknowledgement",
                Trigger.NO_ACK,
                (
                    Step(ack_minutes, (resend, alert)),
                    Step(ack_minutes * 3, (Action.PROPOSE_WIDER_PUBLIC_WARNING, alert)),
                ),
                "No acknowledgement of a warning about an imminent threat in time.",
                every_answer,
            ),
            Rule(
                "dismissed",
                Trigger.DISPUTED,
                (
                    Step(0, (Action.PROPOSE_WIDER_PUBLIC_WARNING, alert)),
                    Step(24 * 60, (Action.PROPOSE_MORE_SPECIFIC_REWARNING,)),
                ),
                "The recipient disputes or dismisses the warning: the people at risk can "
                "still be told directly, so propose a wider public warning.",
                SETTLING,
            ),
            Rule(
                "more-information",
                Trigger.MORE_INFO,
                (Step(0, (Action.PROPOSE_MORE_SPECIFIC_REWARNING, alert)), Step(4 * 60, (alert,))),
                "The recipient asks for more: propose a re-warning with more specific facts.",
                SETTLING,
            ),
            Rule(
                "measures-relaxed",
                Trigger.MEASURES_RELAXED,
                (Step(0, (alert,)),),
                "Protective measures were relaxed while the threat may still be open.",
            ),
            Rule(
                "validity-ending",
                Trigger.VALIDITY_ENDING,
                (Step(0, (Action.PROPOSE_REWARNING, alert)),),
                "The warning's validity ends, or has ended, while the threat is still open: "
                "re-warn with a new window, or close the case.",
            ),
            Rule(
                "new-report",
                Trigger.NEW_REPORT,
                (Step(0, (Action.PROPOSE_MORE_SPECIFIC_REWARNING, alert)),),
                "A new report on the same threat arrived after the warning was sent.",
            ),
            Rule(
                "dead-letter",
                Trigger.DEAD_LETTER,
                (Step(0, (resend, alert)),),
                "A delivery failed for good: try the recipient's other channels.",
            ),
        )
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
    responses: tuple[tuple[ResponseKind, datetime], ...] = ()
    threat_open: bool = True
    new_report_at: datetime | None = None
    dead_letters: tuple[tuple[str, datetime], ...] = ()  # (delivery ref, when)
    validity_alarm: timedelta = timedelta(hours=6)


@dataclass(frozen=True)
class Proposal:
    rule: str
    action: Action
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)
    key: str = ""  # what makes it fire once: warning or case and cause, rule, step, action
    case_wide: bool = False  # the cause is the case's (CASE_TRIGGERS), not one warning's

    def dedupe_key(self, warning_reference: str) -> str:
        return self.key or f"{warning_reference}:{self.rule}:{self.action.value}"


def _moments(rule: Rule, w: WarningState) -> list[tuple[str, datetime, str]]:
    """(instance, moment, why) for each time this rule's trigger fired for ``w``."""
    t = rule.trigger
    if t is Trigger.NO_ACK:
        if w.recipient_public or not w.imminent:
            return []
        return [("", w.released_at, f"{w.recipient} has not acknowledged {w.reference}")]
    if t in RESPONSE_TRIGGERS:
        at = [when for kind, when in w.responses if kind.value == t.value]
        return [("", min(at), f"{w.recipient} answered {t.value} to {w.reference}")] if at else []
    if t is Trigger.VALIDITY_ENDING:
        if not w.threat_open:
            return []
        when = w.valid_until - w.validity_alarm
        ends = f"{w.valid_until:%Y-%m-%d %H:%M} UTC"
        return [
            (
                f"@{w.valid_until.isoformat()}",
                when,
                f"the warnings on {w.threat_reference} end {ends}",
            )
        ]
    if t is Trigger.NEW_REPORT:
        if w.new_report_at is None:
            return []
        came = w.new_report_at
        return [(f"@{came.isoformat()}", came, f"a new report on {w.threat_reference} arrived")]
    return [
        (f":{ref}", when, f"delivery {ref} of {w.reference} failed for good")
        for ref, when in w.dead_letters
    ]


def _ago(minutes: int) -> str:
    if minutes < 120:
        return f"{minutes} minutes ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} hours ago"
    return f"{minutes // (24 * 60)} days ago"


def _settled(rule: Rule, w: WarningState, since: datetime) -> bool:
    return any(kind in rule.settled_by and when >= since for kind, when in w.responses)


def _detail(action: Action, w: WarningState, now: datetime) -> dict[str, Any]:
    if action is Action.PROPOSE_WIDER_PUBLIC_WARNING:
        return {
            "area": {"country": w.place_country, "city": None},
            "widen_from": {"country": w.place_country, "city": w.place_city},
            "valid_until": max(w.valid_until, now + timedelta(days=14)).isoformat(),
            "why": "the warned authority did not act on the warning; tell the people at risk",
        }
    if action is Action.PROPOSE_REWARNING:
        return {"valid_until_was": w.valid_until.isoformat()}
    return {}


def due(
    policy: Policy, w: WarningState, now: datetime, triggers: frozenset[Trigger] | None = None
) -> list[Proposal]:
    """Every step whose time has come for ``w`` (deduplication is the caller's)."""
    out: list[Proposal] = []
    for rule in policy.rules:
        if triggers is not None and rule.trigger not in triggers:
            continue
        for instance, moment, why in _moments(rule, w):
            for number, step in enumerate(rule.steps):
                if now < moment + timedelta(minutes=step.after_minutes):
                    break
                if number > 0 and _settled(rule, w, moment):
                    break  # an answer since the trigger settles what is left
                if rule.trigger is Trigger.NO_ACK and (w.responses or now > w.valid_until):
                    break
                for action in step.actions:
                    if action is Action.PROPOSE_WIDER_PUBLIC_WARNING and w.recipient_public:
                        continue  # the public disputing an alert is no reason to widen it
                    elapsed = int((now - moment).total_seconds() // 60)
                    ago = f" ({_ago(elapsed)})" if elapsed else ""
                    reason = f"{why}{ago}: {rule.description}"
                    case_wide = rule.trigger in CASE_TRIGGERS
                    subject = w.threat_reference if case_wide else w.reference
                    key = f"{subject}:{rule.name}:{number}{instance}:{action.value}"
                    detail = _detail(action, w, now)
                    out.append(Proposal(rule.name, action, reason, detail, key, case_wide))
    return out


def on_response(
    w: WarningState, kind: ResponseKind, now: datetime, policy: Policy | None = None
) -> list[Proposal]:
    """What one answer sets off at once (the first steps of the rules it triggers)."""
    chosen = policy or default_policy(60)
    state = w if any(k is kind for k, _ in w.responses) else _with(w, kind, now)
    trig = frozenset(t for t in RESPONSE_TRIGGERS if t.value == kind.value)
    return due(chosen, state, now, trig)


def _with(w: WarningState, kind: ResponseKind, now: datetime) -> WarningState:
    from dataclasses import replace

    return replace(w, responses=(*w.responses, (kind, now)))


def overdue(
    warnings: Sequence[WarningState], now: datetime, ack_within: timedelta
) -> list[tuple[WarningState, Proposal]]:
    """Warnings about imminent threats with no acknowledgement in ``ack_within``."""
    policy = default_policy(int(ack_within.total_seconds() // 60))
    return [(w, p) for w in warnings for p in due(policy, w, now, frozenset({Trigger.NO_ACK}))]
