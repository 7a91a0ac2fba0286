"""Read models for the duty officer's desk: the inbox, the triage queue and the audit
search — plain data for the web pages and the JSON API alike (the deliveries board is
``workflow.board``).

Every query goes through ``workflow.access``: what a viewer may not see is never loaded.
Nothing here writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Text,
    bindparam,
    cast,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from tearline.assess import Assessment, Imminence, Severity, assess
from tearline.assess.corroboration import Corroboration
from tearline.assess.grading import _imminence, _severity  # the queue's order, alone
from tearline.ids import Kind, format_id
from tearline.model import Event, event_from_dict
from tearline.store import tables as t
from tearline.store.idlists import id_list, in_ids
from tearline.store.types import iso_utc
from tearline.store.versions import by_version, row_version
from tearline.workflow.access import restrict
from tearline.workflow.app import App
from tearline.workflow.cases import graded_credibilities, graded_credibility
from tearline.workflow.origins import case_corroboration, cases_corroboration
from tearline.workflow.reports import language_label
from tearline.workflow.supersede import in_force, in_force_of
from tearline.workflow.users import Identity

IMMINENCE_ORDER = [
    Imminence.IMMINENT,
    Imminence.NEAR_TERM,
    Imminence.UNKNOWN,
    Imminence.DISTANT,
    Imminence.EXPIRED,
    Imminence.PAST,
]
SEVERITY_ORDER = [Severity.EXTREME, Severity.SEVERE, Severity.MODERATE, Severity.MINOR]
QUEUE_STATUSES = ("open", "determined", "warned")


def iso(d: datetime | None) -> str | None:
    return d.isoformat() if d is not None else None


def live_assessment(
    session: Session,
    threat: t.Threat,
    now: datetime,
    horizon: int,
    graded: tuple[tuple[int, str] | None] | None = None,
    event: Event | None = None,
) -> Assessment:
    """The grades the case would get now (the same inputs as a determination); not stored.
    ``graded``: the case's graded credibility when already read, as a 1-tuple; ``event``:
    the case's facts when already parsed."""
    return _assessed(
        event_from_dict(threat.facts) if event is None else event,
        case_corroboration(session, threat),
        graded_credibility(session, threat.id) if graded is None else graded[0],
        now,
        horizon,
    )


def _assessed(
    event: Event,
    counted: Corroboration,
    graded: tuple[int, str] | None,
    now: datetime,
    horizon: int,
) -> Assessment:
    """The live grades from their inputs: the case's facts, its corroboration count and its
    graded credibility (a case's alone, or each of a queue page's, read in bulk)."""
    return assess(
        event,
        source_reliability=counted.reliability,
        corroborations=counted.corroborations,
        now=now,
        horizon_days=horizon,
        graded_credibility=graded,
        origins=counted.why,
    )


def _report_row(r: Any, events: list[tuple[Any, ...]]) -> dict[str, Any]:
    """One report of the inbox, from its row (``_INBOX``'s columns, in order) and its
    events as (id, kind, modality, threat id, case status, summary), in its order."""
    (
        rid,
        title,
        filename,
        media_type,
        received_at,
        document_date,
        tlp,
        language,
        compartments,
        ingested_by,
        source_id,
        source_name,
        source_reliability,
    ) = r
    threats = {e[3] for e in events if e[3] is not None}
    status = "no events found" if not events else f"{len(events)} event(s) extracted"
    if threats:
        status += "; filed to " + ", ".join(format_id(Kind.THREAT, i) for i in sorted(threats))
    return {
        "ref": format_id(Kind.REPORT, rid),
        "title": title,
        "filename": filename,
        "media_type": media_type,
        "received_at": received_at,
        "document_date": document_date,
        "tlp": tlp,
        "language": language,
        "language_label": language_label(language),
        "compartments": _listed(compartments),
        "source": None
        if source_id is None
        else {
            "ref": format_id(Kind.SOURCE, source_id),
            "name": source_name,
            "reliability": source_reliability,
        },
        "ingested_by": ingested_by,
        "status": status,
        "events": [
            {
                "ref": format_id(Kind.EVENT, eid),
                "kind": kind,
                "modality": modality,
                "summary": summary,
                "threat": format_id(Kind.THREAT, tid) if tid else None,
                "threat_status": threat_status,
            }
            for eid, kind, modality, tid, threat_status, summary in events
        ],
    }


