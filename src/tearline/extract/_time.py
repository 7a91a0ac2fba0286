"""Time expressions, resolved against the document date in either direction.

A threat looks forward, an incident back: "on Friday" in a threat is the next Friday,
in an incident the last one. Windows are half-open [start, end) in the document date's
time zone. Conventions (documented in docs/extract-json.md):

- a calendar day -> precision day, [00:00, next 00:00)
- "in N days", "in N weeks" -> precision day, the day N days (weeks) on
- "within N hours/days", "over the next N hours", an ultimatum ("gave them 48 hours to
  leave") -> window, [document date, +N)
- "within days", "in the coming days" -> vague, [document date, +7 days)
- "soon", "in the near future", "in the coming weeks" -> vague, +30 days
- "this weekend" -> window, Saturday 00:00 to Monday 00:00
- "last/next week", "this month", "in March 2024" -> window of that week or month
- a year or a decade ("in 1999", "the early 2000s") -> vague
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tearline.extract._casualties import number_value
from tearline.model import Span, TimePrecision

Resolved = tuple[datetime, datetime, TimePrecision]
Resolver = Callable[[datetime, bool], Resolved | None]  # (document date, future?) -> window

PAST, FUTURE = "past", "future"

_MONTH_NAMES = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
]  # fmt: skip
_MONTH_RE = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY_RE = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_PART = r"(?:\s+(?:morning|afternoon|evening|night))?"
_NUM = (
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty-four"
    r"|forty-eight|seventy-two|a few|few|several)"
)
_UNIT = r"(?:hours?|days?|weeks?|months?)"


@dataclass(frozen=True, slots=True)
class TimeMention:
    span: Span
    direction: str | None  # PAST, FUTURE, or None when the text says nothing
    resolve: Resolver


def _month(name: str) -> int:
    key = name.lower()[:3]
    return next(i + 1 for i, m in enumerate(_MONTH_NAMES) if m.startswith(key))


def _day(doc: datetime, y: int, m: int, d: int) -> Resolved | None:
    try:
        start = doc.replace(year=y, month=m, day=d, hour=0, minute=0, second=0, microsecond=0)
    except ValueError:
        return None  # "31 February"
    return start, start + timedelta(days=1), TimePrecision.DAY


def _midnight(doc: datetime) -> datetime:
    return doc.replace(hour=0, minute=0, second=0, microsecond=0)


def _year(text: str, doc: datetime) -> int:
    y = int(text.lstrip("'"))
    if y >= 100:
        return y
    return 2000 + y if 2000 + y <= doc.year + 10 else 1900 + y


def _calendar_date(day: int, month: int, year: str | None) -> Resolver:
    def resolve(doc: datetime, future: bool) -> Resolved | None:
        if year:
            return _day(doc, _year(year, doc), month, day)
        for y in (doc.year, doc.year + 1) if future else (doc.year, doc.year - 1):
            got = _day(doc, y, month, day)
            if got and (got[0] >= _midnight(doc) if future else got[0] <= doc):
                return got
        return None

    return resolve


def _offset_days(days: int) -> Resolver:
    def resolve(doc: datetime, future: bool) -> Resolved | None:
        start = _midnight(doc) + timedelta(days=days)
        return start, start + timedelta(days=1), TimePrecision.DAY

    return resolve


def _weekday(name: str, forced: str | None) -> Resolver:
    target = _WEEKDAYS.index(name.lower())

    def resolve(doc: datetime, future: bool) -> Resolved | None:
        future = forced == FUTURE if forced else future
        delta = (target - doc.weekday()) % 7 if future else -((doc.weekday() - target) % 7)
        if delta == 0:
            delta = 7 if future else -7  # "on Friday" said on a Friday means another week
        start = _midnight(doc) + timedelta(days=delta)
        return start, start + timedelta(days=1), TimePrecision.DAY

    return resolve


def _ahead(delta: timedelta, precision: TimePrecision) -> Resolver:
    def resolve(doc: datetime, future: bool) -> Resolved | None:
        return doc, doc + delta, precision

    return resolve


def _weekend(which: str) -> Resolver:
    def resolve(doc: datetime, future: bool) -> Resolved | None:
        saturday = _midnight(doc) + timedelta(days=(5 - doc.weekday()) % 7)
        if doc.weekday() == 6:
            saturday -= timedelta(days=7)  # on a Sunday "this weekend" is the current one
        if which == "last":
            saturday -= timedelta(days=7)
        elif which == "next" and doc.weekday() >= 5:
            saturday += timedelta(days=7)
        return saturday, saturday + timedelta(days=2), TimePrecision.WINDOW

    return resolve


def _week(offset: int) -> Resolver:
    def resolve(doc: datetime, future: bool) -> Resolved | None:
        monday = _midnight(doc) - timedelta(days=doc.weekday()) + timedelta(weeks=offset)
        return monday, monday + timedelta(days=7), TimePrecision.WINDOW

    return resolve


def _month_window(month: int | None, year: str | None, offset: int = 0) -> Resolver:
    def resolve(doc: datetime, future: bool) -> Resolved | None:
        m = doc.month if month is None else month
        y = _year(year, doc) if year else doc.year
        if month is not None and not year:
            if future and m < doc.month:
                y += 1
            elif not future and m > doc.month:
                y -= 1
        total = y * 12 + m - 1 + offset
        start = _midnight(doc).replace(year=total // 12, month=total % 12 + 1, day=1)
        nxt = total + 1
        end = start.replace(year=nxt // 12, month=nxt % 12 + 1)
        return start, end, TimePrecision.WINDOW

    return resolve


def _years(first: int, last: int) -> Resolver:
    def resolve(doc: datetime, future: bool) -> Resolved | None:
        start = _midnight(doc).replace(year=first, month=1, day=1)
        return start, start.replace(year=last + 1), TimePrecision.VAGUE

    return resolve


def _amount(text: str | None) -> int:
    if not text:
        return 0
    t = text.lower()
    if t in ("a few", "few", "several"):
        return 0  # vague: the caller picks a default window
    return number_value(t.replace("-", " ")) or 0


def _within(number: str | None, unit: str) -> Resolver:
    n, u = _amount(number), unit.lower().rstrip("s")
    if n == 0:
        defaults = {"hour": timedelta(hours=24), "day": timedelta(days=7)}
        return _ahead(defaults.get(u, timedelta(days=30)), TimePrecision.VAGUE)
    sizes = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
    return _ahead(sizes.get(u, timedelta(days=30)) * n, TimePrecision.WINDOW)


_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], "tuple[str | None, Resolver] | None"]]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(r"\b" + pattern + r"\b", re.IGNORECASE)


_Built = tuple[str | None, Resolver]


def _dmy(m: re.Match[str]) -> _Built:
    return None, _calendar_date(int(m["d"]), _month(m["m"]), m["y"])


def _iso(m: re.Match[str]) -> _Built:
    return None, _calendar_date(int(m["d"]), int(m["mo"]), m["y"])


def _ago(m: re.Match[str]) -> _Built | None:
    n = _amount(m["n"])
    days = n * (7 if m["u"].lower().startswith("week") else 1)
    return (PAST, _offset_days(-days)) if n else None


def _hence(m: re.Match[str]) -> _Built | None:
    n = _amount(m["n"])
    days = n * (7 if m["u"].lower().startswith("week") else 1)
    return (FUTURE, _offset_days(days)) if n else None


def _weekday_rule(m: re.Match[str]) -> _Built:
    which = (m["w"] or "").lower()
    forced = {"last": PAST, "next": FUTURE, "this coming": FUTURE, "coming": FUTURE}.get(which)
    return forced, _weekday(m["d"], forced)


def _weekend_rule(m: re.Match[str]) -> _Built:
    which = m["w"].lower()
    return (PAST if which == "last" else FUTURE), _weekend(which)


def _decade(m: re.Match[str]) -> _Built:
    y, part = int(m["y"]), (m["p"] or "").lower()
    parts = {"early": (y, y + 3), "mid": (y + 3, y + 6), "late": (y + 6, y + 9)}
    first, last = parts.get(part, (y, y + 9))
    return None, _years(first, last)


def _vague(days: float) -> Resolver:
    return _ahead(timedelta(days=days), TimePrecision.VAGUE)


_FIXED: dict[str, _Built] = {
    "today": (None, _offset_days(0)),
    "tonight": (None, _offset_days(0)),
    "yesterday": (PAST, _offset_days(-1)),
    "last night": (PAST, _offset_days(-1)),
    "tomorrow": (FUTURE, _offset_days(1)),
    "this week": (None, _week(0)),
    "last week": (PAST, _week(-1)),
    "earlier this week": (PAST, _week(0)),
    "next week": (FUTURE, _week(1)),
    "this month": (None, _month_window(None, None)),
    "last month": (PAST, _month_window(None, None, -1)),
    "next month": (FUTURE, _month_window(None, None, 1)),
    "soon": (FUTURE, _vague(30)),
    "in the near future": (FUTURE, _vague(30)),
    "in the coming days": (FUTURE, _vague(7)),
    "in the days ahead": (FUTURE, _vague(7)),
    "within days": (FUTURE, _vague(7)),
    "within hours": (FUTURE, _vague(1)),
    "within weeks": (FUTURE, _vague(30)),
    "in the coming weeks": (FUTURE, _vague(30)),
}
_FIXED_RE = "|".join(sorted((re.escape(k) for k in _FIXED), key=len, reverse=True))


def _fixed(m: re.Match[str]) -> _Built:
    key = " ".join(m.group(0).lower().split())
    if key.startswith("yesterday"):
        return _FIXED["yesterday"]
    return _FIXED.get(key, _FIXED["today"])  # "this morning", "this evening"


def _within_rule(m: re.Match[str]) -> _Built:
    return FUTURE, _within(m["n"], m["u"])


def _month_rule(m: re.Match[str]) -> _Built:
    return None, _month_window(_month(m["m"]), m["y"])


def _year_rule(m: re.Match[str]) -> _Built:
    return None, _years(int(m["y"]), int(m["y"]))


_NOT_A_YEAR = r"(?!\d|\s*(?:people|killed|dead|:))"  # "on 22 March 15 people were killed"
_RULES: list[_Rule] = [
    (_rx(r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"), _iso),
    (
        _rx(
            rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MONTH_RE})\.?"
            rf"(?:,?\s+(?P<y>\d{{4}}|'\d{{2}}|\d{{2}}{_NOT_A_YEAR}))?"
        ),
        _dmy,
    ),
    (
        _rx(
            rf"(?P<m>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{{4}}))?"
            r"(?!\s*(?:people|killed|dead|%|,\d))"
        ),
        _dmy,
    ),
    (_rx(rf"(?P<m>{_MONTH_RE})\s+(?P<y>(?:19|20)\d{{2}})"), _month_rule),
    (
        _rx(
            r"(?:within|over|in|during|for)\s+(?:the\s+)?(?:next|coming|following)\s+"
            rf"(?P<n>{_NUM})?\s*(?P<u>{_UNIT})"
        ),
        _within_rule,
    ),
    (_rx(rf"within\s+(?:the\s+next\s+)?(?P<n>{_NUM})\s+(?P<u>{_UNIT})"), _within_rule),
    # an ultimatum: "gave the journalists 48 hours to leave the country or be killed"
    (
        _rx(
            rf"(?:gave|give|gives|giving|given|granted)\s+(?:[^\s.;:,]+\s+){{0,6}}?"
            rf"(?P<n>{_NUM})\s+(?P<u>{_UNIT})\s+to\s+(?:leave|quit|get\s+out|abandon|pay|release"
            r"|free|resign|surrender|hand\s+over|stop|withdraw|close|evacuate)"
            # ... with the threat that makes it one ("or be killed"), not an expulsion
            r"(?=[^.;]*\bor\s+(?:else|be|face|risk|die|they\s+will|he\s+will|she\s+will)\b)"
        ),
        _within_rule,
    ),
    (_rx(rf"(?P<n>{_NUM})\s+(?P<u>days?|weeks?)\s+ago"), _ago),
    # "the attack is planned in five days", "in two weeks' time" (not "in two days of talks")
    (_rx(rf"in\s+(?P<n>{_NUM})\s+(?P<u>days?|weeks?)(?:'?\s+time)?(?!\s+of\b)"), _hence),
    (_rx(r"(?P<w>this|next|last|coming|this coming)\s+weekend"), _weekend_rule),
    (
        _rx(
            r"(?:(?P<w>last|next|this coming|coming|this|on|early|late)\s+)?"
            rf"(?P<d>{_WEEKDAY_RE}){_PART}"
        ),
        _weekday_rule,
    ),
    (
        _rx(r"(?:in|during|since|by|of)\s+(?P<y>(?:19|20)\d{2})(?!\s*(?:people|killed|dead))"),
        _year_rule,
    ),
    (_rx(r"(?:in\s+)?the\s+(?P<p>early|mid|late)?[\s-]*(?P<y>(?:19|20)\d0)s"), _decade),
    (_rx(rf"(?:yesterday{_PART}|this\s+(?:morning|afternoon|evening)|{_FIXED_RE})"), _fixed),
]
# Every rule needs one of these; a sentence without any is skipped (most are).
_ANY = re.compile(
    rf"\d|{_MONTH_RE}|{_WEEKDAY_RE}|today|tonight|yesterday|tomorrow|week|month|morning|evening"
    r"|afternoon|night|soon|future|coming|within|ahead|hours|days",
    re.IGNORECASE,
)


def find_times(text: str, start: int, end: int) -> list[TimeMention]:
    """Time expressions in text[start:end], longest first where they overlap."""
    found: list[TimeMention] = []
    if not _ANY.search(text, start, end):
        return found
    for pattern, build in _RULES:
        for m in pattern.finditer(text, start, end):
            got = build(m)
            if got is not None:
                span = Span(m.start(), m.end(), m.group(0))
                found.append(TimeMention(span, got[0], got[1]))
    found.sort(key=lambda t: (t.span.start, -t.span.end))
    out: list[TimeMention] = []
    reach = -1
    for t in found:
        if t.span.start >= reach:
            out.append(t)
            reach = t.span.end
    return out
