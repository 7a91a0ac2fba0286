"""Writing a warning from releasable facts: a letter for officials, a security alert for the public.

Every sentence is built from structured facts and fixed phrases; nothing is copied from
a report. English only for now; the phrase tables are the seam for other languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tearline.extract.gazetteer import country_name
from tearline.model import Harm, Method, TargetType, TimePrecision
from tearline.release.facts import ReleasableFacts, ReleasablePlace, ReleasableWindow

WARNING_SCHEMA = "tearline.warning/1"

TARGET_PHRASE = {
    TargetType.MASS_GATHERING: "large gatherings",
    TargetType.CONCERT: "concerts",
    TargetType.RELIGIOUS: "places of worship and religious gatherings",
    TargetType.TRANSPORT: "airports, stations and public transport",
    TargetType.GOVERNMENT: "government buildings",
    TargetType.DIPLOMATIC: "diplomatic premises",
    TargetType.MILITARY: "military sites",
    TargetType.POLICE: "police",
    TargetType.EDUCATION: "schools and universities",
    TargetType.BUSINESS: "hotels, shopping centres and restaurants",
    TargetType.INFRASTRUCTURE: "critical infrastructure",
    TargetType.PERSON: "specific individuals",
    TargetType.CIVILIANS: "civilians",
    TargetType.OTHER: "other targets",
}
METHOD_PHRASE = {
    Method.ARMED_ASSAULT: "an armed attack",
    Method.BOMBING: "a bombing",
    Method.SUICIDE_BOMBING: "a suicide bombing",
    Method.VEHICLE_RAMMING: "a vehicle-ramming attack",
    Method.ARSON: "an arson attack",
    Method.KIDNAPPING: "a kidnapping",
    Method.ASSASSINATION: "an assassination",
    Method.HIJACKING: "a hijacking",
    Method.STABBING: "a knife attack",
    Method.CBRN: "an attack with chemical, biological or radiological material",
    Method.UNKNOWN: "an attack",
}
HARM_PHRASE = {
    Harm.KILLING: "to kill",
    Harm.SERIOUS_BODILY_INJURY: "to cause serious injury",
    Harm.KIDNAPPING: "to kidnap",
    Harm.PROPERTY_DAMAGE: "to cause damage",
}


@dataclass(frozen=True)
class RenderedWarning:
    format: str  # "warning" (a letter to those who protect) | "security_alert" (the public)
    subject: str
    text: str
    actions: tuple[str, ...]


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def place_phrase(p: ReleasablePlace | None) -> str:
    if p is None:
        return "an unspecified location"
    country = country_name(p.country) if p.country else None
    parts = [x for x in (p.city or p.region, country) if x]
    return ", ".join(parts) or "an unspecified location"


def _day(t: datetime) -> str:
    return f"{t.day} {t:%B %Y}"


def time_phrase(w: ReleasableWindow | None) -> str:
    if w is None or w.precision is TimePrecision.VAGUE:
        return "in the coming days"
    if w.precision is TimePrecision.EXACT:
        return f"on {_day(w.start)} at {w.start:%H:%M} UTC"
    if w.start.date() == w.end.date():
        return f"on {_day(w.start)}"
    if (w.start.year, w.start.month) == (w.end.year, w.end.month):
        return f"between {w.start.day} and {_day(w.end)}"
    return f"between {_day(w.start)} and {_day(w.end)}"


def _targets(f: ReleasableFacts) -> str:
    return _join([TARGET_PHRASE[t] for t in f.target_types]) or "people"


def _official_text(f: ReleasableFacts, sender: str) -> tuple[str, list[str]]:
    who = f.actor or ("an extremist group" if f.actor_generic else "an unidentified group")
    method = METHOD_PHRASE[f.method] if f.method else "an attack"
    where = place_phrase(f.place)
    lines = [
        f"{sender} has information indicating that {who} is planning {method} "
        f"against {_targets(f)} in {where}, {time_phrase(f.window)}.",
    ]
    if f.target_names:
        named = "a possible target" if len(f.target_names) == 1 else "possible targets"
        lines.append(f"Named as {named}: {_join(list(f.target_names))}.")
    if f.weapon:
        lines.append(f"The attackers are reported to have {f.weapon}.")
    if f.harms:
        lines.append(f"The stated intent is {_join([HARM_PHRASE[h] for h in f.harms])}.")
    if f.likelihood:
        lines.append(f"We assess that such an attack is {f.likelihood}.")
    lines.append(
        "We share this under our duty to warn, so that you can protect the people at risk."
    )
    named = f", including {_join(list(f.target_names))}," if f.target_names else ""
    actions = [
        f"Increase protective security at {_targets(f)}{named} in {where}, "
        f"{time_phrase(f.window)}.",
        "Pass this warning without delay to the services that protect these places.",
        "Tell us what measures you take, and ask if you need more information.",
    ]
    return " ".join(lines), actions


def _public_text(f: ReleasableFacts) -> tuple[str, list[str]]:
    who = f.actor or "Extremists"
    where = place_phrase(f.place)
    text = (
        f"{who} have imminent plans to target {_targets(f)} in {where}. "
        f"This alert applies {time_phrase(f.window)}."
    )
    actions = [
        f"Avoid {_targets(f)}.",
        "Be aware of your surroundings.",
        "Monitor local media for updates.",
        "Follow the instructions of local authorities.",
    ]
    return text, actions


def _footer(reference: str, valid_until: datetime) -> list[str]:
    return [
        "",
        f"Valid until {_day(valid_until)} {valid_until:%H:%M} UTC. Reference: {reference}.",
        "To acknowledge, dispute or ask for more information, reply quoting the reference.",
    ]


def render_warning(
    facts: ReleasableFacts,
    *,
    public: bool,
    sender: str,
    reference: str,
    valid_until: datetime,
) -> RenderedWarning:
    """The warning's words, for one recipient."""
    where = place_phrase(facts.place)
    footer = _footer(reference, valid_until)
    if public:
        text, actions = _public_text(facts)
        subject = f"Security Alert: {where}"
        body = "\n".join(
            [
                f"Location: {where}",
                "",
                f"Event: {text}",
                "",
                "Actions to take:",
                *[f"  - {a}" for a in actions],
                *footer,
            ]
        )
        return RenderedWarning("security_alert", subject, body, tuple(actions))
    text, actions = _official_text(facts, sender)
    subject = f"Warning of a threat to life: {where}"
    body = "\n".join([text, "", "Recommended actions:", *[f"  - {a}" for a in actions], *footer])
    return RenderedWarning("warning", subject, body, tuple(actions))


def warning_document(
    *,
    reference: str,
    sender: str,
    issued_at: datetime,
    valid_from: datetime,
    valid_until: datetime,
    msg_type: str,
    recipient: dict[str, Any],
    facts: ReleasableFacts,
    rendered: RenderedWarning,
) -> dict[str, Any]:
    """The JSON document that is signed and delivered (docs/warning-json.md)."""
    return {
        "schema": WARNING_SCHEMA,
        "reference": reference,
        "sender": sender,
        "issued_at": issued_at.isoformat(),
        "msg_type": msg_type,
        "valid_from": valid_from.isoformat(),
        "valid_until": valid_until.isoformat(),
        "recipient": recipient,
        "format": rendered.format,
        "subject": rendered.subject,
        "text": rendered.text,
        "actions": list(rendered.actions),
        "facts": facts.as_dict(),
        "reply": {
            "reference": reference,
            "how": "Reply through the channel this warning arrived by, quoting its reference.",
        },
    }
