"""What an operator watches: the outbox's depth and age, attempts, open escalations —
counts only, never a recipient, an address or a word of a warning. The metric families
here are the one home of what the desk's and the worker's ``/metrics`` say about them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy import and_, func, or_, select

from tearline.store import tables as t
from tearline.workflow.app import App
from tearline.workflow.outbox import DELIVERY_STATUSES, status_is


@dataclass(frozen=True)
class Operational:
    deliveries: dict[str, int]  # by status
    attempts: int  # every send attempt recorded
    oldest_pending_seconds: float  # how long the oldest pending delivery has waited (0: none)
    escalations_open: int
    warnings_released: int
    audit_entries: int
    due: int = 0  # the queue: pending deliveries due now, and leases run out


def operational(app: App) -> Operational:
    """One read transaction, a handful of aggregate queries (indexed: status)."""
    with app.read() as s:
        rows = s.execute(select(t.Delivery.status, func.count()).group_by(t.Delivery.status))
        by_status: dict[str, int] = {str(status): int(n) for status, n in rows}
        oldest: datetime | None = s.scalar(
            select(func.min(t.Delivery.created_at)).where(
                status_is(t.Delivery.status, "pending")  # ix_deliveries_due's rows
            )
        )
        attempts = s.scalar(select(func.count()).select_from(t.DeliveryAttempt)) or 0
        open_escalations = (
            s.scalar(
                select(func.count())
                .select_from(t.Escalation)
                .where(t.Escalation.status == "proposed")
            )
            or 0
        )
        released = (
            s.scalar(
                select(func.count())
                .select_from(t.WarningRecord)
                .where(t.WarningRecord.released_at.is_not(None))
            )
            or 0
        )
        entries = s.scalar(select(func.count()).select_from(t.AuditEntry)) or 0
        now = app.clock.now()
        due = s.scalar(
            select(func.count())
            .select_from(t.Delivery)
            .where(
                or_(  # from ix_deliveries_due and ix_deliveries_leased
                    and_(
                        status_is(t.Delivery.status, "pending"), t.Delivery.next_attempt_at <= now
                    ),
                    and_(status_is(t.Delivery.status, "sending"), t.Delivery.claimed_until < now),
                ),
            )
        )
    waited = 0.0
    if oldest is not None:
        waited = max(0.0, (now - oldest).total_seconds())
    return Operational(
        by_status, attempts, waited, open_escalations, released, entries, int(due or 0)
    )


def families(now: Operational) -> Iterator[Metric]:
    """The outbox and the record in Prometheus's terms, for any ``/metrics``."""
    deliveries = GaugeMetricFamily(
        "tearline_deliveries", "Deliveries in the outbox, by status", labels=["status"]
    )
    for status in sorted({*DELIVERY_STATUSES, *now.deliveries}):
        deliveries.add_metric([status], now.deliveries.get(status, 0))
    yield deliveries
    yield GaugeMetricFamily(
        "tearline_deliveries_due",
        "The queue: deliveries due now (pending, or their worker's lease ran out)",
        value=now.due,
    )
    yield GaugeMetricFamily(
        "tearline_oldest_pending_delivery_seconds",
        "How long the oldest pending delivery has waited (0: none waits)",
        value=now.oldest_pending_seconds,
    )
    yield CounterMetricFamily(
        "tearline_delivery_attempts", "Send attempts recorded", value=now.attempts
    )
    yield GaugeMetricFamily(
        "tearline_escalations_open",
        "Escalations proposed and not yet resolved",
        value=now.escalations_open,
    )
    yield CounterMetricFamily(
        "tearline_warnings_released", "Warnings released", value=now.warnings_released
    )
    yield CounterMetricFamily(
        "tearline_audit_entries", "Entries in the audit chain", value=now.audit_entries
    )
