"""Analyst actions on a case: correct a fact, merge and split cases, grade the source and
the information — each recorded with who, when and why, and audited.

A correction keeps the fact's evidence span (the words it was read from) and changes
its value; the value before and after is kept in ``fact_corrections``. The audit entry
holds digests of both, never the text, so the audit log carries no report wording.
A change to a case's facts withdraws any release still awaiting approval: its drafts
were written from the old facts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tearline.assess.grading import CREDIBILITY, RELIABILITY
from tearline.errors import InputError, InvalidState
from tearline.ids import Kind, format_id
from tearline.model import event_from_dict
from tearline.release import find_leaks
from tearline.store import tables as t
from tearline.store.idlists import id_list, in_ids
from tearline.workflow.access import load_visible
from tearline.workflow.app import App, Unit
from tearline.workflow.records import protected_terms
from tearline.workflow.users import Identity, Role

FIELDS = ("place", "time", "method", "harm", "targets", "actors", "casualties", "modality")
MIN_REASON = 10
OPEN_STATUSES = ("open", "determined", "warned")
# Every status a case can have (``tearline threats --status`` offers these).
THREAT_STATUSES = ("open", "determined", "waived", "warned", "closed", "merged")


@dataclass(frozen=True)
class Corrected:
    ref: str  # the case
    correction_id: int
    field: str
    withdrawn: list[str]  # releases withdrawn because their drafts used the old facts
    redecide: bool  # a determination exists that was made on the old facts


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise InputError(f"say why, in at least {MIN_REASON} characters")
    return reason[:4000]


def _auditable(u: Unit, why: str) -> str:
    """The reason, for the audit record — refused if it names a protected term."""
    leaks = find_leaks({"reason": why}, protected_terms(u.session))
    if leaks:
        raise InputError(
            f"the reason names a protected {leaks[0].term.kind.replace('_', ' ')} "
            f"({leaks[0].term.id}); say it without that term"
        )
    return why


def _withdraw_proposed(u: Unit, threat: t.Threat, actor: str, why: str) -> list[str]:
    out = []
    for rel in u.session.scalars(
        select(t.Release).where(t.Release.threat_id == threat.id, t.Release.status == "proposed")
    ):
        rel.status = "withdrawn"
        ref = format_id(Kind.RELEASE, rel.id)
        u.audit(actor, "release.withdrawn", ref, {"why": why})
        out.append(ref)
    return out


def _has_determination(u: Unit, threat_id: int) -> bool:
    return (
        u.session.scalar(
            select(t.Determination.id).where(
                t.Determination.threat_id == threat_id, t.Determination.status != "superseded"
            )
        )
        is not None
    )


def _validated(facts: dict[str, Any], field: str) -> dict[str, Any]:
    """Check the corrected facts are a well-formed event; return the field's value."""
    try:
        event = event_from_dict(facts)
    except (KeyError, ValueError, TypeError) as exc:
        raise InputError(f"the corrected {field} is not valid: {exc}") from None
    if event.place is not None:
        p = event.place
        if p.country is not None and (len(p.country) != 2 or not p.country.isalpha()):
            raise InputError(f"{p.country!r} is not an ISO 3166-1 alpha-2 country code")
        if p.lat is not None and not -90 <= p.lat <= 90:
            raise InputError("latitude must be between -90 and 90")
        if p.lon is not None and not -180 <= p.lon <= 180:
            raise InputError("longitude must be between -180 and 180")
    if event.time is not None:
        w = event.time
        if w.start.tzinfo is None or w.end.tzinfo is None:
            raise InputError("a time needs a timezone (UTC offset)")
        if w.end <= w.start:
            raise InputError("the window must end after it starts")
    value: dict[str, Any] = facts.get(field, {})
    return value


