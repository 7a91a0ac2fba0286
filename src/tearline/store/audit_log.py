"""Appending to and reading the stored audit chain, inside the caller's transaction.

An entry is written in the same transaction as the change it records, so a change and
its audit entry are committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tearline.audit import GENESIS, ChainReport, canonical_details, entry_hash, verify_chain
from tearline.store.tables import AuditCheckpoint, AuditEntry, AuditHead


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


def append_many(
    session: Session,
    *,
    at: datetime,
    entries: Sequence[tuple[str, str, str, dict[str, Any] | None]],
) -> list[AuditEntry]:
    """``append`` for many (actor, action, subject, details) at once, in order: the same
    chain, with one head-row lock and one flush instead of one each."""
    if not entries:
        return []
    head = session.get(AuditHead, 1, with_for_update=True)
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    rows: list[AuditEntry] = []
    seq, prev = head.seq, head.hash
    for actor, action, subject, details in entries:
        text = canonical_details(details or {})
        seq += 1
        digest = entry_hash(
            seq=seq, at=at, actor=actor, action=action, subject=subject, details=text, prev=prev
        )
        rows.append(
            AuditEntry(
                seq=seq,
                at=at,
                actor=actor,
                action=action,
                subject=subject,
                details=text,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
    session.add_all(rows)
    head.seq, head.hash = seq, prev
    session.flush()
    return rows


def verify(session: Session, on_entry: Callable[[], None] | None = None) -> ChainReport:
    """Verify the stored chain against the stored head; raises AuditChainBroken.
    ``on_entry`` is called as each entry is read (a long chain's progress)."""
    head = session.get(AuditHead, 1)
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).yield_per(1000)
    return verify_chain(_counted(rows, on_entry), None if head is None else (head.seq, head.hash))


def _counted(
    rows: Iterator[AuditEntry], on_entry: Callable[[], None] | None
) -> Iterator[AuditEntry]:
    for row in rows:
        if on_entry is not None:
            on_entry()
        yield row


def head(session: Session, *, lock: bool = False) -> tuple[int, str]:
    """The stored head: (seq, hash) of the last entry; (0, GENESIS) for an empty record."""
    row = session.get(AuditHead, 1, with_for_update=lock)
    return (0, GENESIS) if row is None else (row.seq, row.hash)


def hashes_at(session: Session, seqs: set[int]) -> dict[int, str]:
    """The stored hash after each of ``seqs`` (entries that exist); read after verify()."""
    wanted, found = sorted(seqs), {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        rows = session.execute(
            select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.seq.in_(chunk))
        )
        found.update({row.seq: row.hash for row in rows})
    return found


def checkpoints(session: Session, latest: int | None = None) -> list[AuditCheckpoint]:
    """The stored checkpoints, oldest first; only the ``latest`` few when given."""
    if latest is None:
        q = select(AuditCheckpoint).order_by(AuditCheckpoint.seq, AuditCheckpoint.id)
        return list(session.scalars(q))
    newest = select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc())
    return list(session.scalars(newest.limit(latest)))[::-1]


def latest_checkpoint(session: Session) -> AuditCheckpoint | None:
    q = select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc())
    return session.scalars(q.limit(1)).first()
