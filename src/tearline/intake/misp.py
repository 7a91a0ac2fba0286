"""MISP events coming in: an event (``{"Event": …}`` or bare), a list of events, a search
answer (``{"response": [...]}``), or a MISP feed directory (``manifest.json`` beside one
``<uuid>.json`` per event). Each event is one item, read with PyMISP's object model.

An item's text is the event's ``info``, its event reports, the actors of its threat-actor
galaxy clusters, and the attributes that carry language: ``text`` and ``comment`` values,
the names of actors and targets, every attribute's comment, and the free-text parts of
objects (a ``report``'s summary, a ``geolocation``'s text, an ``annotation``). Indicators
(addresses, hashes) are not prose and are left out. Its source is the creating
organisation (``Orgc``), its date the event's date, its TLP the strictest ``tlp:`` tag
(TLP 1.0's ``tlp:white`` is CLEAR), and its releasability markings the
``tearline:rel-to`` tags and the event's sharing group.

``external_id`` is "misp:<event uuid>@<timestamp>": the same event pulled again is the same
item and is not stored twice, while an update (MISP raises the event's ``timestamp``) is
a new version, stored as a new report — which the origins check then names an echo of
the first — rather than overwriting what was read before.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from pymisp import MISPAttribute, MISPEvent, PyMISPError

from tearline.errors import InputError, MalformedDocument
from tearline.intake.document import Document, Refused, decode_utf8, parse_iso_date

MEDIA_TYPE = "application/vnd.misp.event+json"
TLP_ORDER = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
_TLP_TAG = re.compile(r"^tlp:(clear|white|green|amber\+strict|amber|red)$", re.IGNORECASE)
_ACTOR_TAG = re.compile(r'^misp-galaxy:threat-actor="([^"]+)"$', re.IGNORECASE)
_REL_TO_TAG = re.compile(r'^tearline:rel-to="([^"]+)"$', re.IGNORECASE)
SHARING_GROUP = 4
# Attribute types whose value is a name worth reading, with the label it is read under.
NAMED = {
    "threat-actor": "Threat actor",
    "target-org": "Target",
    "target-location": "Target location",
    "target-user": "Target",
}
PROSE = ("text", "comment")
# Object attributes that hold prose rather than codes or numbers.
PROSE_RELATIONS = frozenset(
    {"text", "summary", "title", "description", "comment", "content", "address", "name"}
)
_SNIFF = re.compile(rb'"Event"\s*:\s*\{|"Attribute"\s*:\s*\[|"Orgc"\s*:\s*\{')
_MANIFEST = re.compile(rb'^\s*\{\s*"[0-9a-fA-F-]{36}"\s*:\s*\{')


class _Bad(Exception):
    """One event that cannot be read; becomes a ``Refused`` with this reason."""


class MispReader:
    """MISP events, lists of events and search answers (see the module docstring)."""

    name: ClassVar[str] = "misp"
    suffixes: ClassVar[tuple[str, ...]] = ()  # MISP files are plain .json: found by sniffing

    def sniff(self, raw: bytes) -> bool:
        head = raw[:8192]
        return bool(_SNIFF.search(head) or _MANIFEST.match(head.lstrip(b"\xef\xbb\xbf")))

    def read_items(self, raw: bytes, filename: str) -> Iterator[Document | Refused]:
        try:
            data = json.loads(decode_utf8(raw, filename))
        except json.JSONDecodeError as exc:
            raise MalformedDocument(
                f"{filename}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
        if is_manifest(data):
            return  # a feed's index: its events are read from their own files (read_feed)
        for n, event in enumerate(_events(data, filename), 1):
            label = _label(event, n)
            try:
                yield event_document(event, filename)
            except _Bad as exc:
                yield Refused(label, str(exc))


def is_manifest(data: Any) -> bool:
    """A MISP feed's ``manifest.json``: event UUIDs mapped to each event's summary."""
    return (
        isinstance(data, dict)
        and bool(data)
        and all(_is_uuid(k) and isinstance(v, dict) for k, v in data.items())
    )


def _events(data: Any, filename: str) -> list[Any]:
    if isinstance(data, dict) and isinstance(data.get("response"), list):
        data = data["response"]
    if isinstance(data, dict) and ("Event" in data or "info" in data):
        data = [data]
    if not isinstance(data, list):
        raise MalformedDocument(
            f'{filename}: not a MISP event: expected {{"Event": {{…}}}}, an event, or a '
            "list of events"
        )
    return [
        e["Event"] if isinstance(e, dict) and isinstance(e.get("Event"), dict) else e for e in data
    ]


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _label(event: Any, n: int) -> str:
    if isinstance(event, dict) and _is_uuid(event.get("uuid")):
        return f"event {event['uuid']}"
    return f"event {n}"


def _load(event: dict[str, Any]) -> MISPEvent:
    misp = MISPEvent()
    try:
        misp.load({"Event": json.loads(json.dumps(event))})
    except (PyMISPError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise _Bad(f"MISP's object model cannot read it: {str(exc)[:200]}") from None
    return misp


def _timestamp(event: dict[str, Any]) -> int | None:
    value = event.get("timestamp")
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        raise _Bad(f"its timestamp {str(value)[:40]!r} is not seconds since 1970") from None


def _date(event: dict[str, Any], filename: str, stamp: int | None) -> datetime | None:
    if event.get("date"):
        try:
            return parse_iso_date(str(event["date"]), filename, "event date")
        except InputError as exc:
            raise _Bad(str(exc).removeprefix(f"{filename}: ")) from None
    return datetime.fromtimestamp(stamp, UTC) if stamp is not None else None


def _attribute_lines(a: MISPAttribute) -> list[str]:
    if a.get("deleted"):
        return []
    lines: list[str] = []
    value = str(a.get("value", "")).strip()
    if a.type in PROSE and value:
        lines.append(value)
    elif a.type in NAMED and value:
        lines.append(f"{NAMED[a.type]}: {value}")
    comment = str(a.get("comment") or "").strip()
    if comment:
        lines.append(comment)
    return lines


def galaxy_actors(misp: MISPEvent) -> list[str]:
    """The threat actors the event names through MISP's threat-actor galaxy: its attached
    clusters and its ``misp-galaxy:threat-actor="…"`` tags."""
    names = [
        str(c.value)
        for g in misp.galaxies
        if g.get("type") == "threat-actor"
        for c in g.clusters
        if c.get("value")
    ]
    names += [m.group(1) for t in _tags(misp) if (m := _ACTOR_TAG.match(t.strip()))]
    return list(dict.fromkeys(n.strip() for n in names if n.strip()))


def _text(misp: MISPEvent) -> str:
    parts = [misp.info.strip()]
    parts += [f"{NAMED['threat-actor']}: {name}" for name in galaxy_actors(misp)]
    for report in misp.event_reports:
        if not report.get("deleted") and str(report.get("content") or "").strip():
            parts.append(str(report.content).strip())
    for a in misp.attributes:
        parts.extend(_attribute_lines(a))
    for o in misp.objects:
        if o.get("deleted"):
            continue
        if str(o.get("comment") or "").strip():
            parts.append(str(o.comment).strip())
        for a in o.attributes:
            value = str(a.get("value", "")).strip()
            if a.get("object_relation") in PROSE_RELATIONS and value and not a.get("deleted"):
                parts.append(value)
    return "\n\n".join(dict.fromkeys(p for p in parts if p))


def _tags(misp: MISPEvent) -> list[str]:
    return [str(t.name) for t in misp.tags if getattr(t, "name", None)]


def event_tlp(tags: list[str]) -> str | None:
    """The strictest TLP of the event's ``tlp:`` tags, in TLP 2.0 terms; None when none."""
    levels = []
    for tag in tags:
        if m := _TLP_TAG.match(tag.strip()):
            level = m.group(1).upper()
            levels.append("CLEAR" if level == "WHITE" else level)
    return max(levels, key=TLP_ORDER.index) if levels else None


