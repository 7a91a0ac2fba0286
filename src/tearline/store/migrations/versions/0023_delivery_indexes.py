"""fewer index entries per delivery: the outbox's two updates of each row write less

A delivery's row is rewritten when a worker claims it and again when the result is
recorded. Its status is indexed, so PostgreSQL cannot update the row in place (a HOT
update): each update adds an entry to every index the new row belongs to. On
bench/fanout.py (100,000 webhooks) that index upkeep was most of PostgreSQL's work per
delivery. Every query on deliveries keeps an index plan:

- ``ix_deliveries_warning_id`` (``warning_id``) is dropped: ``ix_deliveries_warning_status_id``
  (``warning_id, status, id``) begins with the same column and answers the same look-ups
  (a warning's deliveries, the warnings' foreign key);
- ``ix_deliveries_recipient_id`` holds the deliveries with a person (group alerts) only:
  the others, a recipient's own, have no ``recipient_id`` and were all entries for NULL;
- ``ix_deliveries_due`` (``status, next_attempt_at, id``, every delivery) becomes two
  partial indexes, one per status a claim takes: ``ix_deliveries_due`` (``next_attempt_at,
  id WHERE status = 'pending'``), the claim's order, and ``ix_deliveries_leased`` (``id
  WHERE status = 'sending'``), the leases that ran out, in order. A claim (pending to
  sending) adds one entry, to the second; a delivery recorded as delivered or dead none.
  The claim of leases that ran out read every delivery ever made (the whole table in ID
  order, no index had that order), on each claim that did not fill its batch: an idle
  worker's every poll; now it reads the deliveries being sent.
  Neither is a candidate for the claim's order probe (``status IN ('pending',
  'sending')`` implies neither status alone): that stays ``ix_deliveries_unfinished``
  whatever the statistics say.

The tallies' trigger (0018) on PostgreSQL: an update's changes per key are the new rows'
keys counted up and the old rows' counted down, summed, as before, without joining the
old rows to the new by ID to find those whose status changed first (a change that nets
to nothing is dropped by the sum, as it was): half its time per statement.

(Tried: ``ix_deliveries_due`` made partial on ``status IN ('pending', 'sending')``. A
second index of the unfinished rows, it looked, on statistics taken before a release
queued its deliveries, as good as ``ix_deliveries_unfinished`` for the order probe, and
PostgreSQL read all of it for each candidate: 200 ms a batch of 500.)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HAS_PERSON = "recipient_id IS NOT NULL"
PENDING = "status = 'pending'"
SENDING = "status = 'sending'"

# The tallies' function of 0018, its update's rows ``moved`` as of 0018 or as of here.
_MOVED = {
    "INSERT": "SELECT warning_id, status, 1 AS d FROM tl_new",
    "DELETE": "SELECT warning_id, status, -1 AS d FROM tl_old",
    "0018": (
        "SELECT x.warning_id, x.status, x.d FROM tl_old o JOIN tl_new n ON n.id = o.id, "
        "LATERAL (VALUES (o.warning_id, o.status, -1), (n.warning_id, n.status, 1)) "
        "AS x (warning_id, status, d) "
        "WHERE o.status IS DISTINCT FROM n.status OR o.warning_id IS DISTINCT FROM n.warning_id"
    ),
    "0023": (
        "SELECT warning_id, status, -1 AS d FROM tl_old "
        "UNION ALL SELECT warning_id, status, 1 AS d FROM tl_new"
    ),
}
_ADD = """
    WITH moved AS ({moved}),
    k AS (
      SELECT coalesce(warning_id, 0) AS w, status AS s, sum(d) AS n FROM moved
       GROUP BY GROUPING SETS ((warning_id, status), (status)) HAVING sum(d) <> 0),
    upd AS (
      UPDATE delivery_tallies t SET n = t.n + k.n
        FROM k CROSS JOIN LATERAL (
          SELECT x.id FROM delivery_tallies x WHERE x.warning_id = k.w AND x.status = k.s
           LIMIT 1 FOR UPDATE SKIP LOCKED) AS free
       WHERE t.id = free.id
      RETURNING t.warning_id, t.status)
    INSERT INTO delivery_tallies (warning_id, status, n)
    SELECT k.w, k.s, k.n FROM k
     WHERE NOT EXISTS (SELECT 1 FROM upd WHERE upd.warning_id = k.w AND upd.status = k.s);"""


def _tally_function(update: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION tl_delivery_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN{_ADD.format(moved=_MOVED["INSERT"])}
  ELSIF TG_OP = 'DELETE' THEN{_ADD.format(moved=_MOVED["DELETE"])}
  ELSE{_ADD.format(moved=_MOVED[update])}
  END IF;
  RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.drop_index("ix_deliveries_warning_id", table_name="deliveries")
    op.drop_index("ix_deliveries_due", table_name="deliveries")
    op.create_index(
        "ix_deliveries_due",
        "deliveries",
        ["next_attempt_at", "id"],
        sqlite_where=sa.text(PENDING),
        postgresql_where=sa.text(PENDING),
    )
    op.create_index(
        "ix_deliveries_leased",
        "deliveries",
        ["id"],
        sqlite_where=sa.text(SENDING),
        postgresql_where=sa.text(SENDING),
    )
    op.drop_index("ix_deliveries_recipient_id", table_name="deliveries")
    op.create_index(
        "ix_deliveries_recipient_id",
        "deliveries",
        ["recipient_id"],
        sqlite_where=sa.text(HAS_PERSON),
        postgresql_where=sa.text(HAS_PERSON),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_tally_function("0023"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_tally_function("0018"))
    op.drop_index("ix_deliveries_recipient_id", table_name="deliveries")
    op.create_index("ix_deliveries_recipient_id", "deliveries", ["recipient_id"])
    op.drop_index("ix_deliveries_leased", table_name="deliveries")
    op.drop_index("ix_deliveries_due", table_name="deliveries")
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt_at", "id"])
    op.create_index("ix_deliveries_warning_id", "deliveries", ["warning_id"])
