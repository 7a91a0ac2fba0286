"""The desk's defences, over real HTTP: headers, cookies, CSRF, cross-site writes, sign-in
throttling, session expiry, API tokens, size limits and open redirects."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.store import tables as t
from tearline.workflow import sessions, users
from tests.web.conftest import ingest_demo
from tests.web.desk import PEOPLE, Desk, csrf_of


def _reports(app: wf.App) -> int:
    return wf.counts(app)["reports"]


def test_every_response_carries_the_security_headers(desk: Desk) -> None:
    anonymous, dana = desk.client(), desk.client("dana")
    responses = [
        anonymous.get("/login"),
        anonymous.get("/static/desk.css"),
        anonymous.get("/nowhere"),
        anonymous.get("/api/threats"),
        dana.get("/triage"),
        dana.get("/api/threats"),
    ]
    for r in responses:
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp, r.url
        assert "frame-ancestors 'none'" in csp, r.url
        assert "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
    assert responses[2].status_code == 404
    assert responses[3].status_code == 401


def test_session_cookie_is_httponly_and_samesite(desk: Desk) -> None:
    c = desk.client()
    r = c.login("dana")
    cookie = r.headers["set-cookie"].lower()
    assert r.status_code == 303
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/" in cookie
    assert "secure" not in cookie  # plain http on loopback: a Secure cookie would be lost


def test_secure_cookies_when_configured(sqlite_app: wf.App) -> None:
    from tearline.settings import load_settings
    from tests.web.conftest import start_desk

    settings = load_settings({"home": str(sqlite_app.home), "secure_cookies": "always"}, environ={})
    app = wf.App(settings, clock=sqlite_app.clock)
    desk = start_desk(app)
    try:
        page = httpx.get(f"{desk.url}/login")
        assert "Secure" in page.headers["set-cookie"]
        token = csrf_of(page.text)
        # Over plain http a browser would not send a Secure cookie back; send it by hand.
        r = httpx.post(
            f"{desk.url}/login",
            data={"username": "dana", "password": PEOPLE["dana"][0], "csrf_token": token},
            headers={"Cookie": f"tearline_csrf={token}"},
        )
        assert r.status_code == 303
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("__Host-tearline_session=")
        assert "Secure" in cookie
        assert "HttpOnly" in cookie
    finally:
        desk.stop()
        app.close()


def test_a_form_without_the_csrf_token_is_refused_and_stores_nothing(desk: Desk) -> None:
    ana = desk.client("ana")
    before = _reports(desk.app)
    for token in ("", "forged-token"):
        r = ana.http.post("/inbox", data={"csrf_token": token, "text": "A plan to attack."})
        assert r.status_code == 403
        assert "security token" in r.text
    r = ana.http.post("/api/reports", json={"content": "x"})  # session, no X-CSRF-Token
    assert r.status_code == 403
    assert _reports(desk.app) == before
    ok = ana.post("/inbox", data={"text": "Gunmen plan to attack a hotel in Kabul tomorrow."})
    assert ok.status_code == 303
    assert _reports(desk.app) == before + 1


def test_cross_site_writes_are_refused_before_any_route(desk: Desk) -> None:
    ana = desk.client("ana")
    before = _reports(desk.app)
    form = {"csrf_token": ana.csrf, "text": "A plot against a stadium."}
    evil = ana.http.post("/inbox", data=form, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    site = ana.http.post("/inbox", data=form, headers={"Sec-Fetch-Site": "cross-site"})
    assert site.status_code == 403
    reply = ana.http.post(
        "/reply/abc", data={"kind": "received"}, headers={"Origin": "https://evil.example"}
    )
    assert reply.status_code == 403  # the public reply pages are covered as well
    assert _reports(desk.app) == before


def test_sign_in_is_throttled_then_allowed_again(desk: Desk) -> None:
    clock = desk.app.clock
    assert isinstance(clock, FixedClock)
    c = desk.client()
    limit = desk.app.settings.login_max_failures
    for _ in range(limit):
        assert c.login("dana", "wrong-password-guess").status_code == 401
    refused = c.login("dana")  # even the right password is not checked now
    assert refused.status_code == 429
    assert "too many failed sign-ins" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    # The same for a name that does not exist: throttling says nothing about who exists.
    for _ in range(limit):
        c.login("nobody-here", "whatever-password")
    assert c.login("nobody-here", "whatever-password").status_code == 429
    clock.advance(timedelta(minutes=desk.app.settings.login_window_minutes + 1))
    assert c.login("dana").status_code == 303
    actions = [e["action"] for e in wf.audit_entries(desk.app, limit=200)]
    assert "login.throttled" in actions


def test_idle_sessions_end_and_sign_out_ends_the_session(desk: Desk) -> None:
    clock = desk.app.clock
    assert isinstance(clock, FixedClock)
    dana = desk.client("dana")
    assert dana.get("/api/me").status_code == 200
    clock.advance(timedelta(minutes=desk.app.settings.session_idle_minutes + 1))
    assert dana.get("/api/me").status_code == 401
    r = dana.get("/triage")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/triage"
    again = desk.client("dana")
    cookies = dict(again.http.cookies)
    assert again.post("/logout").status_code == 303
    replay = httpx.get(f"{desk.url}/api/me", cookies=cookies)
    assert replay.status_code == 401  # the server forgot the session, not just the browser


def test_api_tokens_work_until_revoked_expired_or_the_user_is_deactivated(desk: Desk) -> None:
    app = desk.app
    ingest_demo(app)
    otto = wf.sign_in(app, "otto", PEOPLE["otto"][0])  # a token is minted by its owner
    token_id, token = sessions.create_token(app, "otto", "triage bot", days=1, by=otto)
    bearer = {"Authorization": f"Bearer {token}"}
    me = httpx.get(f"{desk.url}/api/me", headers=bearer)
    assert me.json()["username"] == "otto"
    assert me.json()["via"] == "token"
    # A machine needs no CSRF token: it carries no ambient credential.
    posted = httpx.post(
        f"{desk.url}/api/reports",
        headers=bearer,
        json={"filename": "n.txt", "content": "Gunmen plan to attack a hotel in Kabul."},
    )
    assert posted.status_code == 201, posted.text
    sessions.revoke_token(app, token_id, by="root")
    assert httpx.get(f"{desk.url}/api/me", headers=bearer).status_code == 401
    _, second = sessions.create_token(app, "otto", "short-lived", days=1, by=otto)
    bearer = {"Authorization": f"Bearer {second}"}
    assert httpx.get(f"{desk.url}/api/me", headers=bearer).status_code == 200
    users.set_active(app, "otto", False, by="root")
    assert httpx.get(f"{desk.url}/api/me", headers=bearer).status_code == 401
    users.set_active(app, "otto", True, by="root")
    clock = app.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(days=2))
    assert httpx.get(f"{desk.url}/api/me", headers=bearer).status_code == 401
    assert (
        httpx.get(f"{desk.url}/api/me", headers={"Authorization": "Bearer tl_x"}).status_code == 401
    )
    with app.read() as s:
        from sqlalchemy import select

        from tearline.store import tables as t

        stored = s.scalars(select(t.ApiToken.token_hash)).all()
    assert token not in stored
    assert second not in stored


def test_a_new_password_ends_every_session(desk: Desk) -> None:
    dana = desk.client("dana")
    users.set_password(desk.app, "dana", "a-brand-new-password", by="root")
    assert dana.get("/api/me").status_code == 401


def test_oversized_requests_are_refused_and_store_nothing(desk: Desk) -> None:
    ana = desk.client("ana")
    before = _reports(desk.app)
    huge = "x" * (desk.app.settings.max_document_bytes + 300 * 1024)
    r = ana.post("/inbox", data={"text": huge})
    assert r.status_code == 413
    assert _reports(desk.app) == before


def test_login_never_redirects_off_site(desk: Desk) -> None:
    c = desk.client()
    page = c.get("/login", params={"next": "https://evil.example/phish"})
    token = csrf_of(page.text)
    assert "evil.example" not in page.text
    r = c.http.post(
        "/login",
        data={
            "username": "dana",
            "password": PEOPLE["dana"][0],
            "csrf_token": token,
            "next": "//evil.example/x",
        },
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/"  # the home page of what waits for dana


def test_login_form_has_its_own_anti_forgery_token(desk: Desk) -> None:
    c = desk.client()
    r = c.http.post("/login", data={"username": "dana", "password": PEOPLE["dana"][0]})
    assert r.status_code == 400
    assert "expired" in r.text


@pytest.mark.parametrize("path", ["/api/threats/THR-1", "/threats/THR-1", "/api/records/RPT-1"])
def test_unknown_ids_say_not_found(desk: Desk, path: str) -> None:
    r = desk.client("dana").get(path)
    assert r.status_code == 404
    assert "no " in r.text


def test_a_recipients_webhook_secret_is_never_shown_to_a_reader(desk: Desk) -> None:
    # Every desk reader may open a recipient's record; none may read the secret its
    # webhook deliveries are signed with (a forger's key).
    with desk.app.read() as session:
        rows = session.scalars(select(t.Recipient)).all()
        refs = [f"RCP-{r.id}" for r in rows if any(c.get("secret") for c in r.contacts)]
        secrets = [c["secret"] for r in rows for c in r.contacts if c.get("secret")]
    assert refs
    assert secrets
    for user in ("ana", "aude", "dana"):
        for ref in refs:
            r = desk.client(user).get(f"/api/records/{ref}")
            assert r.status_code == 200
            assert not any(secret in r.text for secret in secrets)
            assert r.json()["contacts"][0]["secret_set"] is True
