"""Who is asking is checked on every API request, afresh, and before anything else about
it: a stranger is told to sign in, not what a parameter should be; one without the role
is refused before the parameters are read; a role taken away or a compartment granted
holds from the very next request (the check runs in the endpoint's own worker thread,
auth.OneHop, and remembers nothing between requests)."""

from __future__ import annotations

import httpx

from tearline import workflow as wf
from tearline.workflow import sessions, users
from tests.web.desk import PEOPLE, Desk


def test_a_stranger_is_told_to_sign_in_before_what_a_parameter_should_be(desk: Desk) -> None:
    bad_limit = {"limit": "many"}
    assert httpx.get(f"{desk.url}/api/reports", params=bad_limit).status_code == 401
    forged = {"Authorization": "Bearer tl_not-a-token"}
    answer = httpx.get(f"{desk.url}/api/reports", params=bad_limit, headers=forged)
    assert answer.status_code == 401
    assert "limit" not in answer.text
    posted = httpx.post(f"{desk.url}/api/reports", json={"filename": 7}, headers=forged)
    assert posted.status_code == 401
    # Signed in without the role: refused for the role, before the parameters.
    ana = desk.client("ana")
    assert ana.get("/api/audit", params={"limit": "0"}).status_code == 403
    # With it, the parameter's problem is named.
    aude = desk.client("aude")
    named = aude.get("/api/audit", params={"limit": "0"})
    assert named.status_code == 422
    assert "limit" in named.json()["error"]


def test_a_tokens_roles_and_compartments_change_on_the_next_request(desk: Desk) -> None:
    app = desk.app
    otto = wf.sign_in(app, "otto", PEOPLE["otto"][0])
    _, token = sessions.create_token(app, "otto", "bot", days=1, by=otto)
    bearer = {"Authorization": f"Bearer {token}"}

    def get(path: str) -> httpx.Response:
        return httpx.get(f"{desk.url}{path}", headers=bearer)

    assert get("/api/audit").status_code == 200
    users.set_roles(app, "otto", ["analyst"], by="root")
    assert get("/api/audit").status_code == 403
    assert get("/api/me").json()["roles"] == ["analyst"]
    users.set_roles(app, "otto", PEOPLE["otto"][1], by="root")
    assert get("/api/audit").status_code == 200
    assert get("/api/me").json()["compartments"] == []
    users.grant_compartments(app, "otto", add=["CT"], by="root")
    assert get("/api/me").json()["compartments"] == ["CT"]
