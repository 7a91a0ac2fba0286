"""Trust in the record and in warnings: signatures, keys, the audit chain."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tearline.cli._common import (
    JsonOpt,
    cli,
    err,
    open_app,
    os_user,
    out,
    read_file,
)
from tearline.cli._progress import ProgressOpt, Steps
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
    from tearline import workflow as wf

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
    checkpoint = v.document.get("audit_checkpoint")
    if isinstance(checkpoint, dict):
        out.print(
            f"It carries the sender's audit checkpoint of entry #{checkpoint.get('seq')}: keep "
            f"the file; `tearline audit verify --checkpoints {file.name}` checks the sender's "
            "record against it.",
            markup=False,
        )


@audit_cli.command("verify")
def audit_verify(
    ctx: typer.Context,
    checkpoints: Annotated[
        list[Path] | None,
        typer.Option(
            "--checkpoints",
            help="Checkpoints kept elsewhere: a file from `audit checkpoints --export`, or a "
            "released warning (.jws, webhook .json, .eml, liaison .html) that embeds one. "
            "Repeatable.",
        ),
    ] = None,
    jwks: Annotated[
        Path | None,
        typer.Option(
            help="The published keys to check checkpoints with (default: this "
            "deployment's key files)."
        ),
    ] = None,
    progress: ProgressOpt = None,
) -> None:
    """Check the whole audit chain and every signed checkpoint of it.

    Names the first altered, removed or reordered entry, and the checkpoint a rewrite of
    the record (every hash recomputed) no longer matches.
    """
    from tearline import workflow as wf

    app = open_app(ctx)
    keys = wf.load_jwks(read_file(jwks).decode("utf-8", errors="replace")) if jwks else None
    held = [
        h
        for f in checkpoints or []
        for h in wf.read_checkpoint_file(read_file(f), f.name, keys or app.keys.keyset())
    ]
    with Steps("checking the audit chain", total=None, show=progress) as steps:
        report = wf.audit_verify(app, held, keys, on_entry=steps.advance)
    steps.summary(f"{steps.done} audit entries checked")
    out.print(
        f"audit chain intact: {report.entries} entries, head #{report.head_seq} {report.head_hash}"
    )
    kept = f" ({len(held)} from the files given)" if checkpoints else ""
    out.print(f"agrees with {report.checkpoints} signed checkpoint(s){kept}")


@audit_cli.command("checkpoint")
def audit_checkpoint(ctx: typer.Context) -> None:
    """Sign a checkpoint of the chain's head now, with the deployment's signing key."""
    from tearline import workflow as wf

    c = wf.make_checkpoint(open_app(ctx), os_user())
    out.print(f"checkpoint of #{c.seq} {c.head} signed with key {c.key_id}")


@audit_cli.command("checkpoints")
def audit_checkpoints(
    ctx: typer.Context,
    export: Annotated[
        Path | None,
        typer.Option(help="Write every checkpoint to this file (JSON), to keep off this machine."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the signed checkpoints of the audit chain, or export them for a third party."""
    from tearline import workflow as wf

    app = open_app(ctx)
    if export is not None:
        document = wf.export_checkpoints(app)
        export.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        out.print(f"wrote {len(document['checkpoints'])} checkpoint(s) to {export}")
        return
    rows = wf.list_checkpoints(app)
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table("#", "Head", "Signed (UTC)", "Key", "Made for")
    for r in rows:
        table.add_row(str(r["seq"]), r["head"][:16], r["at"][:19], r["key_id"][:16], r["made_for"])
    out.print(table)


@audit_cli.command("log")
def audit_log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many of the latest entries.")] = 50,
    subject: Annotated[str | None, typer.Option(help="Only entries about this ID.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the latest audit entries."""
    from tearline import workflow as wf

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
    from tearline import workflow as wf

    key = wf.rotate_key(open_app(ctx), os_user())
    out.print(f"new signing key {key.kid}")


@keys_cli.command("cap-cert")
def keys_cap_cert(
    ctx: typer.Context,
    csr: Annotated[
        bool, typer.Option("--csr", help="Print a certificate signing request for a CA to sign.")
    ] = False,
    cert: Annotated[
        Path | None,
        typer.Option("--import", help="Install the CA's certificate (PEM, then its chain)."),
    ] = None,
) -> None:
    """The X.509 certificate of the RSA key that signs CAP (TEARLINE_CAP_SIGNATURE=rsa):
    print it (PEM, for xmlsec1 --trusted-pem), or a request for a CA, or import a CA's."""
    from tearline.workflow.keys import (
        cap_certificate,
        cap_certificate_request,
        import_cap_certificate,
    )

    app = open_app(ctx)
    if cert is not None:
        key = import_cap_certificate(app, read_file(cert), os_user())
        out.print(f"CAP key {key.kid} now signs with the imported certificate")
        return
    pem = (cap_certificate_request if csr else cap_certificate)(app, os_user())
    sys.stdout.write(pem.decode("ascii"))