def event_markings(event: dict[str, Any], tags: list[str]) -> tuple[str, ...]:
    """The releasability the event states: its ``tearline:rel-to`` tags as one "REL TO …",
    and its sharing group (its releasability statement, else its name) when the event is
    shared with a sharing group. tearline.markings reads them when the report is stored."""
    out: list[str] = []
    codes = [m.group(1).strip() for t in tags if (m := _REL_TO_TAG.match(t.strip()))]
    if codes:
        out.append("REL TO " + ", ".join(dict.fromkeys(codes)))
    group = event.get("SharingGroup")
    if str(event.get("distribution")) == str(SHARING_GROUP) and isinstance(group, dict):
        stated = str(group.get("releasability") or "").strip()
        name = str(group.get("name") or "").strip()
        if stated.upper().startswith("REL"):
            out.append(stated)
        elif name:
            out.append(name)
    return tuple(out)


def event_document(event: Any, filename: str) -> Document:
    """One MISP event as a Document; ``_Bad`` with the reason when it cannot be read."""
    if not isinstance(event, dict):
        raise _Bad("not a JSON object")
    if not _is_uuid(event.get("uuid")):
        raise _Bad(
            "it has no valid uuid; MISP gives every event one, and Tearline needs it to "
            "recognise the event when it is pulled again"
        )
    if not isinstance(event.get("info"), str) or not event["info"].strip():
        raise _Bad("it has no info (the event's title)")
    stamp = _timestamp(event)
    misp = _load(event)
    tags = _tags(misp)
    orgc = event.get("Orgc") if isinstance(event.get("Orgc"), dict) else event.get("Org")
    source = str(orgc.get("name") or "").strip() if isinstance(orgc, dict) else ""
    external = f"misp:{str(event['uuid']).lower()}" + (f"@{stamp}" if stamp is not None else "")
    raw = json.dumps({"Event": event}, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return Document(
        filename=filename,
        media_type=MEDIA_TYPE,
        title=misp.info.strip()[:500],
        text=_text(misp),
        raw=raw,
        document_date=_date(event, filename, stamp),
        source_hint=source or None,
        tlp=event_tlp(tags),
        external_id=external,
        markings=event_markings(event, tags),
    )


def read_feed(directory: Path) -> Iterator[tuple[str, bytes] | Refused]:
    """A MISP feed directory's events, in the manifest's order: (file name, bytes) for each
    event file the manifest lists, Refused for one it lists that is missing or unreadable.
    InputError when the directory holds no readable ``manifest.json``."""
    manifest_path = directory / "manifest.json"
    try:
        manifest = json.loads(decode_utf8(manifest_path.read_bytes(), str(manifest_path)))
    except FileNotFoundError:
        raise InputError(
            f"{directory}: no manifest.json; a MISP feed directory lists its events there"
        ) from None
    except OSError as exc:
        raise InputError(f"{manifest_path}: cannot be read ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise MalformedDocument(f"{manifest_path}: not valid JSON ({exc.msg})") from None
    if not is_manifest(manifest):
        raise MalformedDocument(
            f"{manifest_path}: not a MISP feed manifest (event UUIDs mapped to summaries)"
        )
    for event_id in manifest:
        name = f"{event_id}.json"
        try:
            yield name, (directory / name).read_bytes()
        except OSError as exc:
            yield Refused(
                f"event {event_id}", f"listed in manifest.json, but {name}: {exc.strerror}"
            )
