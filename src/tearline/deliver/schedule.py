"""When to try a failed delivery again: exponential back-off with full jitter."""

from __future__ import annotations

import random
from datetime import timedelta

MAX_DELAY = timedelta(hours=1)


def retry_delay(attempt: int, base_seconds: float, rng: random.Random | None = None) -> timedelta:
    """Delay before attempt ``attempt + 1``: uniform in [base, base * 2**(attempt-1)], capped.

    Jitter spreads the retries of many deliveries that failed together (a receiver that
    was down) so they do not all come back at the same second.
    """
    ceiling = min(base_seconds * 2 ** max(0, attempt - 1), MAX_DELAY.total_seconds())
    r = rng or random.SystemRandom()
    return timedelta(seconds=r.uniform(min(base_seconds, ceiling), ceiling))
