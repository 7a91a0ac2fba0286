"""Fan-out: N deliveries of one warning, end to end, against the raw ceiling of the client.

Ours: one released warning with N webhook deliveries in the outbox; ``tearline worker``'s
loop claims them, builds each body (reply link, HMAC signature), posts it, journals the
receipt and records every attempt — every delivery durably recorded when it ends. It
runs as 1 worker process, then as 2 (``--workers``) sharing the database (on PostgreSQL
they claim with ``FOR UPDATE SKIP LOCKED``), each time the same N deliveries afresh.
The peer, in the same run and against the same receiver: a plain asyncio aiohttp client
posting the same bodies to the same N addresses at the same concurrency, with no database
at all (each address a URL parsed afresh, as ours are: about 4 µs a post that yarl's
cache saved the peer when it posted everything to one URL). The receiver is
``bench/_receiver.py`` in its own process, a bare asyncio protocol that counts unique
Idempotency-Keys and repeats exactly, as the demo's receiver does, for a fraction of the
CPU of aiohttp's web server, which shares the cores with what is measured (70-100 µs a
post against 25-35). Then the same for e-mail: the worker through aiosmtplib against a
sink SMTP server (aiosmtpd, its own process), and plain aiosmtplib with the same
connections.

Cores: none are pinned; the kernel shares the machine's cores among the receiver,
PostgreSQL, the worker processes and the peer. The bench prints the CPU time each of them
used per delivery (from /proc), which is what bounds what more workers can add: with the
receiver and PostgreSQL on the same cores, K workers deliver at most (cores / the CPU of a
delivery in their run: workers + receiver + PostgreSQL), and the bench prints that bound
as a multiple of one worker's rate, round by round.

    python bench/fanout.py [N] [EMAILS] [--database-url URL] [--workers 1,2] [--rounds R]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import aiosmtplib
from _loopback import free_port, receiver_stats, reset_receiver, wait_for
from sqlalchemy import func, make_url, select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.deliver.channels import webhook_body
from tearline.deliver.email import email_bytes
from tearline.deliver.signature import SIGNATURE_HEADER, new_secret, sign_body
from tearline.demo.scenario import report_text
from tearline.model import Contact
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.store.bulk import insert_rows
from tearline.workflow.outbox import Claimed, load_warnings
from tearline.workflow.worker import Worker, channels_for, close_channels, settle_heap

START = datetime(2024, 3, 6, 9, 0, tzinfo=UTC)


def one_warning(app: wf.App, channel: str, address: str) -> int:
    """A real release (report → decision → two-person approval); returns the warning's ID."""
    wf.add_user(app, "dana", "dana-pass-bench-1", [wf.Role.DUTY_OFFICER, wf.Role.ANALYST])
    wf.add_user(app, "avery", "avery-pass-bench-1", [wf.Role.APPROVER])
    wf.add_recipient(
        app,
        name="Partner",
        kind="government",
        tier="partner",
        language="en",
        jurisdiction="RU",
        contacts=[Contact(channel, address)],
    )
    got = wf.ingest_bytes(
        app,
        report_text(),
        "m.txt",
        wf.Provenance(source="PINE HARBOUR", reliability="B"),
        actor="dana",
    )
    threat = next(e.threat_ref for e in got.events if e.threat_ref)
    assert threat is not None
    dana = wf.sign_in(app, "dana", "dana-pass-bench-1")
    wf.decide(app, threat, dana)
    proposed = wf.propose_release(app, threat, dana)
    released = wf.approve_release(app, proposed.ref, wf.sign_in(app, "avery", "avery-pass-bench-1"))
    return int(released.warnings[0][0].split("-")[1])


def contact_points(app: wf.App, warning_id: int, addresses: list[str]) -> None:
    """The warning's recipient gets one webhook contact point per address, each with the
    first one's secret (every request HMAC-signed, as before): a contact point's
    deliveries go one after another (the outbox's order rule), so a fan-out is N contact
    points, not N deliveries to one."""
    with app.unit() as u:
        w = u.session.get(t.WarningRecord, warning_id)
        assert w is not None
        first = w.recipient.contacts[0]
        w.recipient.contacts = [{**first, "address": a} for a in addresses]


