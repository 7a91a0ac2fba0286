"""MISP: a released warning as a MISP event, for partners who share through MISP.

Built, like the STIX bundle, from the signed warning document only — its releasable facts
and its English texts, never the case or a report — with PyMISP's object model:

* the event: info (the subject), date, threat level from the CAP severity, analysis
  "completed" (a released warning is a finished judgement), the sender as ``Orgc``;
* a ``geolocation`` object at the tier's precision (the place as released, its circle as
  ``accuracy-radius``; the threat window as the object's first/last seen);
* attributes: the window's start and end (``datetime``), the actor (``threat-actor``),
  named targets (``target-org``), target categories, method and harm (``text``);
* an event report holding the warning's text and the actions to take;
* tags: TLP 2.0 from MISP's ``tlp`` taxonomy, and the releasability markings as
  ``dni-ism:dissem="REL"`` with one ``tearline:rel-to="…"`` machine tag per nation or
  community; the actor's threat-actor galaxy cluster where ``data/misp_galaxy.toml`` maps
  Tearline's canonical name to one;
* distribution: the TLP's default when the warning carries no markings; a sharing group
  named after the community (or the banner) when it does.

IDs are UUIDv5 over the sender and reference, so the same warning always gives the same
event. Layout and the reasons for each choice: docs/sharing.md.
"""

from __future__ import annotations

import json
import tomllib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from pymisp import MISPEvent, MISPOrganisation, MISPSharingGroup

from tearline.markings import Releasability, from_json
from tearline.model import Harm, Method, TargetType
from tearline.release.phrases import phrases

# Tearline's namespace for MISP UUIDs (fixed: the same warning gives the same event).
NAMESPACE = uuid.UUID("0d6c2a4e-6b1f-5d6e-9f43-7e1b2c3d4e5f")
# MISP threat_level_id: 1 High, 2 Medium, 3 Low, 4 Undefined; from the CAP severity.
THREAT_LEVEL = {"Extreme": 1, "Severe": 1, "Moderate": 2, "Minor": 3, "Unknown": 4}
# MISP distribution: 0 your organisation, 1 this community, 2 connected communities,
# 3 all communities, 4 a sharing group. With no markings, the TLP says how far it may go.
DISTRIBUTION = {"CLEAR": 3, "GREEN": 2, "AMBER": 1, "AMBER+STRICT": 0, "RED": 0}
SHARING_GROUP = 4
ANALYSIS_COMPLETED = 2
# The dni-ism taxonomy has "REL" (authorised for release to) but no list of nations, so
# each nation or community goes in Tearline's own machine tag beside it.
REL_TAG = 'dni-ism:dissem="REL"'
REL_TO_TAG = 'tearline:rel-to="{code}"'


@dataclass(frozen=True)
class GalaxyCluster:
    """One cluster of MISP's threat-actor galaxy: its value (the name MISP shows) and UUID."""

    value: str
    uuid: str


@cache
def actor_clusters() -> Mapping[str, GalaxyCluster]:
    """Tearline's canonical organisation name → the threat-actor cluster it is, from
    ``data/misp_galaxy.toml``. A malformed row is skipped, never fatal."""
    text = (resources.files("tearline.data") / "misp_galaxy.toml").read_text("utf-8")
    rows = tomllib.loads(text).get("threat_actor", {})
    out: dict[str, GalaxyCluster] = {}
    for name, row in rows.items() if isinstance(rows, dict) else ():
        if isinstance(row, dict) and isinstance(row.get("value"), str):
            try:
                out[name] = GalaxyCluster(row["value"], str(uuid.UUID(str(row.get("uuid")))))
            except ValueError:
                continue
    return out


def tlp_tag(level: str) -> str:
    """The MISP ``tlp`` taxonomy tag for a TLP 2.0 level: "AMBER+STRICT" → "tlp:amber+strict"."""
    return f"tlp:{level.lower()}"


def releasability(document: Mapping[str, Any]) -> Releasability:
    """The warning's markings as its document carries them (``"markings": {"banner": …,
    "rel_to": [codes]}``; absent when unrestricted)."""
    value = document.get("markings")
    return from_json(value.get("rel_to") if isinstance(value, Mapping) else None)


