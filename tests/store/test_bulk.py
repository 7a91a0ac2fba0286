"""Many deliveries inserted at once: a statement per chunk of rows, not per row, so the
board's tally trigger fires a few times and the counts come out exact (on PostgreSQL,
one statement per row in one transaction grew with the square of the rows)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event, func, select

from tearline import workflow as wf
from tearline.store import tables as t
from tearline.store.bulk import ROWS_PER_STATEMENT, insert_rows
from tests.conftest import seed_users
from tests.factories import add_moscow_recipients
from tests.web.conftest import ingest_demo


def test_rows_go_in_chunks_and_the_tallies_count_every_one(app: wf.App) -> None:
    add_moscow_recipients(app, "http://127.0.0.1:9")
    dana, avery = seed_users(app)
    threat = ingest_demo(app)
    wf.decide(app, threat, dana)
    released = wf.approve_release(app, wf.propose_release(app, threat, dana).ref, avery)
    warning_id = int(released.warnings[0][0].split("-")[1])
    n = 2 * ROWS_PER_STATEMENT + 500
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO DELIVERIES"):
            statements.append(statement)

    event.listen(app.db.engine, "before_cursor_execute", seen)
    try:
        with app.unit() as u:
            rows = [
                {
                    "warning_id": warning_id,
                    "channel": "webhook",
                    "address": f"http://127.0.0.1:9/{i}",
                    "idempotency_key": f"tl-{uuid.uuid4().hex}",
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": u.now,
                    "created_at": u.now,
                }
                for i in range(n)
            ]
            assert insert_rows(u.session, t.Delivery, rows) == n
            assert insert_rows(u.session, t.Delivery, []) == 0
    finally:
        event.remove(app.db.engine, "before_cursor_execute", seen)
    assert len(statements) == 3  # 1,000 + 1,000 + 500 rows
    with app.read() as s:
        stored = s.scalar(
            select(func.count()).select_from(t.Delivery).where(t.Delivery.warning_id == warning_id)
        )
        tallied = s.scalar(
            select(func.sum(t.DeliveryTally.n)).where(t.DeliveryTally.warning_id == warning_id)
        )
    assert stored == tallied
    assert stored is not None
    assert stored >= n
