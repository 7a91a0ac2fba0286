"""The desk takes a report's releasability marking at intake (form and API), shows it on
the report and the case, and refuses one it cannot read with nothing stored."""

from __future__ import annotations

import html

from tearline import workflow as wf
from tearline.demo.scenario import report_text
from tests.web.desk import Desk


def test_the_desk_marks_a_report_and_shows_the_banner(desk: Desk) -> None:
    ana = desk.client("ana")
    text = report_text().decode()
    form = {"text": text, "title": "liaison.txt", "markings": "REL TO GB, USA"}
    r = ana.post("/inbox", data=form)
    assert "stored" in ana.flash(r)
    ref = wf.counts(desk.app)["reports"]
    page = ana.get(f"/reports/RPT-{ref}").text
    assert "REL TO USA, GBR" in page
    api = ana.api(
        "POST",
        "/api/reports",
        {"content": text + "\nA second copy.", "markings": "NATO", "compartments": ["CT"]},
    )
    assert api.status_code == 201, api.text
    shown = ana.get(f"/api/reports/{api.json()['report']}")
    assert shown.json()["markings"] == "REL TO NATO"


def test_a_marking_the_desk_cannot_read_stores_nothing(desk: Desk) -> None:
    ana = desk.client("ana")
    before = wf.counts(desk.app)["reports"]
    r = ana.post("/inbox", data={"text": "A plot in Kazan.", "markings": "REL TO MORDOR"})
    assert "'MORDOR' is not a nation or a sharing community" in html.unescape(ana.flash(r))
    api = ana.api("POST", "/api/reports", {"content": "A plot.", "markings": "REL TO MORDOR"})
    assert api.status_code >= 400
    assert "MORDOR" in api.text
    assert wf.counts(desk.app)["reports"] == before


def test_the_determination_api_shows_who_the_markings_leave_out(desk: Desk) -> None:
    ana, dana = desk.client("ana"), desk.client("dana")
    r = ana.api(
        "POST",
        "/api/reports",
        {
            "content": report_text().decode(),
            "source": "Liaison service",
            "reliability": "B",
            "markings": "REL TO RUS",
            "compartments": ["CT"],
        },
    )
    assert r.status_code == 201, r.text
    (threat,) = {e["threat"] for e in r.json()["events"] if e.get("threat")}
    assert dana.get(f"/api/threats/{threat}/determination").json()["markings"] == "REL TO RUS"
    decided = dana.api("POST", f"/api/threats/{threat}/determination", {"dry_run": True})
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["markings"] == "REL TO RUS"
    assert [x["name"] for x in body["recipients"]] == ["Russian Federation (liaison)"]
    assert [x["name"] for x in body["outside_markings"]] == ["Public in Moscow"]
