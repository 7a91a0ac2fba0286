"""The H3 location index returns exactly the people a WGS 84 geodesic search returns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from tearline.deliver.targeting import LocationIndex, brute_force, geodesic_km

T0 = datetime(2024, 3, 20, tzinfo=UTC)
BIG = np.iinfo(np.int64)


def population(
    seed: int, centres: list[tuple[float, float]], n: int = 4000
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    owners, lats, lons, t0, t1 = [], [], [], [], []
    for i in range(n):
        c = centres[i % len(centres)]
        for k in range(int(rng.integers(1, 5))):  # a home and up to three stops
            lat = float(np.clip(c[0] + rng.normal(0, 0.3), -89.999, 89.999))
            lon = float(
                (c[1] + rng.normal(0, 0.3) / max(np.cos(np.radians(lat)), 0.05) + 180) % 360 - 180
            )
            owners.append(i)
            lats.append(lat)
            lons.append(lon)
            if k == 0:
                t0.append(BIG.min)
                t1.append(BIG.max)
            else:
                start = int(T0.timestamp()) + int(rng.integers(-5, 5)) * 86400
                t0.append(start)
                t1.append(start + int(rng.integers(1, 72)) * 3600)
    return {
        k: np.asarray(v)
        for k, v in {"owner": owners, "lat": lats, "lon": lons, "t0": t0, "t1": t1}.items()
    }


@pytest.mark.parametrize(
    ("name", "centre"),
    [
        ("Moscow", (55.7558, 37.6173)),
        ("Quito, on the equator", (-0.1807, -78.4678)),
        ("Suva, across the antimeridian", (-18.1416, 179.99)),
        ("Longyearbyen, near the pole", (78.2232, 15.6267)),
        ("McMurdo", (-77.846, 166.676)),
    ],
)
def test_index_matches_the_geodesic_everywhere(name: str, centre: tuple[float, float]) -> None:
    data = population(hash(name) % 1000, [centre])
    index = LocationIndex(
        data["owner"], data["lat"], data["lon"], starts=data["t0"], ends=data["t1"]
    )
    rng = np.random.default_rng(3)
    for radius in (2.0, 5.0, 25.0, 60.0):
        for _ in range(3):
            lat = float(np.clip(centre[0] + rng.normal(0, 0.2), -89.9, 89.9))
            lon = float((centre[1] + rng.normal(0, 0.2) + 180) % 360 - 180)
            start, end = T0, T0 + timedelta(hours=48)
            hits = index.within(lat, lon, radius, start, end)
            truth = brute_force(
                data["owner"],
                data["lat"],
                data["lon"],
                data["t0"],
                data["t1"],
                (lat, lon),
                radius,
                start,
                end,
            )
            assert set(hits.owners.tolist()) == truth, (name, radius)
            assert len(hits.owners) == len(set(hits.owners.tolist()))  # one row per person
            if len(hits):
                assert float(hits.distance_km.max()) <= radius * 1.006


def test_edge_of_the_circle_is_decided_on_the_ellipsoid() -> None:
    # Points 25 km ± 20 m due north of Moscow: the sphere and the ellipsoid disagree here.
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    lats, lons, owners = [], [], []
    for i, metres in enumerate((24_980.0, 24_999.0, 25_001.0, 25_020.0)):
        lon, lat, _ = geod.fwd(37.6173, 55.7558, 0.0, metres)
        lons.append(lon)
        lats.append(lat)
        owners.append(i)
    index = LocationIndex(owners, lats, lons)
    hits = index.within(55.7558, 37.6173, 25.0, T0, T0 + timedelta(hours=1))
    assert sorted(hits.owners.tolist()) == [0, 1]
    km = geodesic_km(55.7558, 37.6173, np.array(lats), np.array(lons))
    assert km[1] < 25.0 < km[2]


def test_a_home_is_the_reason_before_a_stop_and_times_must_overlap() -> None:
    t = int(T0.timestamp())
    index = LocationIndex(
        [1, 1, 2, 3],
        [55.75, 55.76, 55.75, 55.75],
        [37.61, 37.62, 37.61, 37.61],
        starts=[None, T0, T0 - timedelta(days=3), T0 + timedelta(hours=50)],
        ends=[None, T0 + timedelta(hours=1), T0 - timedelta(days=2), T0 + timedelta(hours=60)],
        countries=["RU", "RU", "RU", "RU"],
    )
    hits = index.within(55.75, 37.61, 5, T0, T0 + timedelta(hours=48))
    assert hits.owners.tolist() == [1]  # 2 left before, 3 arrives after the window
    assert hits.locations.tolist() == [0]  # person 1's home, not the stop
    assert t > 0
    by_country = index.in_country("ru", T0, T0 + timedelta(hours=48))
    assert by_country.owners.tolist() == [1]


def test_an_empty_index_answers_nothing() -> None:
    index = LocationIndex([], [], [])
    assert len(index.within(0.0, 0.0, 25, T0, T0 + timedelta(hours=1))) == 0
