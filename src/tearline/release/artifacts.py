"""Every released form of one warning, rendered from its signed document.

``render_artifacts(document, key)`` returns the artifacts by format name — the
interface the delivery channels read (``WarningRecord.artifacts``):

=============  ==============================================================
``jws``        compact JWS of the warning document (RFC 7515, Ed25519)
``text``       the plain-text warning in the recipient's language
``alert``      the embassy-style form: Location / Event / Actions to take
``sms``        the ≤160-character form
``email``      RFC 5322 multipart text + HTML, the JWS and the CAP attached
``cap``        OASIS CAP 1.2, one <info> per language, enveloped XML Signature
               (Ed25519; RSA-SHA256 with X.509 when given ``cap_key``)
``stix``       STIX 2.1 bundle (JSON)
``stix_jws``   the same bundle signed as a compact JWS
``text.en``    the same forms in English when the recipient reads another language
=============  ==============================================================

Without a key (a draft, before approval) the same forms are rendered unsigned, so the
leak check sees every format before anything is signed.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from joserfc.jwk import OKPKey, RSAKey

from tearline.release.cap import cap_alert, cap_bytes, pretty
from tearline.release.mail import email_message
from tearline.release.render import ordered_texts
from tearline.release.signing import STIX_TYPE, sign
from tearline.release.stix import stix_bundle
from tearline.release.xmldsig import sign_enveloped, sign_enveloped_rsa

# Formats a user can ask for by name (``tearline export --format``).
FORMATS = ("text", "alert", "sms", "email", "cap", "stix", "stix_jws", "jws")


def render_artifacts(
    document: dict[str, Any], key: OKPKey | None, cap_key: RSAKey | None = None
) -> dict[str, str]:
    """All forms of the warning; signed with ``key`` when one is given, and the CAP
    with ``cap_key`` (RSA-SHA256, its certificate in X509Data) when that is given too."""
    out: dict[str, str] = {}
    primary = document["language"]
    for lang, t in ordered_texts(document):
        suffix = "" if lang == primary else f".{lang}"
        out[f"text{suffix}"] = t["text"]
        out[f"alert{suffix}"] = t["alert"]
        out[f"sms{suffix}"] = t["sms"]
    jws = sign(document, key) if key is not None else None
    alert = pretty(cap_alert(document))
    if key is not None and cap_key is not None:
        rsa = cap_key.private_key
        if not isinstance(rsa, RSAPrivateKey):
            raise TypeError("CAP's X.509 signing keys are RSA")
        chain = cap_key.as_dict(private=False).get("x5c") or []
        alert = sign_enveloped_rsa(alert, rsa, [chain] if isinstance(chain, str) else chain)
    elif key is not None:
        private = key.private_key
        if not isinstance(private, Ed25519PrivateKey):
            raise TypeError("signing keys are Ed25519")
        sign_enveloped(alert, private, str(key.kid))
    cap = cap_bytes(alert)
    out["cap"] = cap.decode("utf-8")
    english = document["texts"].get("en") or document["texts"][primary]
    out["stix"] = stix_bundle(document, english)
    if key is not None:
        out["stix_jws"] = sign(json.loads(out["stix"]), key, typ=STIX_TYPE)
    out["email"] = email_message(
        document, jws=jws, cap=cap, key_id=str(key.kid) if key is not None else None
    )
    if jws is not None:
        out["jws"] = jws
    return out
