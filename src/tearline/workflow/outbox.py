"""The outbox, database side: claim due deliveries, and record what happened, in batches.

A claim is a lease (status ``sending``, ``claimed_until``, ``claimed_by``) committed
before anything is sent, so a worker killed mid-send leaves its rows to be claimed
again: nothing is lost. Results are recorded in one transaction per batch (one commit
per delivery would cost most of the throughput); what was sent but not yet recorded is
in the worker's journal (``workflow.worker``), so a restart does not send it twice.
On PostgreSQL concurrent workers claim with ``FOR UPDATE SKIP LOCKED``; on SQLite the
write lock (``BEGIN IMMEDIATE``) serialises them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    and_,
    any_,
    bindparam,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

from tearline.deliver import CHANNEL_NAMES, next_delay
from tearline.deliver.channels import SENT_ARTIFACTS
from tearline.ids import Kind, format_id
from tearline.store import tables as t
from tearline.workflow.app import App, Unit
from tearline.workflow.group_alerts import GROUP_KIND, people_secrets
from tearline.workflow.records import audit_note
from tearline.workflow.responses import escalate_dead_letter

__all__ = [
    "CHANNEL_NAMES",
    "Claimed",
    "Outcome",
    "Sent",
    "WarningBody",
    "claim",
    "record",
    "status_is",
]

WORKER = "worker"
_INTERNAL = ("role", "changes")


# Every status a delivery passes through, those needing a person's attention first.
DELIVERY_STATUSES = ("dead", "pending", "sending", "awaiting_handover", "delivered")


@dataclass(frozen=True)
class Sent:
    """What happened to one delivery in one attempt (for printing and the web desk)."""

    ref: str
    warning_ref: str
    recipient: str
    channel: str
    status: str  # delivered | awaiting_handover | pending (will retry) | dead
    detail: str
    attempts: int


@dataclass(frozen=True)
class Claimed:
    id: int
    warning_id: int
    channel: str
    address: str
    idempotency_key: str
    attempts: int  # including this one


@dataclass(frozen=True)
class WarningBody:
    """A released warning as every one of its deliveries sends it (immutable once signed)."""

    ref: str
    recipient: str
    subject: str
    text: str
    document: dict[str, Any]
    jws: str
    artifacts: dict[str, str]
    valid_until: datetime
    secrets: dict[tuple[str, str], str]  # (channel, address) → contact point's secret
    body_cache: dict[str, bytes] = field(default_factory=dict)
    # the released forms read so far (``artifacts`` holds those that exist): a channel's
    # first delivery of the warning reads what it sends (``load_forms``)
    forms: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Outcome:
    claimed: Claimed
    ok: bool
    detail: str
    permanent: bool = False
    status: str = "delivered"  # when ok: delivered | awaiting_handover
    retry_after: timedelta | None = None  # the receiver asked us to wait this long
    ended_at: datetime | None = None  # when the send ended: the back-off counts from here


def _due(now: datetime) -> Any:
    return or_(
        and_(t.Delivery.status == "pending", t.Delivery.next_attempt_at <= now),
        and_(t.Delivery.status == "sending", t.Delivery.claimed_until < now),
    )


# A contact point's deliveries go in the order they were queued (by id): one is not sent
# while an earlier one to the same channel and address is still pending (waiting for its
# retry included) or being sent. Delivered, dead-lettered and handed-over ones do not hold
# it back. The statuses are literals, not parameters, so that SQLite matches the partial
# index ``ix_deliveries_unfinished`` (only unfinished rows): a probe per candidate finds
# its contact point's unfinished deliveries alone, however long its history.
UNFINISHED = ("pending", "sending")


def status_is(status: Any, *names: str) -> Any:
    """``status`` is one of ``names``, written as literals: the partial indexes on
    deliveries are of a status (``status = 'pending'``, ``status IN ('pending',
    'sending')``), which SQLite uses only where a query says it in those words, and
    PostgreSQL, in a plan made for any parameter, only where it sees the values."""
    values = [literal(n, literal_execute=True) for n in names]
    return status == values[0] if len(values) == 1 else status.in_(values)


_earlier = aliased(t.Delivery, name="earlier")
_in_order = ~(
    select(_earlier.id)
    .where(
        _earlier.channel == t.Delivery.channel,
        _earlier.address == t.Delivery.address,
        status_is(_earlier.status, *UNFINISHED),
        _earlier.id < t.Delivery.id,
    )
    # OFFSET 0 keeps it a probe per candidate (PostgreSQL does not turn a sub-select with
    # an OFFSET into a join): as a join, planned from statistics taken before a release
    # queued its deliveries (the partial index then looks empty), it read the whole index
    # for every candidate, 100,000 x 2,000 rows, 67 s for one batch of 500.
    .offset(0)
    .exists()
)


# What a worker may take, in the order it takes it: deliveries due now (the oldest due
# first, in ix_deliveries_due's order, of the pending ones), then those whose lease ran
# out with their worker (in ix_deliveries_leased's, of the ones being sent).
def _due_now(now: datetime) -> tuple[Any, ...]:
    return (
        (status_is(t.Delivery.status, "pending"), t.Delivery.next_attempt_at <= now),
        (t.Delivery.next_attempt_at, t.Delivery.id),
    )


def _lease_ran_out(now: datetime) -> tuple[Any, ...]:
    return (
        (status_is(t.Delivery.status, "sending"), t.Delivery.claimed_until < now),
        (t.Delivery.id,),
    )


def _pick(u: Unit, channel_filter: Any, limit: int) -> list[int]:
    """Up to ``limit`` deliveries that ``channel_filter`` admits, locked (``FOR UPDATE SKIP
    LOCKED`` on PostgreSQL): those due now, then, if the batch is not full, those whose
    lease ran out. A statement of its own, not a sub-select of the UPDATE that leases
    them: there, with two workers, PostgreSQL re-ran the whole pick each time it met a row
    that the other worker had just leased (its read-committed recheck), 1 ms of its CPU a
    delivery instead of 0.08."""
    ids: list[int] = []
    for where, order in (_due_now(u.now), _lease_ran_out(u.now)):
        left = limit - len(ids)
        if left <= 0:
            break
        ids += (
            u.session.connection()
            .scalars(
                select(t.Delivery.id)
                .where(*where, channel_filter, _in_order)
                .order_by(*order)
                .limit(left)
                .with_for_update(skip_locked=True)
            )
            .all()
        )
    return ids


def _lease(u: Unit, worker_id: str, lease: timedelta, ids: list[int]) -> list[Any]:
    """Lease the picked deliveries; the leased rows come back from the UPDATE itself."""
    postgres = u.session.get_bind().dialect.name == "postgresql"
    # a lease that ran out was lost with its worker: not an attempt, but counted
    lost = t.Delivery.status == "sending"
    return list(
        u.session.connection()
        .execute(
            update(t.Delivery)
            .where(
                # one array parameter, not a placeholder per ID: psycopg parses a statement
                # that long afresh each time (it caches short ones only)
                t.Delivery.id == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
                if postgres
                else t.Delivery.id.in_(ids)
            )
            .values(
                status="sending",
                claimed_until=u.now + lease,
                claimed_by=worker_id,
                attempts=t.Delivery.attempts + case((lost, 0), else_=1),
                lost_claims=t.Delivery.lost_claims + case((lost, 1), else_=0),
            )
            .returning(
                t.Delivery.id,
                t.Delivery.warning_id,
                t.Delivery.channel,
                t.Delivery.address,
                t.Delivery.idempotency_key,
                t.Delivery.attempts,
                t.Delivery.lost_claims,
            )
        )
        .all()
    )


def claim(
    app: App, worker_id: str, limit: int, budgets: Mapping[str, int] | None = None
) -> list[Claimed]:
    """Lease up to ``limit`` due deliveries; a rate-limited channel at most its budget."""
    budgets = budgets or {}
    lease = timedelta(seconds=app.settings.delivery_lease_seconds)
    with app.unit() as u:
        postgres = u.session.get_bind().dialect.name == "postgresql"
        if postgres:
            # Read the due rows in ix_deliveries_due's order and stop at the batch, never
            # sort them all: a table not analysed since thousands were queued (a release,
            # before autovacuum comes by) looks to the planner as if few were due, and two
            # workers then sorted 100,000 rows for each batch (1.7 ms of PostgreSQL's CPU
            # per delivery instead of 0.15).
            u.session.execute(text("SET LOCAL enable_sort = off"))
        ids = _pick(u, t.Delivery.channel.not_in(list(budgets)), limit)
        for channel, budget in budgets.items():
            ids += _pick(u, t.Delivery.channel == channel, min(budget, limit))
        if postgres:
            u.session.execute(text("SET LOCAL enable_sort TO DEFAULT"))
        if not ids:
            return []
        leased = _lease(u, worker_id, lease, ids)
        rows = sorted(leased, key=lambda r: r[0])
        cap = app.settings.delivery_max_lost_claims
        poisoned = [Claimed(*r[:6]) for r in rows if r[6] >= cap]
        if poisoned:
            _lost_for_good(u, poisoned, cap)
        return [Claimed(*r[:6]) for r in rows if r[6] < cap]


def _lost_for_good(u: Unit, claimed: Sequence[Claimed], cap: int) -> None:
    """Deliveries whose worker died ``cap`` times while sending them: dead-lettered (and
    the duty officer alerted), not sent again to kill the next worker too."""
    detail = f"its worker died {cap} times while sending it; not sent again"
    u.session.execute(
        update(t.Delivery)
        .where(t.Delivery.id.in_([c.id for c in claimed]))
        .values(status="dead", claimed_until=None, claimed_by=None, last_error=detail)
    )
    for c in claimed:
        ref = format_id(Kind.DELIVERY, c.id)
        u.audit(
            WORKER,
            "delivery.dead",
            ref,
            {"attempt": c.attempts, "channel": c.channel, "detail": detail, "lost_claims": cap},
        )
        escalate_dead_letter(u, c.id, detail)


# What the worker reads of a released warning (a row per warning, the recipient joined):
# the sent forms of ``SENT_ARTIFACTS`` each on its own (on PostgreSQL taken out of the
# JSONB there), not every rendering kept for the record: e.g. the CAP, the STIX signature,
# a second copy of the JWS, together 55 KB a warning decoded for nothing. Each form is a
# string (``render_artifacts``) and comes as text, not as a JSON value to decode: 56 µs
# a warning (the e-mail's 22 KB, the STIX bundle's 10), and a release is a warning per
# recipient.
_BODY = select(
    t.WarningRecord.id,
    t.WarningRecord.content,
    t.WarningRecord.jws,
    t.WarningRecord.valid_until,
    t.Recipient.name,
    t.Recipient.kind,
    t.Recipient.contacts,
).join(t.Recipient, t.Recipient.id == t.WarningRecord.recipient_id)


def _forms(forms: Iterable[str]) -> list[Any]:
    """The columns of the released ``forms`` named (as text), in ``SENT_ARTIFACTS``' order."""
    return [t.WarningRecord.artifacts[f].as_string() for f in _named(forms)]


