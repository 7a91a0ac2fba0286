"""Channels against real endpoints: a loopback HTTP receiver, an SMTP server, the file system."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import socket
import ssl
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from tearline.deliver import (
    EmailChannel,
    HttpPool,
    LiaisonNoteChannel,
    Outbound,
    PermanentFailure,
    PublicFeedChannel,
    SmsChannel,
    SmtpConfig,
    SmtpPool,
    TemporaryFailure,
    TokenBucket,
    WebhookChannel,
    parse_rate_limits,
    retry_delay,
)
from tearline.deliver.signature import Signer, new_secret, sign_body, verify_body
from tearline.deliver.sms import SMS_LIMIT, parse_reply, render_body, sms_text
from tearline.demo.receiver import LoopbackReceiver
from tearline.errors import ConfigError


def message(address: str, text: str = "Avoid large gatherings.", **kw: Any) -> Outbound:
    base: dict[str, Any] = {
        "delivery_ref": "DLV-1",
        "idempotency_key": "tl-abc123",
        "address": address,
        "warning_ref": "WRN-1",
        "recipient": "Public in Moscow",
        "subject": "Security Alert: Moscow, Russia",
        "text": text,
        "document": {
            "reference": "WRN-1",
            "text": text,
            "recipient": {"language": "en"},
            "subject": "Security Alert",
            "sender": "Test",
            "issued_at": "x",
            "valid_from": "a",
            "valid_until": "b",
        },
        "jws": "eyJhbGciOiJFZDI1NTE5In0.eyJ9.c2ln",
        "reply_url": "http://127.0.0.1:8000/reply/abc.def",
    }
    base.update(kw)
    return Outbound(**base)


def send(channel: Any, msg: Outbound) -> Any:
    async def go() -> Any:
        try:
            return await channel.send(msg)
        finally:
            for holder in (channel, getattr(channel, "http", None)):
                if hasattr(holder, "aclose"):
                    await holder.aclose()

    return asyncio.run(go())


@pytest.fixture
def receiver() -> Iterator[tuple[LoopbackReceiver, str]]:
    r = LoopbackReceiver()
    url = r.start()
    yield r, url
    r.stop()


def test_webhook_posts_signed_json_with_idempotency_key(
    receiver: tuple[LoopbackReceiver, str],
) -> None:
    r, url = receiver
    secret = new_secret()
    r.secret = secret  # the receiver refuses anything not signed with it
    receipt = send(WebhookChannel(HttpPool(5)), message(f"{url}/alerts", secret=secret))
    assert receipt.detail == "HTTP 200"
    (post,) = r.posts
    assert post.path == "/alerts"
    assert post.idempotency_key == "tl-abc123"
    assert post.body["jws"].startswith("eyJ")
    assert post.body["warning"]["reference"] == "WRN-1"
    assert post.body["reply_url"].endswith("/reply/abc.def")
    assert post.signature is not None
    assert post.signature.startswith("t=")


def test_a_receiver_with_another_secret_refuses_the_post(
    receiver: tuple[LoopbackReceiver, str],
) -> None:
    r, url = receiver
    r.secret = new_secret()
    with pytest.raises(PermanentFailure, match="HTTP 401"):
        send(WebhookChannel(HttpPool(5)), message(url, secret=new_secret()))
    assert (r.posts, r.refused) == ([], 1)


def test_signature_rejects_tampering_and_replay() -> None:
    secret, body = new_secret(), b'{"jws": "x"}'
    now = time.time()
    header = sign_body(secret, body, now)
    assert verify_body(secret, body, header, now)
    assert not verify_body(secret, body + b" ", header, now)  # body changed
    assert not verify_body("whsec_other", body, header, now)  # wrong secret
    assert not verify_body(secret, body, header, now + 301)  # replayed later
    assert not verify_body(secret, body, None, now)
    assert not verify_body(secret, body, "t=abc,v1=00", now)


def test_a_signature_begun_once_for_many_bodies_is_the_same_as_signing_each() -> None:
    signer, secret, head = Signer(), new_secret(), b'{"jws": "x", "warning": {"a": 1}'
    now = time.time()
    for second in (now, now, now + 1):  # the started HMAC is reused, then begun again
        for tail in (b', "reply_url": "https://x/reply/1"}', b', "reply_url": null}'):
            header = signer.sign(secret, head, tail, second)
            assert header == sign_body(secret, head + tail, second)
            assert verify_body(secret, head + tail, header, second)
    assert signer.sign(new_secret(), head, b"}", now) != sign_body(secret, head + b"}", now)


def test_many_posts_of_one_warning_each_verify(receiver: tuple[LoopbackReceiver, str]) -> None:
    r, url = receiver
    secret = new_secret()
    r.secret = secret
    channel = WebhookChannel(HttpPool(5))
    shared: dict[str, bytes] = {}  # one warning's body, encoded once for all its deliveries

    async def go() -> None:
        try:
            for i in range(3):
                msg = message(
                    f"{url}/alerts", secret=secret, idempotency_key=f"tl-{i}", body_cache=shared
                )
                msg = dataclasses.replace(msg, reply_url=f"http://127.0.0.1:8000/reply/{i}")
                await channel.send(msg)
        finally:
            await channel.http.aclose()

    asyncio.run(go())
    assert r.refused == 0
    assert [p.body["reply_url"][-1] for p in r.posts] == ["0", "1", "2"]
    assert {p.body["warning"]["reference"] for p in r.posts} == {"WRN-1"}


@pytest.mark.parametrize(
    ("status", "error"), [(503, TemporaryFailure), (429, TemporaryFailure), (404, PermanentFailure)]
)
def test_webhook_classifies_failures(
    receiver: tuple[LoopbackReceiver, str], status: int, error: type[Exception]
) -> None:
    r, url = receiver
    r.status = status
    with pytest.raises(error, match=f"HTTP {status}"):
        send(WebhookChannel(HttpPool(5)), message(url))


def test_webhook_to_a_closed_port_is_temporary() -> None:
    r = LoopbackReceiver()
    url = r.start()
    r.stop()
    with pytest.raises(TemporaryFailure):
        send(WebhookChannel(HttpPool(2)), message(url))


def test_webhook_refuses_a_non_http_address() -> None:
    with pytest.raises(PermanentFailure, match="not an http"):
        send(WebhookChannel(HttpPool(2)), message("ftp://example.org/x"))


def test_liaison_note_is_printable_escaped_idempotent_and_awaits_handover(
    tmp_path: Path,
) -> None:
    channel = LiaisonNoteChannel(tmp_path)
    hostile = "Avoid <script>alert(1)</script> gatherings."
    receipt = send(channel, message("moscow desk", hostile))
    send(channel, message("moscow desk", hostile))  # a repeat after a crash
    assert receipt.status == "awaiting_handover"
    files = sorted(p.name for p in (tmp_path / "moscow-desk").iterdir())
    assert files == ["WRN-1-tl-abc123.html", "WRN-1-tl-abc123.jws"]
    html = (tmp_path / "moscow-desk" / "WRN-1-tl-abc123.html").read_text()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "/reply/abc.def" in html  # how to answer


def test_public_feed_entry(tmp_path: Path) -> None:
    receipt = send(PublicFeedChannel(tmp_path), message("ru-moscow"))
    assert receipt.status == "delivered"
    assert (tmp_path / "ru-moscow" / "WRN-1.json").is_file()


def test_sms_through_a_json_gateway_with_reply_codes(
    receiver: tuple[LoopbackReceiver, str],
) -> None:
    r, url = receiver
    long_text = "Extremists plan to attack large gatherings in Moscow. " * 10
    channel = SmsChannel(
        HttpPool(5),
        f"{url}/sms",
        '{"to": $to, "body": $text, "ref": $idempotency_key}',
        token="gw-token",
    )
    receipt = send(channel, message("+79161234567", long_text))
    assert receipt.detail == "gateway HTTP 200"
    warning, codes, link = r.posts
    assert warning.body["to"] == "+79161234567"
    assert len(warning.body["body"]) <= SMS_LIMIT
    assert warning.body["body"].endswith("Ref WRN-1")
    assert warning.idempotency_key == "tl-abc123"
    assert "3 dispute" in codes.body["body"]
    assert len(codes.body["body"]) <= SMS_LIMIT
    assert codes.idempotency_key == "tl-abc123-reply"
    # the reply page too, for a phone that opens links
    assert link.body["body"] == "Or answer online: http://127.0.0.1:8000/reply/abc.def"
    assert link.idempotency_key == "tl-abc123-link"


def test_sms_uses_the_release_stages_text_and_refuses_bad_numbers(
    receiver: tuple[LoopbackReceiver, str],
) -> None:
    _, url = receiver
    msg = message("+79161234567", artifacts={"sms": "WRN-1: avoid crowds in Moscow 7-9 Mar."})
    assert sms_text(msg) == "WRN-1: avoid crowds in Moscow 7-9 Mar."
    channel = SmsChannel(HttpPool(5), url, "to=$to&text=$text")
    with pytest.raises(PermanentFailure, match=r"E\.164"):
        send(channel, message("8 916 123"))
    with pytest.raises(PermanentFailure, match="no SMS gateway"):
        send(SmsChannel(HttpPool(5), "", "x"), message("+79161234567"))


def test_sms_form_template_escapes_values() -> None:
    body, kind = render_body("to=$to&text=$text", {"to": "+7916", "text": "a&b=c d"})
    assert kind == "application/x-www-form-urlencoded"
    assert body == b"to=%2B7916&text=a%26b%3Dc+d"
    body, kind = render_body('{"t": $text}', {"text": 'quote " and \\'})
    assert json.loads(body) == {"t": 'quote " and \\'}


def test_sms_reply_codes() -> None:
    assert parse_reply("3") == (None, "disputed")
    assert parse_reply(" wrn-12 2 thanks") == ("WRN-12", "acting")
    assert parse_reply("yes") is None
    assert parse_reply("7") is None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        assert envelope.content is not None
        content = envelope.content
        raw = content if isinstance(content, bytes) else content.encode()
        self.messages.append((envelope.mail_from or "", list(envelope.rcpt_tos), raw))
        return "250 OK queued"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


def test_email_over_smtp_with_a_stable_message_id(smtp: tuple[Mailbox, int]) -> None:
    box, port = smtp
    channel = EmailChannel(
        SmtpPool(SmtpConfig.from_url(f"smtp://127.0.0.1:{port}")), "Alerts <alerts@agency.test>"
    )
    receipt = send(channel, message("security@partner.test"))
    assert receipt.detail.startswith("SMTP")
    send(channel, message("security@partner.test"))  # a repeat after a crash
    (sender, rcpt, raw), (_, _, again) = box.messages
    assert (sender, rcpt) == ("alerts@agency.test", ["security@partner.test"])
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["To"] == "security@partner.test"
    assert mail["Message-ID"] == "<tl-abc123@agency.test>"
    assert message_from_bytes(again, policy=policy.default)["Message-ID"] == mail["Message-ID"]
    body = mail.get_body(("plain",))
    assert body is not None
    assert "Avoid large gatherings." in body.get_content()
    assert "/reply/abc.def" in body.get_content()
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == "WRN-1.jws"
    assert attachment.get_content().decode().startswith("eyJ")


def test_email_uses_the_release_stages_message_when_there_is_one(
    smtp: tuple[Mailbox, int],
) -> None:
    box, port = smtp
    artifact = (
        "From: someone@else.test\nTo: placeholder@x.test\nSubject: Signed warning WRN-1\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nThe signed text.\n"
    )
    channel = EmailChannel(
        SmtpPool(SmtpConfig.from_url(f"smtp://127.0.0.1:{port}")), "alerts@agency.test"
    )
    send(channel, message("desk@partner.test", artifacts={"email": artifact}))
    mail = message_from_bytes(box.messages[0][2], policy=policy.default)
    assert (mail["Subject"], mail["To"]) == ("Signed warning WRN-1", "desk@partner.test")
    assert mail["Message-ID"] == "<tl-abc123@agency.test>"
    assert mail["X-Tearline-Reply"].endswith("/reply/abc.def")


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_email_with_starttls_required(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box = Mailbox()
    controller = Controller(
        box, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True
    )
    controller.start()
    try:
        url = f"smtp+starttls://127.0.0.1:{controller.port}?cafile={cert}"
        channel = EmailChannel(SmtpPool(SmtpConfig.from_url(url)), "alerts@agency.test")
        send(channel, message("desk@partner.test"))
        assert len(box.messages) == 1
        # without TLS the server refuses to take the message
        plain = EmailChannel(
            SmtpPool(SmtpConfig.from_url(f"smtp://127.0.0.1:{controller.port}")),
            "alerts@agency.test",
        )
        with pytest.raises((PermanentFailure, TemporaryFailure)):
            send(plain, message("desk@partner.test"))
        assert len(box.messages) == 1
    finally:
        controller.stop()


def test_email_to_a_closed_port_is_temporary_and_bad_addresses_permanent() -> None:
    channel = EmailChannel(SmtpPool(SmtpConfig.from_url("smtp://127.0.0.1:1")), "a@b.test")
    with pytest.raises(TemporaryFailure):
        send(channel, message("desk@partner.test"))
    with pytest.raises(PermanentFailure, match="not an e-mail address"):
        send(channel, message("no-at-sign"))


def test_smtp_urls() -> None:
    c = SmtpConfig.from_url("smtp+starttls://user%40x:p%3Ass@mail.example:2525?cafile=/ca.pem")
    assert (c.host, c.port, c.tls, c.username, c.password, c.cafile) == (
        "mail.example",
        2525,
        "starttls",
        "user@x",
        "p:ss",
        "/ca.pem",
    )
    assert SmtpConfig.from_url("smtps://mail.example").port == 465
    with pytest.raises(ValueError, match="use smtp://"):
        SmtpConfig.from_url("http://mail.example")


def test_retry_delay_grows_and_is_capped() -> None:
    rng = random.Random(7)
    delays = [retry_delay(n, 30, rng) for n in range(1, 12)]
    assert delays[0] == timedelta(seconds=30)
    assert all(timedelta(seconds=30) <= d <= timedelta(hours=1) for d in delays)
    assert max(delays[5:]) > timedelta(minutes=10)


def test_token_bucket_and_rate_limit_settings() -> None:
    now = [0.0]
    bucket = TokenBucket(2.0, clock=lambda: now[0])
    assert bucket.available() == 2
    bucket.take(2)
    assert bucket.available() == 0
    now[0] = 1.5
    assert bucket.available() == 2  # refilled, never above one second's worth
    assert parse_rate_limits("sms=5, email=0.5") == {"sms": 5.0, "email": 0.5}
    assert parse_rate_limits("") == {}
    with pytest.raises(ConfigError, match="CHANNEL=SENDS_PER_SECOND"):
        parse_rate_limits("sms")
    with pytest.raises(ConfigError):
        parse_rate_limits("sms=-1")
