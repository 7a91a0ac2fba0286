"""Assess: grade a threat (Admiralty, ICD 203 likelihood, specificity, imminence, severity)."""

from tearline.assess.grading import (
    CREDIBILITY,
    RELIABILITY,
    Assessment,
    Imminence,
    Likelihood,
    Severity,
    Specificity,
    assess,
)

__all__ = [
    "CREDIBILITY",
    "RELIABILITY",
    "Assessment",
    "Imminence",
    "Likelihood",
    "Severity",
    "Specificity",
    "assess",
]
