"""What a hub or a citizen meets on the public side: the CAP certificate to trust, the
verify page's instructions for xmlsec1, and an RSA-signed alert checked both ways."""

from __future__ import annotations

from pathlib import Path

import httpx

from tearline import workflow as wf
from tearline.model import Contact
from tests.release.xml_checkers import xmlsec1_verify
from tests.web.conftest import ingest_demo
from tests.web.desk import PEOPLE, Desk

HUB = "Moscow alerting hub"


def test_the_certificate_is_published_and_checks_what_the_hub_receives(
    sqlite_desk: Desk, tmp_path: Path
) -> None:
    app, url = sqlite_desk.app, sqlite_desk.url
    missing = httpx.get(f"{url}/.well-known/cap-cert.pem")
    assert missing.status_code == 404
    assert "signs CAP with Ed25519" in missing.text
    wf.add_recipient(
        app,
        name=HUB,
        kind="organisation",
        tier="partner",
        language="en",
        area_country="RU",
        area_city="Moscow",
        contacts=[Contact("email", "cap@hub.example", cap_signature="rsa")],
    )
    threat = ingest_demo(app)
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    wf.decide(app, threat, dana)
    proposed = wf.propose_release(app, threat, dana)
    released = wf.approve_release(app, proposed.ref, wf.sign_in(app, "avery", PEOPLE["avery"][0]))
    (ref,) = [r for r, name, _ in released.warnings if name == HUB]
    cap = wf.export_warning(app, ref, "cap").content
    assert "xmldsig-more#rsa-sha256" in cap

    pem = httpx.get(f"{url}/.well-known/cap-cert.pem")
    assert pem.status_code == 200
    assert pem.text.startswith("-----BEGIN CERTIFICATE-----")
    cert, alert = tmp_path / "cert.pem", tmp_path / "alert.cap.xml"
    cert.write_bytes(pem.content)
    alert.write_text(cap, encoding="utf-8")
    checked = xmlsec1_verify(alert, cert)  # exactly what the verify page tells people to run
    assert checked.returncode == 0, checked.stderr

    ok = httpx.post(f"{url}/api/verify", json={"content": cap}).json()
    assert ok["authentic"] is True
    assert ok["reference"] == ref
    bad = httpx.post(f"{url}/api/verify", json={"content": cap.replace("Moscow", "Mosco", 1)})
    assert bad.json()["authentic"] is False
    page = httpx.get(f"{url}/verify").text
    assert "xmlsec1 --verify --trusted-pem cert.pem alert.cap.xml" in page
    assert 'href="/.well-known/cap-cert.pem"' in page
