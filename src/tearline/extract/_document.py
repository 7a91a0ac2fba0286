"""The JSON envelope ``tearline extract --json`` prints (layout: docs/extract-json.md)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tearline.model import EXTRACT_SCHEMA, Event, event_to_dict


def extraction_document(events: Sequence[Event], document_date: datetime) -> dict[str, Any]:
    """``{"schema", "document_date", "events"}``: stable, versioned by EXTRACT_SCHEMA."""
    return {
        "schema": EXTRACT_SCHEMA,
        "document_date": document_date.isoformat(),
        "events": [event_to_dict(e) for e in events],
    }
