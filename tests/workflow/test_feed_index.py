"""The public feed is read from an index of its own entries, not from every delivery.

``/feed.atom`` is public and polled by anyone; a group alert adds 100,000 deliveries
that are not on the feed. The feed's query must be one its partial index serves
(``ix_deliveries_public_feed``: the condition written in the same words), on SQLite and
on PostgreSQL alike, whatever the planner would pick for a desk this small.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tearline import workflow as wf
from tearline.workflow.feed import feed_entries, published

INDEX = "ix_deliveries_public_feed"


def statements_of(app: wf.App, call: Any) -> list[tuple[str, Any]]:
    """The SELECTs on deliveries that ``call()`` sends, with their parameters."""
    seen: list[tuple[str, Any]] = []
    engine = app.db.reader

    def capture(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        if "deliveries" in statement:
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert seen, "the feed read no deliveries"
    return seen


def plan(app: wf.App, statement: str, params: Any) -> str:
    raw = app.db.reader.raw_connection()
    try:
        cur = raw.cursor()
        if app.db.dialect == "postgresql":
            cur.execute("SET enable_seqscan = off")  # only a usable index can avoid it
            cur.execute("EXPLAIN " + statement, params)
        else:
            cur.execute("EXPLAIN QUERY PLAN " + statement, params)
        return "\n".join(str(row) for row in cur.fetchall())
    finally:
        raw.close()


def test_the_feed_reads_its_own_index(app: wf.App) -> None:
    for statement, params in statements_of(app, lambda: feed_entries(app)):
        assert INDEX in plan(app, statement, params), statement
    for statement, params in statements_of(app, lambda: published(app, "WRN-1")):
        # one warning's feed delivery: by the warning's own index, never every delivery
        assert "Seq Scan on deliveries" not in plan(app, statement, params)
        assert "SCAN deliveries" not in plan(app, statement, params)
