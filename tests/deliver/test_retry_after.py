"""A receiver that answers 429 or 503 with ``Retry-After`` is not tried again sooner; without
it the configured back-off decides, counted from the failed attempt; a slow receiver does
not hold back the record of the other deliveries."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from typing import Any

import pytest

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.deliver.schedule import RETRY_AFTER_MAX, next_delay, parse_retry_after
from tearline.demo.receiver import LoopbackReceiver
from tearline.demo.scenario import report_text
from tearline.settings import load_settings
from tearline.workflow.board import deliveries_board
from tearline.workflow.worker import channels_for
from tests.conftest import seed_users
from tests.factories import add_moscow_recipients
from tests.workflow.conftest import PROVENANCE

BACKOFF = 2.0  # seconds: the configured first retry delay in these tests


@dataclass
class HeldReceiver(LoopbackReceiver):
    """A receiver whose answers wait until ``hold`` is set (a slow partner)."""

    hold: threading.Event | None = None

    def _accept(self, path: str, headers: Any, raw: bytes) -> int:
        if self.hold is not None:
            self.hold.wait(60)
        return super()._accept(path, headers, raw)


@pytest.fixture
def receiver() -> Iterator[tuple[LoopbackReceiver, str]]:
    r = HeldReceiver()
    url = r.start()
    yield r, url
    r.stop()


@pytest.fixture
def setup(
    app: wf.App, receiver: tuple[LoopbackReceiver, str]
) -> tuple[wf.App, wf.Identity, LoopbackReceiver]:
    """A released warning to the public in Moscow, whose webhook is the loopback receiver."""
    r, url = receiver
    settings = load_settings(
        {
            "home": str(app.home),
            "database_url": app.db.url,
            "sender": "Test agency",
            "delivery_backoff_seconds": BACKOFF,
            "webhook_timeout_seconds": 120.0,  # a held answer is slow, not lost
        },
        environ={},
    )
    app = wf.App(settings, clock=app.clock, database=app.db)
    dana, avery = seed_users(app)
    add_moscow_recipients(app, url)
    ingested = wf.ingest_bytes(app, report_text(), "moscow.txt", PROVENANCE, actor="dana")
    threat = next(e.threat_ref for e in ingested.events if e.threat_ref)
    assert threat is not None
    wf.decide(app, threat, dana)
    wf.approve_release(app, wf.propose_release(app, threat, dana).ref, avery)
    return app, dana, r


def webhook(app: wf.App, viewer: wf.Identity) -> dict[str, Any]:
    """The webhook delivery as the desk's deliveries board shows it."""
    board = deliveries_board(app, viewer)
    found: list[dict[str, Any]] = [
        d for w in board["warnings"] for d in w["deliveries"] if d["channel"] == "webhook"
    ]
    (d,) = found
    return d


def due_in(d: dict[str, Any], clock: FixedClock) -> timedelta:
    assert d["status"] == "pending"
    return datetime.fromisoformat(d["next_attempt_at"]) - clock.now()


def test_a_429_with_retry_after_seconds_is_not_retried_sooner(
    setup: tuple[wf.App, wf.Identity, LoopbackReceiver], clock: FixedClock
) -> None:
    app, dana, r = setup
    r.status, r.headers = 429, {"Retry-After": "120"}
    channels = channels_for(app)
    sent = wf.deliver_due(app, channels)
    (failed,) = [s for s in sent if s.channel == "webhook"]
    assert failed.status == "pending"
    assert failed.detail == "HTTP 429 (Retry-After 120 s)"
    d = webhook(app, dana)
    assert d["attempts"] == 1
    assert due_in(d, clock) >= timedelta(seconds=120)

    r.status, r.headers = 200, {}
    clock.advance(timedelta(seconds=119))
    assert [s for s in wf.deliver_due(app, channels) if s.channel == "webhook"] == []
    assert r.posts == []
    clock.advance(timedelta(seconds=1))
    assert [s.status for s in wf.deliver_due(app, channels) if s.channel == "webhook"] == [
        "delivered"
    ]
    assert len(r.posts) == 1


