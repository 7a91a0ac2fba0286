"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from tearline.store.db import Database, alembic_config
from tearline.store.tables import Base, Source


def test_migrations_match_the_models(database_url: str) -> None:
    db = Database(database_url)
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        db.dispose()


def test_migrations_form_one_line() -> None:
    # Branches developed side by side must be joined before they ship: one head, and
    # every revision reachable from it, so a database upgrades the same way everywhere.
    script = ScriptDirectory.from_config(alembic_config())
    heads = script.get_heads()
    assert len(heads) == 1
    line = [r.revision for r in script.iterate_revisions(heads[0], "base")]
    assert sorted(line) == sorted(r.revision for r in script.walk_revisions())


def test_upgrade_on_start_is_idempotent(database_url: str) -> None:
    Database(database_url).dispose()
    Database(database_url).dispose()


def test_times_come_back_aware_and_in_utc(database_url: str) -> None:
    db = Database(database_url)
    moscow = timezone(timedelta(hours=3))
    try:
        with db.session() as s:
            s.add(
                Source(
                    name="s", reliability="B", created_at=datetime(2024, 3, 6, 12, tzinfo=moscow)
                )
            )
        with db.session() as s:
            got = s.scalar(select(Source.created_at))
        assert got == datetime(2024, 3, 6, 9, tzinfo=UTC)
        assert got is not None
        assert got.utcoffset() == timedelta(0)
    finally:
        db.dispose()


def test_naive_times_are_refused(database_url: str) -> None:
    db = Database(database_url)
    naive = Source(name="s", reliability="B", created_at=datetime(2024, 3, 6))
    try:
        with db.session() as s:
            s.add(naive)
            with pytest.raises(StatementError, match="naive datetime"):
                s.flush()
            s.rollback()
    finally:
        db.dispose()
