"""The imperative shell: load from the store, call the pure stages, write results and audit.

The faces (CLI, demo, later the web app) call only what is exported here.
"""

from tearline.workflow.app import App, Unit
from tearline.workflow.audit_checkpoints import (
    audit_verify,
    export_checkpoints,
    list_checkpoints,
    make_checkpoint,
    read_checkpoint_file,
)
from tearline.workflow.decisions import Decided, RecipientChoice, approve_waiver, decide
from tearline.workflow.keys import rotate_key
from tearline.workflow.outbox import CHANNEL_NAMES, Sent
from tearline.workflow.partner_intake import IntakeSummary, ItemRefused, ingest_items
from tearline.workflow.recipients import (
    Imported,
    add_recipient,
    export_recipients,
    import_recipients,
    registry_with_locations,
)
from tearline.workflow.release_lifecycle import propose_end
from tearline.workflow.release_overrides import OverrideView, adjust_fact
from tearline.workflow.release_preview import RecipientView, ReleasePreview, preview_release
from tearline.workflow.released import Exported, export_warning, list_warnings
from tearline.workflow.releases import Draft, Proposed, Released, approve_release, propose_release
from tearline.workflow.reports import (
    Ingested,
    Provenance,
    TermSpec,
    given_language,
    ingest_bytes,
    language_label,
    readable_languages,
)
from tearline.workflow.responses import (
    EscalationRow,
    EscalationView,
    Responded,
    active_policy,
    check_due,
    check_overdue,
    list_escalations,
    resolve_escalation,
    respond,
    set_policy,
)
from tearline.workflow.targeting import Affected, Targeting, target
from tearline.workflow.users import Identity, Role, add_user, list_users, sign_in
from tearline.workflow.verification import describe, load_jwks, verify_artifact
from tearline.workflow.views import audit_entries, audit_length, counts, list_threats, show
from tearline.workflow.worker import EmbeddedWorker, channels_for, deliver_due, run_worker

__all__ = [
    "CHANNEL_NAMES",
    "Affected",
    "App",
    "Decided",
    "Draft",
    "EmbeddedWorker",
    "EscalationRow",
    "EscalationView",
    "Exported",
    "Identity",
    "Imported",
    "Ingested",
    "IntakeSummary",
    "ItemRefused",
    "OverrideView",
    "Proposed",
    "Provenance",
    "RecipientChoice",
    "RecipientView",
    "ReleasePreview",
    "Released",
    "Responded",
    "Role",
    "Sent",
    "Targeting",
    "TermSpec",
    "Unit",
    "active_policy",
    "add_recipient",
    "add_user",
    "adjust_fact",
    "approve_release",
    "approve_waiver",
    "audit_entries",
    "audit_length",
    "audit_verify",
    "channels_for",
    "check_due",
    "check_overdue",
    "counts",
    "decide",
    "deliver_due",
    "describe",
    "export_checkpoints",
    "export_recipients",
    "export_warning",
    "given_language",
    "import_recipients",
    "ingest_bytes",
    "ingest_items",
    "language_label",
    "list_checkpoints",
    "list_escalations",
    "list_threats",
    "list_users",
    "list_warnings",
    "load_jwks",
    "make_checkpoint",
    "preview_release",
    "propose_end",
    "propose_release",
    "read_checkpoint_file",
    "readable_languages",
    "registry_with_locations",
    "resolve_escalation",
    "respond",
    "rotate_key",
    "run_worker",
    "set_policy",
    "show",
    "sign_in",
    "target",
    "verify_artifact",
]
