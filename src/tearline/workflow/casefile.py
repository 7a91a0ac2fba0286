"""The case file: everything the desk shows about one threat case, as plain data.

The report text is cut into segments at every fact's evidence span, so a page can
highlight exactly the words each fact was read from. The release preview puts each
warning beside the internal picture and re-runs the leak check as the page is read.
The after-action timeline (reported → determined → warned → acknowledged → event) is
rebuilt from the record with lead times.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tearline.decide import WAIVER_REASONS, determine
from tearline.extract.gazetteer import country_name
from tearline.ids import Kind, format_id
from tearline.markings import from_json
from tearline.model import event_from_dict
from tearline.release import find_leaks
from tearline.store import tables as t
from tearline.workflow import release_languages
from tearline.workflow.access import load_visible, restrict
from tearline.workflow.app import App
from tearline.workflow.case_markings import case_markings
from tearline.workflow.desk import iso, live_assessment
from tearline.workflow.origins import case_corroboration
from tearline.workflow.records import protected_terms, registry
from tearline.workflow.reports import language_label
from tearline.workflow.supersede import follow_up_owed, in_force, released_warnings
from tearline.workflow.users import Identity

_ACK = ("received", "acting", "measures_taken")


@dataclass(frozen=True)
class Segment:
    text: str
    facts: tuple[str, ...]  # ids of the facts whose evidence covers this text
    anchor: str | None  # the id of the fact that starts here, for links


def place_value(p: dict[str, Any]) -> str:
    """A place as the desk's reader names it, in English: "Kazan, Tatarstan, Russia — city".

    Venue, city and region are the gazetteer's English names, the country its English
    name; never the words of the report (``name`` is the evidence, "Казани" in a Russian
    report), which stand only where nothing else names the place.
    """
    country = p.get("country")
    parts = [p.get("venue"), p.get("city"), p.get("region")]
    if country:
        name = country_name(country)
        parts.append(f"{name} ({country})" if name else country)
    where = ", ".join(x for x in dict.fromkeys(parts) if x) or p.get("name") or "?"
    return f"{where} — {p['precision']}"


def _day(d: datetime) -> str:
    return f"{d.day} {d:%B %Y}"


def _when(w: dict[str, Any]) -> str:
    """A window in English: "15 March 2024 (day)", "6 March 2024 00:00 → 13 March ... UTC"."""
    start = datetime.fromisoformat(w["start"]).astimezone(UTC)
    end = datetime.fromisoformat(w["end"]).astimezone(UTC)
    if w["precision"] == "day" and end - start <= timedelta(days=1):
        return f"{_day(start)} (day)"
    return f"{_day(start)} {start:%H:%M} → {_day(end)} {end:%H:%M} UTC ({w['precision']})"


def fact_rows(
    facts: dict[str, Any], prefix: str, language: str | None = None
) -> list[dict[str, Any]]:
    """One row per fact: label, value in English as a person reads it, and its evidence —
    the words as written, in the report's ``language`` (kept on each row for the page)."""
    rows: list[dict[str, Any]] = []

    def add(field: str, label: str, value: str, item: dict[str, Any], index: int = 0) -> None:
        start, end = (item.get("offsets") or [None, None])[:2]
        text = item.get("text", item.get("name"))
        rows.append(
            {
                "id": f"{prefix}-{field}-{index}",
                "field": field,
                "index": index,
                "label": label,
                "value": value,
                "evidence": text,
                "language": language,
                "start": start,
                "end": end,
            }
        )

    for i, a in enumerate(facts.get("actors", [])):
        who = a.get("canonical") or ("people described" if a.get("individuals") else a["text"])
        add("actors", "actor", who, a, i)
    if facts.get("method"):
        m = facts["method"]
        weapon = f" ({m['weapon']})" if m.get("weapon") else ""
        add("method", "method", m["type"].replace("_", " ") + weapon, m)
    for i, h in enumerate(facts.get("harm", [])):
        add("harm", "harm", h["type"].replace("_", " "), h, i)
    for i, g in enumerate(facts.get("targets", [])):
        name = f": {g['name']}" if g.get("name") else ""
        add("targets", "target", g["type"].replace("_", " ") + name, g, i)
    if facts.get("place"):
        add("place", "place", place_value(facts["place"]), facts["place"])
    if facts.get("time"):
        add("time", "time", _when(facts["time"]), facts["time"])
    for label in ("killed", "injured"):
        c = (facts.get("casualties") or {}).get(label)
        if c:
            n = c["min"] if c["max"] == c["min"] else f"at least {c['min']}"
            if c["max"] not in (None, c["min"]):
                n = f"{c['min']}–{c['max']}"
            add("casualties", label, str(n), c, 0 if label == "killed" else 1)
    return rows


