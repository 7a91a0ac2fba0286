"""Working a case: ingest reports, list and show threats, decide, release, approve, respond."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tearline.cli._common import (
    DATE_HELP,
    RELIABILITY,
    TLP,
    ClosedSet,
    JsonOpt,
    UserOpt,
    cli,
    err,
    language_tag,
    open_app,
    out,
    parse_date,
    signed_in,
)
from tearline.cli._progress import ProgressOpt
from tearline.errors import InputError, TearlineError


# The closed sets of this module's options, read from their homes only when an option is
# given (the workflow is too heavy to import for --help).
def _statuses() -> tuple[str, ...]:
    from tearline.workflow.cases import THREAT_STATUSES

    return THREAT_STATUSES


def _follow_ups() -> tuple[str, ...]:
    from tearline.workflow.supersede import FOLLOW_UPS

    return FOLLOW_UPS


def _response_kinds() -> tuple[str, ...]:
    from tearline.track.escalation import ResponseKind

    return tuple(k.value for k in ResponseKind)


def _vias() -> tuple[str, ...]:
    from tearline.workflow.responses import VIA

    return VIA


@cli.command()
def ingest(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Documents (.txt, .json, .eml, .html) and partners' items (STIX bundles, "
            "CAP alerts, Atom/RSS feeds), or directories of them."
        ),
    ],
    source: Annotated[str | None, typer.Option(help="Source name (itself protected).")] = None,
    reliability: Annotated[
        str | None,
        typer.Option(help="Source reliability, Admiralty A-F.", callback=RELIABILITY.check),
    ] = None,
    tlp: Annotated[
        str | None,
        typer.Option(help="TLP 2.0 level of the documents.", callback=TLP.check),
    ] = None,
    compartment: Annotated[list[str] | None, typer.Option(help="Compartment (repeatable).")] = None,
    rel_to: Annotated[
        list[str] | None,
        typer.Option(
            "--rel-to",
            help="Releasability marking, e.g. 'REL TO USA, GBR, FVEY' or 'NATO' (repeatable: "
            "each restricts further); the documents' own markings apply too.",
        ),
    ] = None,
    date: Annotated[str | None, typer.Option(help=f"Document date. {DATE_HELP}")] = None,
    code_word: Annotated[
        list[str] | None, typer.Option(help="A code word to protect (repeatable).")
    ] = None,
    method: Annotated[
        list[str] | None, typer.Option(help="A collection method to protect (repeatable).")
    ] = None,
    protect: Annotated[
        list[str] | None, typer.Option(help="Any other term to protect (repeatable).")
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            "--lang",
            callback=language_tag,
            help="The language the documents are written in (ru, en, es, fr, ar, fa): they "
            "are read in it. Default: identified from each document's text.",
        ),
    ] = None,
    progress: ProgressOpt = None,
) -> None:
    """Store reports and the events extracted from them; each item is all-or-nothing."""
    from tearline import workflow as wf
    from tearline.cli._intake import ingest_paths

    app = open_app(ctx)
    terms = (
        [wf.TermSpec("code_word", x) for x in code_word or []]
        + [wf.TermSpec("collection_method", x) for x in method or []]
        + [wf.TermSpec("marked_span", x) for x in protect or []]
    )
    prov = wf.Provenance(
        source=source,
        reliability=reliability,
        tlp=tlp,
        compartments=tuple(compartment or ()),
        markings=tuple(rel_to or ()),
        document_date=parse_date(date),
        protect=tuple(terms),
        language=language,
    )
    try:
        wf.given_language(prov)
    except TearlineError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(exc.exit_code) from None
    if ingest_paths(app, files, prov, show=progress).refused:
        raise typer.Exit(InputError.exit_code)


@cli.command()
def threats(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(help="Only cases with this status.", callback=ClosedSet(_statuses).check),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the threat cases."""
    from tearline import workflow as wf

    rows = wf.list_threats(open_app(ctx), status)
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table("ID", "Status", "Case", "Grade", "Imminence", "Window ends", "Reports")
    for r in rows:
        table.add_row(
            r["ref"],
            r["status"],
            r["title"],
            r["grade"] or "—",
            r["imminence"] or "—",
            (r["window_end"] or "—")[:16],
            str(r["reports"]),
        )
    out.print(table)


@cli.command()
def show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="An ID such as THR-1, RPT-1, WRN-2.")],
    as_json: JsonOpt = False,
) -> None:
    """Show one record in full."""
    from tearline import workflow as wf

    data = wf.show(open_app(ctx), ref)
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
        return
    from tearline.display import print_record

    print_record(out, data)


@cli.command()
def decide(
    ctx: typer.Context,
    threat: Annotated[str, typer.Argument(help="The case, e.g. THR-1.")],
    user: UserOpt,
    waive: Annotated[
        str | None, typer.Option(help="Waive the duty to warn with this reason code.")
    ] = None,
    justification: Annotated[
        str, typer.Option(help="Written justification (required to waive).")
    ] = "",
    supersede: Annotated[
        str | None,
        typer.Option(
            help="Supersede the determination in force, for this reason (at least 20 "
            "characters); a second person approves it with `tearline approve DET-n`."
        ),
    ] = None,
    follow_up: Annotated[
        str | None,
        typer.Option(
            "--follow-up",
            callback=ClosedSet(_follow_ups).check,
            help="What the recipients already warned are told when a warning is downgraded: "
            "update, all-clear or nothing.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be recorded; record nothing.")
    ] = False,
) -> None:
    """Assess a case and record the duty-to-warn determination (or supersede the one in force)."""
    from tearline import workflow as wf

    app = open_app(ctx)
    decided = wf.decide(
        app,
        threat,
        signed_in(app, user),
        waiver=waive,
        justification=justification,
        supersede=supersede,
        follow_up=follow_up,
        preview=dry_run,
    )
    from tearline.display import print_determination

    print_determination(out, decided)


@cli.command()
def determinations(
    ctx: typer.Context,
    threat: Annotated[str, typer.Argument(help="The case, e.g. THR-1.")],
    as_json: JsonOpt = False,
) -> None:
    """Every determination of a case, oldest first: version, what it superseded and why."""
    from tearline.display import print_determination_history
    from tearline.workflow.supersede import history

    rows = history(open_app(ctx), threat)
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    print_determination_history(out, rows)


@cli.command()
def respond(
    ctx: typer.Context,
    warning: Annotated[str, typer.Argument(help="The warning answered, e.g. WRN-1.")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="received, acting, disputed, more_info, measures_taken, measures_relaxed",
            callback=ClosedSet(_response_kinds).check,
        ),
    ],
    user: UserOpt,
    note: Annotated[str, typer.Option(help="What they said.")] = "",
    via: Annotated[
        str,
        typer.Option(
            help="channel, phone, in_person, liaison, email, other",
            callback=ClosedSet(_vias).check,
        ),
    ] = "channel",
) -> None:
    """Record a recipient's response; escalation rules propose what to do next."""
    from tearline import workflow as wf

    app = open_app(ctx)
    r = wf.respond(app, warning, kind, signed_in(app, user), note=note, via=via)
    out.print(f"{r.ref}: {r.warning_ref} answered {r.kind.value}")
    for e in r.escalations:
        out.print(f"  {e.ref} proposed: {e.action.replace('_', ' ')} — {e.reason}", markup=False)
