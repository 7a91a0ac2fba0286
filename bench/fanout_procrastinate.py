"""Fan-out through procrastinate (a PostgreSQL job queue) beside our own claim loop.

The same N webhook deliveries of one released warning, to the same receiver (aiohttp, its
own process), three ways in one run:

- ours: one ``tearline worker`` process (``bench/fanout.py``'s): claims batches with
  ``FOR UPDATE SKIP LOCKED``, journals each receipt, records every attempt, audits;
- procrastinate: N jobs deferred in bulk (``batch_defer_async``), then one procrastinate
  worker process with the same concurrency; each job builds the same body as our worker
  (reply link, HMAC signature; our ``WebhookChannel``) and posts it. Procrastinate keeps
  only its own job row per delivery (fetched, then finished: two statements per job) — no
  attempt row, no journal, no audit entry, so it does less bookkeeping than ours;
- the plain aiohttp client with the same bodies and no database (the ceiling).

    python bench/fanout_procrastinate.py [N] --database-url postgresql+psycopg://...

Needs the ``bench`` extra (``pip install -e '.[bench]'``) and PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import procrastinate
from _loopback import free_port, receiver_stats, reset_receiver, wait_for
from fanout import (
    ceiling_http,
    make_app,
    one_warning,
    ours_processes,
    queue,
    recorded,
)

from tearline.deliver.channels import HttpPool, WebhookChannel, webhook_body
from tearline.deliver.signature import new_secret, sign_body
from tearline.workflow.outbox import Claimed, load_warnings
from tearline.workflow.worker import Worker


def conninfo(database_url: str) -> str:
    """SQLAlchemy's URL as libpq takes it."""
    return database_url.replace("postgresql+psycopg://", "postgresql://", 1)


def queue_app(database_url: str, *, durable: bool = True) -> procrastinate.App:
    """Procrastinate on the database; not ``durable``: its commits do not wait for the
    disk (``synchronous_commit=off``), to show what its per-job commits cost."""
    options = {} if durable else {"options": "-c synchronous_commit=off"}
    return procrastinate.App(
        connector=procrastinate.PsycopgConnector(
            conninfo=conninfo(database_url), min_size=2, max_size=16, kwargs=options
        )
    )


async def defer(database_url: str, n: int) -> float:
    """N jobs in bulk (the schema first, or earlier jobs out); seconds the deferral took."""
    app = queue_app(database_url)
    app.task(name="deliver")(_never_run)
    async with app.open_async():
        exists = await app.connector.execute_query_one_async(
            "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present"
        )
        if exists["present"]:
            await app.connector.execute_query_async("TRUNCATE procrastinate_jobs CASCADE")
        else:
            await app.schema_manager.apply_schema_async()
        t0 = time.perf_counter()
        for start in range(0, n, 5_000):
            jobs: list[dict[str, Any]] = [
                {"delivery_id": i + 1} for i in range(start, min(n, start + 5_000))
            ]
            await app.configure_task("deliver").batch_defer_async(*jobs)
        return time.perf_counter() - t0


async def _never_run(delivery_id: int) -> None:  # the deferring side only names the task
    raise AssertionError(delivery_id)


def _queue_worker(
    home: str,
    database_url: str,
    warning_id: int,
    url: str,
    concurrency: int,
    durable: bool,
    ready: Any,
    go: Any,
    results: Any,
) -> None:
    """A procrastinate worker in a process of its own, until the queue is empty."""
    tl = make_app(Path(home), database_url)
    builder = Worker(tl, {})
    builder.bodies.update(load_warnings(tl, [warning_id]))
    sent = 0

    async def run() -> None:
        nonlocal sent
        channel = WebhookChannel(HttpPool(tl.settings.webhook_timeout_seconds, concurrency))
        app = queue_app(database_url, durable=durable)

        @app.task(name="deliver")
        async def deliver(delivery_id: int) -> None:
            nonlocal sent
            c = Claimed(delivery_id, warning_id, "webhook", url, f"tl-pq-{delivery_id}", 1)
            await channel.send(builder.outbound(c))
            sent += 1

        async with app.open_async():
            ready.wait()
            go.wait()
            await app.run_worker_async(
                concurrency=concurrency, wait=False, install_signal_handlers=False
            )
        await channel.http.aclose()

    asyncio.run(run())
    use = resource.getrusage(resource.RUSAGE_SELF)
    results.put((sent, time.perf_counter(), use.ru_utime + use.ru_stime))
    builder.close()
    tl.close()


