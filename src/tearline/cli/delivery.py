"""Delivery and follow-up: the worker, hand deliveries, the registry, targeting, escalations."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tearline.cli._common import (
    ClosedSet,
    JsonOpt,
    UserOpt,
    cli,
    err,
    open_app,
    os_user,
    out,
    read_file,
    signed_in,
)
from tearline.dates import read_when
from tearline.errors import InputError
from tearline.ids import Kind, format_id
from tearline.model import Contact, Location, RecipientKind, Tier

# Control characters (C0, DEL, C1) in a line the worker prints, as "?": a recipient's name
# or a receiver's answer (its own text, from outside) cannot move a terminal's cursor,
# change its colours or split one delivery's line in two in a log.
_CONTROLS = dict.fromkeys([*range(0x20), *range(0x7F, 0xA0)], "?")

recipients_cli = typer.Typer(help="The recipient registry.", no_args_is_help=True)
escalations_cli = typer.Typer(help="Escalations and the escalation policy.", no_args_is_help=True)
cli.add_typer(recipients_cli, name="recipients")
cli.add_typer(escalations_cli, name="escalations")


@cli.command()
def worker(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Send what is due, then exit.")] = False,
    poll: Annotated[float, typer.Option(help="Seconds between looks for new work.")] = 2.0,
    health_port: Annotated[
        int | None,
        typer.Option(
            help="Serve /healthz (200, or 503 with the reason) and /metrics (Prometheus) "
            "on this port (0: any free one); off by default.",
            min=0,
            max=65535,
        ),
    ] = None,
    health_host: Annotated[
        str, typer.Option(help="Address for --health-port (the machine itself by default).")
    ] = "127.0.0.1",
) -> None:
    """Deliver queued warnings and run the escalation timers (until Ctrl-C or SIGTERM).

    Stopping lets the sends in flight finish and be recorded, then exits 0: a restart sends
    nothing twice. A lost database is waited for (logged, retried), not the end of it.
    """
    import logging
    import signal
    import threading
    from types import FrameType

    from tearline import workflow as wf
    from tearline.workflow.worker import Health, channels_for, run_worker, settle_heap

    app = open_app(ctx)
    stop = threading.Event()
    log = logging.getLogger("tearline.worker")
    # With JSON logs every line the service writes is a JSON object: results too.
    as_log = app.settings.log_format == "json"

    def stopping(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # asked twice: stop now (the journal keeps what was sent)
        stop.set()
        log.info("%s: finishing the sends in flight, then stopping", signal.Signals(signum).name)

    if not once:
        signal.signal(signal.SIGTERM, stopping)
        signal.signal(signal.SIGINT, stopping)

    def report(s: wf.Sent) -> None:
        if as_log:  # IDs only: no recipient's name or address in a log line
            fields = {"delivery": s.ref, "warning": s.warning_ref, "channel": s.channel}
            log.info(
                "%s %s: %s",
                s.ref,
                s.warning_ref,
                s.status,
                extra=fields | {"status": s.status, "attempts": s.attempts},
            )
            return
        line = f"{s.ref} {s.warning_ref} → {s.recipient} via {s.channel}: {s.status} ({s.detail})"
        sys.stdout.write(line.translate(_CONTROLS) + "\n")
        sys.stdout.flush()

    health, channels, server = Health(), channels_for(app), None
    if health_port is not None:
        from tearline.workflow.worker_health import HealthServer, WorkerMetrics

        metrics = WorkerMetrics(app, health)
        channels = metrics.timed(channels)
        server = HealthServer(metrics, health_host, health_port)
        url = server.start()
        log.info("health at %s/healthz, metrics at %s/metrics", url, url)
    settle_heap()  # this process runs the worker and nothing else
    try:
        count = run_worker(
            app,
            channels,
            once=once,
            on_sent=report,
            poll_seconds=poll,
            stop=stop,
            health=health,
        )
    except KeyboardInterrupt:
        return
    finally:
        if server is not None:
            server.stop()
    if once and as_log:
        log.info("%d deliveries attempted", count, extra={"count": count})
    elif once:
        out.print(f"{count} deliveries attempted")


@cli.command()
def delivered(
    ctx: typer.Context,
    delivery: Annotated[str, typer.Argument(help="The liaison note's delivery, e.g. DLV-3.")],
    user: UserOpt,
    note: Annotated[str, typer.Option(help="To whom, where, anything said.")] = "",
) -> None:
    """Record that a liaison note was handed over: the delivery is then delivered."""
    from tearline.workflow.outbox import mark_handed_over

    app = open_app(ctx)
    s = mark_handed_over(app, delivery, signed_in(app, user), note=note)
    out.print(f"{s.ref} {s.warning_ref} → {s.recipient}: {s.status} ({s.detail})", markup=False)


def _contacts(values: list[str]) -> list[Contact]:
    contacts = []
    for c in values:
        channel, sep, address = c.partition("=")
        if not sep or not address:
            raise InputError(f"--contact {c!r} must look like CHANNEL=ADDRESS")
        contacts.append(Contact(channel, address))
    return contacts


def _with_secret(c: Contact) -> Contact:
    from tearline.deliver.signature import new_secret

    return replace(c, secret=new_secret()) if c.channel == "webhook" and not c.secret else c


def _floats(text: str, n: int, option: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",")]
    except ValueError:
        values = []
    if len(values) != n:
        raise InputError(f"{option} {text!r} must be {n} numbers separated by commas")
    return values


def _stop(text: str) -> Location:
    when, _, rest = text.partition("@")
    where, _, label = rest.partition("@")
    start, _, end = when.partition("/")
    lat, lon = _floats(where, 2, "--stop")
    if not start.strip() or not end.strip():
        raise InputError(f"--stop {text!r} must look like FROM/TO@LAT,LON[@LABEL]")
    now = datetime.now(UTC)
    t0 = read_when(start, reference=now, what="--stop FROM")
    t1 = read_when(end, reference=now, what="--stop TO")
    return Location(lat, lon, label, None, t0, t1)


@recipients_cli.command("add")
def recipients_add(
    ctx: typer.Context,
    name: str,
    kind: Annotated[
        str,
        typer.Option(
            help="government, organisation, person, public",
            callback=ClosedSet(lambda: (k.value for k in RecipientKind)).check,
        ),
    ],
    tier: Annotated[
        str,
        typer.Option(
            help="ally, partner, neutral, adversary, public",
            callback=ClosedSet(lambda: (t.value for t in Tier)).check,
        ),
    ],
    contact: Annotated[
        list[str],
        typer.Option(
            help="CHANNEL=ADDRESS: email=…, webhook=https://…, sms=+…, "
            "liaison_note=DESK, public_feed=NAME (repeatable)"
        ),
    ],
    fallback: Annotated[
        list[str] | None,
        typer.Option(help="CHANNEL=ADDRESS used only when an escalation resends (repeatable)."),
    ] = None,
    language: Annotated[str, typer.Option(help="BCP 47 language tag.")] = "en",
    jurisdiction: Annotated[str | None, typer.Option(help="Country a government protects.")] = None,
    nation: Annotated[
        str | None,
        typer.Option(
            help="Nation releasability markings are tested against (USA, GBR; a "
            "government's defaults to its jurisdiction's)."
        ),
    ] = None,
    community: Annotated[
        list[str] | None,
        typer.Option(help="Sharing community it belongs to, e.g. NATO, FVEY (repeatable)."),
    ] = None,
    country: Annotated[
        str | None, typer.Option(help="Country of an audience or organisation.")
    ] = None,
    city: Annotated[str | None, typer.Option(help="City of an audience or organisation.")] = None,
    area: Annotated[str | None, typer.Option(help="LAT,LON,RADIUS_KM of an area.")] = None,
    home: Annotated[str | None, typer.Option(help="LAT,LON of a person's home.")] = None,
    stop: Annotated[
        list[str] | None,
        typer.Option(
            help="Itinerary stop FROM/TO@LAT,LON[@LABEL] (repeatable). FROM and TO: ISO 8601"
            " or '11 Dec', '14 Dec 18:00', 'in 5 days' (UTC unless given; relative to now;"
            " a date without a year is the one nearest now)."
        ),
    ] = None,
) -> None:
    """Add a recipient to the registry."""
    from tearline import workflow as wf

    lat = lon = radius = None
    if area:
        lat, lon, radius = _floats(area, 3, "--area")
    home_at = None
    if home:
        hlat, hlon = _floats(home, 2, "--home")
        home_at = Location(hlat, hlon, "home")
    typed = [*_contacts(contact), *_contacts(fallback or [])]
    given = [_with_secret(c) for c in _contacts(contact)]
    given_fallback = [_with_secret(c) for c in _contacts(fallback or [])]
    ref = wf.add_recipient(
        open_app(ctx),
        name=name,
        kind=kind,
        tier=tier,
        language=language,
        contacts=given,
        fallback_contacts=given_fallback,
        jurisdiction=jurisdiction,
        nation=nation,
        communities=community or [],
        area_country=country,
        area_city=city,
        area_lat=lat,
        area_lon=lon,
        area_radius_km=radius,
        home=home_at,
        itinerary=[_stop(s) for s in stop or []],
        actor=os_user(),
    )
    out.print(f"{ref}: {name}")
    for c in [*given, *given_fallback]:
        if c.channel == "webhook" and c.secret and c not in typed:
            # Made here and shown once: the registry never gives it back.
            out.print(f"signing secret for {c.address} (shown once; give it to the receiver):")
            out.print(c.secret, markup=False)


def _registry_formats() -> tuple[str, ...]:
    from tearline.deliver.registry import FORMATS

    return FORMATS


def _outcomes() -> tuple[str, ...]:
    from tearline.workflow.responses import ESCALATION_OUTCOMES

    return ESCALATION_OUTCOMES


REGISTRY_FORMATS = ClosedSet(_registry_formats)


def _format(path: Path, given: str | None) -> str:
    fmt = (given or path.suffix.lstrip(".")).lower()
    if fmt not in ("csv", "json"):
        raise InputError(f"{path}: say --format csv or --format json")
    return fmt


@recipients_cli.command("import")
def recipients_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .csv or .json registry file.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="csv or json (default: suffix)", callback=REGISTRY_FORMATS.check
        ),
    ] = None,
    update: Annotated[bool, typer.Option(help="Replace recipients of the same name.")] = False,
) -> None:
    """Import recipients: every row is checked; all are stored, or none."""
    from tearline import workflow as wf
    from tearline.deliver.registry import RegistryFileRejected

    app = open_app(ctx)
    try:
        done = wf.import_recipients(
            app, read_file(file), _format(file, fmt), actor=os_user(), update=update
        )
    except RegistryFileRejected as exc:
        for problem in exc.problems[:200]:
            err.print(f"{file}: {problem}", markup=False)
        if len(exc.problems) > 200:
            err.print(f"{file}: … {len(exc.problems) - 200} more problems", markup=False)
        err.print(f"error: nothing imported from {file}", markup=False)
        raise typer.Exit(InputError.exit_code) from None
    # One line however long the path (a script reads it), and a path's brackets are text.
    out.print(
        f"{file}: {len(done.created)} recipients added, {len(done.updated)} updated",
        markup=False,
        soft_wrap=True,
    )


@recipients_cli.command("export")
def recipients_export(
    ctx: typer.Context,
    fmt: Annotated[
        str, typer.Option("--format", help="csv or json", callback=REGISTRY_FORMATS.check)
    ] = "json",
    output: Annotated[
        Path | None, typer.Option(help="Write here instead of standard output.")
    ] = None,
    with_secrets: Annotated[
        bool, typer.Option("--with-secrets", help="Keep signing secrets (operator backup).")
    ] = False,
) -> None:
    """Export the registry, without webhook signing secrets (they are write-only)."""
    from tearline import workflow as wf

    app = open_app(ctx)
    if with_secrets:
        err.print(
            "BREAK-GLASS: the export holds every webhook signing secret; it is audited. "
            "Guard the file, or rotate the secrets (recipients rotate-secret) afterwards.",
            markup=False,
        )
    text = wf.export_recipients(app, fmt, with_secrets=with_secrets, by=os_user())
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text, encoding="utf-8")
        output.chmod(0o600)


@recipients_cli.command("rotate-secret")
def recipients_rotate_secret(ctx: typer.Context, recipient: str) -> None:
    """New signing secrets for a recipient's webhooks, printed once: give them to the
    receiver. The old ones stop signing now."""
    from tearline.workflow.recipients import rotate_secret

    for address, secret in rotate_secret(open_app(ctx), recipient, by=os_user()):
        out.print(f"new signing secret for {address} (shown once; give it to the receiver):")
        out.print(secret, markup=False)


@recipients_cli.command("list")
def recipients_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List the registry."""
    from tearline import workflow as wf

    people = wf.registry_with_locations(open_app(ctx))
    if as_json:
        from tearline.deliver.registry import recipient_to_dict

        rows = [{"ref": format_id(Kind.RECIPIENT, r.id), **recipient_to_dict(r)} for r in people]
        for row in rows:
            for c in row["contacts"]:
                c.pop("secret", None)
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table(
        "ID", "Name", "Kind", "Tier", "Lang", "Area", "Releasable to", "Contacts", "Locations"
    )
    for r in people:
        where = r.jurisdiction or " ".join(x for x in (r.area_city, r.area_country) if x)
        if r.area_lat is not None:
            where = f"{where} {r.area_lat:.3f},{r.area_lon:.3f} r{r.area_radius_km:g}km".strip()
        table.add_row(
            format_id(Kind.RECIPIENT, r.id),
            r.name,
            r.kind.value,
            r.tier.value,
            r.language,
            where,
            " ".join(x for x in (r.nation, *r.communities) if x),  # what markings test
            ", ".join(c.channel for c in r.contacts),
            str(len(r.locations)) if r.locations else "",
        )
    out.print(table)


