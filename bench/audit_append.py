"""Cost of the hash-chained audit log against plain inserts of the same rows.

Both write N entries to a fresh SQLite database (WAL), one transaction per entry — the
way the workflow writes them, beside the change they record. The peer inserts the same
columns with no hashing, no canonical JSON and no head-row lock.

    python bench/audit_append.py [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from tearline.store import audit_log
from tearline.store.db import Database
from tearline.store.tables import AuditEntry


def chained(db: Database, n: int, t0: datetime) -> float:
    start = time.perf_counter()
    for i in range(n):
        with db.session() as s:
            audit_log.append(
                s,
                at=t0 + timedelta(seconds=i),
                actor="bench",
                action="x.done",
                subject=f"THR-{i}",
                details={"i": i, "note": "benchmark entry"},
            )
    return time.perf_counter() - start


def plain(db: Database, n: int, t0: datetime) -> float:
    start = time.perf_counter()
    for i in range(n):
        with db.session() as s:
            s.execute(
                insert(AuditEntry).values(
                    seq=i + 1,
                    at=t0 + timedelta(seconds=i),
                    actor="bench",
                    action="x.done",
                    subject=f"THR-{i}",
                    details='{"i":0,"note":"benchmark entry"}',
                    prev_hash="0" * 64,
                    hash="0" * 64,
                )
            )
    return time.perf_counter() - start


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    t0 = datetime(2024, 3, 6, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        ours = Database(f"sqlite:///{Path(tmp) / 'chain.db'}")
        peer = Database(f"sqlite:///{Path(tmp) / 'plain.db'}")
        t_ours, t_peer = chained(ours, n, t0), plain(peer, n, t0)
        with ours.session() as s:
            report = audit_log.verify(s)
        start = time.perf_counter()
        with ours.session() as s:
            audit_log.verify(s)
        t_verify = time.perf_counter() - start
        ours.dispose()
        peer.dispose()
    print(f"entries: {n} (verified: {report.entries})")
    print(f"hash-chained append: {n / t_ours:,.0f} entries/s")
    print(f"plain insert (peer): {n / t_peer:,.0f} entries/s")
    print(f"ratio chained/plain: {t_peer / t_ours:.2f}")
    print(f"verify whole chain:  {n / t_verify:,.0f} entries/s")


if __name__ == "__main__":
    main()
