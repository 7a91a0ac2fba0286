"""Answers from recipients themselves: a signed reply link, or a one-digit SMS reply.

The link's token is bound to one delivery (``deliver.replies``); the key that signs it
is a random secret kept in ``$TEARLINE_HOME/keys/reply.secret`` (mode 0600), made on
first use. An SMS reply is matched to the latest SMS delivery to that number.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from tearline.deliver.replies import read_token
from tearline.deliver.sms import REPLY_CODES, parse_reply
from tearline.errors import ConfigError, InputError, NotFound
from tearline.ids import Kind, format_id
from tearline.release.phrases import phrases
from tearline.store import tables as t
from tearline.track import ResponseKind
from tearline.workflow.app import App
from tearline.workflow.responses import Responded, record_response

LABELS = {
    ResponseKind.RECEIVED: "Received",
    ResponseKind.ACTING: "We are acting on it",
    ResponseKind.DISPUTED: "We dispute or dismiss it",
    ResponseKind.MORE_INFO: "We need more information",
    ResponseKind.MEASURES_TAKEN: "Protective measures taken",
    ResponseKind.MEASURES_RELAXED: "Protective measures relaxed",
}


def reply_key(app: App) -> bytes:
    """The secret that signs reply links; created once, readable only by its owner."""
    folder = app.home / "keys"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / "reply.secret"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            raise ConfigError(f"{path} is readable by others; chmod 600 it") from None
        key = path.read_bytes()
        if len(key) < 32:
            raise ConfigError(f"{path} is too short to be a reply-link secret") from None
        return key
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


@dataclass(frozen=True)
class ReplyPage:
    """What the reply page shows: the warning, and the answers already given."""

    warning_ref: str
    recipient: str
    subject: str
    text: str
    valid_until: datetime
    answered: list[tuple[str, datetime]]
    choices: list[tuple[str, str]]  # (kind, label)
    language: str = "en"  # the warning text's language (BCP 47), for the page's lang
    rtl: bool = False


def _delivery(app: App, token: str) -> tuple[int, int]:
    delivery_id = read_token(reply_key(app), token, app.clock.now())
    with app.read() as s:
        d = s.get(t.Delivery, delivery_id)
        if d is None:
            raise NotFound("this reply link points to a delivery that does not exist")
        return d.id, d.warning_id


def reply_page(app: App, token: str) -> ReplyPage:
    """The page behind a reply link; raises if the link was altered or has expired."""
    delivery_id, warning_id = _delivery(app, token)
    with app.read() as s:
        w = s.get(t.WarningRecord, warning_id)
        assert w is not None
        answered = s.execute(
            select(t.Response.kind, t.Response.received_at)
            .where(t.Response.delivery_id == delivery_id)
            .order_by(t.Response.id)
        ).all()
        return ReplyPage(
            format_id(Kind.WARNING, w.id),
            w.recipient.name,
            w.content.get("subject", ""),
            w.content.get("text", ""),
            w.valid_until,
            [(LABELS[ResponseKind(k)], at) for k, at in answered],
            [(k.value, label) for k, label in LABELS.items()],
            language=str(w.content.get("language") or "en"),
            rtl=phrases(str(w.content.get("language") or "en")).rtl,
        )


def reply_by_link(app: App, token: str, kind: str, note: str = "") -> Responded:
    """Record the answer a recipient gave through their reply link. A dispute says why:
    InputError without a reason, nothing recorded (the page keeps what was typed)."""
    delivery_id, warning_id = _delivery(app, token)
    if kind == ResponseKind.DISPUTED.value and not note.strip():
        raise InputError(
            "say why you dispute or dismiss this warning: the sender reads your reason "
            "and can answer it"
        )
    return record_response(
        app,
        warning_id,
        kind,
        via="link",
        recorded_by=f"recipient:{format_id(Kind.DELIVERY, delivery_id)}",
        note=note[:2000],
        delivery_id=delivery_id,
    )


def reply_by_sms(app: App, phone: str, text: str) -> Responded:
    """Record a one-digit SMS reply ("3", or "WRN-7 3") from ``phone``."""
    parsed = parse_reply(text)
    if parsed is None:
        codes = ", ".join(f"{k} {v}" for k, v in REPLY_CODES.items())
        raise InputError(f"not a reply code; expected one of: {codes}")
    ref, kind = parsed
    with app.read() as s:
        q = select(t.Delivery).where(t.Delivery.channel == "sms", t.Delivery.address == phone)
        if ref is not None:
            q = q.where(t.Delivery.warning_id == int(ref.split("-")[1]))
        d = s.scalars(q.order_by(t.Delivery.id.desc()).limit(1)).first()
        if d is None:
            raise NotFound("no warning was sent by SMS to this number")
        delivery_id, warning_id = d.id, d.warning_id
    return record_response(
        app,
        warning_id,
        kind,
        via="sms",
        recorded_by=f"recipient:{format_id(Kind.DELIVERY, delivery_id)}",
        note=text.strip()[:160],
        delivery_id=delivery_id,
    )
