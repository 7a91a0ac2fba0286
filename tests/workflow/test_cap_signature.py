"""CAP signed with RSA-SHA256 and X.509 in a real release: for the whole deployment
(TEARLINE_CAP_SIGNATURE=rsa) or for the recipients whose contact point asks for it. A hub
holding only the published JWKS checks it with xmlsec1; the key and its certificate are
made on first use, on the record, stored like the other keys and rotated with them; a
CA-issued certificate can replace the self-signed one."""

from __future__ import annotations

import base64
import json
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.deliver.registry import RegistryFileRejected, read_registry
from tearline.demo.scenario import CODE_WORD, METHODS, SOURCE
from tearline.errors import InputError, SignatureError
from tearline.model import Contact
from tearline.settings import load_settings
from tearline.workflow.keys import cap_certificate_request, import_cap_certificate
from tests.factories import add_moscow_recipients
from tests.partners import release_demo
from tests.release.xml_checkers import xmlsec1_verify

LIAISON, PUBLIC = "Russian Federation (liaison)", "Public in Moscow"


def make_app(tmp_path: Path, database_url: str, clock: FixedClock, cap: str) -> wf.App:
    overrides = {
        "home": str(tmp_path / "home"),
        "database_url": database_url,
        "sender": "Test agency",
        "cap_signature": cap,
    }
    return wf.App(load_settings(overrides, environ={}), clock=clock)


@pytest.fixture
def rsa_app(tmp_path: Path, database_url: str, clock: FixedClock) -> Iterator[wf.App]:
    app = make_app(tmp_path, database_url, clock, "rsa")
    yield app
    app.close()


def caps(app: wf.App) -> dict[str, bytes]:
    """Each released warning's CAP, by recipient, as the recipient got it."""
    out = {}
    for w in wf.list_warnings(app):
        out[w["recipient"]] = wf.export_warning(app, w["ref"], "cap").content.encode()
    return out


def trusted_pem(app: wf.App, folder: Path) -> Path:
    """The certificate as a hub takes it from the published JWKS (x5c), nothing else."""
    (rsa_jwk,) = [k for k in app.keys.jwks()["keys"] if k["kty"] == "RSA"]
    der = base64.b64decode(rsa_jwk["x5c"][0])
    pem = folder / "cert.pem"
    pem.write_bytes(x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM))
    return pem


def test_a_deployment_that_signs_cap_with_rsa_releases_what_xmlsec1_accepts(
    rsa_app: wf.App, tmp_path: Path
) -> None:
    app = rsa_app
    add_moscow_recipients(app, "http://127.0.0.1:9/unused", public_webhook=False)
    release_demo(app)
    released = caps(app)
    assert set(released) == {LIAISON, PUBLIC}
    published = wf.load_jwks(json.dumps(app.keys.jwks()))
    cert = trusted_pem(app, tmp_path)
    for recipient, xml in released.items():
        assert b"xmldsig-more#rsa-sha256" in xml, recipient
        for term in (SOURCE, CODE_WORD, *METHODS):  # the leak check saw the signed form
            assert term.encode() not in xml
        v = wf.verify_artifact(xml, published)
        assert v.form == "cap"
        assert v.key_id == app.keys.cap_key("unused").kid
        path = tmp_path / "alert.xml"
        path.write_bytes(xml)
        assert xmlsec1_verify(path, cert).returncode == 0
        path.write_bytes(xml.replace(b"Moscow", b"Moskow", 1))
        refused = xmlsec1_verify(path, cert)
        assert refused.returncode == 1, refused.stderr
    warning = wf.list_warnings(app)[0]
    token = wf.export_warning(app, warning["ref"], "jws").content
    assert wf.verify_artifact(token, published).key_id == app.keys.signing_key().kid  # Ed25519
    created = [e for e in wf.audit_entries(app, 500) if e["action"] == "key.created"]
    kinds = sorted(json.loads(e["details"]).get("kind", "ed25519") for e in created)
    assert kinds == ["ed25519", "rsa"]
    for key_file in (app.home / "keys").glob("*.jwk"):
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600, key_file


def test_a_contact_point_asks_for_rsa_while_the_deployment_signs_with_ed25519(
    app: wf.App, tmp_path: Path
) -> None:
    hub = Contact("email", "cap-hub@example.org", cap_signature="rsa")
    add_moscow_recipients(app, "http://127.0.0.1:9/unused", liaison=(hub,), public_webhook=False)
    release_demo(app)
    released = caps(app)
    assert b"xmldsig-more#rsa-sha256" in released[LIAISON]
    assert b"eddsa-ed25519" in released[PUBLIC]
    published = wf.load_jwks(json.dumps(app.keys.jwks()))
    assert wf.verify_artifact(released[LIAISON], published).key_id == app.keys.cap_key("x").kid
    assert wf.verify_artifact(released[PUBLIC], published).key_id == app.keys.signing_key().kid
    path = tmp_path / "liaison.xml"
    path.write_bytes(released[LIAISON])
    assert xmlsec1_verify(path, trusted_pem(app, tmp_path)).returncode == 0
    exported = json.loads(wf.export_recipients(app, "json"))
    liaison = next(r for r in exported if r["name"] == LIAISON)
    assert {"channel": "email", "address": "cap-hub@example.org", "cap_signature": "rsa"} in (
        liaison["contacts"]
    )


