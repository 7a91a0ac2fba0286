"""A partner's Atom feed, served by a real HTTP server on loopback and changing between
polls: new entries are stored, entries seen before are not, an unchanged feed is not
read again (conditional GET), and a failing server is retried later, its error shown."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tearline import errors as wf_errors
from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.store import tables as t
from tearline.workflow import feeds
from tests.workflow.partner_feed import PartnerServer, atom


@pytest.fixture
def partner() -> Iterator[PartnerServer]:
    server = PartnerServer()
    yield server
    server.stop()


def _reports(app: wf.App) -> int:
    with app.unit() as u:
        return int(u.session.scalar(select(func.count()).select_from(t.Report)) or 0)


def test_a_changing_feed_is_read_entry_by_entry_and_not_twice(
    app: wf.App, partner: PartnerServer, clock: FixedClock
) -> None:
    feeds.add_feed(
        app, partner.url, timedelta(minutes=15), "admin", source="LIAISON DESK", reliability="b"
    )
    (first,) = feeds.poll_feeds(app)
    assert first.status == "read"
    assert first.summary is not None
    assert len(first.summary.stored) == 2
    assert feeds.poll_feeds(app) == []  # not due for 15 minutes
    clock.advance(timedelta(minutes=15))
    (unchanged,) = feeds.poll_feeds(app)
    assert unchanged.status == "not modified"
    assert partner.requests[-1][0] == 304
    partner.body = atom(1, 2, 3)  # one new entry; the two old ones still in the feed
    clock.advance(timedelta(minutes=15))
    (grown,) = feeds.poll_feeds(app)
    assert grown.summary is not None
    assert grown.summary.line() == "3 items: 1 stored, 2 already held, 0 refused"
    assert _reports(app) == 3
    with app.unit() as u:
        ids = sorted(x for x in u.session.scalars(select(t.Report.external_id)) if x)
    assert ids[0] == "atom:urn:partner:feed#urn:partner:warning:1"
    (view,) = feeds.list_feeds(app)
    assert view.items_stored == 3
    with app.unit() as u:
        sources = {
            (src.name, src.reliability)
            for src in u.session.scalars(select(t.Source).join(t.Report))
        }
    assert sources == {("LIAISON DESK", "B")}  # every entry stored under the feed's source


def test_a_failing_feed_waits_twice_as_long_each_time_and_shows_its_error(
    app: wf.App, partner: PartnerServer, clock: FixedClock
) -> None:
    feeds.add_feed(app, partner.url, timedelta(minutes=10), "admin")
    partner.status = 503
    (failed,) = feeds.poll_feeds(app)
    assert failed.status == "failed"
    assert failed.error == "HTTP 503 Service Unavailable"
    (view,) = feeds.list_feeds(app)
    assert view.failures == 1
    assert view.last_error == "HTTP 503 Service Unavailable"
    assert view.next_poll_at == clock.now() + timedelta(minutes=20)
    clock.advance(timedelta(minutes=20))
    feeds.poll_feeds(app)
    (view,) = feeds.list_feeds(app)
    assert view.next_poll_at == clock.now() + timedelta(minutes=40)
    partner.status = 200
    clock.advance(timedelta(minutes=40))
    (ok,) = feeds.poll_feeds(app)
    assert ok.status == "read"
    (view,) = feeds.list_feeds(app)
    assert (view.failures, view.last_error) == (0, None)
    assert _reports(app) == 2


def test_the_worker_polls_due_feeds_in_a_thread_of_their_own(
    app: wf.App, partner: PartnerServer
) -> None:
    feeds.add_feed(app, partner.url, timedelta(minutes=15), "admin")
    # One round of the worker (nothing to deliver): its timers start the poll, and it lets
    # the poll finish as it stops.
    wf.run_worker(app, {}, once=True)
    assert _reports(app) == 2
    (view,) = feeds.list_feeds(app)
    assert view.items_stored == 2


def test_a_mailbox_url_with_a_password_is_refused(app: wf.App) -> None:
    for url in ("imaps://ops:secret@mail.example/INBOX", "https://ops:secret@feeds.example/x"):
        with pytest.raises(wf_errors.InputError, match="do not put a password in the URL") as e:
            feeds.add_feed(app, url, timedelta(hours=1), "a")
        assert "secret" not in str(e.value)
    with pytest.raises(wf_errors.InputError, match="is not a feed or mailbox URL"):
        feeds.add_feed(app, "file:///etc/passwd", timedelta(hours=1), "a")
    with pytest.raises(wf_errors.InputError, match="reliability must be one of A-F"):
        feeds.add_feed(app, "https://feeds.example/x", timedelta(hours=1), "a", reliability="Z")
