"""Release: one warning per recipient from releasable facts, leak-checked and signed.

Pure functions over domain values: the policy cuts the facts down to a tier
(``releasable_facts``), ``warning_document`` writes the warning in the recipient's
language and English, ``render_artifacts`` renders every format from that document
(JWS, CAP, STIX, e-mail, text, alert, SMS) and ``ensure_no_leak`` refuses any artifact
holding a protected term.
"""

from tearline.release.artifacts import FORMATS, render_artifacts
from tearline.release.document import languages_for, reference_to, warning_document
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
from tearline.release.policy import (
    DEFAULT_POLICY,
    FACT_LEVELS,
    ActorLevel,
    Detail,
    FactOverride,
    TierPolicy,
    Tlp,
    apply_overrides,
    check_override,
    load_policy,
    policy_row,
    policy_toml,
)
from tearline.release.render import (
    MSG_TYPE,
    WARNING_SCHEMA,
    Envelope,
    MessageKind,
    Previous,
    RenderedWarning,
    render_warning,
)
from tearline.release.signing import Verified, sign, verify
from tearline.release.sms import SMS_LIMIT, sms_text

__all__ = [
    "BUILTIN_TERMS",
    "DEFAULT_POLICY",
    "FACT_LEVELS",
    "FORMATS",
    "MSG_TYPE",
    "SMS_LIMIT",
    "WARNING_SCHEMA",
    "ActorLevel",
    "Detail",
    "Envelope",
    "FactOverride",
    "Leak",
    "MessageKind",
    "Previous",
    "ProtectedTerm",
    "ReleasableFacts",
    "ReleasablePlace",
    "ReleasableWindow",
    "RenderedWarning",
    "TierPolicy",
    "Tlp",
    "Verified",
    "apply_overrides",
    "check_override",
    "ensure_no_leak",
    "find_leaks",
    "languages_for",
    "load_policy",
    "policy_row",
    "policy_toml",
    "reference_to",
    "releasable_facts",
    "render_artifacts",
    "render_warning",
    "sign",
    "sms_text",
    "verify",
    "warning_document",
]
