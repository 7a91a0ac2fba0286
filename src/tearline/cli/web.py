"""``tearline serve``: the duty officer's desk in a browser, with the delivery worker
(one process), or in several web processes with the worker run apart (``--workers N``)."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from tearline.cli._common import cli, open_app, out, overrides
from tearline.errors import ConfigError, InputError
from tearline.settings import load_settings, placeholder_settings, public_url_for

HostOpt = Annotated[str, typer.Option(help="Address to listen on (default: this machine only).")]
PortOpt = Annotated[int, typer.Option(help="Port to listen on.")]


def use_bound_address(ctx: typer.Context, host: str, port: int) -> None:
    """Reply and feed links point where the desk listens, unless TEARLINE_PUBLIC_URL (or
    public_url in the file) says where recipients reach it."""
    if port and "public_url" not in load_settings(overrides(ctx)).given:
        root = ctx.find_root()
        root.obj = {**overrides(ctx), "public_url": public_url_for(host, port)}


@cli.command()
def serve(
    ctx: typer.Context,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    worker: Annotated[
        bool | None,
        typer.Option(
            "--worker/--no-worker",
            help="Run the delivery worker in this process (the default with one web process;"
            " never with several: run `tearline worker` beside them).",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Web processes sharing the port (production: PostgreSQL, about one per core).",
        ),
    ] = 1,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Trust X-Forwarded-Proto/For from these proxy addresses (TLS in front).",
        ),
    ] = None,
) -> None:
    """Serve the desk (web pages and JSON API) on the embedded default or the database set."""
    from tearline.web.server import DeskServer, port_free, serve_processes
    from tearline.workflow.worker import settle_heap

    def say(line: str) -> None:  # with JSON logs, every line the service writes is JSON
        if load_settings(overrides(ctx)).log_format == "json":
            logging.getLogger("tearline.web").info("%s", line)
        else:
            out.print(line)

    use_bound_address(ctx, host, port)
    for problem in placeholder_settings(load_settings(overrides(ctx))):
        say(f"Warning: {problem}. Until then nothing can be released.")
    if workers > 1:
        if worker:
            raise InputError(
                "the delivery worker runs in one process: with --workers above 1, leave out "
                "--worker and run `tearline worker` beside the desk"
            )
        open_app(ctx).close()  # a database that cannot be opened is said once, here
        if port and not port_free(host, port):
            raise ConfigError(f"the desk could not listen on {host}:{port}: port in use?")
        shown = f"[{host}]" if ":" in host else host
        say(f"Tearline desk at http://{shown}:{port}/ in {workers} processes — Ctrl-C stops it.")
        say("No delivery worker runs here: run `tearline worker` to send warnings.")
        serve_processes(
            overrides(ctx),
            workers=workers,
            host=host,
            port=port,
            access_log=True,
            forwarded_allow_ips=forwarded_allow_ips,
        )
        return
    worker = worker is not False
    server = DeskServer(
        open_app(ctx),
        host=host,
        port=port,
        worker=worker,
        access_log=True,
        forwarded_allow_ips=forwarded_allow_ips,
    )
    url = server.start()
    settle_heap(thresholds=None)  # a web process: the worker, if any, is a thread of it
    say(f"Tearline desk at {url}/ — Ctrl-C stops it.")
    if worker:
        say("The delivery worker runs in this process.")
    server.wait()
