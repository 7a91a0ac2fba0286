"""Release: propose, preview, adjust and approve warnings; end them; list and export them."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from tearline.cli._common import (
    ClosedSet,
    JsonOpt,
    UserOpt,
    cli,
    open_app,
    out,
    signed_in,
)
from tearline.errors import InputError
from tearline.ids import Kind, parse_id


# The closed sets of this module's options live in the release stage and its workflow,
# read only when an option is given (importing them would slow every --help).
def _fallbacks() -> tuple[str, ...]:
    from tearline.workflow.release_languages import FALLBACKS

    return FALLBACKS


def _facts() -> tuple[str, ...]:
    from tearline.release import FACT_LEVELS

    return tuple(FACT_LEVELS)


def _levels() -> tuple[str, ...]:
    from tearline.release import FACT_LEVELS

    return tuple(dict.fromkeys(level for levels in FACT_LEVELS.values() for level in levels))


def _formats() -> tuple[str, ...]:
    from tearline.release import FORMATS

    return (*FORMATS, "misp")


ReasonOpt = Annotated[str, typer.Option("--reason", help="Why: kept on the record.")]


@cli.command()
def release(
    ctx: typer.Context,
    threat: Annotated[str, typer.Argument(help="The case, e.g. THR-1.")],
    user: UserOpt,
    language_fallback: Annotated[
        str | None,
        typer.Option(
            "--language-fallback",
            help="For a recipient whose language Tearline does not write — english: write "
            "it in English; country: in the language of the recipient's country; hold: draft "
            "no warning for that recipient. Asked for only when there is one.",
            callback=ClosedSet(_fallbacks).check,
        ),
    ] = None,
) -> None:
    """Propose the warnings for a case (one per recipient); a second person approves.

    A recipient who already holds a warning about the case gets an Update that replaces it.
    """
    from tearline import workflow as wf

    app = open_app(ctx)
    proposed = wf.propose_release(app, threat, signed_in(app, user), language_fallback)
    from tearline.display import print_proposal

    print_proposal(out, proposed)


@cli.command()
def preview(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="A release, e.g. REL-1.")],
    as_json: JsonOpt = False,
) -> None:
    """Side by side: the internal picture and what each recipient will see, and why."""
    from tearline import workflow as wf

    p = wf.preview_release(open_app(ctx), ref)
    if as_json:
        sys.stdout.write(json.dumps(asdict(p), indent=2, ensure_ascii=False, default=str) + "\n")
        return
    from tearline.display import print_preview

    print_preview(out, p)


@cli.command()
def adjust(
    ctx: typer.Context,
    warning: Annotated[str, typer.Argument(help="A draft warning, e.g. WRN-3.")],
    fact: Annotated[
        str,
        typer.Option(
            help="place, time, actor, method, target or likelihood.",
            callback=ClosedSet(_facts).check,
        ),
    ],
    to: Annotated[
        str,
        typer.Option(
            "--to",
            callback=ClosedSet(_levels).check,
            help="The level, e.g. place: venue|district|city|region|country; "
            "time: exact|day|window|vague; actor: named|generic|withheld; "
            "method, target: specific|category|withheld; likelihood: shared|withheld.",
        ),
    ],
    reason: ReasonOpt,
    user: UserOpt,
) -> None:
    """Tighten or loosen one fact for one recipient's draft; recorded with who and why."""
    from tearline import workflow as wf

    app = open_app(ctx)
    draft = wf.adjust_fact(app, warning, fact, to, signed_in(app, user), reason=reason)
    from tearline.display import print_draft

    out.print(f"{draft.ref}: {fact} set to {to} for {draft.recipient}; leak check passed.")
    print_draft(out, draft)


