"""Track: responses to warnings, and the escalation rules that propose what to do next."""

from tearline.track.escalation import (
    RULES,
    Action,
    Proposal,
    ResponseKind,
    Rule,
    WarningState,
    on_response,
    overdue,
)

__all__ = [
    "RULES",
    "Action",
    "Proposal",
    "ResponseKind",
    "Rule",
    "WarningState",
    "on_response",
    "overdue",
]
