"""Every route of the app, against every role and no sign-in: only the intended succeed.

The expected table is written out here, independently of the app's own declarations; a
route the table does not list fails the test, so a new route cannot arrive unreviewed.
The result is saved as test-artifacts/route-matrix.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.routing import Mount

from tearline import workflow as wf
from tearline.web import create_app
from tearline.workflow import grants, sessions
from tests.web.conftest import ingest_demo
from tests.web.desk import PEOPLE, ROLE_USER, Client, Desk, csrf_of

ROLES = ("none", "analyst", "duty_officer", "approver", "auditor", "admin")
EVERYONE = frozenset(ROLES)
SIGNED_IN = frozenset(ROLES) - {"none"}
READERS = frozenset({"analyst", "duty_officer", "approver", "auditor"})
INGEST = frozenset({"analyst", "duty_officer"})
ANALYST = frozenset({"analyst"})
DUTY = frozenset({"duty_officer"})
APPROVER = frozenset({"approver"})
AUDITOR = frozenset({"auditor"})
ADMIN = frozenset({"admin"})
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

REPORT = {"filename": "m.txt", "content": "A note with no threat in it, for the matrix."}
TAXII_C = "/taxii2/warnings/collections/00000000-0000-4000-8000-000000000000"

# (method, route path) -> (roles allowed, concrete path, form or JSON body)
EXPECTED: dict[tuple[str, str], tuple[frozenset[str], str, dict[str, Any] | None]] = {
    ("GET", "/"): (SIGNED_IN, "/", None),
    ("GET", "/login"): (EVERYONE, "/login", None),
    ("POST", "/login"): (EVERYONE, "/login", {"username": "ana"}),
    ("POST", "/logout"): (SIGNED_IN, "/logout", {}),
    ("GET", "/verify"): (EVERYONE, "/verify", None),
    ("POST", "/verify"): (EVERYONE, "/verify", {"content": "eyJhbGciOi.e30.AAAA"}),
    ("GET", "/audit/checkpoints"): (EVERYONE, "/audit/checkpoints", None),
    ("GET", "/.well-known/jwks.json"): (EVERYONE, "/.well-known/jwks.json", None),
    ("GET", "/.well-known/cap-cert.pem"): (EVERYONE, "/.well-known/cap-cert.pem", None),
    ("GET", "/healthz"): (EVERYONE, "/healthz", None),
    ("GET", "/metrics"): (EVERYONE, "/metrics", None),  # the tests connect from loopback
    ("GET", "/api/docs"): (EVERYONE, "/api/docs", None),
    ("GET", "/api/openapi.json"): (EVERYONE, "/api/openapi.json", None),
    ("POST", "/api/verify"): (EVERYONE, "/api/verify", {"content": "not a warning"}),
    ("GET", "/inbox"): (READERS, "/inbox", None),
    ("POST", "/inbox"): (INGEST, "/inbox", {"text": "Nothing to see.", "title": "x.txt"}),
    ("GET", "/reports/{ref}"): (READERS, "/reports/RPT-1", None),
    ("GET", "/triage"): (READERS, "/triage", None),
    ("GET", "/triage/rows"): (READERS, "/triage/rows", None),
    ("GET", "/threats/{ref}"): (READERS, "/threats/THR-1", None),
    ("POST", "/threats/{ref}/correct"): (
        ANALYST,
        "/threats/THR-1/correct",
        {"field": "modality", "modality": "threatened", "reason": "the matrix checks roles"},
    ),
    ("POST", "/threats/{ref}/merge"): (
        ANALYST,
        "/threats/THR-1/merge",
        {"into": "THR-1", "reason": "x"},
    ),
    ("POST", "/threats/{ref}/split"): (ANALYST, "/threats/THR-1/split", {"reason": "x"}),
    ("POST", "/threats/{ref}/grade"): (ANALYST, "/threats/THR-1/grade", {"reason": "x"}),
    ("GET", "/threats/{ref}/determination"): (READERS, "/threats/THR-1/determination", None),
    ("POST", "/threats/{ref}/decide"): (DUTY, "/threats/THR-1/decide", {}),
    ("POST", "/determinations/{ref}/approve"): (APPROVER, "/determinations/DET-1/approve", {}),
    ("GET", "/threats/{ref}/release"): (READERS, "/threats/THR-1/release", None),
    ("POST", "/threats/{ref}/release"): (DUTY, "/threats/THR-1/release", {}),
    ("POST", "/releases/{ref}/approve"): (APPROVER, "/releases/REL-1/approve", {}),
    ("GET", "/threats/{ref}/timeline"): (READERS, "/threats/THR-1/timeline", None),
    ("GET", "/map"): (READERS, "/map", None),
    ("GET", "/threats/{ref}/review"): (READERS, "/threats/THR-1/review", None),
    ("GET", "/threats/{ref}/review.pdf"): (READERS, "/threats/THR-1/review.pdf", None),
    ("GET", "/review"): (READERS, "/review", None),
    ("GET", "/review.pdf"): (READERS, "/review.pdf", None),
    ("GET", "/deliveries"): (READERS, "/deliveries", None),
    ("GET", "/deliveries/rows"): (READERS, "/deliveries/rows", None),
    ("POST", "/warnings/respond"): (
        DUTY,
        "/warnings/respond",
        {"warning": "WRN-1", "kind": "received"},
    ),
    ("POST", "/escalations/{ref}"): (DUTY, "/escalations/ESC-1", {"outcome": "done"}),
    ("POST", "/deliveries/{ref}/handed-over"): (DUTY, "/deliveries/DLV-1/handed-over", {}),
    # The desk's every step (web/pages_home.py, pages_recipients.py, pages_released.py).
    ("GET", "/recipients"): (READERS, "/recipients", None),
    ("GET", "/recipients/new"): (DUTY, "/recipients/new", None),
    ("GET", "/recipients/export"): (READERS, "/recipients/export", None),
    ("GET", "/recipients/{ref}"): (READERS, "/recipients/RCP-1", None),
    ("GET", "/recipients/{ref}/edit"): (DUTY, "/recipients/RCP-1/edit", None),
    ("POST", "/recipients"): (
        DUTY,
        "/recipients",
        {"name": "Matrix desk", "kind": "organisation", "tier": "partner", "country": "DE"}
        | {"contacts": "email=matrix@example.org"},
    ),
    ("POST", "/recipients/import"): (DUTY, "/recipients/import", {}),
    ("POST", "/recipients/{ref}"): (DUTY, "/recipients/RCP-1", {}),
    ("POST", "/recipients/{ref}/rotate-secret"): (DUTY, "/recipients/RCP-2/rotate-secret", {}),
    ("POST", "/warnings/{ref}/adjust"): (
        DUTY,
        "/warnings/WRN-3/adjust",
        {"level": "actor:withheld", "reason": "the matrix checks roles", "case": "THR-1"},
    ),
    ("POST", "/threats/{ref}/end"): (
        DUTY,
        "/threats/THR-1/end",
        {"ending": "withdraw", "reason": "the matrix checks roles"},
    ),
    ("GET", "/api/home"): (READERS, "/api/home", None),
    ("GET", "/api/recipients"): (READERS, "/api/recipients", None),
    ("GET", "/api/recipients/{ref}"): (READERS, "/api/recipients/RCP-1", None),
    ("POST", "/api/warnings/{ref}/adjust"): (
        DUTY,
        "/api/warnings/WRN-3/adjust",
        {"fact": "actor", "to": "withheld", "reason": "the matrix checks roles"},
    ),
    ("POST", "/api/threats/{ref}/end"): (
        DUTY,
        "/api/threats/THR-1/end",
        {"ending": "withdraw", "reason": "the matrix checks roles"},
    ),
    ("GET", "/audit"): (AUDITOR, "/audit", None),
    ("GET", "/audit/verify"): (AUDITOR, "/audit/verify", None),
    ("GET", "/admin/users"): (ADMIN, "/admin/users", None),
    ("POST", "/admin/users"): (
        ADMIN,
        "/admin/users",
        {"username": "newbie", "roles": "analyst", "password": "newbie-password-1"},
    ),
    ("POST", "/admin/users/{username}"): (
        ADMIN,
        "/admin/users/otto",
        {"roles": "analyst", "active": "1"},
    ),
    ("POST", "/admin/grants/{grant_id}/{decision}"): (ADMIN, "/admin/grants/1/reject", {}),
    ("POST", "/admin/service-accounts"): (
        ADMIN,
        "/admin/service-accounts",
        {"username": "svc-matrix", "name": "matrix", "roles": "analyst"},
    ),
    ("POST", "/admin/tokens/{token_id}/revoke"): (ADMIN, "/admin/tokens/1/revoke", {}),
    ("GET", "/tokens"): (SIGNED_IN, "/tokens", None),
    ("POST", "/tokens"): (SIGNED_IN, "/tokens", {"name": "matrix"}),
    # Each user revokes only their own: otto's token #3 stays (tests/redteam/test_identity).
    ("POST", "/tokens/{token_id}/revoke"): (SIGNED_IN, "/tokens/3/revoke", {}),
    ("GET", "/api/me"): (SIGNED_IN, "/api/me", None),
    ("GET", "/api/reports"): (READERS, "/api/reports", None),
    ("POST", "/api/reports"): (INGEST, "/api/reports", REPORT),
    ("GET", "/api/reports/{ref}"): (READERS, "/api/reports/RPT-1", None),
    ("GET", "/api/threats"): (READERS, "/api/threats", None),
    ("GET", "/api/threats/{ref}"): (READERS, "/api/threats/THR-1", None),
    ("POST", "/api/threats/{ref}/corrections"): (
        ANALYST,
        "/api/threats/THR-1/corrections",
        {"field": "modality", "value": "planned", "reason": "the matrix checks roles"},
    ),
    ("POST", "/api/threats/{ref}/merge"): (
        ANALYST,
        "/api/threats/THR-1/merge",
        {"into": "THR-1", "reason": "x"},
    ),
    ("POST", "/api/threats/{ref}/split"): (
        ANALYST,
        "/api/threats/THR-1/split",
        {"events": [], "reason": "x"},
    ),
    ("POST", "/api/threats/{ref}/grade"): (ANALYST, "/api/threats/THR-1/grade", {"reason": "x"}),
    ("GET", "/api/threats/{ref}/determination"): (
        READERS,
        "/api/threats/THR-1/determination",
        None,
    ),
    ("POST", "/api/threats/{ref}/determination"): (DUTY, "/api/threats/THR-1/determination", {}),
    ("POST", "/api/determinations/{ref}/approve"): (
        APPROVER,
        "/api/determinations/DET-1/approve",
        {},
    ),
    ("GET", "/api/threats/{ref}/release"): (READERS, "/api/threats/THR-1/release", None),
    ("POST", "/api/threats/{ref}/releases"): (DUTY, "/api/threats/THR-1/releases", {}),
    ("POST", "/api/releases/{ref}/approve"): (APPROVER, "/api/releases/REL-1/approve", {}),
    ("GET", "/api/threats/{ref}/timeline"): (READERS, "/api/threats/THR-1/timeline", None),
    ("GET", "/api/review"): (READERS, "/api/review", None),
    ("GET", "/api/review/{ref}"): (READERS, "/api/review/THR-1", None),
    ("GET", "/api/deliveries"): (READERS, "/api/deliveries", None),
    ("POST", "/api/warnings/{ref}/responses"): (
        DUTY,
        "/api/warnings/WRN-1/responses",
        {"kind": "received"},
    ),
    ("POST", "/api/escalations/{ref}"): (DUTY, "/api/escalations/ESC-1", {"outcome": "done"}),
    ("GET", "/api/records/{ref}"): (READERS, "/api/records/THR-1", None),
    ("GET", "/api/warnings/{ref}/misp"): (READERS, "/api/warnings/WRN-1/misp", None),
    ("GET", "/api/audit"): (AUDITOR, "/api/audit", None),
    ("GET", "/api/audit/verify"): (AUDITOR, "/api/audit/verify", None),
    ("GET", "/api/users"): (ADMIN, "/api/users", None),
    ("POST", "/api/users"): (
        ADMIN,
        "/api/users",
        {"username": "newbie2", "roles": ["analyst"], "password": "newbie-password-2"},
    ),
    ("POST", "/api/users/{username}"): (ADMIN, "/api/users/otto", {"active": True}),
    ("GET", "/api/grants"): (ADMIN, "/api/grants", None),
    # The role gate: an admin (the rule that another admin approves is tested elsewhere).
    ("POST", "/api/grants/{grant_id}/approve"): (ADMIN, "/api/grants/1/approve", {}),
    ("POST", "/api/grants/{grant_id}/reject"): (ADMIN, "/api/grants/2/reject", {}),
    ("POST", "/api/service-accounts"): (
        ADMIN,
        "/api/service-accounts",
        {"username": "svc-matrix2", "token_name": "matrix", "roles": ["analyst"]},
    ),
    ("GET", "/api/tokens"): (SIGNED_IN, "/api/tokens", None),
    ("POST", "/api/tokens"): (SIGNED_IN, "/api/tokens", {"name": "matrix"}),
    # Nobody, an admin neither, mints a token for another user (otto is not a caller).
    ("POST", "/api/users/{username}/tokens"): (
        frozenset(),
        "/api/users/otto/tokens",
        {"name": "matrix"},
    ),
    # Anyone revokes their own token; only an admin another's (others get 404 for otto's).
    ("POST", "/api/tokens/{token_id}/revoke"): (SIGNED_IN, "/api/tokens/2/revoke", {}),
    # Recipients' pages (web/public.py): public by design; the reply link is its own key.
    ("GET", "/feed.atom"): (EVERYONE, "/feed.atom", None),
    ("GET", "/feed/{name}.atom"): (EVERYONE, "/feed/ru-moscow.atom", None),
    ("GET", "/feed/{ref}.jws"): (EVERYONE, "/feed/WRN-2.jws", None),
    ("GET", "/feed/{ref}.cap"): (EVERYONE, "/feed/WRN-2.cap", None),
    ("GET", "/reply/{token}"): (EVERYONE, "/reply/{reply}", None),
    ("POST", "/reply/{token}"): (EVERYONE, "/reply/{reply}", {"kind": "received"}),
    ("POST", "/sms/inbound"): (EVERYONE, "/sms/inbound", None),
    # Partners' TAXII (web/taxii.py): a partner's own token only, no desk role or session.
    ("GET", "/taxii2/"): (frozenset(), "/taxii2/", None),
    ("GET", "/taxii2/warnings/"): (frozenset(), "/taxii2/warnings/", None),
    ("GET", "/taxii2/warnings/collections/"): (frozenset(), "/taxii2/warnings/collections/", None),
    ("GET", "/taxii2/warnings/collections/{collection}/"): (frozenset(), f"{TAXII_C}/", None),
    ("GET", "/taxii2/warnings/collections/{collection}/objects/"): (
        frozenset(),
        f"{TAXII_C}/objects/",
        None,
    ),
    ("GET", "/taxii2/warnings/collections/{collection}/manifest/"): (
        frozenset(),
        f"{TAXII_C}/manifest/",
        None,
    ),
    ("GET", "/taxii2/warnings/collections/{collection}/objects/{object_id}/"): (
        frozenset(),
        f"{TAXII_C}/objects/report--x/",
        None,
    ),
    ("GET", "/taxii2/warnings/collections/{collection}/objects/{object_id}/versions/"): (
        frozenset(),
        f"{TAXII_C}/objects/report--x/versions/",
        None,
    ),
}


def _walk(routes: list[Any]) -> list[Any]:
    out = []
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI's included routers
        out.extend(_walk(inner.routes) if inner is not None else [route])
    return out


def app_routes(app: wf.App) -> set[tuple[str, str]]:
    found = set()
    for route in _walk(list(create_app(app).routes)):
        if isinstance(route, Mount):
            continue  # /static: checked below as one file
        methods = getattr(route, "methods", None) or set()
        for method in methods - {"HEAD"}:
            found.add((method, route.path))
    assert len(found) > 50, "the walk over the app's routes found too few"
    return found


def refused(r: httpx.Response) -> bool:
    assert r.status_code < 500, (r.request.url, r.status_code, r.text[:500])
    if r.status_code in (401, 403):
        return True
    return r.status_code in (302, 303) and r.headers.get("location", "").startswith("/login")


def _setup(desk: Desk) -> dict[str, str]:
    app = desk.app
    threat = ingest_demo(app)
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    wf.decide(app, threat, dana)
    proposed = wf.propose_release(app, threat, dana)
    avery = wf.sign_in(app, "avery", PEOPLE["avery"][0])
    wf.approve_release(app, proposed.ref, avery)
    wf.respond(app, "WRN-1", "disputed", dana, note="provocation")  # proposes ESC-1
    wf.propose_release(app, threat, dana)  # REL-2 awaits approval
    otto = wf.sign_in(app, "otto", PEOPLE["otto"][0])
    sessions.create_token(app, "otto", "to revoke", by=otto)
    sessions.create_token(app, "otto", "to revoke too", by=otto)
    sessions.create_token(app, "otto", "only otto revokes", by=otto)
    root = wf.sign_in(app, "root", PEOPLE["root"][0])
    everything = [*PEOPLE["otto"][1], "admin"]
    grants.change_roles(app, "otto", everything, by=root)  # grant #1: root cannot approve it
    grants.change_compartments(app, "otto", add=["HUM"], by=root)  # grant #2, to reject
    return {"reply": _reply_token(desk)}


def _reply_token(desk: Desk) -> str:
    """A genuine reply link from what the loopback receiver got, if links are sent."""
    import time

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for post in desk.receiver.posts:
            text = str(post.body)
            if "/reply/" in text:
                return text.split("/reply/", 1)[1].split("'", 1)[0].split('"', 1)[0]
        time.sleep(0.2)
    return "not-issued"


class Callers:
    """One signed-in client per role, reused; signed in again after it signs out."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.clients: dict[str, Client] = {}

    def of(self, role: str) -> Client:
        if role not in self.clients:
            self.clients[role] = self.desk.client(None if role == "none" else ROLE_USER[role])
        return self.clients[role]

    def call(self, role: str, method: str, path: str, body: dict[str, Any] | None) -> bool:
        client = self.of(role)
        if method == "GET":
            return refused(client.get(path))
        if path == "/login":
            data = {**(body or {}), "password": PEOPLE["ana"][0]}
            fresh = self.desk.client()
            token = csrf_of(fresh.get("/login").text)
            return refused(fresh.http.post(path, data={**data, "csrf_token": token}))
        if path.startswith("/api/"):
            return refused(client.api(method, path, json=body))
        response = client.post(path, data=body)
        if path == "/logout" and response.status_code == 303:
            # Signing out succeeds when the session no longer works afterwards.
            self.clients.pop(role)
            return client.get("/api/me").status_code != 401
        return refused(response)


