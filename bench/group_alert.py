"""A public alert to N registered people: determination, proposal, approval, delivery.

N people (default 100,000) with a home around Moscow and an SMS number, 88 % reading
Russian and 12 % English, are imported into the registry; the demo report opens the case.
Then, each stage timed: the determination (the location index finds the people), the
proposal (one group alert per language, leak-checked), the approval (signed once per
language, one delivery per person inserted in bulk), and the delivery worker sending every
SMS through a loopback gateway (aiohttp, its own process) and the public feed.

The peer, in the same run and against the same gateway: a plain asyncio aiohttp client
posting the same SMS bodies (two per person: the warning and how to answer, as the SMS
channel sends them) at the worker's concurrency, with no database at all. The ratio is
the worker's time over the peer's.

    python bench/group_alert.py [N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import aiohttp
import numpy as np
from _loopback import free_port, receiver_stats, reset_receiver, wait_for
from sqlalchemy import func, select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.deliver.sms import SMS_LIMIT, render_body, reply_instructions
from tearline.demo.scenario import CODE_WORD, SOURCE, report_text
from tearline.model import Contact
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.workflow.worker import Worker, channels_for, close_channels

START = datetime(2024, 3, 6, 9, 0, tzinfo=UTC)
MOSCOW = (55.7558, 37.6173)
T = TypeVar("T")


def phone(i: int) -> str:
    return f"+79{i:09d}"


def registry_file(n: int, seed: int = 21) -> bytes:
    rng = np.random.default_rng(seed)
    lat = MOSCOW[0] + rng.normal(0, 0.05, n)
    lon = MOSCOW[1] + rng.normal(0, 0.08, n)
    english = rng.random(n) < 0.12
    rows = [
        {
            "name": f"Person {i}",
            "kind": "person",
            "tier": "public",
            "language": "en" if english[i] else "ru",
            "contacts": [{"channel": "sms", "address": phone(i)}],
            "home": {"lat": round(float(lat[i]), 6), "lon": round(float(lon[i]), 6)},
        }
        for i in range(n)
    ]
    return json.dumps(rows).encode()


def timed(label: str, n: int, fn: Callable[[], T]) -> tuple[T, float]:
    t0 = time.perf_counter()
    result = fn()
    took = time.perf_counter() - t0
    print(f"  {label:<44} {took:8.2f} s  {took / n * 1e6:9.1f} µs a person", flush=True)
    return result, took


def deliver_all(app: wf.App) -> None:
    async def go() -> None:
        channels = channels_for(app)
        worker = Worker(app, channels)
        try:
            await worker.drain()
        finally:
            worker.close()
            await close_channels(channels)

    asyncio.run(go())


async def peer(url: str, bodies: list[tuple[str, bytes, str]], concurrency: int) -> float:
    """A plain aiohttp client posting the same bodies: no database, no bookkeeping."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    gate = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def post(key: str, body: bytes, content_type: str) -> None:
            headers = {"Idempotency-Key": key, "Content-Type": content_type}
            async with gate, session.post(url, data=body, headers=headers) as r:
                await r.read()
                assert r.status == 200

        t0 = time.perf_counter()
        await asyncio.gather(*(post(k, b, ct) for k, b, ct in bodies))
        return time.perf_counter() - t0


def sms_bodies(app: wf.App, n: int) -> list[tuple[str, bytes, str]]:
    """What the gateway received from the worker, rebuilt: the same texts to the same numbers."""
    with app.read() as s:
        rows = s.execute(
            select(t.Delivery.address, t.Delivery.idempotency_key, t.WarningRecord.artifacts)
            .join(t.WarningRecord, t.WarningRecord.id == t.Delivery.warning_id)
            .where(t.Delivery.channel == "sms")
        ).all()
        refs = dict(s.execute(select(t.Delivery.idempotency_key, t.Delivery.warning_id)).all())
    out = []
    template = app.settings.sms_gateway_template
    for address, key, artifacts in rows:
        ref = f"WRN-{refs[key]}"
        for text, k in (
            (artifacts["sms"][:SMS_LIMIT], f"peer-{key}"),
            (reply_instructions(ref), f"peer-{key}-reply"),
        ):
            values = {"to": address, "text": text, "reference": ref, "idempotency_key": k}
            body, content_type = render_body(template, values)
            out.append((k, body, content_type))
    assert len(out) == 2 * n, (len(out), n)
    return out


