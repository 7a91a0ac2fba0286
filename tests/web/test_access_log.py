"""TEARLINE_ACCESS_LOG=on: a line per request, naming the route's pattern — never the
values a request carried (a reply link's token, a case's number, a search's words)."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

import pytest

from tearline import workflow as wf
from tearline.demo.scenario import CODE_WORD
from tearline.logs import formatter
from tests.web.conftest import start_desk


def test_each_request_is_logged_by_its_route_and_nothing_it_carried(
    app: wf.App, caplog: pytest.LogCaptureFixture
) -> None:
    logged = wf.App(
        replace(app.settings, values={**app.settings.values, "access_log": "on"}),
        clock=app.clock,
    )
    desk = start_desk(logged, worker=False)
    secret = "rt-0123456789abcdefghijklmnopqrstuv"
    # A line is logged once its answer is sent: the desk stops (its lines all written)
    # before the capture ends.
    with caplog.at_level(logging.INFO, logger="tearline.access"):
        try:
            ana = desk.client("ana")
            assert ana.get(f"/api/reports?q={CODE_WORD}").status_code == 200
            assert ana.get("/api/threats/THR-987").status_code == 404
            refused = desk.client().get(f"/reply/{secret}").status_code  # no such link
            assert desk.client().get("/static/desk.css").status_code == 200
        finally:
            desk.stop()
            logged.close()
    lines = [r for r in caplog.records if r.name == "tearline.access"]
    routes = [(r.method, r.route, r.status) for r in lines]  # type: ignore[attr-defined]
    assert ("GET", "/api/reports", 200) in routes
    assert ("GET", "/api/threats/{ref}", 404) in routes
    assert ("GET", "/reply/{token}", refused) in routes
    assert ("GET", "/static/{file}", 200) in routes
    assert ("POST", "/login", 303) in routes  # the sign-in too, without its form
    as_json = [json.loads(formatter("json").format(r)) for r in lines]
    assert all({"method", "route", "status", "ms", "bytes"} <= set(j) for j in as_json)
    everything = "\n".join(json.dumps(j) for j in as_json)
    for carried in (secret, CODE_WORD, "THR-987", "ana-analyst-pass", "q="):
        assert carried not in everything, carried


def test_off_by_default(app: wf.App, caplog: pytest.LogCaptureFixture) -> None:
    desk = start_desk(app, worker=False)
    with caplog.at_level(logging.INFO, logger="tearline.access"):
        try:
            assert desk.client("ana").get("/api/reports").status_code == 200
        finally:
            desk.stop()
    assert not [r for r in caplog.records if r.name == "tearline.access"]
