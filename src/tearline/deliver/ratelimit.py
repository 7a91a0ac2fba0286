"""A per-channel rate limit: a token bucket, so an SMS gateway's quota is never exceeded.

The outbox claims at most as many deliveries of a limited channel as the bucket holds,
so nothing is claimed that then waits past its lease.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from tearline.errors import ConfigError


class TokenBucket:
    """``rate`` sends per second on average, bursts up to ``burst`` (default: one second's)."""

    def __init__(
        self, rate: float, burst: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = max(1.0, burst if burst is not None else rate)
        self._clock = clock
        self._tokens = self.burst
        self._at = clock()

    def available(self) -> int:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        return int(self._tokens)

    def take(self, n: int) -> None:
        self._tokens -= n


def parse_rate_limits(text: str) -> dict[str, float]:
    """``"sms=5, email=50"`` → {"sms": 5.0, "email": 50.0} (sends per second)."""
    limits: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        try:
            rate = float(value)
        except ValueError:
            rate = -1.0
        if not sep or not name.strip() or rate <= 0:
            raise ConfigError(
                f"delivery_rate_limits: {part!r} must look like CHANNEL=SENDS_PER_SECOND"
            )
        limits[name.strip()] = rate
    return limits
