"""STIX 2.1 bundles coming in: each ``report`` object one item, in readable text.

A report's text is its name, publication date and description, then the names of what it
refers to (threat actors, intrusion sets, campaigns, attack patterns, locations,
identities, indicators, malware), resolved within the bundle. Its TLP comes from its
``object_marking_refs`` (TLP 2.0 and TLP 1.0 definitions, by their official ids or by the
definitions in the bundle); statement markings that are releasability markings ("REL TO
…", "NATO") become its ``markings``, other statements (a copyright) join its text
(``intake.handling``). ``external_id`` is "stix:<report id>".

A bundle without report objects (indicators alone, say) is refused as a whole: Tearline
reads reporting about people in danger, and a list of indicators says nothing of whom
to warn. A report that the ``stix2`` library does not accept is refused on its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC
from typing import Any, ClassVar

import stix2
import stix2.exceptions

from tearline.errors import MalformedDocument
from tearline.intake.document import Document, Refused, decode_utf8
from tearline.intake.handling import split_statements

# The official OASIS TLP marking-definition ids (TLP 2.0; TLP 1.0 "WHITE" is CLEAR). The
# same ids as tearline.release.stix writes (a test checks they agree).
TLP_IDS = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "CLEAR",
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "GREEN",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "AMBER",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "AMBER+STRICT",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "RED",
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "CLEAR",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "GREEN",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "AMBER",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "RED",
}
# What a report refers to, in the order its text lists them.
_REFERRED = (
    ("threat-actor", "Threat actors"),
    ("intrusion-set", "Intrusion sets"),
    ("campaign", "Campaigns"),
    ("attack-pattern", "Attack patterns"),
    ("location", "Locations"),
    ("identity", "Identities"),
    ("malware", "Malware"),
    ("tool", "Tools"),
    ("indicator", "Indicators"),
    ("vulnerability", "Vulnerabilities"),
)
# "type": "bundle" near the top: a plain JSON report that merely says "bundle" is not one.
_BUNDLE = re.compile(rb'"type"\s*:\s*"bundle"')
_TLP_ORDER = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")


def _name(obj: Mapping[str, Any]) -> str:
    if obj.get("type") == "location" and not obj.get("name"):
        parts = [obj.get("city"), obj.get("region"), obj.get("country")]
        return ", ".join(str(p) for p in parts if p)
    return str(obj.get("name") or obj.get("pattern") or obj.get("id", ""))


def _marking(definition: Mapping[str, Any] | None, ref: str) -> tuple[str | None, str | None]:
    """(TLP level, other marking) that one marking-definition stands for."""
    if ref in TLP_IDS:
        return TLP_IDS[ref], None
    if definition is None:
        return None, None
    name = str(definition.get("name") or "")
    if name.upper().startswith("TLP:"):
        level = name.upper().removeprefix("TLP:").replace("WHITE", "CLEAR")
        return (level if level in _TLP_ORDER else None), None
    body = definition.get("definition") or {}
    statement = body.get("statement") if isinstance(body, Mapping) else None
    if statement:
        return None, str(statement)
    return None, name or None


class StixReader:
    """STIX 2.1 bundles (``.stix``, or JSON whose ``type`` is ``bundle``)."""

    name: ClassVar[str] = "stix"
    suffixes: ClassVar[tuple[str, ...]] = (".stix",)

    def sniff(self, raw: bytes) -> bool:
        head = raw[:4096].lstrip()
        return head.startswith(b"{") and _BUNDLE.search(head) is not None

    def read_items(self, raw: bytes, filename: str) -> Iterator[Document | Refused]:
        try:
            bundle = json.loads(decode_utf8(raw, filename))
        except json.JSONDecodeError as exc:
            raise MalformedDocument(
                f"{filename}: not JSON ({exc.msg}, line {exc.lineno})"
            ) from None
        if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
            raise MalformedDocument(f'{filename}: not a STIX 2.1 bundle (no "type": "bundle")')
        objects = [o for o in bundle.get("objects") or [] if isinstance(o, dict) and "id" in o]
        by_id = {str(o["id"]): o for o in objects}
        reports = [o for o in objects if o.get("type") == "report"]
        if not reports:
            kinds = sorted({str(o.get("type")) for o in objects})
            raise MalformedDocument(
                f"{filename}: the bundle holds no report objects (it holds "
                f"{', '.join(kinds) or 'nothing'}); Tearline reads reporting about threats "
                "to people, not indicators alone: send a report that refers to them"
            )
        for report in reports:
            yield self._item(report, by_id, filename)

    def _item(
        self, report: dict[str, Any], by_id: Mapping[str, dict[str, Any]], filename: str
    ) -> Document | Refused:
        rid = str(report["id"])
        try:
            parsed = stix2.parse(report, allow_custom=True, version="2.1")
        except (stix2.exceptions.STIXError, ValueError) as exc:
            return Refused(rid, f"not a valid STIX 2.1 report: {exc}")
        lines = [str(parsed.name)]
        published = parsed.published.astimezone(UTC)
        lines.append(f"Published {published:%Y-%m-%d}")
        if parsed.get("description"):
            lines.append("")
            lines.append(str(parsed.description))
        refs = [by_id[r] for r in parsed.get("object_refs", []) if r in by_id]
        for kind, label in _REFERRED:
            names = list(dict.fromkeys(_name(o) for o in refs if o.get("type") == kind))
            if names:
                lines.append(f"{label}: {'; '.join(names)}")
        tlps: list[str] = []
        markings: list[str] = []
        for ref in parsed.get("object_marking_refs", []):
            tlp, other = _marking(by_id.get(str(ref)), str(ref))
            if tlp:
                tlps.append(tlp)
            if other:
                markings.append(other)
        markings_, handling = split_statements(markings)
        if handling:
            lines.append(f"Handling: {'; '.join(handling)}")
        return Document(
            filename,
            "application/stix+json",
            str(parsed.name)[:200],
            "\n".join(lines),
            json.dumps(report, sort_keys=True, ensure_ascii=False).encode(),
            document_date=published,
            tlp=max(tlps, key=_TLP_ORDER.index) if tlps else None,
            external_id=f"stix:{rid}",
            markings=markings_,
            source_hint=_name(by_id[report["created_by_ref"]])
            if report.get("created_by_ref") in by_id
            else None,
        )
