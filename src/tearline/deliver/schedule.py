"""When to try a failed delivery again: exponential back-off with full jitter, and no
sooner than the receiver asked (``Retry-After``)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

MAX_DELAY = timedelta(hours=1)

# The longest a receiver's Retry-After may hold a warning back. A duty-to-warn message
# must not be parked for a day because a partner's gateway said so; past this the
# configured back-off and the attempt limit decide, and the dead-letter alert follows.
RETRY_AFTER_MAX = timedelta(hours=1)


def retry_delay(attempt: int, base_seconds: float, rng: random.Random | None = None) -> timedelta:
    """Delay before attempt ``attempt + 1``: uniform in [base, base * 2**(attempt-1)], capped.

    Jitter spreads the retries of many deliveries that failed together (a receiver that
    was down) so they do not all come back at the same second.
    """
    ceiling = min(base_seconds * 2 ** max(0, attempt - 1), MAX_DELAY.total_seconds())
    r = rng or random.SystemRandom()
    return timedelta(seconds=r.uniform(min(base_seconds, ceiling), ceiling))


def next_delay(
    attempt: int,
    base_seconds: float,
    retry_after: timedelta | None = None,
    rng: random.Random | None = None,
) -> timedelta:
    """The back-off, or the receiver's ``Retry-After`` (capped) when that is longer."""
    delay = retry_delay(attempt, base_seconds, rng)
    if retry_after is None:
        return delay
    return max(delay, min(retry_after, RETRY_AFTER_MAX))


def parse_retry_after(value: str | None, date: str | None = None) -> timedelta | None:
    """A ``Retry-After`` header as a delay: delta-seconds, or an HTTP date.

    An HTTP date is taken relative to the response's own ``Date`` header when it has one,
    so that the receiver's clock and ours need not agree; otherwise relative to now.
    Anything unreadable is None (the back-off applies), a date in the past is zero.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=min(int(value), int(RETRY_AFTER_MAX.total_seconds())))
    try:
        when = parsedate_to_datetime(value)
        sent = parsedate_to_datetime(date) if date else datetime.now(UTC)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None or sent.tzinfo is None:
        return None  # HTTP dates are GMT; one without a zone is not one
    return max(timedelta(0), when - sent)