def _found(forms: Iterable[str], values: Sequence[Any]) -> dict[str, str]:
    """Those of ``_forms``' values that the warning has, by form."""
    return {f: v for f, v in zip(_named(forms), values, strict=True) if isinstance(v, str)}


def _named(forms: Iterable[str]) -> list[str]:
    return [f for f in SENT_ARTIFACTS if f in forms]


def sent_document(content: Mapping[str, Any]) -> dict[str, Any]:
    """A warning's document as it is sent: its content less the record's own keys."""
    return {k: v for k, v in content.items() if k not in _INTERNAL}


def load_warnings(
    app: App, warning_ids: Iterable[int], forms: Iterable[str] = SENT_ARTIFACTS
) -> dict[int, WarningBody]:
    """The warnings as their deliveries send them, with the released ``forms`` named."""
    out: dict[int, WarningBody] = {}
    forms = set(forms)
    with app.read() as s:
        query = _BODY.add_columns(*_forms(forms))
        rows = s.execute(query.where(t.WarningRecord.id.in_(set(warning_ids)))).all()
        for wid, content, jws, valid_until, name, kind, contacts, *values in rows:
            assert jws is not None, "only released (signed) warnings have deliveries"
            secrets = {
                (c["channel"], c["address"]): c["secret"] for c in contacts if c.get("secret")
            }
            if kind == GROUP_KIND:
                secrets |= people_secrets(s, wid)
            out[wid] = WarningBody(
                ref=format_id(Kind.WARNING, wid),
                recipient=name,
                subject=content["subject"],
                text=content["text"],
                document=sent_document(content),
                jws=jws,
                artifacts=_found(forms, values),
                valid_until=valid_until,
                secrets=secrets,
                forms=set(forms),
            )
    return out


