"""Partners' containers at the desk: a STIX bundle uploaded (or posted to the API) stores
each report and says what each became; one refused item is named with its reason and
the others still stored; a hostile CAP file is refused and nothing stored."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from tearline.demo.partner_items import partner_batch
from tests.web.desk import Desk

CAP = Path(__file__).resolve().parents[1] / "intake" / "fixtures" / "partners" / "cap"


def _bundle_with_a_bad_report() -> bytes:
    # The batch's bad STIX report arrives in a bundle beside good ones (see partner_items).
    batch = partner_batch(100)
    return next(raw for name, raw in batch.files if name.endswith(".json") and _has_bad(raw))


def _has_bad(raw: bytes) -> bool:
    reports = [o for o in json.loads(raw)["objects"] if o["type"] == "report"]
    return any("published" not in o for o in reports) and len(reports) > 1


def test_the_api_stores_each_report_of_a_bundle_and_names_the_refused(desk: Desk) -> None:
    ana = desk.client("ana")
    raw = _bundle_with_a_bad_report()
    body = {"filename": "partner.json", "content_base64": base64.b64encode(raw).decode()}
    r = ana.api("POST", "/api/reports", body)
    assert r.status_code == 201, r.text
    answer = r.json()
    reports = [o for o in json.loads(raw)["objects"] if o["type"] == "report"]
    assert len(answer["items"]) == len(reports) - 1
    assert answer["report"] == answer["items"][0]["report"]
    (refused,) = answer["refused"]
    assert refused["item"].startswith("report--")
    assert "not a valid STIX 2.1 report" in refused["reason"]
    assert (
        answer["summary"]
        == f"{len(reports)} items: {len(reports) - 1} stored, 0 already held, 1 refused"
    )
    again = ana.api("POST", "/api/reports", body).json()
    assert [i["duplicate"] for i in again["items"]] == [True] * (len(reports) - 1)


def test_the_inbox_upload_of_a_hostile_cap_file_stores_nothing(desk: Desk) -> None:
    ana = desk.client("ana")
    xee = (CAP / "testdata_xee.cap").read_bytes()
    r = ana.http.post(
        "/inbox",
        data={"csrf_token": ana.csrf, "compartments": "CT"},
        files={"file": ("alert.cap", xee, "application/xml")},
    )
    message = ana.flash(r)
    assert message.startswith("error: alert.cap: the XML declares a DOCTYPE or entities")
    assert message.endswith("nothing was stored")
    assert ana.get("/api/reports").json() == []


def test_the_inbox_upload_of_a_bundle_says_what_each_item_became(desk: Desk) -> None:
    ana = desk.client("ana")
    raw = _bundle_with_a_bad_report()
    r = ana.http.post(
        "/inbox",
        data={"csrf_token": ana.csrf, "compartments": "CT"},
        files={"file": ("partner.json", raw, "application/json")},
    )
    message = ana.flash(r)
    assert message.startswith("error: ")  # one item refused: shown as an error
    assert "stored, 0 already held, 1 refused. Refused: partner.json report--" in message
    assert len(ana.get("/api/reports").json()) >= 2


def test_a_report_says_its_partner_id_and_that_its_signature_was_not_verified(
    desk: Desk,
) -> None:
    ana = desk.client("ana")
    raw = (CAP / "testdata_canada_signed.cap").read_bytes()
    body = {"filename": "signed.cap", "content_base64": base64.b64encode(raw).decode()}
    ref = ana.api("POST", "/api/reports", body).json()["report"]
    shown = ana.get(f"/api/reports/{ref}").json()
    assert shown["external_id"] == "cap:cap-pac@ec.gc.ca/2.49.0.1.124.f2c83f5f.2013"
    assert shown["intake_note"].startswith("signature not verified: signed with rsa-sha1")
    page = ana.get(f"/reports/{ref}").text
    assert "signature not verified: signed with rsa-sha1" in page
    assert "cap:cap-pac@ec.gc.ca/2.49.0.1.124.f2c83f5f.2013" in page
