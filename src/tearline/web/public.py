"""Recipients' side of the web: the public Atom feed, signed reply pages, SMS replies.

No sign-in: a reply link's signature is its authority (``deliver.replies``), the feed is
public, and the SMS gateway signs its callbacks (``deliver.signature``). Everything shown
is escaped (Jinja2 autoescape); the pages have no script and no inline style.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import DictLoader, Environment, select_autoescape
from starlette.concurrency import run_in_threadpool

from tearline import workflow as wf
from tearline.deliver.replies import ReplyLinkExpired
from tearline.deliver.signature import SIGNATURE_HEADER, verify_body
from tearline.errors import AuthError, InputError, InvalidState, NotFound
from tearline.workflow.feed import feed_atom, published
from tearline.workflow.replies import reply_by_link, reply_by_sms, reply_page

router = APIRouter(tags=["public"])
ATOM_TYPE = "application/atom+xml; charset=utf-8"

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title></head>
<body><main>
{% if error %}<h1>{{ title }}</h1><p>{{ error }}</p>{% else %}
<h1>{{ page.subject }}</h1>
<p>Reference {{ page.warning_ref }} · to {{ page.recipient }} ·
valid until {{ page.valid_until.strftime("%Y-%m-%d %H:%M") }} UTC</p>
{% for paragraph in page.text.split("\\n\\n") %}<p>{{ paragraph }}</p>{% endfor %}
{% if thanks %}<p role="status"><strong>Thank you: your answer “{{ thanks }}” is recorded.
</strong></p>{% endif %}
{% if page.answered %}<h2>Answers already given</h2><ul>
{% for label, at in page.answered %}<li>{{ label }} — {{ at.strftime("%Y-%m-%d %H:%M") }} UTC
</li>{% endfor %}</ul>{% endif %}
<h2>Your answer</h2>
<form method="post">
{% for value, label in page.choices %}<p><label><input type="radio" name="kind"
 value="{{ value }}" required> {{ label }}</label></p>{% endfor %}
<p><label>Anything to add (optional)<br>
<textarea name="note" rows="4" cols="60" maxlength="2000"></textarea></label></p>
<p><button type="submit">Send answer</button></p>
</form>{% endif %}
</main></body></html>
"""
_env = Environment(
    loader=DictLoader({"reply.html": _PAGE}), autoescape=select_autoescape(default=True)
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
    except (AuthError, NotFound, InputError, InvalidState) as exc:
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
