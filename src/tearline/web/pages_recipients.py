"""The recipient registry in the desk: search and page it, read one recipient, add or edit
one, import a CSV or JSON file (all or nothing, every problem listed by row), export it
without secrets, and rotate a webhook's signing secret. The same workflow functions as
``tearline recipients``; a secret made here is shown once, in the answer to the form,
never in a redirect and never again.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from tearline import workflow as wf
from tearline.deliver.registry import CSV_COLUMNS, RegistryFileRejected
from tearline.errors import InputError, TearlineError
from tearline.ids import Kind, parse_id
from tearline.model import RecipientKind, Tier
from tearline.web.auth import DutyOfficer, Reader, Viewer, app_of
from tearline.web.render import flash, page
from tearline.workflow import recipient_desk
from tearline.workflow.recipients import rotate_secret

router = APIRouter(include_in_schema=False)
MULTI_LINE = ("contacts", "fallback", "itinerary", "communities")  # one item a line
PROBLEMS_SHOWN = 200


def _ref(ref: str) -> str:
    k, n = parse_id(ref, Kind.RECIPIENT)
    return f"{k.value}-{n}"


def _choices() -> dict[str, Any]:
    return {
        "kinds": [k.value for k in RecipientKind if k is not RecipientKind.GROUP],
        "tiers": [t.value for t in Tier],
    }


def _cells(form: FormData) -> dict[str, str]:
    """The form's fields as the cells of a CSV row: a line of a list field is one item."""
    cells = {}
    for column in CSV_COLUMNS:
        value = form.get(column)
        text = value if isinstance(value, str) else ""
        if column in MULTI_LINE:
            text = " | ".join(line.strip() for line in text.splitlines() if line.strip())
        cells[column] = text.strip()
    return cells


def _form_values(cells: dict[str, str]) -> dict[str, str]:
    """Cells as the form shows them: list fields one item a line."""
    return {
        k: "\n".join(p.strip() for p in v.split("|")) if k in MULTI_LINE else v
        for k, v in cells.items()
    }


def _problems(exc: TearlineError) -> list[str]:
    return exc.problems if isinstance(exc, RegistryFileRejected) else [str(exc)]


@router.get("/recipients", response_class=HTMLResponse)
async def recipients_page(request: Request, viewer: Reader, q: str = "") -> Response:
    app = app_of(request)
    number = _page_number(request)
    found = await run_in_threadpool(lambda: recipient_desk.registry_page(app, query=q, page=number))
    return page(request, "recipients.html", viewer, registry=found, problems=None)


