"""deliveries counted as they change: the board's tallies, kept by triggers

- ``delivery_tallies (warning_id, status, n)``: how many deliveries each warning has in
  each status, and (``warning_id`` 0) all warnings together. The deliveries board reads
  its counts here: a few rows per warning on the page and one per status for the whole
  desk, not every delivery of every warning on each request.
- Triggers on ``deliveries`` keep it, in the transaction that inserts, updates or deletes
  deliveries (whatever writes them: the outbox's bulk statements, a release, a resend),
  so a count is right after a crash as the deliveries are.
  SQLite (one writer at a time): a row per key, updated in place, per delivery changed.
  PostgreSQL (several workers at once): per statement, each key's change is added to one
  of its rows that no other transaction holds (``FOR UPDATE SKIP LOCKED``), or to a new
  row when all are held. A count is the sum of its key's rows; writers never wait on each
  other's counts, so they never deadlock on them, and rows are updated, not replaced.
- ``deliveries (warning_id, status, id)`` replaces ``(warning_id, status)``: the board
  lists a big warning's latest deliveries of a status from the index, in order.
- ``threats (id) WHERE compartments != '[]'``: the cases in a compartment, so the board
  finds what a viewer may not see without reading every case.
- Backfill: the tallies of the deliveries already there.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A case marked with at least one compartment (as tables.COMPARTMENTED, as of this revision)
COMPARTMENTED = {
    "sqlite": "threats.compartments != '[]'",
    "postgresql": "threats.compartments != CAST('[]' AS JSONB)",
}

# SQLite: a key's one row, made when first needed. ``{w}``: the warning (0 for the desk's
# row); ``{s}``: the status; ``{d}``: +1 or -1.
_SQLITE_ADD = """
UPDATE delivery_tallies SET n = n + {d} WHERE warning_id = {w} AND status = {s};
INSERT INTO delivery_tallies (warning_id, status, n) SELECT {w}, {s}, {d}
 WHERE NOT EXISTS (SELECT 1 FROM delivery_tallies WHERE warning_id = {w} AND status = {s});
"""


def _sqlite_adds(row: str, d: int) -> str:
    w, s = f"{row}.warning_id", f"{row}.status"
    return _SQLITE_ADD.format(w=w, s=s, d=d) + _SQLITE_ADD.format(w="0", s=s, d=d)


SQLITE_TRIGGERS = [
    "CREATE TRIGGER tl_tally_insert AFTER INSERT ON deliveries BEGIN"
    + _sqlite_adds("NEW", 1)
    + "END",
    "CREATE TRIGGER tl_tally_delete AFTER DELETE ON deliveries BEGIN"
    + _sqlite_adds("OLD", -1)
    + "END",
    "CREATE TRIGGER tl_tally_update AFTER UPDATE OF warning_id, status ON deliveries "
    "WHEN OLD.status IS NOT NEW.status OR OLD.warning_id IS NOT NEW.warning_id BEGIN"
    + _sqlite_adds("OLD", -1)
    + _sqlite_adds("NEW", 1)
    + "END",
]

# PostgreSQL: statement-level triggers over the statement's rows (transition tables).
# ``moved``: (warning, status, +1 or -1) for each delivery the statement changed; ``k``:
# their sum per key, the desk's (warning 0) too. Each key's change goes to one of its
# rows that no other transaction holds (``SKIP LOCKED``: never waited on), or to a new
# row when every one is held: a key has at most as many rows as writers ever changed it
# at once.
_PG_MOVED = {
    "INSERT": "SELECT warning_id, status, 1 AS d FROM tl_new",
    "DELETE": "SELECT warning_id, status, -1 AS d FROM tl_old",
    "UPDATE": (
        "SELECT x.warning_id, x.status, x.d FROM tl_old o JOIN tl_new n ON n.id = o.id, "
        "LATERAL (VALUES (o.warning_id, o.status, -1), (n.warning_id, n.status, 1)) "
        "AS x (warning_id, status, d) "
        "WHERE o.status IS DISTINCT FROM n.status OR o.warning_id IS DISTINCT FROM n.warning_id"
    ),
}
_PG_ADD = """
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
PG_FUNCTION = f"""
CREATE FUNCTION tl_delivery_tally() RETURNS trigger LANGUAGE plpgsql AS $$
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
    "CREATE TRIGGER tl_tally_insert AFTER INSERT ON deliveries REFERENCING NEW TABLE AS tl_new "
    "FOR EACH STATEMENT EXECUTE FUNCTION tl_delivery_tally()",
    "CREATE TRIGGER tl_tally_delete AFTER DELETE ON deliveries REFERENCING OLD TABLE AS tl_old "
    "FOR EACH STATEMENT EXECUTE FUNCTION tl_delivery_tally()",
    "CREATE TRIGGER tl_tally_update AFTER UPDATE ON deliveries "
    "REFERENCING OLD TABLE AS tl_old NEW TABLE AS tl_new "
    "FOR EACH STATEMENT EXECUTE FUNCTION tl_delivery_tally()",
]
BACKFILL = """
INSERT INTO delivery_tallies (warning_id, status, n)
SELECT warning_id, status, count(*) FROM deliveries GROUP BY warning_id, status
UNION ALL
SELECT 0, status, count(*) FROM deliveries GROUP BY status
"""


def upgrade() -> None:
    op.create_table(
        "delivery_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_tallies")),
    )
    op.create_index(
        "ix_delivery_tallies_warning_status", "delivery_tallies", ["warning_id", "status"]
    )
    op.create_index("ix_deliveries_warning_status_id", "deliveries", ["warning_id", "status", "id"])
    op.drop_index("ix_deliveries_warning_status", table_name="deliveries")
    op.create_index(
        "ix_threats_compartmented",
        "threats",
        ["id"],
        sqlite_where=sa.text(COMPARTMENTED["sqlite"]),
        postgresql_where=sa.text(COMPARTMENTED["postgresql"]),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for trigger in PG_TRIGGERS:
            op.execute(trigger)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
    op.execute(BACKFILL)


def downgrade() -> None:
    for name in ("tl_tally_insert", "tl_tally_delete", "tl_tally_update"):
        op.execute(
            f"DROP TRIGGER IF EXISTS {name}"
            + (" ON deliveries" if op.get_bind().dialect.name == "postgresql" else "")
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS tl_delivery_tally()")
    op.create_index("ix_deliveries_warning_status", "deliveries", ["warning_id", "status"])
    op.drop_index("ix_deliveries_warning_status_id", table_name="deliveries")
    op.drop_index("ix_threats_compartmented", table_name="threats")
    op.drop_index("ix_delivery_tallies_warning_status", table_name="delivery_tallies")
    op.drop_table("delivery_tallies")