def queue(app: wf.App, warning_id: int, channel: str, addresses: list[str]) -> None:
    """N deliveries of the same warning (as approval writes them), in bulk, in place of
    any earlier ones."""
    with app.unit() as u:
        earlier = select(t.Delivery.id).where(t.Delivery.warning_id == warning_id)
        u.session.execute(
            t.DeliveryAttempt.__table__.delete().where(t.DeliveryAttempt.delivery_id.in_(earlier))  # type: ignore[attr-defined]
        )
        u.session.execute(
            t.Delivery.__table__.delete().where(t.Delivery.warning_id == warning_id)  # type: ignore[attr-defined]
        )
        insert_rows(
            u.session,
            t.Delivery,
            [
                {
                    "warning_id": warning_id,
                    "channel": channel,
                    "address": a,
                    "idempotency_key": f"tl-{uuid.uuid4().hex}",
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": u.now,
                    "created_at": u.now,
                }
                for a in addresses
            ],
        )


def ours(app: wf.App) -> float:
    async def go() -> None:
        channels = channels_for(app)
        worker = Worker(app, channels)
        try:
            await worker.drain()
        finally:
            worker.close()
            await close_channels(channels)

    t0 = time.perf_counter()
    asyncio.run(go())
    return time.perf_counter() - t0


def _cpu_ticks(pid: int) -> int:
    """User + system CPU of a process so far, in clock ticks (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _postgres_pids(database: str) -> list[int]:
    """The PostgreSQL backends serving ``database`` (a server shared with other work has
    others; its background writers, shared by all, are not counted)."""
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if (d / "comm").read_text().strip() != "postgres":
                    continue
                title = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if f" {database} " in title:
                pids.append(int(d.name))
    return pids


def _postgres_ticks(database: str, baseline: dict[int, int]) -> int:
    """CPU of ``database``'s backends since ``baseline`` (backends come and go)."""
    return sum(_cpu_ticks(p) - baseline.get(p, 0) for p in _postgres_pids(database))


def _worker_process(home: str, database_url: str | None, ready: Any, go: Any, results: Any) -> None:
    """One ``tearline worker`` loop in a process of its own: drain the outbox, say how many
    it sent and the CPU it used."""
    app = make_app(Path(home), database_url)

    async def run() -> int:
        channels = channels_for(app)
        worker = Worker(app, channels)
        settle_heap()  # as ``tearline worker`` does
        try:
            ready.wait()
            go.wait()
            return await worker.drain()
        finally:
            worker.close()
            await close_channels(channels)

    count = asyncio.run(run())
    use = resource.getrusage(resource.RUSAGE_SELF)
    results.put((count, time.perf_counter(), use.ru_utime + use.ru_stime))
    ready.wait()  # PostgreSQL's CPU is read while this worker's connections are still open
    app.close()


def ours_processes(
    home: Path, database_url: str | None, workers: int
) -> tuple[float, float, float]:
    """``workers`` worker processes draining the outbox together; (seconds from the start
    signal until the last is done, CPU seconds they used while sending, CPU seconds of
    PostgreSQL's processes meanwhile)."""
    ctx = mp.get_context("spawn")
    ready, go, results = ctx.Barrier(workers + 1), ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_worker_process, args=(str(home), database_url, ready, go, results))
        for _ in range(workers)
    ]
    for p in procs:
        p.start()
    ready.wait()  # every worker has started (imports, connections): not timed
    before = [_cpu_ticks(p.pid or 0) for p in procs]
    database = make_url(database_url).database or "" if database_url else ""
    postgres = {p: _cpu_ticks(p) for p in _postgres_pids(database)}
    t0 = time.perf_counter()
    go.set()
    done = [results.get() for _ in procs]
    server = _postgres_ticks(database, postgres) / os.sysconf("SC_CLK_TCK")
    ready.wait()
    for p in procs:
        p.join()
    elapsed = max(end for _, end, _ in done) - t0
    cpu = sum(c for _, _, c in done) - sum(before) / os.sysconf("SC_CLK_TCK")
    return elapsed, cpu, server


def recorded(app: wf.App, n: int, channel: str) -> str:
    with app.read() as s:
        delivered = s.scalar(
            select(func.count())
            .select_from(t.Delivery)
            .where(t.Delivery.status == "delivered", t.Delivery.channel == channel)
        )
        attempts = s.scalar(
            select(func.count())
            .select_from(t.DeliveryAttempt)
            .join(t.Delivery, t.Delivery.id == t.DeliveryAttempt.delivery_id)
            .where(t.Delivery.channel == channel)
        )
    ok = delivered == n and attempts == n
    return f"{delivered:,} delivered, {attempts:,} attempts recorded ({'all' if ok else 'MISSING'})"