def load_forms(app: App, bodies: Mapping[int, WarningBody], forms: Iterable[str]) -> None:
    """Add the released ``forms`` each of ``bodies`` has not read yet."""
    forms = set(forms)
    ids = {wid for wid, b in bodies.items() if forms - b.forms}
    if not ids or not forms:
        return
    with app.read() as s:
        query = select(t.WarningRecord.id, *_forms(forms)).where(t.WarningRecord.id.in_(ids))
        for wid, *values in s.execute(query).all():
            body = bodies[wid]
            body.artifacts.update(_found(forms, values))
            body.forms.update(forms)


def _state(app: App, now: datetime, o: Outcome) -> dict[str, Any]:
    row: dict[str, Any] = {"id": o.claimed.id, "claimed_until": None, "claimed_by": None}
    if o.ok:
        delivered = o.status == "delivered"
        return row | {
            "status": o.status,
            "delivered_at": now if delivered else None,
            "receipt": o.detail[:2000],
            "last_error": None,
        }
    if o.permanent or o.claimed.attempts >= app.settings.delivery_max_attempts:
        return row | {"status": "dead", "last_error": o.detail[:2000]}
    delay = next_delay(o.claimed.attempts, app.settings.delivery_backoff_seconds, o.retry_after)
    return row | {
        "status": "pending",
        "last_error": o.detail[:2000],
        "next_attempt_at": min(now, o.ended_at or now) + delay,
    }


