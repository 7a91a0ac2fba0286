"""The imperative shell's core: settings, database, clock and keys, and the unit of work.

A ``Unit`` is one transaction. Every state change is written with its audit entry in the
same unit, so both are committed together or neither is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from tearline import markings, place_sizes, venues
from tearline.clock import Clock, SystemClock
from tearline.keystore import KeyStore
from tearline.settings import Settings, load_settings
from tearline.store import audit_log
from tearline.store.db import Database
from tearline.workflow.list_cache import ListCache

# The API token the current request acts with (the desk sets it): every audit entry
# written meanwhile names it, so an investigator can tell a token's acts from a person's.
acting_token: ContextVar[int | None] = ContextVar("acting_token", default=None)


@dataclass
class Unit:
    session: Session
    now: datetime
    entries: list[int] = field(default_factory=list)

    def audit(
        self, actor: str, action: str, subject: str, details: dict[str, Any] | None = None
    ) -> None:
        """Append an audit entry in this transaction. Never put protected text in details."""
        if (token := acting_token.get()) is not None:
            details = {**(details or {}), "via_token": token}
        entry = audit_log.append(
            self.session, at=self.now, actor=actor, action=action, subject=subject, details=details
        )
        self.entries.append(entry.seq)

    def audit_many(self, entries: list[tuple[str, str, str, dict[str, Any] | None]]) -> None:
        """``audit`` for many (actor, action, subject, details), in order: a release to
        thousands writes one entry per warning without a round trip per entry."""
        if (token := acting_token.get()) is not None:
            entries = [(a, b, c, {**(d or {}), "via_token": token}) for a, b, c, d in entries]
        rows = audit_log.append_many(self.session, at=self.now, entries=entries)
        self.entries.extend(r.seq for r in rows)


class App:
    """Everything a face (CLI, web, demo) needs to run the workflow."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        clock: Clock | None = None,
        database: Database | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        place_sizes.use(self.settings.place_sizes)
        markings.use(self.settings.communities)
        venues.use(venues.file_of(self.settings.venues_file, self.settings.home_path))
        self.clock: Clock = clock or SystemClock()
        if not self.home.exists():  # private: warnings, liaison notes, keys, the database
            self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.db = database or Database(self.settings.database)
        self.keys = KeyStore(self.home / "keys")
        self.lists = ListCache(self.settings.list_cache_mb * 2**20, self.read_rows)

    @property
    def home(self) -> Path:
        return self.settings.home_path

    @contextmanager
    def unit(self) -> Iterator[Unit]:
        with self.db.session() as session:
            yield Unit(session, self.clock.now())

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction for views: nothing written here is kept."""
        with self.db.reading() as session:
            yield session

    @contextmanager
    def read_rows(self) -> Iterator[Connection]:
        """``read`` for plain rows (Core statements, no ORM objects): cheaper per call."""
        with self.db.reading_rows() as conn:
            yield conn

    def close(self) -> None:
        self.db.dispose()
