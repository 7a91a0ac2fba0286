"""Checking a released artifact: find its signature, verify it, say who signed and when.

Accepted: a compact JWS (a warning or a signed STIX bundle), a webhook body
``{"jws", "warning"}``, a printed liaison note (HTML), a signed CAP 1.2 message, and an
e-mail (.eml) with the warning's JWS attached. An artifact can carry an unsigned copy
beside the signature (a webhook body's ``warning``, a note's or an e-mail's text). That
copy must say what was signed: if it differs, the artifact was altered even though the
signature itself is intact.
"""

from __future__ import annotations

import email
import json
import re
import unicodedata
from datetime import datetime
from email import policy
from email.message import EmailMessage
from typing import Any, cast

import lxml.html
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from joserfc.jwk import KeySet, OKPKey, RSAKey

from tearline.errors import SignatureError
from tearline.release import Verified, verify
from tearline.release.cap import CAP_NS, validate_cap
from tearline.release.xmldsig import PublicKey, verify_enveloped

_COMPACT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_MAIL = re.compile(
    r"^(?:[A-Za-z0-9-]+:[^\n]*\n(?:[ \t][^\n]*\n)*)*(?:MIME-Version|Content-Type):", re.I
)


def _squash(text: str) -> str:
    """Whitespace collapsed, invisible format characters (bidi isolates) dropped."""
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(visible.split())


def _check_json_copy(data: dict[str, Any], verified: Verified) -> None:
    copy = data.get("warning")
    if copy is not None and copy != verified.document:
        raise SignatureError("the warning beside the signature differs from the signed warning")


def _visible(html: str) -> str:
    root = cast(lxml.html.HtmlElement, lxml.html.document_fromstring(html))
    return _squash(root.text_content())


def _check_html_copy(content: str, verified: Verified) -> None:
    signed = verified.document.get("text")
    if isinstance(signed, str) and _squash(signed) not in _visible(content):
        raise SignatureError("the note's text differs from the signed warning")


def _keys(keys: KeySet) -> dict[str, PublicKey]:
    """The keys that may sign CAP, by key ID: Ed25519, and RSA (an X.509 signature)."""
    out: dict[str, PublicKey] = {}
    for k in keys.keys:
        if isinstance(k, OKPKey) and isinstance(k.public_key, Ed25519PublicKey):
            out[str(k.kid)] = k.public_key
        elif isinstance(k, RSAKey) and isinstance(k.public_key, RSAPublicKey):
            out[str(k.kid or k.thumbprint())] = k.public_key
    return out


def _verify_cap(data: bytes, keys: KeySet) -> Verified:
    checked = verify_enveloped(data, _keys(keys))
    validate_cap(checked.root)

    def text(path: str) -> str | None:
        found = checked.root.findtext(path, namespaces={"c": CAP_NS})
        return found.strip() if found else None

    sent = text("c:sent")
    document = {
        "reference": text("c:info/c:parameter[c:valueName='reference']/c:value")
        or text("c:identifier"),
        "sender": text("c:info/c:senderName") or text("c:sender"),
        "issued_at": sent,
        "msg_type": text("c:msgType"),
        "cap_identifier": text("c:identifier"),
        "references": text("c:references"),
    }
    signed_at = datetime.fromisoformat(sent) if sent else None
    return Verified(document=document, key_id=checked.key_name, signed_at=signed_at, form="cap")


def _verify_email(content: str, keys: KeySet) -> Verified:
    msg = email.message_from_string(content, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    tokens, plain, html = [], [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype, name = part.get_content_type(), part.get_filename() or ""
        payload = part.get_payload(decode=True)
        body = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
        if ctype == "application/jose" or name.endswith(".jws"):
            tokens.append(body.strip())
        elif ctype == "text/plain":
            plain.append(body)
        elif ctype == "text/html":
            html.append(body)
    if len(tokens) != 1:
        raise SignatureError("the e-mail must carry exactly one signature (a .jws attachment)")
    verified = verify(tokens[0], keys)
    texts = [t["text"] for t in (verified.document.get("texts") or {}).values()]
    texts = texts or [str(verified.document.get("text", ""))]
    body = _squash("\n".join(plain))
    for signed in texts:
        if _squash(signed) not in body:
            raise SignatureError("the e-mail's text differs from the signed warning")
    for page in html:
        visible = _visible(page)
        for signed in texts:
            for line in signed.splitlines():
                if _squash(line.removeprefix("  - ")) not in visible:
                    raise SignatureError("the e-mail's HTML differs from the signed warning")
    return Verified(verified.document, verified.key_id, verified.signed_at, form="email")


def verify_artifact(content: str | bytes, keys: KeySet) -> Verified:
    """Verify any released form of a warning; raise SignatureError saying what is wrong.

    Give bytes where you can: an XML file says its own encoding.
    """
    raw = content if isinstance(content, bytes) else content.encode("utf-8")
    head = raw.lstrip()[:2000]
    if head.startswith(b"<?xml") or (head.startswith(b"<") and CAP_NS.encode() in head):
        return _verify_cap(raw.strip(), keys)
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    stripped = content.strip()
    if _MAIL.match(content.replace("\r\n", "\n")):
        return _verify_email(content, keys)
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            raise SignatureError("the file looks like JSON but is malformed") from None
        if isinstance(data, dict) and data.get("type") == "bundle":
            raise SignatureError(
                "an unsigned STIX bundle: verify its signed form (the stix_jws export) instead"
            )
        if not isinstance(data, dict) or not isinstance(data.get("jws"), str):
            raise SignatureError('the JSON has no "jws" field holding a signature')
        verified = verify(data["jws"], keys)
        _check_json_copy(data, verified)
        return verified
    found = set(_COMPACT.findall(content))
    if not found:
        raise SignatureError("no signature (compact JWS) found in the file")
    if len(found) > 1:
        raise SignatureError("the file holds more than one signature; verify them one by one")
    verified = verify(found.pop(), keys)
    if stripped.lower().startswith(("<!doctype html", "<html")):
        _check_html_copy(content, verified)
    return verified


def describe(v: Verified) -> str:
    """One line for people: what was checked, from whom, when, with which key."""
    d = v.document
    when = v.signed_at.isoformat() if v.signed_at else "at an unknown time"
    if v.form == "stix":
        objects: list[dict[str, Any]] = d.get("objects", [])
        report = next((o for o in objects if o.get("type") == "report"), {})
        refs = report.get("external_references") or [{}]
        what = f"STIX bundle {refs[0].get('external_id', d.get('id'))}"
        sender = refs[0].get("source_name", "an unknown sender")
    else:
        label = {"cap": "CAP alert ", "email": "e-mail "}.get(v.form, "")
        what = f"{label}{d.get('reference')}"
        sender = d.get("sender")
    return f"{what} from {sender}, signed {when} with key {v.key_id}; not altered"


def load_jwks(text: str) -> KeySet:
    try:
        return KeySet.import_key_set(json.loads(text))
    except (json.JSONDecodeError, ValueError, KeyError, TypeError) as exc:
        raise SignatureError(f"not a valid JWKS document: {exc}") from None