@cli.command()
def target(
    ctx: typer.Context,
    threat: Annotated[str, typer.Argument(help="The case, e.g. THR-1.")],
    as_json: JsonOpt = False,
) -> None:
    """Recipients a threat concerns — by its place and window — each with the reason."""
    from tearline import workflow as wf

    result = wf.target(open_app(ctx), threat)
    if as_json:
        data: dict[str, Any] = asdict(result)
        data["start"], data["end"] = result.start.isoformat(), result.end.isoformat()
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    out.print(
        f"{result.threat_ref}: {result.area}, "
        f"{result.start:%d %b %H:%M}–{result.end:%d %b %H:%M} UTC",
        markup=False,
    )
    table = Table("ID", "Name", "Kind", "Role", "Tier", "Why")
    for a in result.recipients:
        table.add_row(a.ref, a.name, a.kind, a.role.replace("_", " "), a.tier, a.reason)
    out.print(table)
    out.print(f"{len(result.recipients)} recipients")


@escalations_cli.command("list")
def escalations_list(
    ctx: typer.Context,
    open_only: Annotated[
        bool, typer.Option("--open", help="Only those awaiting a decision.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Escalations: alerts for the duty officer, proposals, resends done."""
    from tearline import workflow as wf

    rows = wf.list_escalations(open_app(ctx), open_only=open_only)
    if as_json:
        sys.stdout.write(json.dumps([asdict(r) for r in rows], indent=2, default=str) + "\n")
        return
    table = Table("ID", "Warning", "Rule", "Action", "Status", "Reason")
    for r in rows:
        table.add_row(
            r.ref, r.warning_ref or "", r.rule, r.action.replace("_", " "), r.status, r.reason
        )
    out.print(table)


@escalations_cli.command("resolve")
def escalations_resolve(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The escalation, e.g. ESC-2.")],
    user: UserOpt,
    outcome: Annotated[
        str, typer.Option(help="done or dismissed", callback=ClosedSet(_outcomes).check)
    ] = "done",
    note: Annotated[str, typer.Option(help="What was done, or why not.")] = "",
) -> None:
    """Close an escalation as done (acted on) or dismissed."""
    from tearline import workflow as wf

    app = open_app(ctx)
    eref = wf.resolve_escalation(app, ref, signed_in(app, user), outcome=outcome, note=note)
    out.print(f"{eref}: {outcome}")


@escalations_cli.command("policy")
def escalations_policy(
    ctx: typer.Context,
    set_file: Annotated[
        Path | None, typer.Option("--set", help="Replace it with this JSON file.")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", "-u", help="Who changes it.")] = None,
) -> None:
    """Print the escalation policy as JSON, or replace it (--set FILE --user U)."""
    from tearline import workflow as wf

    app = open_app(ctx)
    if set_file is not None:
        if user is None:
            raise InputError("changing the policy needs --user")
        try:
            document = json.loads(read_file(set_file))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{set_file}: not valid JSON: {exc}") from None
        wf.set_policy(app, document, signed_in(app, user))
    sys.stdout.write(json.dumps(wf.active_policy(app).to_dict(), indent=2) + "\n")
