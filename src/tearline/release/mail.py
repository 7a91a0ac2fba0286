"""The warning as an e-mail: RFC 5322, multipart text + HTML, the signature attached.

Structure: ``multipart/mixed`` of ``multipart/alternative`` (text/plain, text/html; one
section per language, right-to-left ones marked ``dir="rtl"``), the signed warning as
``WRN-n.jws`` (``application/jose``) and the signed CAP message as ``WRN-n.cap.xml``.
``tearline verify`` checks the attached JWS and that the message's text says what was
signed. The e-mail channel sets From, To, Date and Message-ID for each delivery; nothing
here depends on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from tearline.release.localise import language_name
from tearline.release.phrases import phrases
from tearline.release.render import ordered_texts

JOSE = ("application", "jose")
CAP_XML = ("application", "cap+xml")
PLACEHOLDER_FROM = "warnings@tearline.invalid"

_templates = Environment(
    loader=PackageLoader("tearline.release", "templates"),
    autoescape=select_autoescape(default=True),
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class _Block:
    head: str
    lines: list[str]
    items: list[str]


def _blocks(text: str) -> list[_Block]:
    """Paragraphs of the plain text; a paragraph of '  - ' lines becomes a list."""
    out = []
    for para in text.split("\n\n"):
        lines = para.split("\n")
        items = [x.removeprefix("  - ") for x in lines[1:] if x.startswith("  - ")]
        if items and len(items) == len(lines) - 1:
            out.append(_Block(lines[0], [], items))
        else:
            out.append(_Block("", lines, []))
    return out


def _signed_note(doc: dict[str, Any], lang: str, key_id: str | None) -> str:
    return phrases(lang).signed.format(
        sender=doc["sender"], kid=key_id or "—", file=f"{doc['reference']}.jws"
    )


def _plain(doc: dict[str, Any], key_id: str | None) -> str:
    parts = []
    for i, (lang, t) in enumerate(ordered_texts(doc)):
        if i:
            parts.append(f"—— {language_name(lang)} ——")
        parts.append(t["text"])
        parts.append(_signed_note(doc, lang, key_id))
    return "\n\n".join(parts) + "\n"


def _html(doc: dict[str, Any], key_id: str | None, tlp: str | None) -> str:
    sections = [
        {
            "lang": lang,
            "rtl": bool(t.get("rtl")),
            "subject": t["subject"],
            "blocks": _blocks(t["text"]),
            "signed": _signed_note(doc, lang, key_id),
        }
        for lang, t in ordered_texts(doc)
    ]
    template = _templates.get_template("email.html")
    return template.render(primary=doc["language"], sections=sections, tlp=tlp)


def email_message(
    doc: dict[str, Any], *, jws: str | None, cap: bytes | None, key_id: str | None
) -> str:
    """The complete message as text (LF line endings; SMTP clients convert)."""
    public = doc["recipient"].get("tier") == "public"
    tlp = None if public else doc["facts"].get("tlp")
    if tlp and (marked := doc.get("markings")):  # "TLP:AMBER | REL TO USA, GBR"
        tlp = f"{tlp} | {marked['banner']}"
    msg = EmailMessage(policy=policy.default)
    msg["From"] = formataddr((doc["sender"], PLACEHOLDER_FROM))
    msg["Date"] = format_datetime(datetime.fromisoformat(doc["issued_at"]))
    msg["Message-ID"] = f"<{doc['cap']['identifier']}@tearline.invalid>"
    msg["X-Tearline-Reference"] = doc["reference"]
    if doc.get("supersedes"):
        msg["X-Tearline-Supersedes"] = doc["supersedes"]
    msg.set_content(_plain(doc, key_id), subtype="plain", charset="utf-8")
    msg.add_alternative(_html(doc, key_id, tlp), subtype="html", charset="utf-8")
    if jws is not None:
        msg.add_attachment(jws.encode() + b"\n", *JOSE, filename=f"{doc['reference']}.jws")
    if cap is not None:
        msg.add_attachment(cap, *CAP_XML, filename=f"{doc['reference']}.cap.xml")
    # Set last: set_content and add_attachment move Content-* headers into the parts.
    msg["Content-Language"] = ", ".join(lang for lang, _ in ordered_texts(doc))
    subject = (f"[TLP:{tlp}] " if tlp else "") + doc["subject"]
    return _subject_line(subject) + msg.as_string()


def _subject_line(subject: str) -> str:
    """The Subject, folded by hand: Python 3.11's folder drops the space between two
    encoded words ("об угрозе" arrives as "обугрозе"); the older encoder keeps each space
    inside an encoded word, in lines short enough that no mail program refolds them."""
    return "Subject: " + Header(subject, "utf-8", header_name="Subject").encode() + "\n"
