"""After a worker dies: its journal is replayed once, however many workers start together;
the claims it held do not use up retries; a delivery that kills its worker every time is
dead-lettered, with the duty officer alerted, instead of killing workers for ever."""

from __future__ import annotations

import os
import threading
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.demo.receiver import LoopbackReceiver
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.workflow.outbox import Claimed, claim
from tearline.workflow.worker import Journal, Worker, channels_for, recover
from tests.workflow.test_delivery_outbox import partners, release


def more_webhooks(app: wf.App, url: str, n: int) -> None:
    """``n`` more webhook deliveries of the released warning, as approval writes them."""
    with app.unit() as u:
        warning_id = u.session.scalar(select(func.min(t.Delivery.warning_id)))
        u.session.execute(
            insert(t.Delivery),
            [
                {
                    "warning_id": warning_id,
                    "channel": "webhook",
                    "address": f"{url}/more/{i}",
                    "idempotency_key": f"tl-{uuid.uuid4().hex}",
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": u.now,
                    "created_at": u.now,
                }
                for i in range(n)
            ],
        )


def die_holding(app: wf.App, *, journalled: int = 0) -> list[Claimed]:
    """A worker claims what is due, starts sending the webhooks, journals the receipts of
    the first ``journalled`` of them, and is killed: its lock is free, its files remain."""
    dead = Worker(app, channels_for(app))
    claimed = [c for c in dead._claim() if c.channel == "webhook"]
    fd, _ = dead.journal.open_batch()
    Journal.begin(fd, [c.id for c in claimed])
    for c in claimed[:journalled]:
        Journal.note(fd, c.id, "delivered", "HTTP 200")
    os.close(fd)
    os.close(dead.journal._lock)
    return claimed


def another_process(app: wf.App) -> wf.App:
    """The same database through an engine of its own, as another worker process has."""
    settings = load_settings(
        {"home": str(app.home), "database_url": app.db.url, "sender": "Test agency"}, environ={}
    )
    return wf.App(settings, clock=app.clock)


def row(app: wf.App, delivery_id: int) -> tuple[str, int, int, int]:
    """(status, attempts, lost claims, attempts recorded) of one delivery."""
    with app.read() as s:
        d = s.get(t.Delivery, delivery_id)
        assert d is not None
        recorded = s.scalar(
            select(func.count())
            .select_from(t.DeliveryAttempt)
            .where(t.DeliveryAttempt.delivery_id == delivery_id)
        )
        return d.status, d.attempts, d.lost_claims, int(recorded or 0)


def test_workers_starting_together_replay_a_dead_workers_journal_once(
    app: wf.App, people: tuple[wf.Identity, wf.Identity], receiver: tuple[LoopbackReceiver, str]
) -> None:
    _, url = receiver
    partners(app, url, 4)
    release(app, people)
    more_webhooks(app, url, 296)  # a journal that takes a while to replay
    claimed = die_holding(app, journalled=200)
    assert len(claimed) == 300
    starting = [another_process(app) for _ in range(6)]
    gate = threading.Barrier(len(starting))
    replayed: list[int] = []

    def start(worker_app: wf.App) -> None:
        gate.wait()
        replayed.append(recover(worker_app))

    threads = [threading.Thread(target=start, args=(a,)) for a in starting]
    try:
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        for a in starting:
            a.close()
    assert sorted(replayed) == [0, 0, 0, 0, 0, 200]  # one of them replayed it, once
    recovered = [e for e in wf.audit_entries(app, limit=100) if e["action"] == "delivery.recovered"]
    assert len(recovered) == 1
    for c in claimed[:200]:  # sent before the kill: recorded once, not sent again
        assert row(app, c.id) == ("delivered", 1, 0, 1)
    for c in claimed[200:]:  # being sent: due again, the lost claim no attempt
        assert row(app, c.id) == ("pending", 0, 1, 0)
    folder = Path(app.home) / "outbox"
    assert not list(folder.glob("*.log"))
    assert not list(folder.glob("*.lock"))


