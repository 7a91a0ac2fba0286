"""Partner intake at a day's scale: N items (CAP alerts, STIX bundles, Atom feeds; a tenth
repeats, a few bad) through ``tearline ingest``'s path, against the same files parsed by
the libraries alone.

Tearline reads each file (CAP: XXE-refused, schema-checked; STIX: each report through
``stix2``; Atom: ``feedparser``), extracts each item's events and stores each in its own
transaction, de-duplicated by the partner's id. The peer is the parsing alone, by the
same libraries (lxml with the CAP schema, ``stix2.parse``, ``feedparser.parse``), with no
extraction and no store: the floor under any intake. Printed: items per second for both,
the ratio, and the counts (stored, already held, refused), which must match what the
batch holds; exit status 1 when they do not.

    python bench/partner_intake.py [N] [--database-url URL]

Done-when figure (issue 22): ``python bench/partner_intake.py 1000`` on SQLite and with
``--database-url postgresql+psycopg://…`` on PostgreSQL.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import feedparser
import stix2
import stix2.exceptions
from lxml import etree

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.demo.partner_items import PartnerBatch, partner_batch
from tearline.settings import load_settings


def tearline_intake(batch: PartnerBatch, home: Path, database_url: str) -> wf.IntakeSummary:
    values = {"home": str(home), "sender": "Bench agency"}
    if database_url:
        values["database_url"] = database_url
    app = wf.App(
        load_settings(values, environ={}), clock=FixedClock(datetime(2024, 3, 6, tzinfo=UTC))
    )
    summary = wf.IntakeSummary()
    try:
        for name, raw in batch.files:
            summary.extend(wf.ingest_items(app, raw, name, wf.Provenance(), "bench"))
    finally:
        app.close()
    return summary


def libraries_alone(batch: PartnerBatch) -> int:
    """Parse every file with the libraries Tearline uses; the items found."""
    xsd = resources.files("tearline.data") / "cap" / "CAP-v1.2.xsd"
    schema = etree.XMLSchema(etree.fromstring(xsd.read_bytes()))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    items = 0
    for name, raw in batch.files:
        if name.endswith(".cap"):
            schema.validate(etree.fromstring(raw, parser))
            items += 1
        elif name.endswith(".json"):
            for obj in json.loads(raw)["objects"]:
                # A bad report: the peer goes on, as Tearline does.
                with contextlib.suppress(stix2.exceptions.STIXError):
                    stix2.parse(obj, allow_custom=True, version="2.1")
                items += obj["type"] == "report"
        else:
            items += len(feedparser.parse(raw).entries)
    return items


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp home")
    args = parser.parse_args()
    batch = partner_batch(args.n)
    t0 = time.perf_counter()
    peer_items = libraries_alone(batch)
    peer_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="tearline-bench-") as tmp:
        t0 = time.perf_counter()
        summary = tearline_intake(batch, Path(tmp) / "home", args.database_url)
        ours_s = time.perf_counter() - t0
    store = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite"
    print(f"{batch.items} partner items in {len(batch.files)} files, {store}")
    print(f"  tearline (read, extract, store): {ours_s:.2f} s, {batch.items / ours_s:,.0f} items/s")
    print(f"  libraries alone (parse only):    {peer_s:.2f} s, {batch.items / peer_s:,.0f} items/s")
    print(f"  ratio tearline/libraries: {ours_s / peer_s:.1f}x the time")
    print(f"  {summary.line()}")
    for refused in summary.refused:
        print(f"    refused: {refused}")
    expected = (batch.unique, batch.duplicates, batch.bad)
    got = (len(summary.stored), len(summary.duplicates), len(summary.refused))
    if got != expected:
        print(f"MISMATCH: expected stored/held/refused {expected}, got {got}")
        return 1
    print("  counts as the batch holds: {} stored, {} held, {} refused".format(*expected))
    if peer_items != batch.items:
        print(f"MISMATCH: the libraries found {peer_items} items, the batch holds {batch.items}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
