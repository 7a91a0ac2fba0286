"""A released warning's MISP event over the JSON API, served on loopback: a reader who
holds the case's compartment gets the event as a file PyMISP reads; someone outside the
compartment is told it does not exist; nobody signed in is 401."""

from __future__ import annotations

from pymisp import MISPEvent

from tearline import workflow as wf
from tests.web.conftest import ingest_demo
from tests.web.desk import PEOPLE, Desk


def release(app: wf.App) -> None:
    case = ingest_demo(app)
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    avery = wf.sign_in(app, "avery", PEOPLE["avery"][0])
    wf.decide(app, case, dana)
    wf.approve_release(app, wf.propose_release(app, case, dana).ref, avery)


def test_the_misp_event_is_served_with_the_warnings_access_rules(sqlite_desk: Desk) -> None:
    release(sqlite_desk.app)
    got = sqlite_desk.client("aude").api("GET", "/api/warnings/WRN-1/misp")
    assert got.status_code == 200, got.text[:300]
    assert got.headers["content-type"].startswith("application/json")
    assert 'filename="WRN-1.misp.json"' in got.headers["content-disposition"]
    event = MISPEvent()
    event.load(got.text)
    assert event.info.startswith("Warning of a threat to life")
    outsider = sqlite_desk.client("otto").api("GET", "/api/warnings/WRN-1/misp")
    assert outsider.status_code == 404
    assert "WRN-1" in outsider.json()["error"]
    assert sqlite_desk.client().api("GET", "/api/warnings/WRN-1/misp").status_code == 401
