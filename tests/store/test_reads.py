"""Reads on PostgreSQL cannot write, and each of their statements sees what was
committed before it.

A read's statements run on the reader engine's connections, read-only and each its own
transaction (``store.db._reader_engine``): no BEGIN and COMMIT around them. A read that
tries to write by mistake is refused and nothing is written. (On SQLite a read is a
deferred transaction, which does not queue behind writers.)
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError

from tearline import workflow as wf
from tearline.store import tables as t
from tests.conftest import seed_users


def users(app: wf.App) -> int:
    with app.read() as s:
        return int(s.scalar(select(func.count()).select_from(t.User)) or 0)


@pytest.mark.postgres
def test_a_read_that_writes_is_refused_and_writes_nothing(app: wf.App) -> None:
    if app.db.dialect != "postgresql":
        pytest.skip("SQLite's reads are not made read-only")
    seed_users(app)
    before = users(app)
    row = {"username": "mallory", "password_hash": "x", "roles": [], "compartments": []}
    statement = insert(t.User).values(**row, display_name="", active=True)
    with pytest.raises(DBAPIError, match="read-only"), app.read() as s:
        s.execute(statement)
    with pytest.raises(DBAPIError, match="read-only"), app.read_rows() as conn:
        conn.execute(text("CREATE TABLE mischief (id int)"))  # the sign-in check's too
    assert users(app) == before


def test_each_statement_of_a_read_sees_what_was_committed_before_it(app: wf.App) -> None:
    seed_users(app)
    with app.read() as s:
        first = s.scalar(select(func.count()).select_from(t.User))
        wf.add_user(app, "erin", "erin-password-1", [])
        second = s.scalar(select(func.count()).select_from(t.User))
    if app.db.dialect == "postgresql":  # READ COMMITTED: each statement sees afresh
        assert second == (first or 0) + 1
    assert users(app) == (first or 0) + 1
