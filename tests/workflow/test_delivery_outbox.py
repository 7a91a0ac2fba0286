"""The outbox end to end: a release reaches every channel, is recorded, handed over, retried,
dead-lettered with an alert, rate-limited, and recovered after a worker dies."""

from __future__ import annotations

import asyncio
import json
import os
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, message_from_string, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.deliver import TokenBucket
from tearline.demo.receiver import LoopbackReceiver
from tearline.demo.scenario import CODE_WORD, METHODS, SOURCE, report_text
from tearline.errors import AuthError, InvalidState
from tearline.model import Contact
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.workflow.outbox import Claimed, mark_handed_over
from tearline.workflow.worker import (
    BODIES_KEPT,
    EmbeddedWorker,
    Journal,
    Worker,
    channels_for,
    close_channels,
    recover,
)
from tests.factories import add_moscow_recipients
from tests.workflow.conftest import PROVENANCE

PROTECTED = (SOURCE, CODE_WORD, *METHODS, "LR-2024-0306-117")


def variant(app: wf.App, **overrides: Any) -> wf.App:
    """The same database and clock, with other settings."""
    settings = load_settings(
        {"home": str(app.home), "database_url": app.db.url, "sender": "Test agency", **overrides},
        environ={},
    )
    return wf.App(settings, clock=app.clock, database=app.db)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


def release(app: wf.App, people: tuple[wf.Identity, wf.Identity]) -> wf.Released:
    ingested = wf.ingest_bytes(app, report_text(), "moscow.txt", PROVENANCE, actor="dana")
    threat = next(e.threat_ref for e in ingested.events if e.threat_ref)
    assert threat is not None
    dana, avery = people
    wf.decide(app, threat, dana)
    proposed = wf.propose_release(app, threat, dana)
    return wf.approve_release(app, proposed.ref, avery)


def partners(app: wf.App, url: str, n: int) -> None:
    """``n`` partner governments, each with its own webhook path on ``url``."""
    for i in range(n):
        wf.add_recipient(
            app,
            name=f"Partner {i}",
            kind="government",
            tier="partner",
            language="en",
            jurisdiction="RU",
            contacts=[Contact("webhook", f"{url}/p{i}")],
        )


def secret_of(app: wf.App, name: str, channel: str = "webhook") -> str:
    (r,) = [r for r in wf.registry_with_locations(app) if r.name == name]
    secret = next(c.secret for c in r.contacts if c.channel == channel)
    assert secret
    return secret


def test_every_channel_delivers_signed_and_recorded(
    app: wf.App,
    people: tuple[wf.Identity, wf.Identity],
    receiver: tuple[LoopbackReceiver, str],
    mailbox: tuple[Mailbox, int],
) -> None:
    r, url = receiver
    box, port = mailbox
    gateway = LoopbackReceiver()  # the SMS gateway: a second receiver, unsigned posts
    gateway_url = gateway.start()
    app = variant(
        app,
        smtp_url=f"smtp://127.0.0.1:{port}",
        mail_from="Alerts <alerts@agency.test>",
        sms_gateway_url=f"{gateway_url}/sms",
        public_url="https://tearline.test",
    )
    add_moscow_recipients(
        app, url, liaison=(Contact("email", "duty@fsb.test"), Contact("sms", "+79160000001"))
    )
    r.secret = secret_of(app, "Public in Moscow")  # the receiver checks every signature
    released = release(app, people)
    assert released.deliveries == 5
    sent: list[wf.Sent] = []
    count = wf.run_worker(app, channels_for(app), once=True, on_sent=sent.append)
    assert count == 5, sent
    assert sorted((s.channel, s.status) for s in sent) == [
        ("email", "delivered"),
        ("liaison_note", "awaiting_handover"),
        ("public_feed", "delivered"),
        ("sms", "delivered"),
        ("webhook", "delivered"),
    ], [(s.channel, s.detail) for s in sent]
    webhook = next(p for p in r.posts if p.path == "/alerts")
    assert r.refused == 0
    assert webhook.body["reply_url"].startswith("https://tearline.test/reply/")
    gateway.stop()
    # the warning, the reply codes, and the short reply link
    assert [p.body["to"] for p in gateway.posts] == ["+79160000001"] * 3
    assert gateway.posts[2].body["text"].startswith("Or answer online: https://tearline.test/")
    assert gateway.posts[0].body["reference"] == released.warnings[0][0]
    (raw,) = box.messages
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["To"] == "duty@fsb.test"
    email_delivery = next(s for s in sent if s.channel == "email")
    with app.read() as s:
        key = s.scalar(
            select(t.Delivery.idempotency_key).where(
                t.Delivery.id == int(email_delivery.ref.split("-")[1])
            )
        )
    assert mail["Message-ID"] == f"<{key}@agency.test>"
    # The e-mail and the SMS go out as released (the signed forms kept on the warning), not
    # as the plain forms a channel falls back to without them.
    with app.read() as s:
        (forms,) = [
            w.artifacts
            for w in s.scalars(select(t.WarningRecord))
            if w.recipient.name == "Russian Federation (liaison)"
        ]
    signed = message_from_string(forms["email"], policy=policy.default)
    assert [p.get_content_type() for p in mail.walk()] == [
        p.get_content_type() for p in signed.walk()
    ]
    assert isinstance(mail, EmailMessage)
    assert isinstance(signed, EmailMessage)
    html, signed_html = mail.get_body(("html",)), signed.get_body(("html",))
    assert html is not None
    assert signed_html is not None
    lines = str(html.get_content()).splitlines()
    assert lines == str(signed_html.get_content()).splitlines()
    assert gateway.posts[0].body["text"] == forms["sms"]
    outgoing = [json.dumps(p.body) for p in [*r.posts, *gateway.posts]]
    outgoing.append(raw.decode(errors="replace"))
    outgoing += [p.read_text() for p in Path(app.home).rglob("*") if p.suffix in (".html", ".jws")]
    for text in outgoing:
        for term in PROTECTED:
            assert term.casefold() not in text.casefold()
    with app.read() as s:
        attempts = s.scalar(select(func.count()).select_from(t.DeliveryAttempt))
        statuses = dict(s.execute(select(t.Delivery.channel, t.Delivery.status)).all())
    assert attempts == 5
    assert statuses["liaison_note"] == "awaiting_handover"
    entries = wf.audit_entries(app, limit=50)
    sent_entry = next(e for e in entries if e["action"] == "delivery.sent")
    assert sorted(json.loads(sent_entry["details"])) == ["awaiting_handover", "delivered"]
    assert wf.audit_verify(app).entries > 10


