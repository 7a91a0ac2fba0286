"""Identifiers Tearline generates itself never trip the leak check's built-in patterns.

STIX object IDs are UUIDs laid over a hash; about one warning in 150 had one shaped like
a report serial ("report--…-ffed-4402-9978-…") and was refused, again on every retry.
Here 100,000 warnings' worth of the identifiers the release path makes — by the real
generators — are checked, and a real serial or protected term beside them still is not
excused."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import re
import secrets
import uuid
from email.message import EmailMessage
from email.policy import default
from types import SimpleNamespace
from typing import Any

import pytest
from joserfc.jwk import OKPKey
from lxml import etree

from tearline.errors import LeakDetected
from tearline.release import ProtectedTerm, ensure_no_leak, find_leaks, sign
from tearline.release.cap import cap_identifier
from tearline.release.leak_check import BUILTIN_TERMS, fold
from tearline.release.stix import _Builder
from tearline.release.xmldsig import sign_enveloped

WARNINGS = 100_000
CHUNK = 2_000
STIX_KINDS = ("identity", "threat-actor", "location", "report", "note", "relationship")
_SERIAL = next(t for t in BUILTIN_TERMS if t.id == "builtin:report-serial").pattern
assert _SERIAL is not None
SERIAL: re.Pattern[str] = _SERIAL  # the bare pattern, without the generated-ID rule


def _key() -> OKPKey:
    key = OKPKey.generate_key("Ed25519", parameters={"alg": "Ed25519"})
    key.ensure_kid()
    return key


def stix_id(seed: str, kind: str, name: str) -> str:
    """An object ID as the STIX builder makes it (``_Builder.id``)."""
    return _Builder.id(SimpleNamespace(seed=seed), kind, name)  # type: ignore[arg-type]


def one_warning(n: int, rng: random.Random, key: OKPKey) -> dict[str, Any]:
    """The identifiers one warning's release carries."""
    reference = f"WRN-{n}"
    seed = f"Agency {rng.randrange(10**6)}|{reference}"
    return {
        "stix": [stix_id(seed, k, f"{k}-{i}") for k in STIX_KINDS for i in range(2)],
        "uuid": str(uuid.uuid4()),
        "idempotency": f"tl-{uuid.uuid4().hex}",
        "cap": cap_identifier(f"Agency {rng.randrange(10**6)}", reference),
        "reply": secrets.token_urlsafe(32),
        "sha256": hashlib.sha256(os.urandom(32)).hexdigest(),
        "digest": base64.b64encode(hashlib.sha256(os.urandom(32)).digest()).decode(),
        "jws": sign({"n": n, "payload": base64.b64encode(os.urandom(24)).decode()}, key),
    }


@pytest.mark.parametrize("part", range(4))  # four quarters, run side by side under -n
def test_100000_warnings_of_generated_identifiers_never_trip_a_builtin_pattern(
    part: int,
) -> None:
    rng = random.Random(part)
    keys = [_key() for _ in range(16)]  # key IDs: JWK thumbprints, in every JWS header
    raw_serials = 0  # how often the report-serial shape appears at all: the test bites
    quarter = WARNINGS // 4
    for start in range(part * quarter, (part + 1) * quarter, CHUNK):
        batch = [one_warning(n, rng, keys[n % len(keys)]) for n in range(start, start + CHUNK)]
        raw_serials += sum(bool(SERIAL.search(fold(i))) for w in batch for i in w["stix"])
        text = json.dumps(batch) + "\n" + " ".join(str(k.kid) for k in keys)
        folded = fold(text)
        fired = [t.id for t in BUILTIN_TERMS if t.matches(folded, "", "") is not None]
        assert fired == [], start
    assert raw_serials > 20  # ~0.05 % of UUIDs have the shape; every one was excused


