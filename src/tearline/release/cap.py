"""OASIS CAP 1.2: the warning as a Common Alerting Protocol message, signed, schema-valid.

One ``<info>`` block per language. The mapping from Tearline's judgement to CAP's codes
is data (below) and documented in docs/formats.md: imminence → urgency, severity →
severity, the ICD 203 likelihood band → certainty. The area is a circle (the venue, or
the city's centre and radius) plus ``areaDesc``; a country-level warning has the country
as a geocode. Updates and cancellations carry ``references`` to the original message.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import resources
from typing import Any, cast

from lxml import etree

from tearline.assess import Imminence, Severity
from tearline.errors import SignatureError
from tearline.release.render import ordered_texts

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_STATUS = "Actual"

URGENCY = {
    Imminence.IMMINENT: "Immediate",
    Imminence.NEAR_TERM: "Expected",
    Imminence.DISTANT: "Future",
    Imminence.EXPIRED: "Past",
    Imminence.PAST: "Past",
    Imminence.UNKNOWN: "Unknown",
}
SEVERITY = {
    Severity.EXTREME: "Extreme",
    Severity.SEVERE: "Severe",
    Severity.MODERATE: "Moderate",
    Severity.MINOR: "Minor",
}
# CAP: Likely p > ~50 %, Possible p <= ~50 %, Unlikely p ~ 0.
CERTAINTY = {
    "almost certain": "Likely",
    "very likely": "Likely",
    "likely": "Likely",
    "roughly even chance": "Possible",
    "unlikely": "Possible",
    "very unlikely": "Possible",
    "almost no chance": "Unlikely",
}


def cap_codes(
    *, public: bool, kind: str, imminence: Imminence, severity: Severity, band: str | None
) -> dict[str, Any]:
    """urgency, severity, certainty and responseType for one warning."""
    if kind == "all_clear":
        return {
            "urgency": "Past",
            "severity": "Minor",
            "certainty": "Observed",
            "response_types": ["AllClear"],
        }
    if kind == "cancel":
        return {
            "urgency": "Unknown",
            "severity": "Unknown",
            "certainty": "Unknown",
            "response_types": ["None"],
        }
    return {
        "urgency": URGENCY[imminence],
        "severity": SEVERITY[severity],
        "certainty": CERTAINTY.get(band or "", "Unknown"),
        "response_types": ["Avoid", "Monitor"] if public else ["Prepare", "Monitor"],
    }


def cap_sender(sender: str) -> str:
    """CAP's sender may hold no spaces, commas or markup: 'Tearline demo agency' → '…-…'."""
    return re.sub(r"[\s,<&\"']+", "-", sender.strip()).strip("-") or "tearline"


def cap_identifier(sender: str, reference: str) -> str:
    return f"{cap_sender(sender)}-{reference}"


