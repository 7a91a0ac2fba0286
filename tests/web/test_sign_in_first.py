"""Who is asking is checked on every API request, afresh, and before anything else about
it: a stranger is told to sign in, not what a parameter should be; one without the role
is refused before the parameters are read; a role taken away or a compartment granted
holds from the very next request (the check runs in the endpoint's own worker thread,
auth.OneHop, and remembers nothing between requests)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.settings import load_settings
from tearline.workflow import sessions, users
from tests.conftest import fresh_postgres, postgres_url
from tests.web.conftest import start_desk
from tests.web.desk import PEOPLE, Desk
from tests.workflow.test_worker_survives import cut_connections


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


@pytest.mark.postgres
def test_the_check_answers_after_the_databases_connections_are_cut(
    tmp_path: Path, clock: FixedClock
) -> None:
    """A failover or an admin ends every connection the desk's pool holds: the next
    request, by token and by session, is answered as before (the pool tests a connection
    before lending it, and replaces a dead one)."""
    url = postgres_url()
    assert url is not None
    values = {"home": str(tmp_path / "home"), "database_url": fresh_postgres(url)}
    app = wf.App(load_settings(values, environ={}), clock=clock)
    desk = start_desk(app, worker=False)
    try:
        otto = wf.sign_in(app, "otto", PEOPLE["otto"][0])
        _, token = sessions.create_token(app, "otto", "bot", days=1, by=otto)
        bearer = {"Authorization": f"Bearer {token}"}
        dana = desk.client("dana")
        for _ in range(3):
            assert httpx.get(f"{desk.url}/api/reports", headers=bearer).status_code == 200
            assert dana.get("/api/me").status_code == 200
        cut = cut_connections(values["database_url"])
        assert cut  # the desk's pooled connections were there to cut
        assert httpx.get(f"{desk.url}/api/reports", headers=bearer).status_code == 200
        assert httpx.get(f"{desk.url}/api/me", headers=bearer).json()["username"] == "otto"
        assert dana.get("/api/me").json()["username"] == "dana"

        # A write is not repeated for the client: cut again, it is told to try again
        # (503, not a 500), and the same write then goes through, once.
        cut_connections(values["database_url"])
        mint = {"name": "after the cut"}
        first = httpx.post(f"{desk.url}/api/tokens", headers=bearer, json=mint)
        assert first.status_code == 503, first.text
        assert first.json()["error"] == "the connection to the database was lost: try again"
        assert first.headers["retry-after"] == "1"
        again = httpx.post(f"{desk.url}/api/tokens", headers=bearer, json=mint)
        assert again.status_code == 201, again.text
        names = [v.name for v in sessions.list_tokens(app, "otto")]
        assert names.count("after the cut") == 1
    finally:
        desk.stop()
        app.close()