def test_generated_identifiers_in_every_decoded_view_are_not_leaks() -> None:
    """The same through ``find_leaks``: as JSON, and each JWS header and payload decoded."""
    key = _key()
    rng = random.Random(7)
    batch = [one_warning(n, rng, key) for n in range(CHUNK)]
    assert find_leaks({"ids": json.dumps(batch)}, []) == []


def test_signatures_and_mime_parts_never_trip_a_builtin_pattern() -> None:
    """XML signature values and digests, and e-mails with base64 parts and MIME boundaries."""
    private = _key().private_key
    for n in range(500):
        root = etree.Element("alert")
        etree.SubElement(root, "identifier").text = base64.b64encode(os.urandom(30)).decode()
        sign_enveloped(root, private, f"kid-{n}")  # type: ignore[arg-type]
        msg = EmailMessage(policy=default)
        msg["Message-ID"] = f"<tl-{uuid.uuid4().hex}@tearline.invalid>"
        msg.set_content("A warning.")
        msg.add_attachment(os.urandom(3000), "application", "octet-stream", filename="x.bin")
        artifacts = {"cap": etree.tostring(root).decode(), "email": msg.as_string()}
        assert find_leaks(artifacts, []) == [], n


ID = "report--1a2b3c4d-ffed-4402-9978-0123456789ab"  # the shape of the refusal in issue 21


def test_a_stix_id_shaped_like_a_serial_is_not_a_leak() -> None:
    assert SERIAL.search(ID)  # the bare pattern fires on it
    bundle = json.dumps({"type": "bundle", "objects": [{"id": ID, "type": "report"}]})
    assert find_leaks({"WRN-167 stix": bundle}, []) == []
    assert find_leaks({"WRN-167 stix": ID.upper()}, []) == []


@pytest.mark.parametrize(
    "written",
    [
        "source report LR-2024-0306-117",
        "LR-2024-0306-117 " + ID,  # next to a generated ID
        f"{ID} ffed-4402-9978",  # the same digits, on their own
        f"{ID}-ffed-4402-9978",  # glued on, outside the UUID
    ],
)
def test_a_real_serial_beside_a_generated_id_is_still_caught(written: str) -> None:
    bundle = json.dumps({"objects": [{"id": ID, "description": written}]})
    (leak,) = find_leaks({"stix": bundle}, [])
    assert leak.term.id == "builtin:report-serial"


@pytest.mark.parametrize("term", ["ffed", "NIGHTJAR"])
def test_a_protected_term_inside_or_beside_a_generated_id_is_still_caught(term: str) -> None:
    text = f"{ID} {term}-4402" if term != "ffed" else ID
    protected = ProtectedTerm("PT-1", "code_word", term=term)
    (leak,) = find_leaks({"stix": text}, [protected])
    assert leak.term.id == "PT-1"


def test_a_refusal_names_the_fact_that_carries_it_and_never_its_text() -> None:
    protected = ProtectedTerm("PT-1", "code_word", term="NIGHTJAR")
    facts = {"place": {"city": "Moscow"}, "target": {"name": "the Nightjar club"}}
    with pytest.raises(LeakDetected) as refused:
        ensure_no_leak({"WRN-1 text": "Guard the Nightjar club."}, [protected], facts)
    message = str(refused.value)
    assert "the fact 'target' carries it" in message
    assert "ightjar" not in message.lower()


def test_a_refusal_no_fact_carries_says_so() -> None:
    facts = {"place": {"city": "Moscow"}}
    with pytest.raises(LeakDetected) as refused:
        ensure_no_leak({"WRN-1 stix": "ab-1234-5678"}, [], facts)
    message = str(refused.value)
    assert "builtin:report-serial" in message
    assert "no fact carries it" in message
    assert "coarsen or withhold" not in message
    assert "ab-1234-5678" not in message
    with pytest.raises(LeakDetected, match="the fact 'source' carries it"):
        ensure_no_leak({"WRN-1 text": "per LR-2024-0306-117"}, [], {"source": "LR-2024-0306-117"})
