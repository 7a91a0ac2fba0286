"""The overview map's people by H3 cell: one aggregated query against reading every home.

A registry of PEOPLE (default 100,000) homes around twenty cities is stored in a fresh
SQLite database (or ``TEARLINE_BENCH_DATABASE_URL``: a PostgreSQL one). Two methods count
them by H3 cell at the map's resolution, with how many live within a case's 25 km area:

- ours: ``workflow.overview_map.people_cells`` (the parent cell computed in SQL, one
  GROUP BY);
- peer: every home read into Python, its parent cell taken with h3, the distance tested
  there (what a map would do without the aggregated query).

Both must give the same counts; the ratio of their times is printed.

    python bench/overview_map.py [PEOPLE]
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from h3.api import basic_int as h3i
from sqlalchemy import select

from tearline import workflow as wf
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.workflow import overview_map as om

CITIES = [
    (55.7558, 37.6173),
    (59.9343, 30.3351),
    (51.5074, -0.1278),
    (48.8566, 2.3522),
    (40.7128, -74.0060),
    (35.6762, 139.6503),
    (-33.8688, 151.2093),
    (19.4326, -99.1332),
    (28.6139, 77.2090),
    (-23.5505, -46.6333),
    (30.0444, 31.2357),
    (6.5244, 3.3792),
    (41.0082, 28.9784),
    (1.3521, 103.8198),
    (64.1466, -21.9426),
    (-41.2865, 174.7762),
    (52.5200, 13.4050),
    (50.4501, 30.5234),
    (39.9042, 116.4074),
    (34.0522, -118.2437),
]
AREAS = [(55.7558, 37.6173, 25.0), (48.8566, 2.3522, 25.0)]
RES = 5


def register(app: wf.App, people: int) -> None:
    rng = np.random.default_rng(7)
    chunk = 10_000
    for start in range(0, people, chunk):
        rows = []
        for i in range(start, min(people, start + chunk)):
            lat, lon = CITIES[int(rng.integers(len(CITIES)))]
            rows.append(
                {
                    "name": f"Person {i}",
                    "kind": "person",
                    "tier": "public",
                    "language": "en",
                    "contacts": [{"channel": "sms", "address": f"+4470{i:08d}"}],
                    "home": {
                        "lat": float(lat + rng.normal(0, 0.3)),
                        "lon": float(lon + rng.normal(0, 0.4)),
                    },
                }
            )
        wf.import_recipients(app, json.dumps(rows).encode(), "json", actor="bench")


def peer(app: wf.App) -> dict[int, tuple[int, int]]:
    """Every home read into Python and counted there."""
    loc = t.RecipientLocation
    people: dict[int, set[int]] = defaultdict(set)
    within: dict[int, set[int]] = defaultdict(set)
    with app.read() as s:
        rows = s.execute(
            select(loc.recipient_id, loc.lat, loc.lon, loc.cell).where(loc.kind == "home")
        )
        for rid, lat, lon, cell in rows:
            parent = h3i.cell_to_parent(cell, RES)
            people[parent].add(rid)
            for a, b, r in AREAS:
                dy = (lat - a) * 111.195
                dx = (lon - b) * 111.195 * math.cos(math.radians(a))
                if dx * dx + dy * dy <= r * r:
                    within[parent].add(rid)
                    break
    return {c: (len(p), len(within[c])) for c, p in people.items()}


def ours(app: wf.App) -> dict[int, tuple[int, int]]:
    return {c.cell: (c.people, c.concerned) for c in om.people_cells(app, RES, AREAS)}


def timed(fn: object, app: wf.App, runs: int = 5) -> tuple[float, dict[int, tuple[int, int]]]:
    times, result = [], {}
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn(app)  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as home:
        overrides = {"home": str(Path(home) / "home"), "sender": "Bench agency"}
        if url := os.environ.get("TEARLINE_BENCH_DATABASE_URL"):
            overrides["database_url"] = url
        app = wf.App(load_settings(overrides, environ={}))
        t0 = time.perf_counter()
        register(app, people)
        took, kind = time.perf_counter() - t0, app.db.url.split(":")[0]
        print(f"{people} people registered in {took:.1f} s ({kind})")
        ours_s, got = timed(ours, app)
        peer_s, want = timed(peer, app)
        assert got == want, "the two methods disagree"
        inside = sum(w for _, w in got.values())
        print(f"cells at resolution {RES}: {len(got)}; within a case area: {inside}")
        print(f"ours (one GROUP BY): {ours_s * 1000:.1f} ms")
        print(f"peer (every home read into Python): {peer_s * 1000:.1f} ms")
        print(f"ratio peer/ours: {peer_s / ours_s:.1f}x")
        app.close()


if __name__ == "__main__":
    main()
