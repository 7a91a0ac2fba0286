"""The hash chain detects alteration, removal, reordering and truncation."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from tearline.audit import GENESIS, canonical_details, entry_hash, verify_chain
from tearline.errors import AuditChainBroken


@dataclass(frozen=True)
class Row:
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    details: str
    prev_hash: str
    hash: str


def chain(n: int) -> list[Row]:
    rows, prev = [], GENESIS
    t0 = datetime(2024, 3, 6, tzinfo=UTC)
    for i in range(1, n + 1):
        details = canonical_details({"i": i, "note": "é"})
        at = t0 + timedelta(minutes=i)
        h = entry_hash(
            seq=i,
            at=at,
            actor="dana",
            action="x.done",
            subject=f"THR-{i}",
            details=details,
            prev=prev,
        )
        rows.append(Row(i, at, "dana", "x.done", f"THR-{i}", details, prev, h))
        prev = h
    return rows


def test_intact_chain_verifies_and_reports_its_head() -> None:
    rows = chain(5)
    report = verify_chain(rows, (5, rows[-1].hash))
    assert (report.entries, report.head_seq, report.head_hash) == (5, 5, rows[-1].hash)


def test_altered_entry_is_named() -> None:
    rows = chain(5)
    rows[2] = replace(rows[2], actor="mallory")
    with pytest.raises(AuditChainBroken, match=r"#3 .*altered") as info:
        verify_chain(rows)
    assert info.value.seq == 3


def test_removed_entry_is_named() -> None:
    rows = chain(5)
    del rows[1]
    with pytest.raises(AuditChainBroken, match="#2 is missing"):
        verify_chain(rows)


def test_reordered_entries_break_the_links() -> None:
    rows = chain(4)
    a, b = rows[1], rows[2]
    # Swap the contents but keep the sequence numbers in order, as a careful forger would.
    rows[1] = replace(b, seq=2)
    rows[2] = replace(a, seq=3)
    with pytest.raises(AuditChainBroken, match=r"#2 .*does not follow"):
        verify_chain(rows)


def test_truncated_tail_is_caught_against_the_head() -> None:
    rows = chain(5)
    with pytest.raises(AuditChainBroken, match=r"#5\.\.#5 were removed"):
        verify_chain(rows[:4], (5, rows[-1].hash))


def test_hash_is_recomputable_from_the_documented_recipe() -> None:
    import hashlib

    import rfc8785

    row = chain(1)[0]
    material = {
        "seq": 1,
        "at": "2024-03-06T00:01:00.000000Z",
        "actor": "dana",
        "action": "x.done",
        "subject": "THR-1",
        "details": row.details,
        "prev": GENESIS,
    }
    assert hashlib.sha256(rfc8785.dumps(material)).hexdigest() == row.hash
