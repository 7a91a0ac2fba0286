"""A MISP feed directory taken in: each event the manifest lists stored as its own report
(``workflow.partner_intake``), a listed event whose file is missing or unreadable refused
with the reason, the others stored all the same."""

from __future__ import annotations

from pathlib import Path

from tearline.intake import Refused
from tearline.intake.misp import MispReader, read_feed
from tearline.workflow.app import App
from tearline.workflow.partner_intake import IntakeSummary, ItemRefused, OnItem, ingest_items
from tearline.workflow.reports import Provenance


def is_misp_feed(path: Path) -> bool:
    """A directory laid out as a MISP feed (it has a ``manifest.json``)."""
    return path.is_dir() and (path / "manifest.json").is_file()


def ingest_misp_feed(
    app: App, directory: Path, prov: Provenance, actor: str, *, on_item: OnItem | None = None
) -> IntakeSummary:
    """Store every event of the feed at ``directory``; InputError (nothing stored) when it
    has no readable manifest."""
    summary = IntakeSummary()
    reader = MispReader()
    for entry in read_feed(directory):
        if isinstance(entry, Refused):
            _refuse(summary, ItemRefused(directory.name, entry.item, entry.reason), on_item)
            continue
        name, raw = entry
        if not reader.sniff(raw):  # never read as a plain document: the feed says it is MISP
            why = 'not a MISP event ({"Event": {…}}), though manifest.json lists it'
            _refuse(summary, ItemRefused(name, "", why), on_item)
            continue
        summary.extend(ingest_items(app, raw, name, prov, actor, on_item=on_item, readers=[reader]))
    return summary


def _refuse(summary: IntakeSummary, refused: ItemRefused, on_item: OnItem | None) -> None:
    summary.refused.append(refused)
    if on_item:
        on_item(refused)
