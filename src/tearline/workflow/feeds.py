"""Partners' feeds and mailboxes, polled on a schedule: ``tearline feeds add URL``.

An Atom/RSS feed (http, https) is fetched with a conditional GET (ETag, Last-Modified):
unchanged, nothing is read. A mailbox (imaps, imap) is read for messages not read before
(``workflow.mailbox``). Each entry or message is stored as partner intake stores any item:
on its own, recognised again by its id. A poll that fails doubles the wait before the
next (from the feed's interval up to a day), and its error is kept and shown until a poll
succeeds. The worker polls what is due on its timers; ``tearline feeds poll`` does now.

Polls are claimed before they run, so two workers never poll one feed at once.
"""

from __future__ import annotations

import logging
import re
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update

from tearline.errors import ConfigError, InputError, NotFound
from tearline.store import tables as t
from tearline.workflow.app import App
from tearline.workflow.partner_intake import IntakeSummary, ingest_items
from tearline.workflow.reports import RELIABILITY_GRADES, Provenance

log = logging.getLogger(__name__)

DEFAULT_EVERY = timedelta(minutes=15)
MAX_BACKOFF = timedelta(days=1)
FETCH_TIMEOUT_S = 30.0
_EVERY = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$", re.IGNORECASE)
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
FEED_SCHEMES = ("http", "https")
MAILBOX_SCHEMES = ("imaps", "imap")


class FeedError(Exception):
    """A poll failed for a reason outside Tearline (network, server, feed): recorded on
    the feed and retried later, never raised to the person or the worker."""


@dataclass(frozen=True)
class FeedView:
    ref: str
    kind: str
    url: str
    every: str
    next_poll_at: datetime
    last_ok_at: datetime | None
    failures: int
    last_error: str | None
    items_stored: int


@dataclass(frozen=True)
class Polled:
    ref: str
    url: str
    status: str  # "read", "not modified", "failed"
    summary: IntakeSummary | None = None
    error: str | None = None

    def line(self) -> str:
        if self.status == "failed":
            return f"{self.ref} {self.url}: failed: {self.error}"
        if self.summary is None:
            return f"{self.ref} {self.url}: {self.status}"
        return f"{self.ref} {self.url}: {self.summary.line()}"


def parse_every(value: str) -> timedelta:
    """ "15m", "1h", "30s", "1d": how often a feed is polled (30 seconds at least)."""
    m = _EVERY.match(value)
    if not m:
        raise InputError(f"--every {value!r}: give a number and a unit, e.g. 15m, 1h, 1d")
    seconds = int(m.group(1)) * _UNIT[m.group(2).lower()]
    if seconds < 30:
        raise InputError(f"--every {value!r}: poll a feed at most every 30 seconds")
    return timedelta(seconds=seconds)


