"""A partner's IMAP mailbox, polled like a feed: each new message read as an e-mail report.

``imaps://user@host[:port]/Folder`` (TLS, checked against the system's CAs) or
``imap://…`` (plain, for a server on the same machine or network). The password comes
from ``TEARLINE_MAILBOX_PASSWORD`` or the first line of ``TEARLINE_MAILBOX_PASSWORD_FILE``,
never from the URL, and is never logged or shown. A message is read once: the mailbox's
UIDVALIDITY and the highest UID read are kept, and only later UIDs are fetched (when the
server renumbers the folder, a new UIDVALIDITY, every message is looked at again and
those already held are recognised by their bytes). Messages are fetched with
``BODY.PEEK[]``, so the partner's mailbox keeps them unread.
"""

from __future__ import annotations

import contextlib
import imaplib
import ssl
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tearline.errors import ConfigError
from tearline.settings import Settings
from tearline.workflow.app import App
from tearline.workflow.partner_intake import IntakeSummary, ingest_items
from tearline.workflow.reports import Provenance

MAX_MESSAGES_PER_POLL = 500


def mailbox_password(settings: Settings) -> str:
    if settings.mailbox_password:
        return str(settings.mailbox_password)
    if settings.mailbox_password_file:
        path = Path(settings.mailbox_password_file)
        try:
            return path.read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError):
            raise ConfigError(f"TEARLINE_MAILBOX_PASSWORD_FILE {path}: cannot be read") from None
    raise ConfigError(
        "no mailbox password: set TEARLINE_MAILBOX_PASSWORD or TEARLINE_MAILBOX_PASSWORD_FILE"
    )


def _connect(url: str, password: str) -> tuple[imaplib.IMAP4, str]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "imaps":
        conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            host, parts.port or 993, ssl_context=ssl.create_default_context(), timeout=30
        )
    else:
        conn = imaplib.IMAP4(host, parts.port or 143, timeout=30)
    try:
        conn.login(unquote(parts.username or ""), password)
    except imaplib.IMAP4.error:
        conn.shutdown()  # refused: close the connection before saying why
        raise
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return conn, folder


def read_mailbox(
    app: App,
    url: str,
    uid_validity: int | None,
    last_uid: int | None,
    prov: Provenance,
    actor: str,
) -> tuple[IntakeSummary, int, int]:
    """Store the messages after ``last_uid``; (summary, UIDVALIDITY, highest UID read)."""
    from tearline.workflow.feeds import FeedError

    password = mailbox_password(app.settings)
    summary = IntakeSummary()
    try:
        conn, folder = _connect(url, password)
        try:
            status, _ = conn.select(f'"{folder}"', readonly=True)
            if status != "OK":
                raise FeedError(f"cannot open folder {folder!r}")
            values = conn.response("UIDVALIDITY")[1]
            validity = int(values[0]) if values and values[0] else 0
            start = (last_uid or 0) if validity == uid_validity else 0
            status, data = conn.uid("SEARCH", f"UID {start + 1}:*")
            uids = sorted(int(x) for x in (data[0] or b"").split() if int(x) > start)
            highest = start
            for uid in uids[:MAX_MESSAGES_PER_POLL]:
                status, fetched = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
                raw = next((p[1] for p in fetched if isinstance(p, tuple)), None)
                if status != "OK" or raw is None:
                    raise FeedError(f"could not fetch message UID {uid}")
                name = f"{folder} UID {uid}.eml"
                summary.extend(ingest_items(app, raw, name, prov, actor))
                highest = uid
            return summary, validity, highest
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                conn.logout()
    except imaplib.IMAP4.error as exc:
        raise FeedError(f"IMAP: {_said(exc)}") from None
    except (OSError, ssl.SSLError) as exc:
        raise FeedError(f"could not reach the mailbox: {exc}") from None


def _said(exc: Exception) -> str:
    text = str(exc)
    if text.startswith(("b'", 'b"')):
        text = text[2:-1]
    return text
