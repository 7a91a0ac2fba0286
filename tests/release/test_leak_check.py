"""No protected term leaves, however it is disguised; a refusal names the term and artifact."""

from __future__ import annotations

import base64
from email.message import EmailMessage
from pathlib import Path

import pytest

from tearline.errors import LeakDetected
from tearline.model import Tier
from tearline.release import ProtectedTerm, ensure_no_leak, find_leaks
from tests.release.support import released

TERMS = [
    ProtectedTerm("PT-1", "code_word", term="KESTREL LANTERN"),
    ProtectedTerm("PT-2", "collection_method", term="Telegram"),
]


@pytest.mark.parametrize(
    "artifact",
    [
        "Reporting from kestrel lantern indicates",
        "KESTREL-LANTERN",
        "K E S T R E L L A N T E R N",
        "KES\u200bTREL LAN\u2060TERN",  # zero-width characters
        "ＫＥＳＴＲＥＬ ＬＡＮＴＥＲＮ",  # full-width forms (NFKC)
        "KЕSTRЕL LАNTЕRN",  # Cyrillic look-alikes
        "KESTREL&#32;LANTERN",  # an HTML entity
        '{"x": "KESTREL\\u0020LANTERN"}',  # a JSON escape
        'not json: "KESTREL\\u004cANTERN"',  # an escape outside valid JSON
        "via telegrams",
    ],
)
def test_disguised_terms_are_found(artifact: str) -> None:
    assert find_leaks({"text": artifact}, TERMS), artifact


def test_term_inside_a_jws_payload_is_found() -> None:
    payload = base64.urlsafe_b64encode(b'{"text":"KESTREL LANTERN"}').rstrip(b"=").decode()
    token = f"eyJhbGciOiJFZDI1NTE5In0.{payload}.c2ln"
    leaks = find_leaks({"WRN-1 JWS": token}, TERMS)
    assert [leak.term.id for leak in leaks] == ["PT-1"]


@pytest.mark.parametrize(
    ("artifact", "builtin"),
    [
        ("(S//NF) ISIS-K plans", "builtin:classification"),
        ("TOP SECRET warning", "builtin:classification"),
        ("per LR-2024-0306-117", "builtin:report-serial"),
        ("intercepted calls show", "builtin:collection-vocabulary"),
        ("a source with direct access", "builtin:collection-vocabulary"),
        ("HUMINT reporting", "builtin:collection-vocabulary"),
    ],
)
def test_builtin_patterns(artifact: str, builtin: str) -> None:
    assert builtin in {leak.term.id for leak in find_leaks({"t": artifact}, [])}


def test_clean_warning_passes() -> None:
    text = (
        "Extremists have imminent plans to target large gatherings in Moscow, Russia. "
        "Valid until 13 March 2024 23:59 UTC. Reference: WRN-2."
    )
    assert find_leaks({"t": text}, TERMS) == []


def test_refusal_names_term_and_artifact() -> None:
    with pytest.raises(LeakDetected) as info:
        ensure_no_leak({"WRN-3 text": "told by Kestrel Lantern"}, TERMS)
    assert "WRN-3 text" in str(info.value)
    assert "code word PT-" in str(info.value)  # the term by its id, never its text
    assert "KESTREL" not in str(info.value)
    assert (info.value.term_id, info.value.artifact) == ("PT-1", "WRN-3 text")


def _email(body: str, cte: str, subtype: str = "plain") -> str:
    msg = EmailMessage()
    msg["Subject"] = "Warning"
    msg.set_content(body, subtype=subtype, charset="utf-8", cte=cte)
    return msg.as_string()


@pytest.mark.parametrize("cte", ["base64", "quoted-printable"])
def test_terms_inside_encoded_email_parts_are_found(cte: str) -> None:
    artifact = _email("Москва — наш источник KESTREL\u00a0LANTERN сообщает", cte)
    assert "KESTREL LANTERN" not in artifact  # hidden by the transfer encoding
    assert [leak.term.id for leak in find_leaks({"WRN-1 email": artifact}, TERMS)] == ["PT-1"]


def test_terms_in_an_encoded_subject_and_an_attachment_are_found() -> None:
    msg = EmailMessage()
    msg["Subject"] = "Предупреждение: Kestrel Lantern"
    msg.set_content("clean text")
    msg.add_attachment(b"<alert>via Telegram</alert>", "application", "cap+xml", filename="a.xml")
    found = {leak.term.id for leak in find_leaks({"email": msg.as_string()}, TERMS)}
    assert found == {"PT-1", "PT-2"}


@pytest.mark.parametrize(
    "artifact",
    [
        "<description>KESTREL&#x20;LANTERN</description>",  # an XML character reference
        "<p>KES<b></b>TREL LAN<span>TERN</span></p>",  # split by markup
        "https://example.org/?q=KESTREL%20LANTERN",  # percent-encoding
        "<![CDATA[kestrel lantern]]>",
    ],
)
def test_terms_hidden_by_markup_or_escapes_are_found(artifact: str) -> None:
    assert find_leaks({"cap": artifact}, TERMS), artifact


def test_a_protected_place_is_protected_in_every_language() -> None:
    terms = [ProtectedTerm("PT-9", "marked_span", term="Krasnogorsk")]
    for translated in ("Место: Красногорск, Россия", "المكان: كراسنوغورسك", "مکان: کراسنوگورسک"):
        assert [leak.term.id for leak in find_leaks({"t": translated}, terms)] == ["PT-9"]
    assert find_leaks({"t": "Место: Москва, Россия"}, terms) == []


def test_clean_released_artifacts_pass(tmp_path: Path) -> None:
    _, artifacts, _ = released(tmp_path, Tier.ADVERSARY, "ru")
    assert find_leaks(artifacts, TERMS) == []
