"""Issue 20's identity attacks: one person acting as another, through tokens or grants, and
a webhook's signing secret read back. Driven as the attacker would: the desk, the JSON API
and the CLI, on SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from tearline import workflow as wf
from tearline.cli import main
from tearline.store import tables as t
from tearline.workflow import desk as desk_views
from tearline.workflow import grants, sessions, users
from tests.web.conftest import ingest_demo, start_desk
from tests.web.desk import PEOPLE, Desk

RHEA = ("rhea", "rhea-second-admin-pass")  # a second admin, for the two-admin rule


@pytest.fixture
def desk(sqlite_app: wf.App, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    monkeypatch.setenv("TEARLINE_HOME", str(sqlite_app.home))  # the CLI on the desk's database
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    d = start_desk(sqlite_app)
    wf.add_user(sqlite_app, RHEA[0], RHEA[1], ["admin"], by="test")
    yield d
    d.stop()


def _bearer(desk: Desk, token: str) -> httpx.Client:
    return httpx.Client(base_url=desk.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def _user(app: wf.App, username: str) -> users.UserView:
    return users.get_user(app, username)


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    got = capsys.readouterr()
    return code, got.out, got.err


def test_admin_mints_a_token_for_another_user(
    desk: Desk, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An admin mints an API token for dana (desk, API, CLI) to act as her"""
    root = desk.client("root")
    api = root.api("POST", "/api/users/dana/tokens", json={"name": "as dana"})
    assert api.status_code == 403, api.text
    assert "only by the user it acts as" in api.json()["error"]
    form = root.post("/admin/users/dana/tokens", data={"name": "as dana"})
    assert form.status_code in (404, 405)  # the desk has no such form any more
    # The CLI asks for the owner's password: root's does not open dana's account.
    monkeypatch.setenv("TEARLINE_PASSWORD", PEOPLE["root"][0])
    code, out, _ = _cli(capsys, "users", "token", "dana", "--name", "as dana")
    assert code != 0
    assert "tl_" not in out
    # What root can mint acts as root, and nobody else.
    mine = root.api("POST", "/api/tokens", json={"name": "root's own"})
    assert mine.status_code == 201
    with _bearer(desk, mine.json()["token"]) as as_root:
        assert as_root.get("/api/me").json()["username"] == "root"
    assert sessions.list_tokens(desk.app, "dana") == []


def test_admin_grants_itself_approver(desk: Desk, capsys: pytest.CaptureFixture[str]) -> None:
    """An admin grants itself approver and a compartment, then approves its own grant"""
    app = desk.app
    root = desk.client("root")
    asked = root.api(
        "POST", "/api/users/root", json={"roles": ["admin", "approver"], "add_compartments": ["CT"]}
    )
    assert asked.status_code == 200, asked.text
    pending = asked.json()["pending_grants"]
    assert len(pending) == 2
    assert root.api("GET", "/api/me").json()["roles"] == ["admin"]
    for grant in pending:
        own = root.api("POST", f"/api/grants/{grant}/approve")
        assert own.status_code == 409
        assert "a different admin must approve" in own.json()["error"]
        assert "error" in root.flash(root.post(f"/admin/grants/{grant}/approve"))
    # Nor may it approve a grant another admin asked for it.
    rhea = desk.client()
    assert rhea.login(*RHEA).status_code == 303
    for_root = rhea.api("POST", "/api/users/root", json={"roles": ["admin", "duty_officer"]})
    (grant,) = for_root.json()["pending_grants"]
    refused = root.api("POST", f"/api/grants/{grant}/approve")
    assert refused.status_code == 409
    assert "another admin must approve" in refused.json()["error"]
    assert _user(app, "root").roles == ["admin"]
    assert _user(app, "root").compartments == []
    audit = [e["action"] for e in desk_views.audit_search(app, action="grant.")]
    assert "grant.approved" not in audit
    assert audit.count("grant.requested") == 3


