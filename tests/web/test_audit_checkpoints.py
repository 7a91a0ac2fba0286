"""The audit record's checkpoints on the web: published for anyone to keep, shown on the
verify page (and with a verified warning that carries one), checked by the auditor's
verify on the desk and in the JSON API."""

from __future__ import annotations

import base64
import json
import re

from jwcrypto import jwk, jws

from tearline import workflow as wf
from tests.web.conftest import ingest_demo
from tests.web.desk import PEOPLE, Desk, csrf_of


def release(app: wf.App) -> str:
    """A release approved by a second person; returns the first warning's JWS."""
    case = ingest_demo(app)
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    avery = wf.sign_in(app, "avery", PEOPLE["avery"][0])
    wf.decide(app, case, dana)
    proposed = wf.propose_release(app, case, dana)
    return wf.approve_release(app, proposed.ref, avery).warnings[0][2]


def test_checkpoints_are_published_and_checked(desk: Desk) -> None:
    token = release(desk.app)
    anyone = desk.client()
    published = anyone.get("/audit/checkpoints")
    assert published.status_code == 200
    document = published.json()
    assert document["schema"] == "tearline.audit-checkpoints/1"
    # The worker signed one when it first ran; the release signed the one its warning holds.
    body = token.split(".")[1]
    released = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    embedded = released["audit_checkpoint"]
    listed = {c["seq"]: c for c in document["checkpoints"]}
    checkpoint = listed[embedded["seq"]]
    assert checkpoint["jws"] == embedded["jws"]
    keys = jwk.JWKSet.from_json(anyone.get("/.well-known/jwks.json").text)
    signed = jws.JWS()
    signed.deserialize(checkpoint["jws"])
    signed.verify(keys.get_key(signed.jose_header["kid"]), alg="Ed25519")
    assert json.loads(signed.payload)["seq"] == checkpoint["seq"]

    page = anyone.get("/verify").text
    assert re.search(rf'id="checkpoints".*#{checkpoint["seq"]}</td>', page, re.S)
    assert 'href="/audit/checkpoints"' in page
    verdict = anyone.http.post("/verify", data={"content": token, "csrf_token": csrf_of(page)})
    assert "Authentic" in verdict.text
    assert 'id="verdict-checkpoint">It also carries a signed checkpoint' in verdict.text
    assert f"entry #{checkpoint['seq']}" in verdict.text

    auditor = desk.client("aude")
    api = auditor.api("GET", "/api/audit/verify").json()
    assert api["intact"] is True
    assert api["checkpoints"] == len(listed)
    shown = auditor.get("/audit/verify").text
    assert f"agrees with {len(listed)} signed checkpoint(s)" in shown
