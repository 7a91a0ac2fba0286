"""``tearline demo``: the Moscow 2024 case, end to end, on the embedded default.

The reports are written by the project and modelled on public facts of March 2024: a
liaison report that ISIS-K plans an armed attack on large gatherings in Moscow,
including concerts, within days. It names a source code word and a collection method
that must never leave the system. A second report, in Russian, from a partner service
(another source), says the same: it is read in Russian, its facts join the case in
English beside its own words, and it counts as independent corroboration. A third, the
first report relayed again by another channel, shares the first one's origin and counts
for nothing. The clock is simulated, starting on 6 March 2024.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text
from sqlalchemy import select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.demo.receiver import LoopbackReceiver
from tearline.display import print_determination, print_events, print_proposal
from tearline.errors import ConfigError, TearlineError
from tearline.ids import Kind
from tearline.model import Contact, event_from_dict
from tearline.release import find_leaks
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.workflow.desk import live_assessment
from tearline.workflow.feed import feed_entries
from tearline.workflow.origins import case_corroboration
from tearline.workflow.outbox import mark_handed_over
from tearline.workflow.records import load, protected_terms

START = datetime(2024, 3, 6, 9, 0, tzinfo=UTC)
DISPUTED_AT = datetime(2024, 3, 19, 10, 0, tzinfo=UTC)  # "provocative ... blackmail"
REPORT_FILE = "moscow-liaison-report.txt"
SOURCE = "PINE HARBOUR"
# The second report: in Russian, from another source, on the same plot.
SECOND_REPORT_FILE = "moscow-partner-report-ru.txt"
SECOND_SOURCE = "SILVER BIRCH"
SECOND_RELIABILITY = "C"
# The first report again, relayed by another channel graded higher: it shares the first
# report's origin, so it neither corroborates nor lifts the reliability.
ECHO_REPORT_FILE = "moscow-liaison-report-relayed.txt"
ECHO_SOURCE = "CEDAR POST"
ECHO_RELIABILITY = "A"
ECHO_HEADER = b"RELAYED FOR AWARENESS - text as received from our liaison partner follows.\n\n"
CODE_WORD = "KESTREL LANTERN"
VENUE_OPERATOR = "Crocus City Hall management / security desk"
METHODS = ("intercepted Telegram conversations", "Telegram")
USERS = {
    # dana may approve releases others propose — but never her own (two-person rule)
    "dana": ("dana-duty-officer-demo", [wf.Role.ANALYST, wf.Role.DUTY_OFFICER, wf.Role.APPROVER]),
    "avery": ("avery-approver-demo", [wf.Role.APPROVER, wf.Role.AUDITOR]),
}


@dataclass(frozen=True)
class DemoResult:
    home: Path
    threat_ref: str
    second_report_ref: str
    second_report_language: str | None
    release_ref: str
    warnings: list[tuple[str, str, str]]  # (ref, recipient, jws)
    webhook_posts: int
    escalations: list[str]
    audit_entries: int


def report_text(name: str = REPORT_FILE) -> bytes:
    return (resources.files("tearline.data") / "demo" / name).read_bytes()


def second_report_text() -> bytes:
    return report_text(SECOND_REPORT_FILE)


SECOND_PROVENANCE = wf.Provenance(
    source=SECOND_SOURCE, reliability=SECOND_RELIABILITY, compartments=("CT",)
)
ECHO_PROVENANCE = wf.Provenance(
    source=ECHO_SOURCE, reliability=ECHO_RELIABILITY, compartments=("CT",)
)


def echo_text() -> bytes:
    """The liaison report once more, forwarded by another channel under its own header:
    an echo, not a second source."""
    return ECHO_HEADER + report_text()


def fresh_home(home: Path | None) -> Path:
    if home is None:
        return Path(tempfile.mkdtemp(prefix="tearline-demo-"))
    if home.exists() and any(home.iterdir()):
        raise ConfigError(f"{home} is not empty; the demo needs a fresh directory")
    home.mkdir(parents=True, exist_ok=True)
    return home


def _step(console: Console, number: int, title: str) -> None:
    console.print()
    console.print(Rule(f"{number}. {title}", align="left"))


def _seed(app: wf.App, webhook: str) -> None:
    for name, (password, roles) in USERS.items():
        wf.add_user(app, name, password, roles, by="demo")
    wf.add_recipient(
        app,
        name="Russian Federation — FSB, through the liaison channel",
        kind="government",
        tier="adversary",
        language="ru",  # written in Russian, with the English text alongside
        jurisdiction="RU",
        contacts=[Contact("liaison_note", "moscow-liaison-desk")],
        actor="demo",
    )
    wf.add_recipient(
        app,
        name="Public in Moscow (security alert)",
        kind="public",
        tier="public",
        language="en",
        area_country="RU",
        area_city="Moscow",
        contacts=[
            Contact("webhook", f"{webhook}/alerts/moscow"),
            Contact("public_feed", "ru-moscow"),
        ],
        actor="demo",
    )
    # The venue the report names: its operator is an intended victim, warned directly.
    wf.add_recipient(
        app,
        name=VENUE_OPERATOR,
        kind="organisation",
        tier="partner",
        language="en",
        area_country="RU",
        area_city="Moscow",
        area_lat=55.8253,
        area_lon=37.3886,
        area_radius_km=0.5,
        contacts=[Contact("webhook", f"{webhook}/venues/crocus")],
        actor="demo",
    )


def run_demo(home: Path | None, console: Console, public_url: str | None = None) -> DemoResult:
    home = fresh_home(home)
    clock = FixedClock(START)
    settings = load_settings(
        {
            "home": str(home),
            "database_url": f"sqlite:///{home / 'tearline.db'}",
            "sender": "Tearline demo agency",
            "public_url": public_url,  # None: TEARLINE_PUBLIC_URL or the default
        }
    )
    app = wf.App(settings, clock=clock)
    receiver = LoopbackReceiver()
    webhook = receiver.start()
    try:
        return _run(app, clock, receiver, webhook, console)
    finally:
        receiver.stop()
        app.close()


def _run(
    app: wf.App, clock: FixedClock, receiver: LoopbackReceiver, webhook: str, console: Console
) -> DemoResult:
    console.print(
        Panel(
            Text(
                f"Tearline demo — simulated clock from {START:%d %B %Y %H:%M} UTC\n"
                f"Data directory: {app.home}\n"
                f"Demo users: dana (duty officer; password {USERS['dana'][0]}), "
                f"avery (approver; password {USERS['avery'][0]})"
            ),
            title="Moscow, March 2024",
            title_align="left",
        )
    )
    _seed(app, webhook)

    _step(console, 1, "Intake: a liaison report arrives, then a second report in Russian")
    raw = report_text()
    console.print(Panel(Text(raw.decode()), title=REPORT_FILE, title_align="left"))
    prov = wf.Provenance(
        source=SOURCE,
        reliability="B",
        compartments=("CT",),
        protect=(
            wf.TermSpec("code_word", CODE_WORD),
            *(wf.TermSpec("collection_method", m) for m in METHODS),
        ),
    )
    ingested = wf.ingest_bytes(app, raw, REPORT_FILE, prov, actor="dana")
    console.print(
        f"Stored as {ingested.report_ref}, {ingested.language_note}; protected: source "
        f"name, code word, {len(METHODS)} collection-method terms (never released)."
    )
    raw_ru = second_report_text()
    console.print(Panel(Text(raw_ru.decode()), title=SECOND_REPORT_FILE, title_align="left"))
    second = wf.ingest_bytes(app, raw_ru, SECOND_REPORT_FILE, SECOND_PROVENANCE, actor="dana")
    console.print(
        Text(
            f"Stored as {second.report_ref}, {second.language_note}; from a partner service: "
            f"another source, graded {SECOND_RELIABILITY} (its name is protected too)."
        )
    )

    _step(console, 2, "Extract: the events, each fact with its evidence")
    threat_ref = next(e.threat_ref for e in ingested.events if e.threat_ref)
    detail = wf.show(app, ingested.report_ref)
    for got in (ingested, second):
        if got is second:
            console.print(
                f"Threat case {threat_ref} opened; {len(detail['events'])} events in the report."
            )
        with app.read() as s:
            report = load(s, t.Report, got.report_ref, Kind.REPORT)
            rows = s.scalars(
                select(t.Event).where(t.Event.report_id == report.id).order_by(t.Event.id)
            )
            events = [event_from_dict(e.facts) for e in rows]
        console.print(
            Text(
                f"{got.report_ref}, in {wf.language_label(got.language)}: facts in English, "
                "evidence as written",
                style="bold",
            )
        )
        print_events(console, events)
    joined = [e for e in second.events if e.threat_ref == threat_ref]
    with app.read() as s:
        case = load(s, t.Threat, threat_ref, Kind.THREAT)
        sources = sorted(
            {e.report.source for e in case.events if e.report.source is not None},
            key=lambda x: x.id,
        )
        graded = ", ".join(f"SRC-{x.id} ({x.reliability})" for x in sources)
    if joined:
        console.print(
            Text(
                f"{second.report_ref}, in {wf.language_label(second.language)}, joins "
                f"{threat_ref}: the same group, place and days. {threat_ref} now rests on "
                f"{len(sources)} independent sources ({graded}): the second report "
                "corroborates the first."
            )
        )
    else:  # extraction read it otherwise: say so, the chain goes on with one source
        console.print(
            Text(f"{second.report_ref} did not join {threat_ref}: no corroboration counted.")
        )
    echo = wf.ingest_bytes(app, echo_text(), ECHO_REPORT_FILE, ECHO_PROVENANCE, actor="dana")
    with app.read() as s:
        case = load(s, t.Threat, threat_ref, Kind.THREAT)
        counted = case_corroboration(s, case)
        grade = live_assessment(s, case, clock.now(), app.settings.imminence_days).admiralty
    console.print(
        Text(
            f"{echo.report_ref}: the liaison report again, relayed by another channel "
            f"({ECHO_SOURCE}, graded {ECHO_RELIABILITY}). It shares {echo.origin}'s origin "
            f"({echo.origin_reason or 'no tie found'}), so it is no corroboration and lends "
            f"no reliability: {threat_ref} is {grade}, on {counted.why}."
        )
    )

    _step(console, 3, "Assess and decide: the duty to warn")
    dana = wf.sign_in(app, "dana", USERS["dana"][0])
    decided = wf.decide(app, threat_ref, dana)
    print_determination(console, decided)

    _step(console, 4, "Release: one warning per recipient, at the precision its tier allows")
    proposed = wf.propose_release(app, threat_ref, dana)
    print_proposal(console, proposed)
    clock.advance(timedelta(minutes=10))  # the approver reads the drafts
    try:
        wf.approve_release(app, proposed.ref, dana)
    except TearlineError as exc:
        console.print(
            Text(f"Two-person rule: dana tries to approve her own release → refused: {exc}")
        )
    avery = wf.sign_in(app, "avery", USERS["avery"][0])
    released = wf.approve_release(app, proposed.ref, avery)
    console.print(
        f"{released.ref} approved by {released.approved_by} (proposed by "
        f"{released.proposed_by}); signed with Ed25519 key {released.key_id}."
    )

    _step(console, 5, "Authenticity and the leak check")
    keys = wf.load_jwks(json.dumps(app.keys.jwks()))  # as a recipient would: public keys only
    with app.read() as s:
        terms = protected_terms(s)
    for wref, recipient, _token in released.warnings:
        # As released, byte for byte: every form, in every language it was written in.
        forms = {f: wf.export_warning(app, wref, f).content for f in ("jws", "cap", "email")}
        checked = [wf.verify_artifact(content, keys) for content in forms.values()]
        with app.read() as s:
            every = dict(load(s, t.WarningRecord, wref, Kind.WARNING).artifacts)
        leaks = find_leaks(every, terms)
        console.print(
            f"{wref} → {recipient}: signature VALID (JWS, CAP XML signature, e-mail; key "
            f"{checked[0].key_id[:12]}…); protected terms found: {len(leaks)} "
            f"in {len(every)} forms ({', '.join(sorted(every))})"
        )
    console.print(
        Text(
            f"Explore: tearline --home {app.home} warnings | preview {released.ref} | "
            f"export {released.warnings[0][0]} --format cap"
        )
    )

    _step(console, 6, "Deliver: through the outbox")
    sent: list[wf.Sent] = []
    wf.run_worker(app, wf.channels_for(app), once=True, on_sent=sent.append)
    for d in sent:
        console.print(
            Text(
                f"{d.ref} {d.warning_ref} → {d.recipient} via {d.channel}: {d.status} ({d.detail})"
            )
        )
    console.print(f"The loopback receiver at {webhook} holds {len(receiver.unique)} warning(s).")
    clock.advance(timedelta(hours=3))  # the liaison officer carries the note to the ministry

    for d in sent:
        if d.status == "awaiting_handover":
            done = mark_handed_over(app, d.ref, dana, note="handed to the duty officer in person")
            line = f"{done.ref} {done.warning_ref} via {done.channel}: {done.status}"
            console.print(Text(f"{line} ({done.detail})"))
    console.print(
        f"Public feed (Atom, CAP inside): {len(feed_entries(app))} alert(s) at "
        f"{app.settings.public_url}/feed.atom when `tearline serve` runs."
    )

    _step(console, 7, "Track: the liaison recipient answers")
    clock.set(DISPUTED_AT)
    liaison_ref = released.warnings[0][0]
    responded = wf.respond(
        app,
        liaison_ref,
        "disputed",
        dana,
        via="liaison",
        note="The warning is a provocation, intended to destabilise society.",
    )
    console.print(
        f"{clock.now():%d %B %Y}: {responded.warning_ref} answered "
        f"{responded.kind.value} (“provocation”)."
    )
    for e in responded.escalations:
        console.print(Text(f"{e.ref} proposed: {e.action.replace('_', ' ')} — {e.reason}"))

    _step(console, 8, "Audit: the record is intact")
    chain = wf.audit_verify(app)
    console.print(
        f"tearline audit verify: intact — {chain.entries} entries, head {chain.head_hash[:16]}…"
    )
    console.print(
        f"It agrees with {chain.checkpoints} signed checkpoint(s) of the record; every released "
        "warning carries the one made at its release (tearline audit checkpoints --export)."
    )
    console.print()
    console.print(
        Text(
            f"Explore it: tearline --home {app.home} threats | show {threat_ref} | "
            f"audit log | verify {app.home}/liaison/moscow-liaison-desk/*.html"
        )
    )
    return DemoResult(
        app.home,
        threat_ref,
        second.report_ref,
        second.language,
        released.ref,
        released.warnings,
        len(receiver.unique),
        [e.ref for e in responded.escalations],
        chain.entries,
    )
