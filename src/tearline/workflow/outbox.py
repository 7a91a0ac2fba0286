"""The outbox worker: claim due deliveries, send them, record every attempt.

A claim is a short lease (status ``sending`` with ``claimed_until``): a worker killed
mid-send leaves the row to be claimed again when the lease ends, so no delivery is lost;
the idempotency key lets the receiver drop the repeat. On PostgreSQL, concurrent workers
claim with ``FOR UPDATE SKIP LOCKED``; on SQLite the write lock serialises them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import and_, or_, select

from tearline.deliver import (
    Channel,
    LiaisonNoteChannel,
    Outbound,
    PermanentFailure,
    PublicFeedChannel,
    TemporaryFailure,
    WebhookChannel,
    retry_delay,
)
from tearline.ids import Kind, format_id
from tearline.store import tables as t
from tearline.workflow.app import App
from tearline.workflow.responses import check_overdue

CHANNEL_NAMES = frozenset({"liaison_note", "public_feed", "webhook"})
LEASE = timedelta(minutes=5)
WORKER = "worker"


def channels_for(app: App, client: httpx.Client | None = None) -> dict[str, Channel]:
    """The built-in channels, configured from the app's settings and home directory."""
    http = client or httpx.Client(timeout=app.settings.webhook_timeout_seconds)
    return {
        "liaison_note": LiaisonNoteChannel(app.home / "liaison"),
        "public_feed": PublicFeedChannel(app.home / "feed"),
        "webhook": WebhookChannel(http),
    }


@dataclass(frozen=True)
class Sent:
    ref: str
    warning_ref: str
    recipient: str
    channel: str
    status: str  # delivered | pending (will retry) | dead
    detail: str
    attempts: int


def _claim(app: App, batch: int) -> list[int]:
    with app.unit() as u:
        due = or_(
            and_(t.Delivery.status == "pending", t.Delivery.next_attempt_at <= u.now),
            and_(t.Delivery.status == "sending", t.Delivery.claimed_until < u.now),
        )
        rows = u.session.scalars(
            select(t.Delivery)
            .where(due)
            .order_by(t.Delivery.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        for r in rows:
            r.status, r.claimed_until, r.attempts = "sending", u.now + LEASE, r.attempts + 1
        return [r.id for r in rows]


def _outbound(app: App, delivery_id: int) -> Outbound:
    with app.unit() as u:
        d = u.session.get(t.Delivery, delivery_id)
        assert d is not None
        w = u.session.get(t.WarningRecord, d.warning_id)
        assert w is not None
        assert w.jws is not None
        return Outbound(
            delivery_ref=format_id(Kind.DELIVERY, d.id),
            idempotency_key=d.idempotency_key,
            address=d.address,
            warning_ref=format_id(Kind.WARNING, w.id),
            recipient=w.recipient.name,
            subject=w.content["subject"],
            text=w.content["text"],
            document={k: v for k, v in w.content.items() if k not in ("role", "changes")},
            jws=w.jws,
        )


def _record(app: App, delivery_id: int, ok: bool, detail: str, permanent: bool) -> Sent:
    with app.unit() as u:
        d = u.session.get(t.Delivery, delivery_id)
        assert d is not None
        u.session.add(t.DeliveryAttempt(delivery_id=d.id, at=u.now, ok=ok, detail=detail[:2000]))
        ref = format_id(Kind.DELIVERY, d.id)
        if ok:
            d.status, d.delivered_at, d.receipt, d.claimed_until = "delivered", u.now, detail, None
            action = "delivery.delivered"
        elif permanent or d.attempts >= app.settings.delivery_max_attempts:
            d.status, d.last_error, d.claimed_until = "dead", detail, None
            action = "delivery.dead"
        else:
            delay = retry_delay(d.attempts, app.settings.delivery_backoff_seconds)
            d.status, d.last_error, d.claimed_until = "pending", detail, None
            d.next_attempt_at = u.now + delay
            action = "delivery.retry_scheduled"
        u.audit(
            WORKER,
            action,
            ref,
            {"attempt": d.attempts, "channel": d.channel, "detail": detail[:300]},
        )
        w = u.session.get(t.WarningRecord, d.warning_id)
        assert w is not None
        return Sent(
            ref,
            format_id(Kind.WARNING, w.id),
            w.recipient.name,
            d.channel,
            d.status,
            detail,
            d.attempts,
        )


def deliver_due(app: App, channels: Mapping[str, Channel], batch: int = 100) -> list[Sent]:
    """One pass: claim what is due and send it. Returns what happened to each."""
    results = []
    for delivery_id in _claim(app, batch):
        message = _outbound(app, delivery_id)
        with app.unit() as u:
            d = u.session.get(t.Delivery, delivery_id)
            assert d is not None
            channel = channels.get(d.channel)
        try:
            if channel is None:
                raise PermanentFailure(f"no channel named {d.channel!r} is configured")
            receipt = channel.send(message)
        except TemporaryFailure as exc:
            results.append(_record(app, delivery_id, False, str(exc), permanent=False))
        except PermanentFailure as exc:
            results.append(_record(app, delivery_id, False, str(exc), permanent=True))
        else:
            results.append(_record(app, delivery_id, True, receipt.detail, permanent=False))
    return results


def run_worker(
    app: App,
    channels: Mapping[str, Channel],
    *,
    once: bool,
    on_sent: Callable[[Sent], None] | None = None,
    poll_seconds: float = 2.0,
) -> int:
    """Deliver until nothing is due (``once``), or forever, polling. Returns how many sent."""
    count = 0
    while True:
        batch = deliver_due(app, channels)
        for sent in batch:
            count += 1
            if on_sent is not None:
                on_sent(sent)
        check_overdue(app)
        if not batch:
            if once:
                return count
            time.sleep(poll_seconds)
