"""The built-in readers: plain text, JSON, e-mail (.eml) and HTML."""

from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, cast

import lxml.html
from lxml.etree import ParserError

from tearline.errors import EmptyDocument, MalformedDocument
from tearline.intake.document import Document, decode_utf8, find_tlp, parse_iso_date
from tearline.markings import find_markings

# Report headers such as "Date: 6 March 2024" in the first lines of a text report, in the
# languages extraction reads: "Дата: 6 марта 2024", "Fecha:", "Objet :", "التاريخ:", "موضوع:".
_DATE_WORDS = ("date", "dated", "dtg", "дата", "fecha", "التاريخ", "تاريخ", "تاریخ")
_SUBJECT_WORDS = ("subject", "subj", "title", "тема", "asunto", "objet", "الموضوع", "موضوع")
_HEADER_DATE = re.compile(rf"^\s*(?:{'|'.join(_DATE_WORDS)})\s*:\s*(.+?)\s*$", re.I | re.M)
_HEADER_SUBJECT = re.compile(rf"^\s*(?:{'|'.join(_SUBJECT_WORDS)})\s*:\s*(.+?)\s*$", re.I | re.M)
_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%Y-%m-%d", "%d.%m.%Y")
# A header date in words of another language ("6 марта 2024", "6 de marzo de 2024").
_DATE_LANGUAGES = ["ru", "es", "fr", "ar", "fa", "en"]
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _words_date(value: str) -> datetime | None:
    """A day with its year in the words of a language extraction reads; None otherwise
    (a date without a year, or "yesterday", says nothing certain about the document)."""
    if not _YEAR.search(value):
        return None
    from dateparser import parse  # imported here: English headers never need it

    settings: dict[str, Any] = {
        "TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "DATE_ORDER": "DMY",
        "PARSERS": ["absolute-time", "custom-formats"],
    }
    found = parse(value, languages=_DATE_LANGUAGES, settings=settings)
    return found.astimezone(UTC) if found is not None else None


def _header_date(head: str) -> datetime | None:
    m = _HEADER_DATE.search(head)
    if not m:
        return None
    value = m.group(1)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    try:
        return parse_iso_date(value, "")
    except MalformedDocument:
        return _words_date(value)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


class TextReader:
    media_type: ClassVar[str] = "text/plain"
    suffixes: ClassVar[tuple[str, ...]] = (".txt", ".text", ".md", "")

    def sniff(self, raw: bytes) -> bool:
        return True  # the fallback for anything that decodes as text

    def read(self, raw: bytes, filename: str) -> Document:
        text = decode_utf8(raw, filename)
        head = "\n".join(text.splitlines()[:15])
        subject = _HEADER_SUBJECT.search(head)
        return Document(
            filename=filename,
            media_type=self.media_type,
            title=subject.group(1)[:200] if subject else _first_line(text),
            text=text,
            raw=raw,
            document_date=_header_date(head),
            tlp=find_tlp(text),
            markings=find_markings(text),
        )


