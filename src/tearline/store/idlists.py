"""A list of row IDs as one bound parameter: ``in_ids(column, "ids")`` with
``{"ids": id_list([...])}``.

SQLAlchemy's expanding ``IN`` sends one parameter per ID, and on PostgreSQL renders and
the driver parses a new statement for every length of list: a page of a hundred cases
paid that on each of its queries. Here the list travels as one JSON text, the statement
is the same whatever its length, and the database unpacks it (SQLite's ``json_each``,
PostgreSQL's ``jsonb_array_elements_text`` into an array).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Boolean, ColumnElement, String, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal, _TraverseInternalsType


class _InIds(ColumnElement[bool]):
    """``column`` is one of the integers in the JSON array bound as ``param``."""

    inherit_cache = True
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012 (SQLAlchemy's form)
        ("column", InternalTraversal.dp_clauseelement),
        ("param", InternalTraversal.dp_clauseelement),
    ]
    type = Boolean()
    # A condition in itself: SQLite's WHERE takes it as it is, not as "(...) = 1", which
    # would hide the column from its index.
    _is_implicitly_boolean = True

    def __init__(self, column: Any, name: str) -> None:
        self.column = column
        self.param = bindparam(name, type_=String)


@compiles(_InIds)
def _in_ids_sqlite(element: _InIds, compiler: SQLCompiler, **kw: Any) -> str:
    col = compiler.process(element.column, **kw)
    ids = compiler.process(element.param, **kw)
    return f"({col} IN (SELECT value FROM json_each({ids})))"  # noqa: S608 (bound values)


@compiles(_InIds, "postgresql")
def _in_ids_postgresql(element: _InIds, compiler: SQLCompiler, **kw: Any) -> str:
    col = compiler.process(element.column, **kw)
    ids = compiler.process(element.param, **kw)
    # "= ANY (ARRAY(...))", not "IN (SELECT ...)": the sub-select is a join to PostgreSQL,
    # which it guesses at a hundred rows, and joining a page's 50 warnings to their
    # deliveries it then read all 20,000 deliveries and hashed them (10 ms a page, growing
    # with the table); an array it looks up in the column's index (0.3 ms).
    unpacked = f"SELECT CAST(jsonb_array_elements_text(CAST({ids} AS JSONB)) AS INTEGER)"
    return f"({col} = ANY (ARRAY({unpacked})))"


def in_ids(column: Any, name: str) -> ColumnElement[bool]:
    """The SQL condition "``column`` is one of the IDs bound as ``name``" (``id_list``)."""
    return _InIds(column, name)


def id_list(ids: Iterable[int]) -> str:
    """The value to bind for ``in_ids``: the IDs as a JSON array."""
    return json.dumps([int(i) for i in ids], separators=(",", ":"))
