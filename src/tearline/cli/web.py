"""``tearline serve``: the duty officer's desk in a browser, with the delivery worker."""

from __future__ import annotations

from typing import Annotated

import typer

from tearline.cli._common import cli, open_app, out

HostOpt = Annotated[str, typer.Option(help="Address to listen on (default: this machine only).")]
PortOpt = Annotated[int, typer.Option(help="Port to listen on.")]


@cli.command()
def serve(
    ctx: typer.Context,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Run the delivery worker in this process (off when workers run apart).",
        ),
    ] = True,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Trust X-Forwarded-Proto/For from these proxy addresses (TLS in front).",
        ),
    ] = None,
) -> None:
    """Serve the desk (web pages and JSON API) on the embedded default or the database set."""
    from tearline.web.server import DeskServer

    server = DeskServer(
        open_app(ctx),
        host=host,
        port=port,
        worker=worker,
        access_log=True,
        forwarded_allow_ips=forwarded_allow_ips,
    )
    url = server.start()
    out.print(f"Tearline desk at {url}/ — Ctrl-C stops it.")
    if worker:
        out.print("The delivery worker runs in this process.")
    server.wait()
