"""CAP signed with RSA-SHA256 and the signer's X.509 certificate: the profile alerting hubs
and Debian's xmlsec1 check. Schema-valid; verified by Tearline, by xmlsec1 and by the JDK
against the published key; refused after one changed byte, when moved or wrapped, when
made by another key, and when its algorithms are weakened."""

from __future__ import annotations

import base64
import email
import json
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import KeySet, RSAKey
from lxml import etree

from tearline.errors import SignatureError
from tearline.keystore import KeyStore, certificates, pem_chain, self_signed
from tearline.model import Tier
from tearline.release import render_artifacts
from tearline.release.cap import CAP_NS, cap_alert, cap_bytes, pretty, validate_cap
from tearline.release.xmldsig import RSA_SHA256, sign_enveloped_rsa, verify_enveloped
from tearline.workflow.verification import load_jwks, verify_artifact
from tests.release.support import SENDER, document
from tests.release.xml_checkers import jdk_verify, xmlsec1_verify

NS = {"c": CAP_NS, "ds": "http://www.w3.org/2000/09/xmldsig#"}
SUBJECT = "Test-agency"


def rsa_cap(
    tmp_path: Path, tier: Tier = Tier.ADVERSARY, lang: str = "en"
) -> tuple[bytes, KeyStore]:
    store = KeyStore(tmp_path / "keys")
    doc = document(tier, lang)
    artifacts = render_artifacts(doc, store.signing_key(), store.cap_key(SUBJECT))
    return artifacts["cap"].encode(), store


def published(store: KeyStore) -> KeySet:
    """The keys as a recipient holds them: the JWKS, public parts only."""
    return load_jwks(json.dumps(store.jwks()))


def files(tmp_path: Path, store: KeyStore, **xml: bytes) -> dict[str, Path]:
    """Each document written out, and the signer's certificate as PEM (``cert``)."""
    out = {"cert": tmp_path / "cert.pem"}
    out["cert"].write_bytes(pem_chain(store.cap_key(SUBJECT)))
    for name, data in xml.items():
        out[name] = tmp_path / f"{name}.xml"
        out[name].write_bytes(data)
    return out


