"""A list of IDs bound as one parameter finds exactly the rows named, on SQLite and
PostgreSQL, whatever the list's length — none, one, repeated, or more than a page."""

from __future__ import annotations

from sqlalchemy import select

from tearline import workflow as wf
from tearline.store import tables as t
from tearline.store.idlists import id_list, in_ids
from tests.web.conftest import ingest_demo


def test_in_ids_finds_exactly_the_rows_named(app: wf.App) -> None:
    ingest_demo(app)
    with app.read() as s:
        every = list(s.scalars(select(t.Event.id).order_by(t.Event.id)))
        assert len(every) >= 2
        q = select(t.Event.id).where(in_ids(t.Event.id, "ids")).order_by(t.Event.id)
        for wanted in ([], every[:1], every, [every[-1], every[0], every[0]], [*every, 10**9]):
            got = list(s.scalars(q, {"ids": id_list(wanted)}))
            assert got == sorted(set(wanted) & set(every))
