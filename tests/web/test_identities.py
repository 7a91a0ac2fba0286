"""No one acts as someone else: every state-changing route and command, with every identity.

Each state-changing route of the desk and each CLI command is classified here by what it
does for the two-person rule; a new one that is not classified fails the test. Every
route is then driven by every identity — nobody, each role, an admin, a second admin, a
user of another compartment, one user's API token and an admin's own token — after
which the record must show that no one person both proposed and approved anything,
that every token was minted by the user it acts as (or is a service account's, shown
once to its admin), and that no role or compartment arrived without a second admin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from sqlalchemy import select

from tearline import workflow as wf
from tearline.cli import main, register
from tearline.cli._common import cli
from tearline.store import tables as t
from tearline.workflow import grants, sessions
from tests.web.conftest import ingest_demo
from tests.web.desk import PEOPLE, Client, Desk
from tests.web.test_matrix import EXPECTED, app_routes

PROPOSE, APPROVE = "propose", "approve"  # the two halves of the two-person rule
GRANT, TOKEN = "grant", "token"  # who holds which role; who a token acts as
WRITE = "write"  # any other change, by a signed-in person
PUBLIC = "public"  # anyone may (sign in, verify, a recipient's reply)
OPERATOR = "operator"  # the CLI with the database in hand (documented break-glass)
READ = "read"

ROUTES: dict[tuple[str, str], str] = {
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("POST", "/verify"): PUBLIC,
    ("POST", "/api/verify"): PUBLIC,
    ("POST", "/reply/{token}"): PUBLIC,
    ("POST", "/sms/inbound"): PUBLIC,
    ("POST", "/inbox"): WRITE,
    ("POST", "/api/reports"): WRITE,
    ("POST", "/threats/{ref}/correct"): WRITE,
    ("POST", "/threats/{ref}/merge"): WRITE,
    ("POST", "/threats/{ref}/split"): WRITE,
    ("POST", "/threats/{ref}/grade"): WRITE,
    ("POST", "/api/threats/{ref}/corrections"): WRITE,
    ("POST", "/api/threats/{ref}/merge"): WRITE,
    ("POST", "/api/threats/{ref}/split"): WRITE,
    ("POST", "/api/threats/{ref}/grade"): WRITE,
    ("POST", "/threats/{ref}/decide"): PROPOSE,
    ("POST", "/api/threats/{ref}/determination"): PROPOSE,
    ("POST", "/threats/{ref}/release"): PROPOSE,
    ("POST", "/api/threats/{ref}/releases"): PROPOSE,
    ("POST", "/determinations/{ref}/approve"): APPROVE,
    ("POST", "/api/determinations/{ref}/approve"): APPROVE,
    ("POST", "/releases/{ref}/approve"): APPROVE,
    ("POST", "/api/releases/{ref}/approve"): APPROVE,
    ("POST", "/warnings/respond"): WRITE,
    ("POST", "/api/warnings/{ref}/responses"): WRITE,
    ("POST", "/escalations/{ref}"): WRITE,
    ("POST", "/deliveries/{ref}/handed-over"): WRITE,
    ("POST", "/recipients"): WRITE,
    ("POST", "/recipients/import"): WRITE,
    ("POST", "/recipients/{ref}"): WRITE,
    ("POST", "/recipients/{ref}/rotate-secret"): WRITE,
    ("POST", "/warnings/{ref}/adjust"): PROPOSE,
    ("POST", "/threats/{ref}/end"): PROPOSE,
    ("POST", "/api/warnings/{ref}/adjust"): PROPOSE,
    ("POST", "/api/threats/{ref}/end"): PROPOSE,
    ("POST", "/api/escalations/{ref}"): WRITE,
    ("POST", "/admin/users"): GRANT,
    ("POST", "/admin/users/{username}"): GRANT,
    ("POST", "/admin/grants/{grant_id}/{decision}"): GRANT,
    ("POST", "/admin/service-accounts"): GRANT,
    ("POST", "/api/users"): GRANT,
    ("POST", "/api/users/{username}"): GRANT,
    ("POST", "/api/grants/{grant_id}/approve"): GRANT,
    ("POST", "/api/grants/{grant_id}/reject"): GRANT,
    ("POST", "/api/service-accounts"): GRANT,
    ("POST", "/admin/tokens/{token_id}/revoke"): TOKEN,
    ("POST", "/tokens"): TOKEN,
    ("POST", "/tokens/{token_id}/revoke"): TOKEN,
    ("POST", "/api/tokens"): TOKEN,
    ("POST", "/api/users/{username}/tokens"): TOKEN,
    ("POST", "/api/tokens/{token_id}/revoke"): TOKEN,
}

COMMANDS: dict[str, str] = {
    "decide": PROPOSE,
    "release": PROPOSE,
    "adjust": PROPOSE,
    "all-clear": PROPOSE,
    "approve": APPROVE,
    "withdraw": WRITE,
    "respond": WRITE,
    "delivered": WRITE,
    "escalations resolve": WRITE,
    "escalations policy": WRITE,
    "users add": GRANT,
    "users roles": GRANT,
    "users compartments": GRANT,
    "users approve-grant": GRANT,
    "users reject-grant": GRANT,
    "users service": GRANT,
    "users token": TOKEN,
    "users revoke-token": OPERATOR,
    "users activate": OPERATOR,
    "users deactivate": OPERATOR,
    "users password": OPERATOR,
    "demo": OPERATOR,
    "ingest": OPERATOR,
    "worker": OPERATOR,
    "serve": OPERATOR,
    "keys rotate": OPERATOR,
    "keys cap-cert": OPERATOR,
    "db upgrade": OPERATOR,
    "backup": OPERATOR,
    "restore": OPERATOR,
    "audit checkpoint": OPERATOR,
    "names add": OPERATOR,
    "names remove": OPERATOR,
    "recipients add": OPERATOR,
    "recipients import": OPERATOR,
    "recipients rotate-secret": OPERATOR,
    "feeds add": OPERATOR,
    "feeds poll": OPERATOR,
    "feeds remove": OPERATOR,
    "mailbox add": OPERATOR,
    "taxii token": OPERATOR,
    "taxii revoke": OPERATOR,
    **dict.fromkeys(
        (
            "audit checkpoints",
            "audit log",
            "db status",
            "audit verify",
            "determinations",
            "doctor",
            "escalations list",
            "export",
            "extract",
            "feeds list",
            "names list",
            "policy",
            "preview",
            "recipients export",
            "recipients list",
            "review",
            "show",
            "taxii tokens",
            "target",
            "threats",
            "users grants",
            "users list",
            "users tokens",
            "verify",
            "warnings",
        ),
        READ,
    ),
}


def _commands() -> dict[str, Any]:
    register()
    found: dict[str, Any] = {}

    def walk(cmd: Any, prefix: str) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, f"{prefix} {name}".strip())
        else:
            found[prefix] = cmd

    walk(typer.main.get_command(cli), "")
    return {name: cmd for name, cmd in found.items() if not name.startswith("eval ")}


def test_every_state_changing_route_and_command_is_classified(sqlite_app: wf.App) -> None:
    changing = {
        (m, p) for m, p in app_routes(sqlite_app) if m in ("POST", "PUT", "PATCH", "DELETE")
    }
    assert changing - set(ROUTES) == set(), "classify each new state-changing route in ROUTES"
    assert set(ROUTES) - changing == set(), "ROUTES lists routes the app does not have"
    commands = _commands()
    assert set(commands) - set(COMMANDS) == set(), "classify each new command in COMMANDS"
    assert set(COMMANDS) - set(commands) == set(), "COMMANDS lists commands the CLI lacks"
    for name, kind in COMMANDS.items():
        options = {o for p in commands[name].params for o in getattr(p, "opts", [])}
        if kind in (PROPOSE, APPROVE):
            # Proposing and approving are a signed-in person's, never the shell's.
            assert "--user" in options, f"'{name}' must sign in a person (--user)"


def _succeeded(r: httpx.Response, client: Client | None) -> bool:
    assert r.status_code < 500, (r.request.url, r.status_code, r.text[:300])
    if r.status_code in (303, 302):
        if client is None or r.headers.get("location", "").startswith("/login"):
            return False
        shown = client.get(r.headers["location"]).text
        return "flash flash-ok" in shown and "flash flash-error" not in shown
    return 200 <= r.status_code < 300


class Caller:
    """One identity: a signed-in person (session) or an API token (bearer)."""

    def __init__(self, desk: Desk, name: str, *, token: str = "", person: str = "") -> None:
        self.name, self.token = name, token
        self.client: Client | None = None
        if not token:
            self.client = desk.client()
            if person:
                password = PEOPLE[person][0] if person in PEOPLE else RHEA[1]
                assert self.client.login(person, password).status_code == 303
        self.http = httpx.Client(
            base_url=desk.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def call(self, path: str, body: dict[str, Any] | None) -> bool:
        if self.client is not None:
            if path.startswith("/api/"):
                return _succeeded(self.client.api("POST", path, json=body), None)
            return _succeeded(self.client.post(path, data=body), self.client)
        if path.startswith("/api/"):
            return _succeeded(self.http.post(path, json=body), None)
        return _succeeded(self.http.post(path, data=body), None)


RHEA = ("rhea", "rhea-second-admin-pass")


def _setup(desk: Desk) -> dict[str, str]:
    app = desk.app
    wf.add_user(app, RHEA[0], RHEA[1], ["admin"], by="test")
    threat = ingest_demo(app)
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    wf.decide(app, threat, dana)
    wf.propose_release(app, threat, dana)  # REL-1 waits for an approver
    _, dana_token = sessions.create_token(app, "dana", "dana's script", by=dana)
    root = wf.sign_in(app, "root", PEOPLE["root"][0])
    _, root_token = sessions.create_token(app, "root", "root's own", by=root)
    return {"dana": dana_token, "root": root_token}


def _latest(app: wf.App, path: str) -> str:
    """Approve the newest proposed release, whoever proposed it."""
    if "/releases/REL-1/approve" not in path:
        return path
    with app.read() as s:
        newest = s.scalar(
            select(t.Release.id).where(t.Release.status == "proposed").order_by(t.Release.id.desc())
        )
    return path.replace("REL-1", f"REL-{newest or 1}")


def _person(app: wf.App) -> dict[str, str]:
    """Who stands behind each account: a service account is the admin's who made it."""
    with app.read() as s:
        return {
            u.username: (u.created_by or u.username) if u.kind == "service" else u.username
            for u in s.scalars(select(t.User))
        }


