"""STIX 2.1: the warning as a bundle for threat-intelligence platforms.

The bundle holds the sender's identity, the threat-actor (when the tier may be told who),
an identity for each kind of target and each named target, the location, a report that
ties them together, a note with the actions to take, the relationships between them, and
the TLP 2.0 marking definition of the warning (the official OASIS objects), and, for a
marked warning, a marking definition of its releasability markings ("REL TO USA, GBR")
through Tearline's own extension definition (docs/formats.md). Objects are
built with the OASIS ``stix2`` library; IDs are derived from the sender and reference, so
the same warning always gives the same bundle. Written in English: STIX is read by
machines and analysts; the recipient's language is in the other formats.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import stix2

from tearline.model import TargetType
from tearline.release.phrases import phrases

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_IDS = {
    "CLEAR": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "GREEN": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "AMBER+STRICT": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "RED": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# Target categories as STIX industry sectors (industry-sector-ov), where one fits.
SECTORS = {
    "concert": ["entertainment"],
    "transport": ["transportation"],
    "government": ["government-national"],
    "diplomatic": ["government-national"],
    "military": ["defense"],
    "police": ["emergency-services"],
    "education": ["education"],
    "business": ["hospitality-leisure"],
    "infrastructure": ["infrastructure"],
}
_NAMESPACE = uuid.UUID("6f3bd6d6-3f6e-4e0b-9a8c-5b0d3c0a7e11")  # Tearline's, fixed
# Tearline's releasability-markings extension: fixed, the same in every deployment, so a
# partner's platform recognises it (docs/formats.md, "Releasability markings in STIX").
REL_TO_EXTENSION = "extension-definition--d6f1a9a4-6c1e-4f57-9a55-3c1f0b6e2a71"
TEARLINE_IDENTITY = "identity--0c4f8d36-5a7b-4f8e-b1a9-2e6d7c3b9f10"
_EXTENSION_CREATED = "2026-12-07T00:00:00.000Z"


def rel_to_extension() -> stix2.v21.ExtensionDefinition:
    """The definition of Tearline's releasability-markings extension."""
    return stix2.v21.ExtensionDefinition(
        id=REL_TO_EXTENSION,
        created_by_ref=TEARLINE_IDENTITY,
        created=_EXTENSION_CREATED,
        modified=_EXTENSION_CREATED,
        name="Tearline releasability markings",
        description="Nations and sharing communities an object may be released to.",
        schema=(
            "A property extension of marking-definition. Properties: rel_to (list of "
            "strings, required): ISO 3166-1 alpha-3 nation codes and sharing-community "
            "codes (e.g. FVEY, NATO) the marked objects may be released to, nothing else; "
            "banner (string, required): the same as a banner, 'REL TO USA, GBR, FVEY'."
        ),
        version="1.0.0",
        extension_types=["property-extension"],
    )


def rel_to_marking(banner: str, codes: list[str]) -> Any:
    """The marking definition of a warning's releasability markings."""
    digest = hashlib.sha256(f"{_NAMESPACE}|rel_to|{banner}".encode()).digest()
    return stix2.v21.MarkingDefinition(
        id=f"marking-definition--{uuid.UUID(bytes=digest[:16], version=4)}",
        created=_EXTENSION_CREATED,
        name=banner,
        extensions={
            REL_TO_EXTENSION: {
                "extension_type": "property-extension",
                "rel_to": codes,
                "banner": banner,
            }
        },
    )


def tlp_marking(level: str) -> stix2.v21.MarkingDefinition:
    """The official TLP 2.0 marking-definition object for ``level``."""
    return stix2.v21.MarkingDefinition(
        id=TLP2_IDS[level],
        created="2022-10-01T00:00:00.000Z",
        name=f"TLP:{level}",
        extensions={
            TLP2_EXTENSION: {
                "extension_type": "property-extension",
                "tlp_2_0": level.lower(),
            }
        },
    )