def test_a_registry_file_whose_contacts_disagree_is_refused_whole() -> None:
    rows = [
        {
            "name": "Hub",
            "kind": "organisation",
            "tier": "partner",
            "contacts": [
                {"channel": "email", "address": "a@example.org", "cap_signature": "rsa"},
                {"channel": "email", "address": "b@example.org", "cap_signature": "ed25519"},
            ],
        },
        {
            "name": "Other",
            "kind": "organisation",
            "tier": "partner",
            "contacts": [{"channel": "email", "address": "c@x.org", "cap_signature": "dsa"}],
        },
    ]
    with pytest.raises(RegistryFileRejected) as caught:
        read_registry(json.dumps(rows).encode(), "json")
    assert caught.value.problems == [
        "row 1, contacts: contact points ask for CAP signed with both ed25519 and rsa",
        "row 2, contacts[1].cap_signature: 'dsa' is not one of: ed25519, rsa",
    ]


def test_rotation_makes_a_new_rsa_key_and_old_caps_still_verify(
    rsa_app: wf.App, tmp_path: Path
) -> None:
    app = rsa_app
    add_moscow_recipients(app, "http://127.0.0.1:9/unused", public_webhook=False)
    release_demo(app)
    old = app.keys.cap_key("x")
    before = caps(app)
    wf.rotate_key(app, "operator")
    new = app.keys.cap_key("x")
    assert new.kid != old.kid
    kinds = [k["kty"] for k in app.keys.jwks()["keys"]]
    assert sorted(kinds) == ["OKP", "OKP", "RSA", "RSA"]
    published = wf.load_jwks(json.dumps(app.keys.jwks()))
    for xml in before.values():
        assert wf.verify_artifact(xml, published).key_id == old.kid


def _ca() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test alerting CA")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _issue(ca_key: rsa.RSAPrivateKey, ca: x509.Certificate, csr_pem: bytes) -> bytes:
    csr = x509.load_pem_x509_csr(csr_pem)
    assert csr.is_signature_valid
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(csr.subject)
        .issuer_name(ca.subject)
        .public_key(csr.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=90))
        .sign(ca_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(
        serialization.Encoding.PEM
    )


def test_a_ca_issued_certificate_replaces_the_self_signed_one(
    rsa_app: wf.App, tmp_path: Path
) -> None:
    app = rsa_app
    csr = cap_certificate_request(app, "operator")
    ca_key, ca = _ca()
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    request = x509.CertificateSigningRequestBuilder().subject_name(ca.subject)
    other = request.sign(stranger, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)
    with pytest.raises(InputError, match="not for the current CAP key"):
        import_cap_certificate(app, _issue(ca_key, ca, other), "operator")
    with pytest.raises(InputError, match="not a PEM certificate"):
        import_cap_certificate(app, b"hello", "operator")
    key = import_cap_certificate(app, _issue(ca_key, ca, csr), "operator")
    (rsa_jwk,) = [k for k in app.keys.jwks()["keys"] if k["kty"] == "RSA"]
    assert rsa_jwk["kid"] == key.kid
    assert len(rsa_jwk["x5c"]) == 2  # the issued certificate, then the CA's
    add_moscow_recipients(app, "http://127.0.0.1:9/unused", public_webhook=False)
    release_demo(app)
    xml = caps(app)[LIAISON]
    path, ca_pem = tmp_path / "alert.xml", tmp_path / "ca.pem"
    path.write_bytes(xml)
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    checked = xmlsec1_verify(path, ca_pem)  # the hub trusts the CA, not this deployment
    assert checked.returncode == 0, checked.stderr
    actions = [e["action"] for e in wf.audit_entries(app, 500)]
    assert {"key.csr", "key.certificate"} <= set(actions)


def test_a_cap_signed_by_an_unpublished_rsa_key_does_not_verify(
    rsa_app: wf.App, tmp_path: Path
) -> None:
    app = rsa_app
    add_moscow_recipients(app, "http://127.0.0.1:9/unused", public_webhook=False)
    release_demo(app)
    xml = caps(app)[PUBLIC]
    only_ed25519 = [k for k in app.keys.jwks()["keys"] if k["kty"] == "OKP"]
    with pytest.raises(SignatureError, match="not among the known keys"):
        wf.verify_artifact(xml, wf.load_jwks(json.dumps({"keys": only_ed25519})))
