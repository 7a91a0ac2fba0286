"""Track: responses to warnings, and the escalation policy that says what happens next."""

from tearline.track.escalation import (
    RESPONSE_TRIGGERS,
    Action,
    Policy,
    Proposal,
    ResponseKind,
    Rule,
    Step,
    Trigger,
    WarningState,
    default_policy,
    due,
    on_response,
    overdue,
)

__all__ = [
    "RESPONSE_TRIGGERS",
    "Action",
    "Policy",
    "Proposal",
    "ResponseKind",
    "Rule",
    "Step",
    "Trigger",
    "WarningState",
    "default_policy",
    "due",
    "on_response",
    "overdue",
]