class _Builder:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.seed = f"{doc['sender']}|{doc['reference']}"
        self.when = datetime.fromisoformat(doc["issued_at"]).astimezone(UTC)
        self.marking = tlp_marking(doc["facts"].get("tlp") or "AMBER")
        marked = doc.get("markings")
        self.rel_to = rel_to_marking(marked["banner"], marked["rel_to"]) if marked else None
        self.sender = stix2.v21.Identity(
            id=self.id("identity", "sender"),
            name=doc["sender"],
            identity_class="organization",
            created=self.when,
            modified=self.when,
        )
        self.objects: list[Any] = []

    def id(self, kind: str, name: str) -> str:
        # STIX 2.1 wants UUIDv4 for these objects: version-4 bits over a hash of the
        # sender, reference and object, so the same warning always gives the same IDs.
        digest = hashlib.sha256(f"{_NAMESPACE}|{self.seed}|{kind}|{name}".encode()).digest()
        return f"{kind}--{uuid.UUID(bytes=digest[:16], version=4)}"

    def common(self) -> dict[str, Any]:
        return {
            "created": self.when,
            "modified": self.when,
            "created_by_ref": self.sender.id,
            "object_marking_refs": [
                self.marking.id,
                *([self.rel_to.id] if self.rel_to is not None else []),
            ],
        }

    def add(self, obj: Any) -> Any:
        self.objects.append(obj)
        return obj

    def relate(self, source: Any, kind: str, target: Any) -> None:
        self.add(
            stix2.v21.Relationship(
                id=self.id("relationship", f"{source.id}|{kind}|{target.id}"),
                relationship_type=kind,
                source_ref=source.id,
                target_ref=target.id,
                **self.common(),
            )
        )


def _location(b: _Builder, texts: dict[str, Any]) -> Any | None:
    place = b.doc["facts"].get("place")
    if not place or not place.get("country"):
        return None
    extra: dict[str, Any] = {}
    if place.get("city"):
        extra["city"] = place["city"]
    if place.get("lat") is not None:
        extra.update(
            latitude=place["lat"],
            longitude=place["lon"],
            precision=float(place["radius_km"]) * 1000 if place.get("radius_km") else None,
        )
    extra = {k: v for k, v in extra.items() if v is not None}
    return b.add(
        stix2.v21.Location(
            id=b.id("location", "place"),
            name=texts["place"],
            country=place["country"],
            **extra,
            **b.common(),
        )
    )


def _targets(b: _Builder, english: dict[str, Any]) -> list[Any]:
    facts, out = b.doc["facts"], []
    for kind in facts.get("target_types", []):
        out.append(
            b.add(
                stix2.v21.Identity(
                    id=b.id("identity", f"class:{kind}"),
                    name=phrases("en").targets[TargetType(kind)],
                    identity_class="class",
                    sectors=SECTORS.get(kind),
                    **b.common(),
                )
            )
        )
    for name in facts.get("target_names", []):
        out.append(
            b.add(
                stix2.v21.Identity(
                    id=b.id("identity", f"named:{name}"),
                    name=name,
                    identity_class="organization",
                    **b.common(),
                )
            )
        )
    return out


def stix_bundle(doc: dict[str, Any], english: dict[str, Any]) -> str:
    """The STIX 2.1 bundle (JSON text) for a warning document.

    ``english`` holds the English texts of the warning (``texts["en"]`` of the document).
    """
    b = _Builder(doc)
    facts = doc["facts"]
    actor = None
    if facts.get("actor") or facts.get("actor_generic"):
        actor = b.add(
            stix2.v21.ThreatActor(
                id=b.id("threat-actor", facts.get("actor") or "generic"),
                name=facts.get("actor") or "Unidentified extremist group",
                threat_actor_types=["terrorist"],
                **b.common(),
            )
        )
    targets = _targets(b, english)
    location = _location(b, english)
    if actor is not None:
        for t in targets:
            b.relate(actor, "targets", t)
        if location is not None:
            b.relate(actor, "targets", location)
    if location is not None:
        for t in targets:
            if t.identity_class == "organization":
                b.relate(t, "located-at", location)
    report = stix2.v21.Report(
        id=b.id("report", "warning"),
        name=english["subject"],
        description=english["body"],
        published=b.when,
        report_types=["threat-report"],
        object_refs=[o.id for o in b.objects] or [b.sender.id],
        external_references=[{"source_name": doc["sender"], "external_id": doc["reference"]}],
        **b.common(),
    )
    note = stix2.v21.Note(
        id=b.id("note", "actions"),
        abstract=english["actions_label"],
        content="\n".join(f"- {a}" for a in english["actions"]),
        object_refs=[report.id],
        **b.common(),
    )
    bundle = stix2.v21.Bundle(
        id=b.id("bundle", "warning"),
        objects=[
            b.marking,
            *([rel_to_extension(), b.rel_to] if b.rel_to is not None else []),
            b.sender,
            *b.objects,
            report,
            note,
        ],
    )
    return json.dumps(json.loads(bundle.serialize()), ensure_ascii=False, indent=2)