@cli.command()
def approve(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(help="A release (REL-n), or a waiver or supersede determination (DET-n)."),
    ],
    user: UserOpt,
) -> None:
    """Approve a proposed release (signs and queues it), a waiver or a supersede — as a second
    person."""
    from tearline import workflow as wf

    app = open_app(ctx)
    kind, _ = parse_id(ref, Kind.RELEASE, Kind.DETERMINATION)
    who = signed_in(app, user)
    if kind is Kind.DETERMINATION:
        det = wf.show(app, ref, who)
        what = "supersede" if det.get("supersedes_id") else "waiver"
        out.print(f"{wf.approve_waiver(app, ref, who)}: {what} approved by {who.username}")
        if det.get("supersedes_id") and det.get("follow_up") in ("update", "all-clear"):
            owed = det["follow_up"]
            hint = f" (`tearline all-clear THR-{det['threat_id']}` drafts it)"
            out.print(
                f"  owed to the recipients already warned: {owed}{hint if owed != 'update' else ''}"
            )
        return
    released = wf.approve_release(app, ref, who)
    out.print(
        f"{released.ref} released: proposed by {released.proposed_by}, approved by "
        f"{released.approved_by}; signed with key {released.key_id}"
    )
    for wref, recipient, _ in released.warnings:
        out.print(f"  {wref} → {recipient}", markup=False)
    if released.superseded:
        out.print(f"  superseded: {', '.join(released.superseded)}")
    out.print(f"  {released.deliveries} deliveries queued; run `tearline worker --once` to send")


def _end(ctx: typer.Context, threat: str, user: str, reason: str, all_clear: bool) -> None:
    from tearline import workflow as wf

    app = open_app(ctx)
    proposed = wf.propose_end(app, threat, signed_in(app, user), all_clear=all_clear, reason=reason)
    from tearline.display import print_proposal

    print_proposal(out, proposed)


@cli.command("all-clear")
def all_clear(
    ctx: typer.Context,
    threat: Annotated[str, typer.Argument(help="The case, e.g. THR-1.")],
    reason: ReasonOpt,
    user: UserOpt,
) -> None:
    """Propose an all-clear for every warning in force about a case (the threat has passed)."""
    _end(ctx, threat, user, reason, all_clear=True)


@cli.command()
def withdraw(
    ctx: typer.Context,
    threat: Annotated[str, typer.Argument(help="The case, e.g. THR-1.")],
    reason: ReasonOpt,
    user: UserOpt,
) -> None:
    """Propose the withdrawal (CAP Cancel) of every warning in force about a case."""
    _end(ctx, threat, user, reason, all_clear=False)


@cli.command()
def warnings(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List warnings: recipient, tier, language, status, validity, what replaced what."""
    from tearline import workflow as wf

    rows = wf.list_warnings(open_app(ctx))
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table("ID", "Recipient", "Tier", "Lang", "Type", "Status", "Valid until (UTC)", "Notes")
    for r in rows:
        notes = []
        if r["supersedes"]:
            notes.append(f"replaces {r['supersedes']}")
        if r["superseded_by"]:
            notes.append(f"replaced by {r['superseded_by']}")
        kind = "All clear" if r["kind"] == "all_clear" else r["msg_type"]
        table.add_row(
            r["ref"],
            Text(r["recipient"]),
            r["tier"],
            r["language"],
            kind,
            r["status"],
            r["valid_until"][:16].replace("T", " "),
            "; ".join(notes),
        )
    out.print(table)


@cli.command()
def export(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="A released warning, e.g. WRN-2.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="text, alert, sms, email, cap, stix, stix_jws, jws or misp.",
            callback=ClosedSet(_formats).check,
        ),
    ],
    lang: Annotated[
        str | None, typer.Option(help="Language of text, alert or sms (default: the recipient's).")
    ] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here, not to stdout.")
    ] = None,
) -> None:
    """Write one released warning in one format, exactly as it was signed and sent."""
    from tearline import workflow as wf

    exported = wf.export_warning(open_app(ctx), ref, fmt, lang)
    if out_file is None:
        sys.stdout.write(
            exported.content if exported.content.endswith("\n") else exported.content + "\n"
        )
        return
    try:
        out_file.write_text(exported.content, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {out_file}: {exc.strerror}") from None
    out.print(f"{exported.ref} ({fmt}, {exported.language}) written to {out_file}", markup=False)


@cli.command()
def policy(
    ctx: typer.Context,
    toml: Annotated[bool, typer.Option("--toml", help="Print as an editable TOML file.")] = False,
) -> None:
    """The releasability policy in force: how precise each fact may be, per tier."""
    from tearline.release import policy_row, policy_toml
    from tearline.workflow.release_drafting import policy_in_force

    current = policy_in_force(open_app(ctx))
    if toml:
        sys.stdout.write(policy_toml(current))
        return
    table = Table("Tier", "Place", "Time", "Actor", "Method", "Target", "Likelihood", "TLP")
    for tier, p in current.items():
        table.add_row(tier.value, *policy_row(p).values())
    out.print(table)
