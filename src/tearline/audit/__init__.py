"""The audit trail: an append-only, hash-chained record of every action."""

from tearline.audit.chain import (
    GENESIS,
    AuditRecord,
    ChainReport,
    canonical_details,
    entry_hash,
    verify_chain,
)

__all__ = [
    "GENESIS",
    "AuditRecord",
    "ChainReport",
    "canonical_details",
    "entry_hash",
    "verify_chain",
]
