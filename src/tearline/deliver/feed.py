"""The public alert feed as Atom (RFC 4287), each entry carrying its CAP 1.2 alert.

The way national alerting systems publish (IPAWS, MeteoAlarm, national CAP feeds): one
Atom entry per alert, the CAP XML inline as ``<content type="application/cap+xml">``,
and a link to the signed JWS so a suspicious reader can verify who wrote it. The CAP
document is the release stage's signed ``cap`` artifact; while a warning has none, a
plain unsigned CAP alert is built here from the signed JSON (``fallback_cap``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lxml import etree

ATOM = "http://www.w3.org/2005/Atom"
CAP = "urn:oasis:names:tc:emergency:cap:1.2"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True)
class FeedEntry:
    reference: str  # "WRN-4"
    title: str
    summary: str
    published: datetime
    updated: datetime
    cap_xml: str  # a complete CAP 1.2 <alert>
    jws_url: str | None = None
    cap_url: str | None = None
    area: str = ""  # the feed name it was published to, e.g. "ru-moscow"
    verify_url: str | None = None  # a page where anyone checks the signature, step by step


def entry_id(sender: str, reference: str) -> str:
    """A stable IRI for an entry: the same warning keeps the same id across renderings."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"tearline:{sender}:{reference}").urn


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _cap_time(t: datetime) -> str:
    # CAP wants an explicit offset and no "Z" (CAP 1.2, section 3.3.2).
    return t.astimezone(UTC).isoformat(timespec="seconds")


def fallback_cap(document: dict[str, Any], sent: datetime) -> str:
    """An unsigned CAP 1.2 alert from the signed warning JSON (Public, Security)."""
    el = etree.Element(f"{{{CAP}}}alert", nsmap={None: CAP})  # type: ignore[dict-item]

    def sub(parent: etree._Element, tag: str, text: str) -> etree._Element:
        child = etree.SubElement(parent, f"{{{CAP}}}{tag}")
        child.text = text
        return child

    sub(el, "identifier", str(document.get("reference", "")))
    sub(el, "sender", str(document.get("sender", "")))
    sub(el, "sent", _cap_time(sent))
    sub(el, "status", "Actual")
    sub(el, "msgType", str(document.get("msg_type", "Alert")))
    sub(el, "scope", "Public")
    info = etree.SubElement(el, f"{{{CAP}}}info")
    sub(info, "language", str((document.get("recipient") or {}).get("language", "en")))
    sub(info, "category", "Security")
    sub(info, "event", "Threat to life")
    sub(info, "responseType", "Avoid")
    sub(info, "urgency", "Expected")
    sub(info, "severity", "Severe")
    sub(info, "certainty", "Likely")
    if document.get("valid_until"):
        sub(info, "expires", _cap_time(datetime.fromisoformat(document["valid_until"])))
    sub(info, "senderName", str(document.get("sender", "")))
    sub(info, "headline", str(document.get("subject", "")))
    sub(info, "description", str(document.get("text", "")))
    if document.get("actions"):
        sub(info, "instruction", "\n".join(str(a) for a in document["actions"]))
    area = etree.SubElement(info, f"{{{CAP}}}area")
    place = (document.get("facts") or {}).get("place") or {}
    desc = ", ".join(str(x) for x in (place.get("city"), place.get("country")) if x)
    sub(area, "areaDesc", desc or "See description")
    return etree.tostring(el, encoding="unicode")


def render_atom(
    *,
    feed_id: str,
    title: str,
    self_url: str,
    author: str,
    entries: Sequence[FeedEntry],
    now: datetime,
) -> bytes:
    """The feed document, newest entry first."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})  # type: ignore[dict-item]

    def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> Any:
        child = etree.SubElement(parent, f"{{{ATOM}}}{tag}", attrib=attrs)
        if text is not None:
            child.text = text
        return child

    ordered = sorted(entries, key=lambda e: e.updated, reverse=True)
    sub(feed, "id", feed_id)
    sub(feed, "title", title)
    sub(feed, "updated", _iso(ordered[0].updated if ordered else now))
    sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    sub(sub(feed, "author"), "name", author)
    sub(feed, "generator", "Tearline")
    for e in ordered:
        entry = sub(feed, "entry")
        sub(entry, "id", entry_id(author, e.reference))
        sub(entry, "title", e.title)
        sub(entry, "published", _iso(e.published))
        sub(entry, "updated", _iso(e.updated))
        if e.area:
            sub(entry, "category", term=e.area)
        sub(entry, "summary", e.summary, type="text")
        if e.cap_url:
            sub(entry, "link", rel="alternate", href=e.cap_url, type="application/cap+xml")
        if e.jws_url:
            sub(entry, "link", rel="related", href=e.jws_url, type="application/jose")
        if e.verify_url:
            title = "Verify this alert"
            sub(entry, "link", rel="related", href=e.verify_url, type="text/html", title=title)
        content = sub(entry, "content", type="application/cap+xml")
        content.append(etree.fromstring(e.cap_xml.encode(), _PARSER))
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8")
