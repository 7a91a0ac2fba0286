"""The deliveries board: the released warnings a viewer may see, each with its deliveries
counted by status, the few that need attention, its replies, and the latest escalations —
plain data for the /deliveries page and the JSON API alike.

Every query applies ``workflow.access``'s compartment rule (``within``): what a viewer
may not see is never loaded. Nothing here writes.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
    text,
    union_all,
)

from tearline.ids import Kind, format_id
from tearline.store import tables as t
from tearline.store.idlists import id_list, in_ids
from tearline.store.types import iso_utc
from tearline.workflow.access import within
from tearline.workflow.app import App
from tearline.workflow.group_alerts import people_answering
from tearline.workflow.outbox import DELIVERY_STATUSES
from tearline.workflow.users import Identity


def _delivery(d: Any) -> dict[str, Any]:
    """A delivery on the board, from its row (``_SHOWN`` columns, in order; its times
    as ISO text)."""
    did, _, channel, address, status, attempts, next_at, delivered_at, last_error = d
    return {
        "ref": format_id(Kind.DELIVERY, did),
        "channel": channel,
        "address": address,
        "status": status,
        "attempts": attempts,
        "next_attempt_at": next_at if status == "pending" else None,
        "delivered_at": delivered_at,
        "last_error": last_error,
    }


_SHOWN = (
    t.Delivery.id,
    t.Delivery.warning_id,
    t.Delivery.channel,
    t.Delivery.address,
    t.Delivery.status,
    t.Delivery.attempts,
    iso_utc(t.Delivery.next_attempt_at),  # the board's times as text: shown, never computed
    iso_utc(t.Delivery.delivered_at),
    t.Delivery.last_error,
)
DELIVERIES_SHOWN = 10  # per warning on the board; the rest are counted, not listed
_READ_ALL = 50  # a warning with up to this many deliveries has them all read to pick from
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
    the latest escalations. The counts come from the delivery tallies the database keeps
    as deliveries change (``delivery_tallies``), exact in the transaction read: a public
    alert with 100,000 deliveries costs the page a row per status, not 100,000 rows, and
    the desk's totals are the whole desk's less what the viewer may not see."""
    page, per_page = max(1, page), min(max(1, per_page), 200)
    held = None if viewer is None else viewer.compartments
    with app.read() as s:
        conn = s.connection()  # Core statements, plain rows: no ORM step per row
        statements = _statements(conn.dialect.name, held)
        total, counts = _totals(conn, statements[0])
        warnings = conn.execute(
            statements[1], {"offset": (page - 1) * per_page, "limit": per_page}
        ).all()
        ids = [w.id for w in warnings]
        by_warning: dict[int, dict[str, int]] = {}
        tallies, replies, few = _by_ids()
        for wid, status, n in conn.execute(tallies, {"ids": id_list(ids)}).all():
            if n:
                by_warning.setdefault(wid, {})[status] = int(n)
        listed = _deliveries_to_show(conn, few, by_warning, shown)
        responses: dict[int, list[dict[str, Any]]] = {}
        answers = conn.execute(replies, {"ids": id_list(ids)}).all()
        answering = people_answering(s, [r.delivery_id for r in answers])
        for r in answers:
            responses.setdefault(r.warning_id, []).append(
                {
                    "ref": format_id(Kind.RESPONSE, r.id),
                    "kind": r.kind,
                    "via": r.via,
                    "note": r.note,
                    "recorded_by": r.recorded_by,
                    "received_at": r.received_at,
                    "person": answering.get(r.delivery_id) if r.delivery_id else None,
                }
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
                "created_at": e.created_at,
            }
            for e in conn.execute(statements[2], {"limit": per_page}).all()
        ]
        rows = [
            {
                "ref": format_id(Kind.WARNING, w.id),
                "threat": format_id(Kind.THREAT, w.threat_id),
                "recipient": w.name,
                "tier": w.tier,
                "status": w.status,
                "msg_type": w.msg_type,
                "released_at": w.released_at,
                "valid_until": w.valid_until,
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


_WARNING: tuple[Any, ...] = (
    t.WarningRecord.id,
    t.WarningRecord.threat_id,
    t.WarningRecord.status,
    t.WarningRecord.msg_type,
    iso_utc(t.WarningRecord.released_at),
    iso_utc(t.WarningRecord.valid_until),
    t.Recipient.name,
    t.Recipient.tier,
)
_RESPONSE = (
    t.Response.id,
    t.Response.warning_id,
    t.Response.kind,
    t.Response.via,
    t.Response.note,
    t.Response.recorded_by,
    iso_utc(t.Response.received_at),
    t.Response.delivery_id,
)
_ESCALATION = (
    t.Escalation.id,
    t.Escalation.threat_id,
    t.Escalation.warning_id,
    t.Escalation.rule,
    t.Escalation.action,
    t.Escalation.status,
    t.Escalation.detail,
    iso_utc(t.Escalation.created_at),
)


@functools.cache
def _by_ids() -> tuple[Any, Any, Any]:
    """The page's tallies, replies and deliveries (of the warnings with a few), by the
    page's warning IDs bound as one parameter (``store.idlists``: the same SQL text
    whatever the page holds, so PostgreSQL keeps its plan); built once."""
    d = t.DeliveryTally
    return (
        select(d.warning_id, d.status, func.sum(d.n))
        .where(in_ids(d.warning_id, "ids"))
        .group_by(d.warning_id, d.status)
        .order_by(d.warning_id, d.status),
        select(*_RESPONSE).where(in_ids(t.Response.warning_id, "ids")).order_by(t.Response.id),
        select(*_SHOWN).where(in_ids(t.Delivery.warning_id, "ids")).order_by(t.Delivery.id),
    )


@functools.lru_cache(maxsize=64)
def _statements(dialect: str, held: frozenset[str] | None) -> tuple[Any, Any, Any]:
    """The board's statements for a viewer holding ``held`` (None: the local operator),
    built once: the totals, a page of warnings, the latest escalations."""
    viewer = None if held is None else Identity("", frozenset(), held)
    w, d = t.WarningRecord, t.DeliveryTally

    def fixed(value: Any) -> Any:
        # Written into the SQL, not bound: a statement whose only parameters were these
        # constants was planned afresh on every request by PostgreSQL (0.7 ms, more than
        # running it), which plans one with none, or the viewer's compartments alone, once.
        return literal(value, literal_execute=True)

    draft = fixed("draft")
    released = w.status != draft

    def tally(sign: str, which: Any) -> Any:
        return select(fixed(sign), d.status, func.sum(d.n)).where(which).group_by(d.status)

    def counted(sign: str, *which: Any) -> Any:
        return select(fixed(sign), cast(null(), String(20)), func.count()).where(*which)

    # The totals, in one query: the desk's released warnings (their tally) and every
    # delivery's tally (warning 0), less the drafts' deliveries, and less the released
    # warnings and deliveries of the cases the viewer may not see. Upper case adds,
    # lower case takes away.
    drafts = select(w.id).where(w.status == draft)
    wt = t.WarningTally
    parts: list[Any] = [
        select(fixed("W"), cast(null(), String(20)), func.sum(wt.n)).where(wt.status != draft),
        tally("D", d.warning_id == fixed(0)),
        tally("d", d.warning_id.in_(drafts)),
    ]
    # What the viewer may not see: the cases in a compartment they do not hold, found
    # from the few cases in one (their index), not by testing every warning's case.
    # The same rule as ``access.restrict``, put the other way round: a case the viewer
    # may see is one not among these.
    unseen: Any = None
    if viewer is not None:
        compartmented = text(t.COMPARTMENTED[dialect])  # as the index says it
        unseen = select(t.Threat.id).where(compartmented, ~within(t.Threat.compartments, viewer))
        hidden = select(w.id).where(released, w.threat_id.in_(unseen))
        parts += [
            counted("w", released, w.threat_id.in_(unseen)),
            tally("d", d.warning_id.in_(hidden)),
        ]
    page = (
        select(*_WARNING)
        .join(t.Recipient, t.Recipient.id == w.recipient_id)
        .where(released)
        .order_by(w.id.desc())
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    escalations = select(*_ESCALATION).order_by(t.Escalation.id.desc()).limit(bindparam("limit"))
    if unseen is not None:  # newest first, skipping what the viewer may not see
        page = page.where(w.threat_id.not_in(unseen))
        escalations = escalations.where(t.Escalation.threat_id.not_in(unseen))
    return union_all(*parts), page, escalations


def _totals(conn: Connection, statement: Any) -> tuple[int, dict[str, int]]:
    """The released warnings the viewer may see, and their deliveries by status."""
    total, counts = 0, dict.fromkeys(DELIVERY_STATUSES, 0)
    for kind, status, n in conn.execute(statement).all():
        sign = 1 if kind.isupper() else -1
        if status is None:
            total += sign * int(n or 0)
        else:
            counts[status] = counts.get(status, 0) + sign * int(n or 0)
    return total, {status: n for status, n in sorted(counts.items()) if n}


def _deliveries_to_show(
    conn: Connection, few: Any, counts: dict[int, dict[str, int]], shown: int
) -> dict[int, list[dict[str, Any]]]:
    """Up to ``shown`` deliveries per warning, those needing attention first (dead,
    failed, pending, awaiting hand-over), then the latest delivered; listed by ID. The
    warnings with a few deliveries have them all read at once; a bigger one (a group
    alert) reads, status by status in that order, only the latest it lists."""
    cap = max(shown, _READ_ALL)
    small = [wid for wid, by in counts.items() if sum(by.values()) <= cap]
    picks: list[Any] = []
    for wid, by in counts.items():
        if sum(by.values()) <= cap:
            continue
        left = shown
        known = [st for st in DELIVERY_STATUSES if by.get(st)]
        for status in known:
            if left <= 0:
                break
            picks.append(_latest(wid, t.Delivery.status == status, left))
            left -= by[status]
        if left > 0 and set(by) - set(known):  # statuses outside the attention order
            picks.append(_latest(wid, t.Delivery.status.not_in(DELIVERY_STATUSES), left))
    found: dict[int, list[Any]] = {}
    if small:
        for d in conn.execute(few, {"ids": id_list(small)}).all():  # by ID
            found.setdefault(d[1], []).append(d)
    for n in range(0, len(picks), 100):  # SQLite takes up to 500 terms in a compound
        for d in conn.execute(union_all(*picks[n : n + 100])).all():
            found.setdefault(d[1], []).append(d)
    out: dict[int, list[dict[str, Any]]] = {}
    for wid, rows in found.items():
        if len(rows) > shown:  # the first ``shown`` in the attention order
            rows.sort(key=lambda d: (_ATTENTION.get(d[4], 9), -d[0]))
            del rows[shown:]
            rows.sort(key=lambda d: d[0])
        elif sum(counts[wid].values()) > cap:
            rows.sort(key=lambda d: d[0])  # picked status by status: listed by ID
        out[wid] = [_delivery(d) for d in rows]
    return out


def _latest(warning_id: int, status: Any, limit: int) -> Any:
    """A warning's latest ``limit`` deliveries of a status, from the index in order."""
    q = (
        select(*_SHOWN)
        .where(t.Delivery.warning_id == warning_id, status)
        .order_by(t.Delivery.id.desc())
        .limit(limit)
    )
    return select(*q.subquery().c)
