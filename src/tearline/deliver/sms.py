"""SMS through a generic HTTP gateway: the 160-character form of the warning, and reply codes.

Any gateway that accepts an HTTP POST works: the URL and the body template are settings.
The template is ``string.Template`` text with ``$to``, ``$text``, ``$reference`` and
``$idempotency_key``; a template that starts with ``{`` is sent as JSON (each value
inserted as a JSON string), any other as a form (each value URL-encoded). Example for a
JSON gateway::

    {"to": $to, "body": $text, "client_ref": $idempotency_key}

A second message tells the recipient how to answer with one digit (``REPLY_CODES``).
"""

from __future__ import annotations

import json
import re
from string import Template
from typing import ClassVar
from urllib.parse import quote_plus

from tearline.deliver.channels import HttpPool, Outbound, PermanentFailure, Receipt, post
from tearline.ids import Kind, format_id

SMS_LIMIT = 160
# One digit per kind of answer; the order is what recipients see in the instructions.
REPLY_CODES = {
    "1": "received",
    "2": "acting",
    "3": "disputed",
    "4": "more_info",
    "5": "measures_taken",
    "6": "measures_relaxed",
}
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_REPLY = re.compile(r"^\s*(?:(WRN)-?(\d+)\s+)?([1-6])\b", re.IGNORECASE)


def is_phone_number(address: str) -> bool:
    """E.164: a plus sign and 7 to 15 digits, e.g. +79161234567."""
    return bool(_E164.match(address))


def sms_text(message: Outbound) -> str:
    """The release stage's ``sms`` artifact, or a 160-character form built from the subject."""
    artifact = message.artifacts.get("sms")
    if artifact:
        return artifact[:SMS_LIMIT]
    text = f"{message.subject}. {message.text}".replace("\n", " ")
    tail = f" Ref {message.warning_ref}"
    room = SMS_LIMIT - len(tail)
    if len(text) > room:
        text = text[: room - 1].rstrip() + "…"
    return text + tail


def reply_instructions(warning_ref: str) -> str:
    """The second message: how to answer with one digit (fits in 160 characters)."""
    return (
        f"To answer {warning_ref} reply: 1 received, 2 acting, 3 dispute, 4 need more info, "
        "5 measures taken, 6 measures relaxed"
    )


# The third message: the reply page, for a phone that opens links (a short link).
_ONLINE = "Or answer online: "


def parse_reply(text: str) -> tuple[str | None, str] | None:
    """``"3"`` or ``"WRN-7 3"`` → (warning ref or None, response kind); None if not a code."""
    m = _REPLY.match(text)
    if not m:
        return None
    ref = format_id(Kind.WARNING, int(m.group(2))) if m.group(1) else None
    return ref, REPLY_CODES[m.group(3)]


def render_body(template: str, values: dict[str, str]) -> tuple[bytes, str]:
    """The gateway request body and its content type."""
    if template.lstrip().startswith("{"):
        encoded = {k: json.dumps(v, ensure_ascii=False) for k, v in values.items()}
        return Template(template).substitute(encoded).encode(), "application/json"
    encoded = {k: quote_plus(v) for k, v in values.items()}
    return Template(template).substitute(encoded).encode(), "application/x-www-form-urlencoded"


class SmsChannel:
    """POSTs to the configured gateway; the address is an E.164 number."""

    name: ClassVar[str] = "sms"
    forms: ClassVar[tuple[str, ...]] = ("sms",)

    def __init__(self, http: HttpPool, gateway_url: str, template: str, token: str = "") -> None:
        self.http = http
        self.gateway_url = gateway_url
        self.template = template
        self.token = token

    async def _post(self, message: Outbound, text: str, key: str) -> int:
        body, content_type = render_body(
            self.template,
            {
                "to": message.address,
                "text": text,
                "reference": message.warning_ref,
                "idempotency_key": key,
            },
        )
        headers = {"Content-Type": content_type, "Idempotency-Key": key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        status, _ = await post(self.http, self.gateway_url, body, headers)
        return status

    async def send(self, message: Outbound) -> Receipt:
        if not self.gateway_url:
            raise PermanentFailure("no SMS gateway configured (TEARLINE_SMS_GATEWAY_URL)")
        if not is_phone_number(message.address):
            raise PermanentFailure(f"not an E.164 phone number: {message.address!r}")
        key = message.idempotency_key
        status = await self._post(message, sms_text(message), key)
        await self._post(message, reply_instructions(message.warning_ref), f"{key}-reply")
        if message.reply_url and len(message.reply_url) <= SMS_LIMIT - len(_ONLINE):
            await self._post(message, _ONLINE + message.reply_url, f"{key}-link")
        return Receipt(f"gateway HTTP {status}")
