"""What the delivery benches share: a free loopback port, waiting for a server to listen,
and the counts of the demo's fast receiver (``python -m tearline.demo.receiver PORT``).

The bench scripts import it as ``_loopback`` (Python puts a script's own folder first on
its path), so each script still runs as ``python bench/NAME.py``.
"""

from __future__ import annotations

import json
import socket
import time
from urllib.request import Request, urlopen


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, seconds: float = 20.0) -> None:
    """Until something accepts connections on ``port`` (a hang guard, not a timing)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing listens on {port}") from None
            time.sleep(0.05)


def receiver_stats(port: int) -> dict[str, int]:
    """The fast receiver's counts: {"posts": n, "unique": n, "duplicates": n}."""
    with urlopen(f"http://127.0.0.1:{port}/stats", timeout=30) as r:
        data: dict[str, int] = json.loads(r.read())
        return data


def reset_receiver(port: int) -> None:
    urlopen(Request(f"http://127.0.0.1:{port}/reset", method="POST"), timeout=30).close()
