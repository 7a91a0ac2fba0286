"""a version per table of the desk's lists, kept by triggers: a list is built again only
when what it reads has changed

- ``table_versions (name, version)``: for each table below, one or more rows whose
  ``version`` takes a new random value in every transaction that inserts, updates,
  deletes or truncates rows of that table. Nothing else writes them.
- A web process keeps the inbox and the triage queue it last answered (``workflow.
  list_cache``) with the versions of the tables they were built from, read before the
  build. The next request reads the versions again (a few rows) and answers from memory
  while they are the same. A change committed by any process, or by hand in ``psql``,
  changes a version in the same transaction, so it shows on the very next request.
- Random, not counted: a database restored from a backup, or a counter run back to an
  old value, cannot make a version equal to the one of a different state again.
- On PostgreSQL, per statement (transition tables: a statement that changed no row
  changes nothing), each change goes to one of the table's rows that no other
  transaction holds (``FOR UPDATE SKIP LOCKED``), or to a new one. Writers never wait on
  each other's versions, so no order of locks among them can deadlock. SQLite has one
  writer at a time: one row per table, per row changed.
- Only tables the delivery worker does not write: a delivery never touches a version.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As of this revision; a later migration that tracks more tables adds their triggers.
TABLES = ("reports", "events", "threats", "sources", "case_grades", "determinations")
EVENTS = ("insert", "update", "delete")

SQLITE_RANDOM = "random()"
PG_RANDOM = "floor(random() * 9007199254740991)::bigint"

# Every name and value written into SQL here is a constant of this migration (S608).
PG_FUNCTION = f"""
CREATE FUNCTION tl_table_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'TRUNCATE' AND NOT EXISTS (SELECT 1 FROM tl_rows) THEN
    RETURN NULL;
  END IF;
  UPDATE table_versions v SET version = {PG_RANDOM}
   WHERE v.id = (SELECT x.id FROM table_versions x WHERE x.name = TG_TABLE_NAME
                  LIMIT 1 FOR UPDATE SKIP LOCKED);
  IF NOT FOUND THEN
    INSERT INTO table_versions (name, version) VALUES (TG_TABLE_NAME, {PG_RANDOM});
  END IF;
  RETURN NULL;
END
$$
"""  # noqa: S608


def pg_triggers(table: str) -> list[str]:
    rows = {"insert": "NEW TABLE AS tl_rows", "update": "NEW TABLE AS tl_rows"}
    rows["delete"] = "OLD TABLE AS tl_rows"
    made = [
        f"CREATE TRIGGER tl_{table}_changed_{event} AFTER {event.upper()} ON {table} "
        f"REFERENCING {rows[event]} FOR EACH STATEMENT EXECUTE FUNCTION tl_table_changed()"
        for event in EVENTS
    ]
    made.append(
        f"CREATE TRIGGER tl_{table}_changed_truncate AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION tl_table_changed()"
    )
    return made


def sqlite_triggers(table: str) -> list[str]:
    bump = f"UPDATE table_versions SET version = {SQLITE_RANDOM} WHERE name = '{table}';"  # noqa: S608
    return [
        f"CREATE TRIGGER tl_{table}_changed_{event} AFTER {event.upper()} ON {table} "
        f"BEGIN {bump} END"
        for event in EVENTS
    ]


def upgrade() -> None:
    op.create_table(
        "table_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_table_versions")),
    )
    op.create_index("ix_table_versions_name", "table_versions", ["name"])
    postgres = op.get_bind().dialect.name == "postgresql"
    random = PG_RANDOM if postgres else SQLITE_RANDOM
    for table in TABLES:
        add = f"INSERT INTO table_versions (name, version) VALUES ('{table}', {random})"  # noqa: S608
        op.execute(add)
    if postgres:
        op.execute(PG_FUNCTION)
    for table in TABLES:
        for trigger in pg_triggers(table) if postgres else sqlite_triggers(table):
            op.execute(trigger)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        for event in (*EVENTS, "truncate") if postgres else EVENTS:
            op.execute(
                f"DROP TRIGGER IF EXISTS tl_{table}_changed_{event}"
                + (f" ON {table}" if postgres else "")
            )
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS tl_table_changed()")
    op.drop_index("ix_table_versions_name", table_name="table_versions")
    op.drop_table("table_versions")