def record(
    app: App, outcomes: Sequence[Outcome], bodies: Mapping[int, WarningBody], *, worker_id: str
) -> list[Sent]:
    """Write every attempt and the new state of every delivery in one transaction.

    Only rows this worker still holds are changed: if its lease ran out and another
    worker took a delivery over, that worker's record wins.
    """
    if not outcomes:
        return []
    with app.unit() as u:
        if u.session.get_bind().dialect.name == "postgresql":
            # the check that this worker still holds a row is the UPDATE's own WHERE, and
            # the rows it changed come back (RETURNING): one statement, read by primary key
            states = [_state(app, u.now, o) for o in outcomes]
            held: set[int] = set()
            for keys, group in _by_keys(states).items():
                held.update(_update_from_arrays(u, keys, group, worker_id))
            pairs = [(o, s) for o, s in zip(outcomes, states, strict=True) if s["id"] in held]
            mine = [o for o, _ in pairs]
            states = [s for _, s in pairs]
            _insert_from_arrays(u, _attempts(u.now, mine))
        else:
            held = set(
                u.session.scalars(
                    select(t.Delivery.id).where(
                        t.Delivery.id.in_([o.claimed.id for o in outcomes]),
                        t.Delivery.claimed_by == worker_id,
                        t.Delivery.status == "sending",
                    )
                )
            )
            mine = [o for o in outcomes if o.claimed.id in held]
            states = [_state(app, u.now, o) for o in mine]
            for group in _by_keys(states).values():
                u.session.execute(update(t.Delivery), group)
            if mine:
                u.session.execute(insert(t.DeliveryAttempt), _attempts(u.now, mine))
        sent = [_sent(o, s["status"], bodies) for o, s in zip(mine, states, strict=True)]
        _audit(u, sent, mine)
        for o, s in zip(mine, states, strict=True):
            if s["status"] == "dead":
                escalate_dead_letter(u, o.claimed.id, o.detail)
        return sent


# On PostgreSQL a batch's new states and attempts go as one statement each, every column
# one array parameter (``unnest``), rather than one statement per delivery: the record's
# cost hardly grows with the batch.
_ARRAY_TYPES = {
    "id": "integer",
    "delivery_id": "integer",
    "status": "text",
    "delivered_at": "timestamptz",
    "at": "timestamptz",
    "receipt": "text",
    "last_error": "text",
    "detail": "text",
    "claimed_until": "timestamptz",
    "claimed_by": "text",
    "next_attempt_at": "timestamptz",
    "ok": "boolean",
}


