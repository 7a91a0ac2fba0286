"""Pages anyone may open: sign in and out, the published keys, and the verification page
where a recipient pastes or uploads a warning and learns whether it is authentic."""

from __future__ import annotations

import base64
import json
import re
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from tearline import workflow as wf
from tearline.errors import AuthError, SignatureError, TooManyAttempts
from tearline.release import Verified
from tearline.web.auth import (
    AnyUser,
    Optional,
    Viewer,
    anti_forgery_ok,
    app_of,
    client_of,
    is_secure,
    session_cookie,
)
from tearline.web.render import page
from tearline.workflow import sessions
from tearline.workflow.feed import published
from tearline.workflow.users import Role
from tearline.workflow.worker import database_down

router = APIRouter(include_in_schema=False)
MAX_VERIFY_BYTES = 2 * 1024 * 1024


def home_for(viewer_roles: frozenset[Role]) -> str:
    """Where a person lands: the home page of what waits for them (web/pages_home.py)."""
    if viewer_roles & {Role.ANALYST, Role.DUTY_OFFICER, Role.APPROVER}:
        return "/"
    if Role.AUDITOR in viewer_roles:
        return "/audit"
    return "/admin/users"


def _safe_next(value: str) -> str:
    """Only a path on this site: never an open redirect."""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return ""
    return value


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, viewer: Optional, next: str = "") -> Response:
    if viewer is not None:
        return RedirectResponse(_safe_next(next) or home_for(viewer.identity.roles), 303)
    return page(request, "login.html", None, next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    app = app_of(request)
    target = _safe_next(next)
    if not anti_forgery_ok(request, csrf_token):
        error = "the sign-in form expired; please try again"
        return page(request, "login.html", None, 400, next=target, error=error)
    try:
        who = await run_in_threadpool(
            sessions.sign_in_throttled, app, username, password, client_of(request)
        )
    except TooManyAttempts as exc:
        refused = page(request, "login.html", None, 429, next=target, error=str(exc))
        refused.headers["Retry-After"] = str(exc.retry_after_seconds)
        return refused
    except AuthError as exc:
        return page(request, "login.html", None, 401, next=target, error=str(exc))
    token = await run_in_threadpool(sessions.open_session, app, who, client_of(request))
    response = RedirectResponse(target or home_for(who.roles), status_code=303)
    response.set_cookie(
        session_cookie(request),
        token,
        httponly=True,
        samesite="strict",
        secure=is_secure(request),
        path="/",
    )
    return response


@router.post("/logout")
async def logout(request: Request, viewer: AnyUser) -> Response:
    if viewer.via == "session":
        await run_in_threadpool(
            sessions.close_session, app_of(request), viewer.session_token, viewer.username
        )
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(session_cookie(request), path="/")
    return response


@router.get("/.well-known/jwks.json")
async def jwks(request: Request) -> Response:
    """The public keys that sign warnings (JWKS, RFC 7517): anyone may fetch them."""
    keys = app_of(request).keys.jwks()
    return JSONResponse(keys, headers={"cache-control": "public, max-age=300"})


@router.get("/.well-known/cap-cert.pem")
async def cap_certificate(request: Request) -> Response:
    """The X.509 certificate of the key that signs CAP with RSA-SHA256, for
    ``xmlsec1 --verify --trusted-pem``; 404 while the deployment signs CAP with Ed25519 only."""
    pem = app_of(request).keys.cap_certificate_pem()
    if pem is None:
        return Response("no RSA CAP signing key: this service signs CAP with Ed25519\n", 404)
    return Response(
        pem, media_type="application/x-pem-file", headers={"cache-control": "public, max-age=300"}
    )


@router.get("/audit/checkpoints")
async def audit_checkpoints(request: Request) -> Response:
    """Signed checkpoints of the audit chain's head, for third parties to keep copies of."""
    document = await run_in_threadpool(wf.export_checkpoints, app_of(request))
    return JSONResponse(document, headers={"cache-control": "public, max-age=60"})


@router.get("/healthz")
async def healthz(request: Request) -> Response:
    """200 while the desk and its embedded delivery worker work; 503 with the reason if not.

    A process without the embedded worker (``serve --workers N``, ``--no-worker``) says so
    and answers for itself only: the worker that runs apart is checked apart."""
    worker = getattr(request.app.state, "embedded_worker", None)
    problem = worker.problem if worker is not None else None
    if problem is not None:
        return JSONResponse({"ok": False, "reason": problem}, status_code=503)
    try:
        entries = await run_in_threadpool(wf.audit_length, app_of(request))
    except Exception as exc:
        if not database_down(exc):
            raise
        return JSONResponse({"ok": False, "reason": "database unavailable"}, status_code=503)
    delivery = "embedded" if worker is not None else "not in this process"
    return JSONResponse({"ok": True, "audit_entries": entries, "delivery_worker": delivery})


def verify_text(app: wf.App, content: str) -> dict[str, object]:
    """The verdict on one pasted or uploaded artifact, as the page and the API show it."""
    try:
        keys = wf.load_jwks(json.dumps(app.keys.jwks()))
        v: Verified = wf.verify_artifact(content, keys)
    except SignatureError as exc:
        return {"authentic": False, "reason": str(exc)}
    doc = v.document
    return {
        "authentic": True,
        "key_id": v.key_id,
        "signed_at": v.signed_at.isoformat() if v.signed_at else None,
        "sender": doc.get("sender"),
        "reference": doc.get("reference"),
        "subject": doc.get("subject"),
        "text": doc.get("text"),
        "valid_until": doc.get("valid_until"),
        "msg_type": doc.get("msg_type"),
        "audit_checkpoint": doc.get("audit_checkpoint"),
    }


async def _latest_checkpoints(request: Request) -> list[dict[str, object]]:
    rows = await run_in_threadpool(wf.list_checkpoints, app_of(request), 5)
    return rows[::-1]


def alert_steps(app: wf.App, warning: str) -> tuple[dict[str, object], list[dict[str, str]]]:
    """A published public alert checked the way a citizen can follow it — no crypto in the
    browser: the signed file, the key its header names, that key among the published ones,
    the signature checked with it. The verdict, and each step with what it found."""
    ref = warning.strip().upper()
    found = published(app, ref) if re.fullmatch(r"WRN-\d{1,12}", ref) else None
    if found is None:
        reason = f"{ref or 'that alert'} is not a public alert published here"
        return {"authentic": False, "reason": reason}, []
    jws = found[0]
    base = app.settings.public_url.rstrip("/")
    try:
        header = json.loads(base64.urlsafe_b64decode(jws.split(".")[0] + "=="))
    except ValueError:
        header = {}
    kid, alg = str(header.get("kid", "")), str(header.get("alg", ""))
    published_keys = {str(k.get("kid")) for k in app.keys.jwks().get("keys", [])}
    result = verify_text(app, jws)
    steps = [
        {
            "title": "The alert as it was signed",
            "text": "A JWS: three parts separated by dots — a header, the alert, and the "
            "signature over the first two.",
            "link": f"{base}/feed/{ref}.jws",
            "label": f"{ref}.jws",
        },
        {
            "title": "The key its header names",
            "text": f"key {kid or '(none)'}, algorithm {alg or '(none)'}"
            + (" (Ed25519)" if alg in ("EdDSA", "Ed25519") else ""),
            "link": "",
            "label": "",
        },
        {
            "title": "That key among the sender's published keys",
            "text": "found" if kid in published_keys else "not found: do not trust this alert",
            "link": f"{base}/.well-known/jwks.json",
            "label": "jwks.json",
        },
        {
            "title": "The signature checked with that key",
            "text": "it matches: not one character was changed since it was signed"
            if result.get("authentic")
            else f"it does not match: {result.get('reason')}",
            "link": "",
            "label": "",
        },
    ]
    return result, steps


@router.get("/verify", response_class=HTMLResponse)
async def verify_page(request: Request, viewer: Optional, warning: str = "") -> Response:
    latest = await _latest_checkpoints(request)
    if warning:  # "Verify this alert" from a feed entry: checked here, step by step
        result, steps = await run_in_threadpool(alert_steps, app_of(request), warning[:40])
        status = 200 if steps else 404
        return page(
            request,
            "verify.html",
            viewer,
            status,
            result=result,
            pasted="",
            checkpoints=latest,
            steps=steps,
        )
    return page(request, "verify.html", viewer, result=None, pasted="", checkpoints=latest)


@router.post("/verify", response_class=HTMLResponse)
async def verify_submit(request: Request, viewer: Optional) -> Response:
    form = await request.form(max_part_size=MAX_VERIFY_BYTES)
    try:
        return await _verify_form(request, viewer, form)
    finally:
        await form.close()


async def _verify_form(request: Request, viewer: Viewer | None, form: FormData) -> Response:
    sent = form.get("csrf_token")
    token_ok = isinstance(sent, str) and (
        (viewer is not None and sent == viewer.csrf) or anti_forgery_ok(request, sent)
    )
    if not token_ok:
        result = {"authentic": False, "reason": "the form expired; please try again"}
        return page(request, "verify.html", viewer, 400, result=result, pasted="")
    upload, pasted = form.get("file"), form.get("content")
    content = pasted if isinstance(pasted, str) else ""
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(MAX_VERIFY_BYTES + 1)
        if len(raw) > MAX_VERIFY_BYTES:
            result = {"authentic": False, "reason": "the file is larger than 2 MiB"}
            return page(request, "verify.html", viewer, 413, result=result, pasted="")
        content = raw.decode("utf-8", errors="replace")
    if not content.strip():
        result = {"authentic": False, "reason": "paste a warning or choose a file first"}
        return page(request, "verify.html", viewer, 400, result=result, pasted="")
    result = await run_in_threadpool(verify_text, app_of(request), content)
    latest = await _latest_checkpoints(request)
    return page(
        request,
        "verify.html",
        viewer,
        result=result,
        pasted=content[:200_000],
        checkpoints=latest,
    )


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
