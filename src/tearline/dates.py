"""Reading a date or time as a person types it, for the CLI's options and the desk's forms.

ISO 8601 (``2026-12-11``, ``2026-12-11T18:00+02:00``) is read exactly. Anything else is
read by ``dateparser`` (English; offline, it reaches no network): ``11 Dec``, ``11
December 2026``, ``in 5 days``, ``tomorrow 18:00``, ``next Friday``, ``yesterday``.

    >>> from datetime import UTC, datetime
    >>> now = datetime(2026, 12, 6, 13, 0, tzinfo=UTC)
    >>> read_when("tomorrow 18:00", reference=now).isoformat()
    '2026-12-07T18:00:00+00:00'
    >>> read_when("11 Dec", reference=now).isoformat()
    '2026-12-11T00:00:00+00:00'

The rules, the same everywhere:

* **Relative forms count from the reference** the caller states: the CLI and the desk
  pass *now* (the time the command runs or the form is sent), and say so in their help.
* **Times are UTC** unless the text gives an offset or a zone (``18:00 +02:00``,
  ``18:00 EST``); the result is always timezone-aware: ISO 8601 keeps the offset it
  was given, other forms are converted to UTC. A date without a time of
  day is 00:00 UTC that day; "in 5 days" keeps the reference's time of day.
* **A date without a year** (``11 Dec``, a bare weekday) is, with ``prefer="nearest"``,
  the one nearest the reference, before or after it (on 6 Dec, "3 Dec" is three days ago
  and "2 Jan" is next month); ``"past"`` takes the latest one not after the reference (a
  report's own date), ``"future"`` the first one not before it.
* **Numbers separated by "/", "." or "-"** are read day first or month first only when
  the numbers decide it: ``13/04/2026`` and ``04/13/2026`` are both 13 April; ``03/04``
  could be 3 April or 4 March and is refused, as is a number alone (``12``, ``2026``).
* A month, a year or a week alone ("Dec 2026", "next week") is refused: a correction
  needs a day.

Every refusal is an :class:`~tearline.errors.InputError` that says what to type instead.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal

from tearline.errors import InputError

Prefer = Literal["nearest", "past", "future"]

EXAMPLES = "2026-12-11, '11 Dec', 'tomorrow 18:00' or 'in 5 days'"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_NUMBER = re.compile(r"\d+")
_ISO_START = re.compile(r"\d{4}-\d{2}")
# 03/04, 13.04.2026, 04-13-26, each maybe followed by a time: not ISO (which starts with
# a four-digit year and is read before this).
_NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?(?![\d/.-])(.*)", re.DOTALL)
_VAGUE = {"month": "a month", "year": "a year", "week": "a week"}


def read_when(
    text: str, *, reference: datetime, prefer: Prefer = "nearest", what: str = "date"
) -> datetime:
    """The moment ``text`` names, timezone-aware; ``InputError`` if it names none.

    ``reference`` (timezone-aware) is what relative forms count from; ``what`` names the
    field in the error message ("--date", "start").
    """
    if reference.tzinfo is None:
        raise ValueError("read_when needs a timezone-aware reference time")
    typed = text.strip()
    if not typed:
        raise InputError(f"{what}: give a date, e.g. {EXAMPLES}")
    if _ISO_START.match(typed):
        return read_iso(typed, what=what)
    if _NUMBER.fullmatch(typed):
        raise InputError(
            f"{what}: a number alone ({typed!r}) is not a date; try 2026-12-11 or '11 Dec'"
        )
    words = _unambiguous(typed, reference, what)
    found = _parse(words, reference, prefer, what)
    if found is None:
        raise InputError(f"{what}: could not read {typed!r} as a date; try {EXAMPLES}")
    return found


def read_iso(text: str, *, what: str = "date") -> datetime:
    """ISO 8601 only, for dates that machines write (JSON lines, the API's facts): a
    relative form there would count from whenever the batch happens to run."""
    try:
        exact = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{what}: {text!r} is not an ISO 8601 date such as 2024-03-06") from None
    return exact if exact.tzinfo else exact.replace(tzinfo=UTC)


def _unambiguous(typed: str, reference: datetime, what: str) -> str:
    """``13/04/2026`` as ``13 Apr 2026``; refuses ``03/04``, which could be either."""
    m = _NUMERIC.fullmatch(typed)
    if m is None:
        return typed
    a, b = int(m[1]), int(m[2])
    year = f"20{m[3]}" if m[3] and len(m[3]) == 2 else m[3] or ""
    if 1 <= a <= 12 and 1 <= b <= 12 and a != b:
        iso = f"{year or reference.year}-{b:02}-{a:02}"
        raise InputError(
            f"{what}: {typed!r} could be {a} {MONTHS[b - 1]} or {b} {MONTHS[a - 1]}; "
            f"write the month as a word ('{a} {MONTHS[b - 1]}') or use ISO ({iso})"
        )
    day, month = (a, b) if b <= 12 else (b, a)
    if not 1 <= month <= 12 or day < 1:
        raise InputError(f"{what}: could not read {typed!r} as a date; try {EXAMPLES}")
    return f"{day} {MONTHS[month - 1]} {year}{m[4]}".strip()


def _parse(words: str, reference: datetime, prefer: Prefer, what: str) -> datetime | None:
    if prefer != "nearest":
        return _dateparser(words, reference, prefer, what)
    before = _dateparser(words, reference, "past", what)
    after = _dateparser(words, reference, "future", what)
    if before is None or after is None:
        return before or after
    return before if reference - before < after - reference else after


def _dateparser(words: str, reference: datetime, prefer: str, what: str) -> datetime | None:
    # Imported here: commands given ISO dates (and every command that takes none) do not
    # pay for loading it.
    from dateparser.date import DateDataParser

    settings: dict[str, Any] = {
        "PREFER_DATES_FROM": prefer,
        "RELATIVE_BASE": reference.astimezone(UTC).replace(tzinfo=None),
        "TIMEZONE": "UTC",
        "TO_TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "DATE_ORDER": "DMY",  # only words reach it; numeric forms were settled above
        "PARSERS": ["relative-time", "absolute-time", "custom-formats"],
    }
    data = DateDataParser(languages=["en"], settings=settings).get_date_data(words)
    if data.date_obj is None:
        return None
    if data.period in _VAGUE:
        raise InputError(
            f"{what}: {words!r} names {_VAGUE[data.period]}, not a day;"
            " give the day, e.g. '11 Dec 2026'"
        )
    found: datetime = data.date_obj
    return found.astimezone(UTC)