_INBOX = (
    t.Report.id,
    t.Report.title,
    t.Report.filename,
    t.Report.media_type,
    iso_utc(t.Report.received_at),  # as text: shown, never computed with
    iso_utc(t.Report.document_date),
    t.Report.tlp,
    t.Report.language,
    cast(t.Report.compartments, Text),  # as text: decoded once per distinct text
    t.Report.ingested_by,
    t.Report.source_id,
    t.Source.name,
    t.Source.reliability,
)
_INBOX_EVENT = (
    t.Event.id,
    t.Event.kind,
    t.Event.modality,
    t.Event.threat_id,
    t.Threat.status,
    cast(t.Event.facts, Text),
)


_SUMMARIES: dict[str, str] = {}
_SUMMARIES_MAX = 4096
_LISTS: dict[str | None, tuple[str, ...]] = {None: ()}


def _listed(raw: str | None) -> list[str]:
    """A list of names stored as JSON text (a record's compartments), decoded once per
    distinct text: the text is the key, so it can never be stale. A new list each time."""
    got = _LISTS.get(raw)
    if got is None:
        got = tuple(json.loads(raw)) if raw is not None else ()
        if len(_LISTS) >= _SUMMARIES_MAX:
            _LISTS.clear()
        _LISTS[raw] = got
    return list(got)


def _summary_of(raw: str) -> str:
    """``_event_summary`` of an event's facts as stored (JSON text), worked out once per
    distinct text: the text is the key, so it can never be stale."""
    got = _SUMMARIES.get(raw)
    if got is None:
        got = _event_summary(json.loads(raw))
        if len(_SUMMARIES) >= _SUMMARIES_MAX:
            _SUMMARIES.pop(next(iter(_SUMMARIES)), None)
        _SUMMARIES[raw] = got
    return got


def _event_summary(facts: dict[str, Any]) -> str:
    """ "ISIL Khorasan armed assault at Moscow": in English whatever the report's language —
    listed names, the method, the gazetteer's place; a report's own words only for an
    organisation no list names."""
    method = (facts.get("method") or {}).get("type", "").replace("_", " ")
    place = facts.get("place") or {}
    where = place.get("venue") or place.get("city") or place.get("country") or ""
    actors = [
        a.get("canonical") or a.get("text")
        for a in facts.get("actors", [])
        if a.get("canonical") or not a.get("individuals")
    ]
    parts = [", ".join(a for a in actors if a), method, f"at {where}" if where else ""]
    return " ".join(p for p in parts if p) or facts.get("kind", "event")


# The tables each list reads, and nothing else (a test runs them and checks): a page kept
# by ``list_cache`` is current while their versions are unchanged.
INBOX_READS = ("reports", "events", "threats", "sources")
QUEUE_READS = (*INBOX_READS, "case_grades", "determinations")


def queue_now(app: App) -> datetime:
    """The time the triage queue is worked out at: now, to the second. Its hours are
    rounded to a tenth, so a second changes nothing a reader sees but the rare tenth
    crossed; a page worked out at one second is the same all through it."""
    return app.clock.now().replace(microsecond=0)


def inbox(
    app: App, viewer: Identity | None, *, limit: int = 100, query: str = "", offset: int = 0
) -> list[dict[str, Any]]:
    """The latest reports the viewer may see, newest first, with what was found in each
    (at most 501: an API page of 500 asks for one more to know whether more follow).
    Reads only ``INBOX_READS``."""
    params: dict[str, Any] = {"offset": max(0, offset), "limit": max(1, min(limit, 501))}
    if query.strip():
        params["title"] = f"%{query.strip()[:100]}%"
    with app.read_rows() as c:  # plain rows: no ORM session to set up and tear down
        found = c.execute(_inbox_query(viewer, "title" in params), params).all()
        events: dict[int, list[tuple[Any, ...]]] = {r[0]: [] for r in found}
        # The events of the reports found, named (the page selected again could differ
        # by then: PostgreSQL reads each statement as committed when it starts). On
        # PostgreSQL with their row version, not their facts: ``by_version``.
        versioned = c.dialect.name == "postgresql"
        listed = c.execute(_INBOX_EVENTS[versioned], {"ids": id_list(events)}).all()
        if versioned:
            keys = [(e[1], e[6]) for e in listed]
            summaries = by_version(c, _EVENT_FACTS_OF, _SUMMARIES_OF, keys, _summary_of)
            for rid, eid, kind, modality, tid, status, _version in listed:
                if eid in summaries:  # else gone between the two reads
                    events[rid].append((eid, kind, modality, tid, status, summaries[eid]))
        else:
            for rid, eid, kind, modality, tid, status, raw in listed:
                events[rid].append((eid, kind, modality, tid, status, _summary_of(raw)))
    return [_report_row(r, events[r[0]]) for r in found]


