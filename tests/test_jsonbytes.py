"""JSON written by orjson, byte for byte as the standard library writes it (``jsonbytes``):
the desk's lists and a webhook's body."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from tearline.jsonbytes import TINY_FLOAT, json_bytes, tiny_float


def test_written_as_the_standard_library_writes_it() -> None:
    """The lists' JSON comes from orjson, byte for byte what ``json.dumps`` wrote before:
    where the two would differ (a float under 1e-4, an integer past 64 bits, a key that
    is not a string) the standard library writes it."""
    for content in (
        [{"hours_left": 159.0, "to_window": -9.0, "n": 0, "x": None, "ok": True}],
        {"details": {"score": 1e-05, "tiny": -2.5e-09, "small": 0.00012}},
        [0.0, -0.0, 0.1, 1e16, 1e300, 2**63, -(2**63)],
        {"big": 2**70},
        {1: "an integer key"},
        ["é — \u2028 \x1f \x7f", "e-1 .0000 :1e-5", "THR-1"],
    ):
        expected = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        assert json_bytes(content) == expected.encode()


# The bytes that matter around a tiny float: digits, points, the marks, and what may
# stand before a number, among others.
_AROUND = st.binary(min_size=0, max_size=40).map(
    lambda b: bytes(b'0123456789.e-[:," x'[c % 19] for c in b)
)


@given(_AROUND)
def test_tiny_float_finds_what_its_pattern_finds(body: bytes) -> None:
    assert tiny_float(body) == bool(TINY_FLOAT.search(body))


def test_tiny_float_in_a_long_body() -> None:
    """Found past a JWS's "e-" and a text's "e-mail", and only where a number starts."""
    jws = b"eyJhbGciOiJFZERTQSJ9.e-x0-" * 400
    quiet = b'{"jws":"' + jws + b'","text":"re-send the e-mail at 10.0000","n":[1.5,0.5]}'
    assert not tiny_float(quiet)
    assert tiny_float(quiet[:-1] + b",1e-05]}")
    assert tiny_float(quiet[:-1] + b",-0.00001]}")
    assert json_bytes({"jws": jws.decode(), "x": 1e-05}) == b'{"jws":"%s","x":1e-05}' % jws
