"""What the screens and their API say: queue order, the API reference, keys, verification."""

from __future__ import annotations

import httpx

from tearline import workflow as wf
from tests.web.conftest import ingest_demo
from tests.web.desk import PEOPLE, Desk

LATER = (
    b"ISIS-K operatives plan a bombing of a stadium in Istanbul in the next six months; "
    b"they intend to kill spectators.\n"
)


def test_the_queue_puts_the_imminent_case_first(sqlite_desk: Desk) -> None:
    app = sqlite_desk.app
    prov = wf.Provenance(compartments=("CT",))
    wf.ingest_bytes(app, LATER, "istanbul.txt", prov, actor="ana")  # THR-1, months away
    ingest_demo(app)  # THR-2, within days
    rows = sqlite_desk.client("ana").get("/api/threats").json()
    assert [r["ref"] for r in rows][:2] == ["THR-2", "THR-1"]
    assert rows[0]["imminence"] == "imminent"
    assert rows[0]["severity"] == "extreme"
    assert rows[0]["hours_left"] > 0
    assert rows[0]["specificity"]["where"] is True
    page = sqlite_desk.client("ana").get("/triage/rows", params={"q": "Istanbul"}).text
    assert 'data-ref="THR-1"' in page
    assert 'data-ref="THR-2"' not in page


def test_the_api_reference_lists_every_api_route(sqlite_desk: Desk) -> None:
    spec = httpx.get(f"{sqlite_desk.url}/api/openapi.json").json()
    page = httpx.get(f"{sqlite_desk.url}/api/docs").text
    paths = [p for p in spec["paths"] if p.startswith("/api/")]
    assert len(paths) > 25
    for p in paths:
        assert p in page
    assert "<script" not in page.replace('<script src="/static/', "")


def test_a_released_warning_verifies_on_the_public_api(sqlite_desk: Desk) -> None:
    app = sqlite_desk.app
    threat = ingest_demo(app)
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    wf.decide(app, threat, dana)
    proposed = wf.propose_release(app, threat, dana)
    released = wf.approve_release(app, proposed.ref, wf.sign_in(app, "avery", PEOPLE["avery"][0]))
    token = released.warnings[0][2]
    keys = httpx.get(f"{sqlite_desk.url}/.well-known/jwks.json").json()
    assert keys["keys"]
    assert all("d" not in k for k in keys["keys"])
    ok = httpx.post(f"{sqlite_desk.url}/api/verify", json={"content": token}).json()
    assert ok["authentic"] is True
    assert ok["reference"] == released.warnings[0][0]
    flipped = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    bad = httpx.post(f"{sqlite_desk.url}/api/verify", json={"content": flipped}).json()
    assert bad["authentic"] is False
    assert "signature" in bad["reason"]