def correct_fact(
    app: App, threat_ref: str, field: str, value: Any, reason: str, who: Identity
) -> Corrected:
    """Replace one fact of a case (its JSON form, docs/extract-json.md) with the analyst's."""
    who.require(Role.ANALYST, "correct the facts of a case")
    if field not in FIELDS:
        raise InputError(f"unknown fact {field!r}; use one of {', '.join(FIELDS)}")
    why = _reason(reason)
    with app.unit() as u:
        threat: t.Threat = load_visible(u.session, threat_ref, who, Kind.THREAT)
        ref = format_id(Kind.THREAT, threat.id)
        if threat.status not in OPEN_STATUSES:
            raise InvalidState(f"{ref} is {threat.status}; its facts can no longer be corrected")
        before = threat.facts.get(field)
        if value == before:
            raise InputError(f"the {field} is unchanged; nothing to correct")
        facts = {**threat.facts, field: value}
        _validated(facts, field)
        from tearline.workflow.reports import threat_title

        threat.facts = facts
        threat.title = threat_title(event_from_dict(facts))[:500]
        threat.updated_at = u.now
        row = t.FactCorrection(
            threat_id=threat.id,
            field=field,
            before={"value": before},
            after={"value": value},
            reason=why,
            corrected_by=who.username,
            corrected_at=u.now,
        )
        u.session.add(row)
        u.session.flush()
        u.audit(
            who.username,
            "threat.fact_corrected",
            ref,
            {
                "field": field,
                "correction": row.id,
                "before": _digest(before),
                "after": _digest(value),
            },
        )
        withdrawn = _withdraw_proposed(u, threat, who.username, f"facts corrected ({field})")
        return Corrected(ref, row.id, field, withdrawn, _has_determination(u, threat.id))


def _report_compartments(session: Session, event_ids: Sequence[int]) -> list[str]:
    rows = session.scalars(
        select(t.Report.compartments).join(t.Event).where(t.Event.id.in_(event_ids))
    )
    return sorted({c for comps in rows for c in comps or []})


def merge_cases(app: App, source_ref: str, target_ref: str, reason: str, who: Identity) -> str:
    """Fold one case into another (same plot, reported twice): its events move over."""
    who.require(Role.ANALYST, "merge cases")
    why = _reason(reason)
    with app.unit() as u:
        src: t.Threat = load_visible(u.session, source_ref, who, Kind.THREAT)
        dst: t.Threat = load_visible(u.session, target_ref, who, Kind.THREAT)
        sref, dref = format_id(Kind.THREAT, src.id), format_id(Kind.THREAT, dst.id)
        if src.id == dst.id:
            raise InputError("a case cannot be merged into itself")
        for case, name in ((src, sref), (dst, dref)):
            if case.status not in OPEN_STATUSES:
                raise InvalidState(f"{name} is {case.status}; it cannot take part in a merge")
        released = u.session.scalar(
            select(t.WarningRecord.id).where(
                t.WarningRecord.threat_id == src.id, t.WarningRecord.status == "released"
            )
        )
        if released is not None:
            raise InvalidState(
                f"{sref} has released warnings that refer to it; merge {dref} into {sref} instead"
            )
        moved = [e.id for e in src.events]
        u.session.execute(
            update(t.Event).where(t.Event.threat_id == src.id).values(threat_id=dst.id)
        )
        u.session.execute(
            update(t.Determination)
            .where(t.Determination.threat_id == src.id, t.Determination.status != "superseded")
            .values(status="superseded")
        )
        _withdraw_proposed(u, src, who.username, f"merged into {dref}")
        dst.compartments = sorted(set(dst.compartments) | set(src.compartments))
        dst.updated_at = src.updated_at = u.now
        src.status, src.merged_into_id = "merged", dst.id
        events = [format_id(Kind.EVENT, i) for i in moved]
        u.audit(
            who.username,
            "threat.merged",
            sref,
            {"into": dref, "events": events, "why": _auditable(u, why)},
        )
        u.audit(who.username, "threat.merge_received", dref, {"from": sref, "events": events})
        u.session.expire(dst)
        return dref


def split_case(
    app: App, threat_ref: str, event_refs: Sequence[str], reason: str, who: Identity
) -> str:
    """Move some events of a case into a new case (two plots filed as one)."""
    who.require(Role.ANALYST, "split cases")
    why = _reason(reason)
    with app.unit() as u:
        case: t.Threat = load_visible(u.session, threat_ref, who, Kind.THREAT)
        ref = format_id(Kind.THREAT, case.id)
        if case.status not in OPEN_STATUSES:
            raise InvalidState(f"{ref} is {case.status}; it cannot be split")
        mine = {format_id(Kind.EVENT, e.id): e for e in case.events}
        wanted = {r.strip().upper() for r in event_refs if r.strip()}
        unknown = sorted(wanted - set(mine))
        if not wanted or unknown:
            raise InputError(
                f"choose events of {ref} to move ({', '.join(sorted(mine))}); "
                + (f"not in this case: {', '.join(unknown)}" if unknown else "none chosen")
            )
        if len(wanted) == len(mine):
            raise InputError("at least one event must stay in the case")
        moving = [mine[r] for r in sorted(wanted, key=lambda r: mine[r].id)]
        from tearline.workflow.reports import threat_title

        first = moving[0]
        new = t.Threat(
            title=threat_title(event_from_dict(first.facts))[:500],
            status="open",
            facts=dict(first.facts),
            compartments=_report_compartments(u.session, [e.id for e in moving]),
            created_at=u.now,
            updated_at=u.now,
        )
        u.session.add(new)
        u.session.flush()
        for e in moving:
            e.threat_id = new.id
        u.session.flush()
        staying = [e.id for e in mine.values() if e.threat_id == case.id]
        case.compartments = _report_compartments(u.session, staying)
        case.updated_at = u.now
        nref = format_id(Kind.THREAT, new.id)
        events = [format_id(Kind.EVENT, e.id) for e in moving]
        u.audit(
            who.username,
            "threat.split",
            ref,
            {"into": nref, "events": events, "why": _auditable(u, why)},
        )
        u.audit(who.username, "threat.opened", nref, {"split_from": ref, "events": events})
        return nref