@pytest.mark.slow
def test_no_identity_both_proposes_and_approves(sqlite_desk: Desk) -> None:
    desk, app = sqlite_desk, sqlite_desk.app
    tokens = _setup(desk)
    before = {u.username: (set(u.roles), set(u.compartments)) for u in wf.list_users(app)}
    callers = [
        Caller(desk, "nobody"),
        *(Caller(desk, p, person=p) for p in ("ana", "dana", "avery", "aude", "root", "otto")),
        Caller(desk, "rhea", person="rhea"),
        Caller(desk, "dana's token", token=tokens["dana"]),
        Caller(desk, "root's token", token=tokens["root"]),
    ]
    try:
        done = _drive(app, callers)
    finally:
        for caller in callers:
            caller.http.close()
    _check(app, done, before)


def _drive(app: wf.App, callers: list[Caller]) -> dict[str, set[str]]:
    done: dict[str, set[str]] = {c.name: set() for c in callers}
    order = [WRITE, PROPOSE, APPROVE, GRANT, TOKEN, PUBLIC]
    for (method, route), kind in sorted(ROUTES.items(), key=lambda kv: order.index(kv[1])):
        if kind == PUBLIC:
            continue  # signing in and out, verifying, replying: no one's role
        _, path, body = EXPECTED[(method, route)]
        for caller in callers:
            if caller.call(_latest(app, path), body):
                done[caller.name].add(kind)
        # Everyone tries to mint a token for every other user: no one may.
        if kind == TOKEN:
            for caller in callers:
                me = caller.name.split("'")[0]
                for other in (*PEOPLE, "rhea"):
                    if other != me:
                        took = caller.call(f"/api/users/{other}/tokens", {"name": "as them"})
                        assert not took, f"{caller.name} minted a token for {other}"
        # Everyone asks for every role and compartment for themself.
        if kind == GRANT:
            for caller in callers:
                me = caller.name.split("'")[0]
                caller.call(
                    f"/api/users/{me}",
                    {"roles": ["admin", "approver", "duty_officer"], "add_compartments": ["CT"]},
                )
    return done


