"""A standalone worker's ``/healthz`` and ``/metrics`` (``tearline worker --health-port``).

A small aiohttp server on a thread and event loop of its own, so that it answers while the
worker's loop is busy or waiting for its database. ``/healthz`` says 200 while the worker
works and 503 with the reason while it cannot (as ``tearline serve``'s does); ``/metrics``
gives, in Prometheus's text format, the outbox families the desk's ``/metrics`` gives
(``workflow.metrics``, one home) and the worker's own: whether it works, the rounds that
failed, and how long its sends took, by channel. Counts only: no recipient, no address.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from tearline.deliver import Channel, Outbound, Receipt
from tearline.errors import ConfigError
from tearline.workflow.app import App
from tearline.workflow.metrics import families, operational
from tearline.workflow.worker import Health, describe

log = logging.getLogger("tearline.worker")

# Upper bounds of the send-latency histogram's buckets, in seconds: a loopback receiver
# answers in milliseconds, a slow one may use the whole webhook time limit.
SEND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class WorkerMetrics(Collector):
    """The worker's own families, and the outbox's read at each scrape."""

    def __init__(self, app: App, health: Health) -> None:
        self.app, self.health = app, health
        self.registry = CollectorRegistry(auto_describe=False)
        self.send_seconds = Histogram(
            "tearline_worker_send_seconds",
            "How long this worker's sends took, from the first byte to the answer",
            ["channel"],
            buckets=SEND_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(self)

    def collect(self) -> Iterator[Metric]:
        problem = self.health.problem
        yield GaugeMetricFamily(
            "tearline_worker_up",
            "1 while this delivery worker works, 0 while it cannot (see /healthz)",
            value=0 if problem else 1,
        )
        yield CounterMetricFamily(
            "tearline_worker_rounds_failed",
            "Rounds of this worker that failed (the database gone, or another error)",
            value=self.health.failed_rounds,
        )
        try:
            now = operational(self.app)
        except Exception as exc:  # the database is gone: the worker's own families still go
            log.debug("metrics: outbox not read (%s)", describe(exc))
            return
        yield from families(now)

    def timed(self, channels: Mapping[str, Channel]) -> dict[str, Channel]:
        """The channels, each send's duration observed."""
        return {name: TimedChannel(c, name, self.send_seconds) for name, c in channels.items()}


class TimedChannel:
    """A channel whose sends are timed; everything else is the channel's own."""

    name: ClassVar[str] = "timed"

    def __init__(self, inner: Channel, name: str, seconds: Histogram) -> None:
        self.inner, self._seconds = inner, seconds.labels(name)

    async def send(self, message: Outbound) -> Receipt:
        began = time.perf_counter()
        try:
            return await self.inner.send(message)
        finally:
            self._seconds.observe(time.perf_counter() - began)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class HealthServer:
    """``/healthz`` and ``/metrics`` on ``host:port`` (0: any free port), in a thread."""

    def __init__(self, metrics: WorkerMetrics, host: str = "127.0.0.1", port: int = 0) -> None:
        self.metrics, self.host, self.port = metrics, host, port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    async def _healthz(self, _request: web.Request) -> web.Response:
        problem = self.metrics.health.problem
        if problem is not None:
            return web.json_response({"ok": False, "reason": problem}, status=503)
        return web.json_response({"ok": True})

    async def _metrics(self, _request: web.Request) -> web.Response:
        body = await asyncio.to_thread(generate_latest, self.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asgi = web.Application()
        asgi.router.add_get("/healthz", self._healthz)
        asgi.router.add_get("/metrics", self._metrics)
        runner = web.AppRunner(asgi, access_log=None)
        try:
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, self.host, self.port)
            loop.run_until_complete(site.start())
            sockets = getattr(site._server, "sockets", None)
            if sockets:
                self.port = int(sockets[0].getsockname()[1])
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            loop.run_until_complete(runner.cleanup())
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.close()

    def start(self) -> str:
        """Serve; the URL it answers on. A port taken or a host unknown is a ConfigError."""
        self._thread = threading.Thread(target=self._run, name="tearline-health", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise ConfigError(
                f"--health-port {self.port} on {self.host}: {describe(self._error)}"
            ) from None
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
