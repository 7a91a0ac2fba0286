"""The database: engine, sessions, and upgrading the schema on start (Alembic).

SQLite is the embedded default. Write transactions on SQLite start with
``BEGIN IMMEDIATE`` so that two writers queue on the lock instead of one failing
half-way through with "database is locked" after reading stale data.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.exc import ArgumentError, DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tearline.errors import ConfigError


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is off (see _begin_immediate).
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _begin(conn: Any) -> None:
    # Readers take no lock; writers take the write lock up front.
    read_only = conn.get_execution_options().get("tearline_read_only", False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _private_file(path: Path) -> None:
    """Create the database file 0600 in a 0700 folder before SQLite does (it would use the
    umask: 0644): it holds source names and password hashes. SQLite gives its -wal and
    -shm files the database file's mode. An existing file or folder is left as it is."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


# A pooled PostgreSQL connection idle longer than this is tested before it is lent (a
# round trip, like ``pool_pre_ping``); one used more recently is lent as it is. Testing
# every loan cost the desk two round trips a request (the sign-in check and the page
# each borrow one), about 5 % of a list's CPU. A connection that died within the window
# fails its first statement; from then on every connection of the database's pools
# (writers' and readers') is tested before its next loan, and
# ``web.connections.RetryRead`` asks a read again once.
PING_AFTER_IDLE_SECONDS = 0.5


class _Liveness:
    """When a connection to the database was last found dead, shared by its engines."""

    def __init__(self) -> None:
        self.lost_at = 0.0

    def watch(self, engine: Engine) -> None:
        """Test ``engine``'s connections when lent: one idle past the window, or any
        returned before a connection was last found dead; a dead one is replaced."""

        def returned(_dbapi_connection: Any, record: Any) -> None:
            record.info["idle_from"] = time.monotonic()

        def lent(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
            idle_from = record.info.get("idle_from", 0.0)
            fresh = time.monotonic() - idle_from <= PING_AFTER_IDLE_SECONDS
            if fresh and idle_from > self.lost_at:
                return
            try:
                engine.dialect.do_ping(dbapi_connection)
            except Exception as exc:  # whatever the failure: the pool takes another
                raise DisconnectionError("a pooled connection no longer answers") from exc

        def failed(context: Any) -> None:
            if context.is_disconnect:
                self.lost_at = time.monotonic()

        event.listen(engine.pool, "checkin", returned)
        event.listen(engine.pool, "checkout", lent)
        event.listen(engine, "handle_error", failed)


def _reader_engine(engine: Engine, liveness: _Liveness) -> Engine:
    """PostgreSQL: the engine reads go through, on connections of their own that are
    read-only (``default_transaction_read_only``: a read cannot write by mistake) and in
    autocommit: each statement is its own transaction, with no BEGIN and COMMIT around
    a read's statements. At READ COMMITTED each statement of a transaction sees the
    database afresh anyway, so a read's statements see what they saw before; the two
    round trips were a sixth of a desk list's statements."""
    reader = create_engine(
        engine.url,
        isolation_level="AUTOCOMMIT",
        connect_args={"options": "-c default_transaction_read_only=on"},
    )
    liveness.watch(reader)
    return reader


def create_db_engine(url: str, liveness: _Liveness | None = None) -> Engine:
    """The engine for ``url``; on PostgreSQL its pool's connections are watched by
    ``liveness`` (shared with the reader engine of the same database), or their own."""
    try:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                _private_file(Path(path))
            engine = create_engine(url)
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _begin)
            return engine
        engine = create_engine(url)
        (liveness or _Liveness()).watch(engine)
        return engine
    except (ArgumentError, ModuleNotFoundError) as exc:
        raise ConfigError(f"cannot use database URL: {exc}") from None


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("tearline.store") / "migrations"))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against this program's migrations."""

    current: frozenset[str]  # the revisions it is at (empty: none)
    heads: frozenset[str]  # the newest this program knows
    known: frozenset[str]  # every revision this program knows
    empty: bool  # no tables at all: a new database

    @property
    def up_to_date(self) -> bool:
        return self.current == self.heads

    @property
    def newer(self) -> bool:
        """At a revision this program does not know: made by a newer Tearline."""
        return bool(self.current - self.known)


def schema_state(engine: Engine) -> SchemaState:
    cfg = alembic_config(engine)
    script = ScriptDirectory.from_config(cfg)
    try:
        with engine.connect() as conn:
            current = frozenset(MigrationContext.configure(conn).get_current_heads())
            empty = not inspect(conn).get_table_names()
    except OperationalError as exc:
        raise ConfigError(f"cannot open the database: {exc.orig}") from None
    return SchemaState(
        current,
        frozenset(script.get_heads()),
        frozenset(r.revision for r in script.walk_revisions()),
        empty,
    )


