"""The recipients' side over real HTTP: the Atom feed read by feedparser, reply links
answered, tampered with and expired, and SMS replies from a signed gateway callback."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import feedparser
import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.deliver.signature import SIGNATURE_HEADER, sign_body
from tearline.demo.receiver import LoopbackReceiver
from tearline.model import Contact
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.web.public import router
from tearline.workflow.worker import channels_for
from tests.factories import add_public_in_moscow
from tests.workflow.conftest import PROVENANCE
from tests.workflow.test_delivery_outbox import release

HOSTILE = "<script>alert(1)</script> Ministry"
SMS_SECRET = "sms-inbound-test-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served(app: wf.App, receiver: tuple[LoopbackReceiver, str]) -> Iterator[tuple[wf.App, str]]:
    """The public router in a throwaway FastAPI app, served by uvicorn on loopback."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    _, url = receiver
    settings = load_settings(
        {
            "home": str(app.home),
            "database_url": app.db.url,
            "sender": "Test agency",
            "public_url": base,
            "sms_gateway_url": f"{url}/sms",
            "sms_inbound_secret": SMS_SECRET,
        },
        environ={},
    )
    application = wf.App(settings, clock=app.clock, database=app.db)
    api = FastAPI()
    api.state.tearline = application
    api.include_router(router)
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    yield application, base
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def delivered(
    served: tuple[wf.App, str],
    people: tuple[wf.Identity, wf.Identity],
    receiver: tuple[LoopbackReceiver, str],
) -> tuple[wf.App, str, LoopbackReceiver]:
    app, base = served
    r, url = receiver
    add_public_in_moscow(app)
    wf.add_recipient(
        app,
        name=HOSTILE,
        kind="government",
        tier="partner",
        language="en",
        jurisdiction="RU",
        contacts=[Contact("webhook", f"{url}/ministry"), Contact("sms", "+79160000002")],
    )
    release(app, people)
    wf.run_worker(app, channels_for(app), once=True)
    return app, base, r


def reply_url(r: LoopbackReceiver) -> str:
    post = next(p for p in r.posts if p.path == "/ministry")
    url: str = post.body["reply_url"]
    return url


def test_feed_is_atom_with_the_cap_alert_and_the_signature(
    delivered: tuple[wf.App, str, LoopbackReceiver],
) -> None:
    app, base, _ = delivered
    response = httpx.get(f"{base}/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Test agency: public security alerts"
    (entry,) = feed.entries
    assert entry.title.startswith("Security Alert")
    assert entry.id.startswith("urn:uuid:")
    assert "WRN-" in entry.identifier  # the CAP alert inline, as feedparser reads it
    assert (entry.status, entry.msgtype, entry.scope) == ("Actual", "Alert", "Public")
    assert "Moscow" in entry.summary
    cap_link = next(link.href for link in entry.links if link.type == "application/cap+xml")
    cap = httpx.get(cap_link)
    assert cap.headers["content-type"].startswith("application/cap+xml")
    assert b"urn:oasis:names:tc:emergency:cap:1.2" in cap.content
    jws_link = next(link.href for link in entry.links if link.type == "application/jose")
    token = httpx.get(jws_link).text.strip()
    assert wf.verify_artifact(token, app.keys.keyset()).document["recipient"]["tier"] == "public"
    named = feedparser.parse(httpx.get(f"{base}/feed/ru-moscow.atom").content)
    assert len(named.entries) == 1
    assert feedparser.parse(httpx.get(f"{base}/feed/elsewhere.atom").content).entries == []
    assert httpx.get(f"{base}/feed/WRN-999.jws").status_code == 404


def test_reply_link_records_the_answer_on_the_record(
    delivered: tuple[wf.App, str, LoopbackReceiver],
) -> None:
    app, base, r = delivered
    url = reply_url(r)
    assert url.startswith(f"{base}/reply/")
    page = httpx.get(url)
    assert page.status_code == 200
    assert HOSTILE not in page.text  # the recipient's name is escaped, never markup
    assert "&lt;script&gt;" in page.text
    assert "<script" not in page.text
    answered = httpx.post(url, data={"kind": "acting", "note": "Police at every concert hall"})
    assert answered.status_code == 200
    assert "We are acting on it" in answered.text
    with app.read() as s:
        row = s.scalars(select(t.Response)).one()
        assert (row.kind, row.via, row.note) == ("acting", "link", "Police at every concert hall")
        assert row.delivery_id is not None
    entry = next(e for e in wf.audit_entries(app, limit=50) if e["action"] == "response.recorded")
    assert json.loads(entry["details"])["via"] == "link"
    bad = httpx.post(url, data={"kind": "shrug"})
    assert bad.status_code == 422


def test_a_tampered_or_expired_link_is_refused(
    delivered: tuple[wf.App, str, LoopbackReceiver],
) -> None:
    app, _, r = delivered
    url = reply_url(r)
    payload = url.rpartition("/")[2].partition(".")[0]
    forged = url.replace(payload, payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB"))
    assert httpx.get(forged).status_code == 403
    assert httpx.post(forged, data={"kind": "received"}).status_code == 403
    assert httpx.get(url[:-3]).status_code == 403
    clock = app.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(days=60))
    expired = httpx.get(url)
    assert expired.status_code == 410
    assert "expired" in expired.text
    with app.read() as s:
        assert s.scalars(select(t.Response)).all() == []


def test_sms_replies_come_signed_from_the_gateway(
    delivered: tuple[wf.App, str, LoopbackReceiver],
) -> None:
    app, base, r = delivered
    codes = [p for p in r.posts if p.path == "/sms"]
    assert "reply: 1 received" in codes[1].body["text"]

    def post(data: Any, secret: str | None = SMS_SECRET) -> httpx.Response:
        body = json.dumps(data).encode()
        headers = {SIGNATURE_HEADER: sign_body(secret, body)} if secret else {}
        return httpx.post(f"{base}/sms/inbound", content=body, headers=headers)

    assert post({"from": "+79160000002", "text": "3"}, secret=None).status_code == 401
    assert post({"from": "+79160000002", "text": "3"}, secret="wrong").status_code == 401
    assert post({"from": "+79160000002", "text": "maybe"}).status_code == 422
    assert post({"from": "+79169999999", "text": "1"}).status_code == 422
    ok = post({"from": "+79160000002", "text": "3 provocation"})
    assert ok.status_code == 200
    assert ok.json()["kind"] == "disputed"
    with app.read() as s:
        row = s.scalars(select(t.Response)).one()
        assert (row.kind, row.via) == ("disputed", "sms")
    rules = {e.rule for e in wf.list_escalations(app)}
    assert "dismissed" in rules  # a dispute sets off the policy, whatever the channel
    assert PROVENANCE.source  # the protected source never reaches the recipient's side
