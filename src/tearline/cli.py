"""The ``tearline`` command: a thin face on the workflow.

Every error a user can cause ends as one line on standard error and a non-zero exit
status (see ``tearline.errors`` for the codes); nothing is half-stored.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tearline import workflow as wf
from tearline.errors import InputError, NotFound, SignatureError, TearlineError
from tearline.ids import Kind, parse_id
from tearline.model import Contact
from tearline.settings import load_settings

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

cli = typer.Typer(
    name="tearline",
    help="Duty to warn: from threat reporting to a signed, delivered, tracked warning.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
audit_cli = typer.Typer(help="The tamper-evident audit record.", no_args_is_help=True)
users_cli = typer.Typer(help="Users and their roles.", no_args_is_help=True)
recipients_cli = typer.Typer(help="The recipient registry.", no_args_is_help=True)
keys_cli = typer.Typer(help="The deployment's signing keys.", invoke_without_command=True)
cli.add_typer(audit_cli, name="audit")
cli.add_typer(users_cli, name="users")
cli.add_typer(recipients_cli, name="recipients")
cli.add_typer(keys_cli, name="keys")

HomeOpt = Annotated[
    Path | None, typer.Option("--home", help="Data directory (default: TEARLINE_HOME or per-user).")
]
UserOpt = Annotated[
    str,
    typer.Option(
        "--user", "-u", help="Sign in as this user (password: TEARLINE_PASSWORD or prompt)."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _overrides(ctx: typer.Context) -> dict[str, Any]:
    obj = ctx.find_root().obj
    return dict(obj) if isinstance(obj, dict) else {}


def open_app(ctx: typer.Context, home: Path | None = None) -> wf.App:
    overrides = _overrides(ctx)
    if home is not None:
        overrides["home"] = str(home)
    return wf.App(load_settings(overrides))


def _password(user: str) -> str:
    password = os.environ.get("TEARLINE_PASSWORD")
    if password is None:
        password = typer.prompt(f"Password for {user}", hide_input=True, err=True)
    return password


def signed_in(app: wf.App, user: str) -> wf.Identity:
    return wf.sign_in(app, user, _password(user))


def _parse_date(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        d = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"--date {value!r} is not an ISO 8601 date such as 2024-03-06") from None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


@cli.callback()
def _root(
    ctx: typer.Context,
    home: HomeOpt = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL (TEARLINE_DATABASE_URL).")
    ] = None,
) -> None:
    ctx.obj = {"home": str(home) if home else None, "database_url": database_url}


@cli.command()
def demo(
    home: Annotated[
        Path | None,
        typer.Option("--home", help="Fresh directory for the demo (default: a new temporary one)."),
    ] = None,
) -> None:
    """Run the Moscow 2024 case end to end on the embedded default and print the chain."""
    from tearline.demo.scenario import run_demo

    run_demo(home, out)


@cli.command()
def ingest(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Documents: .txt, .json, .eml, .html")],
    source: Annotated[str | None, typer.Option(help="Source name (itself protected).")] = None,
    reliability: Annotated[
        str | None, typer.Option(help="Source reliability, Admiralty A-F.")
    ] = None,
    tlp: Annotated[str | None, typer.Option(help="TLP 2.0 level of the documents.")] = None,
    compartment: Annotated[list[str] | None, typer.Option(help="Compartment (repeatable).")] = None,
    date: Annotated[str | None, typer.Option(help="Document date, ISO 8601.")] = None,
    code_word: Annotated[
        list[str] | None, typer.Option(help="A code word to protect (repeatable).")
    ] = None,
    method: Annotated[
        list[str] | None, typer.Option(help="A collection method to protect (repeatable).")
    ] = None,
    protect: Annotated[
        list[str] | None, typer.Option(help="Any other term to protect (repeatable).")
    ] = None,
) -> None:
    """Store reports and the events extracted from them; each file is all-or-nothing."""
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
        document_date=_parse_date(date),
        protect=tuple(terms),
    )
    failed = 0
    for path in files:
        try:
            raw = _read_file(path)
            result = wf.ingest_bytes(app, raw, path.name, prov, actor=_os_user())
        except TearlineError as exc:
            err.print(f"error: {exc}", markup=False)
            failed += 1
            continue
        if result.duplicate:
            out.print(f"{path}: already ingested as {result.report_ref}")
            continue
        events = (
            ", ".join(
                f"{e.ref} {e.kind.value}"
                + (
                    f" → {e.threat_ref}{' (new case)' if e.new_case else ''}"
                    if e.threat_ref
                    else ""
                )
                for e in result.events
            )
            or "no events"
        )
        out.print(f"{path}: {result.report_ref} — {events}")
    if failed:
        raise typer.Exit(InputError.exit_code)


def _os_user() -> str:
    try:
        return f"cli:{os.getlogin()}"
    except OSError:
        return f"cli:{os.environ.get('USER', 'unknown')}"


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a document") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None


@cli.command()
def extract(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A document to read.")],
    date: Annotated[
        str | None,
        typer.Option(help="Document date, ISO 8601 (default: from the document, else now)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Extract events from a document and print them; stores nothing."""
    from tearline.extract import extract as run_extract
    from tearline.extract import extraction_document
    from tearline.intake import read_document

    settings = load_settings(_overrides(ctx))
    doc = read_document(_read_file(file), file.name, max_bytes=settings.max_document_bytes)
    when = _parse_date(date) or doc.document_date or datetime.now(UTC)
    events = run_extract(doc.text, when)
    if as_json:
        sys.stdout.write(
            json.dumps(extraction_document(events, when), ensure_ascii=False, indent=2) + "\n"
        )
        return
    from tearline.display import print_events

    print_events(out, events)


