"""The deployment's signing keys, on disk: created on first use, rotated, published as JWKS.

Keys live in ``$TEARLINE_HOME/keys/`` (directory mode 0700, files 0600), one JWK file
per key. The newest key signs; older keys stay so that old signatures still verify.

Two kinds: Ed25519 (``ed25519-NNNN.jwk``) signs every warning; RSA (``rsa-NNNN.jwk``, 3072
bits) signs CAP for those who need RSA-SHA256 with X.509 (alerting hubs, ``xmlsec1``).
An RSA key is made only when first needed, with a self-signed certificate; its JWK holds
the certificate chain as ``x5c``, which a CA-issued certificate can replace
(``tearline keys cap-cert --csr`` / ``--import``).
"""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.x509.oid import NameOID
from joserfc.jwk import KeySet, OKPKey, RSAKey

from tearline.errors import ConfigError, InputError

RSA_BITS = 3072
CERT_DAYS = 730  # a self-signed certificate's life; rotate the key (or import a CA's) before


def _write_new(path: Path, jwk: dict[str, Any]) -> None:
    # Created with 0600 from the start: no moment where the private key is readable.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(jwk, fh)


def _name(subject: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject.strip()[:64] or "tearline")])


def self_signed(key: RSAPrivateKey, subject: str, now: datetime) -> x509.Certificate:
    """A certificate for signing CAP (digital signature, not a CA), valid CERT_DAYS."""
    name = _name(subject)
    public = key.public_key()
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))  # a recipient's clock a little behind
        .not_valid_after(now + timedelta(days=CERT_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def certificates(key: RSAKey) -> list[x509.Certificate]:
    """The key's certificate chain (``x5c``), the signer's own certificate first."""
    chain = key.as_dict(private=False).get("x5c") or []
    return [x509.load_der_x509_certificate(base64.b64decode(c)) for c in chain]


def pem_chain(key: RSAKey) -> bytes:
    """The key's certificate chain as PEM: what ``xmlsec1 --trusted-pem`` reads."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates(key))


def _x5c(chain: list[x509.Certificate]) -> list[str]:
    return [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in chain]


def _same_key(a: RSAPublicKey, b: object) -> bool:
    return isinstance(b, RSAPublicKey) and a.public_numbers() == b.public_numbers()


class KeyStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _files(self, kind: str = "ed25519") -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob(f"{kind}-*.jwk"))

    def _read(self, path: Path) -> dict[str, Any]:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise ConfigError(
                f"signing key {path} is readable by others (mode {mode:o}); chmod 600 it"
            )
        try:
            data: dict[str, Any] = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise ConfigError(f"signing key {path} is not valid JSON: {exc}") from None
        return data

    def _load(self, path: Path) -> OKPKey:
        data = self._read(path)
        try:
            key = OKPKey.import_key(data)
            key.ensure_kid()
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"signing key {path} is not a valid Ed25519 JWK: {exc}") from None
        return key

    def _load_rsa(self, path: Path) -> RSAKey:
        data = self._read(path)
        try:
            key = RSAKey.import_key(data)
            key.ensure_kid()
            certificates(key)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"CAP signing key {path} is not a valid RSA JWK: {exc}") from None
        return key

    def _prepare(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)

    def exists(self) -> bool:
        return bool(self._files())

    def rotate(self) -> OKPKey:
        """Create a new signing key; it signs from now on, older keys still verify."""
        self._prepare()
        key = OKPKey.generate_key("Ed25519", parameters={"use": "sig", "alg": "Ed25519"})
        key.ensure_kid()  # kid = RFC 7638 thumbprint
        number = len(self._files()) + 1
        _write_new(self.directory / f"ed25519-{number:04d}.jwk", key.as_dict(private=True))
        return key

    def signing_key(self) -> OKPKey:
        files = self._files()
        return self._load(files[-1]) if files else self.rotate()

    def cap_key_exists(self) -> bool:
        return bool(self._files("rsa"))

    def rotate_cap_key(self, subject: str) -> RSAKey:
        """A new RSA key with a self-signed certificate for ``subject`` (the sender's name);
        it signs RSA CAP from now on, older ones still verify."""
        self._prepare()
        private = RSAKey.generate_key(RSA_BITS).private_key
        assert isinstance(private, RSAPrivateKey)
        cert = self_signed(private, subject, datetime.now(UTC))
        key = RSAKey.import_key(
            private, parameters={"use": "sig", "alg": "RS256", "x5c": _x5c([cert])}
        )
        key.ensure_kid()  # kid = RFC 7638 thumbprint
        number = len(self._files("rsa")) + 1
        _write_new(self.directory / f"rsa-{number:04d}.jwk", key.as_dict(private=True))
        return key

    def cap_key(self, subject: str) -> RSAKey:
        """The RSA key that signs CAP; the first use creates one (see ``rotate_cap_key``)."""
        files = self._files("rsa")
        return self._load_rsa(files[-1]) if files else self.rotate_cap_key(subject)

    def cap_certificate_pem(self) -> bytes | None:
        """The current CAP key's certificate chain (PEM), or None if there is no RSA key."""
        files = self._files("rsa")
        return pem_chain(self._load_rsa(files[-1])) if files else None

    def cap_csr(self, subject: str) -> bytes:
        """A certificate signing request (PEM) for the current RSA key, for a CA to sign."""
        private = self.cap_key(subject).private_key
        assert isinstance(private, RSAPrivateKey)
        csr = x509.CertificateSigningRequestBuilder().subject_name(_name(subject))
        return csr.sign(private, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)

    def import_cap_certificate(self, pem: bytes) -> RSAKey:
        """Replace the current RSA key's certificate with a CA-issued one (PEM: the
        certificate, then its chain). It must hold that key and be valid now."""
        try:
            chain = x509.load_pem_x509_certificates(pem)
        except ValueError:
            raise InputError("not a PEM certificate (-----BEGIN CERTIFICATE-----)") from None
        files = self._files("rsa")
        if not files:
            raise InputError("no RSA key yet: make one and its request with keys cap-cert --csr")
        current = self._load_rsa(files[-1])
        public = current.public_key
        assert isinstance(public, RSAPublicKey)
        if not _same_key(public, chain[0].public_key()):
            raise InputError(
                f"the certificate ({chain[0].subject.rfc4514_string()}) is not for the current "
                f"CAP key {current.kid}: have the CA sign the request from keys cap-cert --csr"
            )
        now = datetime.now(UTC)
        if not chain[0].not_valid_before_utc <= now <= chain[0].not_valid_after_utc:
            raise InputError(
                f"the certificate is valid {chain[0].not_valid_before_utc:%Y-%m-%d} to "
                f"{chain[0].not_valid_after_utc:%Y-%m-%d}, not now"
            )
        data = current.as_dict(private=True)
        data["x5c"] = _x5c(chain)
        key = RSAKey.import_key(data)
        key.ensure_kid()
        fresh = files[-1].with_suffix(".new")
        fresh.unlink(missing_ok=True)
        _write_new(fresh, key.as_dict(private=True))
        os.replace(fresh, files[-1])
        return key

    def keyset(self) -> KeySet:
        keys: list[Any] = [self._load(p) for p in self._files()]
        rsa = [self._load_rsa(p) for p in self._files("rsa")]
        return KeySet((keys or [self.signing_key()]) + rsa)

    def jwks(self) -> dict[str, Any]:
        """The public keys, for publishing: no private parts (RSA keys with ``x5c``)."""
        return dict(self.keyset().as_dict(private=False))
