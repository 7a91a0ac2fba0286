"""Public identifiers such as ``THR-3``: a type prefix and the row number.

The prefix tells ``tearline show`` what kind of record is meant, and a mistyped ID fails
with a message listing the prefixes instead of silently finding the wrong record.
"""

from __future__ import annotations

import re
from enum import StrEnum

from tearline.errors import NotFound


class Kind(StrEnum):
    REPORT = "RPT"
    THREAT = "THR"
    EVENT = "EVT"
    DETERMINATION = "DET"
    RELEASE = "REL"
    WARNING = "WRN"
    DELIVERY = "DLV"
    RESPONSE = "RSP"
    ESCALATION = "ESC"
    RECIPIENT = "RCP"
    SOURCE = "SRC"


_PATTERN = re.compile(r"^\s*([A-Za-z]{3})-?(\d{1,18})\s*$")


def format_id(kind: Kind, number: int) -> str:
    # ``_value_``, not ``value``: the same string, without the enum property's cost (a
    # desk list formats several IDs per row).
    return f"{kind._value_}-{number}"


def parse_id(text: str, *expected: Kind) -> tuple[Kind, int]:
    """Parse ``THR-3`` (or ``thr3``); restrict to ``expected`` kinds when given."""
    m = _PATTERN.match(text)
    kinds = expected or tuple(Kind)
    allowed = ", ".join(f"{k.value}-N" for k in kinds)
    if not m:
        raise NotFound(f"{text!r} is not an ID; expected one of {allowed}")
    try:
        kind = Kind(m.group(1).upper())
    except ValueError:
        raise NotFound(f"{text!r} has an unknown prefix; expected one of {allowed}") from None
    if kind not in kinds:
        raise NotFound(f"{text!r} is a {kind.name.lower()} ID; expected one of {allowed}")
    return kind, int(m.group(2))