@lru_cache(maxsize=256)
def _inbox_query(viewer: Identity | None, searching: bool) -> Executable:
    """The inbox's page of reports for a viewer, built once (the page and the title
    pattern are bound on each request), as plain rows: the columns shown, the source
    joined."""
    q = (
        select(t.Report.id)
        .add_columns(*_INBOX[1:])
        .outerjoin(t.Source, t.Source.id == t.Report.source_id)
        .order_by(t.Report.id.desc())
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
    )
    if searching:
        q = q.where(t.Report.title.ilike(bindparam("title", type_=String)))
    return restrict(q, t.Report, viewer)


# The events of a page of reports, in each report's order, with only the status of their
# case and the facts as text (summarised once per text, not parsed on every request), or
# (PostgreSQL, ``[True]``) the row's version instead of the facts.
_INBOX_EVENTS = tuple(
    select(t.Event.report_id, *_INBOX_EVENT[:-1])
    .add_columns(row_version(t.Event) if versioned else _INBOX_EVENT[-1])
    .outerjoin(t.Threat, t.Threat.id == t.Event.threat_id)
    .where(in_ids(t.Event.report_id, "ids"))
    .order_by(t.Event.report_id, t.Event.ordinal, t.Event.id)
    for versioned in (False, True)
)
_EVENT_FACTS_OF = select(t.Event.id, row_version(t.Event), _INBOX_EVENT[-1]).where(
    in_ids(t.Event.id, "ids")
)
_SUMMARIES_OF: dict[tuple[str, int, str], str] = {}


def queue_row(s: Session, th: t.Threat, now: datetime, horizon: int) -> dict[str, Any]:
    """One case of the queue, read and graded alone (the queue reads its page in bulk)."""
    det = in_force(s, th.id)
    facts = _facts_of(th.facts)
    a = live_assessment(s, th, now, horizon, event=facts.event)
    return _queue_row(
        (th.id, th.title, th.status, list(th.compartments), iso(th.updated_at)),
        _shown_facts(facts, now),
        _shown_grades(a),
        case_corroboration(s, th).reports,
        None if det is None else (det.id, det.outcome),
    )


def _queue_row(
    row: tuple[int, str, str, list[str], str | None],
    facts: tuple[str | None, str | None, str | None, str | None, float | None],
    grades: tuple[Any, ...],
    reports: int,
    det: tuple[int, str] | None,
) -> dict[str, Any]:
    """One case of the queue, from its row (id, title, status, compartments, updated_at as
    ISO text), what it shows of its facts (``_shown_facts``) and of its live assessment
    (``_shown_grades``), its number of reports and the determination in force (id,
    outcome)."""
    tid, title, status, compartments, updated_at = row
    place, country, window_start, window_end, hours_left = facts
    hours_to_window, admiralty, likelihood, specificity, imminence, severity = grades
    return {
        "ref": format_id(Kind.THREAT, tid),
        "title": title,
        "status": status,
        "compartments": compartments,
        "place": place,
        "country": country,
        "window_start": window_start,
        "window_end": window_end,
        "hours_left": hours_left,
        "hours_to_window": hours_to_window,
        "admiralty": admiralty,
        "likelihood": likelihood,
        "specificity": dict(specificity),
        "imminence": imminence,
        "severity": severity,
        "reports": reports,
        "updated_at": updated_at,
        "determination": None
        if det is None
        else {"ref": format_id(Kind.DETERMINATION, det[0]), "outcome": det[1]},
    }


def _shown_facts(
    facts: _Facts, now: datetime
) -> tuple[str | None, str | None, str | None, str | None, float | None]:
    """What a row of the queue shows of a case's facts at ``now``: the place, the country,
    the window's start and end, and the hours left until it ends."""
    end = facts.window_end
    return (
        facts.place,
        facts.country,
        facts.window_start_iso,
        facts.window_end_iso,
        None if end is None else round((end - now).total_seconds() / 3600, 1),
    )


