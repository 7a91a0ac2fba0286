"""Checking a released artifact: find its signature, verify it, say who signed and when.

An artifact can carry an unsigned copy beside the signature (a webhook body's
``warning``, a printed note's text). That copy must say what was signed: if it differs,
the artifact was altered even though the signature itself is intact.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

import lxml.html
from joserfc.jwk import KeySet

from tearline.errors import SignatureError
from tearline.release import Verified, verify

_COMPACT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def _squash(text: str) -> str:
    return " ".join(text.split())


def _check_json_copy(data: dict[str, Any], verified: Verified) -> None:
    copy = data.get("warning")
    if copy is not None and copy != verified.document:
        raise SignatureError("the warning beside the signature differs from the signed warning")


def _check_html_copy(content: str, verified: Verified) -> None:
    root = cast(lxml.html.HtmlElement, lxml.html.document_fromstring(content))
    visible = _squash(root.text_content())
    signed = verified.document.get("text")
    if isinstance(signed, str) and _squash(signed) not in visible:
        raise SignatureError("the note's text differs from the signed warning")


def verify_artifact(content: str, keys: KeySet) -> Verified:
    """Verify a .jws file, a webhook body ``{"jws", "warning"}`` or a printed liaison note."""
    stripped = content.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            raise SignatureError("the file looks like JSON but is malformed") from None
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


def load_jwks(text: str) -> KeySet:
    try:
        return KeySet.import_key_set(json.loads(text))
    except (json.JSONDecodeError, ValueError, KeyError, TypeError) as exc:
        raise SignatureError(f"not a valid JWKS document: {exc}") from None
