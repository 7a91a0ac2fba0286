"""Signing and verifying warnings: compact JWS (RFC 7515) with Ed25519 (RFC 8037, RFC 9864).

A recipient who distrusts the sender can still check, with any JOSE library and the
published JWKS, who signed a warning and that not one byte of it was changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import rfc8785
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OKPKey

from tearline.errors import SignatureError

# RFC 9864's fully specified name; "EdDSA" (RFC 8037) is accepted from older signers.
ALGORITHM = "Ed25519"
_ACCEPTED = [ALGORITHM]
TYPE = "tearline-warning+jws"
STIX_TYPE = "stix+jws"  # a STIX bundle signed the same way


def sign(document: dict[str, Any], key: OKPKey, typ: str = TYPE) -> str:
    """Sign a JSON document; the payload is its canonical JSON (RFC 8785)."""
    header = {"alg": ALGORITHM, "kid": key.kid, "typ": typ}
    return jws.serialize_compact(header, rfc8785.dumps(document), key, algorithms=_ACCEPTED)


@dataclass(frozen=True)
class Verified:
    document: dict[str, Any]
    key_id: str
    signed_at: datetime | None
    form: str = "warning"  # what was checked: warning (JWS), cap, email, stix


def verify(token: str, keys: KeySet) -> Verified:
    """Check a compact JWS against a key set; raise SignatureError saying what failed."""
    token = token.strip()
    if token.count(".") != 2:
        raise SignatureError("not a compact JWS (expected three dot-separated parts)")
    try:
        obj = jws.deserialize_compact(token, keys, algorithms=_ACCEPTED)
    except JoseError as exc:
        raise SignatureError(f"signature does not verify: {exc.description or exc.error}") from None
    except ValueError as exc:  # malformed base64 or JSON inside the token
        raise SignatureError(f"malformed JWS: {exc}") from None
    headers = obj.headers()
    try:
        document = json.loads(obj.payload)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise SignatureError("the signed payload is not a JSON warning") from None
    if not isinstance(document, dict):
        raise SignatureError("the signed payload is not a JSON warning")
    issued = document.get("issued_at")
    if issued is None and document.get("type") == "bundle":  # a signed STIX bundle
        issued = next(
            (o.get("published") for o in document.get("objects", []) if o.get("type") == "report"),
            None,
        )
    try:
        signed_at = datetime.fromisoformat(issued) if isinstance(issued, str) else None
    except ValueError:
        signed_at = None
    form = "stix" if headers.get("typ") == STIX_TYPE else "warning"
    return Verified(
        document=document, key_id=str(headers.get("kid", "")), signed_at=signed_at, form=form
    )
