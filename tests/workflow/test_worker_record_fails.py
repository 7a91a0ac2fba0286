"""What was sent is recorded once and never sent again, whatever happens to the record.

Faults injected at the exact point, on a real database and a real loopback receiver:

- the batch's record transaction fails (its first ``INSERT INTO delivery_attempts``
  raises, so the whole transaction rolls back): the worker's next round records the
  sends from its journal instead of handing them back to be sent again;
- the worker is asked to stop while that transaction is in flight (what SIGTERM does):
  the batch is recorded, what was claimed and not sent is handed back, and a worker
  started afterwards sends the rest — the receiver sees every key once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from tearline import workflow as wf
from tearline.demo.receiver import LoopbackReceiver
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.workflow.worker import channels_for, run_worker
from tests.workflow.test_delivery_kill import setup

N = 60
RECORD = "INSERT INTO delivery_attempts"


def open_app(home: Path, database_url: str) -> wf.App:
    values = {"home": str(home), "database_url": database_url, "sender": "Record test"}
    # small batches, a few in flight: the fault lands after some batches are recorded
    values |= {"delivery_batch": "10", "delivery_concurrency": "4"}
    return wf.App(load_settings(values, environ={}))


def webhooks(app: wf.App) -> dict[str, int]:
    """Webhook deliveries by status, and ``attempts``: their successful attempts recorded."""
    with app.read() as s:
        rows = s.execute(
            select(t.Delivery.status, func.count())
            .where(t.Delivery.channel == "webhook")
            .group_by(t.Delivery.status)
        ).all()
        attempts = s.scalar(
            select(func.count())
            .select_from(t.DeliveryAttempt)
            .join(t.Delivery, t.Delivery.id == t.DeliveryAttempt.delivery_id)
            .where(t.Delivery.channel == "webhook", t.DeliveryAttempt.ok)
        )
    return {str(k): int(v) for k, v in rows} | {"attempts": int(attempts or 0)}


def on_record(app: wf.App, action: Callable[[], None]) -> Callable[[], int]:
    """Run ``action`` as the first batch's record is about to write its attempts (once);
    returns a function that says how many times it ran."""
    ran = [0]

    def hook(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not ran[0] and statement.lstrip().startswith(RECORD):
            ran[0] += 1
            action()

    event.listen(app.db.engine, "before_cursor_execute", hook)
    return lambda: ran[0]


def run_until_done(app: wf.App, stop: threading.Event) -> threading.Thread:
    def work() -> None:
        run_worker(app, channels_for(app), once=False, poll_seconds=0.05, stop=stop)

    thread = threading.Thread(target=work, name="test-worker")
    thread.start()
    return thread


def test_a_failed_record_is_recorded_from_the_journal_not_sent_again(
    tmp_path: Path,
    database_url: str,
    receiver: tuple[LoopbackReceiver, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    r, url = receiver
    home = tmp_path / "home"
    setup(home, url, N, database_url)
    app = open_app(home, database_url)

    def fail() -> None:
        raise RuntimeError("injected: the record's transaction fails")

    faults = on_record(app, fail)
    stop = threading.Event()
    caplog.set_level(logging.WARNING, logger="tearline.worker")
    thread = run_until_done(app, stop)
    try:
        idle = threading.Event()
        for _ in range(1200):  # hang guard: 60 s
            if webhooks(app).get("delivered", 0) >= N:
                break
            idle.wait(0.05)
    finally:
        stop.set()
        thread.join(60)
        app.close()
    assert faults() == 1
    assert "round failed (RuntimeError: injected" in caplog.text
    app = open_app(home, database_url)
    try:
        assert webhooks(app) == {"delivered": N, "attempts": N}  # each recorded once
    finally:
        app.close()
    assert len(r.unique) == N
    assert r.duplicates == 0  # what the failed record held was not sent again


def test_a_stop_while_a_record_is_in_flight_records_it_and_a_restart_repeats_none(
    tmp_path: Path, database_url: str, receiver: tuple[LoopbackReceiver, str]
) -> None:
    r, url = receiver
    home = tmp_path / "home"
    setup(home, url, N, database_url)
    app = open_app(home, database_url)
    stop = threading.Event()
    stopped_at = on_record(app, stop.set)  # "SIGTERM" lands inside the record transaction
    thread = run_until_done(app, stop)
    thread.join(60)  # hang guard
    assert not thread.is_alive()
    assert stopped_at() == 1
    first = webhooks(app)
    assert "sending" not in first  # claimed and not sent: handed back
    assert first.get("delivered", 0) == first["attempts"] == len(r.unique) < N
    app.close()

    app = open_app(home, database_url)
    again = threading.Event()
    thread = run_until_done(app, again)
    try:
        for _ in range(1200):  # hang guard: 60 s
            if webhooks(app).get("delivered", 0) >= N:
                break
            again.wait(0.05)
    finally:
        again.set()
        thread.join(60)
    try:
        assert webhooks(app) == {"delivered": N, "attempts": N}
    finally:
        app.close()
    assert len(r.unique) == N
    assert r.duplicates == 0