def _id(seed: str, what: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{seed}|{what}"))


def _stable_ids(event: MISPEvent, seed: str) -> None:
    """UUIDs from what each part holds, so the same warning always gives the same event
    (a partner's MISP then updates the event rather than adding another)."""
    for a in event.attributes:
        a.uuid = _id(seed, f"attribute|{a.type}|{a.value}|{a.get('comment', '')}")
    for o in event.objects:
        o.uuid = _id(seed, f"object|{o.name}")
        for a in o.attributes:
            a.uuid = _id(seed, f"object|{o.name}|{a.object_relation}")
    for r in event.event_reports:
        r.uuid = _id(seed, f"report|{r.name}")


def _distribution(event: MISPEvent, rel: Releasability, tlp: str) -> None:
    if not rel.restricted:
        event.distribution = DISTRIBUTION.get(tlp, 1)
        return
    codes = rel.codes()
    # REL TO one community alone: the community's own group; otherwise the banner's.
    name = codes[0] if len(codes) == 1 and codes[0] in rel.communities else rel.banner()
    group = MISPSharingGroup()
    group.from_dict(
        name=name,
        uuid=str(uuid.uuid5(NAMESPACE, f"sharing-group|{name}")),
        releasability=rel.banner(),
        description=f"Tearline: {rel.banner()}",
        roaming=True,
    )
    event.distribution = SHARING_GROUP
    event.sharing_group_id = 0  # the receiving instance maps the group by its UUID
    event.SharingGroup = group


def _place(event: MISPEvent, facts: Mapping[str, Any], english: Mapping[str, Any]) -> None:
    place, window = facts.get("place"), facts.get("window") or {}
    if not place or not place.get("country"):
        return
    geo = event.add_object(name="geolocation", standalone=False)
    geo.comment = f"Where the threat is, as precise as this warning may be: {place['precision']}"
    geo.add_attribute("text", value=english["place"])
    geo.add_attribute("countrycode", value=place["country"])
    for key in ("region", "city"):
        if place.get(key):
            geo.add_attribute(key, value=place[key])
    if place.get("lat") is not None and place.get("lon") is not None:
        geo.add_attribute("latitude", value=place["lat"])
        geo.add_attribute("longitude", value=place["lon"])
        if place.get("radius_km"):
            geo.add_attribute("accuracy-radius", value=place["radius_km"])
    if window.get("start"):
        geo.first_seen = window["start"]
        geo.last_seen = window["end"]


def _facts(event: MISPEvent, facts: Mapping[str, Any]) -> None:
    en = phrases("en")
    window = facts.get("window") or {}
    if window.get("start"):
        for which in ("start", "end"):
            event.add_attribute(
                "datetime", window[which], comment=f"threat window {which} ({window['precision']})"
            )
    if facts.get("actor"):
        event.add_attribute("threat-actor", facts["actor"])
    elif facts.get("actor_generic"):
        event.add_attribute("threat-actor", "Unidentified extremist group")
    for name in facts.get("target_names", []):
        event.add_attribute("target-org", name, comment="named target")
    for kind in facts.get("target_types", []):
        event.add_attribute(
            "text", en.targets[TargetType(kind)], category="Other", comment="target category"
        )
    if facts.get("method"):
        event.add_attribute("text", en.methods[Method(facts["method"])], comment="method")
    for harm in facts.get("harms", []):
        event.add_attribute("text", en.harms[Harm(harm)], comment="harm")


def _report(english: Mapping[str, Any]) -> str:
    actions = "\n".join(f"- {a}" for a in english["actions"])
    return f"{english['body']}\n\n## {english['actions_label']}\n\n{actions}\n"


def misp_event(document: Mapping[str, Any], english: Mapping[str, Any]) -> str:
    """The MISP event (JSON text, ``{"Event": …}``) for a warning document; ``english``
    holds its English texts (``texts["en"]``)."""
    facts = document["facts"]
    seed = f"{document['sender']}|{document['reference']}"
    issued = datetime.fromisoformat(document["issued_at"])
    tlp = facts.get("tlp") or "AMBER"
    event = MISPEvent()
    event.uuid = _id(seed, "event")
    event.info = english["subject"]
    event.date = issued.date()
    event.timestamp = issued
    event.publish_timestamp = issued
    event.published = True
    event.threat_level_id = THREAT_LEVEL.get((document.get("cap") or {}).get("severity", ""), 4)
    event.analysis = ANALYSIS_COMPLETED
    org = MISPOrganisation()
    org.from_dict(name=document["sender"], uuid=str(uuid.uuid5(NAMESPACE, document["sender"])))
    event.Orgc = org
    event.add_tag(tlp_tag(tlp))
    rel = releasability(document)
    if rel.restricted:
        event.add_tag(REL_TAG)
        for code in rel.codes():
            event.add_tag(REL_TO_TAG.format(code=code))
    _distribution(event, rel, tlp)
    cluster = actor_clusters().get(facts.get("actor") or "")
    if cluster is not None:
        event.add_tag(f'misp-galaxy:threat-actor="{cluster.value}"')
    _place(event, facts, english)
    _facts(event, facts)
    event.add_attribute(
        "other",
        document["reference"],
        category="Internal reference",
        comment="the sender's reference for this warning; quote it when you reply",
    )
    event.add_event_report(english["subject"], _report(english))
    _stable_ids(event, seed)
    return json.dumps({"Event": json.loads(event.to_json())}, ensure_ascii=False, indent=2)
