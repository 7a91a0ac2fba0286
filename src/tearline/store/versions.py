"""What a list derives from a big column (a case's facts: 2-3 KiB of JSON), kept per
version of the row on PostgreSQL, so the column is read only when the row has changed.

PostgreSQL's ``xmin`` is the transaction that wrote the row's current version: a new one
on every change, and reading it costs nothing, while turning a ``jsonb`` into text for
every row of a list, on every request, cost the database milliseconds. A list reads the
version beside its other columns (``row_version``) and asks ``by_version`` for the values:
those of a version already seen come from memory, the rest are read by ID in one query.
The database, the row's ID and its version are the key, so an entry is never stale.
(SQLite, in the same process, reads the text for little; its lists read it.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import Connection, Executable, Text, cast, literal_column
from sqlalchemy.sql.elements import ColumnElement

from tearline.store.idlists import id_list

T = TypeVar("T")
KEPT = 8192  # entries per cache; the oldest go first


def row_version(entity: Any) -> ColumnElement[str]:
    """The PostgreSQL version (``xmin``) of ``entity``'s row, as text."""
    return cast(literal_column(f"{entity.__tablename__}.xmin"), Text)


def by_version(
    c: Connection,
    read: Executable,
    cache: dict[tuple[str, int, str], T],
    rows: Iterable[tuple[int, str]],
    derive: Callable[[str], T],
) -> dict[int, T]:
    """The value ``derive`` gives of each row's column, by row ID, for ``rows`` given as
    (ID, version): from ``cache`` for a version seen before, else read by ``read`` (ID,
    version, the column as text; its IDs bound as ``ids``, ``store.idlists``) and kept
    under the version read with it. A row gone by then is left out."""
    where = str(c.engine.url)
    found: dict[int, T] = {}
    missing: list[int] = []
    for rid, version in rows:
        got = cache.get((where, rid, version))
        if got is None:
            missing.append(rid)
        else:
            found[rid] = got
    if missing:
        for rid, version, raw in c.execute(read, {"ids": id_list(missing)}).all():
            found[rid] = value = derive(raw)
            if len(cache) >= KEPT:
                cache.pop(next(iter(cache)), None)
            cache[(where, rid, version)] = value
    return found
