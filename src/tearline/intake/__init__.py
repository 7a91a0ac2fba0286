"""Intake: read a document (text, JSON, e-mail, HTML) into a ``Document``, or refuse it clearly.

A container of partner reporting (a STIX bundle, a CAP alert, an Atom/RSS feed) is read
by an ``ItemReader`` into several items, each a ``Document`` or a ``Refused`` with its
reason: ``read_items`` chooses one by suffix, then by sniffing, and falls back to the
one-document readers. Nothing is stored here; the workflow stores what intake accepts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import PurePath

from tearline.errors import BinaryDocument, DocumentTooLarge, EmptyDocument, InputError
from tearline.intake.cap import CapReader
from tearline.intake.document import (
    TLP_LEVELS,
    Document,
    ItemReader,
    Reader,
    Refused,
    decode_utf8,
    find_tlp,
    language_code,
)
from tearline.intake.feeds import FeedReader
from tearline.intake.misp import MispReader
from tearline.intake.readers import EmailReader, HtmlReader, JsonReader, TextReader
from tearline.intake.stix import StixReader

# Tried by file suffix first, then by sniffing; TextReader is the fallback.
READERS: list[Reader] = [JsonReader(), EmailReader(), HtmlReader(), TextReader()]
# Containers of several items, tried (by suffix, then sniffing) before READERS.
ITEM_READERS: list[ItemReader] = [StixReader(), MispReader(), FeedReader(), CapReader()]

__all__ = [
    "ITEM_READERS",
    "READERS",
    "TLP_LEVELS",
    "Document",
    "ItemReader",
    "Reader",
    "Refused",
    "decode_utf8",
    "find_tlp",
    "language_code",
    "read_document",
    "read_items",
]


def _choose(raw: bytes, filename: str) -> Reader:
    suffix = PurePath(filename).suffix.lower()
    for reader in READERS:
        if suffix and suffix in reader.suffixes:
            return reader
    for reader in READERS:
        if reader.sniff(raw):
            return reader
    return READERS[-1]


def _check_file(raw: bytes, filename: str, max_bytes: int) -> None:
    if len(raw) > max_bytes:
        raise DocumentTooLarge(
            f"{filename}: {len(raw):,} bytes is over the limit of {max_bytes:,} "
            "(setting TEARLINE_MAX_DOCUMENT_BYTES)"
        )
    if not raw.strip():
        raise EmptyDocument(f"{filename}: the file is empty")
    if b"\x00" in raw[:8192] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BinaryDocument(
            f"{filename}: looks like a binary file (it contains NUL bytes); "
            "Tearline reads text, JSON, e-mail (.eml), HTML, STIX, CAP and Atom/RSS"
        )


def _check_document(doc: Document, filename: str) -> None:
    if not doc.text.strip():
        raise EmptyDocument(f"{filename}: the document has no text")
    if doc.tlp is not None and doc.tlp not in TLP_LEVELS:
        raise InputError(f"{filename}: unknown TLP level {doc.tlp!r}; use one of {TLP_LEVELS}")


def read_document(raw: bytes, filename: str, *, max_bytes: int) -> Document:
    """Read one document, or raise an InputError that names the file and the problem."""
    _check_file(raw, filename, max_bytes)
    doc = _choose(raw, filename).read(raw, filename)
    _check_document(doc, filename)
    return doc


def choose_item_reader(
    raw: bytes, filename: str, readers: Sequence[ItemReader] | None = None
) -> ItemReader | None:
    """The item reader for a container: by suffix, then by sniffing; None for a plain
    document (read by ``read_document``)."""
    readers = ITEM_READERS if readers is None else readers
    suffix = PurePath(filename).suffix.lower()
    for reader in readers:
        if suffix and suffix in reader.suffixes:
            return reader
    for reader in readers:
        if reader.sniff(raw):
            return reader
    return None


def read_items(
    raw: bytes,
    filename: str,
    *,
    max_bytes: int,
    readers: Sequence[ItemReader] | None = None,
) -> Iterator[Document | Refused]:
    """Each item of a container, read or refused with its reason; a plain document is one
    item. Raises InputError when the file itself cannot be read (too large, binary, not
    the format its name or content says)."""
    _check_file(raw, filename, max_bytes)
    reader = choose_item_reader(raw, filename, readers)
    if reader is None:
        yield read_document(raw, filename, max_bytes=max_bytes)
        return
    for n, item in enumerate(reader.read_items(raw, filename), 1):
        if isinstance(item, Document):
            # Named by the partner's id or its place in the file, never by its title: a
            # refusal is error text, and a title may hold a term that must stay protected.
            label = item.external_id or f"item {n}"
            try:
                _check_document(item, f"{filename} {label}")
            except InputError as exc:
                yield Refused(label, str(exc))
                continue
        yield item
