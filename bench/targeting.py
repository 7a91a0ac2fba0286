"""Targeting: who is within r km of a threat during its window — the H3 index against peers.

One million people, each with a home and up to three itinerary stops (about 2.5 million
points, most around twenty cities), a 48-hour window, a 25 km (city) and a 2 km (venue)
radius around points in the busiest city. Three methods answer the same queries:

- ours: ``deliver.targeting.LocationIndex`` (H3 cells, sphere test, WGS 84 at the edge);
- brute force: numpy haversine over every point (the sphere: it differs at the edge);
- PostGIS: ``ST_DWithin`` on geography with a GiST index, when a database with the
  extension is reachable (``TEARLINE_BENCH_POSTGIS_URL``; skipped otherwise).

The truth is the WGS 84 geodesic to every point (GeographicLib through pyproj); every
method's set of people is compared with it and the differences printed.

    python bench/targeting.py [PEOPLE] [QUERIES]
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from tearline.deliver.targeting import LocationIndex, brute_force

T_MIN, T_MAX = np.iinfo(np.int64).min, np.iinfo(np.int64).max
START = datetime(2024, 3, 20, tzinfo=UTC)
END = START + timedelta(hours=48)
CITIES = np.array(
    [
        (55.7558, 37.6173),  # Moscow: the busiest
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
        (71.2906, -156.7886),  # Utqiagvik: near the pole's edge
        (-54.8019, -68.3030),
        (21.3069, -157.8583),  # Honolulu: near the antimeridian
        (-17.7134, 178.0650),
    ]
)
WEIGHTS = np.array([2.0] + [1.0] * 19)


def people(n: int, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)

    def around(k: int) -> tuple[np.ndarray, np.ndarray]:
        city = rng.choice(len(CITIES), size=k, p=WEIGHTS / WEIGHTS.sum())
        spread = rng.uniform(0.05, 0.6, size=k)  # degrees: dense centres, wide suburbs
        lat = np.clip(CITIES[city, 0] + rng.normal(0, 1, k) * spread, -89.9, 89.9)
        lon = CITIES[city, 1] + rng.normal(0, 1, k) * spread / np.cos(np.radians(lat))
        return lat, (lon + 180.0) % 360.0 - 180.0

    owners, lats, lons, t0, t1 = [np.arange(n)], [], [], [np.full(n, T_MIN)], [np.full(n, T_MAX)]
    lat, lon = around(n)
    lats.append(lat)
    lons.append(lon)
    stops = rng.integers(0, 4, size=n)
    base = int(START.timestamp())
    for k in (1, 2, 3):
        who = np.flatnonzero(stops >= k)
        lat, lon = around(len(who))
        begin = base + rng.integers(-20 * 86400, 20 * 86400, size=len(who))
        owners.append(who)
        lats.append(lat)
        lons.append(lon)
        t0.append(begin)
        t1.append(begin + rng.integers(3600, 6 * 86400, size=len(who)))
    return {
        "owner": np.concatenate(owners),
        "lat": np.concatenate(lats),
        "lon": np.concatenate(lons),
        "t0": np.concatenate(t0),
        "t1": np.concatenate(t1),
    }


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, set[int]]:
    """Median milliseconds of ``fn`` (which returns owner IDs), and its answer as a set."""
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, {int(x) for x in result}


def haversine(data: dict[str, np.ndarray], lat: float, lon: float, r: float) -> np.ndarray:
    when = (data["t0"] <= int(END.timestamp())) & (data["t1"] >= int(START.timestamp()))
    p1, p2 = np.radians(lat), np.radians(data["lat"][when])
    dp, dl = p2 - p1, np.radians(data["lon"][when] - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    km = 2 * 6371.0088 * np.arcsin(np.sqrt(a))
    return np.unique(data["owner"][when][km <= r])


class PostGIS:
    def __init__(self, url: str, data: dict[str, np.ndarray]) -> None:
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        cur = self.conn.cursor()
        cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        cur.execute("DROP TABLE IF EXISTS bench_points")
        cur.execute(
            "CREATE UNLOGGED TABLE bench_points (owner int, t0 bigint, t1 bigint, geog geography)"
        )
        buf = io.StringIO()
        for o, la, lo, a, b in zip(
            data["owner"].tolist(),
            data["lat"].tolist(),
            data["lon"].tolist(),
            data["t0"].tolist(),
            data["t1"].tolist(),
            strict=True,
        ):
            buf.write(f"{o}\t{a}\t{b}\tSRID=4326;POINT({lo!r} {la!r})\n")
        t = time.perf_counter()
        with cur.copy("COPY bench_points (owner, t0, t1, geog) FROM STDIN") as copy:
            copy.write(buf.getvalue())
        cur.execute("CREATE INDEX ON bench_points USING gist (geog)")
        cur.execute("CLUSTER bench_points USING bench_points_geog_idx")
        cur.execute("ANALYZE bench_points")
        print(f"PostGIS load, GiST index and CLUSTER: {time.perf_counter() - t:.1f} s")

    def query(self, lat: float, lon: float, r: float) -> list[int]:
        rows = self.conn.execute(
            "SELECT DISTINCT owner FROM bench_points WHERE t0 <= %s AND t1 >= %s AND "
            "ST_DWithin(geog, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, %s)",
            (int(END.timestamp()), int(START.timestamp()), lon, lat, r * 1000.0),
        ).fetchall()
        return [o for (o,) in rows]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 21
    data = people(n)
    print(f"people: {n:,}; points (homes and stops): {len(data['owner']):,}")
    t = time.perf_counter()
    index = LocationIndex(
        data["owner"], data["lat"], data["lon"], starts=data["t0"], ends=data["t1"]
    )
    print(f"H3 index build: {time.perf_counter() - t:.1f} s")
    postgis = None
    url = os.environ.get(
        "TEARLINE_BENCH_POSTGIS_URL", "postgresql://tearline:tearline@127.0.0.1:5432/tearline_bench"
    )
    try:
        postgis = PostGIS(url, data)
    except Exception as exc:  # any failure only removes the peer
        print(f"PostGIS peer skipped: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    queries = [
        ("Moscow centre", 55.7558, 37.6173),
        ("Moscow north-west (Crocus City Hall)", 55.8253, 37.3886),
        ("Honolulu (antimeridian side)", 21.3069, -157.8583),
    ]
    for name, lat, lon in queries:
        for r in (25.0, 2.0):
            truth = brute_force(
                data["owner"],
                data["lat"],
                data["lon"],
                data["t0"],
                data["t1"],
                (lat, lon),
                r,
                START,
                END,
            )
            ours_ms, ours = timed(
                lambda a=lat, b=lon, c=r: index.within(a, b, c, START, END).owners, repeat
            )
            brute_ms, brute = timed(
                lambda a=lat, b=lon, c=r: haversine(data, a, b, c), max(3, repeat // 4)
            )
            line = (
                f"{name}, {r:g} km: {len(truth):,} people | ours {ours_ms:.2f} ms "
                f"(same as geodesic: {ours == truth}) | numpy haversine {brute_ms:.1f} ms "
                f"(differs in {len(brute ^ truth)}) | ratio {brute_ms / ours_ms:.1f}x"
            )
            if postgis is not None:
                pg_ms, pg = timed(
                    lambda a=lat, b=lon, c=r: postgis.query(a, b, c), max(3, repeat // 4)
                )
                line += (
                    f" | PostGIS {pg_ms:.1f} ms (same as geodesic: {pg == truth}, "
                    f"same as ours: {pg == ours}) | ratio {pg_ms / ours_ms:.1f}x"
                )
            print(line)


if __name__ == "__main__":
    main()
