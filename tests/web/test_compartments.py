"""Need to know: a user sees only reports and cases whose every compartment they hold —
enforced in the queries (lists, lookups by ID, actions), on SQLite and PostgreSQL."""

from __future__ import annotations

from tearline import workflow as wf
from tearline.workflow import desk as views
from tearline.workflow.users import Identity, Role
from tests.web.conftest import ingest_demo
from tests.web.desk import PEOPLE, Desk

UNMARKED = b"Gunmen plan to attack the Serena hotel in Kabul tomorrow, intending to kill guests.\n"


def _progress(app: wf.App, threat: str) -> None:
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    wf.decide(app, threat, dana)
    proposed = wf.propose_release(app, threat, dana)
    wf.approve_release(app, proposed.ref, wf.sign_in(app, "avery", PEOPLE["avery"][0]))


def test_an_outsider_sees_nothing_of_a_compartment(desk: Desk) -> None:
    app = desk.app
    threat = ingest_demo(app)  # marked CT
    _progress(app, threat)
    open_ref = wf.ingest_bytes(app, UNMARKED, "kabul.txt", wf.Provenance(), actor="ana")
    otto = desk.client("otto")  # every reader role, no compartment
    reports = [r["ref"] for r in otto.get("/api/reports").json()]
    assert reports == [open_ref.report_ref]
    assert [t["ref"] for t in otto.get("/api/threats").json()] == ["THR-2"]
    for path in (
        "/api/threats/THR-1",
        "/api/records/RPT-1",
        "/api/records/EVT-1",
        "/api/records/DET-1",
        "/api/records/REL-1",
        "/api/records/WRN-1",
        "/api/records/DLV-1",
        "/api/records/SRC-1",
        "/threats/THR-1",
        "/threats/THR-1/release",
        "/reports/RPT-1",
        "/api/threats/THR-1/timeline",
    ):
        r = otto.get(path)
        assert r.status_code == 404, path
        assert "PINE HARBOUR" not in r.text, path
        assert "Moscow" not in r.text, path
    board = otto.get("/api/deliveries").json()
    assert board["warnings"] == []
    assert board["escalations"] == []
    assert "Moscow" not in otto.get("/inbox").text
    assert "THR-1" not in otto.get("/triage").text
    # Acting on a case by its ID is refused the same way, and changes nothing.
    det_before = len(wf.show(app, threat)["determinations"])
    r = otto.post("/threats/THR-1/decide")
    assert "no threat THR-1" in otto.flash(r)
    r = otto.api(
        "POST",
        "/api/threats/THR-1/corrections",
        {"field": "modality", "value": "claimed", "reason": "outsider trying"},
    )
    assert r.status_code == 404
    r = otto.api("POST", "/api/warnings/WRN-1/responses", {"kind": "received"})
    assert r.status_code == 404
    assert len(wf.show(app, threat)["determinations"]) == det_before
    # Whoever holds CT sees it all.
    dana = desk.client("dana")
    assert {t["ref"] for t in dana.get("/api/threats").json()} == {"THR-1", "THR-2"}
    assert dana.get("/api/records/WRN-1").status_code == 200


def test_a_case_with_a_second_compartment_needs_both(desk: Desk) -> None:
    app = desk.app
    ingest_demo(app)  # CT
    ingest_demo_hum = wf.Provenance(source="HUMINT desk", reliability="B", compartments=("HUM",))
    second = (
        b"LIAISON REPORT\nISIS-K operatives plan an armed attack on large gatherings in Moscow "
        b"within days; the attackers intend to kill.\n"
    )
    result = wf.ingest_bytes(app, second, "hum.txt", ingest_demo_hum, actor="system")
    assert [e.threat_ref for e in result.events if e.threat_ref] == ["THR-1"]  # same plot
    ana = desk.client("ana")  # holds CT only
    assert ana.get("/api/threats").json() == []
    assert ana.get("/threats/THR-1").status_code == 404
    assert [r["ref"] for r in ana.get("/api/reports").json()] == ["RPT-1"]
    both = Identity("x", frozenset({Role.ANALYST}), frozenset({"CT", "HUM"}))
    assert [t["ref"] for t in views.triage_queue(app, both)] == ["THR-1"]


def test_marks_one_does_not_hold_are_refused_at_intake(desk: Desk) -> None:
    ana = desk.client("ana")
    r = ana.post("/inbox", data={"text": "A plot.", "compartments": "HUM"})
    assert "do not hold compartment(s) HUM" in ana.flash(r)
    r = ana.api("POST", "/api/reports", {"content": "A plot.", "compartments": ["HUM"]})
    assert r.status_code == 403
    assert wf.counts(desk.app)["reports"] == 0