def cap_time(t: datetime | str) -> str:
    """CAP wants seconds and an explicit offset: 2024-03-06T09:10:00+00:00."""
    value = datetime.fromisoformat(t) if isinstance(t, str) else t
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def _el(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    e = etree.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        e.text = text
    return e


def _area(info: etree._Element, place: dict[str, Any] | None, area_desc: str) -> None:
    area = _el(info, "area")
    _el(area, "areaDesc", area_desc)
    if place and place.get("lat") is not None and place.get("radius_km"):
        radius = float(place["radius_km"])
        _el(area, "circle", f"{place['lat']},{place['lon']} {radius:g}")
    if place and place.get("country"):
        geocode = _el(area, "geocode")
        _el(geocode, "valueName", "ISO 3166-1 alpha-2")
        _el(geocode, "value", place["country"])


def _info(alert: etree._Element, doc: dict[str, Any], lang: str, texts: dict[str, Any]) -> None:
    codes = doc["cap"]
    info = _el(alert, "info")
    _el(info, "language", lang)
    _el(info, "category", "Security")
    _el(info, "event", texts["event"])
    for rt in codes["response_types"]:
        _el(info, "responseType", rt)
    _el(info, "urgency", codes["urgency"])
    _el(info, "severity", codes["severity"])
    _el(info, "certainty", codes["certainty"])
    _el(info, "effective", cap_time(doc["valid_from"]))
    window = doc["facts"].get("window")
    if window and window.get("precision") != "vague" and doc["kind"] in ("alert", "update"):
        _el(info, "onset", cap_time(window["start"]))
    _el(info, "expires", cap_time(doc["valid_until"]))
    _el(info, "senderName", doc["sender"])
    _el(info, "headline", texts["subject"])
    _el(info, "description", texts["body"])
    _el(info, "instruction", "\n".join(texts["actions"]))
    _el(info, "contact", texts["reply"])
    parameter = _el(info, "parameter")
    _el(parameter, "valueName", "reference")
    _el(parameter, "value", doc["reference"])
    _area(info, doc["facts"].get("place"), texts["place"])


def cap_alert(doc: dict[str, Any]) -> etree._Element:
    """The unsigned ``<alert>`` for a warning document (docs/warning-json.md)."""
    nsmap: Any = {None: CAP_NS}  # the default namespace (lxml-stubs want str keys)
    alert = etree.Element(f"{{{CAP_NS}}}alert", nsmap=nsmap)
    _el(alert, "identifier", doc["cap"]["identifier"])
    _el(alert, "sender", doc["cap"]["sender"])
    _el(alert, "sent", cap_time(doc["issued_at"]))
    _el(alert, "status", CAP_STATUS)
    _el(alert, "msgType", doc["msg_type"])
    public = doc["recipient"]["tier"] == "public"
    marked = doc.get("markings")
    if marked and not public:
        # Restricted by the releasability markings (CAP 1.2 3.2.1: <restriction> says the
        # rule), and still addressed to its one recipient, which CAP allows beside it.
        _el(alert, "scope", "Restricted")
        _el(alert, "restriction", f"TLP:{doc['facts'].get('tlp', 'AMBER')}; {marked['banner']}")
    else:
        _el(alert, "scope", "Public" if public else "Private")
    if not public:
        name = doc["recipient"]["name"].replace('"', "'")
        _el(alert, "addresses", f'"{name}"' if " " in name else name)
    _el(alert, "code", f"TLP:{doc['facts'].get('tlp', 'AMBER')}")
    refs = doc.get("references") or []
    if refs:
        note = {"update": "Update of", "cancel": "Withdrawal of", "all_clear": "All clear for"}
        _el(alert, "note", f"{note.get(doc['kind'], 'Refers to')} {refs[0]['reference']}")
        triples = [
            f"{r['cap_sender']},{r['cap_identifier']},{cap_time(r['issued_at'])}" for r in refs
        ]
        _el(alert, "references", " ".join(triples))
    _el(alert, "incidents", doc["cap"].get("incident") or doc["cap"]["identifier"])
    for lang, texts in ordered_texts(doc):
        _info(alert, doc, lang, texts)
    return alert


def cap_bytes(alert: etree._Element) -> bytes:
    return etree.tostring(alert, xml_declaration=True, encoding="UTF-8")


def pretty(alert: etree._Element) -> etree._Element:
    """Indented for people; indentation is fixed before signing, so it is signed too."""
    etree.indent(alert, space="  ")
    return alert


@functools.cache
def _schema() -> etree.XMLSchema:
    path = resources.files("tearline.data") / "cap" / "CAP-v1.2.xsd"
    return etree.XMLSchema(etree.fromstring(path.read_bytes()))


def validate_cap(root: etree._Element) -> None:
    """Raise SignatureError naming the first schema error, if the alert is not valid CAP 1.2."""
    schema = _schema()
    if not schema.validate(root):
        errors: list[Any] = list(cast(Iterable[Any], schema.error_log))
        where = f"line {errors[0].line}: {errors[0].message}" if errors else "schema error"
        raise SignatureError(f"not valid CAP 1.2: {where}")
