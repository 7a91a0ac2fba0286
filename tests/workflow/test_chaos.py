"""Chaos at a small size: 2 workers, 2,000 webhook deliveries on a private PostgreSQL
cluster restarted once, two workers SIGKILLed and restarted by a supervisor — nothing lost,
no more sent twice than was in flight at the kills, every worker alive at the end.

It runs bench/chaos.py (the full-size run is the same script with its defaults). The
cluster is made with initdb; where it cannot be, the test is skipped with the reason —
and fails instead under TEARLINE_REQUIRE_POSTGRES=1 (CI), so it never goes unrun there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHAOS = Path(__file__).resolve().parents[2] / "bench" / "chaos.py"
SMALL = ("--workers", "2", "--kills", "2", "--restarts", "1", "--seed", "7")
CLUSTER_FAILED = 3  # bench/chaos.py's exit status when it could not make its cluster


def test_workers_lose_nothing_through_kills_and_a_database_restart() -> None:
    done = subprocess.run(
        [sys.executable, str(CHAOS), "2000", *SMALL, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == CLUSTER_FAILED:
        reason = f"no private PostgreSQL cluster: {done.stderr.strip()[-1500:]}"
        if os.environ.get("TEARLINE_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        # Deliberate: without initdb (no Debian postgresql) a developer skips; CI sets
        # TEARLINE_REQUIRE_POSTGRES=1, so there a missing cluster fails above instead.
        pytest.skip(reason)
    assert done.stdout.strip(), done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(result["kills"]) == 2, done.stderr[-3000:]
    assert len(result["restarts"]) == 1
    assert result["lost"] == 0
    assert result["received_unique"] == 2000
    assert result["not_delivered"] == {}  # the database says delivered for every one
    assert result["duplicates"] <= result["in_flight"]
    assert result["in_flight"] <= 2 * 64  # at most a worker's concurrency per kill
    assert result["alive_at_end"] is True
    assert result["worker_restarts"] >= 2  # the supervisor restarted the killed ones
    assert result["clean_exits"] is True  # and each drained and exited 0 on SIGTERM
    assert result["ok"] is True
    assert done.returncode == 0