def _every_text(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _kind(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:  # refused before the URL is echoed anywhere
        raise InputError(
            "do not put a password in the URL (it would be stored and shown); a mailbox's "
            "comes from TEARLINE_MAILBOX_PASSWORD or TEARLINE_MAILBOX_PASSWORD_FILE"
        )
    if parts.scheme in FEED_SCHEMES and parts.hostname:
        return "feed"
    if parts.scheme in MAILBOX_SCHEMES and parts.hostname:
        if not parts.username:
            raise InputError(f"{url}: name the mailbox user, e.g. imaps://user@host/INBOX")
        return "mailbox"
    raise InputError(
        f"{url!r} is not a feed or mailbox URL: use http(s)://… for an Atom/RSS feed or "
        "imaps://user@host/INBOX for a mailbox"
    )


def add_feed(
    app: App,
    url: str,
    every: timedelta,
    actor: str,
    *,
    source: str | None = None,
    reliability: str | None = None,
) -> FeedView:
    """Subscribe to a feed or mailbox; it is first polled at once (its next poll is now).
    Its items are stored under ``source`` with ``reliability`` (Admiralty A-F), as
    ``tearline ingest --source --reliability`` stores a file's."""
    url = url.strip()
    kind = _kind(url)
    grade = (reliability or "").strip().upper() or None
    if grade is not None and grade not in RELIABILITY_GRADES:
        raise InputError(f"source reliability must be one of A-F, not {reliability!r}")
    with app.unit() as u:
        if u.session.scalar(select(t.PartnerFeed).where(t.PartnerFeed.url == url)):
            raise InputError(f"{url} is already polled; see tearline feeds list")
        row = t.PartnerFeed(
            kind=kind,
            url=url,
            every_s=int(every.total_seconds()),
            next_poll_at=u.now,
            failures=0,
            items_stored=0,
            source=(source or "").strip() or None,
            reliability=grade,
            created_by=actor,
            created_at=u.now,
        )
        u.session.add(row)
        u.session.flush()
        u.audit(actor, "feed.added", _ref(row), {"kind": kind, "every_s": row.every_s})
        return _view(row)


def remove_feed(app: App, ref: str, actor: str) -> FeedView:
    """Stop polling a feed or mailbox; the reports it brought stay."""
    with app.unit() as u:
        row = next(
            (r for r in u.session.scalars(select(t.PartnerFeed)) if _ref(r) == ref.upper()), None
        )
        if row is None:
            raise NotFound(f"no feed {ref}; see tearline feeds list")
        view = _view(row)
        u.session.delete(row)
        u.audit(actor, "feed.removed", view.ref, {"kind": view.kind})
        return view


def _ref(row: t.PartnerFeed) -> str:
    return f"FEED-{row.id}"


def _view(row: t.PartnerFeed) -> FeedView:
    return FeedView(
        _ref(row),
        row.kind,
        row.url,
        _every_text(row.every_s),
        row.next_poll_at,
        row.last_ok_at,
        row.failures,
        row.last_error,
        row.items_stored,
    )


def list_feeds(app: App) -> list[FeedView]:
    with app.unit() as u:
        return [
            _view(r) for r in u.session.scalars(select(t.PartnerFeed).order_by(t.PartnerFeed.id))
        ]


def fetch_feed(
    url: str, etag: str | None, last_modified: str | None, max_bytes: int
) -> tuple[bytes | None, str | None, str | None]:
    """(body, ETag, Last-Modified); body None when the server says it is unchanged."""
    headers = {"User-Agent": "Tearline partner intake", "Accept": "application/atom+xml, */*"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    # Only http(s) URLs are ever stored for a feed (_kind), so no file: or custom scheme.
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310
            body = response.read(max_bytes + 1)
            return body, response.headers.get("ETag"), response.headers.get("Last-Modified")
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return None, etag, last_modified
        raise FeedError(f"HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FeedError(f"could not fetch: {reason}") from None


def _provenance(row: t.PartnerFeed) -> Provenance:
    return Provenance(source=row.source, reliability=row.reliability)


def _claim(app: App, row_id: int, seen: datetime, every_s: int) -> bool:
    with app.unit() as u:
        done = u.session.execute(
            update(t.PartnerFeed)
            .where(t.PartnerFeed.id == row_id, t.PartnerFeed.next_poll_at == seen)
            .values(next_poll_at=u.now + timedelta(seconds=every_s), last_polled_at=u.now)
        )
        return bool(getattr(done, "rowcount", 0))


def _poll(app: App, row: t.PartnerFeed) -> Polled:
    from tearline.workflow.mailbox import read_mailbox

    ref, actor = _ref(row), f"feed:{row.id}"
    etag, modified = row.etag, row.last_modified
    uid_validity, last_uid = row.uid_validity, row.last_uid
    summary: IntakeSummary | None = None
    try:
        if row.kind == "feed":
            body, etag, modified = fetch_feed(
                row.url, row.etag, row.last_modified, app.settings.max_document_bytes
            )
            if body is not None:
                summary = ingest_items(app, body, row.url, _provenance(row), actor)
        else:
            summary, uid_validity, last_uid = read_mailbox(
                app, row.url, row.uid_validity, row.last_uid, _provenance(row), actor
            )
    except (FeedError, ConfigError) as exc:  # a missing mailbox password is shown the same way
        return _failed(app, row, str(exc))
    with app.unit() as u:
        feed = u.session.get_one(t.PartnerFeed, row.id)
        feed.etag, feed.last_modified = etag, modified
        feed.uid_validity, feed.last_uid = uid_validity, last_uid
        feed.failures, feed.last_error, feed.last_ok_at = 0, None, u.now
        feed.next_poll_at = u.now + timedelta(seconds=feed.every_s)
        if summary is not None:
            feed.items_stored += len(summary.stored)
    status = "not modified" if summary is None else "read"
    return Polled(ref, row.url, status, summary)


def _failed(app: App, row: t.PartnerFeed, error: str) -> Polled:
    with app.unit() as u:
        feed = u.session.get_one(t.PartnerFeed, row.id)
        feed.failures += 1
        wait = min(timedelta(seconds=feed.every_s) * 2**feed.failures, MAX_BACKOFF)
        feed.next_poll_at = u.now + wait
        feed.last_error = error[:1000]
    log.warning("feed %s: poll failed: %s", _ref(row), error, extra={"feed": _ref(row)})
    return Polled(_ref(row), row.url, "failed", error=error)


def poll_feeds(app: App, *, due_only: bool = True, ref: str | None = None) -> list[Polled]:
    """Poll the feeds that are due (or all, or one); each poll is claimed first."""
    with app.unit() as u:
        query = select(t.PartnerFeed).order_by(t.PartnerFeed.next_poll_at)
        if due_only:
            query = query.where(t.PartnerFeed.next_poll_at <= u.now)
        rows = list(u.session.scalars(query))
        u.session.expunge_all()
    if ref is not None:
        rows = [r for r in rows if _ref(r) == ref.upper()]
        if not rows:
            raise NotFound(f"no feed {ref}; see tearline feeds list")
    polled = []
    for row in rows:
        if _claim(app, row.id, row.next_poll_at, row.every_s):
            polled.append(_poll(app, row))
    return polled


_BACKGROUND: dict[int, threading.Thread] = {}


def poll_in_background(app: App) -> None:
    """Poll the due feeds in a thread of their own (one per App at a time), so that a slow
    feed never holds up the worker's deliveries; called from the worker's timers."""
    running = _BACKGROUND.get(id(app))
    if running is not None and running.is_alive():
        return

    def run() -> None:
        try:
            poll_feeds(app)
        except Exception:  # logged and tried again on the next round, never raised
            log.exception("feeds: a polling round failed")

    thread = threading.Thread(target=run, name="tearline-feeds", daemon=True)
    _BACKGROUND[id(app)] = thread
    thread.start()


def finish_polls(app: App, timeout: float = 30.0) -> None:
    """Let a poll in progress finish (up to ``timeout`` seconds) as the worker stops, so
    ``tearline worker --once`` polls what was due. One cut off is safe all the same: each
    item is stored in its own transaction, and what was not reached is read next time."""
    running = _BACKGROUND.pop(id(app), None)
    if running is not None:
        running.join(timeout)