def upgrade(engine: Engine) -> SchemaState:
    """Bring the schema to the newest migrations; a no-op when it is already there. Returns
    the state it started from.

    "heads", not "head": features developed side by side may each add a migration
    branching from the same parent, until a merge revision joins them.
    """
    state = schema_state(engine)
    if state.newer:
        raise ConfigError(_newer(state))
    if state.up_to_date:
        return state
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    return state


def _newer(state: SchemaState) -> str:
    at = ", ".join(sorted(state.current))
    return (
        f"the database is at schema revision {at}, which this version of Tearline does not "
        "know: it was made by a newer version; run that one"
    )


def ensure_current(engine: Engine) -> None:
    """Open a database only at the schema this program expects. A new, empty database is
    given the schema (a first run needs no extra step); one at an older revision is
    refused with what to do — migrations run when an operator says so (`tearline db
    upgrade`, after a backup), never as a side effect of another command."""
    state = schema_state(engine)
    if state.up_to_date:
        return
    if state.newer:
        raise ConfigError(_newer(state))
    if not state.current and state.empty:
        upgrade(engine)
        return
    if not state.current:
        raise ConfigError(
            "the database has tables but no Tearline schema revision: it is not a Tearline "
            "database, or it was made without migrations"
        )
    at, to = ", ".join(sorted(state.current)), ", ".join(sorted(state.heads))
    raise ConfigError(
        f"the database is at schema revision {at}; this version of Tearline needs {to}. "
        "Back it up (`tearline backup`, or pg_dump), then run `tearline db upgrade`"
    )


class Database:
    """An engine plus a session factory; ``session()`` is one transaction."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        liveness = _Liveness()  # one for the writers' engine and the readers'
        self.engine = create_db_engine(url, liveness)
        if migrate:
            ensure_current(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_only = self.engine.execution_options(tearline_read_only=True)
        sqlite = self.dialect == "sqlite"
        self.reader = self.engine if sqlite else _reader_engine(self.engine, liveness)
        # SQLite: a deferred BEGIN, which takes no lock and costs nothing. PostgreSQL: the
        # reader engine's connections, each statement its own read-only transaction.
        self._row_reader = self._read_only if sqlite else self.reader
        self._readers = sessionmaker(self._row_reader, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        with self._sessions() as s, s.begin():
            yield s

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read: on SQLite a transaction that does not queue behind writers; on
        PostgreSQL read-only statements, each its own transaction (``_reader_engine``)."""
        with self._readers() as s, s.begin():
            yield s
            # Detached first: ending the transaction expires every object it holds, which
            # costs a list of a few thousand rows more than the query did, for nothing.
            s.expunge_all()
            s.rollback()  # on PostgreSQL nothing to end: no transaction is open

    @contextmanager
    def reading_rows(self) -> Iterator[Connection]:
        """``reading`` without the ORM: a connection for a few plain rows, for reading only.
        The sign-in check every request makes uses it; a session costs more than the one
        row it reads."""
        with self._row_reader.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
        if self.reader is not self.engine:
            self.reader.dispose()


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL; a clear error for any other database."""
    if not url.startswith("sqlite"):
        raise ConfigError(
            "backup and restore here use SQLite's online backup; for PostgreSQL use pg_dump "
            "and pg_restore (docs/deployment.md)"
        )
    path = url.split("///", 1)[-1]
    if not path or path == ":memory:":
        raise ConfigError("an in-memory database has nothing to back up")
    return Path(path)


def backup_sqlite(url: str, target: Path) -> int:
    """Copy the live database to ``target`` with SQLite's online backup API (consistent
    while others read and write); the copy is 0600. Returns its size in bytes."""
    source = sqlite_path(url)
    if not source.exists():
        raise ConfigError(f"no database at {source}")
    if target.exists():
        raise ConfigError(f"{target} exists; give a new file name")
    os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target.stat().st_size


def restore_sqlite(backup: Path, url: str) -> SchemaState:
    """Replace the database at ``url`` with ``backup`` (a file ``backup_sqlite`` wrote),
    after checking it is a Tearline database this version can open. Stop the desk and the
    workers first: a restore replaces what they are writing."""
    target = sqlite_path(url)
    try:
        with closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as check:
            ok = check.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{backup} is not a SQLite database: {exc}") from None
    if not ok or ok[0] != "ok":
        raise ConfigError(f"{backup} fails SQLite's integrity check: {ok}")
    engine = create_db_engine(f"sqlite:///{backup}")
    try:
        state = schema_state(engine)
    finally:
        engine.dispose()
    if state.newer:
        raise ConfigError(_newer(state))
    if not state.current:
        raise ConfigError(f"{backup} holds no Tearline schema: not a Tearline backup")
    _private_file(target)
    with closing(sqlite3.connect(backup)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return state
