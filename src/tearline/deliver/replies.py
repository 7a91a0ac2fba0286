"""Signed reply links: a token bound to one delivery, with an expiry, that cannot be forged.

``<delivery id>.<expiry, unix seconds>.<HMAC-SHA256>`` in URL-safe base64; for an SMS,
a short form ``<id>-<expiry>-<18 hex digits of the HMAC>`` (base 36, its own key use).
The key is the deployment's reply secret (``$TEARLINE_HOME/keys/reply.secret``). Anyone holding the
link can answer for that delivery — as with any e-mailed link — but nobody can make a
link for another delivery, change the expiry, or use one after it has expired.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from functools import lru_cache

from tearline.errors import AuthError


class ReplyLinkInvalid(AuthError):
    """The link was altered, made up, or belongs to another deployment."""


class ReplyLinkExpired(AuthError):
    """The link was genuine but its time is over."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=8)
def _started(key: bytes) -> hmac.HMAC:
    """The HMAC with the key and the prefix already taken in, copied for each token: a
    token then hashes only its payload, and (unlike ``hmac.digest``) without letting go
    of the interpreter lock, which the worker's thread would take for milliseconds."""
    return hmac.new(key, b"tearline-reply/1:", hashlib.sha256)


def _mac(key: bytes, payload: str) -> str:
    mac = _started(key).copy()
    mac.update(payload.encode())
    return _b64(mac.digest())


def issue_token(key: bytes, delivery_id: int, expires: datetime) -> str:
    payload = _b64(f"{delivery_id}.{int(expires.timestamp())}".encode())
    return f"{payload}.{_mac(key, payload)}"


# A short link's MAC, in hex: 72 bits, beyond guessing through a web form, and the link
# still fits an SMS.
SHORT_MAC = 18


def _short_mac(key: bytes, payload: str) -> str:
    digest = hmac.new(key, b"tearline-reply-short/1:" + payload.encode(), hashlib.sha256)
    return digest.hexdigest()[:SHORT_MAC]


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def issue_short_token(key: bytes, delivery_id: int, expires: datetime) -> str:
    """The same authority in about 30 characters, for an SMS: ``<id>-<expiry>-<MAC>``
    (base 36, and 18 hex digits of the MAC)."""
    payload = f"{_base36(delivery_id)}-{_base36(int(expires.timestamp()))}"
    return f"{payload}-{_short_mac(key, payload)}"


def _read_short(key: bytes, token: str) -> tuple[int, datetime]:
    payload, _, mac = token.rpartition("-")
    if not payload or not hmac.compare_digest(mac, _short_mac(key, payload)):
        raise ReplyLinkInvalid("this reply link is not valid: it was altered or not issued here")
    delivery, _, expiry = payload.partition("-")
    try:
        return int(delivery, 36), datetime.fromtimestamp(int(expiry, 36), UTC)
    except ValueError:
        raise ReplyLinkInvalid("this reply link is not valid") from None


def read_token(key: bytes, token: str, now: datetime) -> int:
    """The delivery ID the token was issued for; raises if tampered with or expired."""
    if "." not in token:
        delivery_id, expires = _read_short(key, token)
        return _unexpired(delivery_id, expires, now)
    payload, _, mac = token.partition(".")
    if not payload or not mac or not hmac.compare_digest(mac, _mac(key, payload)):
        raise ReplyLinkInvalid("this reply link is not valid: it was altered or not issued here")
    try:
        delivery, expiry = _unb64(payload).decode().split(".")
        delivery_id, expires = int(delivery), datetime.fromtimestamp(int(expiry), UTC)
    except (ValueError, UnicodeDecodeError):
        raise ReplyLinkInvalid("this reply link is not valid") from None
    return _unexpired(delivery_id, expires, now)


def _unexpired(delivery_id: int, expires: datetime, now: datetime) -> int:
    if now > expires:
        raise ReplyLinkExpired(
            f"this reply link expired on {expires:%Y-%m-%d %H:%M} UTC; "
            "answer through your usual contact instead"
        )
    return delivery_id
