"""What an operator watches: the outbox's depth and age, attempts, open escalations —
counts only, never a recipient, an address or a word of a warning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from tearline.store import tables as t
from tearline.workflow.app import App


@dataclass(frozen=True)
class Operational:
    deliveries: dict[str, int]  # by status
    attempts: int  # every send attempt recorded
    oldest_pending_seconds: float  # how long the oldest pending delivery has waited (0: none)
    escalations_open: int
    warnings_released: int
    audit_entries: int


def operational(app: App) -> Operational:
    """One read transaction, a handful of aggregate queries (indexed: status)."""
    with app.read() as s:
        rows = s.execute(select(t.Delivery.status, func.count()).group_by(t.Delivery.status))
        by_status: dict[str, int] = {str(status): int(n) for status, n in rows}
        oldest: datetime | None = s.scalar(
            select(func.min(t.Delivery.created_at)).where(t.Delivery.status == "pending")
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
    waited = 0.0
    if oldest is not None:
        waited = max(0.0, (app.clock.now() - oldest).total_seconds())
    return Operational(by_status, attempts, waited, open_escalations, released, entries)
