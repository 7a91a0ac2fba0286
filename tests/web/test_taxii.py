"""Partners pull their warnings over TAXII 2.1 with the OASIS client, from the desk served
on loopback: each sees exactly the objects of its own warning, at its tier's precision;
no token is 401, another's collection is 404; paging, ``added_after`` and revocation."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import requests
from sqlalchemy import select
from stix2validator import ValidationOptions, validate_string
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.store import tables as t
from tearline.web.server import DeskServer
from tearline.workflow import taxii
from tests.conftest import PASSWORDS
from tests.partners import ADVERSARY, ALLY, THIRD, add_partners, deliver, release_demo

TAXII = "application/taxii+json;version=2.1"


class Bearer(requests.auth.AuthBase):
    """A bearer token for taxii2-client (which takes a requests ``auth``)."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r


@dataclass
class Shared:
    app: wf.App
    url: str
    refs: dict[str, str]
    tokens: dict[str, str]
    threat: str

    def warning_objects(self, name: str) -> dict[str, dict[str, Any]]:
        """The STIX objects of the warning released to ``name``, as signed at release."""
        with self.app.read() as s:
            w = s.scalars(
                select(t.WarningRecord)
                .join(t.Recipient)
                .where(t.Recipient.name == name, t.WarningRecord.status == "released")
            ).one()
            return {o["id"]: o for o in json.loads(w.artifacts["stix"])["objects"]}

    def collection(self, name: str, *, basic: bool = True) -> Collection:
        """The partner's one collection, found the way a partner finds it: discovery."""
        if basic:
            server = Server(f"{self.url}/taxii2/", user=self.refs[name], password=self.tokens[name])
        else:
            server = Server(f"{self.url}/taxii2/", auth=Bearer(self.tokens[name]))
        roots: list[ApiRoot] = server.api_roots
        assert [r.url for r in roots] == [f"{self.url}/taxii2/warnings/"]
        (found,) = roots[0].collections
        return found


@pytest.fixture(params=[()])
def shared(app: wf.App, request: pytest.FixtureRequest) -> Iterator[Shared]:
    refs = add_partners(app)
    threat = release_demo(app, markings=request.param)
    sent = deliver(app)
    assert {s.recipient for s in sent if s.channel == "taxii"} == {ALLY, ADVERSARY}
    tokens = {name: taxii.create_token(app, ref, by="test").token for name, ref in refs.items()}
    server = DeskServer(app, port=0, worker=False)
    server.start()
    yield Shared(app, server.url, refs, tokens, threat)
    server.stop()


def everything(c: Collection, **filters: Any) -> list[dict[str, Any]]:
    envelope = c.get_objects(**filters)
    assert envelope["more"] is False
    objects: list[dict[str, Any]] = envelope.get("objects", [])
    return objects


def test_each_partner_sees_exactly_its_objects_at_its_precision(shared: Shared) -> None:
    ally, adversary = shared.collection(ALLY), shared.collection(ADVERSARY, basic=False)
    assert (ally.can_read, ally.can_write) == (True, False)
    assert ally.title == "Allied embassy warnings"
    assert ally.id != adversary.id
    got = {name: everything(c) for name, c in ((ALLY, ally), (ADVERSARY, adversary))}
    for name, objects in got.items():
        mine = shared.warning_objects(name)
        assert {o["id"] for o in objects} == set(mine)  # exactly its own warning's objects
        assert all(o == mine[o["id"]] for o in objects)  # as signed at release
    place = {name: next(o for o in got[name] if o["type"] == "location") for name in got}
    assert place[ALLY]["name"] == "Crocus City Hall, Moscow, Russia"  # ally: the venue
    assert place[ADVERSARY]["name"] == "Moscow, Russia"  # adversary: only the city
    assert place[ADVERSARY]["city"] == "Moscow"
    shared_ids = {o["id"] for o in got[ALLY]} & {o["id"] for o in got[ADVERSARY]}
    assert {i.split("--")[0] for i in shared_ids} == {"marking-definition"}
    # match[type] and match[id], as the client sends them
    (location,) = everything(ally, type="location")
    assert location == place[ALLY]
    report = next(o for o in got[ALLY] if o["type"] == "report")
    assert everything(ally, id=[report["id"], location["id"]]) == [location, report]
    # The third partner has a collection with nothing in it: no warning concerned it.
    assert everything(shared.collection(THIRD)) == []


