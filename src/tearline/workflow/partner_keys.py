"""The partner keys this deployment trusts, and the CAP signature check built on them.

A key is a PEM file of an Ed25519 public key in ``TEARLINE_PARTNER_KEYS_DIR`` (default
``$TEARLINE_HOME/partner-keys``), named ``<KeyName>.pem`` after the ``ds:KeyName`` the
partner signs with. A signed alert coming in is then:
- verified, when its key is here and the signature holds;
- refused (``SignatureError``), when its key is here and the signature does not hold;
- stored with the note "signature not verified", when its key is not here or it is signed
  with an algorithm this check does not verify (a partner's RSA/X.509 signature).
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from lxml import etree

from tearline.errors import ConfigError
from tearline.intake.cap import DS_NS, SignatureCheck, parse_alert
from tearline.release import xmldsig


def load_partner_keys(directory: Path) -> dict[str, Ed25519PublicKey]:
    """KeyName → key for each ``*.pem`` in ``directory``; ConfigError for one that is not
    an Ed25519 public key (a missing directory holds no keys)."""
    keys: dict[str, Ed25519PublicKey] = {}
    if not directory.is_dir():
        return keys
    for path in sorted(directory.glob("*.pem")):
        try:
            key = load_pem_public_key(path.read_bytes())
        except ValueError:
            raise ConfigError(f"{path}: not a PEM public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise ConfigError(f"{path}: not an Ed25519 public key")
        keys[path.stem] = key
    return keys


def _find(root: etree._Element, path: str) -> etree._Element | None:
    return root.find(path, {"ds": DS_NS})


def cap_signature_check(setting: str, home: Path | None = None) -> SignatureCheck:
    """The check a CAP reader runs on a signed alert (see the module docstring)."""
    directory = Path(setting) if setting else (home or Path(".")) / "partner-keys"

    def check(raw: bytes) -> str | None:
        root = parse_alert(raw, "alert")
        method = _find(root, "ds:Signature/ds:SignedInfo/ds:SignatureMethod")
        algorithm = method.get("Algorithm", "") if method is not None else ""
        if algorithm != xmldsig.ED25519:
            return (
                f"signed with {algorithm.rsplit('#', 1)[-1] or 'an unnamed algorithm'}; "
                "Tearline verifies partners' Ed25519 signatures only"
            )
        name_el = _find(root, "ds:Signature/ds:KeyInfo/ds:KeyName")
        name = (name_el.text or "").strip() if name_el is not None else ""
        keys = load_partner_keys(directory)
        if name not in keys:
            return f"signed with key {name!r}, which is not among the partner keys trusted here"
        xmldsig.verify_enveloped(raw, dict(keys))
        return None

    return check