def _check(
    app: wf.App, done: dict[str, set[str]], before: dict[str, tuple[set[str], set[str]]]
) -> None:
    person = _person(app)
    with app.read() as s:
        releases = s.execute(
            select(t.Release.id, t.Release.proposed_by, t.Release.approved_by)
        ).all()
        determinations = s.execute(
            select(t.Determination.id, t.Determination.decided_by, t.Determination.approved_by)
        ).all()
        made = [
            (token.id, token.created_by, user.username, user.kind, user.created_by)
            for token, user in s.execute(select(t.ApiToken, t.User).join(t.User))
        ]
        decided = [
            (g.requested_by, g.decided_by, u.username, g.kind, g.value)
            for g, u in s.execute(
                select(t.PendingGrant, t.User)
                .join(t.User)
                .where(t.PendingGrant.state == "approved")
            )
        ]
    assert any(approver for *_, approver in releases), "the drive approved nothing"
    assert PROPOSE in done["dana"]
    assert APPROVE in done["avery"]
    for ref, proposer, approver in [*releases, *determinations]:
        if approver:
            assert person.get(proposer, proposer) != person.get(approver, approver), ref
    for token_id, minter, owner, kind, creator in made:
        assert minter == (creator if kind == "service" else owner), (token_id, owner, minter)
    approved = {(username, kind, value) for *_, username, kind, value in decided}
    for asked, by, username, *_ in decided:
        assert by not in (asked, username)
    for u in wf.list_users(app):
        roles, held = before.get(u.username, (set(), set()))
        for role in set(u.roles) - roles:
            assert role in ("analyst", "auditor") or (u.username, "role", role) in approved
        for c in set(u.compartments) - held:
            assert (u.username, "compartment", c) in approved


