"""Signing keys as the record sees them: creation and rotation are audited like any change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from joserfc.jwk import OKPKey, RSAKey

from tearline.keystore import pem_chain
from tearline.release.cap import cap_sender
from tearline.workflow.app import App, Unit


def signing_key(app: App, u: Unit, actor: str) -> OKPKey:
    """The current signing key; the first use creates one, on the record."""
    first = not app.keys.exists()
    key = app.keys.signing_key()
    if first:
        u.audit(actor, "key.created", f"key:{str(key.kid)[:16]}", {"kid": key.kid})
    return key


def cap_subject(app: App) -> str:
    """Whom the CAP certificate names: the sender, as CAP's ``sender`` spells it."""
    return cap_sender(app.settings.sender)


def cap_signing_key(app: App, u: Unit, actor: str) -> RSAKey:
    """The RSA key (with its X.509 certificate) that signs CAP for those who need RSA;
    the first use creates one, on the record."""
    first = not app.keys.cap_key_exists()
    key = app.keys.cap_key(cap_subject(app))
    if first:
        details = {"kid": key.kid, "kind": "rsa", "use": "CAP signatures (RSA-SHA256, X.509)"}
        u.audit(actor, "key.created", f"key:{str(key.kid)[:16]}", details)
    return key


def cap_signature_for(contacts: Iterable[dict[str, Any]], default: str) -> str:
    """How a recipient's CAP is signed: as its contact points ask, else ``default`` (the
    deployment's ``cap_signature``). The registry refuses contacts that disagree."""
    asked = [str(c["cap_signature"]) for c in contacts if c.get("cap_signature")]
    return asked[0] if asked else default


def rotate_key(app: App, actor: str) -> OKPKey:
    """A new signing key; older keys stay published so old warnings still verify. An RSA
    key for CAP, where there is one, is rotated with it (with a new certificate)."""
    with app.unit() as u:
        key = app.keys.rotate()
        u.audit(actor, "key.rotated", f"key:{str(key.kid)[:16]}", {"kid": key.kid})
        if app.keys.cap_key_exists():
            rsa = app.keys.rotate_cap_key(cap_subject(app))
            details = {"kid": rsa.kid, "kind": "rsa"}
            u.audit(actor, "key.rotated", f"key:{str(rsa.kid)[:16]}", details)
        return key


def cap_certificate_request(app: App, actor: str) -> bytes:
    """A certificate signing request (PEM) for the CAP key, to have a CA sign it."""
    with app.unit() as u:
        key = cap_signing_key(app, u, actor)
        csr = app.keys.cap_csr(cap_subject(app))
        u.audit(actor, "key.csr", f"key:{str(key.kid)[:16]}", {"kid": key.kid})
        return csr


def import_cap_certificate(app: App, pem: bytes, actor: str) -> RSAKey:
    """Replace the CAP key's self-signed certificate with one a CA issued for it."""
    with app.unit() as u:
        key = app.keys.import_cap_certificate(pem)
        u.audit(actor, "key.certificate", f"key:{str(key.kid)[:16]}", {"kid": key.kid})
        return key


def cap_certificate(app: App, actor: str) -> bytes:
    """The CAP key's certificate chain as PEM (for ``xmlsec1 --trusted-pem``)."""
    with app.unit() as u:
        key = cap_signing_key(app, u, actor)
    return pem_chain(key)