def test_a_503_with_an_http_date_waits_until_then(
    setup: tuple[wf.App, wf.Identity, LoopbackReceiver], clock: FixedClock
) -> None:
    app, dana, r = setup
    # five minutes after the receiver's own Date header (the second is rounded down there)
    r.status, r.headers = 503, {"Retry-After": formatdate(time.time() + 301, usegmt=True)}
    wf.deliver_due(app, channels_for(app))
    d = webhook(app, dana)
    assert "Retry-After 30" in (d["last_error"] or "")
    assert timedelta(seconds=300) <= due_in(d, clock) <= timedelta(seconds=302)


def test_a_receiver_cannot_hold_a_warning_back_longer_than_the_cap(
    setup: tuple[wf.App, wf.Identity, LoopbackReceiver], clock: FixedClock
) -> None:
    app, dana, r = setup
    r.status, r.headers = 429, {"Retry-After": str(7 * 24 * 3600)}
    wf.deliver_due(app, channels_for(app))
    assert due_in(webhook(app, dana), clock) == RETRY_AFTER_MAX


def test_without_retry_after_the_configured_back_off_decides(
    setup: tuple[wf.App, wf.Identity, LoopbackReceiver], clock: FixedClock
) -> None:
    app, dana, r = setup
    r.status = 503
    channels = channels_for(app)
    for attempt in (1, 2, 3):
        wf.deliver_due(app, channels)
        d = webhook(app, dana)
        assert d["attempts"] == attempt
        wait = due_in(d, clock)
        assert timedelta(seconds=BACKOFF) <= wait <= timedelta(seconds=BACKOFF * 2 ** (attempt - 1))
        assert d["last_error"] == "HTTP 503"
        clock.advance(wait)


def test_a_retry_after_that_cannot_be_read_leaves_the_back_off() -> None:
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-5") is None
    assert parse_retry_after(" 30 ") == timedelta(seconds=30)
    date = "Sun, 06 Dec 2026 20:00:00 GMT"
    assert parse_retry_after("Sun, 06 Dec 2026 20:02:00 GMT", date) == timedelta(minutes=2)
    assert parse_retry_after("Sun, 06 Dec 2026 19:00:00 GMT", date) == timedelta(0)
    past = formatdate(datetime(2020, 1, 1, tzinfo=UTC).timestamp(), usegmt=True)
    assert parse_retry_after(past) == timedelta(0)
    # a short Retry-After does not bring a retry forward: the back-off is the floor
    assert next_delay(1, 10.0, timedelta(seconds=1)) == timedelta(seconds=10)
    assert next_delay(1, 10.0, timedelta(seconds=60)) == timedelta(seconds=60)


def test_a_slow_receiver_does_not_hold_back_the_record_of_the_others(
    setup: tuple[wf.App, wf.Identity, LoopbackReceiver],
) -> None:
    app, dana, r = setup
    assert isinstance(r, HeldReceiver)
    r.hold = threading.Event()
    done: list[wf.Sent] = []
    worker = threading.Thread(target=lambda: done.extend(wf.deliver_due(app, channels_for(app))))
    worker.start()
    seen: dict[str, str] = {}
    try:
        while worker.is_alive():  # the held webhook answers after a minute at the latest
            board = deliveries_board(app, dana)
            seen = {d["channel"]: d["status"] for w in board["warnings"] for d in w["deliveries"]}
            if seen.get("public_feed") == "delivered" and seen.get("webhook") == "sending":
                break
            time.sleep(0.05)
    finally:
        r.hold.set()
        worker.join()
    # the feed entry and the liaison note were on the record while the webhook still waited
    assert seen == {
        "public_feed": "delivered",
        "liaison_note": "awaiting_handover",
        "webhook": "sending",
    }
    assert sorted((s.channel, s.status) for s in done) == [
        ("liaison_note", "awaiting_handover"),
        ("public_feed", "delivered"),
        ("webhook", "delivered"),
    ]
