"""``GET /metrics``: the outbox and the embedded worker in Prometheus's text format.

Counts only (no recipient, address or word of a warning), yet still a picture of the
deployment's activity: served to the machine itself (a Prometheus agent beside it, or a
proxy's health check) and to signed-in admins and auditors, refused to anyone else.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from tearline.web.auth import Optional, app_of
from tearline.workflow.metrics import Operational, families, operational
from tearline.workflow.users import Role

router = APIRouter()
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def may_read_metrics(client_host: str | None, roles: frozenset[Role]) -> bool:
    """The machine itself, or an admin or auditor. Behind a proxy the client is the one the
    proxy names (``--forwarded-allow-ips``), so a remote scrape through it is not local."""
    return client_host in LOOPBACK or bool(roles & {Role.ADMIN, Role.AUDITOR})


class _Snapshot(Collector):
    def __init__(self, now: Operational, worker_problem: str | None, embedded: bool) -> None:
        self.now, self.problem, self.embedded = now, worker_problem, embedded

    def collect(self) -> Iterator[Metric]:
        yield from families(self.now)
        if self.embedded:
            yield GaugeMetricFamily(
                "tearline_embedded_worker_up",
                "1 while the desk's own delivery worker works, 0 while it cannot",
                value=0 if self.problem else 1,
            )
        yield GaugeMetricFamily(
            "tearline_web_process_id",
            "The process that answered this scrape (one of `tearline serve --workers N`)",
            value=os.getpid(),
        )


@router.get("/metrics")
async def metrics(request: Request, viewer: Optional) -> Response:
    roles = viewer.identity.roles if viewer is not None else frozenset()
    host = request.client.host if request.client is not None else None
    if not may_read_metrics(host, roles):
        return JSONResponse(
            {"error": "metrics are served to this machine and to admins and auditors"},
            status_code=403,
        )
    now = await run_in_threadpool(operational, app_of(request))
    worker = getattr(request.app.state, "embedded_worker", None)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(now, worker.problem if worker else None, worker is not None))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
