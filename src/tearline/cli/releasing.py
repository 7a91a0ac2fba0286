"""Release: propose warnings for a case and approve them as a second person."""

from __future__ import annotations

from typing import Annotated

import typer

from tearline import workflow as wf
from tearline.cli._common import (
    UserOpt,
    cli,
    open_app,
    out,
    signed_in,
)
from tearline.ids import Kind, parse_id


@cli.command()
def release(
    ctx: typer.Context,
    threat: Annotated[str, typer.Argument(help="The case, e.g. THR-1.")],
    user: UserOpt,
) -> None:
    """Propose the warnings for a case (one per recipient); a second person approves."""
    app = open_app(ctx)
    proposed = wf.propose_release(app, threat, signed_in(app, user))
    from tearline.display import print_proposal

    print_proposal(out, proposed)


@cli.command()
def approve(
    ctx: typer.Context,
    ref: Annotated[
        str, typer.Argument(help="A release (REL-n) or a waiver determination (DET-n).")
    ],
    user: UserOpt,
) -> None:
    """Approve a proposed release (signs and queues it) or a waiver — as a second person."""
    app = open_app(ctx)
    kind, _ = parse_id(ref, Kind.RELEASE, Kind.DETERMINATION)
    who = signed_in(app, user)
    if kind is Kind.DETERMINATION:
        out.print(f"{wf.approve_waiver(app, ref, who)}: waiver approved by {who.username}")
        return
    released = wf.approve_release(app, ref, who)
    out.print(
        f"{released.ref} released: proposed by {released.proposed_by}, approved by "
        f"{released.approved_by}; signed with key {released.key_id}"
    )
    for wref, recipient, _ in released.warnings:
        out.print(f"  {wref} → {recipient}")
    out.print(f"  {released.deliveries} deliveries queued; run `tearline worker --once` to send")
