"""CAP 1.2 alerts coming in: XXE-safe, schema-checked, signature-checked, read into text.

An alert is one item, ``external_id`` "cap:<sender>/<identifier>". Its text is each
``<info>``'s event, headline, description, instruction and areas; its language the first
``<info>``'s ``<language>``; TLP and releasability markings come from ``<restriction>``
(a ``Public`` scope is TLP:CLEAR), and what else it says joins the text. A DOCTYPE is
refused outright (no DTD, no entity, no network is ever read), as is a document that is
not valid CAP 1.2.

A signed alert's signature is checked by the ``SignatureCheck`` the workflow gives the
reader (intake does not hold keys): it raises ``SignatureError`` for a signature that
does not verify — the alert is refused — and returns a note for one it cannot check (a
key this deployment does not trust, an algorithm it does not check), stored on the
report as "signature not verified: …".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from typing import Any, ClassVar, cast

from lxml import etree

from tearline.errors import MalformedDocument, SignatureError
from tearline.intake.document import Document, Refused, find_tlp, parse_iso_date
from tearline.intake.handling import split_statements

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
_ALERT = f"{{{CAP_NS}}}alert"
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)

# Checks an alert's enveloped signature; raises SignatureError when it does not verify,
# returns None when verified or a note ("signed with key 'x', not trusted here") when it
# cannot be checked.
SignatureCheck = Callable[[bytes], str | None]


def _unchecked(raw: bytes) -> str | None:
    return "no partner keys are configured (TEARLINE_PARTNER_KEYS_DIR)"


@functools.cache
def _schema() -> etree.XMLSchema:
    path = resources.files("tearline.data") / "cap" / "CAP-v1.2.xsd"
    return etree.XMLSchema(etree.fromstring(path.read_bytes()))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_alert(raw: bytes, filename: str) -> etree._Element:
    """The alert's root element; MalformedDocument for hostile or non-CAP XML."""
    if b"<!DOCTYPE" in raw[:65536].upper() or b"<!ENTITY" in raw[:65536].upper():
        raise MalformedDocument(
            f"{filename}: the XML declares a DOCTYPE or entities; CAP alerts need neither, "
            "and Tearline never reads them (XXE)"
        )
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedDocument(f"{filename}: not well-formed XML: {exc}") from None
    older = re.fullmatch(r"\{urn:oasis:names:tc:emergency:cap:(1\.[01])\}alert", str(root.tag))
    if older:
        raise MalformedDocument(
            f"{filename}: a CAP {older.group(1)} alert; Tearline reads CAP 1.2 (the version "
            "alerting authorities have sent since 2010): ask the sender for CAP 1.2"
        )
    if root.tag != _ALERT:
        raise MalformedDocument(
            f"{filename}: not a CAP 1.2 alert (the root is {root.tag!r}, expected "
            f'<alert xmlns="{CAP_NS}">)'
        )
    return root


def _text(el: etree._Element | None, tag: str) -> str:
    found = el.find(f"{{{CAP_NS}}}{tag}") if el is not None else None
    return (found.text or "").strip() if found is not None and found.text else ""


def _texts(el: etree._Element, tag: str) -> list[str]:
    return [(x.text or "").strip() for x in el.findall(f"{{{CAP_NS}}}{tag}") if x.text]


def _plain(value: str) -> str:
    # Many senders put HTML line breaks in <description>: "ALERT LEVEL: x<br />LOCATION: y".
    return _BREAK.sub("\n", value)


def _info_text(info: etree._Element) -> str:
    parts = [_text(info, "headline"), _text(info, "event")]
    parts += [_plain(_text(info, "description")), _plain(_text(info, "instruction"))]
    areas = [_text(a, "areaDesc") for a in info.findall(f"{{{CAP_NS}}}area")]
    if any(areas):
        parts.append("Area: " + "; ".join(a for a in areas if a))
    return "\n\n".join(p for p in parts if p)


def _handling(
    root: etree._Element,
) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """TLP, releasability markings and other handling statements from <scope> and
    <restriction>."""
    scope = _text(root, "scope")
    restriction = _text(root, "restriction")
    tlp = find_tlp(restriction) if restriction else None
    parts = restriction.replace("\n", ";").split(";")
    markings, handling = split_statements(p for p in parts if find_tlp(p) is None)
    if tlp is None and scope == "Public":
        tlp = "CLEAR"
    return tlp, markings, handling


def _schema_error(root: etree._Element) -> str | None:
    schema = _schema()
    if schema.validate(root):
        return None
    errors: list[Any] = list(cast(Iterable[Any], schema.error_log))
    return f"line {errors[0].line}: {errors[0].message}" if errors else "schema error"


class CapReader:
    """OASIS CAP 1.2 alerts (``.cap``, or XML in the CAP 1.2 namespace)."""

    name: ClassVar[str] = "cap"
    suffixes: ClassVar[tuple[str, ...]] = (".cap",)

    def __init__(self, check_signature: SignatureCheck | None = None) -> None:
        self.check_signature = check_signature or _unchecked

    def sniff(self, raw: bytes) -> bool:
        head = raw[:2048]
        return b"<" in head and CAP_NS.encode() in head

    def read_items(self, raw: bytes, filename: str) -> Iterator[Document | Refused]:
        root = parse_alert(raw, filename)
        sender, identifier = _text(root, "sender"), _text(root, "identifier")
        item = f"alert {identifier or '(no identifier)'}"
        problem = _schema_error(root)
        if problem is not None:
            yield Refused(item, f"not valid CAP 1.2: {problem}")
            return
        note = None
        if root.find(f"{{{DS_NS}}}Signature") is not None:
            try:
                unverified = self.check_signature(raw)
            except SignatureError as exc:
                yield Refused(item, f"signature refused: {exc}")
                return
            note = f"signature not verified: {unverified}" if unverified else None
        infos = root.findall(f"{{{CAP_NS}}}info")
        text = "\n\n".join(t for t in (_info_text(i) for i in infos) if t)
        first = infos[0] if infos else None
        title = _text(first, "headline") or _text(first, "event") or identifier
        tlp, markings, handling = _handling(root)
        if handling:
            text += f"\n\nHandling: {'; '.join(handling)}"
        yield Document(
            filename,
            "application/cap+xml",
            title[:200],
            text,
            raw,
            document_date=parse_iso_date(_text(root, "sent"), filename, "sent"),
            source_hint=_text(first, "senderName") or sender or None,
            tlp=tlp,
            external_id=f"cap:{sender}/{identifier}",
            markings=markings,
            intake_note=note,
            language=_text(first, "language") or None,
        )
