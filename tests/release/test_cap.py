"""CAP 1.2: valid against the OASIS schema we ship, the codes mapped from the assessment,
references on updates and cancellations, and an Ed25519 XML Signature that verifies —
with our verifier and with an independent one (the JDK's XML Signature API) — and fails
on one changed byte. Hostile XML is refused."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest
from joserfc.jwk import KeySet
from lxml import etree

from tearline.assess import Imminence, Severity
from tearline.errors import SignatureError
from tearline.keystore import KeyStore
from tearline.model import Place, PlacePrecision, Span, Tier
from tearline.release import MessageKind
from tearline.release.cap import CAP_NS, CERTAINTY, cap_codes, validate_cap
from tearline.release.phrases import LANGUAGES
from tearline.release.xmldsig import parse
from tearline.workflow.verification import verify_artifact
from tests.factories import moscow_threat
from tests.release.support import released
from tests.release.xml_checkers import java as find_java

FIXTURES = Path(__file__).parent / "fixtures"
NS = {"c": CAP_NS, "ds": "http://www.w3.org/2000/09/xmldsig#"}


def cap_of(tmp_path: Path, tier: Tier, lang: str = "en", **kw: object) -> tuple[bytes, KeyStore]:
    _, artifacts, store = released(tmp_path, tier, lang, **kw)  # type: ignore[arg-type]
    return artifacts["cap"].encode(), store


def root_of(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
@pytest.mark.parametrize("tier", list(Tier))
def test_schema_valid_and_signed_for_every_tier_and_language(
    tmp_path: Path, tier: Tier, lang: str
) -> None:
    xml, store = cap_of(tmp_path, tier, lang)
    root = root_of(xml)
    validate_cap(root)  # the OASIS CAP 1.2 schema, shipped in tearline/data/cap
    langs = [x.text for x in root.findall("c:info/c:language", NS)]
    assert langs == list(dict.fromkeys([lang, "en"]))
    assert root[-1].tag == "{http://www.w3.org/2000/09/xmldsig#}Signature"
    v = verify_artifact(xml, store.keyset())
    assert (v.form, v.document["reference"], v.key_id) == ("cap", "WRN-1", store.signing_key().kid)


def test_codes_are_mapped_from_the_assessment(tmp_path: Path) -> None:
    root = root_of(cap_of(tmp_path, Tier.ADVERSARY)[0])
    info = root.find("c:info", NS)
    assert info is not None
    got = {
        t: info.findtext(f"c:{t}", namespaces=NS)
        for t in ("category", "urgency", "severity", "certainty")
    }
    # the Moscow threat: window open now (imminent), killing of many (extreme), "likely"
    assert got == {
        "category": "Security",
        "urgency": "Immediate",
        "severity": "Extreme",
        "certainty": "Likely",
    }
    assert [x.text for x in info.findall("c:responseType", NS)] == ["Prepare", "Monitor"]
    assert root.findtext("c:scope", namespaces=NS) == "Private"
    assert root.findtext("c:addresses", namespaces=NS) == '"Recipient (adversary)"'
    assert root.findtext("c:code", namespaces=NS) == "TLP:AMBER"
    assert info.findtext("c:area/c:circle", namespaces=NS) == "55.75,37.62 32"
    assert info.findtext("c:area/c:areaDesc", namespaces=NS) == "Moscow, Russia"


def test_public_alert_scope_and_venue_circle(tmp_path: Path) -> None:
    public = root_of(cap_of(tmp_path, Tier.PUBLIC)[0])
    assert public.findtext("c:scope", namespaces=NS) == "Public"
    assert public.find("c:addresses", NS) is None
    info = public.find("c:info", NS)
    assert info is not None
    assert [x.text for x in info.findall("c:responseType", NS)] == ["Avoid", "Monitor"]
    assert "Extremists are reported" in (info.findtext("c:description", namespaces=NS) or "")
    ally = root_of(cap_of(tmp_path / "ally", Tier.ALLY)[0])
    assert ally.findtext("c:info/c:area/c:circle", namespaces=NS) == "55.8253,37.3886 1"


def test_a_small_towns_alert_has_a_circle_around_the_town(tmp_path: Path) -> None:
    town = Place(
        Span(0, 8, "Tecoluca"), PlacePrecision.CITY, country="SV", city="Tecoluca",
        lat=13.80123, lon=-89.01987,  # the event's own point, never sent
    )  # fmt: skip
    xml, _ = cap_of(tmp_path, Tier.ADVERSARY, event=moscow_threat(place=town))
    area = root_of(xml).find("c:info/c:area", namespaces=NS)
    assert area is not None
    assert area.findtext("c:circle", namespaces=NS) == "13.79,-89.01 5"  # GeoNames' centre


def test_icd203_bands_map_to_cap_certainty() -> None:
    assert CERTAINTY["almost certain"] == CERTAINTY["likely"] == "Likely"
    assert CERTAINTY["roughly even chance"] == CERTAINTY["unlikely"] == "Possible"
    assert CERTAINTY["almost no chance"] == "Unlikely"
    codes = cap_codes(
        public=True, kind="alert", imminence=Imminence.DISTANT, severity=Severity.SEVERE, band=None
    )
    assert (codes["urgency"], codes["severity"], codes["certainty"]) == (
        "Future",
        "Severe",
        "Unknown",
    )


@pytest.mark.parametrize(
    ("kind", "msg_type", "response"),
    [
        (MessageKind.UPDATE, "Update", "Prepare"),
        (MessageKind.CANCEL, "Cancel", "None"),
        (MessageKind.ALL_CLEAR, "Cancel", "AllClear"),
    ],
)
def test_updates_and_cancellations_reference_the_original(
    tmp_path: Path, kind: MessageKind, msg_type: str, response: str
) -> None:
    original, _, _ = released(tmp_path, Tier.ADVERSARY)
    xml, _ = cap_of(tmp_path / "2", Tier.ADVERSARY, kind=kind, reference="WRN-7", previous=original)
    root = root_of(xml)
    validate_cap(root)
    assert root.findtext("c:msgType", namespaces=NS) == msg_type
    assert root.findtext("c:references", namespaces=NS) == (
        "Test-agency,Test-agency-WRN-1,2024-03-06T09:10:00+00:00"
    )
    assert root.findtext("c:incidents", namespaces=NS) == "Test-agency-WRN-1"
    assert root.findtext("c:info/c:responseType", namespaces=NS) == response


def test_one_changed_byte_breaks_the_signature(tmp_path: Path) -> None:
    xml, store = cap_of(tmp_path, Tier.PUBLIC)
    keys = store.keyset()
    tampered = xml.replace(b"Moscow, Russia", b"Moscow, Russie", 1)
    with pytest.raises(SignatureError, match="altered"):
        verify_artifact(tampered, keys)
    root = root_of(xml)
    value = root.find("ds:Signature/ds:SignedInfo/ds:Reference/ds:DigestValue", NS)
    assert value is not None
    assert value.text
    forged = xml.replace(value.text.encode(), base64.b64encode(b"\0" * 32))
    with pytest.raises(SignatureError, match="altered"):
        verify_artifact(forged, keys)


def test_a_moved_or_doubled_signature_is_refused(tmp_path: Path) -> None:
    xml, store = cap_of(tmp_path, Tier.PUBLIC)
    root = root_of(xml)
    sig = root[-1]
    root.remove(sig)
    root.insert(0, sig)
    with pytest.raises(SignatureError, match="last element"):
        verify_artifact(etree.tostring(root), store.keyset())


def test_an_unknown_key_is_named(tmp_path: Path) -> None:
    xml, _ = cap_of(tmp_path, Tier.PUBLIC)
    other = KeyStore(tmp_path / "other")
    with pytest.raises(SignatureError, match="not among the known keys"):
        verify_artifact(xml, other.keyset())


def test_hostile_xml_is_refused_without_network() -> None:
    xee = (FIXTURES / "cap" / "testdata_xee.cap").read_bytes()
    with pytest.raises(SignatureError, match="DOCTYPE"):
        parse(xee)
    with pytest.raises(SignatureError):
        verify_artifact(xee, _empty_keys())


def test_someone_elses_signed_cap_does_not_verify() -> None:
    foreign = (FIXTURES / "cap" / "testdata_earthquake_signed.cap").read_bytes()
    with pytest.raises(SignatureError, match="unsupported"):
        verify_artifact(foreign, _empty_keys())
    unsigned = (FIXTURES / "cap" / "validator_war_examples_43b080713727.cap").read_bytes()
    with pytest.raises(SignatureError, match="not signed"):
        verify_artifact(unsigned, _empty_keys())


def test_the_shipped_schema_rejects_invalid_cap() -> None:
    invalid = etree.fromstring((FIXTURES / "cap" / "testdata_invalid.cap").read_bytes())
    with pytest.raises(SignatureError, match=r"not valid CAP 1\.2"):
        validate_cap(invalid)
    validate_cap(
        etree.fromstring(
            (FIXTURES / "cap" / "validator_war_examples_43b080713727.cap").read_bytes()
        )
    )


def _empty_keys() -> KeySet:
    return KeySet([])


def _spki_der(store: KeyStore) -> bytes:
    (jwk,) = store.jwks()["keys"]
    raw = base64.urlsafe_b64decode(jwk["x"] + "==")
    return bytes.fromhex("302a300506032b6570032100") + raw  # SubjectPublicKeyInfo, Ed25519


@pytest.mark.slow
def test_the_jdk_verifies_our_cap_signature_and_rejects_a_tampered_one(tmp_path: Path) -> None:
    java = find_java()
    xml, store = cap_of(tmp_path, Tier.ADVERSARY, "ru")
    key = tmp_path / "key.der"
    key.write_bytes(_spki_der(store))
    good, bad = tmp_path / "good.xml", tmp_path / "bad.xml"
    good.write_bytes(xml)
    bad.write_bytes(xml.replace("Москва".encode(), "Москвa".encode(), 1))  # one Latin 'a'
    source = str(FIXTURES / "VerifyXmlSignature.java")
    ok = subprocess.run(
        [java, source, str(good), str(key)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (ok.returncode, ok.stdout.strip()) == (0, "VALID"), ok.stderr
    no = subprocess.run(
        [java, source, str(bad), str(key)], capture_output=True, text=True, timeout=120, check=False
    )
    assert (no.returncode, no.stdout.strip()) == (1, "INVALID"), no.stderr
    assert json.loads(json.dumps(store.jwks()))["keys"][0]["kid"] in xml.decode()


def test_after_rotation_old_cap_signatures_still_verify(tmp_path: Path) -> None:
    xml, store = cap_of(tmp_path, Tier.ALLY)
    old_kid = store.signing_key().kid
    new = store.rotate()
    assert new.kid != old_kid
    v = verify_artifact(xml, store.keyset())
    assert v.key_id == old_kid