async def ceiling_http(bodies: list[tuple[str, str, bytes, str]], concurrency: int) -> float:
    """Each (address, Idempotency-Key, body, signature) POSTed, ``concurrency`` at a time."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    gate = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def post(url: str, key: str, body: bytes, signature: str) -> None:
            async with (
                gate,
                session.post(
                    url,
                    data=body,
                    headers={
                        "Idempotency-Key": key,
                        "Content-Type": "application/json",
                        SIGNATURE_HEADER: signature,
                    },
                ) as r,
            ):
                await r.read()
                assert r.status == 200

        t0 = time.perf_counter()
        await asyncio.gather(*(post(*b) for b in bodies))
        return time.perf_counter() - t0


def webhook_bench(app: wf.App, n: int, workers: list[int], rounds: int = 1) -> None:
    """``rounds`` times: each worker count, then the plain client; ratios per round, and
    their medians at the end (a busy machine's load moves between measurements)."""
    port = free_port()
    receiver = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("_receiver.py")), str(port)]
    )
    tick = os.sysconf("SC_CLK_TCK")
    try:
        wait_for(port)
        url = f"http://127.0.0.1:{port}/alerts"
        warning_id = one_warning(app, "webhook", url)
        worker = Worker(app, {})
        worker.bodies.update(load_warnings(app, [warning_id]))
        secret = new_secret()
        # the peer posts what ours posts: the same bodies to the same N addresses (one
        # contact point each, see contact_points; each URL parsed afresh, as ours is)
        addresses = [f"{url}/{i}" for i in range(n)]
        bodies = []
        for i, address in enumerate(addresses):
            msg = worker.outbound(Claimed(i + 1, warning_id, "webhook", address, f"tl-{i}", 1))
            body = webhook_body(msg)
            bodies.append((address, f"tl-{i}", body, sign_body(secret, body)))
        worker.close()
        contact_points(app, warning_id, addresses)
        ratios: dict[str, list[float]] = {}
        bounds: dict[int, list[float]] = {}  # K workers' most / one worker's rate, by round
        for r in range(rounds):
            rates: dict[int, float] = {}
            for k in workers:
                queue(app, warning_id, "webhook", addresses)
                reset_receiver(port)
                rx0 = _cpu_ticks(receiver.pid)
                elapsed, cpu, pgt = ours_processes(app.home, app.settings.database, k)
                rx = (_cpu_ticks(receiver.pid) - rx0) / tick
                got = receiver_stats(port)
                rates[k] = n / elapsed
                if k > 1 and 1 in rates:  # all cores busy with nothing but this work:
                    most = len(os.sched_getaffinity(0)) / ((cpu + rx + pgt) / n)
                    bounds.setdefault(k, []).append(most / rates[1])
                print(
                    f"round {r + 1}: webhook, ours, {k} worker process{'es' if k > 1 else ''}: "
                    f"{n:,} deliveries in {elapsed:.2f} s = {n / elapsed:,.0f}/s; "
                    f"{recorded(app, n, 'webhook')}; receiver saw {got['unique']:,} unique, "
                    f"{got['duplicates']} duplicates; CPU per delivery: workers "
                    f"{cpu / n * 1e6:,.0f} µs, receiver {rx / n * 1e6:,.0f} µs, PostgreSQL "
                    f"{pgt / n * 1e6:,.0f} µs"
                    + ("" if app.db.dialect == "postgresql" else " (not this database)")
                )
            reset_receiver(port)
            rx0, cpu0 = _cpu_ticks(receiver.pid), resource.getrusage(resource.RUSAGE_SELF)
            raw = asyncio.run(ceiling_http(bodies, app.settings.delivery_concurrency))
            cpu1 = resource.getrusage(resource.RUSAGE_SELF)
            client = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
            rx = (_cpu_ticks(receiver.pid) - rx0) / tick
            print(
                f"round {r + 1}: webhook, plain aiohttp client (same bodies, no bookkeeping): "
                f"{n / raw:,.0f}/s; CPU per delivery: client {client / n * 1e6:,.0f} µs, "
                f"receiver {rx / n * 1e6:,.0f} µs"
            )
            for k in workers:
                name = f"ours ({k} worker process{'es' if k > 1 else ''})/ceiling"
                ratios.setdefault(name, []).append(rates[k] * raw / n)
                if k > 1 and 1 in rates:
                    ratios.setdefault(f"{k} worker processes/1", []).append(rates[k] / rates[1])
        for name, values in ratios.items():
            shown = ", ".join(f"{v:.2f}" for v in values)
            print(f"ratio {name}: {statistics.median(values):.2f} (median of {shown})")
        for k, values in bounds.items():
            shown = ", ".join(f"{v:.2f}" for v in values)
            print(
                f"bound: {len(os.sched_getaffinity(0))} cores, each busy with nothing else, "
                f"could give {k} worker processes at most {statistics.median(values):.2f} x one "
                f"worker's rate (median of {shown}): the cores over the CPU a delivery took in "
                f"the {k}-worker run (workers + receiver + PostgreSQL)"
            )
    finally:
        receiver.terminate()
        receiver.wait()


