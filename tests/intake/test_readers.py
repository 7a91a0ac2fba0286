"""Intake reads the formats it claims and refuses bad input with one clear message."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tearline.errors import (
    BinaryDocument,
    DocumentTooLarge,
    EmptyDocument,
    EncodingError,
    InputError,
    MalformedDocument,
)
from tearline.intake import language_code, read_document

LIMIT = 1_000_000


def read(raw: bytes, name: str = "doc.txt", limit: int = LIMIT):  # type: ignore[no-untyped-def]
    return read_document(raw, name, max_bytes=limit)


def test_text_report_headers_give_title_date_and_tlp() -> None:
    doc = read(b"REPORT  TLP:AMBER+STRICT\nDate: 6 March 2024\nSubject: Plot in Moscow\n\nBody.")
    assert doc.title == "Plot in Moscow"
    assert doc.document_date == datetime(2024, 3, 6, tzinfo=UTC)
    assert doc.tlp == "AMBER+STRICT"
    assert doc.media_type == "text/plain"


@pytest.mark.parametrize(
    ("head", "title"),
    [
        ("Дата: 6 марта 2024\nТема: подготовка теракта в Москве", "подготовка теракта в Москве"),
        ("Fecha: 6 de marzo de 2024\nAsunto: Amenaza en Madrid", "Amenaza en Madrid"),
        ("Date : 6 mars 2024\nObjet : Menace à Paris", "Menace à Paris"),
    ],
)
def test_report_headers_in_the_languages_extraction_reads(head: str, title: str) -> None:
    doc = read(f"СООБЩЕНИЕ  TLP:AMBER\n{head}\n\nТекст.".encode())
    assert doc.title == title
    assert doc.document_date == datetime(2024, 3, 6, tzinfo=UTC)


def test_a_header_date_without_a_year_dates_nothing() -> None:
    assert read("Дата: 6 марта\nТема: угроза\n\nТекст.".encode()).document_date is None


@pytest.mark.parametrize(
    ("given", "code"), [("ru", "ru"), ("RU", "ru"), ("ru-RU", "ru"), ("fa_IR", "fa"), ("", None)]
)
def test_a_language_given_at_intake_is_its_iso_code(given: str, code: str | None) -> None:
    assert language_code(given) == code


def test_a_language_that_is_no_language_tag_is_refused() -> None:
    with pytest.raises(InputError, match="not a language code such as ru"):
        language_code("Russian!")


def test_tlp_white_is_read_as_tlp_2_clear() -> None:
    assert read(b"TLP:WHITE\nnothing to see").tlp == "CLEAR"


def test_json_report() -> None:
    doc = read(
        b'{"title": "T", "text": "Gunmen attacked", "date": "2024-03-22", "source": "wire"}',
        "r.json",
    )
    assert (doc.title, doc.text, doc.source_hint) == ("T", "Gunmen attacked", "wire")
    assert doc.document_date == datetime(2024, 3, 22, tzinfo=UTC)


def test_email_report_uses_headers_and_plain_body() -> None:
    raw = (
        b"From: Liaison <liaison@example.org>\r\nSubject: Warning\r\n"
        b"Date: Wed, 06 Mar 2024 09:00:00 +0300\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"\r\nOperatives plan an attack.\r\n"
    )
    doc = read(raw, "m.eml")
    assert doc.title == "Warning"
    assert doc.source_hint == "Liaison <liaison@example.org>"
    assert doc.document_date == datetime(2024, 3, 6, 6, 0, tzinfo=UTC)
    assert "Operatives plan an attack." in doc.text


def test_html_keeps_visible_text_and_drops_scripts() -> None:
    raw = (
        b"<!doctype html><html><head><title>Alert</title><script>alert(1)</script></head>"
        b"<body><p>Gunmen &amp; bombers</p><style>p{}</style></body></html>"
    )
    doc = read(raw, "a.html")
    assert doc.title == "Alert"
    assert "Gunmen & bombers" in doc.text
    assert "alert(1)" not in doc.text


@pytest.mark.parametrize(
    ("raw", "name", "error", "message"),
    [
        (b"", "e.txt", EmptyDocument, "e.txt: the file is empty"),
        (b"   \n\t ", "w.txt", EmptyDocument, "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "p.txt", BinaryDocument, "binary"),
        (b"caf\xe9 bomb", "l.txt", EncodingError, "not valid UTF-8 .*offset 3"),
        (b'{"text": "x",', "j.json", MalformedDocument, "malformed JSON at line 1"),
        (b'["a"]', "j.json", MalformedDocument, "JSON object"),
        (b'{"title": "no text"}', "j.json", MalformedDocument, "'text' string"),
        (b'{"text": "x", "date": "next tuesday"}', "j.json", MalformedDocument, "ISO 8601"),
        (b"just some words", "m.eml", MalformedDocument, "no e-mail headers"),
        (b"Subject: x\r\nDate: someday\r\n\r\nbody", "m.eml", MalformedDocument, "Date header"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    raw: bytes, name: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        read(raw, name)


def test_size_limit_is_a_setting() -> None:
    with pytest.raises(DocumentTooLarge, match="TEARLINE_MAX_DOCUMENT_BYTES"):
        read(b"x" * 101, limit=100)


def test_utf16_with_bom_is_read() -> None:
    assert read("Взрыв в Москве".encode("utf-16")).text == "Взрыв в Москве"