def test_liaison_note_is_delivered_when_an_officer_hands_it_over(
    app: wf.App, people: tuple[wf.Identity, wf.Identity], registry: None
) -> None:
    release(app, people)
    sent: list[wf.Sent] = []
    wf.run_worker(app, channels_for(app), once=True, on_sent=sent.append)
    note = next(s for s in sent if s.channel == "liaison_note")
    other = next(s for s in sent if s.channel != "liaison_note")
    dana, avery = people
    with pytest.raises(AuthError):
        mark_handed_over(app, note.ref, avery)  # not a duty officer
    with pytest.raises(InvalidState, match="only liaison notes"):
        mark_handed_over(app, other.ref, dana)
    done = mark_handed_over(app, note.ref, dana, note="to the duty desk, Lubyanka")
    assert (done.status, done.detail) == (
        "delivered",
        "handed over by dana: to the duty desk, Lubyanka",
    )
    with pytest.raises(InvalidState, match="not a note awaiting"):
        mark_handed_over(app, note.ref, dana)
    assert any(e["action"] == "delivery.handed_over" for e in wf.audit_entries(app, limit=20))


def test_dead_letter_alerts_the_duty_officer_and_resends_through_the_fallback(
    app: wf.App,
    clock: FixedClock,
    people: tuple[wf.Identity, wf.Identity],
    receiver: tuple[LoopbackReceiver, str],
) -> None:
    r, url = receiver
    wf.add_recipient(
        app,
        name="Russian Federation (liaison)",
        kind="government",
        tier="adversary",
        language="en",
        jurisdiction="RU",
        contacts=[Contact("webhook", f"{url}/fsb")],
        fallback_contacts=[Contact("liaison_note", "moscow-desk")],
    )
    r.status = 503
    release(app, people)
    channels = channels_for(app)
    for _ in range(app.settings.delivery_max_attempts):
        wf.deliver_due(app, channels)
        clock.advance(timedelta(hours=2))
    escalations = wf.list_escalations(app)
    dead = [e for e in escalations if e.rule == "dead-letter"]
    assert sorted((e.action, e.status) for e in dead) == [
        ("alert_duty_officer", "proposed"),
        ("resend_other_channel", "done"),
    ]
    resend = next(e for e in dead if e.action == "resend_other_channel")
    (new_ref,) = resend.detail["deliveries"]
    sent = wf.deliver_due(app, channels)
    assert [(s.ref, s.channel, s.status) for s in sent if s.ref == new_ref] == [
        (new_ref, "liaison_note", "awaiting_handover")
    ]
    assert r.posts == []
    actions = [e["action"] for e in wf.audit_entries(app, limit=100)]
    assert "delivery.dead" in actions
    assert "escalation.done" in actions


