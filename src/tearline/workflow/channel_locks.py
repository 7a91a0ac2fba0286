"""One worker at a time sends a rate-limited channel, so its limit holds however many run.

A worker's token bucket (``deliver.ratelimit``) caps what it claims of a limited channel
(``delivery_rate_limits``); with several workers, each would claim a whole budget of its
own. So a worker claims a limited channel only while it holds that channel's lock: on
PostgreSQL a session advisory lock (``pg_try_advisory_lock``) on a connection the worker
keeps for it, which workers on other machines see too and which goes with the connection
when the worker dies; on SQLite (one file, one machine) an ``flock`` on
``$TEARLINE_HOME/outbox/channel-<name>.lock``, which goes with the process. The other
workers leave that channel alone and send everything else; when the holder stops or dies,
another takes the channel over at its next claim. Channels without a limit need no lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import threading
from collections.abc import Iterable

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from tearline.workflow.app import App

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def advisory_key(channel: str) -> int:
    """The channel's advisory lock number: the same in every worker, signed 64-bit."""
    digest = hashlib.blake2b(f"tearline-channel:{channel}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class ChannelLocks:
    """Which limited channels this worker may claim now (``held``)."""

    def __init__(self, app: App, channels: Iterable[str]) -> None:
        self.app = app
        self.channels = set(channels)
        self._lock = threading.Lock()
        self._held: set[str] = set()
        self._files: dict[str, int] = {}
        self._conn: Connection | None = None

    def held(self, channel: str) -> bool:
        """Whether this worker holds ``channel`` (taking it if it is free); a channel without
        a limit always is."""
        if channel not in self.channels:
            return True
        with self._lock:
            if self.app.db.dialect == "postgresql":
                return self._advisory(channel)
            return self._flock(channel)

    def _advisory(self, channel: str) -> bool:
        try:
            if self._conn is None:
                self._conn = self.app.db.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT"
                )
                self._held.clear()
            if channel in self._held:
                self._conn.exec_driver_sql("SELECT 1")  # still connected: still held
                return True
            got = self._conn.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": advisory_key(channel)}
            ).scalar()
        except SQLAlchemyError:
            self._drop()  # the connection is gone, and its locks with it: next round
            return False
        if got:
            self._held.add(channel)
        return bool(got)

    def _flock(self, channel: str) -> bool:
        if channel in self._files:
            return True
        folder = self.app.home / "outbox"
        folder.mkdir(parents=True, exist_ok=True)
        name = _UNSAFE.sub("-", channel)
        fd = os.open(folder / f"channel-{name}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._files[channel] = fd
        return True

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._conn.invalidate()
            with contextlib.suppress(SQLAlchemyError):
                self._conn.close()
        self._conn = None
        self._held.clear()

    def close(self) -> None:
        """Let go of every channel (another worker takes them at its next claim)."""
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(SQLAlchemyError):
                    self._conn.exec_driver_sql("SELECT pg_advisory_unlock_all()")
                with contextlib.suppress(SQLAlchemyError):
                    self._conn.close()
                self._conn = None
            self._held.clear()
            for fd in self._files.values():
                os.close(fd)  # closing the file lets go of its lock
            self._files.clear()
