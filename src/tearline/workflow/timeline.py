"""After-action review: the timeline of a case, reported → determined → warned →
acknowledged → event, with how long each step took and its lead time before the event.

The event is the first incident reported at the case's place after the first report —
a suggested match, labelled as such; until one is on record there is no lead time, only
the delay of each step since the case was reported. Everything comes from the record.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tearline.ids import Kind, format_id
from tearline.store import tables as t

_ACK = ("received", "acting", "measures_taken")
_EACH_DELIVERY = 5  # a warning with more deliveries (a group alert) shows its first


def _duration(d: timedelta) -> str:
    sign = "-" if d < timedelta(0) else ""
    d = abs(d)
    days, rest = divmod(int(d.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {minutes} min"
    return f"{sign}{minutes} min"


def _matching_incident(s: Session, th: t.Threat, after: datetime) -> tuple[datetime, str] | None:
    place = th.facts.get("place") or {}
    if not place.get("country"):
        return None
    rows = s.scalars(select(t.Event).where(t.Event.kind == "incident").order_by(t.Event.id))
    best: tuple[datetime, str] | None = None
    for e in rows:
        p, w = e.facts.get("place") or {}, e.facts.get("time") or {}
        if p.get("country") != place["country"] or not w.get("start"):
            continue
        if place.get("city") and p.get("city") and p["city"] != place["city"]:
            continue
        when = datetime.fromisoformat(w["start"])
        if when >= after and (best is None or when < best[0]):
            best = (when, format_id(Kind.EVENT, e.id))
    return best


def _add(out: list[dict[str, Any]], at: datetime | None, stage: str, label: str, ref: str) -> None:
    if at is not None:
        out.append({"at": at, "stage": stage, "label": label, "ref": ref})


def _record(s: Session, th: t.Threat) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for r in {e.report for e in th.events}:
        _add(
            out,
            r.received_at,
            "reported",
            f"report received ({r.tlp})",
            format_id(Kind.REPORT, r.id),
        )
    for d in s.scalars(select(t.Determination).where(t.Determination.threat_id == th.id)):
        ref = format_id(Kind.DETERMINATION, d.id)
        _add(out, d.decided_at, "determined", f"determination: {d.outcome} by {d.decided_by}", ref)
        if d.approved_at:
            _add(out, d.approved_at, "determined", f"waiver approved by {d.approved_by}", ref)
    for rel in s.scalars(select(t.Release).where(t.Release.threat_id == th.id)):
        ref = format_id(Kind.RELEASE, rel.id)
        _add(out, rel.proposed_at, "proposed", f"release proposed by {rel.proposed_by}", ref)
        _add(out, rel.approved_at, "warned", f"released by {rel.approved_by}", ref)
    warnings = s.scalars(select(t.WarningRecord).where(t.WarningRecord.threat_id == th.id)).all()
    for w in warnings:
        wref = format_id(Kind.WARNING, w.id)
        # each delivery (a channel, a fallback); a group alert, with one per person,
        # shows its first and how many: asked of the database, never one row per person
        done = t.Delivery.warning_id == w.id, t.Delivery.delivered_at.is_not(None)
        sent = s.scalar(select(func.count()).where(*done)) or 0
        shown = s.execute(
            select(t.Delivery.delivered_at, t.Delivery.channel)
            .where(*done)
            .order_by(t.Delivery.delivered_at, t.Delivery.id)
            .limit(1 if sent > _EACH_DELIVERY else _EACH_DELIVERY)
        ).all()
        for at, channel in shown:
            label = f"delivered to {w.recipient.name} by {channel.replace('_', ' ')}"
            if sent > _EACH_DELIVERY:
                label += f" (the first of {sent})"
            _add(out, at, "delivered", label, wref)
        for resp in s.scalars(
            select(t.Response).where(t.Response.warning_id == w.id).order_by(t.Response.id)
        ):
            stage = "acknowledged" if resp.kind in _ACK else "answered"
            _add(
                out,
                resp.received_at,
                stage,
                f"{w.recipient.name}: {resp.kind.replace('_', ' ')}",
                format_id(Kind.RESPONSE, resp.id),
            )
    for esc in s.scalars(select(t.Escalation).where(t.Escalation.threat_id == th.id)):
        _add(
            out,
            esc.created_at,
            "escalated",
            esc.action.replace("_", " "),
            format_id(Kind.ESCALATION, esc.id),
        )
    return out


def after_action(s: Session, th: t.Threat) -> dict[str, Any]:
    """The case's timeline, oldest first; each step's delay since the first report and,
    when an incident at the place is on record, its lead time before that event."""
    entries = _record(s, th)
    window = th.facts.get("time") or {}
    first = min((e["at"] for e in entries if e["stage"] == "reported"), default=th.created_at)
    match = _matching_incident(s, th, first)
    if window.get("start"):
        _add(entries, datetime.fromisoformat(window["start"]), "window", "threat window opens", "")
    if window.get("end"):
        _add(entries, datetime.fromisoformat(window["end"]), "window", "threat window ends", "")
    label = None
    if match is not None:
        label = f"incident reported at the place (suggested match {match[1]})"
        _add(entries, match[0], "event", label, match[1])
    entries.sort(key=lambda e: e["at"])
    steps = []
    for stage in ("reported", "determined", "warned", "delivered", "acknowledged"):
        at = min((e["at"] for e in entries if e["stage"] == stage), default=None)
        if at is None:
            continue
        lead = None if match is None else match[0] - at
        steps.append(
            {
                "stage": stage,
                "at": at.isoformat(),
                "since_report": _duration(at - first),
                "lead": None if lead is None else _duration(lead),
                "before_event": None if lead is None else lead >= timedelta(0),
            }
        )
    return {
        "entries": [{**e, "at": e["at"].isoformat()} for e in entries],
        "event_at": match[0].isoformat() if match else None,
        "event_label": label,
        "steps": steps,
    }


def case_timeline(app: Any, threat_ref: str, viewer: Any) -> dict[str, Any]:
    """The after-action timeline of one case the viewer may see."""
    from tearline.workflow.access import load_visible

    with app.read() as s:
        th: t.Threat = load_visible(s, threat_ref, viewer, Kind.THREAT)
        return {"ref": format_id(Kind.THREAT, th.id), "title": th.title, **after_action(s, th)}
