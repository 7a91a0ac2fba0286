"""Hashing and verifying the audit chain: pure functions, no database.

Each entry's hash covers its position, time, actor, action, subject, details and the
previous entry's hash, serialised as RFC 8785 canonical JSON, so an auditor can recompute
every hash with any JCS implementation and SHA-256 — no Tearline code needed:

    sha256(JCS({"seq": 7, "at": "2024-03-06T09:00:00.000000Z", "actor": "dana",
                "action": "release.approved", "subject": "REL-1",
                "details": "<canonical JSON text>", "prev": "<64 hex>"}))
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import rfc8785

from tearline.errors import AuditChainBroken

GENESIS = "0" * 64


class AuditRecord(Protocol):
    """What verification reads of a stored entry (the table row satisfies it)."""

    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def details(self) -> str: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


def canonical_details(details: dict[str, Any]) -> str:
    """Details as canonical JSON text; the stored text is what gets hashed."""
    return rfc8785.dumps(details).decode("utf-8")


def _timestamp(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    *, seq: int, at: datetime, actor: str, action: str, subject: str, details: str, prev: str
) -> str:
    material: dict[str, str | int] = {
        "seq": seq,
        "at": _timestamp(at),
        "actor": actor,
        "action": action,
        "subject": subject,
        "details": details,
        "prev": prev,
    }
    return hashlib.sha256(rfc8785.dumps(material)).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    entries: int
    head_seq: int
    head_hash: str
    checkpoints: int = 0  # signed checkpoints the chain was found to agree with


def verify_chain(
    entries: Iterable[AuditRecord], head: tuple[int, str] | None = None
) -> ChainReport:
    """Check every link in order of ``seq``; raise for the first bad entry.

    Detects an altered entry (its hash no longer recomputes), a removed one (a gap in
    ``seq`` or a broken ``prev`` link), reordering (``prev`` links no longer follow), and
    a truncated tail when ``head`` — the recorded last (seq, hash) — is given.
    """
    prev, expected_seq, count = GENESIS, 1, 0
    for e in entries:
        if e.seq != expected_seq:
            raise AuditChainBroken(
                f"audit entry #{expected_seq} is missing (next stored entry is #{e.seq})",
                seq=expected_seq,
            )
        if e.prev_hash != prev:
            raise AuditChainBroken(
                f"audit entry #{e.seq} ({e.action} {e.subject}) does not follow entry "
                f"#{e.seq - 1}: entries were removed, inserted or reordered",
                seq=e.seq,
            )
        recomputed = entry_hash(
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            action=e.action,
            subject=e.subject,
            details=e.details,
            prev=e.prev_hash,
        )
        if recomputed != e.hash:
            raise AuditChainBroken(
                f"audit entry #{e.seq} ({e.action} {e.subject}) was altered: "
                "its contents no longer match its hash",
                seq=e.seq,
            )
        prev, expected_seq, count = e.hash, e.seq + 1, count + 1
    if head is not None:
        head_seq, head_hash = head
        if head_seq > count:
            raise AuditChainBroken(
                f"audit entries #{count + 1}..#{head_seq} were removed from the end of the record",
                seq=count + 1,
            )
        if head_seq < count or head_hash != prev:
            raise AuditChainBroken(
                f"audit entry #{count} does not match the recorded head of the chain "
                f"(#{head_seq}): entries were appended or changed outside Tearline",
                seq=count,
            )
    return ChainReport(entries=count, head_seq=count, head_hash=prev)
