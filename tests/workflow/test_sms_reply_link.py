"""An SMS recipient's short reply link: the same authority as the e-mailed one in about 30
characters, sent as a third message that fits an SMS; it opens the reply page and records
the answer; altered or expired, it is refused (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.deliver.replies import (
    ReplyLinkExpired,
    ReplyLinkInvalid,
    issue_short_token,
    read_token,
)
from tearline.deliver.sms import SMS_LIMIT
from tearline.demo.receiver import LoopbackReceiver
from tearline.store import tables as t
from tests.workflow.test_delivery_replies import delivered, served

__all__ = ["delivered", "served"]
KEY = b"k" * 32
NOW = datetime(2024, 3, 6, tzinfo=UTC)


def test_a_short_token_reads_back_and_refuses_tampering_and_age() -> None:
    token = issue_short_token(KEY, 123456, NOW + timedelta(days=30))
    assert len(token) <= 32
    assert "." not in token
    assert read_token(KEY, token, NOW) == 123456
    other = token[:-1] + ("0" if token[-1] != "0" else "1")
    for bad in (other, token.replace(token.split("-")[0], "zz", 1), "a-b-c", token + "0"):
        with pytest.raises(ReplyLinkInvalid):
            read_token(KEY, bad, NOW)
    with pytest.raises(ReplyLinkInvalid):
        read_token(b"x" * 32, token, NOW)  # another deployment's key
    with pytest.raises(ReplyLinkExpired):
        read_token(KEY, token, NOW + timedelta(days=31))


def test_the_sms_link_opens_the_reply_page_and_records_the_answer(
    delivered: tuple[wf.App, str, LoopbackReceiver],
) -> None:
    app, base, r = delivered
    sent = [p for p in r.posts if p.path == "/sms"]
    links = [p.body["text"] for p in sent if p.body["text"].startswith("Or answer online: ")]
    assert len(links) == 1
    assert len(links[0]) <= SMS_LIMIT
    url = links[0].removeprefix("Or answer online: ")
    assert url.startswith(f"{base}/reply/")
    assert "." not in url.rsplit("/", 1)[1]  # the short form
    page = httpx.get(url)
    assert page.status_code == 200
    assert "Your answer" in page.text
    done = httpx.post(url, data={"kind": "more_info", "note": "Which entrances?"})
    assert done.status_code == 200
    with app.read() as s:
        (row,) = s.scalars(select(t.Response)).all()
        delivery = s.get(t.Delivery, row.delivery_id)
        assert delivery is not None
        assert (row.kind, row.note, delivery.channel) == ("more_info", "Which entrances?", "sms")
    clock = app.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(days=60))
    assert httpx.get(url).status_code == 410
