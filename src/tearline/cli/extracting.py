"""Extraction on its own: read a document and print its events; stores nothing."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from tearline.cli._common import (
    JsonOpt,
    cli,
    out,
    overrides,
    parse_date,
    read_file,
)
from tearline.settings import load_settings


@cli.command()
def extract(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A document to read.")],
    date: Annotated[
        str | None,
        typer.Option(help="Document date, ISO 8601 (default: from the document, else now)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Extract events from a document and print them; stores nothing."""
    from tearline.extract import extract as run_extract
    from tearline.extract import extraction_document
    from tearline.intake import read_document

    settings = load_settings(overrides(ctx))
    doc = read_document(read_file(file), file.name, max_bytes=settings.max_document_bytes)
    when = parse_date(date) or doc.document_date or datetime.now(UTC)
    events = run_extract(doc.text, when)
    if as_json:
        sys.stdout.write(
            json.dumps(extraction_document(events, when), ensure_ascii=False, indent=2) + "\n"
        )
        return
    from tearline.display import print_events

    print_events(out, events)
