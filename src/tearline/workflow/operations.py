"""The operator's acts on the database itself — a schema upgrade, a restore — on the record
like everything else, so a reviewer sees when the ground under the audit chain moved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tearline.store.db import (
    SchemaState,
    backup_sqlite,
    create_db_engine,
    restore_sqlite,
    schema_state,
    upgrade,
)
from tearline.workflow.app import App


def record_operation(app: App, action: str, details: dict[str, Any], *, by: str) -> None:
    """Append ``database.<action>`` to the audit chain (after the act, in the database it
    left: a restored database records its own restore)."""
    with app.unit() as u:
        u.audit(by, f"database.{action}", "database", details)


def database_state(url: str) -> SchemaState:
    """Where the database at ``url`` stands against this version's migrations."""
    engine = create_db_engine(url)
    try:
        return schema_state(engine)
    finally:
        engine.dispose()


def upgrade_database(url: str) -> tuple[SchemaState, SchemaState]:
    """Apply this version's migrations; (before, after)."""
    engine = create_db_engine(url)
    try:
        return upgrade(engine), schema_state(engine)
    finally:
        engine.dispose()


def backup_database(url: str, target: Path) -> int:
    return backup_sqlite(url, target)


def restore_database(backup: Path, url: str) -> SchemaState:
    return restore_sqlite(backup, url)
