"""Trust in the record and in warnings: signatures, keys, the audit chain."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tearline import workflow as wf
from tearline.cli._common import (
    JsonOpt,
    cli,
    err,
    open_app,
    os_user,
    out,
    read_file,
)
from tearline.errors import SignatureError

audit_cli = typer.Typer(help="The tamper-evident audit record.", no_args_is_help=True)
keys_cli = typer.Typer(help="The deployment's signing keys.", invoke_without_command=True)
cli.add_typer(audit_cli, name="audit")
cli.add_typer(keys_cli, name="keys")


@cli.command()
def verify(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="A .jws (warning or signed STIX bundle), a webhook body (.json), a liaison "
            "note (.html), a signed CAP message (.xml) or an e-mail (.eml)."
        ),
    ],
    jwks: Annotated[
        Path | None, typer.Option(help="The sender's published keys (default: this deployment's).")
    ] = None,
) -> None:
    """Check a warning's signature: exit 0 if authentic and unaltered, non-zero if not."""
    content = read_file(file)
    if jwks is not None:
        keys = wf.load_jwks(read_file(jwks).decode("utf-8", errors="replace"))
    else:
        keys = open_app(ctx).keys.keyset()
    try:
        v = wf.verify_artifact(content, keys)
    except SignatureError as exc:
        err.print(f"INVALID: {file}: {exc}", markup=False)
        raise typer.Exit(SignatureError.exit_code) from None
    out.print(f"VALID: {wf.describe(v)}", markup=False)


@audit_cli.command("verify")
def audit_verify(ctx: typer.Context) -> None:
    """Check the whole audit chain; names the first altered, removed or reordered entry."""
    report = wf.audit_verify(open_app(ctx))
    out.print(
        f"audit chain intact: {report.entries} entries, head #{report.head_seq} {report.head_hash}"
    )


@audit_cli.command("log")
def audit_log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many of the latest entries.")] = 50,
    subject: Annotated[str | None, typer.Option(help="Only entries about this ID.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the latest audit entries."""
    rows = wf.audit_entries(open_app(ctx), limit, subject)
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table("#", "At (UTC)", "Actor", "Action", "Subject")
    for r in rows:
        table.add_row(str(r["seq"]), r["at"][:19], r["actor"], r["action"], r["subject"])
    out.print(table)


@keys_cli.callback()
def keys(ctx: typer.Context) -> None:
    """Print the public signing keys as a JWKS document (to publish)."""
    if ctx.invoked_subcommand is None:
        sys.stdout.write(json.dumps(open_app(ctx).keys.jwks(), indent=2) + "\n")


@keys_cli.command("rotate")
def keys_rotate(ctx: typer.Context) -> None:
    """Create a new signing key; older keys keep verifying old warnings."""
    key = wf.rotate_key(open_app(ctx), os_user())
    out.print(f"new signing key {key.kid}")
