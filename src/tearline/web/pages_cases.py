"""Pages for working reports and cases: inbox, triage queue, the case and analyst actions."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from tearline import workflow as wf
from tearline.errors import InputError, TearlineError
from tearline.ids import Kind, parse_id
from tearline.web import ingest as intake
from tearline.web.auth import Analyst, Ingester, Reader, Viewer, app_of
from tearline.web.corrections import correction_from_form
from tearline.web.geo import place_map
from tearline.web.render import act, flash, page, partial
from tearline.workflow import casefile, cases, desk
from tearline.workflow.venue_memory import check_rememberable, remember_venue

router = APIRouter(include_in_schema=False)


def _ref(ref: str, kind: Kind) -> str:
    k, n = parse_id(ref, kind)
    return f"{k.value}-{n}"


@router.get("/inbox", response_class=HTMLResponse)
async def inbox_page(request: Request, viewer: Reader, q: str = "") -> Response:
    app = app_of(request)
    rows = await run_in_threadpool(desk.inbox, app, viewer.identity, query=q)
    return page(
        request,
        "inbox.html",
        viewer,
        reports=rows,
        q=q,
        tlp_levels=intake.TLP_LEVELS,
        compartments=sorted(viewer.identity.compartments),
        max_bytes=app.settings.max_document_bytes,
        languages=wf.readable_languages(),
    )


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.post("/inbox")
async def inbox_submit(request: Request, viewer: Ingester) -> Response:
    app = app_of(request)
    form = await request.form(max_part_size=app.settings.max_document_bytes + 1024)
    try:
        return await _ingest_form(request, viewer, form)
    finally:
        await form.close()  # uploaded files are spooled to temporary files


async def _ingest_form(request: Request, viewer: Viewer, form: FormData) -> Response:
    app = app_of(request)
    upload = form.get("file")
    pasted = _field(form, "text")
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            content = await upload.read(app.settings.max_document_bytes + 1)
            filename = upload.filename
        elif pasted.strip():
            content, filename = pasted.encode("utf-8"), _field(form, "title") or "pasted.txt"
        else:
            raise InputError("paste the report's text or choose a file to upload")
        sub = intake.Submission(
            filename=filename,
            content=content,
            source=_field(form, "source"),
            reliability=_field(form, "reliability"),
            tlp=_field(form, "tlp"),
            compartments=tuple(v for v in form.getlist("compartments") if isinstance(v, str)),
            document_date=_field(form, "document_date"),
            language=_field(form, "language"),
            markings=_field(form, "markings"),
            terms=tuple(
                intake.terms_from_lines("code_word", _field(form, "code_words"))
                + intake.terms_from_lines("collection_method", _field(form, "methods"))
                + intake.terms_from_lines("marked_span", _field(form, "protect"))
            ),
        )
        summary = await run_in_threadpool(intake.ingest, app, sub, viewer.identity)
    except TearlineError as exc:
        await flash(request, viewer, "error", f"{exc} — nothing was stored")
        return RedirectResponse("/inbox", status_code=303)
    results = summary.stored + summary.duplicates
    if summary.refused:
        await flash(request, viewer, "error", intake.describe_summary(summary))
    else:
        await flash(request, viewer, "ok", intake.describe_summary(summary))
    if summary.items == 1:
        return RedirectResponse(f"/reports/{results[0].report_ref}", status_code=303)
    return RedirectResponse("/inbox", status_code=303)


@router.get("/reports/{ref}", response_class=HTMLResponse)
async def report_page(request: Request, ref: str, viewer: Reader) -> Response:
    data = await run_in_threadpool(
        wf.show, app_of(request), _ref(ref, Kind.REPORT), viewer.identity
    )
    return page(request, "report.html", viewer, report=data)


@dataclass(frozen=True)
class QueueFilters:
    """The triage queue's filters, from the query string (the page and its live rows)."""

    status: str = ""
    imminence: str = ""
    severity: str = ""
    q: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


Filters = Annotated[QueueFilters, Depends()]


