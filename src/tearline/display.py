"""Printing the chain for people: events with their evidence, grades, determinations, drafts.

Shared by the CLI and the demo; Rich renders it. Text from reports is printed with
markup off, so a report cannot restyle or hide parts of the console output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tearline.model import Event, Span

if TYPE_CHECKING:  # printing events needs no workflow (nor its database stack)
    from tearline.workflow import Decided, Draft, Proposed, ReleasePreview


PEOPLE_SHOWN = 20  # registered people at risk listed by name before the rest are counted


def _ev(span: Span) -> str:
    return f"[{span.start}:{span.end}] “{span.text}”"


def event_rows(e: Event) -> list[tuple[str, str, str]]:
    """(fact, value, evidence) rows for one event."""
    rows: list[tuple[str, str, str]] = []
    for a in e.actors:
        value = a.canonical or ("individuals" if a.individuals else a.span.text)
        rows.append(("actor", value, _ev(a.span)))
    if e.method:
        weapon = f" ({e.method.weapon})" if e.method.weapon else ""
        rows.append(("method", e.method.method.value + weapon, _ev(e.method.span)))
    for h in e.harm:
        rows.append(("harm", h.harm.value, _ev(h.span)))
    for g in e.targets:
        rows.append(("target", g.type.value + (f": {g.name}" if g.name else ""), _ev(g.span)))
    if e.place:
        p = e.place
        coords = f" ({p.lat:.3f}, {p.lon:.3f})" if p.lat is not None and p.lon is not None else ""
        where = ", ".join(x for x in (p.venue, p.city, p.region, p.country) if x)
        rows.append(("place", f"{where} — {p.precision.value}{coords}", _ev(p.span)))
    if e.time:
        t = e.time
        rows.append(
            (
                "time",
                f"{t.start:%Y-%m-%d %H:%M} → {t.end:%Y-%m-%d %H:%M} UTC ({t.precision.value})",
                _ev(t.span),
            )
        )
    for label, c in (("killed", e.casualties.killed), ("injured", e.casualties.injured)):
        if c is not None:
            value = (
                f"{c.min}"
                if c.max == c.min
                else (f"at least {c.min}" if c.max is None else f"{c.min}–{c.max}")
            )
            rows.append((label, value, _ev(c.span)))
    return rows


def print_events(console: Console, events: Sequence[Event]) -> None:
    if not events:
        console.print("No threats or incidents found.")
        return
    for i, e in enumerate(events, 1):
        table = Table(
            "Fact",
            "Value",
            "Evidence [start:end]",
            title=f"Event {i}: {e.kind.value.upper()} ({e.modality.value}), "
            f"confidence {e.confidence:.2f}",
            title_justify="left",
            expand=False,
        )
        for row in event_rows(e):
            table.add_row(*(Text(x) for x in row))
        console.print(table)


def print_determination(console: Console, d: Decided) -> None:
    a = d.assessment
    grade = Table.grid(padding=(0, 2))
    grade.add_row(
        "Admiralty", f"{a.admiralty} — {a.rationale['source']}; {a.rationale['credibility']}"
    )
    likelihood = a.likelihood.value if a.likelihood else "n/a"
    pct = f" ({a.likelihood.percent[0]}–{a.likelihood.percent[1]} %)" if a.likelihood else ""
    grade.add_row("Likelihood (ICD 203)", likelihood + pct)
    grade.add_row(
        "Specificity",
        ", ".join(f"{k} {'✓' if v else '✗'}" for k, v in a.specificity.as_dict().items()),
    )
    grade.add_row("Imminence", a.rationale["imminence"])
    grade.add_row("Severity", f"{a.severity.value} — {a.rationale['severity']}")
    console.print(Panel(grade, title="Assessment", title_align="left"))
    checks = Table(
        "Trigger",
        "Met",
        "Why",
        title=f"{d.ref} for {d.threat_ref}: {d.outcome.value.upper()} ({d.status})",
        title_justify="left",
    )
    for name, c in d.checklist.items().items():
        checks.add_row(name.replace("_", " "), "yes" if c.met else "NO", Text(c.reason))
    console.print(checks)
    console.print(Text(f"Intended victims: {d.intended_victims}"))
    if d.recipients:
        rec = Table("Recipient", "Role", "Tier", "Why")
        # a city's registered people can be 100,000 rows: the first few, then a count
        people = [r for r in d.recipients if r.role.value == "at_risk" and r.tier == "public"]
        hidden = people[PEOPLE_SHOWN:] if len(people) > 2 * PEOPLE_SHOWN else []
        skip = {r.ref for r in hidden}
        for r in d.recipients:
            if r.ref not in skip:
                rec.add_row(
                    f"{r.ref} {r.name}", r.role.value.replace("_", " "), r.tier, Text(r.reason)
                )
        if hidden:
            rec.add_row(f"… {len(hidden):,} more people", "at risk", "public", "")
        console.print(rec)
    if d.parity.victims_missing:
        console.print(
            Text(
                "Parity check FLAGGED: intended victims left out, added: "
                + ", ".join(d.parity.victims_missing)
            )
        )
    if d.parity.flagged and d.parity.applies_to_public:
        console.print(
            Text(f"Parity check FLAGGED: {d.parity.reason}; a public security alert is added.")
        )
    elif d.parity.applies_to_public:
        console.print(Text(f"Parity check: {d.parity.reason}."))
    if d.markings:
        console.print(Text(f"Releasability: {d.markings}"))
    for r in d.outside_markings:
        console.print(
            Text(f"Not warned, outside the releasability markings: {r.ref} {r.name} ({r.tier})")
        )
    if d.change is not None:
        print_change(console, d)


def print_change(console: Console, d: Decided) -> None:
    """What a supersede changes: old and new outcome, recipients, what stays released."""
    c = d.change
    assert c is not None
    grid = Table.grid(padding=(0, 2))
    grid.add_row("Supersedes", f"{c.supersedes} ({c.before}) -> version {c.version} ({c.after})")
    grid.add_row("Reason", Text(c.reason))
    grid.add_row("Recipients added", ", ".join(c.added) or "none")
    grid.add_row("Recipients dropped", ", ".join(c.dropped) or "none")
    grid.add_row("Stay released", ", ".join(c.released) or "no warning was released")
    if c.downgrade or c.follow_up:
        grid.add_row("Recipients already warned are told", c.follow_up or "—")
    if d.preview:
        state = "PREVIEW: nothing was recorded"
    else:
        state = f"{d.ref} proposed: {c.supersedes} stays in force until a second person approves"
    console.print(Panel(grid, title=state, title_align="left"))


def print_determination_history(console: Console, rows: Sequence[dict[str, Any]]) -> None:
    table = Table("Version", "Determination", "Status", "Supersedes", "Proposed by", "Approved by")
    for r in rows:
        status = r["status"] + (" (in force)" if r["in_force"] else "")
        table.add_row(
            str(r["version"]),
            f"{r['ref']} {r['outcome']}" + (f" ({r['waiver']})" if r["waiver"] else ""),
            status,
            r["supersedes"] or "—",
            r["proposed_by"],
            r["approved_by"] or "—",
        )
    console.print(table)
    for r in rows:
        if r["supersedes"]:
            told = f"; the warned are told: {r['follow_up']}" if r["follow_up"] else ""
            owed = " (follow-up owed)" if r["follow_up_owed"] else ""
            line = f"{r['ref']} supersedes {r['supersedes']}: {r['reason']}{told}{owed}"
            console.print(Text(line))


_MARK = {
    "as reported": "",
    "coarsened": "↓ ",
    "withheld": "✗ withheld",
    "not in the reporting": "—",
}
_FACT_LABEL = {
    "actor": "Group",
    "method": "Method",
    "weapon": "Weapon",
    "targets": "Targets",
    "named_targets": "Named targets",
    "place": "Place",
    "time": "Time",
    "harm": "Harm",
    "likelihood": "Likelihood",
}


def _shown(s: Any) -> Text:
    if s.status in ("withheld", "not in the reporting"):
        return Text(_MARK[s.status], style="dim")
    return Text(_MARK[s.status] + s.value)


def print_preview(console: Console, p: ReleasePreview) -> None:
    """The internal picture beside what each recipient will see, then each draft."""
    table = Table("Fact", "Internal picture", title=f"{p.ref} for {p.threat_ref} ({p.status})")
    for r in p.recipients:
        head = f"{r.warning_ref} → {r.recipient}\n{r.tier} tier, {r.language}, {r.msg_type}"
        table.add_column(head)
    for fact in p.facts:
        table.add_row(
            _FACT_LABEL[fact],
            Text(p.internal[fact] or "—"),
            *(_shown(r.facts[fact]) for r in p.recipients),
        )
    table.add_row(
        "Policy",
        "",
        *(Text(", ".join(f"{k} {v}" for k, v in r.tier_policy.items())) for r in p.recipients),
    )
    console.print(table)
    console.print("↓ coarsened by the tier's policy or an override; ✗ not released.")
    if p.audience:
        console.print(Text(f"Registered people at risk: a {p.audience}."))
    for r in p.recipients:
        if r.language_note:
            console.print(Text(f"Language of {r.warning_ref} → {r.recipient}: {r.language_note}"))
    for line in p.held:
        console.print(Text(f"Held: {line}"))
    for r in p.recipients:
        for o in r.overrides:
            console.print(
                Text(
                    f"Override for {r.recipient}: {o.fact} {o.from_level} → {o.to_level} "
                    f"({o.direction} from the {r.tier} tier's {r.tier_policy[o.fact]}) by {o.by} "
                    f"at {o.at:%Y-%m-%d %H:%M} UTC — why: {o.reason}"
                )
            )
    for r in p.recipients:
        body = Text(f"{r.subject}\n\n{r.text}")
        if r.text_en:
            body.append("\n\n— English —\n\n" + r.text_en)
        title = f"{r.warning_ref} → {r.recipient} ({r.language}, {r.kind})"
        console.print(Panel(body, title=title, title_align="left"))


def print_draft(console: Console, dr: Draft) -> None:
    withheld = "; ".join(dr.changes) or "nothing withheld or coarsened"
    body = Text(f"{dr.subject}\n\n{dr.text}\n\n— tier {dr.tier}: {withheld}")
    console.print(Panel(body, title=f"{dr.ref} → {dr.recipient} ({dr.format})", title_align="left"))


def print_proposal(console: Console, p: Proposed) -> None:
    console.print(
        f"{p.ref} proposed for {p.threat_ref}: {len(p.drafts)} warning(s); "
        "leak check passed on every format (text, alert, SMS, e-mail, CAP, STIX, JSON). "
        "A second person must approve it."
    )
    from tearline.workflow import ReleasePreview

    if isinstance(p.preview, ReleasePreview):
        print_preview(console, p.preview)
        return
    for dr in p.drafts:
        print_draft(console, dr)


def print_record(console: Console, data: dict[str, Any]) -> None:
    """A record from ``workflow.show``, readably; ``--json`` gives everything."""
    skip = {"text", "facts", "jws", "raw"}
    table = Table.grid(padding=(0, 2))
    for k, v in data.items():
        if k in skip or isinstance(v, (list, dict)):
            continue
        table.add_row(k, Text(str(v)))
    console.print(table)
    if data.get("kind") == "threat":
        from tearline.model import event_from_dict

        print_events(console, [event_from_dict(data["facts"])])
    for k, v in data.items():
        if isinstance(v, list) and v:
            console.print(f"{k}:")
            for item in v:
                if not isinstance(item, dict):  # a warning's changes: plain lines
                    console.print(Text(f"  {item}"))
                    continue
                console.print(
                    Text(
                        "  "
                        + ", ".join(
                            f"{a}={b}"
                            for a, b in item.items()
                            if not isinstance(b, (dict, list)) and a not in skip
                        )
                    )
                )
    if data.get("text"):
        console.print(Panel(Text(str(data["text"])), title="text", title_align="left"))