def users_of(app: wf.App) -> dict[str, tuple[list[str], list[str]]]:
    return {u.username: (u.roles, u.compartments) for u in wf.list_users(app)}


def test_desk_tokens_are_ones_own_and_grants_wait_for_a_second_admin(desk: Desk) -> None:
    app = desk.app  # on SQLite and PostgreSQL
    wf.add_user(app, RHEA[0], RHEA[1], ["admin"], by="test")
    ana = desk.client("ana")
    page = ana.post("/tokens", data={"name": "ana's notebook", "days": "7"})
    assert page.status_code == 200
    assert "shown once" in page.text
    token = page.text.split('<code class="token">', 1)[1].split("<", 1)[0]
    with httpx.Client(base_url=desk.url, headers={"Authorization": f"Bearer {token}"}) as bot:
        assert bot.get("/api/me").json()["username"] == "ana"
    assert token not in ana.get("/tokens").text  # never shown again
    root = desk.client("root")
    saved = root.post(
        "/admin/users/ana", data={"roles": ["analyst", "approver"], "compartments": "CT HUM"}
    )
    assert "wait for a second admin" in root.flash(saved)
    assert users_of(app)["ana"] == (["analyst"], ["CT"])
    listed = root.get("/admin/users").text
    assert "another admin approves" in listed  # root's own asks have no Approve button
    rhea = desk.client()
    assert rhea.login(*RHEA).status_code == 303
    for grant in grants.list_grants(app):
        assert rhea.flash(rhea.post(f"/admin/grants/{grant.id}/approve")).startswith("ok")
    assert users_of(app)["ana"] == (["analyst", "approver"], ["CT", "HUM"])
    audit = desk.client("aude").api("GET", "/api/audit?action=grant.approved").json()
    assert {e["actor"] for e in audit} == {"rhea"}


def test_cli_grants_two_admins_and_break_glass_is_loud(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TEARLINE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)

    def run(*args: str, password: str = "") -> tuple[int, str, str]:
        monkeypatch.setenv("TEARLINE_NEW_PASSWORD", "a-long-enough-password")
        monkeypatch.setenv("TEARLINE_PASSWORD", password or "a-long-enough-password")
        code = main(list(args))
        got = capsys.readouterr()
        return code, got.out, got.err

    code, _, err = run("users", "add", "root", "--role", "admin")
    assert (code, err) == (0, "")  # the first user: the bootstrap, quietly
    code, _, err = run("users", "add", "rhea", "--role", "admin")
    assert code == 0
    assert "BREAK-GLASS" in err  # a second user without --user: the operator's, loudly
    code, out, _ = run("users", "add", "avery", "--role", "approver", "--user", "root")
    assert code == 0
    assert "wait for a second admin" in out
    assert "avery: \n" in run("users", "list")[1]
    assert run("users", "approve-grant", "1", "--user", "root")[0] != 0  # root asked for it
    code, out, _ = run("users", "approve-grant", "GRT-1", "--user", "rhea")
    assert code == 0, out
    assert "avery: approver" in run("users", "list")[1]
    code, _, err = run("users", "roles", "root", "--role", "admin", "--role", "approver")
    assert "BREAK-GLASS" in err
    actions = run("audit", "log")[1]
    assert "break_glass" in actions
    assert "grant.approved" in actions
