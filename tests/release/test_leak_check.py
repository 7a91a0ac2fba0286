"""No protected term leaves, however it is disguised; a refusal names the term and artifact."""

from __future__ import annotations

import base64

import pytest

from tearline.errors import LeakDetected
from tearline.release import ProtectedTerm, ensure_no_leak, find_leaks

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
    assert "KESTREL LANTERN" in str(info.value)
    assert (info.value.term_id, info.value.artifact) == ("PT-1", "WRN-3 text")