def segments(text: str, rows: list[dict[str, Any]]) -> list[Segment]:
    """Cut ``text`` at every span boundary; each piece knows which facts cover it."""
    spans = [
        (r["start"], r["end"], r["id"])
        for r in rows
        if isinstance(r["start"], int)
        and isinstance(r["end"], int)
        and 0 <= r["start"] < r["end"] <= len(text)
    ]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    starts: dict[int, str] = {}
    for s, _, fid in spans:
        starts.setdefault(s, fid)
    out = []
    for a, b in pairwise(cuts):
        covering = tuple(fid for s, e, fid in spans if s <= a and b <= e)
        out.append(Segment(text[a:b], covering, starts.get(a)))
    return out


def _origin(th: t.Threat) -> t.Event | None:
    """The event whose wording the case's facts point into (their spans index its report)."""
    for e in th.events:
        if e.facts.get("evidence") == th.facts.get("evidence"):
            return e
    return th.events[0] if th.events else None


def _reports(th: t.Threat) -> list[dict[str, Any]]:
    by_report: dict[int, list[t.Event]] = {}
    for e in th.events:
        by_report.setdefault(e.report_id, []).append(e)
    out = []
    for events in by_report.values():
        r = events[0].report
        rows = [
            row
            for e in events
            for row in fact_rows(e.facts, format_id(Kind.EVENT, e.id), r.language)
        ]
        out.append(
            {
                "ref": format_id(Kind.REPORT, r.id),
                "title": r.title,
                "origin": format_id(Kind.REPORT, r.origin_id or r.id),
                "origin_reason": r.origin_reason,
                "language": r.language,
                "language_label": language_label(r.language),
                "tlp": r.tlp,
                "markings": from_json(r.rel_to).banner(),
                "compartments": list(r.compartments),
                "received_at": iso(r.received_at),
                "source": None if r.source is None else f"{r.source.name} ({r.source.reliability})",
                "events": [
                    {"ref": format_id(Kind.EVENT, e.id), "kind": e.kind, "modality": e.modality}
                    for e in events
                ],
                "facts": rows,
                "segments": segments(r.text, rows),
            }
        )
    return out


def _origins(s: Session, th: t.Threat) -> dict[str, Any]:
    """ "N reports, M independent origins" and which report echoes which, as graded."""
    counted = case_corroboration(s, th)
    reports = {e.report for e in th.events}
    return {
        "reports": counted.reports,
        "independent_origins": counted.origins,
        "summary": counted.why,
        "echoes": [
            {
                "report": format_id(Kind.REPORT, r.id),
                "origin": format_id(Kind.REPORT, r.origin_id),
                "reason": r.origin_reason,
            }
            for r in sorted(reports, key=lambda r: r.id)
            if r.origin_id is not None and r.origin_id != r.id
        ],
    }


def _assessment(s: Session, th: t.Threat, app: App) -> dict[str, Any]:
    a = live_assessment(s, th, app.clock.now(), app.settings.imminence_days)
    return {
        "admiralty": a.admiralty,
        "source_reliability": a.source_reliability,
        "info_credibility": a.info_credibility,
        "likelihood": a.likelihood.value if a.likelihood else None,
        "likelihood_percent": list(a.likelihood.percent) if a.likelihood else None,
        "specificity": a.specificity.as_dict(),
        "imminence": a.imminence.value,
        "hours_to_window": a.hours_to_window,
        "severity": a.severity.value,
        "rationale": a.rationale,
    }


def _preview(s: Session, th: t.Threat, app: App) -> dict[str, Any]:
    """What the rule gives if the duty officer decides now (nothing is recorded)."""
    a = live_assessment(s, th, app.clock.now(), app.settings.imminence_days)
    p = determine(event_from_dict(th.facts), a, registry(s))
    markings = case_markings(s, th.id)
    return {
        "outcome": p.outcome.value,
        "markings": markings.banner(),
        "checklist": {
            k: {"met": c.met, "reason": c.reason} for k, c in p.checklist.items().items()
        },
        "intended_victims": p.intended_victims,
        "recipients": [
            {
                "ref": format_id(Kind.RECIPIENT, x.recipient.id),
                "name": x.recipient.name,
                "tier": x.recipient.tier.value,
                "role": x.role.value,
                "reason": x.reason,
                "outside_markings": not markings.allows(
                    x.recipient.nation, x.recipient.communities
                ),
            }
            for x in p.suggestions
        ],
        "parity": {
            "applies_to_public": p.parity.applies_to_public,
            "flagged": p.parity.flagged,
            "reason": p.parity.reason,
            "missing_area": p.parity.missing_area,
        },
    }


