"""Need to know, in the queries: a viewer sees a report or case only if they hold every
compartment it is marked with.

The rule is compiled into SQL (``within``) so a list, a count or a lookup by ID can never
return a row the viewer may not see, whatever a template does with it. Records that hang
off a case (determinations, releases, warnings, deliveries, responses, escalations) are
visible exactly when their case is. A viewer of ``None`` is the local operator (the CLI
with the database in hand) and sees everything.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, bindparam, exists, literal, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal, _TraverseInternalsType

from tearline.errors import NotFound
from tearline.ids import Kind, format_id, parse_id
from tearline.store import tables as t
from tearline.workflow.app import App
from tearline.workflow.records import TABLES
from tearline.workflow.users import Identity


class _Within(ColumnElement[bool]):
    """``column`` (a JSON list of compartment names) is a subset of ``held``.

    Cached like any other clause, keyed by the column and the names held: a desk list
    would otherwise compile its SQL afresh on every request (milliseconds each)."""

    inherit_cache = True
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012 (SQLAlchemy's form)
        ("column", InternalTraversal.dp_clauseelement),
        ("held", InternalTraversal.dp_string_list),
    ]
    type = Boolean()
    # A condition in itself: SQLite's WHERE takes it as it is, not as "(...) = 1".
    _is_implicitly_boolean = True

    def __init__(self, column: Any, held: frozenset[str]) -> None:
        self.column = column
        self.held = sorted(held)


@compiles(_Within)
def _within_sqlite(element: _Within, compiler: SQLCompiler, **kw: Any) -> str:
    col = compiler.process(element.column, **kw)
    if not element.held:
        return f"(json_array_length(coalesce({col}, '[]')) = 0)"
    # Every value is a bound parameter (``literal``); only SQL structure is formatted in.
    names = ", ".join(compiler.process(literal(h), **kw) for h in element.held)
    return (
        f"(NOT EXISTS (SELECT 1 FROM json_each(coalesce({col}, '[]')) AS tl_c "  # noqa: S608
        f"WHERE tl_c.value NOT IN ({names})))"
    )


@compiles(_Within, "postgresql")
def _within_postgresql(element: _Within, compiler: SQLCompiler, **kw: Any) -> str:
    col = compiler.process(element.column, **kw)
    held = compiler.process(bindparam(None, json.dumps(element.held), unique=True), **kw)
    return f"(coalesce({col}, '[]'::jsonb) <@ CAST({held} AS JSONB))"


def within(column: Any, viewer: Identity | None) -> ColumnElement[bool]:
    """The SQL condition "the viewer holds every compartment in ``column``"."""
    if viewer is None:
        return true()
    return _Within(column, viewer.compartments)


class _Compartmented(ColumnElement[bool]):
    """``column`` names at least one compartment (NULL and [] are none), written as the
    predicate of the partial indexes ``ix_threats_compartmented`` and
    ``ix_reports_compartmented`` (``tables.compartmented``) so each database uses them."""

    inherit_cache = True
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012 (SQLAlchemy's form)
        ("column", InternalTraversal.dp_clauseelement),
    ]
    type = Boolean()
    # A condition in itself: SQLite's WHERE takes it as it is, not as "(...) = 1", which
    # would hide the column from the partial index.
    _is_implicitly_boolean = True

    def __init__(self, column: Any) -> None:
        self.column = column


@compiles(_Compartmented)
def _compartmented_sqlite(element: _Compartmented, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.column, **kw)} != '[]')"


@compiles(_Compartmented, "postgresql")
def _compartmented_postgresql(element: _Compartmented, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.column, **kw)} != CAST('[]' AS JSONB))"


def _visible(
    table: type[t.Report] | type[t.Threat], viewer: Identity | None
) -> ColumnElement[bool]:
    """``within`` put the other way round: the row is not among those in a compartment
    the viewer does not hold. Those are found from the few rows in any compartment (their
    partial index), so a list newest first reads its page and stops, where testing every
    row's compartments made PostgreSQL read and sort the whole table for each page (its
    estimate of the JSON test is a guess)."""
    if viewer is None:
        return true()
    marked = _MARKED[table]
    unseen = select(marked.id).where(
        _Compartmented(marked.compartments), ~within(marked.compartments, viewer)
    )
    return table.id.not_in(unseen)


# The compartmented rows, as a table of their own inside the visibility conditions (the
# same name on every call, so a statement with them is cached once).
_MARKED: dict[type[t.Base], Any] = {
    table: aliased(table, name=f"tl_{table.__tablename__}_marked") for table in (t.Report, t.Threat)
}


def visible_threats(viewer: Identity | None) -> ColumnElement[bool]:
    return _visible(t.Threat, viewer)


def visible_reports(viewer: Identity | None) -> ColumnElement[bool]:
    return _visible(t.Report, viewer)


def threat_visible(threat_id: Any, viewer: Identity | None) -> ColumnElement[bool]:
    """A condition on a column holding a threat's ID (for records that hang off a case)."""
    if viewer is None:
        return true()
    return exists(
        select(t.Threat.id).where(t.Threat.id == threat_id, visible_threats(viewer))
    ).correlate_except(t.Threat)


