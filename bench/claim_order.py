"""The claim's ordering rule on a group alert's outbox: a claim with it against one without.

A contact point's deliveries go in queued order (``workflow.outbox``): a claim passes over
a delivery while an earlier one to the same channel and address is unfinished. On a
group alert — one warning to N (default 100,000) distinct addresses, all pending — that
check finds nothing each time; this bench measures what it costs. In a fresh SQLite
database (or ``TEARLINE_BENCH_DATABASE_URL``: a PostgreSQL one), ROUNDS claims of a
batch (500, the default ``delivery_batch``) each:

- ours: ``outbox.claim`` as the worker calls it (the rule, answered by the partial index
  ``ix_deliveries_unfinished``; the batch read in order from ``ix_deliveries_due``);
- peer: the claim as it was before migration 0020: no rule, and ``ix_deliveries_due``
  without ``id`` (on PostgreSQL every due delivery is sorted on each claim).

Each claimed batch is handed back before the next claim, so every claim sees the same
outbox. Printed: the CPU per claim of this process (all of SQLite's work) and, on
PostgreSQL, of the database's backends (from /proc), the ratio ours/peer, the claim's
query plan, and the time to queue Q (default 20,000) more deliveries the way a group
alert does (bulk inserts), with the index and without it.

    python bench/claim_order.py [N] [ROUNDS] [Q]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fanout import _cpu_ticks, _postgres_pids, _postgres_ticks, make_app, one_warning
from sqlalchemy import event, make_url, text, update

from tearline import workflow as wf
from tearline.store import tables as t
from tearline.store.bulk import insert_rows
from tearline.workflow import outbox

TICK = os.sysconf("SC_CLK_TCK")
BATCH = 500
CHUNK = 5000  # rows per INSERT, as a group alert queues them


def fill(app: wf.App, warning_id: int, n: int) -> None:
    """N pending deliveries to distinct addresses, written by the database itself."""
    postgres = app.db.url.startswith("postgresql")
    numbers = (
        "generate_series(1, :n) AS s(i)"
        if postgres
        else "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n)"
        " SELECT i FROM s)"
    )
    key = "md5(i::text)" if postgres else "printf('%032d', i)"
    # our own SQL (the values go as parameters)
    sql = (
        "INSERT INTO deliveries (warning_id, channel, address, idempotency_key, status,"  # noqa: S608
        " attempts, next_attempt_at, created_at, lost_claims)"
        f" SELECT :w, 'webhook', 'http://127.0.0.1:9/r/' || i, 'tl-' || {key},"
        f" 'pending', 0, :now, :now, 0 FROM {numbers}"
    )
    with app.unit() as u:
        u.session.execute(
            text(sql),
            {"w": warning_id, "n": n, "now": u.now},
        )
        u.session.execute(text("ANALYZE deliveries" if postgres else "ANALYZE"))


def queue_as_group_alert(app: wf.App, warning_id: int, q: int) -> float:
    """Seconds to insert Q more pending deliveries in chunks (``group_alerts.queue_group``)."""
    rows = [
        {
            "warning_id": warning_id,
            "channel": "sms",
            "address": f"+4470{i:08d}",
            "idempotency_key": f"tl-{uuid.uuid4().hex}",
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": app.clock.now(),
            "created_at": app.clock.now(),
        }
        for i in range(q)
    ]
    start = time.perf_counter()
    with app.unit() as u:
        for i in range(0, q, CHUNK):
            insert_rows(u.session, t.Delivery, rows[i : i + CHUNK])
    took = time.perf_counter() - start
    with app.unit() as u:
        u.session.execute(sa.delete(t.Delivery).where(t.Delivery.channel == "sms"))
    return took


def due_index(app: wf.App, columns: str) -> None:
    with app.unit() as u:
        u.session.execute(text("DROP INDEX ix_deliveries_due"))
        u.session.execute(text(f"CREATE INDEX ix_deliveries_due ON deliveries ({columns})"))
        postgres = app.db.url.startswith("postgresql")
        u.session.execute(text("ANALYZE deliveries" if postgres else "ANALYZE"))


def hand_back(app: wf.App) -> None:
    with app.unit() as u:
        u.session.execute(
            update(t.Delivery)
            .where(t.Delivery.status == "sending")
            .values(status="pending", claimed_until=None, claimed_by=None, attempts=0)
        )


def measure(app: wf.App, rounds: int, rule: Any) -> tuple[float, float]:
    """(this process's CPU, the database backends' CPU) per claim, in milliseconds."""
    outbox._in_order = rule
    database = str(make_url(app.db.url).database)
    postgres = app.db.url.startswith("postgresql")
    mine = server = 0.0
    for _ in range(rounds):
        base = {p: _cpu_ticks(p) for p in _postgres_pids(database)} if postgres else {}
        cpu = time.process_time()
        got = outbox.claim(app, "bench", BATCH)
        mine += time.process_time() - cpu
        if postgres:
            server += _postgres_ticks(database, base) / TICK
        assert len(got) == BATCH, len(got)
        hand_back(app)
    return mine / rounds * 1000, server / rounds * 1000


def plan(app: wf.App) -> str:
    """The plan of the claim's pick, as the worker sends it (parameters and all)."""
    seen: list[tuple[str, Any]] = []

    def grab(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "earlier" in statement and not seen:
            seen.append((statement, parameters))

    event.listen(app.db.engine, "before_cursor_execute", grab)
    try:
        outbox.claim(app, "bench", BATCH)
    finally:
        event.remove(app.db.engine, "before_cursor_execute", grab)
    hand_back(app)
    statement, parameters = seen[0]
    with app.db.engine.connect() as conn:
        if app.db.url.startswith("postgresql"):
            explain = "EXPLAIN (ANALYZE, COSTS OFF) "
            rows = conn.exec_driver_sql(explain + statement, parameters).scalars().all()
            conn.rollback()
            return "\n".join(rows)
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return "\n".join(str(r[-1]) for r in rows)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    q = int(sys.argv[3]) if len(sys.argv) > 3 else 20_000
    database_url = os.environ.get("TEARLINE_BENCH_DATABASE_URL")
    rule = outbox._in_order
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp) / "home", database_url)
        try:
            warning = one_warning(app, "webhook", "http://127.0.0.1:9/partner")
            fill(app, warning, n)
            dialect = "PostgreSQL" if database_url else "SQLite"
            print(f"{dialect}: {n:,} pending deliveries to distinct addresses, claims of {BATCH}")
            print("the claim's pick:\n  " + plan(app).replace("\n", "\n  "))
            measure(app, 2, rule)  # warm up
            ours = min(measure(app, rounds, rule), measure(app, rounds, rule), key=sum)
            due_index(app, "status, next_attempt_at")  # as before migration 0020
            measure(app, 2, sa.true())
            peer = min(measure(app, rounds, sa.true()), measure(app, rounds, sa.true()), key=sum)
            due_index(app, "status, next_attempt_at, id")
            print(f"ours: {ours[0]:.1f} ms CPU here, {ours[1]:.1f} ms in the database per claim")
            print(f"peer: {peer[0]:.1f} ms CPU here, {peer[1]:.1f} ms in the database per claim")
            print(f"ratio ours/peer (CPU per claim, both sides): {sum(ours) / sum(peer):.2f}")
            outbox._in_order = rule
            indexed = queue_as_group_alert(app, warning, q)
            with app.unit() as u:
                u.session.execute(text("DROP INDEX ix_deliveries_unfinished"))
            bare = queue_as_group_alert(app, warning, q)
            print(
                f"queueing {q:,} more: {indexed:.2f} s with the index, {bare:.2f} s without"
                f" (ratio {indexed / bare:.2f})"
            )
        finally:
            outbox._in_order = rule
            app.close()


if __name__ == "__main__":
    main()