def test_one_person_proposes_as_dana_and_approves_as_avery(
    desk: Desk, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root decides and proposes as dana and approves as avery through API tokens"""
    app = desk.app
    threat = ingest_demo(app)
    root = desk.client("root")
    for victim in ("dana", "avery"):
        minted = root.api("POST", f"/api/users/{victim}/tokens", json={"name": "x"})
        assert minted.status_code == 403
        monkeypatch.setenv("TEARLINE_PASSWORD", PEOPLE["root"][0])
        assert _cli(capsys, "users", "token", victim, "--name", "x")[0] != 0
    # A service account of root's making gets no proposing or approving role on root's word.
    made = root.api(
        "POST",
        "/api/service-accounts",
        json={
            "username": "svc-both",
            "token_name": "both hands",
            "roles": ["duty_officer", "approver"],
            "compartments": ["CT"],
        },
    )
    assert made.status_code == 201, made.text
    assert made.json()["roles"] == []
    for grant in made.json()["pending_grants"]:
        assert root.api("POST", f"/api/grants/{grant}/approve").status_code == 409
    with _bearer(desk, made.json()["token"]) as svc:
        decided = svc.post(f"/api/threats/{threat}/determination", json={})
        assert decided.status_code == 403
        proposed = svc.post(f"/api/threats/{threat}/releases")
        assert proposed.status_code == 403
    # Root's own session and token neither.
    assert root.api("POST", f"/api/threats/{threat}/releases").status_code == 403
    with app.read() as s:
        assert s.scalars(select(t.Release)).all() == []
        dana_tokens = s.scalars(
            select(t.ApiToken).join(t.User).where(t.User.username.in_(["dana", "avery"]))
        ).all()
    assert dana_tokens == []


def test_token_acts_pass_as_the_person_own(desk: Desk) -> None:
    """A token's acts pass in the audit as the person's own, with no trace of the token"""
    app = desk.app
    threat = ingest_demo(app)
    dana = desk.client("dana")
    minted = dana.api("POST", "/api/tokens", json={"name": "dana's script"})
    assert minted.status_code == 201
    token_id = minted.json()["id"]
    with _bearer(desk, minted.json()["token"]) as script:
        assert script.post(f"/api/threats/{threat}/determination", json={}).status_code == 200
        assert script.post(f"/api/threats/{threat}/releases").status_code == 201
    # The investigator (an auditor) reads it in the audit through the API.
    entries = desk.client("aude").api("GET", "/api/audit?actor=dana").json()
    by_token = [e for e in entries if json.loads(e["details"] or "{}").get("via_token") == token_id]
    assert {e["action"] for e in by_token} >= {"release.proposed"}
    created = desk_views.audit_search(app, action="token.created")
    assert created[0]["actor"] == "dana"
    (row,) = sessions.list_tokens(app, "dana")
    assert row.created_by == "dana"


def test_webhook_secret_read_back(desk: Desk, capsys: pytest.CaptureFixture[str]) -> None:
    """A desk reader reads a webhook's signing secret back (record view, CLI, export, audit)"""
    app = desk.app
    with app.read() as s:
        rows = s.scalars(select(t.Recipient)).all()
        hooked = [(r.id, c["secret"]) for r in rows for c in r.contacts if c.get("secret")]
    assert hooked
    rid, secret = hooked[0]
    for who in ("ana", "otto"):
        page = desk.client(who).api("GET", f"/api/records/RCP-{rid}")
        assert page.status_code == 200
        assert secret not in page.text
        assert '"secret_set":true' in page.text.replace(" ", "")
    code, out, _ = _cli(capsys, "show", f"RCP-{rid}")
    assert code == 0
    assert secret not in out
    code, out, _ = _cli(capsys, "recipients", "export", "--format", "json")
    assert code == 0
    assert secret not in out
    aude = desk.client("aude")
    assert secret not in aude.get("/api/audit?limit=1000").text
    # Rotating shows the new one once; the old one no longer signs.
    code, out, err = _cli(capsys, "recipients", "rotate-secret", f"RCP-{rid}")
    assert code == 0, err
    fresh = out.strip().splitlines()[-1]
    assert fresh != secret
    assert len(fresh) >= 32
    assert fresh not in desk.client("ana").api("GET", f"/api/records/RCP-{rid}").text
    assert fresh not in aude.get("/api/audit?limit=1000").text
    assert json.dumps(fresh) not in _cli(capsys, "recipients", "export", "--format", "json")[1]


def test_an_admin_proposes_through_its_service_account_and_approves_itself(desk: Desk) -> None:
    """An admin-approver proposes through a service account it made, then approves as itself"""
    app = desk.app
    threat = ingest_demo(app)
    root = wf.sign_in(app, "root", PEOPLE["root"][0])
    rhea = wf.sign_in(app, *RHEA)
    # Everything granted the honest way, each grant approved by the second admin.
    pending = grants.change_roles(app, "root", ["admin", "approver"], by=root).pending
    pending += grants.change_compartments(app, "root", add=["CT"], by=root).pending
    _, _, token = grants.create_service_account(
        app, "svc-ops", "ops", ["analyst", "duty_officer"], compartments=["CT"], by=root
    )
    pending += [g.id for g in grants.list_grants(app) if g.username == "svc-ops"]
    for grant in pending:
        grants.approve_grant(app, grant, by=rhea)
    assert "approver" in _user(app, "root").roles
    assert "duty_officer" in _user(app, "svc-ops").roles
    with _bearer(desk, token) as svc:
        assert svc.post(f"/api/threats/{threat}/determination", json={}).status_code == 200
        proposed = svc.post(f"/api/threats/{threat}/releases")
        assert proposed.status_code in (200, 201), proposed.text
    ref = proposed.json()["ref"]
    approved = desk.client("root").api("POST", f"/api/releases/{ref}/approve")
    assert approved.status_code == 409, approved.text
    assert "cannot also approve" in approved.text
    with app.read() as s:
        assert s.scalars(select(t.Release).where(t.Release.status == "approved")).all() == []
    # A second person may.
    assert desk.client("avery").api("POST", f"/api/releases/{ref}/approve").status_code == 200