class JsonReader:
    """``{"text": ..., "title"?, "date"?, "source"?, "tlp"?}`` — one report per file."""

    media_type: ClassVar[str] = "application/json"
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    def sniff(self, raw: bytes) -> bool:
        return raw.lstrip()[:1] == b"{"

    def read(self, raw: bytes, filename: str) -> Document:
        try:
            data: Any = json.loads(decode_utf8(raw, filename))
        except json.JSONDecodeError as exc:
            raise MalformedDocument(
                f"{filename}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None
        if not isinstance(data, dict):
            raise MalformedDocument(f"{filename}: expected a JSON object with a 'text' field")
        text = data.get("text")
        if not isinstance(text, str):
            raise MalformedDocument(f"{filename}: the JSON object needs a 'text' string")
        for key in ("title", "date", "source", "tlp"):
            if key in data and not isinstance(data[key], str):
                raise MalformedDocument(f"{filename}: '{key}' must be a string")
        markings = data.get("markings", [])
        if isinstance(markings, str):
            markings = [markings]
        if not isinstance(markings, list) or not all(isinstance(m, str) for m in markings):
            raise MalformedDocument(
                f"{filename}: 'markings' must be a string or a list of strings such as "
                '"REL TO USA, GBR"'
            )
        date = data.get("date")
        return Document(
            filename=filename,
            media_type=self.media_type,
            title=data.get("title") or _first_line(text),
            text=text,
            raw=raw,
            document_date=parse_iso_date(date, filename) if date else None,
            source_hint=data.get("source"),
            tlp=(data.get("tlp") or "").upper().removeprefix("TLP:") or find_tlp(text),
            markings=tuple(markings) or find_markings(text),
        )


def _html_text(markup: str, filename: str) -> tuple[str, str]:
    try:
        root = cast(lxml.html.HtmlElement, lxml.html.document_fromstring(markup))
    except (ParserError, ValueError) as exc:
        raise MalformedDocument(f"{filename}: cannot parse HTML: {exc}") from None
    for bad in list(root.iter("script", "style", "template", "noscript")):
        cast(lxml.html.HtmlElement, bad).drop_tree()
    title = root.findtext(".//title") or ""
    for br in root.iter("br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4"):
        br.tail = "\n" + (br.tail or "")
    text = re.sub(r"[ \t\r\f\v]+", " ", root.text_content())
    text = re.sub(r"\n\s*\n\s*", "\n\n", text).strip()
    return title.strip(), text


class HtmlReader:
    """Keeps the visible text; scripts, styles and markup are dropped, never executed."""

    media_type: ClassVar[str] = "text/html"
    suffixes: ClassVar[tuple[str, ...]] = (".html", ".htm")

    def sniff(self, raw: bytes) -> bool:
        head = raw[:512].lstrip().lower()
        return head.startswith((b"<!doctype html", b"<html"))

    def read(self, raw: bytes, filename: str) -> Document:
        title, text = _html_text(decode_utf8(raw, filename), filename)
        return Document(
            filename=filename,
            media_type=self.media_type,
            title=title or _first_line(text),
            text=text,
            raw=raw,
            tlp=find_tlp(text),
        )


class EmailReader:
    """An RFC 5322 message: Subject, From and Date from its headers; text from its body."""

    media_type: ClassVar[str] = "message/rfc822"
    suffixes: ClassVar[tuple[str, ...]] = (".eml",)
    _HEADER = re.compile(rb"^(?:From|To|Subject|Date|Received|Return-Path|Message-ID):", re.I)

    def sniff(self, raw: bytes) -> bool:
        return bool(self._HEADER.match(raw.lstrip()))

    def read(self, raw: bytes, filename: str) -> Document:
        if not self.sniff(raw):
            raise MalformedDocument(f"{filename}: no e-mail headers (From:, Subject:, Date:) found")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        try:
            body = msg.get_body(preferencelist=("plain", "html"))
            content = body.get_content() if body is not None else None
        except (LookupError, ValueError) as exc:
            raise MalformedDocument(f"{filename}: cannot decode the e-mail body: {exc}") from None
        if not isinstance(content, str) or not content.strip():
            raise EmptyDocument(f"{filename}: the e-mail has no text or HTML body")
        if body is not None and body.get_content_subtype() == "html":
            content = _html_text(content, filename)[1]
        date = None
        if msg["Date"]:
            try:
                date = parsedate_to_datetime(str(msg["Date"]))
            except (TypeError, ValueError):
                raise MalformedDocument(
                    f"{filename}: the Date header {str(msg['Date'])!r} is not an RFC 5322 date"
                ) from None
            date = date if date.tzinfo else date.replace(tzinfo=UTC)
        return Document(
            filename=filename,
            media_type=self.media_type,
            title=str(msg["Subject"] or _first_line(content)),
            text=content,
            raw=raw,
            document_date=date,
            source_hint=str(msg["From"]) if msg["From"] else None,
            tlp=find_tlp(str(msg["Subject"] or "") + "\n" + content),
            markings=find_markings(content),
        )