def _by_keys(states: Sequence[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    """The new states grouped by the columns they set (one UPDATE per group)."""
    by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for s in states:
        by_keys.setdefault(tuple(sorted(s)), []).append(s)
    return by_keys


def _attempts(now: datetime, outcomes: Sequence[Outcome]) -> list[dict[str, Any]]:
    return [
        {"delivery_id": o.claimed.id, "at": now, "ok": o.ok, "detail": o.detail[:2000]}
        for o in outcomes
    ]


_KEYS = ("id", "delivery_id")  # always an array: one per row


def _arrays(
    columns: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> tuple[list[str], str, dict[str, Any]]:
    """Each column as SQL: ``v.<column>`` from ``unnest(CAST(:a AS T[]), ...) AS v(...)``
    (one array parameter per column), or, where every row has the same value (a batch's
    "delivered", "HTTP 200", its time), ``CAST(:c AS T)``, that one value, which the driver
    need not encode for each row. Returns the column expressions, the ``unnest`` source
    and the parameters. Only the column names in ``_ARRAY_TYPES`` pass (a KeyError
    otherwise): no text from outside reaches the SQL, every value goes as a parameter."""
    exprs: list[str] = []
    arrays: list[str] = []
    params: dict[str, Any] = {}
    for c in columns:
        values = [r[c] for r in rows]
        first = values[0]
        if c not in _KEYS and values.count(first) == len(values):
            exprs.append(f"CAST(:{c} AS {_ARRAY_TYPES[c]})")
            params[c] = first
        else:
            exprs.append(f"v.{c}")
            arrays.append(c)
            params[c] = values
    sql = ", ".join(f"CAST(:{c} AS {_ARRAY_TYPES[c]}[])" for c in arrays)
    return exprs, f"unnest({sql}) AS v({', '.join(arrays)})", params


def _update_from_arrays(
    u: Unit, keys: Sequence[str], rows: Sequence[Mapping[str, Any]], worker_id: str
) -> list[int]:
    """Set the rows' new states where ``worker_id`` still holds them; returns their IDs."""
    columns = [k for k in keys if k != "id"]
    exprs, source, params = _arrays(["id", *columns], rows)
    sets = ", ".join(f"{c} = {e}" for c, e in zip(columns, exprs[1:], strict=True))
    return list(
        u.session.scalars(
            text(
                f"UPDATE deliveries SET {sets} FROM {source} "  # noqa: S608 (our column names)
                "WHERE deliveries.id = v.id AND deliveries.claimed_by = :held_by "
                "AND deliveries.status = 'sending' RETURNING deliveries.id"
            ),
            params | {"held_by": worker_id},
        ).all()
    )


def _insert_from_arrays(u: Unit, rows: Sequence[Mapping[str, Any]]) -> None:
    if not rows:
        return
    columns = ["delivery_id", "at", "ok", "detail"]
    exprs, source, params = _arrays(columns, rows)
    u.session.execute(
        text(
            f"INSERT INTO delivery_attempts ({', '.join(columns)}) "  # noqa: S608 (our column names)
            f"SELECT {', '.join(exprs)} FROM {source}"
        ),
        params,
    )


def _sent(o: Outcome, status: str, bodies: Mapping[int, WarningBody]) -> Sent:
    body = bodies.get(o.claimed.warning_id)
    return Sent(
        format_id(Kind.DELIVERY, o.claimed.id),
        body.ref if body else format_id(Kind.WARNING, o.claimed.warning_id),
        body.recipient if body else "",
        o.claimed.channel,
        status,
        o.detail,
        o.claimed.attempts,
    )


def _audit(u: Unit, sent: Sequence[Sent], outcomes: Sequence[Outcome]) -> None:
    """Routine successes in one entry per batch; every failure in an entry of its own."""
    done: dict[str, list[str]] = {}
    for s, o in zip(sent, outcomes, strict=True):
        if o.ok:
            done.setdefault(s.status, []).append(s.ref)
            continue
        action = "delivery.dead" if s.status == "dead" else "delivery.retry_scheduled"
        u.audit(
            WORKER,
            action,
            s.ref,
            {"attempt": s.attempts, "channel": s.channel, "detail": s.detail[:300]},
        )
    if done:
        refs = [r for group in done.values() for r in group]
        subject = refs[0] if len(refs) == 1 else f"{refs[0]}+{len(refs) - 1}"
        u.audit(WORKER, "delivery.sent", subject[:60], done)


def release_claims(app: App, worker_ids: Sequence[str], *, lost: Iterable[int] = ()) -> int:
    """Hand back what workers held and did not record (they died, or a round failed), so it
    is sent again now. Their claim was no attempt (it may never have been sent): the count
    goes back down. Those in ``lost`` (being sent when the worker died) count one more lost
    claim instead: a delivery that kills its worker every time ends dead at a cap."""
    if not worker_ids:
        return 0
    with app.unit() as u:
        result = u.session.execute(
            update(t.Delivery)
            .where(
                status_is(t.Delivery.status, "sending"),  # ix_deliveries_leased
                t.Delivery.claimed_by.in_(list(worker_ids)),
            )
            .values(
                status="pending",
                claimed_until=None,
                claimed_by=None,
                next_attempt_at=u.now,
                attempts=case((t.Delivery.attempts > 0, t.Delivery.attempts - 1), else_=0),
                lost_claims=t.Delivery.lost_claims
                + case((t.Delivery.id.in_(list(lost)), 1), else_=0),
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)


def apply_journal(app: App, entries: Mapping[int, tuple[str, str]], worker_id: str) -> int:
    """Record deliveries a dead worker had sent (per its journal) but not yet recorded."""
    if not entries:
        return 0
    with app.unit() as u:
        rows = u.session.execute(
            select(t.Delivery.id, t.Delivery.attempts).where(
                t.Delivery.id.in_(list(entries)),
                t.Delivery.claimed_by == worker_id,
                t.Delivery.status == "sending",
            )
        ).all()
        for delivery_id, _attempts in rows:
            status, detail = entries[delivery_id]
            u.session.execute(
                update(t.Delivery)
                .where(t.Delivery.id == delivery_id)
                .values(
                    status=status,
                    delivered_at=u.now if status == "delivered" else None,
                    receipt=detail,
                    claimed_until=None,
                    claimed_by=None,
                )
            )
            u.session.add(
                t.DeliveryAttempt(delivery_id=delivery_id, at=u.now, ok=True, detail=detail)
            )
        if rows:
            refs = [format_id(Kind.DELIVERY, r[0]) for r in rows]
            u.audit(WORKER, "delivery.recovered", refs[0], {"from_journal": refs})
        return len(rows)


def outbox_counts(app: App) -> dict[str, int]:
    """How many deliveries are in each state (for the worker's summary and the desk)."""
    with app.read() as s:
        rows = s.execute(select(t.Delivery.status, func.count()).group_by(t.Delivery.status))
        return {status: int(n) for status, n in rows}


def mark_handed_over(app: App, delivery_ref: str, who: Any, *, note: str = "") -> Sent:
    """An officer records that a liaison note was handed to the recipient: now delivered."""
    from tearline.errors import InvalidState
    from tearline.workflow.records import load
    from tearline.workflow.users import Role

    who.require(Role.DUTY_OFFICER, "record a hand delivery")
    with app.unit() as u:
        d = load(u.session, t.Delivery, delivery_ref, Kind.DELIVERY)
        ref = format_id(Kind.DELIVERY, d.id)
        if d.channel != "liaison_note":
            raise InvalidState(f"{ref} went by {d.channel}; only liaison notes are handed over")
        if d.status != "awaiting_handover":
            raise InvalidState(f"{ref} is {d.status}, not a note awaiting hand delivery")
        detail = f"handed over by {who.username}" + (
            f": {note.strip()[:500]}" if note.strip() else ""
        )
        d.status, d.delivered_at, d.receipt = "delivered", u.now, detail
        u.session.add(t.DeliveryAttempt(delivery_id=d.id, at=u.now, ok=True, detail=detail))
        u.audit(who.username, "delivery.handed_over", ref, audit_note(u.session, note))
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
