"""Signed checkpoints of the audit record: made, stored, published, and checked by verify.

A checkpoint is made on a schedule by the worker (``audit_checkpoint_minutes``), at every
release (the warning's signed document embeds it) and on demand. ``audit_verify`` checks
the chain against every stored checkpoint and against any a third party kept, so a
rewrite that recomputed every hash still shows (docs/audit-threat-model.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OKPKey

from tearline.audit import ChainReport
from tearline.audit.checkpoints import (
    EXPORT_SCHEMA,
    TYPE,
    Checkpoint,
    CheckpointRefused,
    Held,
    check_against,
    export_document,
    read_checkpoint,
    sign_checkpoint,
    tokens_in,
)
from tearline.errors import AuditChainBroken, InputError, InvalidState, SignatureError
from tearline.store import audit_log
from tearline.store import tables as t
from tearline.workflow.app import App, Unit
from tearline.workflow.keys import signing_key
from tearline.workflow.verification import verify_artifact

SCHEDULE = "schedule"


def _value(row: t.AuditCheckpoint) -> Checkpoint:
    return Checkpoint(row.seq, row.head, row.at, row.key_id, row.jws)


def checkpoint_now(app: App, u: Unit, key: OKPKey, made_for: str) -> Checkpoint:
    """Sign the current head inside ``u`` (reusing the latest checkpoint if it is the same)."""
    seq, head = audit_log.head(u.session, lock=True)
    if seq == 0:
        raise InvalidState("the audit record is empty: there is nothing to checkpoint yet")
    latest = audit_log.latest_checkpoint(u.session)
    if latest is not None and (latest.seq, latest.head, latest.key_id) == (seq, head, key.kid):
        return _value(latest)
    made = sign_checkpoint(seq, head, u.now, key, app.settings.sender)
    u.session.add(
        t.AuditCheckpoint(
            seq=made.seq,
            head=made.head,
            at=made.at,
            key_id=made.key_id,
            made_for=made_for[:64],
            jws=made.jws,
        )
    )
    u.session.flush()
    return made


def make_checkpoint(app: App, actor: str) -> Checkpoint:
    """``tearline audit checkpoint``: sign the head now."""
    with app.unit() as u:
        return checkpoint_now(app, u, signing_key(app, u, actor), actor)


def checkpoint_if_due(app: App) -> Checkpoint | None:
    """The worker's schedule: a checkpoint when the head moved and the last one is old.

    Only once the deployment has a signing key (its first release or `audit checkpoint`
    makes one): the worker never creates a key on its own.
    """
    if not app.keys.exists():
        return None
    every = timedelta(minutes=app.settings.audit_checkpoint_minutes)
    with app.read() as s:
        seq, _ = audit_log.head(s)
        latest = audit_log.latest_checkpoint(s)
        now = app.clock.now()
        if seq == 0 or (latest is not None and (latest.seq == seq or now - latest.at < every)):
            return None
    with app.unit() as u:
        return checkpoint_now(app, u, signing_key(app, u, "worker"), SCHEDULE)


def list_checkpoints(app: App, latest: int | None = None) -> list[dict[str, Any]]:
    """The stored checkpoints (only the ``latest`` few, if given), oldest first, as stored."""
    with app.read() as s:
        rows = audit_log.checkpoints(s, latest)
        return [{**_value(row).as_dict(), "made_for": row.made_for} for row in rows]


def export_checkpoints(app: App) -> dict[str, Any]:
    """The document third parties keep (``audit checkpoints --export``, GET /audit/checkpoints)."""
    with app.read() as s:
        rows = audit_log.checkpoints(s)
        return export_document([_value(r) for r in rows], app.settings.sender)


def _is_checkpoint_jws(text: str) -> bool:
    try:
        return jws.extract_compact(text.encode()).headers().get("typ") == TYPE
    except (JoseError, ValueError):
        return False


def _tokens(content: bytes, keys: KeySet) -> list[str]:
    text = content.decode("utf-8", errors="replace").strip()
    if _is_checkpoint_jws(text):
        return [text]
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    if isinstance(data, list) or (isinstance(data, dict) and data.get("schema") == EXPORT_SCHEMA):
        return tokens_in(data)
    # Otherwise a released warning in any form `tearline verify` reads.
    return tokens_in(verify_artifact(content, keys).document)


def read_checkpoint_file(content: bytes, name: str, keys: KeySet) -> list[Held]:
    """Checkpoints a third party kept: an export, or a released warning that embeds one.

    Every one must be signed by ``keys``; a forged one refuses the whole file.
    """
    try:
        tokens = _tokens(content, keys)
    except SignatureError as exc:
        raise SignatureError(f"{name}: {exc}") from None
    if not tokens:
        raise InputError(
            f"{name} holds no audit checkpoint: give a file from `tearline audit checkpoints "
            "--export` or a warning released since checkpoints were added"
        )
    held = []
    for i, token in enumerate(tokens, 1):
        try:
            held.append(Held(read_checkpoint(token, keys), name))
        except CheckpointRefused as exc:
            raise SignatureError(
                f"{name}: checkpoint {i} of {len(tokens)} refused: {exc}"
            ) from None
    return held


def _stored(app: App, keys: KeySet) -> list[Held]:
    with app.read() as s:
        rows = [(r.seq, r.head, r.made_for, r.jws) for r in audit_log.checkpoints(s)]
    held = []
    for seq, head, made_for, token in rows:
        try:
            cp = read_checkpoint(token, keys)
        except CheckpointRefused as exc:
            raise AuditChainBroken(
                f"the stored checkpoint of #{seq} ({made_for}) is refused: {exc}; "
                "it was forged or altered in the database",
                seq=seq,
            ) from None
        if (cp.seq, cp.head) != (seq, head):
            raise AuditChainBroken(
                f"the stored checkpoint of #{seq} was altered: it signed #{cp.seq}",
                seq=seq,
            )
        held.append(Held(cp, f"stored, made for {made_for}"))
    return held


def deployment_keys(app: App) -> KeySet:
    """The deployment's keys, without creating one (verifying must not write)."""
    return app.keys.keyset() if app.keys.exists() else KeySet([])


def audit_verify(
    app: App,
    external: Sequence[Held] = (),
    keys: KeySet | None = None,
    on_entry: Callable[[], None] | None = None,
) -> ChainReport:
    """The whole chain, then every stored checkpoint and every one in ``external``;
    ``on_entry`` is called as each entry is checked (a long chain's progress)."""
    # Checkpoints first: one committed meanwhile never names an entry not yet read.
    held = [*_stored(app, keys or deployment_keys(app)), *external]
    with app.read() as s:
        report = audit_log.verify(s, on_entry)
        hashes = audit_log.hashes_at(s, {h.checkpoint.seq for h in held})
    checked = check_against(report.entries, hashes, held)
    return replace(report, checkpoints=checked)