def restrict(query: Select[Any], table: type[t.Base], viewer: Identity | None) -> Select[Any]:
    """Add the compartment rule to a query over one of the tables that have it."""
    if viewer is None:
        return query
    if table is t.Threat:
        return query.where(visible_threats(viewer))
    if table is t.Report:
        return query.where(visible_reports(viewer))
    if table is t.Event:
        report_ok = select(t.Report.id).where(
            t.Report.id == t.Event.report_id, visible_reports(viewer)
        )
        return query.where(exists(report_ok.correlate_except(t.Report)))
    column = _THREAT_COLUMN.get(table)
    if column is not None:
        return query.where(threat_visible(column, viewer))
    if table in (t.Delivery, t.Response):
        warning_id = t.Delivery.warning_id if table is t.Delivery else t.Response.warning_id
        sub = select(t.WarningRecord.id).where(
            t.WarningRecord.id == warning_id,
            threat_visible(t.WarningRecord.threat_id, viewer),
        )
        return query.where(exists(sub.correlate_except(t.WarningRecord)))
    if table is t.Source:
        # A source is visible when the viewer can see at least one report from it.
        sub = select(t.Report.id).where(t.Report.source_id == t.Source.id, visible_reports(viewer))
        return query.where(exists(sub.correlate_except(t.Report)))
    return query  # recipients are a shared registry


_THREAT_COLUMN: dict[type[t.Base], Any] = {
    t.Determination: t.Determination.threat_id,
    t.Release: t.Release.threat_id,
    t.WarningRecord: t.WarningRecord.threat_id,
    t.Escalation: t.Escalation.threat_id,
    t.Assessment: t.Assessment.threat_id,
    t.FactCorrection: t.FactCorrection.threat_id,
    t.CaseGrade: t.CaseGrade.threat_id,
}


def load_visible(session: Session, ref: str, viewer: Identity | None, *kinds: Kind) -> Any:
    """The row for ``ref`` if it exists and the viewer may see it; otherwise NotFound.

    The same message either way, so an ID outside the viewer's compartments does not
    reveal that it exists.
    """
    kind, number = parse_id(ref, *kinds)
    table = TABLES[kind]
    pk = table.__mapper__.primary_key[0]
    row = session.scalar(restrict(select(table).where(pk == number), table, viewer))
    if row is None:
        raise NotFound(f"no {kind.name.lower()} {format_id(kind, number)}")
    return row


def ensure_visible(app: App, ref: str, viewer: Identity | None) -> None:
    """Raise NotFound unless the viewer may see ``ref`` — before acting on it by ID."""
    with app.read() as session:
        load_visible(session, ref, viewer)
