"""The JSON envelope ``tearline extract --json`` prints (layout: docs/extract-json.md)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tearline.model import EXTRACT_SCHEMA, Event, event_to_dict


def extraction_document(
    events: Sequence[Event], document_date: datetime, language: str | None = None
) -> dict[str, Any]:
    """``{"schema", "document_date", "language"?, "events"}``: stable, versioned by
    EXTRACT_SCHEMA (``language``, the document's ISO 639-1 code, is added where known)."""
    doc: dict[str, Any] = {"schema": EXTRACT_SCHEMA, "document_date": document_date.isoformat()}
    if language:
        doc["language"] = language
    doc["events"] = [event_to_dict(e) for e in events]
    return doc