def test_a_rate_limited_channel_is_claimed_no_faster_than_allowed(
    app: wf.App, people: tuple[wf.Identity, wf.Identity], receiver: tuple[LoopbackReceiver, str]
) -> None:
    _, url = receiver
    partners(app, url, 5)
    release(app, people)
    limited = variant(app, delivery_rate_limits="webhook=2")
    worker = Worker(limited, channels_for(limited))
    assert set(worker.buckets) == {"webhook"}  # the setting made the limit
    # a clock that stands still: the two claims fall within one second however slow the
    # machine is (a loaded CI host once took half a second between them, and refilled)
    worker.buckets = {"webhook": TokenBucket(2, clock=lambda: 0.0)}
    try:
        first = worker._claim()
        second = worker._claim()
    finally:
        worker.close()
    webhooks = [c for c in first if c.channel == "webhook"]
    assert len(webhooks) == 2  # the bucket's burst; other channels are not held back
    assert [c for c in second if c.channel == "webhook"] == []  # not within the same second


def test_a_dead_workers_journal_is_recorded_and_its_claims_handed_back(
    app: wf.App, people: tuple[wf.Identity, wf.Identity], receiver: tuple[LoopbackReceiver, str]
) -> None:
    r, url = receiver
    partners(app, url, 3)
    release(app, people)
    # A worker claims three deliveries, sends one and journals it, then "dies":
    dead = Worker(app, channels_for(app))
    claimed = [c for c in dead._claim() if c.channel == "webhook"]
    assert len(claimed) == 3
    fd, _ = dead.journal.open_batch()
    Journal.note(fd, claimed[0].id, "delivered", "HTTP 200")
    os.close(fd)
    os.close(dead.journal._lock)  # the process is gone: its lock is free, files remain
    assert recover(app) == 1
    with app.read() as s:
        rows = dict(s.execute(select(t.Delivery.id, t.Delivery.status)).all())
    assert rows[claimed[0].id] == "delivered"
    assert {rows[c.id] for c in claimed[1:]} == {"pending"}  # due again at once
    sent = [s for s in wf.deliver_due(app, channels_for(app)) if s.channel == "webhook"]
    assert sorted(s.ref for s in sent) == sorted(f"DLV-{c.id}" for c in claimed[1:])
    assert len(r.posts) == 2  # the journalled one was not sent again
    assert not list((Path(app.home) / "outbox").glob("*.log"))


def test_embedded_worker_delivers_in_the_background(
    app: wf.App,
    people: tuple[wf.Identity, wf.Identity],
    registry: None,
    receiver: tuple[LoopbackReceiver, str],
) -> None:
    r, _ = receiver
    embedded = EmbeddedWorker(app, poll_seconds=0.05).start()
    try:
        release(app, people)
        for _ in range(200):
            if r.posts:
                break
            embedded.stop_event.wait(0.05)
    finally:
        embedded.stop()
    assert embedded.error is None
    assert len(r.posts) == 1
    assert embedded.thread is not None
    assert not embedded.thread.is_alive()


def test_a_worker_reads_what_its_channels_send_and_keeps_only_the_warnings_in_flight(
    app: wf.App, people: tuple[wf.Identity, wf.Identity], receiver: tuple[LoopbackReceiver, str]
) -> None:
    """A release is a warning per recipient: sending one a batch, the worker keeps a few
    warnings read (not every one it ever sent) and still names each recipient; and it
    reads of a warning only the released forms its channel sends: none for a webhook,
    the signed e-mail once an e-mail of the same warning comes."""
    r, url = receiver
    partners(app, url, 12)
    release(app, people)
    one = variant(app, delivery_batch=1)
    worker = Worker(one, channels_for(one))
    kept: list[int] = []
    sent: list[wf.Sent] = []

    def on_sent(s: wf.Sent) -> None:
        sent.append(s)
        kept.append(len(worker.bodies))

    worker.on_sent = on_sent

    async def drain() -> None:
        try:
            await worker.drain()
        finally:
            await close_channels(worker.channels)

    try:
        asyncio.run(drain())
    finally:
        worker.close()
    named = {s.recipient for s in sent if s.channel == "webhook"}
    assert {f"Partner {i}" for i in range(12)} <= named
    assert {s.status for s in sent if s.channel == "webhook"} == {"delivered"}
    assert len(sent) > BODIES_KEPT
    assert len(r.posts) >= 12
    assert max(kept) <= BODIES_KEPT  # batches of one: four warnings read at most

    with app.read() as s:
        wid, artifacts = s.execute(
            select(t.WarningRecord.id, t.WarningRecord.artifacts)
            .join(t.Recipient, t.Recipient.id == t.WarningRecord.recipient_id)
            .where(t.Recipient.name == "Partner 11")
        ).one()
    fresh = Worker(app, channels_for(app))
    try:
        fresh._bodies_for([Claimed(1, wid, "webhook", f"{url}/p11", "k1", 1)])
        body = fresh.bodies[wid]
        assert (body.artifacts, body.forms) == ({}, set())  # no e-mail, no STIX read
        fresh._bodies_for([Claimed(2, wid, "email", "duty@partner.test", "k2", 1)])
        assert fresh.bodies[wid] is body  # the same warning, its e-mail added
        assert body.artifacts == {"email": artifacts["email"]}
        assert body.forms == {"email"}
    finally:
        fresh.close()
