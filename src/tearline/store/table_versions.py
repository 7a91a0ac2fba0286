"""Whether a table has changed: its version, a random value the database sets anew in
every transaction that changes the table (triggers, migration 0026).

A list built from some tables, with their versions read *before* it was built, is
current for as long as the versions read again are the same: every change commits
together with its new version, so a list built after the versions were read saw at
least every change they stand for. (It may have seen a later one too; then the versions
have moved on already, and the next reader builds it again.)

Only the tables in ``TRACKED`` have versions, and none of them is written by the
delivery worker: a list that reads any other table cannot be kept this way.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from tearline.store.tables import TableVersion

# The tables with triggers (migration 0026 and any later one that adds to them).
TRACKED = frozenset({"reports", "events", "threats", "sources", "case_grades", "determinations"})

_READ = select(TableVersion.name, TableVersion.id, TableVersion.version).order_by(
    TableVersion.name, TableVersion.id
)

Stamp = tuple[tuple[str, int, int], ...]


def stamp(conn: Connection, tables: Iterable[str]) -> Stamp:
    """The versions of ``tables`` now, as one comparable value (every row of each: on
    PostgreSQL a table may have several)."""
    wanted = frozenset(tables)
    if not wanted <= TRACKED:
        raise ValueError(f"no version is kept for {sorted(wanted - TRACKED)}")
    return tuple((n, i, v) for n, i, v in conn.execute(_READ) if n in wanted)
