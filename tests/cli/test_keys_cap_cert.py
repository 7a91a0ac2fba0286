"""``tearline keys cap-cert``: the CAP certificate an operator hands a hub, the request a
CA signs, and the CA's certificate brought back; a wrong file is refused, nothing changed."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.test_cli import run


def _signed_by_a_ca(csr_pem: bytes) -> bytes:
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    csr = x509.load_pem_x509_csr(csr_pem)
    now = datetime.now(UTC)
    issued = (
        x509.CertificateBuilder()
        .subject_name(csr.subject)
        .issuer_name(ca_name)
        .public_key(csr.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(ca_key, hashes.SHA256())
    )
    return issued.public_bytes(serialization.Encoding.PEM)


def test_print_request_import(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "keys", "cap-cert")
    assert code == 0
    cert = x509.load_pem_x509_certificate(out.encode())
    assert cert.subject.rfc4514_string() == "CN=Tearline-test-agency"  # CAP's sender
    assert cert.issuer == cert.subject  # self-signed until a CA's is imported

    code, out, _ = run(capsys, "keys", "cap-cert", "--csr")
    assert code == 0
    csr = x509.load_pem_x509_csr(out.encode())
    assert csr.is_signature_valid
    assert csr.public_key() == cert.public_key()

    wrong = tmp_path / "wrong.pem"
    wrong.write_text("not a certificate\n")
    code, _, err = run(capsys, "keys", "cap-cert", "--import", str(wrong))
    assert code == 65
    assert "not a PEM certificate" in err

    issued = tmp_path / "issued.pem"
    issued.write_bytes(_signed_by_a_ca(out.encode()))
    code, out, _ = run(capsys, "keys", "cap-cert", "--import", str(issued))
    assert code == 0
    # Rich wraps at the width it found when the CLI was first imported in this process
    assert "now signs with the imported certificate" in " ".join(out.split())

    code, out, _ = run(capsys, "keys")
    (rsa_jwk,) = [k for k in json.loads(out)["keys"] if k["kty"] == "RSA"]
    now_in_use = x509.load_der_x509_certificate(base64.b64decode(rsa_jwk["x5c"][0]))
    assert now_in_use.issuer.rfc4514_string() == "CN=Test CA"
    assert "d" not in rsa_jwk
