"""Recipients' side of the web: the public Atom feed, signed reply pages, SMS replies.

No sign-in: a reply link's signature is its authority (``deliver.replies``), the feed is
public, and the SMS gateway signs its callbacks (``deliver.signature``). Everything shown
is escaped (Jinja2 autoescape); the pages have no script and no inline style. The reply page
keeps the warning's lines as written, in the warning's language and direction.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from tearline import workflow as wf
from tearline.deliver.replies import ReplyLinkExpired
from tearline.deliver.signature import SIGNATURE_HEADER, verify_body
from tearline.errors import AuthError, InputError, InvalidState, NotFound
from tearline.workflow.feed import feed_atom, published
from tearline.workflow.replies import reply_by_link, reply_by_sms, reply_page

router = APIRouter(tags=["public"])
ATOM_TYPE = "application/atom+xml; charset=utf-8"

# The reply page stands alone (templates/reply.html): no desk navigation, no script.
_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True),
)


def _app(request: Request) -> wf.App:
    application: wf.App = request.app.state.tearline
    return application


def _render(status: int, **context: object) -> HTMLResponse:
    html = _env.get_template("reply.html").render(**context)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


@router.get("/feed.atom", summary="The public alert feed (Atom, entries carry CAP 1.2)")
def feed(request: Request) -> Response:
    return Response(feed_atom(_app(request)), media_type=ATOM_TYPE)


@router.get("/feed/{name}.atom", summary="One area's public alert feed")
def named_feed(request: Request, name: str) -> Response:
    return Response(feed_atom(_app(request), name), media_type=ATOM_TYPE)


def _published(request: Request, ref: str) -> tuple[str, str] | None:
    try:
        return published(_app(request), ref)
    except NotFound:
        return None


@router.get("/feed/{ref}.jws", summary="The signed JWS of a published public warning")
def feed_jws(request: Request, ref: str) -> Response:
    found = _published(request, ref)
    if found is None:
        return Response("no such published warning\n", status_code=404, media_type="text/plain")
    return Response(found[0] + "\n", media_type="application/jose")


@router.get("/feed/{ref}.cap", summary="The CAP 1.2 alert of a published public warning")
def feed_cap(request: Request, ref: str) -> Response:
    found = _published(request, ref)
    if found is None:
        return Response("no such published warning\n", status_code=404, media_type="text/plain")
    return Response(found[1], media_type="application/cap+xml")


def _refused(exc: Exception) -> HTMLResponse:
    if isinstance(exc, ReplyLinkExpired):
        return _render(410, title="This reply link has expired", error=str(exc))
    if isinstance(exc, AuthError | NotFound):
        return _render(403, title="This reply link is not valid", error=str(exc))
    return _render(422, title="Your answer was not recorded", error=str(exc))


@router.get("/reply/{token}", response_class=HTMLResponse, summary="A recipient's reply page")
def reply_form(request: Request, token: str) -> HTMLResponse:
    try:
        page = reply_page(_app(request), token)
    except (AuthError, NotFound) as exc:
        return _refused(exc)
    return _render(200, title=page.subject, page=page)


@router.post("/reply/{token}", response_class=HTMLResponse, summary="Record a recipient's answer")
def reply_post(
    request: Request,
    token: str,
    kind: Annotated[str, Form(max_length=40)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse:
    application = _app(request)
    try:
        answered = reply_by_link(application, token, kind, note)
        page = reply_page(application, token)
    except InputError as exc:  # the form again, with what was typed and what to fix
        try:
            page = reply_page(application, token)
        except (AuthError, NotFound) as gone:
            return _refused(gone)
        title = "Your answer was not recorded"
        return _render(422, title=title, page=page, error=str(exc), chosen=kind, note=note)
    except (AuthError, NotFound, InvalidState) as exc:
        return _refused(exc)
    label = dict(page.choices).get(answered.kind.value, answered.kind.value)
    return _render(200, title=page.subject, page=page, thanks=label)


@router.post("/sms/inbound", summary="SMS replies from the gateway (HMAC-signed)")
async def sms_inbound(request: Request) -> Response:
    application = _app(request)
    secret = application.settings.sms_inbound_secret
    if not secret:
        return JSONResponse({"error": "SMS replies are not enabled here"}, status_code=404)
    body = await request.body()
    if not verify_body(secret, body, request.headers.get(SIGNATURE_HEADER)):
        return JSONResponse({"error": "bad or missing signature"}, status_code=401)
    try:
        data = json.loads(body)
        phone, text = str(data["from"]), str(data["text"])
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"error": 'expected {"from": "+…", "text": "…"}'}, status_code=422)
    try:
        done = await run_in_threadpool(reply_by_sms, application, phone, text)
    except (InputError, NotFound, InvalidState) as exc:
        return JSONResponse({"error": str(exc)}, status_code=422)
    return JSONResponse({"response": done.ref, "warning": done.warning_ref, "kind": done.kind})
