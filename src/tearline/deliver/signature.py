"""The webhook's HMAC signature: how a receiver knows a POST came from this deployment.

Header ``Tearline-Signature: t=<unix seconds>,v1=<hex>`` where ``v1`` is
HMAC-SHA256(secret, ``"<t>." + raw body``). A receiver recomputes it over the raw bytes
it received, compares in constant time and refuses a ``t`` older than five minutes
(a replayed request). The JWS inside the body proves who wrote the warning; the HMAC
proves which deployment sent this request to this endpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "Tearline-Signature"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A fresh shared secret for one contact point (32 random bytes, URL-safe text)."""
    return "whsec_" + secrets.token_urlsafe(32)


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign_body(secret: str, body: bytes, now: float | None = None) -> str:
    """The header value for ``body``."""
    timestamp = int(time.time() if now is None else now)
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


class Signer:
    """``sign_body`` for many bodies that begin alike (one warning to many endpoints, each
    body ending in its own reply link): the HMAC of ``"<t>." + head`` is computed once per
    secret, head and second and copied for each body, so a delivery hashes only its tail.
    The header is the same as ``sign_body(secret, head + tail)``'s."""

    LIMIT = 256  # secret × head pairs kept for the current second

    def __init__(self) -> None:
        self._second = -1
        self._started: dict[tuple[str, bytes], hmac.HMAC] = {}

    def sign(self, secret: str, head: bytes, tail: bytes, now: float | None = None) -> str:
        timestamp = int(time.time() if now is None else now)
        if timestamp != self._second or len(self._started) >= self.LIMIT:
            self._second, self._started = timestamp, {}
        started = self._started.get((secret, head))
        if started is None:
            started = hmac.new(secret.encode(), f"{timestamp}.".encode(), hashlib.sha256)
            started.update(head)
            self._started[(secret, head)] = started
        mac = started.copy()
        mac.update(tail)
        return f"t={timestamp},v1={mac.hexdigest()}"


def verify_body(
    secret: str,
    body: bytes,
    header: str | None,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and is recent enough."""
    if not header:
        return False
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    return hmac.compare_digest(fields.get("v1", ""), _mac(secret, timestamp, body))
