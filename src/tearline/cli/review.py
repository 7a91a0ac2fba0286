"""The after-action review of a case or a period, written to a file (html, pdf, json)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from tearline.cli._common import DATE_HELP, ClosedSet, cli, open_app, os_user, out
from tearline.cli._progress import ProgressOpt, Steps
from tearline.errors import InputError


def _formats() -> tuple[str, ...]:
    from tearline.review import FORMATS

    return FORMATS


@cli.command()
def review(
    ctx: typer.Context,
    threat: Annotated[
        str | None, typer.Argument(help="One case, e.g. THR-1; without it, every case.")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--from", help=f"Cases opened from this moment (included). {DATE_HELP}"),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Cases opened before this moment (not included).")
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="html, pdf or json.", callback=ClosedSet(_formats).check
        ),
    ] = "html",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The file to write ('-': stdout).")
    ] = None,
    progress: ProgressOpt = None,
) -> None:
    """Write the after-action review: lead times, answers, waivers, parity flags,
    escalations and deliveries, each figure with its audit entries. Audited."""
    from tearline.workflow import after_action as aa

    if threat is not None and (start or end):
        raise InputError("give a case or a period (--from/--to), not both")
    if output is None or (str(output) == "-" and fmt == "pdf"):
        raise InputError("say where to write it: -o FILE ('-' for stdout, html or json only)")
    app = open_app(ctx)
    try:
        begin, until = aa.period_bounds(start, end, datetime.now(UTC))
        with Steps(f"writing the review ({fmt})", total=None, show=progress) as steps:
            content = aa.export_review(
                app, None, fmt, by=os_user(), threat_ref=threat, start=begin, end=until
            )
            steps.advance()
    finally:
        app.close()
    steps.summary(f"review written: {len(content)} bytes")
    if str(output) == "-":
        sys.stdout.write(content.decode("utf-8"))
        return
    output.write_bytes(content)
    what = threat or "the period"
    out.print(f"review of {what} ({fmt}, {len(content)} bytes) written to {output}", markup=False)