def test_no_token_another_collection_and_revoked_tokens_are_refused(shared: Shared) -> None:
    ally = shared.collection(ALLY)
    base = f"{shared.url}/taxii2/warnings/collections/{ally.id}/objects/"
    plain = httpx.get(base, headers={"Accept": TAXII})
    assert plain.status_code == 401
    assert plain.headers["content-type"] == TAXII
    assert plain.json()["http_status"] == "401"
    assert "Bearer" in plain.headers["www-authenticate"]
    wrong = httpx.get(base, headers={"Accept": TAXII}, auth=(shared.refs[ALLY], "tlx_guessed"))
    assert wrong.status_code == 401
    # The right token under another partner's name is refused too.
    other = httpx.get(
        base, headers={"Accept": TAXII}, auth=(shared.refs[THIRD], shared.tokens[ALLY])
    )
    assert other.status_code == 401
    # The third partner asks for the ally's collection: the same answer as for none at all.
    third = {"Authorization": f"Bearer {shared.tokens[THIRD]}", "Accept": TAXII}
    theirs = httpx.get(base, headers=third)
    missing = httpx.get(
        base.replace(ally.id, "00000000-0000-4000-8000-000000000000"), headers=third
    )
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert ALLY not in theirs.text
    # No Accept header for TAXII: 406, with a TAXII error message.
    refused = httpx.get(base, headers={"Authorization": f"Bearer {shared.tokens[ALLY]}"})
    assert refused.status_code == 406
    assert refused.json()["title"] == "Not Acceptable"
    bad = httpx.get(base, params={"added_after": "yesterday"}, headers=third)
    assert bad.status_code == 404  # another's collection, before any filter is read
    own = {"Authorization": f"Bearer {shared.tokens[ALLY]}", "Accept": TAXII}
    bad = httpx.get(base, params={"added_after": "yesterday"}, headers=own)
    assert bad.status_code == 400
    assert bad.headers["content-type"] == TAXII
    assert "added_after" in bad.json()["description"]
    (token,) = [v for v in taxii.list_tokens(shared.app) if v.recipient.endswith(ALLY)]
    taxii.revoke_token(shared.app, token.id, by="test")
    with pytest.raises(requests.HTTPError) as refused_now:
        ally.get_objects()
    assert refused_now.value.response.status_code == 401


