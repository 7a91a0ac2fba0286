"""Column types shared by the tables: UTC timestamps that stay timezone-aware everywhere,
and read as ISO 8601 text where a list only shows them (``iso_utc``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, DateTime, Dialect, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal, _TraverseInternalsType
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Accepts only aware datetimes, stores UTC, and returns aware UTC datetimes.

    SQLite has no timezone type and would hand back naive values; PostgreSQL's
    ``timestamptz`` converts to the session's zone. Both come back as UTC here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"refusing to store a naive datetime {value!r}: give it a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class _ISOText(String):
    """The result type of ``iso_utc``: on PostgreSQL the database writes the final text;
    on SQLite the stored text is turned into it here."""

    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return None
        parse = DateTime().dialect_impl(dialect).result_processor(dialect, coltype)
        assert parse is not None
        stored = UTCDateTime()

        def iso(value: str | None) -> str | None:
            if value is None:
                return None
            # SQLAlchemy's own storage form, "2024-03-06 09:00:00.000000", read as text.
            if len(value) == 26 and value[10] == " " and value[19] == ".":
                if value.endswith(".000000"):
                    return f"{value[:10]}T{value[11:19]}+00:00"
                return f"{value[:10]}T{value[11:]}+00:00"
            when = stored.process_result_value(parse(value), dialect)
            return None if when is None else when.isoformat()

        return iso


class _ISOUTC(ColumnElement[str]):
    """A ``UTCDateTime`` column read as its ISO 8601 text in UTC (``iso_utc``)."""

    inherit_cache = True
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012 (SQLAlchemy's form)
        ("column", InternalTraversal.dp_clauseelement),
    ]
    type = _ISOText()

    def __init__(self, column: Any) -> None:
        self.column = column


@compiles(_ISOUTC)
def _iso_utc_sqlite(element: _ISOUTC, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column, **kw)  # the stored text (_ISOText reads it)


@compiles(_ISOUTC, "postgresql")
def _iso_utc_postgresql(element: _ISOUTC, compiler: SQLCompiler, **kw: Any) -> str:
    utc = f"({compiler.process(element.column, **kw)} AT TIME ZONE 'UTC')"
    whole = """'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'"""
    fraction = """'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'"""
    form = f"CASE WHEN date_trunc('second', {utc}) = {utc} THEN {whole} ELSE {fraction} END"
    return f"to_char({utc}, {form})"


def iso_utc(column: Any) -> ColumnElement[str]:
    """A ``UTCDateTime`` column as the text ``value.isoformat()`` gives of the value read
    ("2024-03-06T09:00:00+00:00", with ".123456" when the microseconds are not 0), None
    for NULL, labelled with the column's name: for a list that only shows the time, no
    datetime is made and formatted per row. PostgreSQL writes the text itself (``to_char``
    in UTC, whatever the session's time zone and date style); SQLite's stored text is
    rearranged."""
    return _ISOUTC(column).label(column.key)
