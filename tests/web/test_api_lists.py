"""The desk's API lists answer from less work per request without changing what they
say: the triage queue ranks every case but grades in full only the page it returns, and
a token revoked is refused on the very next request."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, insert, select

from tearline import workflow as wf
from tearline.assess import Imminence, Severity
from tearline.assess.corroboration import count_origins
from tearline.demo.scenario import report_text
from tearline.store import tables as t
from tearline.workflow import cases, sessions
from tearline.workflow import desk as wdesk
from tearline.workflow.origins import case_corroboration, cases_corroboration
from tests.web.conftest import ingest_demo, start_desk
from tests.web.desk import PEOPLE, Client


def _shifted(facts: dict[str, Any], days: float, hours: float) -> dict[str, Any]:
    """The facts with the time window moved by ``days`` and widened by ``hours``."""
    window = facts["time"]
    start = datetime.fromisoformat(window["start"]) + timedelta(days=days)
    end = start + (datetime.fromisoformat(window["end"]) - datetime.fromisoformat(window["start"]))
    return facts | {
        "time": window
        | {"start": start.isoformat(), "end": (end + timedelta(hours=hours)).isoformat()}
    }


def seed_cases(app: wf.App) -> None:
    """The demo case, then 23 more of it: windows past, open, near, distant and none;
    methods that change the severity; some closed (out of the queue)."""
    threat = ingest_demo(app)
    with app.unit() as u:
        s = u.session
        first = s.get(t.Threat, int(threat.split("-")[1]))
        assert first is not None
        base = dict(first.facts)
        top = s.scalar(select(func.max(t.Threat.id))) or 0
        rows = []
        for i in range(1, 24):
            facts = _shifted(base, days=(i % 7) * 3 - 6, hours=i)
            if i % 5 == 0:
                facts = {k: v for k, v in facts.items() if k != "time"}
            if i % 3 == 0:
                facts = facts | {"method": None, "harm": []}
            if i % 4 == 0:
                facts = facts | {"kind": "incident"}
            rows.append(
                {
                    "id": top + i,
                    "title": f"{first.title} ({i})",
                    "status": "closed" if i % 6 == 0 else ("determined" if i % 2 else "open"),
                    "facts": facts,
                    "compartments": list(first.compartments),
                    "created_at": first.created_at,
                    "updated_at": first.updated_at,
                }
            )
        s.execute(insert(t.Threat), rows)


def expected_queue(app: wf.App) -> list[dict[str, Any]]:
    """The queue as the desk computed it before: every open case graded in full, one at
    a time, then sorted."""
    now, horizon = app.clock.now(), app.settings.imminence_days
    with app.read() as s:
        cases = s.scalars(select(t.Threat).where(t.Threat.status.in_(wdesk.QUEUE_STATUSES)))
        rows = [wdesk.queue_row(s, th, now, horizon) for th in cases]

    def order(r: dict[str, Any]) -> tuple[int, int, float, str]:
        start = r["hours_to_window"] if r["hours_to_window"] is not None else 1e9
        return (
            wdesk.IMMINENCE_ORDER.index(Imminence(r["imminence"])),
            wdesk.SEVERITY_ORDER.index(Severity(r["severity"])),
            start,
            r["ref"],
        )

    return sorted(rows, key=order)


def all_pages(client: Client, path: str) -> list[dict[str, Any]]:
    """Every page of a list, following the ``Link: rel="next"`` headers."""
    got: list[dict[str, Any]] = []
    url: str | None = path
    while url:
        r = client.get(url)
        assert r.status_code == 200, r.text
        got += r.json()
        link = r.headers.get("link", "")
        url = link[1 : link.index(">")] if link else None
    return got


def test_the_triage_queue_pages_in_the_order_of_the_whole_queue(app: wf.App) -> None:
    desk = start_desk(app, worker=False)
    try:
        seed_cases(app)
        expected = expected_queue(app)
        assert len(expected) > 10
        assert len({r["imminence"] for r in expected}) >= 3  # the order is not trivial
        dana = desk.client("dana")
        whole = dana.get("/api/threats?limit=500")
        assert whole.status_code == 200
        assert "link" not in whole.headers
        assert whole.json() == expected
        assert all_pages(dana, "/api/threats?limit=4") == expected
        page = dana.get("/api/threats?limit=5&offset=7").json()
        assert page == expected[7:12]
        for imminence in {r["imminence"] for r in expected}:
            wanted = [r for r in expected if r["imminence"] == imminence]
            assert all_pages(dana, f"/api/threats?limit=2&imminence={imminence}") == wanted
        for severity in {r["severity"] for r in expected}:
            wanted = [r for r in expected if r["severity"] == severity]
            assert all_pages(dana, f"/api/threats?limit=3&severity={severity}") == wanted
        only = [r for r in expected if r["status"] == "determined"]
        assert all_pages(dana, "/api/threats?limit=3&status=determined") == only
    finally:
        desk.stop()


def test_a_corrected_case_moves_in_the_queue_on_the_next_request(app: wf.App) -> None:
    desk = start_desk(app, worker=False)
    try:
        seed_cases(app)
        dana = desk.client("dana")
        before = dana.get("/api/threats?limit=500").json()
        later = ("near-term", "expired", "distant")
        last = next(r for r in reversed(before) if r["imminence"] in later)
        with app.read() as s:
            th = s.get(t.Threat, int(last["ref"].split("-")[1]))
            assert th is not None
            facts = dict(th.facts)
        soon = app.clock.now() + timedelta(hours=2)
        window = (facts.get("time") or {}) | {
            "start": soon.isoformat(),
            "end": (soon + timedelta(hours=3)).isoformat(),
        }
        ana = wf.sign_in(app, "ana", PEOPLE["ana"][0])
        cases.correct_fact(app, last["ref"], "time", window, "the source gave the hour", ana)
        after = dana.get("/api/threats?limit=500").json()
        assert after == expected_queue(app)
        moved = next(r for r in after if r["ref"] == last["ref"])
        assert moved["imminence"] == "imminent"
        assert after.index(moved) < before.index(last)
    finally:
        desk.stop()


def test_an_event_changed_shows_its_new_summary_in_the_inbox_at_once(app: wf.App) -> None:
    """The inbox keeps each event's summary per version of its row (PostgreSQL) or per
    text of its facts (SQLite): a change to the facts is in the very next list."""
    ingest_demo(app)
    first = wdesk.inbox(app, None)[0]["events"][0]
    with app.unit() as u:
        event = u.session.get(t.Event, int(first["ref"].split("-")[1]))
        assert event is not None
        place = dict(event.facts.get("place") or {}) | {"venue": "Vegas Crocus Expo"}
        event.facts = dict(event.facts) | {"place": place}
    again = wdesk.inbox(app, None)[0]["events"][0]
    assert again["ref"] == first["ref"]
    assert first["summary"].endswith("at Crocus City Hall")
    assert again["summary"] == first["summary"].replace("Crocus City Hall", "Vegas Crocus Expo")


def test_a_revoked_token_is_refused_on_the_next_request(app: wf.App) -> None:
    desk = start_desk(app, worker=False)
    try:
        ingest_demo(app)
        dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
        token_id, token = sessions.create_token(app, "dana", "script", by=dana)
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=desk.url, headers=auth) as machine:
            for path in ("/api/reports", "/api/threats", "/api/deliveries"):
                assert machine.get(path).status_code == 200
            sessions.revoke_token(app, token_id, by="dana")
            for path in ("/api/reports", "/api/threats", "/api/deliveries"):
                assert machine.get(path).status_code == 401
    finally:
        desk.stop()


def test_the_queue_grades_an_echoed_case_as_its_case_file_does(app: wf.App) -> None:
    """An echo from a better-graded source does not lift the case: the triage page (graded
    in bulk) shows what the case file (graded alone) shows."""
    desk = start_desk(app, worker=False)
    try:
        threat = ingest_demo(app)
        echo = wf.Provenance(source="RELAY DESK", reliability="A", compartments=("CT",))
        got = wf.ingest_bytes(
            app, report_text() + b"\nRelayed as received.\n", "r.txt", echo, "ana"
        )
        assert {e.threat_ref for e in got.events if e.threat_ref} == {threat}
        dana = desk.client("dana")
        case = dana.get(f"/api/threats/{threat}").json()
        assert case["origins"]["echoes"], case["origins"]  # the relay was seen as an echo
        row = next(r for r in dana.get("/api/threats?limit=500").json() if r["ref"] == threat)
        assert row["admiralty"] == case["assessment"]["admiralty"]
        assert row["reports"] == case["origins"]["reports"]
        assert row["likelihood"] == case["assessment"]["likelihood"]
        with app.read() as s:
            th = s.get(t.Threat, int(threat.split("-")[1]))
            assert th is not None
            alone = case_corroboration(s, th)
            assert alone.reports == 2
            assert alone.origins == 1
            assert cases_corroboration(s, [th.id, th.id + 1000]) == {
                th.id: alone,
                th.id + 1000: count_origins([]),  # no such case: nothing counted
            }
    finally:
        desk.stop()
