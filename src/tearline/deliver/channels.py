"""Channels: how a signed warning leaves the building. One protocol, one small class each.

A channel sends one message and either returns a receipt or raises
``TemporaryFailure`` (try again later) or ``PermanentFailure`` (retrying cannot help).
It must be safe to call twice with the same message: the idempotency key is there so a
receiver — or the channel itself — can recognise a repeat after a crash.

The worker is asynchronous (one event loop sends thousands of messages at once), so
``send`` is a coroutine. A channel that only has blocking code wraps it in
``asyncio.to_thread``.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar, Protocol

import aiohttp
from jinja2 import Environment, PackageLoader, select_autoescape

from tearline.deliver.schedule import parse_retry_after
from tearline.deliver.signature import SIGNATURE_HEADER, Signer
from tearline.jsonbytes import json_bytes


class TemporaryFailure(Exception):
    """The send may succeed later (timeout, 5xx, connection refused).

    ``retry_after`` is how long the far end asked us to wait (HTTP ``Retry-After``): the
    next attempt comes no sooner (``schedule.next_delay``).
    """

    def __init__(self, *args: object, retry_after: timedelta | None = None) -> None:
        super().__init__(*args)
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """The send cannot succeed as addressed (404, malformed address)."""


# The released forms (a warning's ``artifacts``) that channels send as rendered at release:
# the e-mail as signed (``email``), the SMS text (``sms``), the STIX bundle (``stix``). A
# channel that sends another names it here, or the worker does not load it. Each channel
# names those it sends in ``forms`` (the worker reads only those of a warning: a webhook's
# warning needs none of the 31 KB of e-mail and STIX); one that does not say gets them all.
SENT_ARTIFACTS = ("email", "sms", "stix")


def forms_sent(channel: object) -> tuple[str, ...]:
    """The released forms ``channel`` reads from ``Outbound.artifacts``."""
    forms = getattr(channel, "forms", SENT_ARTIFACTS)
    return tuple(f for f in forms if f in SENT_ARTIFACTS)


@dataclass(frozen=True)
class Outbound:
    """One delivery, ready to send: the signed warning and where it goes."""

    delivery_ref: str  # "DLV-3"
    idempotency_key: str
    address: str
    warning_ref: str  # "WRN-2"
    recipient: str
    subject: str
    text: str
    document: dict[str, Any]
    jws: str
    # The released forms of the warning a channel sends as they were signed, by format
    # (``SENT_ARTIFACTS``: the worker reads no others).
    artifacts: Mapping[str, str] = field(default_factory=dict)
    reply_url: str | None = None  # the signed link through which the recipient answers
    secret: str | None = None  # the contact point's shared secret (webhook HMAC)
    # The warning's JSON body as bytes, shared by every delivery of the same warning.
    body_cache: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Receipt:
    detail: str  # what the far end said: "HTTP 200", "250 queued as …"
    # "delivered" — or "awaiting_handover" when a person must still carry it (liaison note).
    status: str = "delivered"


class Channel(Protocol):
    """Sends warnings one way. Example — a channel that prints to standard output::

        class StdoutChannel:
            name = "stdout"

            async def send(self, message: Outbound) -> Receipt:
                print(message.subject, message.text, sep="\\n")
                return Receipt("printed")

    Register it in the mapping the worker receives (``workflow.outbox.channels_for``) and
    name it in ``deliver.CHANNEL_NAMES`` so recipients may use it. A channel that sends
    released forms as signed names them, ``forms = ("email",)``; without ``forms`` it is
    given every one in ``SENT_ARTIFACTS``. Raise
    ``TemporaryFailure`` to be retried with back-off, ``PermanentFailure`` to dead-letter.
    """

    name: ClassVar[str]

    async def send(self, message: Outbound) -> Receipt: ...


class HttpPool:
    """One aiohttp session for all HTTP channels, opened lazily inside the running loop."""

    def __init__(self, timeout_seconds: float, connections: int = 128) -> None:
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self.connections = connections
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.connections, limit_per_host=0)
            # no cookie jar: a receiver's cookies are neither kept nor sent to the next one
            self._session = aiohttp.ClientSession(
                timeout=self.timeout, connector=connector, cookie_jar=aiohttp.DummyCookieJar()
            )
        return self._session

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def post(
    http: HttpPool, url: str, body: bytes, headers: Mapping[str, str]
) -> tuple[int, str]:
    """POST and classify: 2xx returns, 408/425/429/5xx and network errors are temporary
    (a 429 or 503 carries its ``Retry-After``)."""
    try:
        async with http.session().post(url, data=body, headers=headers) as response:
            text = (await response.read())[:200].decode(errors="replace")
            status = response.status
            wait = None
            if status in (429, 503):
                wait = parse_retry_after(
                    response.headers.get("Retry-After"), response.headers.get("Date")
                )
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from None
    if 200 <= status < 300:
        return status, text
    if status in (408, 425, 429) or status >= 500:
        if wait is None:
            raise TemporaryFailure(f"HTTP {status}")
        seconds = int(wait.total_seconds())
        raise TemporaryFailure(f"HTTP {status} (Retry-After {seconds} s)", retry_after=wait)
    raise PermanentFailure(f"HTTP {status}")


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _folder(root: Path, address: str) -> Path:
    folder = root / (_UNSAFE.sub("-", address).strip("-.") or "default")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _write_once(path: Path, content: str) -> None:
    """Write atomically; a repeat of the same delivery finds the file and leaves it."""
    if path.exists():
        return
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)


_templates = Environment(
    loader=PackageLoader("tearline.deliver", "templates"),
    autoescape=select_autoescape(default=True),
    keep_trailing_newline=True,
)


class LiaisonNoteChannel:
    """A printable note for hand delivery by a liaison officer, with the signature attached.

    The address names the desk (e.g. "moscow-liaison"); notes land in
    ``$TEARLINE_HOME/liaison/<desk>/`` as HTML to print and the JWS to hand over. The
    delivery then waits, ``awaiting_handover``, until an officer records that the note
    was handed over (``tearline delivered DLV-n``).
    """

    name: ClassVar[str] = "liaison_note"
    forms: ClassVar[tuple[str, ...]] = ()

    def __init__(self, root: Path) -> None:
        self.root = root

    def _write(self, message: Outbound) -> Path:
        folder = _folder(self.root, message.address)
        stem = f"{message.warning_ref}-{message.idempotency_key[:12]}"
        html = _templates.get_template("liaison_note.html").render(
            m=message, d=message.document, reply_url=message.reply_url
        )
        _write_once(folder / f"{stem}.jws", message.jws + "\n")
        _write_once(folder / f"{stem}.html", html)
        return folder / f"{stem}.html"

    async def send(self, message: Outbound) -> Receipt:
        path = await asyncio.to_thread(self._write, message)
        return Receipt(f"note ready for hand delivery: {path}", status="awaiting_handover")


class PublicFeedChannel:
    """The public alert feed: the warning joins the Atom feed served at ``/feed.atom``.

    The feed is rendered from the database (``workflow.feed``); the channel also keeps
    each entry as signed JSON under ``feed/<name>/`` for deployments that publish a folder.
    """

    name: ClassVar[str] = "public_feed"
    forms: ClassVar[tuple[str, ...]] = ()

    def __init__(self, root: Path) -> None:
        self.root = root

    def _write(self, message: Outbound) -> str:
        folder = _folder(self.root, message.address)
        entry = {"warning": message.document, "jws": message.jws}
        _write_once(
            folder / f"{message.warning_ref}.json", json.dumps(entry, ensure_ascii=False, indent=2)
        )
        return folder.name

    async def send(self, message: Outbound) -> Receipt:
        name = await asyncio.to_thread(self._write, message)
        return Receipt(f"published to feed {name}")


def webhook_parts(message: Outbound) -> tuple[bytes, bytes]:
    """The JSON body (compact) as (head, tail): the head, ``{"jws":...,"warning":...``, is
    the same for every delivery of the warning and encoded once; the tail adds this
    delivery's ``"reply_url"``. Sent as ``head + tail``. Written by orjson where it writes
    what json would (``json_bytes``): a release is a warning per recipient, and json took
    120 µs a warning, about half a delivery's CPU."""
    head = message.body_cache.get("webhook")
    if head is None:
        whole = json_bytes({"jws": message.jws, "warning": message.document})
        head = message.body_cache["webhook"] = whole[:-1]
    return head, b',"reply_url":' + json_bytes(message.reply_url) + b"}"


def webhook_body(message: Outbound) -> bytes:
    """``{"jws": ..., "warning": ..., "reply_url": ...}``: the warning part is encoded once."""
    head, tail = webhook_parts(message)
    return head + tail


class WebhookChannel:
    """HTTP POST of the signed JSON, with an ``Idempotency-Key`` and an HMAC signature.

    The ``Tearline-Signature`` header is ``t=<unix time>,v1=<hex HMAC-SHA256>`` over
    ``"<t>." + body`` with the contact point's secret (see ``deliver.signature``).
    """

    name: ClassVar[str] = "webhook"
    forms: ClassVar[tuple[str, ...]] = ()

    def __init__(self, http: HttpPool) -> None:
        self.http = http
        self.signer = Signer()

    async def send(self, message: Outbound) -> Receipt:
        if not message.address.startswith(("http://", "https://")):
            raise PermanentFailure(f"not an http(s) URL: {message.address!r}")
        head, tail = webhook_parts(message)
        body = head + tail
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": message.idempotency_key,
            "User-Agent": "tearline-webhook/1",
        }
        if message.secret:
            headers[SIGNATURE_HEADER] = self.signer.sign(message.secret, head, tail)
        status, _ = await post(self.http, message.address, body, headers)
        return Receipt(f"HTTP {status}")
