"""Intake: read a document (text, JSON, e-mail, HTML) into a ``Document``, or refuse it clearly.

Nothing is stored here; the workflow stores what intake accepts.
"""

from __future__ import annotations

from pathlib import PurePath

from tearline.errors import BinaryDocument, DocumentTooLarge, EmptyDocument, InputError
from tearline.intake.document import (
    TLP_LEVELS,
    Document,
    Reader,
    decode_utf8,
    find_tlp,
    language_code,
)
from tearline.intake.readers import EmailReader, HtmlReader, JsonReader, TextReader

# Tried by file suffix first, then by sniffing; TextReader is the fallback.
READERS: list[Reader] = [JsonReader(), EmailReader(), HtmlReader(), TextReader()]

__all__ = [
    "READERS",
    "TLP_LEVELS",
    "Document",
    "Reader",
    "decode_utf8",
    "find_tlp",
    "language_code",
    "read_document",
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


def read_document(raw: bytes, filename: str, *, max_bytes: int) -> Document:
    """Read one document, or raise an InputError that names the file and the problem."""
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
            "Tearline reads text, JSON, e-mail (.eml) and HTML"
        )
    doc = _choose(raw, filename).read(raw, filename)
    if not doc.text.strip():
        raise EmptyDocument(f"{filename}: the document has no text")
    if doc.tlp is not None and doc.tlp not in TLP_LEVELS:
        raise InputError(f"{filename}: unknown TLP level {doc.tlp!r}; use one of {TLP_LEVELS}")
    return doc
