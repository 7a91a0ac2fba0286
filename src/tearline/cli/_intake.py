"""What ``tearline ingest`` shows while it stores files and directories of documents:
one line per item, a progress bar on a terminal, and a summary when there were several.

Each item (a document, a report of a STIX bundle, a CAP alert, a feed entry) is stored
on its own; one that is refused is named with its reason on standard error and the rest
are still stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from tearline.cli._common import err, os_user, out, read_file
from tearline.errors import TearlineError

if TYPE_CHECKING:  # the workflow loads only when a command runs: --help stays quick
    from tearline import workflow as wf


def files_under(paths: Iterable[Path]) -> Iterator[Path]:
    """Each path given; a directory's files (not hidden ones), in name order, recursively."""
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                rel = found.relative_to(path)
                if found.is_file() and not any(p.startswith(".") for p in rel.parts):
                    yield found
        else:
            yield path


def _events(result: wf.Ingested) -> str:
    return (
        ", ".join(
            f"{e.ref} {e.kind.value}"
            + (f" → {e.threat_ref}{' (new case)' if e.new_case else ''}" if e.threat_ref else "")
            for e in result.events
        )
        or "no events"
    )


def _show(label: str, outcome: wf.Ingested | wf.ItemRefused) -> None:
    from tearline import workflow as wf

    if isinstance(outcome, wf.ItemRefused):
        err.print(f"error: {outcome}", markup=False)
    elif outcome.duplicate:
        out.print(f"{label}: already ingested as {outcome.report_ref}", markup=False)
    else:
        out.print(
            f"{label}: {outcome.report_ref}, {outcome.language_note} — {_events(outcome)}",
            markup=False,
        )
        if outcome.origin_reason:
            out.print(f"  same origin as {outcome.origin}: {outcome.origin_reason}", markup=False)


def ingest_paths(
    app: wf.App,
    paths: Iterable[Path],
    prov: wf.Provenance,
    *,
    progress_to: Console = err,
    show: bool | None = None,
) -> wf.IntakeSummary:
    """Store every item of every file; print each outcome, then a summary of several. The
    progress bar is drawn on ``progress_to`` (standard error) when it is a terminal, or
    as ``show`` says."""
    from tearline import workflow as wf
    from tearline.workflow.misp_feed import ingest_misp_feed, is_misp_feed

    summary = wf.IntakeSummary()
    paths = list(paths)
    # A MISP feed directory is read through its manifest (listed events only, a missing
    # one refused); its other files (hashes.csv) are not reports.
    feeds = [p for p in paths if is_misp_feed(p)]
    for feed in feeds:
        summary.extend(
            ingest_misp_feed(app, feed, prov, os_user(), on_item=partial(_show, str(feed)))
        )
    files = list(files_under(p for p in paths if p not in feeds))
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=progress_to,
        transient=True,
        disable=not (progress_to.is_terminal if show is None else show),
    )
    with progress:
        task = progress.add_task("ingesting", total=0)

        def on_file(name: str, items: int) -> None:
            total = progress.tasks[0].total or 0
            progress.update(task, total=total + items, description=name)

        for path in files:
            label = str(path)

            def on_item(outcome: wf.Ingested | wf.ItemRefused, label: str = label) -> None:
                progress.advance(task)
                _show(label, outcome)

            try:
                raw = read_file(path)
            except TearlineError as exc:
                refused = wf.ItemRefused(path.name, "", str(exc).removeprefix(f"{path}: "))
                summary.refused.append(refused)
                err.print(f"error: {exc}", markup=False)
                continue
            summary.extend(
                wf.ingest_items(
                    app, raw, path.name, prov, os_user(), on_file=on_file, on_item=on_item
                )
            )
    if summary.items > 1:
        out.print(summary.line(), markup=False)
        for refused in summary.refused:
            out.print(f"  refused: {refused}", markup=False)
    return summary