def make_app(home: Path, database_url: str | None, gateway: str) -> wf.App:
    home.mkdir(parents=True, exist_ok=True)
    settings = load_settings(
        {
            "home": str(home),
            "database_url": database_url or f"sqlite:///{home / 'tearline.db'}",
            "sender": "Bench agency",
            "sms_gateway_url": gateway,
        },
        environ={},
    )
    return wf.App(settings, clock=FixedClock(START))


def run(app: wf.App, n: int, port: int) -> None:
    wf.add_user(app, "dana", "dana-password-1", [wf.Role.DUTY_OFFICER, wf.Role.ANALYST])
    wf.add_user(app, "avery", "avery-password-1", [wf.Role.APPROVER])
    dana = wf.sign_in(app, "dana", "dana-password-1")
    avery = wf.sign_in(app, "avery", "avery-password-1")
    wf.add_recipient(
        app,
        name="Public in Moscow",
        kind="public",
        tier="public",
        language="en",
        area_country="RU",
        area_city="Moscow",
        contacts=[Contact("public_feed", "ru-moscow")],
    )
    data = registry_file(n)
    print(f"setup (not compared): {n:,} people, registry file {len(data) / 1e6:.1f} MB")
    timed("import the registry", n, lambda: wf.import_recipients(app, data, "json", actor="dana"))
    provenance = wf.Provenance(
        source=SOURCE, reliability="B", protect=(wf.TermSpec("code_word", CODE_WORD),)
    )
    ingested = wf.ingest_bytes(app, report_text(), "moscow.txt", provenance, actor="dana")
    threat = next(e.threat_ref for e in ingested.events if e.threat_ref)
    assert threat is not None
    print("stages:")
    decided, _ = timed(
        "determination (location index, record)", n, lambda: wf.decide(app, threat, dana)
    )
    proposed, t_propose = timed(
        "proposal (one alert per language)", n, lambda: wf.propose_release(app, threat, dana)
    )
    print(f"    {proposed.preview.audience}; {len(proposed.drafts)} warnings in all")
    released, t_approve = timed(
        "approval (sign once, queue in bulk)",
        n,
        lambda: wf.approve_release(app, proposed.ref, avery),
    )
    reset_receiver(port)
    _, t_deliver = timed("delivery (worker: every SMS and the feed)", n, lambda: deliver_all(app))
    got = receiver_stats(port)
    with app.read() as s:
        by_status = dict(
            s.execute(select(t.Delivery.status, func.count()).group_by(t.Delivery.status)).all()
        )
        det = s.scalars(select(t.Determination)).one()
        det_bytes = len(json.dumps(det.recipients))
        audit = s.scalar(select(func.max(func.length(t.AuditEntry.details))))
    print(
        f"    gateway received {got['posts']:,} posts ({got['duplicates']} duplicates); "
        f"deliveries {by_status}"
    )
    print(
        f"    determination: {len(decided.recipients):,} recipients, stored as "
        f"{det_bytes / 1e6:.1f} MB of JSON; largest audit entry {int(audit or 0) / 1e6:.1f} MB"
    )
    assert got["posts"] == 2 * n, got
    assert got["duplicates"] == 0, got
    assert released.deliveries == n + 1
    bodies = sms_bodies(app, n)
    reset_receiver(port)
    raw = asyncio.run(
        peer(f"http://127.0.0.1:{port}/sms", bodies, app.settings.delivery_concurrency)
    )
    print(
        f"  {'peer: plain aiohttp client, same SMS bodies':<44} {raw:8.2f} s  "
        f"{raw / n * 1e6:9.1f} µs a person"
    )
    print(
        f"ratio: delivery by the worker / peer = {t_deliver / raw:.2f}; "
        f"proposal + approval + delivery / peer = {(t_propose + t_approve + t_deliver) / raw:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    port = free_port()
    gateway = subprocess.Popen([sys.executable, "-m", "tearline.demo.receiver", str(port)])
    try:
        wait_for(port)
        with tempfile.TemporaryDirectory() as tmp:
            app = make_app(Path(tmp) / "home", args.database_url, f"http://127.0.0.1:{port}/sms")
            print(
                f"database: {app.db.dialect}; concurrency {app.settings.delivery_concurrency}, "
                f"batch {app.settings.delivery_batch}"
            )
            try:
                run(app, args.n, port)
            finally:
                app.close()
    finally:
        gateway.terminate()
        gateway.wait(10)


if __name__ == "__main__":
    main()
