"""The deliveries board: the released warnings a viewer may see, each with its deliveries
counted by status, the few that need attention, its replies, and the latest escalations —
plain data for the /deliveries page and the JSON API alike.

Every query goes through ``workflow.access``: what a viewer may not see is never loaded.
Nothing here writes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, case, cast, func, null, select, union_all
from sqlalchemy.orm import Session, load_only, selectinload

from tearline.ids import Kind, format_id
from tearline.store import tables as t
from tearline.workflow.access import restrict
from tearline.workflow.app import App
from tearline.workflow.desk import iso
from tearline.workflow.group_alerts import people_answering
from tearline.workflow.outbox import DELIVERY_STATUSES
from tearline.workflow.users import Identity


def _delivery(d: Any) -> dict[str, Any]:
    """A delivery on the board, from its row (``_SHOWN`` columns)."""
    return {
        "ref": format_id(Kind.DELIVERY, d.id),
        "channel": d.channel,
        "address": d.address,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": iso(d.next_attempt_at) if d.status == "pending" else None,
        "delivered_at": iso(d.delivered_at),
        "last_error": d.last_error,
    }


_SHOWN = (
    t.Delivery.id,
    t.Delivery.warning_id,
    t.Delivery.channel,
    t.Delivery.address,
    t.Delivery.status,
    t.Delivery.attempts,
    t.Delivery.next_attempt_at,
    t.Delivery.delivered_at,
    t.Delivery.last_error,
)
DELIVERIES_SHOWN = 10  # per warning on the board; the rest are counted, not listed
_ATTENTION = {status: rank for rank, status in enumerate(DELIVERY_STATUSES)}


def deliveries_board(
    app: App,
    viewer: Identity | None,
    *,
    page: int = 1,
    per_page: int = 50,
    shown: int = DELIVERIES_SHOWN,
) -> dict[str, Any]:
    """A page of the released warnings the viewer may see, newest first: each with its
    deliveries counted by status and the few that need attention listed, its replies, and
    the latest escalations. Counts come from the database, so a public alert with 100,000
    deliveries costs the page one row per status, not 100,000 rows."""
    page, per_page = max(1, page), min(max(1, per_page), 200)
    with app.read() as s:
        visible = restrict(
            select(t.WarningRecord.id).where(t.WarningRecord.status != "draft"),
            t.WarningRecord,
            viewer,
        )
        # The compartment rule over all warnings, once (a CTE both parts read): the number
        # of warnings (the row whose status is NULL) and their deliveries by status.
        counted = visible.cte("counted")
        totals = union_all(
            select(cast(null(), String(20)), func.count()).select_from(counted),
            select(t.Delivery.status, func.count())
            .where(t.Delivery.warning_id.in_(select(counted.c.id)))
            .group_by(t.Delivery.status),
        )
        got: dict[str | None, int] = dict(s.execute(totals).all())
        total = got.pop(None, 0)
        counts = {status: n for status, n in got.items() if status is not None}
        q = (
            select(t.WarningRecord)
            .options(
                # What the board shows: not each warning's texts and signed forms.
                load_only(
                    t.WarningRecord.id,
                    t.WarningRecord.threat_id,
                    t.WarningRecord.recipient_id,
                    t.WarningRecord.status,
                    t.WarningRecord.msg_type,
                    t.WarningRecord.released_at,
                    t.WarningRecord.valid_until,
                ),
                selectinload(t.WarningRecord.recipient),
            )
            .where(t.WarningRecord.status != "draft")
            .order_by(t.WarningRecord.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        warnings = s.scalars(restrict(q, t.WarningRecord, viewer)).all()
        ids = [w.id for w in warnings]
        by_warning: dict[int, dict[str, int]] = {}
        for wid, status, n in s.execute(
            select(t.Delivery.warning_id, t.Delivery.status, func.count())
            .where(t.Delivery.warning_id.in_(ids))
            .group_by(t.Delivery.warning_id, t.Delivery.status)
        ):
            by_warning.setdefault(wid, {})[status] = n
        listed = _deliveries_to_show(s, ids, shown)
        responses: dict[int, list[dict[str, Any]]] = {}
        answers = s.scalars(
            select(t.Response).where(t.Response.warning_id.in_(ids)).order_by(t.Response.id)
        ).all()
        answering = people_answering(s, [r.delivery_id for r in answers])
        for r in answers:
            responses.setdefault(r.warning_id, []).append(
                {
                    "ref": format_id(Kind.RESPONSE, r.id),
                    "kind": r.kind,
                    "via": r.via,
                    "note": r.note,
                    "recorded_by": r.recorded_by,
                    "received_at": iso(r.received_at),
                    "person": answering.get(r.delivery_id) if r.delivery_id else None,
                }
            )
        esc_q = restrict(
            select(t.Escalation).order_by(t.Escalation.id.desc()).limit(per_page),
            t.Escalation,
            viewer,
        )
        escalations = [
            {
                "ref": format_id(Kind.ESCALATION, e.id),
                "threat": format_id(Kind.THREAT, e.threat_id),
                "warning": format_id(Kind.WARNING, e.warning_id) if e.warning_id else None,
                "rule": e.rule,
                "action": e.action,
                "status": e.status,
                "reason": str(e.detail.get("reason", "")),
                "created_at": iso(e.created_at),
            }
            for e in s.scalars(esc_q)
        ]
        rows = [
            {
                "ref": format_id(Kind.WARNING, w.id),
                "threat": format_id(Kind.THREAT, w.threat_id),
                "recipient": w.recipient.name,
                "tier": w.recipient.tier,
                "status": w.status,
                "msg_type": w.msg_type,
                "released_at": iso(w.released_at),
                "valid_until": iso(w.valid_until),
                "delivery_counts": by_warning.get(w.id, {}),
                "deliveries_total": sum(by_warning.get(w.id, {}).values()),
                "deliveries": listed.get(w.id, []),
                "responses": responses.get(w.id, []),
            }
            for w in warnings
        ]
    return {
        "warnings": rows,
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-total // per_page)),
        "warnings_total": total,
        "escalations": escalations,
        "delivery_counts": counts,
        "escalations_open": sum(1 for e in escalations if e["status"] == "proposed"),
    }


def _deliveries_to_show(s: Session, ids: list[int], shown: int) -> dict[int, list[dict[str, Any]]]:
    """Up to ``shown`` deliveries per warning, those needing attention first (dead,
    failed, pending, awaiting hand-over), then the latest delivered."""
    attention = case(_ATTENTION, value=t.Delivery.status, else_=9)
    rank = (
        func.row_number()
        .over(partition_by=t.Delivery.warning_id, order_by=(attention, t.Delivery.id.desc()))
        .label("rank")
    )
    inner = select(t.Delivery.id, rank).where(t.Delivery.warning_id.in_(ids)).subquery()
    chosen = select(inner.c.id).where(inner.c.rank <= shown)
    out: dict[int, list[dict[str, Any]]] = {}
    rows = select(*_SHOWN).where(t.Delivery.id.in_(chosen)).order_by(t.Delivery.id)
    for d in s.execute(rows):  # plain rows: no entity for each of hundreds of deliveries
        out.setdefault(d.warning_id, []).append(_delivery(d))
    return out
