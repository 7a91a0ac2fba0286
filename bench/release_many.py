"""A release to many: N webhook recipients (default 10,000), proposed, approved and then
delivered by the worker to a loopback aiohttp receiver in its own process.

Printed per recipient, wall and CPU (this process, and the release pool's processes):
proposing (draft, render every format unsigned, leak-check), approving (sign, render,
leak-check, store, queue) and delivering. Beside them, in the same run over the same
signed documents: rendering and signing every format alone on one core
(``render_artifacts``, the peer), and the release pool's speedup over one process for
the same work (render, sign, leak-check). SQLite in a temporary home unless
``--database-url`` names another, empty database.

    python bench/release_many.py [N] [--workers W] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from _loopback import free_port, receiver_stats, wait_for
from sqlalchemy import select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.demo.scenario import report_text
from tearline.release import render_artifacts
from tearline.release.batch import Job, pool_pids, render_all
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.workflow.records import protected_terms
from tearline.workflow.worker import channels_for

START = datetime(2024, 3, 6, 9, 30, tzinfo=UTC)  # the demo report's day
DANA, AVERY = "dana-pass-bench-1", "avery-pass-bench-1"
T = TypeVar("T")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a running process (Linux /proc), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Cost:
    """Wall and CPU of one step: this process, and the release pool's processes."""

    def __init__(self) -> None:
        self.wall = self.cpu = self.pool = 0.0

    def run(self, step: Callable[[], T]) -> T:
        before = {pid: cpu_seconds(pid) for pid in pool_pids()}
        wall, cpu = time.perf_counter(), time.process_time()
        out = step()
        self.wall = time.perf_counter() - wall
        self.cpu = time.process_time() - cpu
        self.pool = sum(cpu_seconds(pid) - before.get(pid, 0.0) for pid in pool_pids())
        return out

    def per(self, n: int) -> str:
        return (
            f"{self.wall * 1000 / n:6.2f} ms wall, CPU {self.cpu * 1000 / n:6.2f} ms here"
            f" + {self.pool * 1000 / n:6.2f} ms in the pool"
        )


def seed(app: wf.App, url: str, n: int) -> None:
    rows = [
        {
            "name": f"Venue {i} in Moscow",
            "kind": "organisation",
            "tier": "public",
            "language": "en",
            "area": {"country": "RU", "city": "Moscow"},
            "contacts": [{"channel": "webhook", "address": f"{url}/venue/{i}"}],
        }
        for i in range(n)
    ]
    wf.import_recipients(app, json.dumps(rows).encode(), "json", actor="bench")
    wf.add_user(app, "dana", DANA, [wf.Role.DUTY_OFFICER, wf.Role.ANALYST])
    wf.add_user(app, "avery", AVERY, [wf.Role.APPROVER])


def released_jobs(app: wf.App) -> tuple[list[Job], list[Any]]:
    """The released warnings as approval rendered them, and the protected terms."""
    with app.read() as s:
        jobs = [
            Job(
                f"WRN-{w.id}",
                {k: v for k, v in w.content.items() if k not in ("role", "changes")},
                {k: v for k, v in w.content.items() if k in ("role", "changes")},
            )
            for w in s.scalars(select(t.WarningRecord).order_by(t.WarningRecord.id))
        ]
        return jobs, protected_terms(s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    n, workers = args.n, args.workers
    port = free_port()
    receiver = subprocess.Popen([sys.executable, "-m", "tearline.demo.receiver", str(port)])
    propose, preview, approve, deliver = Cost(), Cost(), Cost(), Cost()
    try:
        wait_for(port)
        with tempfile.TemporaryDirectory() as home:
            values = {"home": str(Path(home) / "home"), "sender": "Bench agency"}
            values |= {"release_workers": str(workers), "database_url": args.database_url}
            app = wf.App(load_settings(values, environ={}), clock=FixedClock(START))
            try:
                seed(app, f"http://127.0.0.1:{port}", n)
                got = wf.ingest_bytes(
                    app,
                    report_text(),
                    "m.txt",
                    wf.Provenance(source="PINE HARBOUR", reliability="B"),
                    actor="dana",
                )
                threat = next(e.threat_ref for e in got.events if e.threat_ref)
                assert threat is not None
                dana, avery = wf.sign_in(app, "dana", DANA), wf.sign_in(app, "avery", AVERY)
                wf.decide(app, threat, dana)
                proposed = propose.run(lambda: wf.propose_release(app, threat, dana))
                # What the approver reads first: the side-by-side preview of every warning.
                preview.run(lambda: wf.preview_release(app, proposed.ref))
                released = approve.run(lambda: wf.approve_release(app, proposed.ref, avery))
                deliver.run(lambda: wf.run_worker(app, channels_for(app), once=True))
                jobs, terms = released_jobs(app)
                key = app.keys.signing_key()
            finally:
                app.close()
        got_posts = receiver_stats(port)
    finally:
        receiver.terminate()
        receiver.wait()
    w = len(released.warnings)
    start = time.process_time()
    for job in jobs:
        render_artifacts(job.document, key)
    render = time.process_time() - start
    start = time.perf_counter()
    list(render_all(jobs, key, terms, workers=1))
    serial = time.perf_counter() - start
    start = time.perf_counter()
    list(render_all(jobs, key, terms, workers=workers))
    pooled = time.perf_counter() - start
    database = "SQLite" if not args.database_url else args.database_url.split(":", 1)[0]
    print(f"{w:,} warnings to {n:,} webhook recipients; {workers} release workers; {database}")
    print(f"propose:  {propose.per(w)}")
    print(f"preview:  {preview.per(w)}")
    print(f"approve:  {approve.per(w)}")
    print(f"delivery: {deliver.per(w)}")
    print(
        f"receiver: {got_posts['unique']:,} warnings received, {got_posts['duplicates']} repeated"
    )
    release = propose.wall + approve.wall
    print(
        f"peer: render_artifacts + sign alone, one core: {render * 1000 / w:.2f} ms per "
        f"recipient; release (propose + approve, wall) / that = {release / render:.2f}"
    )
    print(
        f"pool: render + sign + leak-check of the same warnings: one process "
        f"{serial * 1000 / w:.2f} ms, {workers} workers {pooled * 1000 / w:.2f} ms per "
        f"recipient (wall); speedup {serial / pooled:.2f}×"
    )


if __name__ == "__main__":
    main()