def graded_credibility(session: Session, threat_id: int) -> tuple[int, str] | None:
    """The analyst's latest grade of a case's information, for the assessment."""
    row = session.scalar(
        select(t.CaseGrade)
        .where(t.CaseGrade.threat_id == threat_id)
        .order_by(t.CaseGrade.id.desc())
    )
    return None if row is None else _grade(row)


def graded_credibilities(
    session: Session, threat_ids: Sequence[int]
) -> dict[int, tuple[int, str] | None]:
    """``graded_credibility`` of many cases in one query per thousand (the triage queue)."""
    latest: dict[int, tuple[int, str] | None] = dict.fromkeys(threat_ids)
    c = session.connection()
    for n in range(0, len(threat_ids), 1000):
        for row in c.execute(_GRADES_OF, {"ids": id_list(threat_ids[n : n + 1000])}):
            latest[row.threat_id] = _grade(row)
    return latest


# The grades of a page of cases, oldest first (the latest wins), as plain rows: a
# statement built once, its IDs bound on each request.
_GRADES_OF = (
    select(t.CaseGrade.threat_id, t.CaseGrade.info_credibility, t.CaseGrade.graded_by)
    .add_columns(t.CaseGrade.reason)
    .where(in_ids(t.CaseGrade.threat_id, "ids"))
    .order_by(t.CaseGrade.id)
)


def _grade(row: Any) -> tuple[int, str]:
    """A grade and why, from a row of ``case_grades`` (an entity or plain columns)."""
    why = f"graded {row.info_credibility} ({CREDIBILITY[row.info_credibility]}) by {row.graded_by}"
    return row.info_credibility, f"{why}: {row.reason}"


def grade_case(
    app: App,
    threat_ref: str,
    who: Identity,
    *,
    reason: str,
    info_credibility: int | None = None,
    sources: dict[str, str] | None = None,
) -> list[str]:
    """Grade the information (1-6) of a case and/or the reliability (A-F) of its sources.

    Returns what changed, for the officer's confirmation.
    """
    who.require(Role.ANALYST, "grade sources and information")
    why = _reason(reason)
    if info_credibility is not None and info_credibility not in CREDIBILITY:
        raise InputError("information credibility is graded 1 to 6")
    changes: list[str] = []
    with app.unit() as u:
        case: t.Threat = load_visible(u.session, threat_ref, who, Kind.THREAT)
        ref = format_id(Kind.THREAT, case.id)
        own_sources = {
            format_id(Kind.SOURCE, r.source_id): r.source
            for r in {e.report for e in case.events}
            if r.source is not None and r.source_id is not None
        }
        for sref, grade in (sources or {}).items():
            src = own_sources.get(sref.strip().upper())
            grade = grade.strip().upper()
            if src is None:
                raise InputError(f"{sref} is not a source of {ref}")
            if grade not in RELIABILITY:
                raise InputError(f"source reliability is graded A to F, not {grade!r}")
            if grade != src.reliability:
                u.audit(
                    who.username,
                    "source.regraded",
                    format_id(Kind.SOURCE, src.id),
                    {"from": src.reliability, "to": grade, "case": ref, "why": _auditable(u, why)},
                )
                changes.append(f"{format_id(Kind.SOURCE, src.id)}: {src.reliability} → {grade}")
                src.reliability = grade
        if info_credibility is not None:
            u.session.add(
                t.CaseGrade(
                    threat_id=case.id,
                    info_credibility=info_credibility,
                    reason=why,
                    graded_by=who.username,
                    graded_at=u.now,
                )
            )
            u.audit(
                who.username,
                "threat.graded",
                ref,
                {"info_credibility": info_credibility, "why": _auditable(u, why)},
            )
            changes.append(f"{ref}: information graded {info_credibility}")
        if not changes:
            raise InputError("nothing to change: the grades given are the current ones")
        return changes
