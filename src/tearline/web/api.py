"""The JSON API under /api/: what every screen shows and does, for machines and scripts.

Authenticate with a session cookie (then send the ``X-CSRF-Token`` header on writes) or
with ``Authorization: Bearer tl_...`` (an API token from ``tearline users token``).
Errors are ``{"error": "..."}`` with 401 (not signed in), 403 (role), 404 (unknown ID or
outside your compartments), 409 (a rule of the domain), 422 (bad input).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from tearline import workflow as wf
from tearline.ids import Kind, parse_id
from tearline.web import ingest as intake
from tearline.web.auth import (
    Analyst,
    AnyUser,
    Approver,
    DutyOfficer,
    Ingester,
    OneHop,
    Reader,
    app_of,
)
from tearline.web.paging import Limit, Offset, json_answer, kept_page, page_bytes
from tearline.workflow import board, casefile, cases, desk, responses
from tearline.workflow.access import ensure_visible
from tearline.workflow.timeline import case_timeline

router = APIRouter(prefix="/api", route_class=OneHop)


def _ref(ref: str, kind: Kind) -> str:
    k, n = parse_id(ref, kind)
    return f"{k.value}-{n}"


class ProtectedTermIn(BaseModel):
    kind: Literal["code_word", "collection_method", "marked_span"]
    term: str = Field(min_length=1, max_length=500)


class ReportIn(BaseModel):
    """A document to ingest: text in ``content``, or any bytes in ``content_base64``."""

    filename: str = Field("report.txt", max_length=200, description="decides how it is read")
    content: str | None = None
    content_base64: str | None = None
    source: str = Field("", max_length=200, description="source name (itself protected)")
    reliability: str = Field("", max_length=1, description="Admiralty A-F")
    tlp: str = Field("", description="CLEAR, GREEN, AMBER, AMBER+STRICT or RED")
    compartments: list[str] = Field(default_factory=list, description="ones you hold")
    document_date: str = Field(
        "",
        description="ISO 8601, or as a person types it ('11 Dec', 'yesterday 18:00'; relative"
        " to now, UTC; see docs/web.md); default: from the document",
    )
    protect: list[ProtectedTermIn] = Field(default_factory=list)
    language: str = Field(
        "",
        max_length=35,
        description="the language the document is written in (ISO 639-1: ru, en, es, fr, ar,"
        " fa), read in it; default: identified from the text",
    )
    markings: str = Field(
        "",
        max_length=500,
        description="releasability marking, e.g. 'REL TO USA, GBR, FVEY' or 'NATO' (beside "
        "the document's own); warnings from the report go only where it allows",
    )


class CorrectionIn(BaseModel):
    field: Literal["place", "time", "method", "harm", "targets", "actors", "casualties", "modality"]
    value: Any = Field(description="the fact's new JSON form (docs/extract-json.md)")
    reason: str = Field(min_length=1, max_length=4000)


class MergeIn(BaseModel):
    into: str = Field(description="the case that receives the events, e.g. THR-2")
    reason: str


class SplitIn(BaseModel):
    events: list[str] = Field(description="the events that move to a new case, e.g. EVT-4")
    reason: str


class GradeIn(BaseModel):
    reason: str
    info_credibility: int | None = Field(None, ge=1, le=6)
    sources: dict[str, str] = Field(default_factory=dict, description='{"SRC-1": "B"}')


class DecideIn(BaseModel):
    waiver: str | None = Field(None, description="a waiver reason code to waive the duty")
    justification: str = ""
    supersede: str | None = Field(
        None,
        max_length=2000,
        description="supersede the determination in force, for this reason (a second person "
        "approves it)",
    )
    follow_up: str | None = Field(
        None,
        description="after a downgrade of a released warning, what its recipients are told: "
        "update, all-clear or nothing",
    )
    dry_run: bool = Field(False, description="show what would be recorded; record nothing")


class ResponseIn(BaseModel):
    kind: str = Field(description="received, acting, disputed, more_info, measures_taken, ...")
    via: str = "channel"
    note: str = Field("", max_length=4000)


@router.get("/me", summary="Who you are: roles and compartments")
def me(viewer: AnyUser) -> dict[str, Any]:
    return {
        "username": viewer.username,
        "roles": sorted(r.value for r in viewer.identity.roles),
        "compartments": sorted(viewer.identity.compartments),
        "via": viewer.via,
    }


@router.get(
    "/reports",
    summary="Inbox: the latest reports you may see (a page; Link: next)",
    response_model=list[dict[str, Any]],
)
def reports(
    request: Request,
    viewer: Reader,
    q: str = "",
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    app = app_of(request)

    def build() -> tuple[tuple[bytes, bool], int]:
        rows = desk.inbox(app, viewer.identity, limit=limit + 1, query=q, offset=offset)
        return page_bytes(rows, limit)  # no floats

    key = ("reports", viewer.identity, q, limit, offset)
    body, more = app.lists.kept(key, desk.INBOX_READS, build)
    return kept_page(request, body, more, limit=limit, offset=offset)


@router.post("/reports", status_code=201, summary="Ingest a report (all or nothing)")
def ingest_report(request: Request, body: ReportIn, viewer: Ingester) -> dict[str, Any]:
    sub = intake.Submission(
        filename=body.filename,
        content=intake.decode_content(body.content, body.content_base64),
        source=body.source,
        reliability=body.reliability,
        tlp=body.tlp,
        compartments=tuple(body.compartments),
        document_date=body.document_date,
        terms=tuple((t.kind, t.term) for t in body.protect),
        language=body.language,
        markings=body.markings,
    )
    summary = intake.ingest(app_of(request), sub, viewer.identity)
    result = (summary.stored + summary.duplicates)[0]  # ingest raised when nothing was
    return {
        "report": result.report_ref,
        "duplicate": result.duplicate,
        "language": result.language,
        "language_given": result.language_given,
        "events": [
            {"ref": e.ref, "kind": e.kind.value, "threat": e.threat_ref, "new_case": e.new_case}
            for e in result.events
        ],
        "message": intake.describe_summary(summary),
        # Every item of the file (a partner's container has several): the first is above.
        "items": [
            {"report": r.report_ref, "duplicate": r.duplicate}
            for r in summary.stored + summary.duplicates
        ],
        "refused": [{"item": r.item, "reason": r.reason} for r in summary.refused],
        "summary": summary.line(),
    }


@router.get("/reports/{ref}", summary="One report: text, marks and events")
def report(request: Request, ref: str, viewer: Reader) -> dict[str, Any]:
    return wf.show(app_of(request), _ref(ref, Kind.REPORT), viewer.identity)


@router.get(
    "/threats",
    summary="Triage queue: open cases, most imminent and severe first (a page)",
    response_model=list[dict[str, Any]],
)
def threats(
    request: Request,
    viewer: Reader,
    status: str = "",
    imminence: str = "",
    severity: str = "",
    q: str = "",
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    app = app_of(request)
    statuses = (status,) if status else desk.QUEUE_STATUSES
    now = desk.queue_now(app)

    def build() -> tuple[tuple[bytes, bool], int]:
        rows = desk.triage_queue(
            app,
            viewer.identity,
            statuses=statuses,
            imminence=imminence,
            severity=severity,
            query=q,
            limit=limit + 1,
            offset=offset,
            now=now,
        )
        return page_bytes(rows, limit)  # its floats: hours to a tenth

    key = ("threats", viewer.identity, status, imminence, severity, q, limit, offset)
    body, more = app.lists.kept(key, desk.QUEUE_READS, build, also=now)
    return kept_page(request, body, more, limit=limit, offset=offset)


@router.get("/threats/{ref}", summary="The case file: facts, evidence, grades, decisions")
def threat(request: Request, ref: str, viewer: Reader) -> dict[str, Any]:
    data = casefile.case_file(app_of(request), _ref(ref, Kind.THREAT), viewer.identity)
    for r in data["reports"]:
        r["segments"] = [s.__dict__ for s in r["segments"]]
    return data


@router.post("/threats/{ref}/corrections", summary="Correct one fact of a case")
def correct(request: Request, ref: str, body: CorrectionIn, viewer: Analyst) -> dict[str, Any]:
    done = cases.correct_fact(
        app_of(request),
        _ref(ref, Kind.THREAT),
        body.field,
        body.value,
        body.reason,
        viewer.identity,
    )
    return done.__dict__


@router.post("/threats/{ref}/merge", summary="Merge this case into another")
def merge(request: Request, ref: str, body: MergeIn, viewer: Analyst) -> dict[str, str]:
    into = cases.merge_cases(
        app_of(request), _ref(ref, Kind.THREAT), body.into, body.reason, viewer.identity
    )
    return {"merged_into": into}


@router.post("/threats/{ref}/split", summary="Move events of this case to a new case")
def split(request: Request, ref: str, body: SplitIn, viewer: Analyst) -> dict[str, str]:
    new = cases.split_case(
        app_of(request), _ref(ref, Kind.THREAT), body.events, body.reason, viewer.identity
    )
    return {"new_case": new}


@router.post("/threats/{ref}/grade", summary="Grade the information and the sources")
def grade(request: Request, ref: str, body: GradeIn, viewer: Analyst) -> dict[str, Any]:
    changes = cases.grade_case(
        app_of(request),
        _ref(ref, Kind.THREAT),
        viewer.identity,
        reason=body.reason,
        info_credibility=body.info_credibility,
        sources=body.sources,
    )
    return {"changes": changes}


@router.get("/threats/{ref}/determination", summary="The rule applied now, and the record")
def determination(request: Request, ref: str, viewer: Reader) -> dict[str, Any]:
    data = casefile.case_file(app_of(request), _ref(ref, Kind.THREAT), viewer.identity)
    keys: tuple[str, ...] = ("ref", "status", "assessment", "preview", "determinations")
    keys += ("waiver_reasons", "determination_in_force", "supersede_pending", "warnings_in_force")
    keys += ("markings",)
    return {k: data[k] for k in keys} | {"stale": data["stale_determination"]}


@router.post("/threats/{ref}/determination", summary="Record the determination (or a waiver)")
def decide(request: Request, ref: str, body: DecideIn, viewer: DutyOfficer) -> dict[str, Any]:
    app, tref = app_of(request), _ref(ref, Kind.THREAT)
    ensure_visible(app, tref, viewer.identity)
    d = wf.decide(
        app,
        tref,
        viewer.identity,
        waiver=body.waiver,
        justification=body.justification,
        supersede=body.supersede,
        follow_up=body.follow_up,
        preview=body.dry_run,
    )
    return {
        "ref": None if d.preview else d.ref,
        "recorded": not d.preview,
        "outcome": d.outcome.value,
        "status": d.status,
        "change": d.change.as_dict() if d.change else None,
        "checklist": {
            k: {"met": c.met, "reason": c.reason} for k, c in d.checklist.items().items()
        },
        "recipients": [r.__dict__ | {"role": r.role.value} for r in d.recipients],
        "parity": {"flagged": d.parity.flagged, "reason": d.parity.reason},
        "markings": d.markings,  # the case's releasability banner; "" when unrestricted
        "outside_markings": [r.__dict__ | {"role": r.role.value} for r in d.outside_markings],
    }


@router.post(
    "/determinations/{ref}/approve", summary="A second person approves a waiver or a supersede"
)
def approve_waiver(request: Request, ref: str, viewer: Approver) -> dict[str, str]:
    app, dref = app_of(request), _ref(ref, Kind.DETERMINATION)
    ensure_visible(app, dref, viewer.identity)
    return {"approved": wf.approve_waiver(app, dref, viewer.identity)}


@router.get("/threats/{ref}/release", summary="Release preview: each warning beside the case")
def release(request: Request, ref: str, viewer: Reader) -> dict[str, Any]:
    data = casefile.case_file(app_of(request), _ref(ref, Kind.THREAT), viewer.identity)
    return {k: data[k] for k in ("ref", "facts", "releases", "refusals")}


@router.post("/threats/{ref}/releases", status_code=201, summary="Propose a release")
def propose(
    request: Request,
    ref: str,
    viewer: DutyOfficer,
    language_fallback: Annotated[
        str | None,
        Query(
            max_length=20,
            description="For a recipient whose language Tearline does not write: english, "
            "country or hold (asked for only when there is one).",
        ),
    ] = None,
) -> dict[str, Any]:
    app, tref = app_of(request), _ref(ref, Kind.THREAT)
    ensure_visible(app, tref, viewer.identity)
    p = wf.propose_release(app, tref, viewer.identity, language_fallback)
    return {
        "ref": p.ref,
        "threat": p.threat_ref,
        "drafts": [d.__dict__ for d in p.drafts],
        "audience": p.preview.audience if p.preview else "",  # group alerts, '' if none
    }


@router.post("/releases/{ref}/approve", summary="A second person releases the warnings")
def approve_release(request: Request, ref: str, viewer: Approver) -> dict[str, Any]:
    app, rref = app_of(request), _ref(ref, Kind.RELEASE)
    ensure_visible(app, rref, viewer.identity)
    r = wf.approve_release(app, rref, viewer.identity)
    return {
        "ref": r.ref,
        "proposed_by": r.proposed_by,
        "approved_by": r.approved_by,
        "key_id": r.key_id,
        "warnings": [{"ref": w, "recipient": n} for w, n, _ in r.warnings],
        "deliveries": r.deliveries,
    }


@router.get("/threats/{ref}/timeline", summary="After-action timeline with lead times")
def timeline(request: Request, ref: str, viewer: Reader) -> dict[str, Any]:
    return case_timeline(app_of(request), _ref(ref, Kind.THREAT), viewer.identity)


@router.get(
    "/deliveries",
    summary="Deliveries, replies and escalations, a page of warnings",
    response_model=dict[str, Any],
)
def deliveries(
    request: Request,
    viewer: Reader,
    page: int = Query(1, ge=1),
    per_page: int = Query(50, ge=1, le=200),
) -> Response:
    app = app_of(request)
    shown = board.deliveries_board(app, viewer.identity, page=page, per_page=per_page)
    return json_answer(shown, tiny_floats=False)  # no floats


@router.get("/warnings/{ref}/misp", summary="A released warning as a MISP event (JSON)")
def warning_misp(request: Request, ref: str, viewer: Reader) -> Response:
    app, wref = app_of(request), _ref(ref, Kind.WARNING)
    ensure_visible(app, wref, viewer.identity)
    exported = wf.export_warning(app, wref, "misp")
    return Response(
        exported.content,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )


@router.post("/warnings/{ref}/responses", status_code=201, summary="Record a recipient's answer")
def respond(request: Request, ref: str, body: ResponseIn, viewer: DutyOfficer) -> dict[str, Any]:
    app, wref = app_of(request), _ref(ref, Kind.WARNING)
    ensure_visible(app, wref, viewer.identity)
    r = wf.respond(app, wref, body.kind, viewer.identity, note=body.note, via=body.via)
    return {
        "ref": r.ref,
        "warning": r.warning_ref,
        "kind": r.kind.value,
        "escalations": [e.__dict__ for e in r.escalations],
    }


class EscalationIn(BaseModel):
    outcome: Literal["done", "dismissed"]
    note: str = Field("", max_length=500)


@router.post("/escalations/{ref}", summary="Resolve an escalation: done or dismissed")
def resolve_escalation(
    request: Request, ref: str, body: EscalationIn, viewer: DutyOfficer
) -> dict[str, str]:
    app, eref = app_of(request), _ref(ref, Kind.ESCALATION)
    ensure_visible(app, eref, viewer.identity)
    done = responses.resolve_escalation(
        app, eref, viewer.identity, outcome=body.outcome, note=body.note
    )
    return {"resolved": done, "outcome": body.outcome}


@router.get("/records/{ref}", summary="Any record by ID (RPT-, THR-, DET-, REL-, WRN-, ...)")
def record(request: Request, ref: str, viewer: Reader) -> dict[str, Any]:
    return wf.show(app_of(request), ref, viewer.identity)
