"""What intake produces, and the one extension point for a new document format: ``Reader``."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar, Protocol

from tearline.errors import EncodingError, InputError, MalformedDocument

TLP_LEVELS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
# A BCP 47 tag ("ru", "ru-RU", "fa_IR"): its primary language subtag is what is kept.
_LANGUAGE_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")
_TLP_MARK = re.compile(r"\bTLP:(CLEAR|WHITE|GREEN|AMBER\+STRICT|AMBER|RED)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Document:
    """A document read into text, with the raw bytes kept for the record."""

    filename: str
    media_type: str
    title: str
    text: str
    raw: bytes = field(repr=False)
    document_date: datetime | None = None  # what the document says; None when it says nothing
    source_hint: str | None = None  # e.g. an e-mail's From, a JSON "source"
    tlp: str | None = None  # a TLP 2.0 mark found in the document
    # A partner's own stable identifier for this item, for de-duplication across pulls
    # ("stix:report--…", "misp:<event uuid>", "cap:<sender>/<identifier>", "atom:<feed>#<id>").
    external_id: str | None = None
    # Releasability markings as the document states them ("REL TO USA, GBR, FVEY", "NATO");
    # read by tearline.markings, never trusted further than the TLP beside them.
    markings: tuple[str, ...] = ()
    # What intake has to say beside the text, kept on the report: e.g. "signature not
    # verified: signed with key 'x', which is not among the partner keys trusted here".
    intake_note: str | None = None
    # The language the document says it is written in (a BCP 47 tag: CAP's <language>,
    # an Atom entry's xml:lang); read in it when extraction reads that language.
    language: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


class Reader(Protocol):
    """Reads one document format. Register an instance in ``tearline.intake.READERS``.

    Example — a reader for a partner's pipe-separated feed::

        class PipeReader:
            media_type = "text/x-pipe"
            suffixes = (".pipe",)

            def sniff(self, raw: bytes) -> bool:
                return raw.startswith(b"PIPE|")

            def read(self, raw: bytes, filename: str) -> Document:
                _, title, body = decode_utf8(raw, filename).split("|", 2)
                return Document(filename, self.media_type, title, body, raw)

    ``read`` raises an :class:`~tearline.errors.InputError` subclass with a message that
    names the file and says what is wrong; it never returns a partial document.
    """

    media_type: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]

    def sniff(self, raw: bytes) -> bool: ...

    def read(self, raw: bytes, filename: str) -> Document: ...


@dataclass(frozen=True)
class Refused:
    """One item of a container (an entry of a feed, an object of a bundle) that could not
    be read; the rest of the container is still read."""

    item: str  # how a person finds it: "entry 17", "report--5e0f…", "alert TRL-2024-03-07"
    reason: str  # what is wrong and, where there is one, what to do


class ItemReader(Protocol):
    """Reads a container of partner reporting into items: a STIX bundle, a MISP event or
    feed, a CAP alert, an Atom or RSS feed. Register an instance in
    ``tearline.intake.ITEM_READERS``.

    Example — a reader for a partner's JSON Lines export, one report per line::

        class JsonLinesReader:
            name = "jsonl"
            suffixes = (".jsonl",)

            def sniff(self, raw: bytes) -> bool:
                return raw.lstrip()[:1] == b"{" and b"\n{" in raw

            def read_items(self, raw: bytes, filename: str) -> Iterator[Document | Refused]:
                for n, line in enumerate(decode_utf8(raw, filename).splitlines(), 1):
                    try:
                        item = json.loads(line)
                    except json.JSONDecodeError as exc:
                        yield Refused(f"line {n}", f"malformed JSON: {exc.msg}")
                        continue
                    yield Document(filename, "application/json", item["title"],
                                   item["text"], line.encode(), external_id=item["id"])

    ``read_items`` raises an :class:`~tearline.errors.InputError` only when the container
    itself cannot be read (not XML, not a bundle); a bad item is yielded as ``Refused``.
    Each ``Document`` carries its own ``raw`` (the item's bytes, for the record).
    """

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]

    def sniff(self, raw: bytes) -> bool: ...

    def read_items(self, raw: bytes, filename: str) -> Iterator[Document | Refused]: ...


def decode_utf8(raw: bytes, filename: str) -> str:
    """Strict UTF-8 (a UTF-8 or UTF-16 byte-order mark is honoured)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise EncodingError(f"{filename}: not valid UTF-16 at byte {exc.start}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1].hex()
        raise EncodingError(
            f"{filename}: not valid UTF-8 (byte 0x{bad} at offset {exc.start}); "
            "convert it first, e.g. iconv -f WINDOWS-1252 -t UTF-8"
        ) from None


def find_tlp(text: str) -> str | None:
    """The first TLP mark in the text, in TLP 2.0 spelling (WHITE became CLEAR)."""
    m = _TLP_MARK.search(text[:4000])
    if not m:
        return None
    level = m.group(1).upper()
    return "CLEAR" if level == "WHITE" else level


def parse_iso_date(value: str, filename: str, what: str = "date") -> datetime:
    """ISO 8601; a date alone means midnight UTC and a time without offset means UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise MalformedDocument(
            f"{filename}: {what} {value!r} is not an ISO 8601 date such as 2024-03-06 "
            "or 2024-03-06T09:00:00+00:00"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def language_code(value: str | None) -> str | None:
    """A language given at intake, as its ISO 639 code: "ru-RU" and "RU" are "ru"; None for
    nothing given. InputError for what is not a language tag."""
    if value is None or not value.strip():
        return None
    m = _LANGUAGE_TAG.fullmatch(value.strip())
    if not m:
        raise InputError(
            f"language {value.strip()[:40]!r} is not a language code such as ru, en or fa-IR"
        )
    return m.group(1).lower()