async def ceiling_smtp(port: int, messages: list[bytes], connections: int) -> float:
    clients = [
        aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        for _ in range(connections)
    ]
    for c in clients:
        await c.connect()
    queue_: asyncio.Queue[aiosmtplib.SMTP] = asyncio.Queue()
    for c in clients:
        queue_.put_nowait(c)

    async def send(m: bytes) -> None:
        c = await queue_.get()
        try:
            await c.sendmail("alerts@localhost", ["x@partner.test"], m)
        finally:
            queue_.put_nowait(c)

    t0 = time.perf_counter()
    await asyncio.gather(*(send(m) for m in messages))
    elapsed = time.perf_counter() - t0
    for c in clients:
        await c.quit()
    return elapsed


def email_bench(home: Path, database_url: str | None, n: int) -> None:
    port = free_port()
    sink = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ]
    )
    try:
        wait_for(port)
        app = make_app(home / "mail", database_url, smtp_url=f"smtp://127.0.0.1:{port}")
        warning_id = one_warning(app, "email", "desk@partner.test")
        queue(app, warning_id, "email", [f"desk{i}@partner.test" for i in range(n)])
        elapsed = ours(app)
        print(
            f"e-mail, ours: {n:,} messages in {elapsed:.2f} s = {n / elapsed:,.0f}/s; "
            f"{recorded(app, n, 'email')}"
        )
        worker = Worker(app, {})

        worker.bodies.update(load_warnings(app, [warning_id]))
        messages = [
            email_bytes(
                worker.outbound(
                    Claimed(i + 1, warning_id, "email", "x@partner.test", f"tl-{i}", 1)
                ),
                app.settings.mail_from,
            )
            for i in range(n)
        ]
        worker.close()
        raw = asyncio.run(ceiling_smtp(port, messages, 4))
        print(f"e-mail, plain aiosmtplib (same messages, 4 connections): {n / raw:,.0f}/s")
        print(f"ratio ours/ceiling: {raw / elapsed:.2f}")
        app.close()
    finally:
        sink.terminate()
        sink.wait()


def make_app(home: Path, database_url: str | None, **overrides: object) -> wf.App:
    home.mkdir(parents=True, exist_ok=True)
    settings = load_settings(
        {
            "home": str(home),
            "database_url": database_url or f"sqlite:///{home / 'tearline.db'}",
            "sender": "Bench agency",  # a placeholder sender may not release
            **overrides,
        },
        environ={},
    )
    return wf.App(settings, clock=FixedClock(START))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("emails", nargs="?", type=int, default=5_000)
    parser.add_argument("--database-url")
    parser.add_argument("--workers", default="1,2", help="worker process counts to run, e.g. 1,2,4")
    parser.add_argument("--rounds", type=int, default=1, help="repeat, print medians")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp) / "hook", args.database_url)
        print(
            f"database: {app.db.dialect}; concurrency {app.settings.delivery_concurrency}, "
            f"batch {app.settings.delivery_batch}"
        )
        webhook_bench(app, args.n, workers, args.rounds)
        app.close()
        if args.emails:
            email_bench(Path(tmp), None, args.emails)


if __name__ == "__main__":
    main()
