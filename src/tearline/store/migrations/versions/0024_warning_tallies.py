"""warnings counted as they change: the board's total, kept by triggers

- ``warning_tallies (status, n)``: how many warnings are in each status. The deliveries
  board's total (every released warning the viewer may see) read ``count(*)`` of the
  whole warnings table on each request: 4,000 rows, 0.3-0.7 ms of the server's CPU a
  request on the bench's desk, and a release to 100,000 people adds 100,000 rows.
- Triggers on ``warnings`` keep it in the transaction that inserts, updates or deletes
  warnings, as ``delivery_tallies`` (0018) does deliveries': on SQLite one row per
  status, updated in place; on PostgreSQL, per statement, each status's change goes to
  one of its rows no other transaction holds (``FOR UPDATE SKIP LOCKED``) or to a new
  one, so writers never wait on each other's counts. A count is the sum of its rows.
- Backfill: the warnings already there.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite: a status's one row, made when first needed. ``{s}``: the status; ``{d}``: +1/-1.
_SQLITE_ADD = """
UPDATE warning_tallies SET n = n + {d} WHERE status = {s};
INSERT INTO warning_tallies (status, n) SELECT {s}, {d}
 WHERE NOT EXISTS (SELECT 1 FROM warning_tallies WHERE status = {s});
"""
SQLITE_TRIGGERS = [
    "CREATE TRIGGER tl_warning_tally_insert AFTER INSERT ON warnings BEGIN"
    + _SQLITE_ADD.format(s="NEW.status", d=1)
    + "END",
    "CREATE TRIGGER tl_warning_tally_delete AFTER DELETE ON warnings BEGIN"
    + _SQLITE_ADD.format(s="OLD.status", d=-1)
    + "END",
    "CREATE TRIGGER tl_warning_tally_update AFTER UPDATE OF status ON warnings "
    "WHEN OLD.status IS NOT NEW.status BEGIN"
    + _SQLITE_ADD.format(s="OLD.status", d=-1)
    + _SQLITE_ADD.format(s="NEW.status", d=1)
    + "END",
]

# PostgreSQL: statement-level triggers over the statement's rows (transition tables).
_PG_MOVED = {
    "INSERT": "SELECT status, 1 AS d FROM tl_new",
    "DELETE": "SELECT status, -1 AS d FROM tl_old",
    "UPDATE": (
        "SELECT x.status, x.d FROM tl_old o JOIN tl_new n ON n.id = o.id, "
        "LATERAL (VALUES (o.status, -1), (n.status, 1)) AS x (status, d) "
        "WHERE o.status IS DISTINCT FROM n.status"
    ),
}
_PG_ADD = """
    WITH moved AS ({moved}),
    k AS (SELECT status AS s, sum(d) AS n FROM moved GROUP BY status HAVING sum(d) <> 0),
    upd AS (
      UPDATE warning_tallies t SET n = t.n + k.n
        FROM k CROSS JOIN LATERAL (
          SELECT x.id FROM warning_tallies x WHERE x.status = k.s
           LIMIT 1 FOR UPDATE SKIP LOCKED) AS free
       WHERE t.id = free.id
      RETURNING t.status)
    INSERT INTO warning_tallies (status, n)
    SELECT k.s, k.n FROM k WHERE NOT EXISTS (SELECT 1 FROM upd WHERE upd.status = k.s);"""
PG_FUNCTION = f"""
CREATE FUNCTION tl_warning_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN{_PG_ADD.format(moved=_PG_MOVED["INSERT"])}
  ELSIF TG_OP = 'DELETE' THEN{_PG_ADD.format(moved=_PG_MOVED["DELETE"])}
  ELSE{_PG_ADD.format(moved=_PG_MOVED["UPDATE"])}
  END IF;
  RETURN NULL;
END
$$
"""
PG_TRIGGERS = [
    "CREATE TRIGGER tl_warning_tally_insert AFTER INSERT ON warnings "
    "REFERENCING NEW TABLE AS tl_new FOR EACH STATEMENT EXECUTE FUNCTION tl_warning_tally()",
    "CREATE TRIGGER tl_warning_tally_delete AFTER DELETE ON warnings "
    "REFERENCING OLD TABLE AS tl_old FOR EACH STATEMENT EXECUTE FUNCTION tl_warning_tally()",
    "CREATE TRIGGER tl_warning_tally_update AFTER UPDATE ON warnings "
    "REFERENCING OLD TABLE AS tl_old NEW TABLE AS tl_new "
    "FOR EACH STATEMENT EXECUTE FUNCTION tl_warning_tally()",
]
BACKFILL = (
    "INSERT INTO warning_tallies (status, n) SELECT status, count(*) FROM warnings GROUP BY status"
)


def upgrade() -> None:
    op.create_table(
        "warning_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_tallies")),
    )
    op.create_index("ix_warning_tallies_status", "warning_tallies", ["status"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for trigger in PG_TRIGGERS:
            op.execute(trigger)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
    op.execute(BACKFILL)


def downgrade() -> None:
    for name in ("tl_warning_tally_insert", "tl_warning_tally_delete", "tl_warning_tally_update"):
        op.execute(
            f"DROP TRIGGER IF EXISTS {name}"
            + (" ON warnings" if op.get_bind().dialect.name == "postgresql" else "")
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS tl_warning_tally()")
    op.drop_index("ix_warning_tallies_status", table_name="warning_tallies")
    op.drop_table("warning_tallies")