def _page_number(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return 1


@router.get("/recipients/new", response_class=HTMLResponse)
async def new_recipient_page(request: Request, viewer: DutyOfficer) -> Response:
    blank = dict.fromkeys(CSV_COLUMNS, "") | {"language": "en"}
    return page(
        request, "recipient_form.html", viewer, ref=None, values=blank, problems=[], **_choices()
    )


@router.post("/recipients", response_class=HTMLResponse)
async def create_recipient(request: Request, viewer: DutyOfficer) -> Response:
    form = await request.form()
    cells = _cells(form)
    app = app_of(request)
    try:
        saved = await run_in_threadpool(recipient_desk.add_from_cells, app, cells, viewer.identity)
    except TearlineError as exc:
        return _form_again(request, viewer, None, cells, exc)
    return await _saved(request, viewer, saved, f"{saved.ref}: {cells['name']} added")


def _form_again(
    request: Request, viewer: Viewer, ref: str | None, cells: dict[str, str], exc: TearlineError
) -> Response:
    """The form again with what was typed and every problem; nothing was stored."""
    return page(
        request,
        "recipient_form.html",
        viewer,
        422,
        ref=ref,
        values=_form_values(cells),
        problems=_problems(exc),
        **_choices(),
    )


async def _saved(
    request: Request, viewer: Viewer, saved: recipient_desk.Saved, message: str
) -> Response:
    if not saved.secrets:
        await flash(request, viewer, "ok", message)
        return RedirectResponse(f"/recipients/{saved.ref}", status_code=303)
    # A new signing secret: shown once, on this answer only (never in a redirect).
    return await _recipient(request, viewer, saved.ref, secrets=saved.secrets, done=message)


async def _recipient(request: Request, viewer: Viewer, ref: str, **shown: Any) -> Response:
    data = await run_in_threadpool(
        recipient_desk.recipient_page, app_of(request), ref, viewer.identity
    )
    context: dict[str, Any] = {"secrets": [], "done": "", **shown}
    return page(request, "recipient.html", viewer, recipient=data, **context)


@router.get("/recipients/export")
async def export_registry(request: Request, viewer: Reader, format: str = "csv") -> Response:
    fmt = format.lower()
    if fmt not in ("csv", "json"):
        raise InputError("export as csv or json")
    text = await run_in_threadpool(wf.export_recipients, app_of(request), fmt)
    media = "text/csv" if fmt == "csv" else "application/json"
    return Response(
        text.encode("utf-8"),
        media_type=f"{media}; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="recipients.{fmt}"'},
    )


@router.post("/recipients/import", response_class=HTMLResponse)
async def import_registry(request: Request, viewer: DutyOfficer) -> Response:
    app = app_of(request)
    form = await request.form(max_part_size=app.settings.max_document_bytes + 1024)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InputError("choose a CSV or JSON registry file to import")
        data = await upload.read(app.settings.max_document_bytes + 1)
        name = upload.filename
        update = form.get("update") == "1"
    finally:
        await form.close()
    if len(data) > app.settings.max_document_bytes:
        raise InputError(f"{name} is larger than {app.settings.max_document_bytes} bytes")
    fmt = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        if fmt not in ("csv", "json"):
            raise InputError(f"{name}: a registry file ends in .csv or .json")
        done = await run_in_threadpool(
            lambda: wf.import_recipients(app, data, fmt, actor=viewer.username, update=update)
        )
    except TearlineError as exc:
        problems = _problems(exc)
        found = await run_in_threadpool(recipient_desk.registry_page, app)
        return page(
            request,
            "recipients.html",
            viewer,
            422,
            registry=found,
            problems={
                "file": name,
                "shown": problems[:PROBLEMS_SHOWN],
                "more": max(0, len(problems) - PROBLEMS_SHOWN),
            },
        )
    message = f"{name}: {len(done.created)} recipient(s) added, {len(done.updated)} updated"
    await flash(request, viewer, "ok", message)
    return RedirectResponse("/recipients", status_code=303)


@router.get("/recipients/{ref}", response_class=HTMLResponse)
async def recipient_page(request: Request, ref: str, viewer: Reader) -> Response:
    return await _recipient(request, viewer, _ref(ref))


@router.get("/recipients/{ref}/edit", response_class=HTMLResponse)
async def edit_recipient_page(request: Request, ref: str, viewer: DutyOfficer) -> Response:
    ref = _ref(ref)
    cells = await run_in_threadpool(recipient_desk.recipient_cells, app_of(request), ref)
    values = _form_values(cells)
    return page(
        request, "recipient_form.html", viewer, ref=ref, values=values, problems=[], **_choices()
    )


@router.post("/recipients/{ref}", response_class=HTMLResponse)
async def update_recipient(request: Request, ref: str, viewer: DutyOfficer) -> Response:
    ref = _ref(ref)
    form = await request.form()
    cells = _cells(form)
    try:
        saved = await run_in_threadpool(
            recipient_desk.edit_from_cells, app_of(request), ref, cells, viewer.identity
        )
    except TearlineError as exc:
        return _form_again(request, viewer, ref, cells, exc)
    return await _saved(request, viewer, saved, f"{saved.ref}: {cells['name']} saved")


@router.post("/recipients/{ref}/rotate-secret", response_class=HTMLResponse)
async def rotate_recipient_secret(request: Request, ref: str, viewer: DutyOfficer) -> Response:
    ref = _ref(ref)
    try:
        fresh = await run_in_threadpool(
            lambda: rotate_secret(app_of(request), ref, by=viewer.username)
        )
    except TearlineError as exc:
        await flash(request, viewer, "error", str(exc))
        return RedirectResponse(f"/recipients/{ref}", status_code=303)
    done = f"new signing secret(s) for {ref}; the old ones stopped signing now"
    return await _recipient(request, viewer, ref, secrets=fresh, done=done)