@cli.command()
def threats(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="Only cases with this status.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the threat cases."""
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
) -> None:
    """Assess a case and record the duty-to-warn determination."""
    app = open_app(ctx)
    decided = wf.decide(
        app, threat, signed_in(app, user), waiver=waive, justification=justification
    )
    from tearline.display import print_determination

    print_determination(out, decided)


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


@cli.command()
def respond(
    ctx: typer.Context,
    warning: Annotated[str, typer.Argument(help="The warning answered, e.g. WRN-1.")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="received, acting, disputed, more_info, measures_taken, measures_relaxed"
        ),
    ],
    user: UserOpt,
    note: Annotated[str, typer.Option(help="What they said.")] = "",
    via: Annotated[
        str, typer.Option(help="channel, phone, in_person, liaison, email, other")
    ] = "channel",
) -> None:
    """Record a recipient's response; escalation rules propose what to do next."""
    app = open_app(ctx)
    r = wf.respond(app, warning, kind, signed_in(app, user), note=note, via=via)
    out.print(f"{r.ref}: {r.warning_ref} answered {r.kind.value}")
    for e in r.escalations:
        out.print(f"  {e.ref} proposed: {e.action.replace('_', ' ')} — {e.reason}", markup=False)


@cli.command()
def verify(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="A .jws, a webhook body (.json) or a liaison note (.html).")
    ],
    jwks: Annotated[
        Path | None, typer.Option(help="The sender's published keys (default: this deployment's).")
    ] = None,
) -> None:
    """Check a warning's signature: exit 0 if authentic and unaltered, non-zero if not."""
    content = _read_file(file).decode("utf-8", errors="replace")
    if jwks is not None:
        keys = wf.load_jwks(_read_file(jwks).decode("utf-8", errors="replace"))
    else:
        keys = open_app(ctx).keys.keyset()
    try:
        v = wf.verify_artifact(content, keys)
    except SignatureError as exc:
        err.print(f"INVALID: {file}: {exc}", markup=False)
        raise typer.Exit(SignatureError.exit_code) from None
    d = v.document
    out.print(
        f"VALID: {d.get('reference')} from {d.get('sender')}, signed "
        f"{v.signed_at.isoformat() if v.signed_at else 'at an unknown time'} "
        f"with key {v.key_id}; not altered",
        markup=False,
    )


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


@users_cli.command("add")
def users_add(
    ctx: typer.Context,
    username: str,
    role: Annotated[
        list[str], typer.Option(help="analyst, duty_officer, approver, auditor, admin")
    ],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
) -> None:
    """Create a user (password: TEARLINE_NEW_PASSWORD or prompt)."""
    password = os.environ.get("TEARLINE_NEW_PASSWORD") or typer.prompt(
        f"New password for {username}", hide_input=True, confirmation_prompt=True, err=True
    )
    try:
        roles = [wf.Role(r) for r in role]
    except ValueError:
        raise InputError(
            f"unknown role in {role}; use analyst, duty_officer, approver, auditor, admin"
        ) from None
    wf.add_user(open_app(ctx), username, password, roles, display_name=name, by=_os_user())
    out.print(f"user {username} created with roles {', '.join(r.value for r in roles)}")


@users_cli.command("list")
def users_list(ctx: typer.Context) -> None:
    """List users and their roles."""
    for username, roles in wf.list_users(open_app(ctx)):
        out.print(f"{username}: {', '.join(roles)}")


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
        actor=_os_user(),
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


@keys_cli.callback()
def keys(ctx: typer.Context) -> None:
    """Print the public signing keys as a JWKS document (to publish)."""
    if ctx.invoked_subcommand is None:
        sys.stdout.write(json.dumps(open_app(ctx).keys.jwks(), indent=2) + "\n")


@keys_cli.command("rotate")
def keys_rotate(ctx: typer.Context) -> None:
    """Create a new signing key; older keys keep verifying old warnings."""
    key = wf.rotate_key(open_app(ctx), _os_user())
    out.print(f"new signing key {key.kid}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a command, turn errors into one line and an exit status."""
    try:
        cli(args=argv, prog_name="tearline")
    except SystemExit as exc:  # Typer ends every run this way, errors in usage included
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except TearlineError as exc:
        err.print(f"error: {exc}", markup=False)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
