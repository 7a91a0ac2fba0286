"""Enveloped XML Signatures for signed CAP: Ed25519 (RFC 9231) or RSA-SHA256 with X.509.

One fixed shape, made and checked the same way for both: the signature is the last child
of the root element; one Reference to the whole document (``URI=""``) with the
enveloped-signature and exclusive canonicalisation transforms; SHA-256 digest. An Ed25519
signature names its key by ``KeyName`` (the key's JWK thumbprint, as in the published
JWKS); an RSA-SHA256 one carries the signer's certificate in ``X509Data``, as alerting hubs
and ``xmlsec1`` expect, and is checked against the published RSA key that the certificate
holds — never against the certificate alone, which anyone can make. Verification accepts
nothing else, so a signature cannot be moved, wrapped or weakened.

Ed25519 signatures are made here: signxml 5.2 (the latest) has no Ed25519
(XML-Security/signxml#216), nor has Debian 12's xmlsec1 1.2.37; the tests check them with
the JDK's XML Signature API (Apache Santuario). RSA-SHA256 signatures are made by signxml
and checked in the tests by xmlsec1 and the JDK as well as here.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from lxml import etree
from signxml.algorithms import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConstructionMethod,
    SignatureMethod,
)
from signxml.signer import XMLSigner

from tearline.errors import SignatureError

DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
ED25519 = "http://www.w3.org/2021/04/xmldsig-more#eddsa-ed25519"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SIGNATURE_METHODS = {ED25519: "Ed25519 (RFC 9231)", RSA_SHA256: "RSA-SHA256"}
MIN_RSA_BITS = 2048  # a smaller RSA key is refused as too weak

PublicKey = Ed25519PublicKey | RSAPublicKey


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


def sign_enveloped_rsa(root: etree._Element, key: RSAPrivateKey, x5c: list[str]) -> etree._Element:
    """A signed copy of ``root``: RSA-SHA256, the signer's certificate (then any chain) in
    ``X509Data``; the same shape as the Ed25519 signature, made by signxml. ``x5c`` is
    the chain as a JWK holds it (RFC 7517: base64 DER, the signer's certificate first)."""
    if not x5c:
        raise SignatureError("the RSA key has no certificate (x5c) to sign CAP with")
    certificates = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in x5c]
    signer = XMLSigner(
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed: etree._Element = signer.sign(root, key=key, cert=certificates)
    return signed


@dataclass(frozen=True)
class VerifiedXml:
    root: etree._Element  # the signed document, signature included
    key_name: str  # the key's ID in the published JWKS
    method: str = "Ed25519 (RFC 9231)"  # which of SIGNATURE_METHODS signed it


def _one(parent: etree._Element, tag: str, what: str) -> etree._Element:
    found = parent.findall(_ds(tag))
    if len(found) != 1:
        raise SignatureError(f"the signature must have exactly one {what}")
    return found[0]


def _check_profile(sig: etree._Element) -> tuple[etree._Element, str, str]:
    """The signature's SignedInfo, digest and method, if it has the one accepted shape."""
    info = _one(sig, "SignedInfo", "SignedInfo")
    if _one(info, "CanonicalizationMethod", "CanonicalizationMethod").get("Algorithm") != EXC_C14N:
        raise SignatureError("unsupported canonicalisation (expected exclusive C14N)")
    method = _one(info, "SignatureMethod", "SignatureMethod").get("Algorithm") or ""
    if method not in SIGNATURE_METHODS:
        raise SignatureError(
            "unsupported signature method (expected Ed25519, RFC 9231, or RSA-SHA256)"
        )
    ref = _one(info, "Reference", "Reference")
    if ref.get("URI") != "":
        raise SignatureError('the signature must cover the whole document (Reference URI="")')
    transforms = [t.get("Algorithm") for t in _one(ref, "Transforms", "Transforms")]
    if transforms != [ENVELOPED, EXC_C14N]:
        raise SignatureError("unexpected transforms in the signature's Reference")
    if _one(ref, "DigestMethod", "DigestMethod").get("Algorithm") != SHA256:
        raise SignatureError("unsupported digest (expected SHA-256)")
    digest = (_one(ref, "DigestValue", "DigestValue").text or "").strip()
    return info, digest, method


def _signer_certificate(key_info: etree._Element) -> x509.Certificate:
    data = _one(key_info, "X509Data", "X509Data")
    first = data.find(_ds("X509Certificate"))
    if first is None:
        raise SignatureError("the RSA signature carries no X509Certificate")
    try:
        der = base64.b64decode("".join((first.text or "").split()), validate=True)
        return x509.load_der_x509_certificate(der)
    except ValueError:
        raise SignatureError("the signature's X509Certificate is not a certificate") from None


def _signing_key(
    sig: etree._Element, method: str, keys: Mapping[str, PublicKey]
) -> tuple[str, PublicKey]:
    """The known key that made the signature: by KeyName (Ed25519) or by the public key
    in the certificate (RSA); the certificate itself is trusted for nothing else."""
    key_info = _one(sig, "KeyInfo", "KeyInfo")
    if method == ED25519:
        name = (_one(key_info, "KeyName", "KeyName").text or "").strip()
        key = keys.get(name)
        if key is None:
            raise SignatureError(f"signed with key {name!r}, which is not among the known keys")
        if not isinstance(key, Ed25519PublicKey):
            raise SignatureError(f"key {name!r} is not an Ed25519 key")
        return name, key
    if key_info.find(_ds("KeyName")) is not None:
        raise SignatureError("an RSA signature names its key by X509Data only")
    public = _signer_certificate(key_info).public_key()
    if not isinstance(public, RSAPublicKey):
        raise SignatureError("the signature's certificate does not hold an RSA key")
    for name, key in keys.items():
        if isinstance(key, RSAPublicKey) and key.public_numbers() == public.public_numbers():
            if key.key_size < MIN_RSA_BITS:
                raise SignatureError(f"RSA key {name!r} is too short ({key.key_size} bits)")
            return name, key
    raise SignatureError(
        "signed with the RSA key of a certificate that is not among the known keys"
    )


def verify_enveloped(data: bytes, keys: Mapping[str, PublicKey]) -> VerifiedXml:
    """Check the document's enveloped signature against ``keys`` (key ID → public key)."""
    root = parse(data)
    signatures = root.findall(".//" + _ds("Signature"))
    if not signatures:
        raise SignatureError("the XML is not signed (no ds:Signature)")
    if len(signatures) > 1 or signatures[0].getparent() is not root:
        raise SignatureError("the signature must be one ds:Signature directly under the root")
    sig = signatures[0]
    if list(root)[-1] is not sig:
        raise SignatureError("the signature must be the last element of the document")
    info, digest, method = _check_profile(sig)
    key_name, key = _signing_key(sig, method, keys)
    try:
        value = base64.b64decode(
            "".join((_one(sig, "SignatureValue", "SignatureValue").text or "").split()),
            validate=True,
        )
    except ValueError:
        raise SignatureError("the SignatureValue is not base64") from None
    try:
        if isinstance(key, RSAPublicKey):
            key.verify(value, _c14n(info), padding.PKCS1v15(), hashes.SHA256())
        else:
            key.verify(value, _c14n(info))
    except InvalidSignature:
        raise SignatureError("signature does not verify: the signed part was altered") from None
    if not hmac.compare_digest(_digest(_without_signature(root, sig)), digest):
        raise SignatureError("the document was altered after it was signed (digest mismatch)")
    return VerifiedXml(root, key_name, SIGNATURE_METHODS[method])