def _shown_grades(a: Assessment) -> tuple[Any, ...]:
    """What a row of the queue shows of a live assessment, in the row's order: the hours
    to the window, the Admiralty code, the likelihood, the specificity, the imminence
    and the severity."""
    return (
        None if a.hours_to_window is None else round(a.hours_to_window, 1),
        a.admiralty,
        a.likelihood.value if a.likelihood else None,
        a.specificity.as_dict(),
        a.imminence.value,
        a.severity.value,
    )


@dataclass(frozen=True, slots=True, eq=False)
class _Facts:
    """A case's facts as the queue reads them: parsed, graded for severity (which depends
    on nothing else), and the place and window its row shows."""

    event: Event
    severity: Severity
    place: str | None
    country: str | None
    window_start_iso: str | None
    window_end_iso: str | None
    window_end: datetime | None


def _facts_of(facts: dict[str, Any]) -> _Facts:
    event = event_from_dict(facts)
    place, window = facts.get("place") or {}, facts.get("time") or {}
    end = datetime.fromisoformat(window["end"]) if window.get("end") else None
    start = datetime.fromisoformat(window["start"]) if window.get("start") else None
    return _Facts(
        event=event,
        severity=_severity(event)[0],
        place=place.get("venue") or place.get("city") or place.get("country"),
        country=place.get("country"),
        window_start_iso=iso(start),
        window_end_iso=iso(end),
        window_end=end,
    )


_PARSED: dict[str, _Facts] = {}
_PARSED_MAX = 2048


def _parsed(raw: str) -> _Facts:
    """A case's facts from their stored JSON text, worked out once per distinct text. The
    text itself is the key, so a changed case is simply a new entry, never a stale one;
    the oldest go past ``_PARSED_MAX``. Shared between requests: read only."""
    got = _PARSED.get(raw)
    if got is None:
        got = _facts_of(json.loads(raw))
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.pop(next(iter(_PARSED)), None)
        _PARSED[raw] = got
    return got


_FACTS_OF = select(t.Threat.id, row_version(t.Threat), cast(t.Threat.facts, Text)).where(
    in_ids(t.Threat.id, "ids")
)
_FACTS: dict[tuple[str, int, str], _Facts] = {}


def _queue_order(facts: _Facts, now: datetime, horizon: int) -> tuple[Any, ...]:
    """Where a case stands in the queue, before its reference: most imminent, most
    severe, soonest window. Imminence, severity and the hours to the window are the live
    assessment's (``assess``) and depend only on the facts, ``now`` and the horizon."""
    imminence, hours = _imminence(facts.event, now, horizon)
    shown = None if hours is None else round(hours, 1)
    return (
        IMMINENCE_ORDER.index(imminence),
        SEVERITY_ORDER.index(facts.severity),
        shown if shown is not None else 1e9,
        imminence.value,
        facts.severity.value,
    )


