"""Channels: how a signed warning leaves the building. One protocol, one small class each.

A channel sends one message and either returns a receipt or raises
``TemporaryFailure`` (try again later) or ``PermanentFailure`` (retrying cannot help).
It must be safe to call twice with the same message: the idempotency key is there so a
receiver — or the channel itself — can recognise a repeat after a crash.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

import httpx
from jinja2 import Environment, PackageLoader, select_autoescape


class TemporaryFailure(Exception):
    """The send may succeed later (timeout, 5xx, connection refused)."""


class PermanentFailure(Exception):
    """The send cannot succeed as addressed (404, malformed address)."""


@dataclass(frozen=True)
class Outbound:
    delivery_ref: str  # "DLV-3"
    idempotency_key: str
    address: str
    warning_ref: str  # "WRN-2"
    recipient: str
    subject: str
    text: str
    document: dict[str, Any]
    jws: str


@dataclass(frozen=True)
class Receipt:
    detail: str  # what the far end said: "HTTP 200", "written to …"


class Channel(Protocol):
    """Sends warnings one way. Example — a channel that prints to standard output::

        class StdoutChannel:
            name = "stdout"

            def send(self, message: Outbound) -> Receipt:
                print(message.subject, message.text, sep="\\n")
                return Receipt("printed")

    Register it in the mapping the worker receives (``workflow.outbox.channels_for``).
    """

    name: ClassVar[str]

    def send(self, message: Outbound) -> Receipt: ...


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
    ``$TEARLINE_HOME/liaison/<desk>/`` as HTML to print and the JWS to hand over.
    """

    name: ClassVar[str] = "liaison_note"

    def __init__(self, root: Path) -> None:
        self.root = root

    def send(self, message: Outbound) -> Receipt:
        folder = _folder(self.root, message.address)
        stem = f"{message.warning_ref}-{message.idempotency_key[:12]}"
        html = _templates.get_template("liaison_note.html").render(m=message, d=message.document)
        _write_once(folder / f"{stem}.jws", message.jws + "\n")
        _write_once(folder / f"{stem}.html", html)
        return Receipt(f"note ready for hand delivery: {folder / stem}.html")


class PublicFeedChannel:
    """The public alert feed: each alert as a signed JSON file under ``feed/<name>/``."""

    name: ClassVar[str] = "public_feed"

    def __init__(self, root: Path) -> None:
        self.root = root

    def send(self, message: Outbound) -> Receipt:
        folder = _folder(self.root, message.address)
        entry = {"warning": message.document, "jws": message.jws}
        path = folder / f"{message.warning_ref}.json"
        _write_once(path, json.dumps(entry, ensure_ascii=False, indent=2))
        return Receipt(f"published to feed {folder.name}")


class WebhookChannel:
    """HTTP POST of ``{"jws": ..., "warning": ...}`` with an ``Idempotency-Key`` header."""

    name: ClassVar[str] = "webhook"

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def send(self, message: Outbound) -> Receipt:
        if not message.address.startswith(("http://", "https://")):
            raise PermanentFailure(f"not an http(s) URL: {message.address!r}")
        body = {"jws": message.jws, "warning": message.document}
        try:
            response = self.client.post(
                message.address,
                json=body,
                headers={
                    "Idempotency-Key": message.idempotency_key,
                    "User-Agent": "tearline-webhook/1",
                },
            )
        except httpx.TransportError as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from None
        status = response.status_code
        if 200 <= status < 300:
            return Receipt(f"HTTP {status}")
        if status in (408, 425, 429) or status >= 500:
            raise TemporaryFailure(f"HTTP {status}")
        raise PermanentFailure(f"HTTP {status}")
