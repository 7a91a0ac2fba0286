"""Which of a partner's handling statements are releasability markings.

A STIX statement marking or a CAP ``<restriction>`` may say "REL TO USA, GBR" or "NATO"
(a releasability marking: kept in ``Document.markings``, and an item whose marking cannot
be read is refused when it is stored) or something else entirely, such as "Copyright 2024
Example Corp" or "for official use only" (not a marking: kept in the item's text, so
nothing a partner said about handling is lost).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tearline.errors import InputError
from tearline.markings import parse_markings

_REL_TO = re.compile(r"^\s*REL(?:EASABLE)?\s+TO\b", re.IGNORECASE)


def split_statements(statements: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(releasability markings, other handling statements), each in the order given."""
    markings: list[str] = []
    other: list[str] = []
    for statement in statements:
        text = statement.strip()
        if not text:
            continue
        if _REL_TO.match(text):
            markings.append(text)  # even one that cannot be read: it must not be dropped
            continue
        try:
            parse_markings([text])
        except InputError:
            other.append(text)
        else:
            markings.append(text)
    return tuple(dict.fromkeys(markings)), tuple(dict.fromkeys(other))
