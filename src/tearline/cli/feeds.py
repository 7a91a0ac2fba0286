"""Partners' feeds and mailboxes: subscribe, list, poll now (the worker polls on its own)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from tearline.cli._common import RELIABILITY, JsonOpt, cli, err, open_app, os_user, out
from tearline.errors import InputError

feeds_cli = typer.Typer(
    help="Partners' Atom/RSS feeds and IMAP mailboxes, polled for reporting.",
    no_args_is_help=True,
)
mailbox_cli = typer.Typer(
    help="A partner's IMAP mailbox, polled like a feed.", no_args_is_help=True
)
cli.add_typer(feeds_cli, name="feeds")
cli.add_typer(mailbox_cli, name="mailbox")

EveryOpt = Annotated[
    str, typer.Option("--every", help="How often to poll: 30s, 15m, 1h, 1d (default 15m).")
]


SourceOpt = Annotated[
    str | None, typer.Option(help="Source name its items are stored under (itself protected).")
]
ReliabilityOpt = Annotated[
    str | None, typer.Option(help="Source reliability, Admiralty A-F.", callback=RELIABILITY.check)
]


def _add(
    ctx: typer.Context, url: str, every: str, source: str | None, reliability: str | None
) -> None:
    from tearline.workflow import feeds as wf_feeds

    view = wf_feeds.add_feed(
        open_app(ctx),
        url,
        wf_feeds.parse_every(every),
        os_user(),
        source=source,
        reliability=reliability,
    )
    out.print(f"{view.ref}: {view.url}, polled every {view.every}", markup=False)


@feeds_cli.command("add")
def feeds_add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The feed's URL (http or https).")],
    every: EveryOpt = "15m",
    source: SourceOpt = None,
    reliability: ReliabilityOpt = None,
) -> None:
    """Poll an Atom or RSS feed for partner reporting (first poll: the worker's next round)."""
    _add(ctx, url, every, source, reliability)


@mailbox_cli.command("add")
def mailbox_add(
    ctx: typer.Context,
    url: Annotated[
        str, typer.Argument(help="imaps://user@host/INBOX (password: TEARLINE_MAILBOX_PASSWORD).")
    ],
    every: EveryOpt = "15m",
    source: SourceOpt = None,
    reliability: ReliabilityOpt = None,
) -> None:
    """Poll an IMAP mailbox: each new message is ingested as an e-mail report."""
    _add(ctx, url, every, source, reliability)


@feeds_cli.command("remove")
def feeds_remove(
    ctx: typer.Context, ref: Annotated[str, typer.Argument(help="The feed (FEED-n).")]
) -> None:
    """Stop polling a feed or mailbox (the reports it brought stay)."""
    from tearline.workflow import feeds as wf_feeds

    view = wf_feeds.remove_feed(open_app(ctx), ref, os_user())
    out.print(f"{view.ref}: {view.url} is no longer polled", markup=False)


@feeds_cli.command("list")
def feeds_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The feeds and mailboxes polled, when next, and the last error of each."""
    from tearline.workflow import feeds as wf_feeds

    rows = wf_feeds.list_feeds(open_app(ctx))
    if as_json:
        sys.stdout.write(json.dumps([asdict(r) for r in rows], indent=2, default=str) + "\n")
        return
    table = Table("feed", "kind", "URL", "every", "next poll", "stored", "last error")
    for r in rows:
        error = f"{r.last_error} ({r.failures} failed)" if r.last_error else ""
        table.add_row(
            r.ref,
            r.kind,
            r.url,
            r.every,
            f"{r.next_poll_at:%Y-%m-%d %H:%M}",
            str(r.items_stored),
            error,
        )
    out.print(table)


@feeds_cli.command("poll")
def feeds_poll(
    ctx: typer.Context,
    ref: Annotated[str | None, typer.Argument(help="Only this feed (FEED-n).")] = None,
    due: Annotated[bool, typer.Option(help="Only the feeds that are due.")] = False,
) -> None:
    """Poll the feeds and mailboxes now (all of them, or one), and say what each gave."""
    from tearline.workflow import feeds as wf_feeds

    polled = wf_feeds.poll_feeds(open_app(ctx), due_only=due, ref=ref)
    failed = 0
    for p in polled:
        if p.status == "failed":
            failed += 1
            err.print(f"error: {p.line()}", markup=False)
            continue
        out.print(p.line(), markup=False)
        for refused in p.summary.refused if p.summary else []:
            out.print(f"  refused: {refused}", markup=False)
    if not polled:
        out.print("no feed was due" if due else "no feeds; add one with tearline feeds add URL")
    if failed:
        raise typer.Exit(InputError.exit_code)