def procrastinate_process(
    home: Path, database_url: str, warning_id: int, url: str, concurrency: int, durable: bool
) -> tuple[float, int, float]:
    ctx = mp.get_context("spawn")
    ready, go, results = ctx.Barrier(2), ctx.Event(), ctx.Queue()
    args = (str(home), database_url, warning_id, url, concurrency, durable, ready, go, results)
    proc = ctx.Process(target=_queue_worker, args=args)
    proc.start()
    ready.wait()
    t0 = time.perf_counter()
    go.set()
    sent, end, cpu = results.get()
    proc.join()
    return end - t0, sent, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--database-url", required=True, help="PostgreSQL (procrastinate's)")
    args = parser.parse_args()
    n = args.n
    port = free_port()
    receiver = subprocess.Popen([sys.executable, "-m", "tearline.demo.receiver", str(port)])
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp) / "hook", args.database_url)
        concurrency = app.settings.delivery_concurrency
        try:
            wait_for(port)
            url = f"http://127.0.0.1:{port}/alerts"
            warning_id = one_warning(app, "webhook", url)
            print(f"database: {app.db.dialect}; concurrency {concurrency}")

            queue(app, warning_id, "webhook", [url] * n)
            reset_receiver(port)
            elapsed, _, _ = ours_processes(app.home, args.database_url, 1)
            got = receiver_stats(port)
            ours = n / elapsed
            print(
                f"webhook, ours (1 worker process): {ours:,.0f}/s; "
                f"{recorded(app, n, 'webhook')}; receiver saw {got['unique']:,} unique, "
                f"{got['duplicates']} duplicates"
            )

            rates: dict[str, float] = {}
            for durable in (True, False):
                reset_receiver(port)
                deferring = asyncio.run(defer(args.database_url, n))
                elapsed, sent, cpu = procrastinate_process(
                    app.home, args.database_url, warning_id, url, concurrency, durable
                )
                got = receiver_stats(port)
                how = "" if durable else ", synchronous_commit=off: not durable"
                rates[how] = n / elapsed
                print(
                    f"webhook, procrastinate (1 worker process, concurrency {concurrency}{how}): "
                    f"{n / elapsed:,.0f}/s ({sent:,} jobs done; deferring them took "
                    f"{deferring:.1f} s, not counted); receiver saw {got['unique']:,} unique, "
                    f"{got['duplicates']} duplicates; worker CPU {cpu / n * 1e6:,.0f} µs/delivery"
                )
            queued = rates[""]
            reset_receiver(port)
            builder = Worker(app, {})
            builder.bodies.update(load_warnings(app, [warning_id]))
            secret, bodies = new_secret(), []
            for i in range(n):
                c = Claimed(i + 1, warning_id, "webhook", url, f"tl-{i}", 1)
                body = webhook_body(builder.outbound(c))
                bodies.append((f"tl-{i}", body, sign_body(secret, body)))
            builder.close()
            raw = asyncio.run(ceiling_http(f"{url}/x", bodies, concurrency))
            print(f"webhook, plain aiohttp client (same bodies, no bookkeeping): {n / raw:,.0f}/s")
            print(f"ratio ours/ceiling: {ours * raw / n:.2f}")
            for how, rate in rates.items():
                print(f"ratio procrastinate{how}/ceiling: {rate * raw / n:.2f}")
            print(f"ratio ours/procrastinate: {ours / queued:.2f}")
        finally:
            receiver.terminate()
            receiver.wait()
            app.close()


if __name__ == "__main__":
    main()
