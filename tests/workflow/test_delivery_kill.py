"""The kill test: SIGKILL the worker at random points of its progress while it delivers a
few thousand warnings to a real loopback receiver, restart it, and count.

Asserted: every delivery arrived at least once, none is lost in the database (each is
delivered and has its attempt recorded), and the receiver saw at most one duplicate per
kill with one message in flight (``TEARLINE_DELIVERY_CONCURRENCY=1``); with 64 in flight
a kill can repeat at most the messages in flight at that instant, each with its
idempotency key. The numbers are printed (``pytest -s``) for the record.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.demo.receiver import LoopbackReceiver
from tearline.demo.scenario import report_text
from tearline.model import Contact
from tearline.settings import load_settings
from tearline.store import tables as t
from tests.conftest import START
from tests.workflow.conftest import PROVENANCE

pytestmark = pytest.mark.slow


def setup(home: Path, url: str, n: int, database_url: str | None = None) -> None:
    """One released warning to ``n`` webhook endpoints of the receiver at ``url``, due now
    (on SQLite in ``home``, or on ``database_url``)."""
    values = {"home": str(home), "sender": "Kill test"}
    if database_url:
        values["database_url"] = database_url
    app = wf.App(load_settings(values, environ={}), clock=FixedClock(START))
    try:
        wf.add_user(app, "dana", "dana-kill-test-1", [wf.Role.DUTY_OFFICER, wf.Role.ANALYST])
        wf.add_user(app, "avery", "avery-kill-test-1", [wf.Role.APPROVER])
        wf.add_recipient(
            app,
            name="Partner",
            kind="government",
            tier="partner",
            language="en",
            jurisdiction="RU",
            contacts=[Contact("webhook", f"{url}/partner")],
        )
        got = wf.ingest_bytes(app, report_text(), "m.txt", PROVENANCE, actor="dana")
        threat = next(e.threat_ref for e in got.events if e.threat_ref)
        assert threat is not None
        dana = wf.sign_in(app, "dana", "dana-kill-test-1")
        wf.decide(app, threat, dana)
        proposed = wf.propose_release(app, threat, dana)
        released = wf.approve_release(
            app, proposed.ref, wf.sign_in(app, "avery", "avery-kill-test-1")
        )
        warning_id = int(released.warnings[0][0].split("-")[1])
        with app.unit() as u:  # the same warning to n more endpoints, as approval writes them
            u.session.execute(
                insert(t.Delivery),
                [
                    {
                        "warning_id": warning_id,
                        "channel": "webhook",
                        "address": f"{url}/r/{i}",
                        "idempotency_key": f"tl-{uuid.uuid4().hex}",
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": u.now,
                        "created_at": u.now,
                    }
                    for i in range(n - 1)
                ],
            )
    finally:
        app.close()


def counts(home: Path) -> tuple[int, int, int]:
    settings = load_settings({"home": str(home)}, environ={})
    app = wf.App(settings)
    try:
        with app.read() as s:
            total = s.scalar(
                select(func.count()).select_from(t.Delivery).where(t.Delivery.channel == "webhook")
            )
            done = s.scalar(
                select(func.count())
                .select_from(t.Delivery)
                .where(t.Delivery.channel == "webhook", t.Delivery.status == "delivered")
            )
            unrecorded = s.scalar(
                select(func.count())
                .select_from(t.Delivery)
                .where(
                    t.Delivery.channel == "webhook",
                    ~select(t.DeliveryAttempt.id)
                    .where(t.DeliveryAttempt.delivery_id == t.Delivery.id, t.DeliveryAttempt.ok)
                    .exists(),
                )
            )
        return int(total or 0), int(done or 0), int(unrecorded or 0)
    finally:
        app.close()


def worker(home: Path, concurrency: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TEARLINE_HOME": str(home),
        "TEARLINE_DELIVERY_CONCURRENCY": str(concurrency),
        "TEARLINE_DELIVERY_BATCH": "100",
    }
    env.pop("TEARLINE_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "tearline", "worker", "--poll", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def run_with_kills(
    tmp_path: Path, n: int, concurrency: int, kills: int, seed: int
) -> dict[str, int]:
    receiver = LoopbackReceiver()
    url = receiver.start()
    home = tmp_path / "home"
    rng = random.Random(seed)
    try:
        setup(home, url, n)
        done_kills = 0
        # Each kill falls when the receiver has seen its share of the deliveries (a
        # fraction of n, drawn at random within its share), not after so many seconds:
        # a fast worker had delivered everything before the third kill.
        points = [int(n * (k + rng.uniform(0.2, 0.8)) / (kills + 1)) for k in range(kills)]
        for point in points:
            proc = worker(home, concurrency)
            while len(receiver.unique) < max(point, 1) and proc.poll() is None:
                time.sleep(0.005)  # kill only once it is delivering, at its point
            if proc.poll() is not None:  # it ended (all delivered) before its point
                proc.terminate()
                proc.wait()
                break
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            done_kills += 1
        last = worker(home, concurrency)
        # Wait while the last worker makes progress (a loaded machine is slow, not wrong);
        # give up only after a long stretch with no delivery recorded at all.
        seen, still_since = -1, time.monotonic()
        while (now := counts(home)[1]) < n and time.monotonic() - still_since < 120:
            if now != seen:
                seen, still_since = now, time.monotonic()
            time.sleep(0.2)
        last.terminate()
        last.wait(timeout=30)
        total, delivered, unrecorded = counts(home)
        return {
            "deliveries": total,
            "delivered": delivered,
            "unrecorded": unrecorded,
            "arrived": len(receiver.unique),
            "posts": len(receiver.posts),
            "duplicates": receiver.duplicates,
            "kills": done_kills,
        }
    finally:
        receiver.stop()


def test_sigkill_one_in_flight_loses_nothing_and_repeats_at_most_one_per_kill(
    tmp_path: Path,
) -> None:
    got = run_with_kills(tmp_path, n=2000, concurrency=1, kills=6, seed=11)
    print(f"\nkill test, 1 in flight: {got}")  # the numbers for the record
    assert got["kills"] >= 3
    assert got["deliveries"] == got["delivered"] == got["arrived"] == 2000
    assert got["unrecorded"] == 0
    assert got["duplicates"] <= got["kills"]


def test_sigkill_many_in_flight_loses_nothing(tmp_path: Path) -> None:
    got = run_with_kills(tmp_path, n=3000, concurrency=64, kills=5, seed=5)
    print(f"\nkill test, 64 in flight: {got}")
    assert got["kills"] >= 3
    assert got["deliveries"] == got["delivered"] == got["arrived"] == 3000
    assert got["unrecorded"] == 0
    assert got["duplicates"] <= got["kills"] * 64