def test_a_journal_being_replayed_is_left_alone_by_a_worker_starting_meanwhile(
    app: wf.App, people: tuple[wf.Identity, wf.Identity], receiver: tuple[LoopbackReceiver, str]
) -> None:
    _, url = receiver
    partners(app, url, 2)
    release(app, people)
    claimed = die_holding(app, journalled=1)
    replaying = Journal.orphans(Path(app.home) / "outbox")
    orphan = next(replaying)  # one worker is replaying it: it holds the dead one's lock
    try:
        assert len(orphan.paths) == 1
        assert recover(app) == 0  # another, starting now, leaves it alone
        assert row(app, claimed[0].id) == ("sending", 1, 0, 0)
    finally:
        orphan.remove()
        replaying.close()
    assert recover(app) == 0  # and once the files are gone there is nothing to replay
    assert row(app, claimed[0].id) == ("sending", 1, 0, 0)


def test_a_crash_does_not_spend_a_retry(
    app: wf.App,
    clock: FixedClock,
    people: tuple[wf.Identity, wf.Identity],
    receiver: tuple[LoopbackReceiver, str],
) -> None:
    r, url = receiver
    partners(app, url, 3)
    release(app, people)
    # killed on this machine: the next worker finds its journal
    killed = die_holding(app)
    sent = [s for s in wf.deliver_due(app, channels_for(app)) if s.channel == "webhook"]
    assert sorted((s.ref, s.status, s.attempts) for s in sent) == sorted(
        (f"DLV-{c.id}", "delivered", 1) for c in killed
    )
    assert len(r.posts) == 3
    assert {row(app, c.id) for c in killed} == {("delivered", 1, 1, 1)}


def test_a_lease_that_ran_out_is_taken_over_without_spending_a_retry(
    app: wf.App,
    clock: FixedClock,
    people: tuple[wf.Identity, wf.Identity],
    receiver: tuple[LoopbackReceiver, str],
) -> None:
    r, url = receiver
    partners(app, url, 2)
    release(app, people)
    # claimed by a worker on another machine that is never heard of again
    held = [c for c in claim(app, "elsewhere:1:gone", 100) if c.channel == "webhook"]
    assert {c.attempts for c in held} == {1}
    assert wf.deliver_due(app, channels_for(app)) == []  # still leased
    clock.advance(timedelta(seconds=app.settings.delivery_lease_seconds + 1))
    sent = [s for s in wf.deliver_due(app, channels_for(app)) if s.channel == "webhook"]
    assert sorted((s.status, s.attempts) for s in sent) == [("delivered", 1)] * 2
    assert len(r.posts) == 2
    assert {row(app, c.id) for c in held} == {("delivered", 1, 1, 1)}


def test_a_delivery_that_kills_its_worker_every_time_is_dead_lettered_at_the_cap(
    app: wf.App, people: tuple[wf.Identity, wf.Identity], receiver: tuple[LoopbackReceiver, str]
) -> None:
    r, url = receiver
    partners(app, url, 1)
    release(app, people)
    cap = app.settings.delivery_max_lost_claims
    for _ in range(cap):  # each worker replays the last one's journal, then dies the same way
        (poison,) = die_holding(app)
    sent = [s for s in wf.deliver_due(app, channels_for(app)) if s.channel == "webhook"]
    assert sent == []  # not sent again, to kill the next worker too
    assert r.posts == []
    status, _, lost, recorded = row(app, poison.id)
    assert (status, lost, recorded) == ("dead", cap, 0)
    with app.read() as s:
        d = s.get(t.Delivery, poison.id)
        assert d is not None
        assert d.last_error == f"its worker died {cap} times while sending it; not sent again"
    alerts = [(e.action, e.status) for e in wf.list_escalations(app) if e.rule == "dead-letter"]
    assert ("alert_duty_officer", "proposed") in alerts
    dead = [e for e in wf.audit_entries(app, limit=100) if e["action"] == "delivery.dead"]
    assert [e["subject"] for e in dead] == [f"DLV-{poison.id}"]
