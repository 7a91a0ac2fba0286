"""Fan-out: N deliveries of one warning, end to end, against the raw ceiling of the client.

Ours: one released warning with N webhook deliveries in the outbox; ``tearline worker``'s
loop claims them, builds each body (reply link, HMAC signature), posts it, journals the
receipt and records every attempt — every delivery durably recorded when it ends.
The peer, in the same run and against the same receiver (aiohttp, its own process): a
plain asyncio aiohttp client posting the same bodies at the same concurrency, with no
database at all. Then the same for e-mail: the worker through aiosmtplib against a sink
SMTP server (aiosmtpd, its own process), and plain aiosmtplib with the same connections.

    python bench/fanout.py [N] [EMAILS] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.request import Request, urlopen

import aiohttp
import aiosmtplib
from sqlalchemy import func, insert, select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.deliver.channels import webhook_body
from tearline.deliver.email import email_bytes
from tearline.deliver.signature import SIGNATURE_HEADER, new_secret, sign_body
from tearline.demo.scenario import report_text
from tearline.model import Contact
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.workflow.outbox import Claimed, load_warnings
from tearline.workflow.worker import Worker, channels_for, close_channels

START = datetime(2024, 3, 6, 9, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def stats(port: int) -> dict[str, int]:
    with urlopen(f"http://127.0.0.1:{port}/stats") as r:
        data: dict[str, int] = json.loads(r.read())
        return data


def reset(port: int) -> None:
    urlopen(Request(f"http://127.0.0.1:{port}/reset", method="POST")).close()


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


def queue(app: wf.App, warning_id: int, channel: str, addresses: list[str]) -> None:
    """N more deliveries of the same warning (as approval writes them), in bulk."""
    with app.unit() as u:
        u.session.execute(
            t.Delivery.__table__.delete().where(t.Delivery.warning_id == warning_id)  # type: ignore[attr-defined]
        )
        u.session.execute(
            insert(t.Delivery),
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


async def ceiling_http(url: str, bodies: list[tuple[str, bytes, str]], concurrency: int) -> float:
    connector = aiohttp.TCPConnector(limit=concurrency)
    gate = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def post(key: str, body: bytes, signature: str) -> None:
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
        await asyncio.gather(*(post(k, b, sig) for k, b, sig in bodies))
        return time.perf_counter() - t0


def webhook_bench(app: wf.App, n: int) -> None:
    port = free_port()
    receiver = subprocess.Popen([sys.executable, "-m", "tearline.demo.receiver", str(port)])
    try:
        wait_for(port)
        url = f"http://127.0.0.1:{port}/alerts"
        warning_id = one_warning(app, "webhook", url)
        queue(app, warning_id, "webhook", [url] * n)  # the contact point: HMAC-signed
        elapsed = ours(app)
        got = stats(port)
        print(
            f"webhook, ours: {n:,} deliveries in {elapsed:.2f} s = {n / elapsed:,.0f}/s; "
            f"{recorded(app, n, 'webhook')}; receiver saw {got['unique']:,} unique, "
            f"{got['duplicates']} duplicates"
        )
        reset(port)
        worker = Worker(app, {})
        worker.bodies.update(load_warnings(app, [warning_id]))

        secret = new_secret()
        bodies = []
        for i in range(n):
            msg = worker.outbound(Claimed(i + 1, warning_id, "webhook", url, f"tl-{i}", 1))
            body = webhook_body(msg)
            bodies.append((f"tl-{i}", body, sign_body(secret, body)))
        worker.close()
        raw = asyncio.run(ceiling_http(f"{url}/x", bodies, app.settings.delivery_concurrency))
        print(f"webhook, plain aiohttp client (same bodies, no bookkeeping): {n / raw:,.0f}/s")
        print(f"ratio ours/ceiling: {raw / elapsed:.2f}")
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp) / "hook", args.database_url)
        print(
            f"database: {app.db.dialect}; concurrency {app.settings.delivery_concurrency}, "
            f"batch {app.settings.delivery_batch}"
        )
        webhook_bench(app, args.n)
        app.close()
        if args.emails:
            email_bench(Path(tmp), None, args.emails)


if __name__ == "__main__":
    main()
