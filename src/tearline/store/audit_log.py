"""Appending to and reading the stored audit chain, inside the caller's transaction.

An entry is written in the same transaction as the change it records, so a change and
its audit entry are committed together or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tearline.audit import GENESIS, ChainReport, canonical_details, entry_hash, verify_chain
from tearline.store.tables import AuditEntry, AuditHead


def append(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    # Locking the head row serialises appenders on PostgreSQL; SQLite's write lock
    # (BEGIN IMMEDIATE) already does.
    head = session.get(AuditHead, 1, with_for_update=True)
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    text = canonical_details(details or {})
    seq = head.seq + 1
    digest = entry_hash(
        seq=seq, at=at, actor=actor, action=action, subject=subject, details=text, prev=head.hash
    )
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        subject=subject,
        details=text,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(entry)
    head.seq, head.hash = seq, digest
    session.flush()
    return entry


def verify(session: Session) -> ChainReport:
    """Verify the stored chain against the stored head; raises AuditChainBroken."""
    head = session.get(AuditHead, 1)
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).yield_per(1000)
    return verify_chain(rows, None if head is None else (head.seq, head.hash))
