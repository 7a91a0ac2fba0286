"""Signatures verify with an independent JOSE library; any change breaks them."""

from __future__ import annotations

import json
from email import message_from_string, policy
from pathlib import Path

import pytest
from jwcrypto import jwk, jws

from tearline.errors import ConfigError, SignatureError
from tearline.keystore import KeyStore
from tearline.model import Tier
from tearline.release import sign, verify
from tests.release.support import released

DOC = {
    "reference": "WRN-1",
    "text": "Avoid large gatherings.",
    "issued_at": "2024-03-06T09:10:00+00:00",
}


def test_jwcrypto_verifies_our_signature_with_the_published_jwks(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    token = sign(DOC, store.signing_key())
    keys = jwk.JWKSet.from_json(json.dumps(store.jwks()))
    checked = jws.JWS()
    checked.deserialize(token)
    checked.verify(keys.get_key(checked.jose_header["kid"]), alg="Ed25519")
    assert json.loads(checked.payload) == DOC
    assert checked.jose_header["alg"] == "Ed25519"


def test_published_jwks_has_no_private_key(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    store.signing_key()
    (key,) = store.jwks()["keys"]
    assert "d" not in key
    assert key["kty"] == "OKP"
    assert key["crv"] == "Ed25519"


def test_rotation_keeps_old_signatures_valid(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    old = sign(DOC, store.signing_key())
    new_key = store.rotate()
    assert store.signing_key().kid == new_key.kid
    assert verify(old, store.keyset()).document == DOC
    assert len(store.jwks()["keys"]) == 2


def test_tampered_payload_fails(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    header, _payload, sig = sign(DOC, store.signing_key()).split(".")
    import base64

    forged = json.dumps({**DOC, "text": "All clear."}).encode()
    forged_b64 = base64.urlsafe_b64encode(forged).rstrip(b"=").decode()
    with pytest.raises(SignatureError, match="does not verify"):
        verify(f"{header}.{forged_b64}.{sig}", store.keyset())


def test_key_files_are_private(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    store.signing_key()
    (path,) = (tmp_path / "keys").iterdir()
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "keys").stat().st_mode & 0o777 == 0o700
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        store.signing_key()


def test_garbage_is_not_a_signature(tmp_path: Path) -> None:
    with pytest.raises(SignatureError, match="compact JWS"):
        verify("not a token", KeyStore(tmp_path / "k").keyset())


def test_jwcrypto_verifies_the_signed_stix_bundle_and_the_emails_attachment(
    tmp_path: Path,
) -> None:
    _, artifacts, store = released(tmp_path, Tier.ADVERSARY, "ru")
    keys = jwk.JWKSet.from_json(json.dumps(store.jwks()))
    msg = message_from_string(artifacts["email"], policy=policy.default)
    (attachment,) = [p for p in msg.walk() if p.get_content_type() == "application/jose"]
    payload = attachment.get_payload(decode=True)
    assert isinstance(payload, bytes)
    tokens = [(artifacts["stix_jws"], "stix+jws"), (payload.decode(), "tearline-warning+jws")]
    for token, typ in tokens:
        checked = jws.JWS()
        checked.deserialize(token.strip())
        checked.verify(keys.get_key(checked.jose_header["kid"]), alg="Ed25519")
        assert checked.jose_header["typ"] == typ
    assert json.loads(checked.payload)["language"] == "ru"
