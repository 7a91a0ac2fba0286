"""Many rows into a table: one multi-row ``INSERT … VALUES`` per chunk, not one statement
per row.

A list of parameter sets given to ``session.execute(insert(table), rows)`` goes to the
driver's ``executemany``, which psycopg runs as one statement per row. On ``deliveries``
each statement fires the board's tally trigger (migration 0018): 100,000 statements in
one transaction, each adding to the same tally row, cost time growing with the square of
the rows (8,000 rows: 2.7 s; 100,000: minutes). A chunk of rows in one statement fires it
once, and is the fastest plain insert on both databases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

# Rows per statement: well under SQLite's 32,766 and PostgreSQL's 65,535 bound
# parameters for the widest table written this way (deliveries: 9 columns given).
ROWS_PER_STATEMENT = 1000


def insert_rows(session: Session, table: Table | Any, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert ``rows`` (all with the same keys) into ``table`` (a Table or a mapped
    class) in statements of ``ROWS_PER_STATEMENT`` rows; returns how many."""
    if not rows:
        return 0
    # With RETURNING, SQLAlchemy sends a parameter list as multi-row VALUES statements of
    # ``ROWS_PER_STATEMENT`` rows ("insertmanyvalues"), rendered from one compiled form:
    # compiling ``insert().values(rows)`` afresh cost 138 µs a row.
    got = session.execute(
        insert(table).returning(table.c.id if isinstance(table, Table) else table.id),
        list(rows),
        execution_options={"insertmanyvalues_page_size": ROWS_PER_STATEMENT},
    )
    return len(got.all())