@pytest.mark.slow
def test_every_route_against_every_role(sqlite_desk: Desk) -> None:
    desk = sqlite_desk
    declared = app_routes(desk.app)
    assert declared - set(EXPECTED) == set(), "routes missing from the expected table"
    assert set(EXPECTED) - declared == set(), "the table lists routes the app does not have"
    refs = _setup(desk)
    callers = Callers(desk)
    rows, wrong = [], []
    for (method, route), (allowed, path, body) in sorted(EXPECTED.items()):
        path = path.replace("{reply}", refs["reply"])
        got = {role: not callers.call(role, method, path, body) for role in ROLES}
        rows.append((method, route, got))
        want = {role: role in allowed for role in ROLES}
        if route in ("/reply/{token}", "/sms/inbound") and refs["reply"] == "not-issued":
            continue
        if got != want:
            wrong.append(
                f"{method} {route}: allowed {sorted(r for r in got if got[r])}, "
                f"expected {sorted(allowed)}"
            )
    static = desk.client().get("/static/desk.css")
    assert static.status_code == 200
    ARTIFACTS.mkdir(exist_ok=True)
    lines = ["| method | route | " + " | ".join(ROLES) + " |", "|---|---|" + "---|" * len(ROLES)]
    lines += [
        f"| {m} | `{r}` | " + " | ".join("✓" if g[role] else "·" for role in ROLES) + " |"
        for m, r, g in rows
    ]
    (ARTIFACTS / "route-matrix.md").write_text("\n".join(lines) + "\n")
    assert wrong == []
