"""Decide: the duty-to-warn determination — warn whom, waive (justified), or not triggered."""

from tearline.decide.determination import (
    Check,
    Checklist,
    Outcome,
    Parity,
    Proposal,
    determine,
    intended_victims,
    parity_check,
    trigger_checklist,
)
from tearline.decide.recipients import (
    PUBLIC_TARGETS,
    Area,
    Presence,
    Role,
    Suggestion,
    choose_recipients,
    threatened_area,
)
from tearline.decide.waivers import WAIVER_REASONS, WaiverReason, waiver_reason

__all__ = [
    "PUBLIC_TARGETS",
    "WAIVER_REASONS",
    "Area",
    "Check",
    "Checklist",
    "Outcome",
    "Parity",
    "Presence",
    "Proposal",
    "Role",
    "Suggestion",
    "WaiverReason",
    "choose_recipients",
    "determine",
    "intended_victims",
    "parity_check",
    "threatened_area",
    "trigger_checklist",
    "waiver_reason",
]
