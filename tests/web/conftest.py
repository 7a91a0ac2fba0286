"""Fixtures for the desk: a seeded App served on loopback with the worker embedded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tearline import workflow as wf
from tearline.demo.receiver import LoopbackReceiver
from tearline.demo.scenario import CODE_WORD, METHODS, SOURCE, report_text
from tearline.web.server import DeskServer
from tests.web.desk import Desk, seed

PROVENANCE = wf.Provenance(
    source=SOURCE,
    reliability="B",
    compartments=("CT",),
    protect=(
        wf.TermSpec("code_word", CODE_WORD),
        *(wf.TermSpec("collection_method", m) for m in METHODS),
    ),
)


def start_desk(app: wf.App, *, worker: bool = True) -> Desk:
    receiver = LoopbackReceiver()
    webhook = receiver.start()
    seed(app, webhook)
    server = DeskServer(app, port=0, worker=worker, worker_poll_seconds=0.3)
    server.start()
    return Desk(app, server, receiver)


@pytest.fixture
def desk(app: wf.App) -> Iterator[Desk]:
    """The desk on SQLite and on PostgreSQL (the ``app`` fixture's two databases)."""
    d = start_desk(app)
    yield d
    d.stop()


@pytest.fixture
def sqlite_desk(sqlite_app: wf.App) -> Iterator[Desk]:
    d = start_desk(sqlite_app)
    yield d
    d.stop()


def ingest_demo(app: wf.App, compartments: tuple[str, ...] = ("CT",)) -> str:
    """The demo report, as the analyst 'ana' would store it; returns its threat case."""
    prov = wf.Provenance(**{**PROVENANCE.__dict__, "compartments": compartments})
    result = wf.ingest_bytes(app, report_text(), "moscow.txt", prov, actor="ana")
    return next(e.threat_ref for e in result.events if e.threat_ref)