def test_paging_added_after_and_a_withdrawal_revokes(shared: Shared, clock: FixedClock) -> None:
    ally = shared.collection(ALLY, basic=False)
    pages = list(as_pages(ally.get_objects, per_request=5))
    assert [len(p["objects"]) for p in pages] == [5, 5, 4]
    assert [p["more"] for p in pages] == [True, True, False]
    paged = [o["id"] for p in pages for o in p["objects"]]
    assert paged == [o["id"] for o in everything(ally)]  # the same objects, in order
    manifest = list(as_pages(ally.get_manifest, per_request=6))
    assert [e["id"] for p in manifest for e in p["objects"]] == paged
    first = ally._conn.session.get(  # the X-TAXII-Date-Added-Last header a poller keeps
        ally.objects_url, headers={"Accept": TAXII}
    )
    last_seen = first.headers["X-TAXII-Date-Added-Last"]
    assert everything(ally, added_after=last_seen) == []
    # A week later the warnings are withdrawn: a Cancel to each, and the old objects revoked.
    clock.advance(timedelta(days=7))
    dana = wf.sign_in(shared.app, "dana", PASSWORDS["dana"])
    avery = wf.sign_in(shared.app, "avery", PASSWORDS["avery"])
    ending = wf.propose_end(
        shared.app, shared.threat, dana, all_clear=False, reason="The source was wrong."
    )
    wf.approve_release(shared.app, ending.ref, avery)
    deliver(shared.app)
    news = [
        o
        for p in as_pages(ally.get_objects, per_request=7, added_after=last_seen)
        for o in p["objects"]
    ]
    revoked = [o for o in news if o.get("revoked")]
    old = {o["id"] for o in pages[0]["objects"] + pages[1]["objects"] + pages[2]["objects"]}
    assert {o["id"] for o in revoked} == {i for i in old if not i.startswith("marking-definition")}
    # What a partner pulled after the withdrawal is valid STIX 2.1, revoked versions too.
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": news}
    checked = validate_string(json.dumps(bundle), ValidationOptions(version="2.1", strict=True))
    assert checked.is_valid, [str(e) for e in checked.errors]
    cancel = [o for o in news if not o.get("revoked")]
    assert any(o["type"] == "report" and "withdrawn" in o["description"] for o in cancel)
    # Once superseded, an old object has one version left to serve: the revoked one, a
    # week after the original; the warning as released is no longer served at all.
    report = next(i for i in old if i.startswith("report--"))
    assert ally.object_versions(report)["versions"] == ["2024-03-13T09:00:00.000Z"]
    assert ally.get_object(report)["objects"][0]["revoked"] is True
    assert ally.get_object(report, version="first")["objects"][0]["revoked"] is True
    served = everything(ally, version="all")
    originals = [o for o in served if o["id"] in old and not o.get("revoked")]
    assert {o["type"] for o in originals} == {"marking-definition"}


def test_pulls_and_tokens_are_in_the_audit_record(shared: Shared) -> None:
    ally = shared.collection(ALLY)
    everything(ally)
    everything(ally, added_after="2999-01-01T00:00:00Z")  # an empty poll: not recorded
    with shared.app.read() as s:
        entries = s.scalars(select(t.AuditEntry).where(t.AuditEntry.action.like("taxii.%"))).all()
    made = [e for e in entries if e.action == "taxii.token_created"]
    assert {e.subject for e in made} == set(shared.refs.values())
    for token in shared.tokens.values():  # its first characters, to tell it apart; never all
        assert not any(token in e.details for e in entries)
    (pull,) = [e for e in entries if e.action == "taxii.pull"]
    details = json.loads(pull.details)
    assert pull.subject == shared.refs[ALLY]
    assert details["objects"] == 14
    assert len(details["warnings"]) == 1


@pytest.mark.parametrize("shared", [("REL TO GBR, RUS",)], indirect=True)
def test_a_partner_outside_the_markings_now_is_served_nothing_of_it(shared: Shared) -> None:
    ally = shared.collection(ALLY)
    marked = next(o for o in everything(ally) if o["type"] == "report")
    assert marked["id"] in shared.warning_objects(ALLY)  # released to it: GBR may see it
    # The registry now says the partner is of another nation (it was entered wrongly, or
    # the partner changed): the warning's markings no longer allow it, so nothing of the
    # warning is served, though it was added to the collection at release.
    with shared.app.unit() as u:
        row = u.session.get(t.Recipient, int(shared.refs[ALLY].split("-")[1]))
        assert row is not None
        row.nation = "FRA"
    left = everything(ally, version="all")
    assert {o["type"] for o in left} == {"marking-definition"}
    with pytest.raises(requests.HTTPError) as gone:
        ally.get_object(marked["id"])
    assert gone.value.response.status_code == 404
    still = everything(shared.collection(ADVERSARY))  # RUS: still allowed
    assert {o["id"] for o in still} == set(shared.warning_objects(ADVERSARY))
    assert any(o["type"] == "marking-definition" and "TLP" not in o.get("name", "") for o in still)
