"""Reads on PostgreSQL cannot write, and each of their statements sees what was
committed before it.

A read's statements run on the reader engine's connections, read-only and each its own
transaction (``store.db._reader_engine``): no BEGIN and COMMIT around them. A read that
tries to write by mistake is refused and nothing is written. (On SQLite a read is a
deferred transaction, which does not queue behind writers.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.settings import load_settings
from tearline.store import tables as t
from tests.conftest import fresh_postgres, postgres_url, seed_users


def users(app: wf.App) -> int:
    with app.read() as s:
        return int(s.scalar(select(func.count()).select_from(t.User)) or 0)


@pytest.fixture
def pg_app(tmp_path: Path, clock: FixedClock) -> Iterator[wf.App]:
    """The app on PostgreSQL only: SQLite's reads are not made read-only."""
    url = postgres_url()
    assert url is not None
    values = {"home": str(tmp_path / "home"), "database_url": fresh_postgres(url)}
    application = wf.App(load_settings(values, environ={}), clock=clock)
    yield application
    application.close()


@pytest.mark.postgres
def test_a_read_that_writes_is_refused_and_writes_nothing(pg_app: wf.App) -> None:
    app = pg_app
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
