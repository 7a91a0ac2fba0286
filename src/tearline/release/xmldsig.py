"""Enveloped XML Signatures with Ed25519 (RFC 9231 ``eddsa-ed25519``), for signed CAP.

One fixed profile, made and checked the same way: the signature is the last child of the
root element; one Reference to the whole document (``URI=""``) with the enveloped-signature
and exclusive canonicalisation transforms; SHA-256 digest; the key named by ``KeyName``
(the key's JWK thumbprint, as in the published JWKS). Verification accepts nothing else,
so a signature cannot be moved, wrapped or weakened.

Why not signxml: signxml 5.2 (the latest) has no Ed25519 (XML-Security/signxml#216), nor
has Debian 12's xmlsec1 1.2.37. The tests check these signatures with an independent
implementation, the JDK's XML Signature API (Apache Santuario), and with Python's own
C14N and OpenSSL.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from lxml import etree

from tearline.errors import SignatureError

DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
ED25519 = "http://www.w3.org/2021/04/xmldsig-more#eddsa-ed25519"


def _ds(tag: str) -> str:
    return f"{{{DS}}}{tag}"


def safe_parser() -> etree.XMLParser:
    """No DTDs, no entities, no network, no huge trees: hostile XML is refused."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


def parse(data: bytes) -> etree._Element:
    """Parse untrusted XML; a DOCTYPE (and so any entity) is refused outright."""
    try:
        tree = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise SignatureError(f"not well-formed XML: {exc}") from None
    docinfo = tree.getroottree().docinfo
    if getattr(docinfo, "doctype", "") or docinfo.internalDTD is not None:
        raise SignatureError("the XML declares a DOCTYPE; entities and DTDs are not accepted")
    return tree


def _c14n(node: etree._Element) -> bytes:
    return etree.tostring(node, method="c14n", exclusive=True, with_comments=False)


def _without_signature(root: etree._Element, sig: etree._Element) -> etree._Element:
    """The enveloped-signature transform: the document minus the Signature element.

    lxml's remove() would also drop the text after the element; the transform keeps it.
    """
    doc = copy.deepcopy(root)
    index = list(root).index(sig)
    victim = doc[index]
    tail = victim.tail or ""
    previous = victim.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        doc.text = (doc.text or "") + tail
    doc.remove(victim)
    return doc


def _digest(node: etree._Element) -> str:
    return base64.b64encode(hashlib.sha256(_c14n(node)).digest()).decode()


def sign_enveloped(root: etree._Element, key: Ed25519PrivateKey, key_name: str) -> etree._Element:
    """Append the signature to ``root`` (in place) and return ``root``."""
    digest = _digest(root)
    sig = etree.SubElement(root, _ds("Signature"), nsmap={"ds": DS})
    info = etree.SubElement(sig, _ds("SignedInfo"))
    etree.SubElement(info, _ds("CanonicalizationMethod"), Algorithm=EXC_C14N)
    etree.SubElement(info, _ds("SignatureMethod"), Algorithm=ED25519)
    ref = etree.SubElement(info, _ds("Reference"), URI="")
    transforms = etree.SubElement(ref, _ds("Transforms"))
    etree.SubElement(transforms, _ds("Transform"), Algorithm=ENVELOPED)
    etree.SubElement(transforms, _ds("Transform"), Algorithm=EXC_C14N)
    etree.SubElement(ref, _ds("DigestMethod"), Algorithm=SHA256)
    etree.SubElement(ref, _ds("DigestValue")).text = digest
    value = etree.SubElement(sig, _ds("SignatureValue"))
    value.text = base64.b64encode(key.sign(_c14n(info))).decode()
    etree.SubElement(etree.SubElement(sig, _ds("KeyInfo")), _ds("KeyName")).text = key_name
    return root


@dataclass(frozen=True)
class VerifiedXml:
    root: etree._Element  # the signed document, signature included
    key_name: str


def _one(parent: etree._Element, tag: str, what: str) -> etree._Element:
    found = parent.findall(_ds(tag))
    if len(found) != 1:
        raise SignatureError(f"the signature must have exactly one {what}")
    return found[0]


def _check_profile(sig: etree._Element) -> tuple[etree._Element, str, str]:
    info = _one(sig, "SignedInfo", "SignedInfo")
    if _one(info, "CanonicalizationMethod", "CanonicalizationMethod").get("Algorithm") != EXC_C14N:
        raise SignatureError("unsupported canonicalisation (expected exclusive C14N)")
    if _one(info, "SignatureMethod", "SignatureMethod").get("Algorithm") != ED25519:
        raise SignatureError("unsupported signature method (expected Ed25519, RFC 9231)")
    ref = _one(info, "Reference", "Reference")
    if ref.get("URI") != "":
        raise SignatureError('the signature must cover the whole document (Reference URI="")')
    transforms = [t.get("Algorithm") for t in _one(ref, "Transforms", "Transforms")]
    if transforms != [ENVELOPED, EXC_C14N]:
        raise SignatureError("unexpected transforms in the signature's Reference")
    if _one(ref, "DigestMethod", "DigestMethod").get("Algorithm") != SHA256:
        raise SignatureError("unsupported digest (expected SHA-256)")
    digest = (_one(ref, "DigestValue", "DigestValue").text or "").strip()
    key_name = (_one(_one(sig, "KeyInfo", "KeyInfo"), "KeyName", "KeyName").text or "").strip()
    return info, digest, key_name


def verify_enveloped(data: bytes, keys: Mapping[str, Ed25519PublicKey]) -> VerifiedXml:
    """Check the document's enveloped signature against ``keys`` (by KeyName)."""
    root = parse(data)
    signatures = root.findall(".//" + _ds("Signature"))
    if not signatures:
        raise SignatureError("the XML is not signed (no ds:Signature)")
    if len(signatures) > 1 or signatures[0].getparent() is not root:
        raise SignatureError("the signature must be one ds:Signature directly under the root")
    sig = signatures[0]
    if list(root)[-1] is not sig:
        raise SignatureError("the signature must be the last element of the document")
    info, digest, key_name = _check_profile(sig)
    key = keys.get(key_name)
    if key is None:
        raise SignatureError(f"signed with key {key_name!r}, which is not among the known keys")
    try:
        value = base64.b64decode(
            _one(sig, "SignatureValue", "SignatureValue").text or "", validate=True
        )
    except ValueError:
        raise SignatureError("the SignatureValue is not base64") from None
    try:
        key.verify(value, _c14n(info))
    except InvalidSignature:
        raise SignatureError("signature does not verify: the signed part was altered") from None
    if not hmac.compare_digest(_digest(_without_signature(root, sig)), digest):
        raise SignatureError("the document was altered after it was signed (digest mismatch)")
    return VerifiedXml(root, key_name)