async def _queue_rows(request: Request, viewer: Viewer, f: QueueFilters) -> Any:
    known = (*desk.QUEUE_STATUSES, "waived", "merged")
    statuses = (f.status,) if f.status in known else None
    return await run_in_threadpool(
        lambda: desk.triage_queue(
            app_of(request),
            viewer.identity,
            statuses=statuses or desk.QUEUE_STATUSES,
            imminence=f.imminence,
            severity=f.severity,
            query=f.q,
        )
    )


@router.get("/triage", response_class=HTMLResponse)
async def triage_page(request: Request, viewer: Reader, filters: Filters) -> Response:
    rows = await _queue_rows(request, viewer, filters)
    return page(request, "triage.html", viewer, rows=rows, filters=filters.as_dict())


@router.get("/triage/rows", response_class=HTMLResponse)
async def triage_rows(request: Request, viewer: Reader, filters: Filters) -> Response:
    rows = await _queue_rows(request, viewer, filters)
    return HTMLResponse(partial(request, "_triage_rows.html", viewer, rows=rows))


@router.get("/threats/{ref}", response_class=HTMLResponse)
async def threat_page(request: Request, ref: str, viewer: Reader) -> Response:
    data = await run_in_threadpool(
        casefile.case_file, app_of(request), _ref(ref, Kind.THREAT), viewer.identity
    )
    return page(
        request,
        "threat.html",
        viewer,
        case=data,
        map=place_map(data["facts"].get("place")),
        fields=cases.FIELDS,
    )


@router.post("/threats/{ref}/correct")
async def correct(request: Request, ref: str, viewer: Analyst) -> Response:
    ref = _ref(ref, Kind.THREAT)
    form = await request.form()
    app = app_of(request)

    def run() -> str:
        current = wf.show(app, ref, viewer.identity)["facts"]
        field, value, reason = correction_from_form(current, form, app.clock.now())
        if field == "place" and form.get("remember"):
            check_rememberable(value)  # before anything is changed
        done = cases.correct_fact(app, ref, field, value, reason, viewer.identity)
        extra = f"; withdrawn: {', '.join(done.withdrawn)}" if done.withdrawn else ""
        extra += "; decide again: the determination used the old facts" if done.redecide else ""
        if field == "place" and form.get("remember"):
            remember_venue(app, ref, viewer.identity)
            extra += "; the venue's place is remembered for the next report that names it"
        return f"{done.field} corrected on {ref}{extra}"

    return await act(request, viewer, f"/threats/{ref}#facts", run)


@router.post("/threats/{ref}/merge")
async def merge(
    request: Request,
    ref: str,
    viewer: Analyst,
    into: Annotated[str, Form()],
    reason: Annotated[str, Form()],
) -> Response:
    ref = _ref(ref, Kind.THREAT)
    app = app_of(request)
    target = into.strip().upper()

    def run() -> str:
        done = cases.merge_cases(app, ref, target, reason, viewer.identity)
        return f"{ref} merged into {done}"

    return await act(request, viewer, f"/threats/{target}", run, failed_back=f"/threats/{ref}")


@router.post("/threats/{ref}/split")
async def split(
    request: Request,
    ref: str,
    viewer: Analyst,
    reason: Annotated[str, Form()],
    events: Annotated[list[str] | None, Form()] = None,
) -> Response:
    ref = _ref(ref, Kind.THREAT)
    app = app_of(request)

    def run() -> str:
        new = cases.split_case(app, ref, events or [], reason, viewer.identity)
        return f"{', '.join(events or [])} moved from {ref} to the new case {new}"

    return await act(request, viewer, f"/threats/{ref}", run)


@router.post("/threats/{ref}/grade")
async def grade(request: Request, ref: str, viewer: Analyst) -> Response:
    ref = _ref(ref, Kind.THREAT)
    form = await request.form()
    app = app_of(request)
    credibility = _field(form, "info_credibility")
    sources = {
        key[len("source_") :]: value
        for key, value in form.items()
        if key.startswith("source_") and isinstance(value, str) and value
    }

    def run() -> str:
        grade_value = int(credibility) if credibility.isdigit() else None
        changes = cases.grade_case(
            app,
            ref,
            viewer.identity,
            reason=_field(form, "reason"),
            info_credibility=grade_value,
            sources=sources,
        )
        return "graded: " + "; ".join(changes)

    return await act(request, viewer, f"/threats/{ref}#grades", run)
