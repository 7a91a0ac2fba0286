"""The e-mail: multipart text + HTML in every language it was written in, right-to-left
where the language is, the signature attached — and `verify` notices any change to what
the recipient reads, but not the headers the mail channel rewrites."""

from __future__ import annotations

from email import message_from_string, policy
from email.message import EmailMessage
from pathlib import Path

import lxml.html
import pytest
from playwright.sync_api import sync_playwright

from tearline.errors import SignatureError
from tearline.model import Tier
from tearline.workflow.verification import verify_artifact
from tests.release.support import released
from tests.web.browser import ARGS, require_chromium


def message(text: str) -> EmailMessage:
    msg = message_from_string(text, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def parts(msg: EmailMessage) -> list[str]:
    return [p.get_content_type() for p in msg.walk()]


def html_part(msg: EmailMessage) -> str:
    part = msg.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def test_structure_and_headers(tmp_path: Path) -> None:
    _doc, artifacts, store = released(tmp_path, Tier.ADVERSARY, "ru")
    msg = message(artifacts["email"])
    assert parts(msg) == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "application/jose",
        "application/cap+xml",
    ]
    assert msg["Subject"] == "[TLP:AMBER] Предупреждение об угрозе жизни людей: Москва, Россия"
    assert msg["Content-Language"] == "ru, en"
    assert msg["X-Tearline-Reference"] == "WRN-1"
    names = [p.get_filename() for p in msg.iter_attachments()]
    assert names == ["WRN-1.jws", "WRN-1.cap.xml"]
    plain = msg.get_body(("plain",))
    assert plain is not None
    body = str(plain.get_content())
    assert body.startswith("Test agency располагает информацией об угрозе жизни людей")
    assert "—— English ——" in body
    assert store.signing_key().kid in body  # the note on how to check the signature
    assert verify_artifact(artifacts["email"], store.keyset()).form == "email"


def test_html_marks_each_language_and_direction(tmp_path: Path) -> None:
    _, artifacts, _ = released(tmp_path, Tier.PUBLIC, "ar")
    page = lxml.html.document_fromstring(html_part(message(artifacts["email"])))
    assert page.get("lang") == "ar"
    assert page.get("dir") == "rtl"
    sections = [(s.get("lang"), s.get("dir")) for s in page.iter("section")]
    assert sections == [("ar", "rtl"), ("en", "ltr")]
    items = [li.text_content() for li in page.iter("li")]
    assert "تجنبوا التجمعات الكبيرة والأماكن المزدحمة." in items


def test_the_channel_may_rewrite_headers_and_encoding(tmp_path: Path) -> None:
    _, artifacts, store = released(tmp_path, Tier.PARTNER, "fa")
    msg = message_from_string(artifacts["email"], policy=policy.SMTP)
    for header in ("To", "From", "Message-ID", "Date"):
        del msg[header]
    msg["To"] = "security@example.org"
    msg["From"] = "Warnings <warnings@agency.example>"
    msg["Message-ID"] = "<tl-1234@agency.example>"
    resent = msg.as_bytes().decode()
    assert verify_artifact(resent, store.keyset()).document["reference"] == "WRN-1"


def test_a_changed_text_part_fails(tmp_path: Path) -> None:
    _, artifacts, store = released(tmp_path, Tier.ADVERSARY, "en")
    msg = message(artifacts["email"])
    plain = msg.get_body(("plain",))
    assert plain is not None
    plain.set_content(str(plain.get_content()).replace("Moscow", "Kazan"), charset="utf-8")
    with pytest.raises(SignatureError, match="e-mail's text differs"):
        verify_artifact(msg.as_string(), store.keyset())


def test_a_changed_html_part_fails(tmp_path: Path) -> None:
    _, artifacts, store = released(tmp_path, Tier.ADVERSARY, "en")
    msg = message(artifacts["email"])
    part = msg.get_body(("html",))
    assert part is not None
    part.set_content(
        str(part.get_content()).replace("Crocus City Hall", "a stadium"), subtype="html"
    )
    with pytest.raises(SignatureError, match="HTML differs"):
        verify_artifact(msg.as_string(), store.keyset())


def test_without_its_signature_an_email_is_not_verified(tmp_path: Path) -> None:
    _, artifacts, store = released(tmp_path, Tier.ADVERSARY, "en")
    msg = message(artifacts["email"])
    msg.set_payload([p for p in msg.get_payload() if p.get_content_type() != "application/jose"])  # type: ignore[union-attr]
    with pytest.raises(SignatureError, match="exactly one signature"):
        verify_artifact(msg.as_string(), store.keyset())


@pytest.mark.slow
def test_right_to_left_renders_right_to_left_in_chromium(tmp_path: Path) -> None:
    chromium = require_chromium()
    _, artifacts, _ = released(tmp_path, Tier.ADVERSARY, "fa")
    page_file = tmp_path / "email.html"
    page_file.write_text(html_part(message(artifacts["email"])), encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1200})
            page.goto(page_file.as_uri())
            got = page.evaluate(
                """() => [...document.querySelectorAll('section')].map(s => {
                    const h = s.querySelector('h1'), r = document.createRange();
                    r.selectNodeContents(h);
                    const text = r.getBoundingClientRect(), box = s.getBoundingClientRect();
                    return {lang: s.lang, dir: getComputedStyle(s).direction,
                            gapLeft: text.left - box.left, gapRight: box.right - text.right};
                })"""
            )
        finally:
            browser.close()
    fa, en = got
    assert (fa["lang"], fa["dir"]) == ("fa", "rtl")
    assert (en["lang"], en["dir"]) == ("en", "ltr")
    # A short Persian heading hugs the right edge; the English one the left.
    assert fa["gapRight"] < 2 < fa["gapLeft"]
    assert en["gapLeft"] < 2 < en["gapRight"]