def triage_queue(
    app: App,
    viewer: Identity | None,
    *,
    statuses: Iterable[str] = QUEUE_STATUSES,
    imminence: str = "",
    severity: str = "",
    query: str = "",
    limit: int | None = None,
    offset: int = 0,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Cases the viewer may see, most imminent and most severe first, as of ``now``
    (default: ``queue_now``). With ``limit``, only that many from ``offset``: the order
    comes from every case's facts, the full live grades (sources, corroboration,
    determination) only for the cases returned. Reads only ``QUEUE_READS``."""
    now, horizon = now or queue_now(app), app.settings.imminence_days
    params: dict[str, Any] = {"statuses": list(statuses)}
    if query.strip():
        params["title"] = f"%{query.strip()[:100]}%"
    with app.read() as s:
        c = s.connection()
        versioned = c.dialect.name == "postgresql"
        cases = c.execute(_queue_query(viewer, "title" in params, versioned), params).all()
        # Each distinct text of facts is parsed once (``_parsed``) and placed once per
        # request: cases that share their facts share the work.
        if versioned:
            known = by_version(c, _FACTS_OF, _FACTS, [(x[0], x[5]) for x in cases], _parsed)
            facts = [known.get(x[0]) for x in cases]
        else:
            facts = [_parsed(x[5]) for x in cases]
        placed: dict[_Facts, tuple[Any, ...]] = {}
        ordered = []
        for case, f in zip(cases, facts, strict=True):
            if f is None:
                continue  # gone between the two reads
            key = placed.get(f)
            if key is None:
                key = placed[f] = _queue_order(f, now, horizon)
            if (not imminence or key[3] == imminence) and (not severity or key[4] == severity):
                ordered.append((key[:3], format_id(Kind.THREAT, case[0]), case, f))
        ordered.sort(key=lambda o: (o[0], o[1]))
        end = None if limit is None else max(0, offset) + limit
        page = ordered[max(0, offset) : end]
        # What grades the page (origins and sources, graded credibility, the determination
        # in force): a few queries for all of its cases.
        chosen = [case[0] for _, _, case, _ in page]
        counted = cases_corroboration(s, chosen)
        grades, dets = graded_credibilities(s, chosen), in_force_of(s, chosen)
    # What a row shows of its facts and of its grades, worked out once per request for
    # each distinct facts, and each distinct facts, count and graded credibility.
    shown: dict[_Facts, tuple[Any, ...]] = {}
    assessed: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    rows = []
    for _, _, (tid, title, status, compartments, updated_at, _raw), f in page:
        counts, graded = counted[tid], grades[tid]
        inputs = (f, counts, graded)
        g = assessed.get(inputs)
        if g is None:
            g = assessed[inputs] = _shown_grades(_assessed(f.event, counts, graded, now, horizon))
        facts_shown = shown.get(f)
        if facts_shown is None:
            facts_shown = shown[f] = _shown_facts(f, now)
        row = (tid, title, status, _listed(compartments), updated_at)
        rows.append(_queue_row(row, facts_shown, g, counts.reports, dets.get(tid)))
    return rows


@lru_cache(maxsize=256)
def _queue_query(viewer: Identity | None, searching: bool, versioned: bool) -> Executable:
    """The cases of the queue a viewer may see, in the statuses asked for, as plain rows
    (id, title, status, compartments, updated_at and facts as text, or with ``versioned``
    the row's version instead of its facts: ``by_version``): built once, the
    statuses and the title pattern bound on each request."""
    q = (
        select(t.Threat.id)
        .add_columns(t.Threat.title, t.Threat.status, cast(t.Threat.compartments, Text))
        .add_columns(iso_utc(t.Threat.updated_at))
        .add_columns(row_version(t.Threat) if versioned else cast(t.Threat.facts, Text))
        .where(t.Threat.status.in_(bindparam("statuses", expanding=True)))
    )
    if searching:
        q = q.where(t.Threat.title.ilike(bindparam("title", type_=String)))
    return restrict(q, t.Threat, viewer)


def audit_search(
    app: App,
    *,
    actor: str = "",
    action: str = "",
    subject: str = "",
    before_seq: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Audit entries, newest first, filtered by actor, action prefix and subject."""
    params: dict[str, Any] = {"limit": max(1, min(limit, 1000))}
    if actor.strip():
        params["actor"] = actor.strip()
    if action.strip():
        # A prefix, matched literally: LIKE's wildcards and the escape character escaped.
        escaped = "".join("/" + c if c in "/%_" else c for c in action.strip())
        params["action"] = escaped + "%"
    subj = subject.strip()
    if subj:
        # Record IDs are upper-case ("THR-1"); "user:dana" and "key:..." are not.
        params["subject"] = subj if ":" in subj else subj.upper()
    if before_seq is not None:
        params["before"] = before_seq
    q = _audit_query(*(name in params for name in ("actor", "action", "subject", "before")))
    with app.read_rows() as c:  # plain rows: no ORM session to set up and tear down
        return [
            {
                "seq": seq,
                "at": at,
                "actor": who,
                "action": what,
                "subject": subject,
                "details": details,
                "hash": hash_,
                "prev_hash": prev_hash,
            }
            for seq, at, who, what, subject, details, hash_, prev_hash in c.execute(q, params)
        ]


@lru_cache(maxsize=16)
def _audit_query(actor: bool, action: bool, subject: bool, before: bool) -> Executable:
    """The audit search with the filters given, built once (their values bound on each
    request), as plain rows."""
    e = t.AuditEntry
    q = (
        select(e.seq, iso_utc(e.at), e.actor, e.action, e.subject, e.details, e.hash, e.prev_hash)
        .order_by(e.seq.desc())
        .limit(bindparam("limit", type_=Integer))
    )
    if actor:
        q = q.where(e.actor == bindparam("actor", type_=String))
    if action:
        q = q.where(e.action.like(bindparam("action", type_=String), escape="/"))
    if subject:
        q = q.where(e.subject == bindparam("subject", type_=String))
    if before:
        q = q.where(e.seq < bindparam("before", type_=Integer))
    return q
