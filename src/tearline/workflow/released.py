"""Released warnings for the faces: the list (`tearline warnings`) and one format of one
warning (`tearline export`), exactly as it was signed and sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tearline.errors import InputError, InvalidState
from tearline.ids import Kind, format_id
from tearline.release import FORMATS
from tearline.store import tables as t
from tearline.workflow.access import threat_visible
from tearline.workflow.app import App
from tearline.workflow.misp_export import export_misp
from tearline.workflow.records import load
from tearline.workflow.users import Identity

# Forms that hold every language of the warning at once.
ALL_LANGUAGES = ("email", "cap", "stix", "stix_jws", "jws")
SUFFIX = {
    "text": "txt",
    "alert": "txt",
    "sms": "txt",
    "email": "eml",
    "cap": "cap.xml",
    "stix": "stix.json",
    "stix_jws": "stix.jws",
    "jws": "jws",
    "misp": "misp.json",
}


def list_warnings(app: App, viewer: Identity | None = None) -> list[dict[str, Any]]:
    """Every warning, newest last: who it is for, its state, its validity, what it replaced."""
    with app.read() as s:
        rows = s.scalars(
            select(t.WarningRecord)
            .where(threat_visible(t.WarningRecord.threat_id, viewer))
            .order_by(t.WarningRecord.id)
        ).all()
        replaced_by = {
            w.supersedes_id: format_id(Kind.WARNING, w.id)
            for w in rows
            if w.supersedes_id is not None and w.status in ("released", "superseded")
        }
        return [
            {
                "ref": format_id(Kind.WARNING, w.id),
                "threat": format_id(Kind.THREAT, w.threat_id),
                "release": format_id(Kind.RELEASE, w.release_id),
                "recipient": w.recipient.name,
                "tier": w.recipient.tier,
                "language": w.content.get("language", w.recipient.language),
                "status": w.status,
                "msg_type": w.msg_type,
                "kind": w.content.get("kind", "alert"),
                "valid_from": w.valid_from.isoformat(),
                "valid_until": w.valid_until.isoformat(),
                "released_at": w.released_at.isoformat() if w.released_at else None,
                "supersedes": w.content.get("supersedes"),
                "superseded_by": replaced_by.get(w.id),
                "key_id": w.key_id,
                "formats": sorted(w.artifacts or {}),
            }
            for w in rows
        ]


@dataclass(frozen=True)
class Exported:
    ref: str
    format: str
    language: str | None
    content: str
    filename: str


def export_warning(app: App, ref: str, fmt: str, lang: str | None = None) -> Exported:
    """One released form of a warning, byte for byte as it was released (a MISP event is
    derived from the signed document at export: workflow/misp_export.py)."""
    if fmt == "misp":
        misp_ref, event = export_misp(app, ref)
        return Exported(misp_ref, fmt, "en", event, f"{misp_ref}.{SUFFIX[fmt]}")
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}, misp")
    with app.read() as s:
        w = load(s, t.WarningRecord, ref, Kind.WARNING)
        wref = format_id(Kind.WARNING, w.id)
        if w.status == "draft" or not w.artifacts:
            raise InvalidState(f"{wref} has not been released; only released warnings export")
        primary = w.content.get("language", "en")
        languages = [primary, *sorted(set(w.content.get("texts", {})) - {primary})]
        key = fmt
        if lang is not None and fmt not in ALL_LANGUAGES:
            if lang not in languages:
                raise InputError(f"{wref} was written in {', '.join(languages)}, not {lang!r}")
            key = fmt if lang == primary else f"{fmt}.{lang}"
        elif lang is not None and lang not in languages:
            raise InputError(f"{wref} was written in {', '.join(languages)}, not {lang!r}")
        content = w.artifacts.get(key)
        if content is None:
            raise InvalidState(f"{wref} has no {fmt} form (released before that format existed)")
        tag = f".{lang}" if lang and key != fmt else ""
        return Exported(wref, fmt, lang or primary, content, f"{wref}{tag}.{SUFFIX[fmt]}")
