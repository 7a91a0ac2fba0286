"""Delivery: the outbox worker and the recipient registry."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tearline import workflow as wf
from tearline.cli._common import (
    cli,
    open_app,
    os_user,
    out,
)
from tearline.errors import InputError
from tearline.model import Contact

recipients_cli = typer.Typer(help="The recipient registry.", no_args_is_help=True)
cli.add_typer(recipients_cli, name="recipients")


@cli.command()
def worker(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Send what is due, then exit.")] = False,
) -> None:
    """Deliver queued warnings and run the escalation timers."""
    app = open_app(ctx)

    def report(s: wf.Sent) -> None:
        out.print(
            f"{s.ref} {s.warning_ref} → {s.recipient} via {s.channel}: {s.status} ({s.detail})",
            markup=False,
        )

    count = wf.run_worker(app, wf.channels_for(app), once=once, on_sent=report)
    if once:
        out.print(f"{count} deliveries attempted")


@recipients_cli.command("add")
def recipients_add(
    ctx: typer.Context,
    name: str,
    kind: Annotated[str, typer.Option(help="government, organisation, person, public")],
    tier: Annotated[str, typer.Option(help="ally, partner, neutral, adversary, public")],
    contact: Annotated[
        list[str], typer.Option(help="CHANNEL=ADDRESS, e.g. webhook=https://… (repeatable)")
    ],
    language: Annotated[str, typer.Option(help="BCP 47 language tag.")] = "en",
    jurisdiction: Annotated[
        str | None, typer.Option(help="Country a government protects (ISO alpha-2).")
    ] = None,
    country: Annotated[
        str | None, typer.Option(help="Country of a public audience or organisation.")
    ] = None,
    city: Annotated[
        str | None, typer.Option(help="City of a public audience or organisation.")
    ] = None,
) -> None:
    """Add a recipient to the registry."""
    contacts = []
    for c in contact:
        channel, sep, address = c.partition("=")
        if not sep or not address:
            raise InputError(f"--contact {c!r} must look like CHANNEL=ADDRESS")
        contacts.append(Contact(channel, address))
    ref = wf.add_recipient(
        open_app(ctx),
        name=name,
        kind=kind,
        tier=tier,
        language=language,
        contacts=contacts,
        jurisdiction=jurisdiction,
        area_country=country,
        area_city=city,
        actor=os_user(),
    )
    out.print(f"{ref}: {name}")


@recipients_cli.command("list")
def recipients_list(ctx: typer.Context) -> None:
    """List the registry."""
    from tearline.workflow.records import registry

    app = open_app(ctx)
    table = Table("ID", "Name", "Kind", "Tier", "Lang", "Area", "Contacts")
    with app.read() as s:
        for r in registry(s):
            area = r.jurisdiction or " ".join(x for x in (r.area_city, r.area_country) if x)
            table.add_row(
                f"RCP-{r.id}",
                r.name,
                r.kind.value,
                r.tier.value,
                r.language,
                area,
                ", ".join(c.channel for c in r.contacts),
            )
    out.print(table)
