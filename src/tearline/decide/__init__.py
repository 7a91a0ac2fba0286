"""Decide: the duty-to-warn determination — warn whom, waive (justified), or not triggered."""

from tearline.decide.determination import (
    PUBLIC_TARGETS,
    Check,
    Checklist,
    Outcome,
    Parity,
    Proposal,
    Role,
    Suggestion,
    determine,
    intended_victims,
    parity_check,
    suggest_recipients,
    trigger_checklist,
)
from tearline.decide.waivers import WAIVER_REASONS, WaiverReason, waiver_reason

__all__ = [
    "PUBLIC_TARGETS",
    "WAIVER_REASONS",
    "Check",
    "Checklist",
    "Outcome",
    "Parity",
    "Proposal",
    "Role",
    "Suggestion",
    "WaiverReason",
    "determine",
    "intended_victims",
    "parity_check",
    "suggest_recipients",
    "trigger_checklist",
    "waiver_reason",
]
