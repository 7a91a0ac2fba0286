"""What TAXII costs a partner: pulling a collection of N objects with the OASIS client,
against the same objects as static JSON pages from the same server.

One partner's collection holds the demo warning's objects and N-14 more (copies of its
location under new ids, as if many warnings had been released to it). The desk is served
on loopback (SQLite); the partner pulls every object with ``taxii2-client``'s
``as_pages`` (PAGE objects a request: each request authenticates the token, re-checks
every object, and writes the pull to the audit record); the peer is the same server
handing out the same pages pre-rendered, fetched with the same HTTP library (requests).
Prints objects per second for each and their ratio (best of ROUNDS).

    python bench/taxii.py [N] [PAGE] [ROUNDS]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import requests
from fastapi.responses import Response
from sqlalchemy import select
from taxii2client.v21 import Collection, as_pages

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.demo.scenario import report_text
from tearline.model import Contact
from tearline.settings import load_settings
from tearline.store import tables as t
from tearline.web.server import DeskServer
from tearline.workflow import taxii

TAXII = "application/taxii+json;version=2.1"


def _released(app: wf.App) -> int:
    """The demo case released to one ally with a TAXII collection; its recipient id."""
    ref = wf.add_recipient(
        app,
        name="Allied embassy security (Moscow)",
        kind="organisation",
        tier="ally",
        language="en",
        area_country="RU",
        area_city="Moscow",
        contacts=[Contact("taxii", "Allied embassy warnings")],
    )
    wf.add_user(app, "dana", "dana-bench-password", [wf.Role.ANALYST, wf.Role.DUTY_OFFICER])
    wf.add_user(app, "avery", "avery-bench-password", [wf.Role.APPROVER])
    dana = wf.sign_in(app, "dana", "dana-bench-password")
    avery = wf.sign_in(app, "avery", "avery-bench-password")
    prov = wf.Provenance(source="Bench source", reliability="B")
    ingested = wf.ingest_bytes(app, report_text(), "moscow.txt", prov, actor="dana")
    threat = next(e.threat_ref for e in ingested.events if e.threat_ref)
    assert threat is not None
    wf.decide(app, threat, dana)
    wf.approve_release(app, wf.propose_release(app, threat, dana).ref, avery)
    wf.deliver_due(app, wf.channels_for(app))
    return int(ref.split("-")[1])


def _fill(app: wf.App, recipient_id: int, n: int) -> None:
    with app.unit() as u:
        rows = u.session.scalars(
            select(t.TaxiiObject).where(t.TaxiiObject.recipient_id == recipient_id)
        ).all()
        model = next(r for r in rows if r.stix_type == "location")
        for _ in range(max(0, n - len(rows))):
            obj = json.loads(model.body) | {"id": f"location--{uuid.uuid4()}"}
            u.session.add(
                t.TaxiiObject(
                    recipient_id=recipient_id,
                    warning_id=model.warning_id,
                    stix_id=obj["id"],
                    stix_type="location",
                    version=model.version,
                    date_added=u.now,
                    revoked=False,
                    body=json.dumps(obj),
                )
            )


def _static_pages(collection: Collection, page: int) -> list[bytes]:
    """The same objects as the TAXII pull gets, pre-rendered as one JSON body a page."""
    objects = [o for p in as_pages(collection.get_objects, per_request=page) for o in p["objects"]]
    return [
        json.dumps({"more": i + page < len(objects), "objects": objects[i : i + page]}).encode()
        for i in range(0, len(objects), page)
    ]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    page = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    with tempfile.TemporaryDirectory(prefix="tearline-taxii-bench-") as home:
        settings = load_settings(
            {"home": str(Path(home) / "home"), "sender": "Bench agency"}, environ={}
        )
        # The demo case is of March 2024: a clock then, so the duty to warn is triggered.
        app = wf.App(settings, clock=FixedClock(datetime(2024, 3, 6, 9, 0, tzinfo=UTC)))
        recipient_id = _released(app)
        _fill(app, recipient_id, n)
        token = taxii.create_token(app, f"RCP-{recipient_id}", by="bench").token
        server = DeskServer(app, port=0, worker=False)
        bodies: list[bytes] = []

        async def static(number: int) -> Response:  # the peer: the same pages, pre-rendered
            return Response(bodies[number], media_type=TAXII)

        server.asgi.add_api_route("/bench/static/{number}", static)
        server.start()
        try:
            coll = f"{server.url}/taxii2/warnings/collections/{taxii.collection_id(recipient_id)}/"
            collection = Collection(coll, user=f"RCP-{recipient_id}", password=token)
            bodies.extend(_static_pages(collection, page))
            taxii_best = static_best = float("inf")
            for _ in range(rounds):
                start = time.perf_counter()
                got = sum(
                    len(p.get("objects", []))
                    for p in as_pages(collection.get_objects, per_request=page)
                )
                taxii_best = min(taxii_best, time.perf_counter() - start)
                assert got == n, (got, n)
                with requests.Session() as http:
                    start = time.perf_counter()
                    plain = sum(
                        len(http.get(f"{server.url}/bench/static/{i}").json()["objects"])
                        for i in range(len(bodies))
                    )
                    static_best = min(static_best, time.perf_counter() - start)
                assert plain == n, (plain, n)
        finally:
            server.stop()
            app.close()
    print(f"{n} objects, {page} a page, best of {rounds}:")
    print(f"  TAXII (taxii2-client, token, re-check, audit): {n / taxii_best:10.0f} objects/s")
    print(f"  static JSON pages, same server:                {n / static_best:10.0f} objects/s")
    print(f"  ratio TAXII / static: {static_best / taxii_best:.2f}")


if __name__ == "__main__":
    main()
