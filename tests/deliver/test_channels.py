"""Channels against real endpoints: a loopback HTTP receiver and the file system."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tearline.deliver import (
    LiaisonNoteChannel,
    Outbound,
    PermanentFailure,
    PublicFeedChannel,
    TemporaryFailure,
    WebhookChannel,
    retry_delay,
)
from tearline.demo.receiver import LoopbackReceiver


def message(address: str, text: str = "Avoid large gatherings.") -> Outbound:
    return Outbound(
        delivery_ref="DLV-1",
        idempotency_key="tl-abc123",
        address=address,
        warning_ref="WRN-1",
        recipient="Public in Moscow",
        subject="Security Alert: Moscow, Russia",
        text=text,
        document={
            "reference": "WRN-1",
            "text": text,
            "recipient": {"language": "en"},
            "subject": "Security Alert",
            "sender": "Test",
            "issued_at": "x",
            "valid_from": "a",
            "valid_until": "b",
        },
        jws="eyJhbGciOiJFZDI1NTE5In0.eyJ9.c2ln",
    )


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    r = LoopbackReceiver()
    url = r.start()
    yield r, url
    r.stop()


def test_webhook_posts_signed_json_with_idempotency_key(receiver) -> None:  # type: ignore[no-untyped-def]
    r, url = receiver
    with httpx.Client() as client:
        receipt = WebhookChannel(client).send(message(f"{url}/alerts"))
    assert receipt.detail == "HTTP 200"
    (post,) = r.posts
    assert post.path == "/alerts"
    assert post.idempotency_key == "tl-abc123"
    assert post.body["jws"].startswith("eyJ")
    assert post.body["warning"]["reference"] == "WRN-1"


@pytest.mark.parametrize(
    ("status", "error"), [(503, TemporaryFailure), (429, TemporaryFailure), (404, PermanentFailure)]
)
def test_webhook_classifies_failures(receiver, status: int, error: type[Exception]) -> None:  # type: ignore[no-untyped-def]
    r, url = receiver
    r.status = status
    with httpx.Client() as client, pytest.raises(error, match=f"HTTP {status}"):
        WebhookChannel(client).send(message(url))


def test_webhook_to_a_closed_port_is_temporary() -> None:
    r = LoopbackReceiver()
    url = r.start()
    r.stop()
    with httpx.Client(timeout=2) as client, pytest.raises(TemporaryFailure):
        WebhookChannel(client).send(message(url))


def test_liaison_note_is_printable_escaped_and_idempotent(tmp_path: Path) -> None:
    channel = LiaisonNoteChannel(tmp_path)
    hostile = "Avoid <script>alert(1)</script> gatherings."
    channel.send(message("moscow desk", hostile))
    channel.send(message("moscow desk", hostile))  # a repeat after a crash
    files = sorted(p.name for p in (tmp_path / "moscow-desk").iterdir())
    assert files == ["WRN-1-tl-abc123.html", "WRN-1-tl-abc123.jws"]
    html = (tmp_path / "moscow-desk" / "WRN-1-tl-abc123.html").read_text()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_public_feed_entry(tmp_path: Path) -> None:
    PublicFeedChannel(tmp_path).send(message("ru-moscow"))
    assert (tmp_path / "ru-moscow" / "WRN-1.json").is_file()


def test_retry_delay_grows_and_is_capped() -> None:
    rng = random.Random(7)
    delays = [retry_delay(n, 30, rng) for n in range(1, 12)]
    assert delays[0] == timedelta(seconds=30)
    assert all(timedelta(seconds=30) <= d <= timedelta(hours=1) for d in delays)
    assert max(delays[5:]) > timedelta(minutes=10)
