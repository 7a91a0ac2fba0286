"""Sharing with partners: the tokens a partner's TAXII client reads its collection with."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from tearline.cli._common import JsonOpt, cli, open_app, os_user, out

taxii_cli = typer.Typer(
    help="Partners' TAXII 2.1 collections (docs/sharing.md).", no_args_is_help=True
)
cli.add_typer(taxii_cli, name="taxii")


@taxii_cli.command("token")
def taxii_token(
    ctx: typer.Context,
    recipient: Annotated[str, typer.Argument(help="The partner: RCP-n or its exact name.")],
) -> None:
    """A new token for a partner's TAXII collection, printed once: give it to the partner."""
    from tearline.workflow import taxii

    app = open_app(ctx)
    made = taxii.create_token(app, recipient, by=os_user())
    url = app.settings.public_url.rstrip("/")
    out.print(f"TAXII token #{made.id} for {made.name} ({made.recipient}), shown once:")
    out.print(made.token, markup=False)
    out.print(f"discovery:  {url}/taxii2/", markup=False)
    out.print(f"collection: {url}/taxii2/warnings/collections/{made.collection}/", markup=False)
    out.print(f"HTTP Basic: user {made.recipient}, password the token; or Bearer the token.")


@taxii_cli.command("tokens")
def taxii_tokens(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Every partner token: whose, when made and last used, revoked or not (never the token)."""
    from tearline.workflow import taxii

    rows = taxii.list_tokens(open_app(ctx))
    if as_json:
        listed = [
            {
                "id": r.id,
                "recipient": r.recipient,
                "prefix": r.prefix,
                "created_by": r.created_by,
                "created_at": r.created_at.isoformat(),
                "last_used_at": r.last_used_at.isoformat() if r.last_used_at else None,
                "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
            }
            for r in rows
        ]
        sys.stdout.write(json.dumps(listed, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table("#", "Partner", "Starts", "Made by", "Made", "Last used", "Revoked")
    for r in rows:
        table.add_row(
            str(r.id),
            r.recipient,
            r.prefix + "…",
            r.created_by,
            f"{r.created_at:%Y-%m-%d %H:%M}",
            f"{r.last_used_at:%Y-%m-%d %H:%M}" if r.last_used_at else "",
            f"{r.revoked_at:%Y-%m-%d %H:%M}" if r.revoked_at else "",
        )
    out.print(table)


@taxii_cli.command("revoke")
def taxii_revoke(
    ctx: typer.Context, token: Annotated[int, typer.Argument(help="The token's number.")]
) -> None:
    """Revoke a partner's token now: its next request is refused."""
    from tearline.workflow import taxii

    taxii.revoke_token(open_app(ctx), token, by=os_user())
    out.print(f"TAXII token #{token} revoked")