def _corrected_since(s: Session, threat_ref: str, determination_ref: str) -> bool:
    """Whether a fact of the case was corrected after the determination was made, by the
    order of their audit entries (two steps can share a timestamp; never a place in the
    record)."""
    made = s.scalar(
        select(func.min(t.AuditEntry.seq)).where(t.AuditEntry.subject == determination_ref)
    )
    corrected = s.scalar(
        select(func.max(t.AuditEntry.seq)).where(
            t.AuditEntry.subject == threat_ref, t.AuditEntry.action == "threat.fact_corrected"
        )
    )
    return made is not None and corrected is not None and corrected > made


def _determinations(s: Session, th: t.Threat) -> list[dict[str, Any]]:
    rows = s.scalars(
        select(t.Determination)
        .where(t.Determination.threat_id == th.id)
        .order_by(t.Determination.id.desc())
    ).all()
    # Only the recipients the determinations name (the registry may hold 100,000 people).
    named = {c["recipient_id"] for d in rows for c in d.recipients}
    names = {r.id: r for r in s.scalars(select(t.Recipient).where(t.Recipient.id.in_(named)))}
    out = []
    live = in_force(s, th.id)
    for d in rows:
        out.append(
            {
                "ref": format_id(Kind.DETERMINATION, d.id),
                "outcome": d.outcome,
                "status": d.status,
                "checklist": d.checklist,
                "recipients": [
                    {
                        "ref": format_id(Kind.RECIPIENT, c["recipient_id"]),
                        "name": names[c["recipient_id"]].name
                        if c["recipient_id"] in names
                        else "?",
                        "tier": names[c["recipient_id"]].tier if c["recipient_id"] in names else "",
                        "role": c["role"],
                        "reason": c["reason"],
                    }
                    for c in d.recipients
                ],
                "parity": d.parity,
                "intended_victims": d.intended_victims,
                "waiver_code": d.waiver_code,
                "justification": d.justification,
                "decided_by": d.decided_by,
                "decided_at": iso(d.decided_at),
                "approved_by": d.approved_by,
                "approved_at": iso(d.approved_at),
                "version": d.version,
                "supersedes": format_id(Kind.DETERMINATION, d.supersedes_id)
                if d.supersedes_id
                else None,
                "supersede_reason": d.supersede_reason,
                "follow_up": d.follow_up,
                "follow_up_owed": follow_up_owed(s, d),
                "in_force": live is not None and d.id == live.id,
            }
        )
    return out


def _releases(s: Session, th: t.Threat) -> list[dict[str, Any]]:
    terms = protected_terms(s)
    out = []
    for rel in s.scalars(
        select(t.Release).where(t.Release.threat_id == th.id).order_by(t.Release.id.desc())
    ):
        warnings = []
        choices = release_languages.recorded_choices(s, format_id(Kind.RELEASE, rel.id))
        for w in rel.warnings:
            artifacts = {
                "text": str(w.content.get("text", "")),
                "subject": str(w.content.get("subject", "")),
                "JSON": json.dumps(w.content, ensure_ascii=False),
                **{k: str(v) for k, v in (w.artifacts or {}).items()},
            }
            leaks = find_leaks(artifacts, terms)
            warnings.append(
                {
                    "ref": format_id(Kind.WARNING, w.id),
                    "recipient": w.recipient.name,
                    "tier": w.recipient.tier,
                    "language": w.content.get("language")
                    or (w.content.get("recipient") or {}).get("language")
                    or w.recipient.language,
                    "language_note": release_languages.note(
                        choices.get(format_id(Kind.RECIPIENT, w.recipient_id)),
                        w.recipient.language,
                        str(w.content.get("language") or "en"),
                    ),
                    "role": w.content.get("role"),
                    "format": w.content.get("format"),
                    "subject": w.content.get("subject"),
                    "text": w.content.get("text"),
                    "actions": w.content.get("actions", []),
                    "released_facts": w.content.get("facts", {}),
                    "changes": w.content.get("changes", []),
                    "status": w.status,
                    "msg_type": w.msg_type,
                    "valid_until": iso(w.valid_until),
                    "artifacts": sorted((w.artifacts or {}).keys()),
                    "jws": w.jws,
                    "key_id": w.key_id,
                    "leak_check": {
                        "checked": len(artifacts),
                        "terms": len(terms),
                        "found": [f"{x.term.id} in {x.artifact}" for x in leaks],
                    },
                }
            )
        out.append(
            {
                "ref": format_id(Kind.RELEASE, rel.id),
                "status": rel.status,
                "held": [
                    f"{c['name']} ({ref}): {release_languages.describe(c)}"
                    for ref, c in choices.items()
                    if c.get("written_in") is None
                ],
                "proposed_by": rel.proposed_by,
                "proposed_at": iso(rel.proposed_at),
                "approved_by": rel.approved_by,
                "approved_at": iso(rel.approved_at),
                "determination": format_id(Kind.DETERMINATION, rel.determination_id),
                "warnings": warnings,
            }
        )
    return out


