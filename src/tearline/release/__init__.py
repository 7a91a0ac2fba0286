"""Release: one warning per recipient from releasable facts, leak-checked and signed."""

from tearline.release.facts import (
    ReleasableFacts,
    ReleasablePlace,
    ReleasableWindow,
    releasable_facts,
)
from tearline.release.leak_check import (
    BUILTIN_TERMS,
    Leak,
    ProtectedTerm,
    ensure_no_leak,
    find_leaks,
)
from tearline.release.policy import DEFAULT_POLICY, ActorLevel, Detail, TierPolicy
from tearline.release.render import (
    WARNING_SCHEMA,
    RenderedWarning,
    render_warning,
    warning_document,
)
from tearline.release.signing import Verified, sign, verify

__all__ = [
    "BUILTIN_TERMS",
    "DEFAULT_POLICY",
    "WARNING_SCHEMA",
    "ActorLevel",
    "Detail",
    "Leak",
    "ProtectedTerm",
    "ReleasableFacts",
    "ReleasablePlace",
    "ReleasableWindow",
    "RenderedWarning",
    "TierPolicy",
    "Verified",
    "ensure_no_leak",
    "find_leaks",
    "releasable_facts",
    "render_warning",
    "sign",
    "verify",
    "warning_document",
]