def moved(xml: bytes) -> bytes:
    """The signature moved into the first <info>: the text around it unchanged."""
    root = etree.fromstring(xml)
    sig = root[-1]
    root.remove(sig)
    info = root.find("c:info", NS)
    assert info is not None
    info.append(sig)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def wrapped(xml: bytes) -> bytes:
    """The signed alert wrapped in another alert that says something else."""
    outer = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})  # type: ignore[dict-item]
    etree.SubElement(outer, f"{{{CAP_NS}}}identifier").text = "Test-agency-WRN-666"
    outer.append(etree.fromstring(xml))
    return etree.tostring(outer, xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize(("tier", "lang"), [(Tier.ADVERSARY, "ru"), (Tier.PUBLIC, "en")])
def test_rsa_cap_is_schema_valid_and_carries_the_published_certificate(
    tmp_path: Path, tier: Tier, lang: str
) -> None:
    xml, store = rsa_cap(tmp_path, tier, lang)
    root = etree.fromstring(xml)
    validate_cap(root)
    assert root[-1].tag == "{http://www.w3.org/2000/09/xmldsig#}Signature"
    method = root.find("ds:Signature/ds:SignedInfo/ds:SignatureMethod", NS)
    assert method is not None
    assert method.get("Algorithm") == RSA_SHA256
    carried = root.findtext("ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate", None, NS)
    (rsa_jwk,) = [k for k in store.jwks()["keys"] if k["kty"] == "RSA"]
    assert "".join((carried or "").split()) == rsa_jwk["x5c"][0]
    assert "d" not in rsa_jwk
    assert "p" not in rsa_jwk
    cap_key = store.cap_key(SUBJECT)
    assert cap_key.private_key.key_size == 3072  # type: ignore[union-attr]
    (cert,) = certificates(cap_key)
    assert cert.subject.rfc4514_string() == f"CN={SUBJECT}"
    v = verify_artifact(xml, published(store))
    assert (v.form, v.document["reference"], v.key_id) == ("cap", "WRN-1", cap_key.kid)
    assert v.document["sender"] == SENDER


def test_xmlsec1_accepts_it_and_rejects_one_changed_byte_and_a_wrapped_copy(
    tmp_path: Path,
) -> None:
    xml, store = rsa_cap(tmp_path, Tier.ADVERSARY, "ru")
    changed = xml.replace("Москва".encode(), "Москвa".encode(), 1)  # one Latin 'a'
    assert changed != xml
    f = files(tmp_path, store, good=xml, changed=changed, wrapped=wrapped(xml))
    ok = xmlsec1_verify(f["good"], f["cert"])
    assert (ok.returncode, ok.stderr.splitlines()[0]) == (0, "OK"), ok.stderr
    for name in ("changed", "wrapped"):
        bad = xmlsec1_verify(f[name], f["cert"])
        assert bad.returncode == 1, (name, bad.stderr)
        assert "data and digest do not match" in bad.stderr, bad.stderr


def test_xmlsec1_rejects_a_signature_by_a_certificate_it_was_not_told_to_trust(
    tmp_path: Path,
) -> None:
    xml, _ = rsa_cap(tmp_path)
    _, other = rsa_cap(tmp_path / "other")
    f = files(tmp_path / "other", other, good=xml)  # trusts the other deployment's certificate
    refused = xmlsec1_verify(f["good"], f["cert"])
    assert refused.returncode == 1, refused.stderr
    assert "OK" not in refused.stderr.splitlines()


@pytest.mark.slow
def test_the_jdk_verifies_the_rsa_signature_with_the_published_key(tmp_path: Path) -> None:
    xml, store = rsa_cap(tmp_path, Tier.ADVERSARY, "ru")
    (rsa_jwk,) = [k for k in store.jwks()["keys"] if k["kty"] == "RSA"]
    public = RSAKey.import_key(rsa_jwk).public_key
    assert isinstance(public, rsa.RSAPublicKey)
    key = tmp_path / "rsa.der"
    key.write_bytes(
        public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    f = files(tmp_path, store, good=xml, bad=xml.replace("Москва".encode(), "Москвa".encode(), 1))
    assert jdk_verify(f["good"], key, "RSA") == (0, "VALID")
    assert jdk_verify(f["bad"], key, "RSA") == (1, "INVALID")


def test_tearline_refuses_a_changed_moved_wrapped_or_doubled_signature(tmp_path: Path) -> None:
    xml, store = rsa_cap(tmp_path)
    keys = published(store)
    with pytest.raises(SignatureError, match="altered"):
        verify_artifact(xml.replace(b"Moscow, Russia", b"Moscow, Russie", 1), keys)
    with pytest.raises(SignatureError, match="directly under the root"):
        verify_artifact(moved(xml), keys)
    with pytest.raises(SignatureError, match="directly under the root"):
        verify_artifact(wrapped(xml), keys)
    root = etree.fromstring(xml)
    root.append(etree.fromstring(etree.tostring(root[-1])))
    with pytest.raises(SignatureError, match="one ds:Signature"):
        verify_artifact(etree.tostring(root), keys)


def test_a_signature_by_another_key_is_refused_even_with_its_certificate(tmp_path: Path) -> None:
    xml, store = rsa_cap(tmp_path)
    forged, _ = rsa_cap(tmp_path / "forger")  # the forger's own key and self-signed cert
    with pytest.raises(SignatureError, match="certificate that is not among the known keys"):
        verify_artifact(forged, published(store))
    # The real certificate pasted into the forger's signature: the key no longer matches.
    real = etree.fromstring(xml).findtext(".//ds:X509Certificate", None, NS) or ""
    fake = etree.fromstring(forged).findtext(".//ds:X509Certificate", None, NS) or ""
    assert real
    assert fake
    assert real != fake
    with pytest.raises(SignatureError, match="signature does not verify"):
        verify_artifact(forged.replace(fake.encode(), real.encode()), published(store))


@pytest.mark.parametrize(
    ("find", "weaker", "message"),
    [
        (RSA_SHA256, "http://www.w3.org/2000/09/xmldsig#rsa-sha1", "unsupported signature"),
        (
            "http://www.w3.org/2001/04/xmlenc#sha256",
            "http://www.w3.org/2000/09/xmldsig#sha1",
            "unsupported digest",
        ),
        (
            "http://www.w3.org/2001/10/xml-exc-c14n#",
            "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
            "canonicalisation",
        ),
    ],
)
def test_weaker_algorithms_are_refused(
    tmp_path: Path, find: str, weaker: str, message: str
) -> None:
    xml, store = rsa_cap(tmp_path)
    assert find.encode() in xml
    with pytest.raises(SignatureError, match=message):
        verify_artifact(xml.replace(find.encode(), weaker.encode(), 1), published(store))


def test_a_short_rsa_key_is_refused(tmp_path: Path) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    cert = self_signed(private, SUBJECT, datetime.now(UTC))
    x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
    signed = sign_enveloped_rsa(pretty(cap_alert(document(Tier.PUBLIC))), private, x5c)
    # Straight to the verifier: joserfc itself warns of a short key in a JWKS.
    with pytest.raises(SignatureError, match="too short"):
        verify_enveloped(cap_bytes(signed), {"short": private.public_key()})


def test_an_rsa_signature_may_not_also_name_a_key(tmp_path: Path) -> None:
    xml, store = rsa_cap(tmp_path)
    kid = str(store.signing_key().kid)  # the Ed25519 key's ID, also published
    named = xml.replace(b"<ds:KeyInfo>", f"<ds:KeyInfo><ds:KeyName>{kid}</ds:KeyName>".encode())
    with pytest.raises(SignatureError, match="X509Data only"):
        verify_artifact(named, published(store))


def test_an_ed25519_signature_naming_the_rsa_key_is_refused(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    rsa_kid = str(store.cap_key(SUBJECT).kid)
    xml = render_artifacts(document(Tier.PUBLIC), store.signing_key())["cap"].encode()
    renamed = xml.replace(str(store.signing_key().kid).encode(), rsa_kid.encode())
    with pytest.raises(SignatureError, match="not an Ed25519 key"):
        verify_artifact(renamed, published(store))


def test_ed25519_stays_the_default_and_rsa_only_when_asked(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    doc = document(Tier.PUBLIC)
    plain = render_artifacts(doc, store.signing_key())
    assert b"eddsa-ed25519" in plain["cap"].encode()
    assert "X509Data" not in plain["cap"]
    assert not store.cap_key_exists()  # no RSA key is made until one is needed
    both = render_artifacts(doc, store.signing_key(), store.cap_key(SUBJECT))
    assert "rsa-sha256" in both["cap"]
    assert both["jws"] == plain["jws"]
    assert _attached_cap(both["email"]) == both["cap"]  # the e-mail carries the RSA one


def _attached_cap(message: str) -> str:
    msg = email.message_from_string(message, policy=policy.default)
    for part in msg.walk():
        if part.get_content_type() == "application/cap+xml":
            payload = part.get_payload(decode=True)
            return payload.decode() if isinstance(payload, bytes) else ""
    return ""