def _refusals(s: Session, th: t.Threat) -> list[dict[str, Any]]:
    """Releases the leak check refused (the term's ID only, never its text)."""
    ref = format_id(Kind.THREAT, th.id)
    rels = [
        format_id(Kind.RELEASE, r.id)
        for r in s.scalars(select(t.Release).where(t.Release.threat_id == th.id))
    ]
    rows = s.scalars(
        select(t.AuditEntry)
        .where(t.AuditEntry.action == "release.refused", t.AuditEntry.subject.in_([ref, *rels]))
        .order_by(t.AuditEntry.seq.desc())
    )
    return [
        {"seq": e.seq, "at": iso(e.at), "actor": e.actor, "details": json.loads(e.details)}
        for e in rows
    ]


def _others(s: Session, th: t.Threat, viewer: Identity | None) -> list[dict[str, str]]:
    q = select(t.Threat).where(
        t.Threat.id != th.id, t.Threat.status.in_(("open", "determined", "warned"))
    )
    return [
        {"ref": format_id(Kind.THREAT, o.id), "title": o.title}
        for o in s.scalars(restrict(q.order_by(t.Threat.id), t.Threat, viewer))
    ]


def case_file(app: App, threat_ref: str, viewer: Identity | None) -> dict[str, Any]:
    """Everything about one case that the desk shows (``viewer`` must be allowed to see it)."""
    from tearline.workflow.timeline import after_action

    with app.read() as s:
        th: t.Threat = load_visible(s, threat_ref, viewer, Kind.THREAT)
        ref = format_id(Kind.THREAT, th.id)
        origin = _origin(th)
        corrections = s.scalars(
            select(t.FactCorrection)
            .where(t.FactCorrection.threat_id == th.id)
            .order_by(t.FactCorrection.id.desc())
        ).all()
        sources = {r.source for r in (e.report for e in th.events) if r.source is not None}
        grades = s.scalars(
            select(t.CaseGrade)
            .where(t.CaseGrade.threat_id == th.id)
            .order_by(t.CaseGrade.id.desc())
        ).all()
        determinations = _determinations(s, th)
        return {
            "ref": ref,
            "title": th.title,
            "status": th.status,
            "compartments": list(th.compartments),
            # what the case's reports allow together; its warnings go only there
            "markings": case_markings(s, th.id).banner(),
            "created_at": iso(th.created_at),
            "updated_at": iso(th.updated_at),
            "merged_into": format_id(Kind.THREAT, th.merged_into_id) if th.merged_into_id else None,
            "facts": th.facts,
            "fact_rows": fact_rows(
                th.facts,
                format_id(Kind.EVENT, origin.id) if origin else ref,
                origin.report.language if origin else None,
            ),
            "reports": _reports(th),
            "origins": _origins(s, th),
            "corrections": [
                {
                    "id": c.id,
                    "field": c.field,
                    "before": c.before.get("value"),
                    "after": c.after.get("value"),
                    "reason": c.reason,
                    "by": c.corrected_by,
                    "at": iso(c.corrected_at),
                }
                for c in corrections
            ],
            "corrected_fields": sorted({c.field for c in corrections}),
            "sources": [
                {"ref": format_id(Kind.SOURCE, x.id), "name": x.name, "reliability": x.reliability}
                for x in sorted(sources, key=lambda x: x.id)
            ],
            "grades": [
                {
                    "info_credibility": g.info_credibility,
                    "reason": g.reason,
                    "by": g.graded_by,
                    "at": iso(g.graded_at),
                }
                for g in grades
            ],
            "assessment": _assessment(s, th, app),
            "preview": _preview(s, th, app),
            "determinations": determinations,
            "determination_in_force": next(
                (d["ref"] for d in determinations if d["in_force"]), None
            ),
            "supersede_pending": next(
                (d["ref"] for d in determinations if d["status"] == "proposed" and d["supersedes"]),
                None,
            ),
            "warnings_in_force": [
                format_id(Kind.WARNING, w.id) for w in released_warnings(s, th.id)
            ],
            "stale_determination": bool(
                determinations
                and corrections
                and determinations[0]["status"] != "superseded"
                and _corrected_since(s, ref, determinations[0]["ref"])
            ),
            "waiver_reasons": [
                {"code": w.code, "text": w.text, "verified": w.verified} for w in WAIVER_REASONS
            ],
            "releases": _releases(s, th),
            "refusals": _refusals(s, th),
            "merge_candidates": _others(s, th, viewer),
            "timeline": after_action(s, th),
        }
