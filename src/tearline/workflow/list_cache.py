"""The desk's busiest lists kept in memory between requests, while what they read is
unchanged.

Fifty analysts polling the inbox and the triage queue ask a web process for the same
pages over and over, and between two changes to the reports and cases each answer is
built again from the same rows: three to five queries and a hundred rows made into JSON,
most of a request's work. A page is kept here with the versions of the tables it was
built from (``store.table_versions``: read before the build, in a query of a few rows).
A request reads the versions again and, while they are the same, is answered with the
page kept. Any change to those tables, from any process or by hand, changes a version in
the transaction that makes it, so it shows on the very next request: nothing is kept for
a time, and nothing is served after the change it missed.

A page is kept per viewer (what a viewer may see depends on their compartments) and per
question asked (filters, page); ``also`` adds what else the page depends on (the triage
queue: the second it was worked out at). At most ``list_cache_mb`` megabytes per
process, the least recently asked for going first; 0 keeps nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection

from tearline.store import table_versions

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class _Kept:
    stamp: Hashable
    value: Any
    size: int


class ListCache:
    """Pages by key, each with the stamp it was built under; bounded by bytes. The
    versions are read with ``read_rows`` (``App.read_rows``)."""

    def __init__(
        self, budget_bytes: int, read_rows: Callable[[], AbstractContextManager[Connection]]
    ) -> None:
        self.budget = budget_bytes
        self._read_rows = read_rows
        self._kept: OrderedDict[Hashable, _Kept] = OrderedDict()
        self._used = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.builds = 0

    def kept(
        self,
        key: Hashable,
        tables: Iterable[str],
        build: Callable[[], tuple[V, int]],
        *,
        also: Hashable = None,
    ) -> V:
        """The page ``build`` makes (it returns the page and its size in bytes), kept
        under ``key`` while the versions of ``tables`` (and ``also``) stay the same."""
        if self.budget <= 0:
            return build()[0]
        with self._read_rows() as conn:
            stamp = (table_versions.stamp(conn, tables), also)
        with self._lock:
            got = self._kept.get(key)
            if got is not None and got.stamp == stamp:
                self._kept.move_to_end(key)
                self.hits += 1
                value: V = got.value
                return value
        value, size = build()
        with self._lock:
            self.builds += 1
            old = self._kept.pop(key, None)
            if old is not None:
                self._used -= old.size
            if size <= self.budget:
                self._kept[key] = _Kept(stamp, value, size)
                self._used += size
                while self._used > self.budget:
                    _, gone = self._kept.popitem(last=False)
                    self._used -= gone.size
        return value

    @property
    def size(self) -> int:
        """Bytes kept now."""
        return self._used

    def __len__(self) -> int:
        return len(self._kept)
