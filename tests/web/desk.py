"""Test helpers for the desk: a seeded App served by uvicorn on loopback, and an HTTP
client that signs in through the real login form and carries the CSRF token."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from tearline import workflow as wf
from tearline.demo.receiver import LoopbackReceiver
from tearline.web.server import DeskServer
from tests.factories import add_moscow_recipients

# One person per role, all holding the CT compartment, plus one outsider without it.
PEOPLE: dict[str, tuple[str, list[str], list[str]]] = {
    "ana": ("ana-analyst-pass", ["analyst"], ["CT"]),
    "dana": ("dana-duty-officer-pass", ["duty_officer"], ["CT"]),
    "avery": ("avery-approver-pass", ["approver"], ["CT"]),
    "aude": ("aude-auditor-pass", ["auditor"], ["CT"]),
    "root": ("root-admin-password", ["admin"], []),
    "otto": ("otto-outsider-pass", ["analyst", "duty_officer", "approver", "auditor"], []),
}
ROLE_USER = {
    "analyst": "ana",
    "duty_officer": "dana",
    "approver": "avery",
    "auditor": "aude",
    "admin": "root",
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def seed(app: wf.App, webhook: str) -> None:
    for name, (password, roles, held) in PEOPLE.items():
        wf.add_user(app, name, password, roles, compartments=held, by="test")
    add_moscow_recipients(app, webhook)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


@dataclass
class Client:
    """An HTTP client of the served desk, signed in as one person (or nobody)."""

    base: str
    http: httpx.Client = field(init=False)
    csrf: str = ""

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.base, follow_redirects=False, timeout=30)

    def login(self, username: str, password: str | None = None) -> httpx.Response:
        page = self.http.get("/login")
        token = csrf_of(page.text)
        r = self.http.post(
            "/login",
            data={
                "username": username,
                "password": password or PEOPLE[username][0],
                "csrf_token": token,
            },
        )
        if r.status_code == 303:
            self.csrf = csrf_of(self.http.get("/verify").text)
        return r

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, **kw)

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> httpx.Response:
        form = {"csrf_token": self.csrf, **(data or {})}
        return self.http.post(path, data=form, **kw)

    def api(self, method: str, path: str, json: Any = None) -> httpx.Response:
        headers = {"X-CSRF-Token": self.csrf} if self.csrf else {}
        return self.http.request(method, path, json=json, headers=headers)

    def flash(self, response: httpx.Response) -> str:
        """Follow a form's redirect and return the message the page shows."""
        assert response.status_code == 303, (response.status_code, response.text[:300])
        page = self.http.get(response.headers["location"])
        found = re.search(
            r'class="flash flash-(ok|error)"[^>]*>\s*<strong>[^<]*</strong>([^<]*)', page.text
        )
        assert found, page.text[:2000]
        return f"{found.group(1)}: {found.group(2).strip()}"

    def close(self) -> None:
        self.http.close()


@dataclass
class Desk:
    app: wf.App
    server: DeskServer
    receiver: LoopbackReceiver
    clients: list[Client] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, username: str | None = None) -> Client:
        c = Client(self.url)
        self.clients.append(c)
        if username is not None:
            r = c.login(username)
            assert r.status_code == 303, r.text[:500]
        return c

    def stop(self) -> None:
        for c in self.clients:
            c.close()
        self.server.stop()
        self.receiver.stop()
