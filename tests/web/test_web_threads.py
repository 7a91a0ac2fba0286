"""TEARLINE_WEB_THREADS: how many requests a web process works on at once. With one, the
desk must still answer everything asked of it at the same time — pages, the API, sign-in,
the worker embedded beside it — each in its turn, none stuck behind another for good."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from tearline import workflow as wf
from tests.web.conftest import ingest_demo, start_desk


def test_one_thread_answers_many_clients_at_once(app: wf.App) -> None:
    one = wf.App(
        replace(app.settings, values={**app.settings.values, "web_threads": 1}), clock=app.clock
    )
    desk = start_desk(one)
    try:
        threat = ingest_demo(one)
        paths = ["/", "/inbox", "/triage", f"/threats/{threat}", "/deliveries", "/audit"]
        apis = ["/api/me", "/api/reports", "/api/threats", "/api/deliveries"]

        def visit(i: int) -> list[int]:
            c = desk.client(["ana", "dana", "aude"][i % 3])
            got = [c.get(p).status_code for p in paths[i % 2 :: 2]]
            got += [c.api("GET", p).status_code for p in apis]
            return got

        with ThreadPoolExecutor(max_workers=24) as pool:
            answers = list(pool.map(visit, range(24)))
        # Every request of every client answered, and answered as it would alone (the
        # auditor may not see the triage pages; nobody is refused for being one too many).
        alone = [visit(i) for i in range(6)]
        for i, got in enumerate(answers):
            assert got == alone[i % 6], (i, got)
        assert all(code == 200 for code in alone[0]), alone[0]
    finally:
        desk.stop()
        one.close()
