"""IDs tell the kind of record; a wrong one says what was expected."""

import pytest

from tearline.errors import NotFound
from tearline.ids import Kind, format_id, parse_id


def test_round_trip_and_lenient_spelling() -> None:
    assert parse_id(format_id(Kind.THREAT, 3)) == (Kind.THREAT, 3)
    assert parse_id(" thr3 ") == (Kind.THREAT, 3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("THR-x", "not an ID"),
        ("ZZZ-1", "unknown prefix"),
        ("RPT-1", "report ID; expected one of THR-N"),
    ],
)
def test_bad_ids(text: str, message: str) -> None:
    with pytest.raises(NotFound, match=message):
        parse_id(text, Kind.THREAT)
