"""The imperative shell: load from the store, call the pure stages, write results and audit.

The faces (CLI, demo, later the web app) call only what is exported here.
"""

from tearline.workflow.app import App, Unit
from tearline.workflow.decisions import Decided, RecipientChoice, approve_waiver, decide
from tearline.workflow.keys import rotate_key
from tearline.workflow.outbox import CHANNEL_NAMES, Sent, channels_for, deliver_due, run_worker
from tearline.workflow.recipients import add_recipient
from tearline.workflow.releases import Draft, Proposed, Released, approve_release, propose_release
from tearline.workflow.reports import Ingested, Provenance, TermSpec, ingest_bytes
from tearline.workflow.responses import EscalationView, Responded, check_overdue, respond
from tearline.workflow.users import Identity, Role, add_user, list_users, sign_in
from tearline.workflow.verification import load_jwks, verify_artifact
from tearline.workflow.views import audit_entries, audit_verify, counts, list_threats, show

__all__ = [
    "CHANNEL_NAMES",
    "App",
    "Decided",
    "Draft",
    "EscalationView",
    "Identity",
    "Ingested",
    "Proposed",
    "Provenance",
    "RecipientChoice",
    "Released",
    "Responded",
    "Role",
    "Sent",
    "TermSpec",
    "Unit",
    "add_recipient",
    "add_user",
    "approve_release",
    "approve_waiver",
    "audit_entries",
    "audit_verify",
    "channels_for",
    "check_overdue",
    "counts",
    "decide",
    "deliver_due",
    "ingest_bytes",
    "list_threats",
    "list_users",
    "load_jwks",
    "propose_release",
    "respond",
    "rotate_key",
    "run_worker",
    "show",
    "sign_in",
    "verify_artifact",
]
