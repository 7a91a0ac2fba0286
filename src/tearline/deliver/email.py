"""The e-mail channel: the signed warning as an RFC 5322 message over SMTP (TLS when set).

The message is the release stage's ``email`` artifact when there is one (a complete
message with the signature attached); until then it is built here from the warning's
text with the JWS attached. Each delivery gets a stable ``Message-ID`` derived from its
idempotency key, so a repeat after a crash is recognisably the same message.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from email import message_from_string, policy
from email.message import EmailMessage, Message
from email.utils import formatdate, parseaddr
from typing import ClassVar
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from tearline.deliver.channels import Outbound, PermanentFailure, Receipt, TemporaryFailure


@dataclass(frozen=True)
class SmtpConfig:
    """Where to send: ``smtp://[user:password@]host[:port]`` (plain), ``smtp+starttls://``
    (STARTTLS required) or ``smtps://`` (TLS from the first byte); ``?cafile=PATH`` trusts
    a private certificate authority."""

    host: str
    port: int
    tls: str  # none | starttls | tls
    username: str | None = None
    password: str | None = None
    cafile: str | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        parts = urlsplit(url)
        tls = {"smtp": "none", "smtp+starttls": "starttls", "smtps": "tls"}.get(parts.scheme)
        if tls is None or not parts.hostname:
            raise ValueError("use smtp://host:port, smtp+starttls://host:port or smtps://host")
        default_port = 465 if tls == "tls" else (587 if tls == "starttls" else 25)
        cafile = parse_qs(parts.query).get("cafile", [None])[0]
        return cls(
            host=parts.hostname,
            port=parts.port or default_port,
            tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            cafile=cafile,
        )

    def client(self) -> aiosmtplib.SMTP:
        context = ssl.create_default_context(cafile=self.cafile) if self.tls != "none" else None
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.tls == "tls",
            start_tls=self.tls == "starttls",
            tls_context=context,
            timeout=30,
        )


def _domain(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2] or "tearline.invalid"


def build_email(message: Outbound, mail_from: str) -> Message:
    """The message to send to ``message.address``; headers that bind it to this delivery."""
    artifact = message.artifacts.get("email")
    msg: Message
    if artifact:
        msg = message_from_string(artifact, policy=policy.SMTP)
    else:  # until the release stage writes an e-mail artifact: text plus the JWS attached
        built = EmailMessage(policy=policy.SMTP)
        built["Subject"] = message.subject
        body = message.text
        if message.reply_url:
            body += "\n\nTo answer this warning (received, acting, disputed, ...):\n"
            body += message.reply_url
        built.set_content(body)
        built.add_attachment(
            message.jws.encode(),
            maintype="application",
            subtype="jose",
            filename=f"{message.warning_ref}.jws",
        )
        msg = built
    for header in ("To", "From", "Message-ID", "Date", "X-Tearline-Reply"):
        del msg[header]
    msg["From"] = mail_from
    msg["To"] = message.address
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = f"<{message.idempotency_key}@{_domain(mail_from)}>"
    if message.reply_url:
        msg["X-Tearline-Reply"] = message.reply_url
    return msg


_PER_DELIVERY = ("To", "From", "Message-ID", "Date", "X-Tearline-Reply")


def email_bytes(message: Outbound, mail_from: str) -> bytes:
    """The message as sent: the warning's part rendered once per warning, then this
    delivery's headers in front (rendering a signed multipart message is the slow part)."""
    if not message.artifacts.get("email"):
        return build_email(message, mail_from).as_bytes(policy=policy.SMTP)
    shared = message.body_cache.get("email")
    if shared is None:
        msg = message_from_string(message.artifacts["email"], policy=policy.SMTP)
        for header in _PER_DELIVERY:
            del msg[header]
        shared = msg.as_bytes(policy=policy.SMTP)
        message.body_cache["email"] = shared
    fresh = EmailMessage(policy=policy.SMTP)  # the header folding and encoding of the library
    fresh["From"] = mail_from
    fresh["To"] = message.address
    fresh["Date"] = formatdate(localtime=False)
    fresh["Message-ID"] = f"<{message.idempotency_key}@{_domain(mail_from)}>"
    if message.reply_url:
        fresh["X-Tearline-Reply"] = message.reply_url
    head = b"".join(policy.SMTP.fold_binary(name, value) for name, value in fresh.items())
    return head + shared


class SmtpPool:
    """A few long-lived SMTP connections: one handshake serves many messages."""

    def __init__(self, config: SmtpConfig, connections: int = 4) -> None:
        self.config = config
        self._idle: asyncio.Queue[aiosmtplib.SMTP | None] | None = None
        self._size = connections

    def _queue(self) -> asyncio.Queue[aiosmtplib.SMTP | None]:
        if self._idle is None:
            self._idle = asyncio.Queue()
            for _ in range(self._size):
                self._idle.put_nowait(None)  # a slot; connected on first use
        return self._idle

    async def send(self, data: bytes, recipient: str, sender: str) -> str:
        queue = self._queue()
        client = await queue.get()
        try:
            if client is None or not client.is_connected:
                client = self.config.client()
                await client.connect()
            _errors, reply = await client.sendmail(sender, [recipient], data)
            return reply
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError, OSError) as exc:
            client = None
            raise TemporaryFailure(f"SMTP: {type(exc).__name__}: {exc}") from None
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"SMTP refused {recipient}: {exc}") from None
        except aiosmtplib.SMTPResponseException as exc:
            if 400 <= exc.code < 500:
                raise TemporaryFailure(f"SMTP {exc.code} {exc.message}") from None
            raise PermanentFailure(f"SMTP {exc.code} {exc.message}") from None
        except aiosmtplib.SMTPException as exc:
            client = None
            raise TemporaryFailure(f"SMTP: {exc}") from None
        finally:
            queue.put_nowait(client)

    async def aclose(self) -> None:
        if self._idle is None:
            return
        while not self._idle.empty():
            client = self._idle.get_nowait()
            if client is not None and client.is_connected:
                try:
                    await client.quit()
                except aiosmtplib.SMTPException:
                    client.close()
        self._idle = None


class EmailChannel:
    """E-mail over SMTP; the address is one mailbox (``security@example.org``)."""

    name: ClassVar[str] = "email"
    forms: ClassVar[tuple[str, ...]] = ("email",)

    def __init__(self, pool: SmtpPool, mail_from: str) -> None:
        self.pool = pool
        self.mail_from = mail_from

    async def send(self, message: Outbound) -> Receipt:
        if "@" not in parseaddr(message.address)[1]:
            raise PermanentFailure(f"not an e-mail address: {message.address!r}")
        if "\r" in message.address or "\n" in message.address:
            raise PermanentFailure("an e-mail address cannot hold a line break")
        data = email_bytes(message, self.mail_from)
        reply = await self.pool.send(data, message.address, parseaddr(self.mail_from)[1])
        return Receipt(f"SMTP {reply.strip()[:200]}")

    async def aclose(self) -> None:
        await self.pool.aclose()
