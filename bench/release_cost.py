"""What a release costs per recipient: propose and approve the demo threat to N public-tier
organisations in Moscow, each with a webhook (render every format, leak-check each, sign,
store, queue), against peers in the same run over the same warnings: rendering and
signing every format alone (``render_artifacts``), and signing the document alone with
joserfc. SQLite in a temporary home; process time, one core (``release_workers`` 1: the
release pool's speedup is measured by bench/release_many.py).

    python bench/release_cost.py [N]          # N recipients, default 500
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from joserfc import jws
from joserfc.jwk import OKPKey
from sqlalchemy import select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.demo.scenario import report_text
from tearline.release import render_artifacts
from tearline.settings import load_settings
from tearline.store import tables as t

START = datetime(2024, 3, 6, 9, 30, tzinfo=UTC)  # the demo report's day
DANA, AVERY = "dana-pass-bench-1", "avery-pass-bench-1"


def seed(app: wf.App, n: int) -> None:
    rows = [
        {
            "name": f"Venue {i} in Moscow",
            "kind": "organisation",
            "tier": "public",
            "language": "en",
            "area": {"country": "RU", "city": "Moscow"},
            "contacts": [{"channel": "webhook", "address": f"http://127.0.0.1:9/venue/{i}"}],
        }
        for i in range(n)
    ]
    wf.import_recipients(app, json.dumps(rows).encode(), "json", actor="bench")
    wf.add_user(app, "dana", DANA, [wf.Role.DUTY_OFFICER, wf.Role.ANALYST])
    wf.add_user(app, "avery", AVERY, [wf.Role.APPROVER])


def documents(app: wf.App) -> list[dict[str, Any]]:
    """The released warnings' documents, as they were signed."""
    with app.read() as s:
        return [
            {k: v for k, v in w.content.items() if k not in ("role", "changes")}
            for w in s.scalars(select(t.WarningRecord))
        ]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(
            {"home": str(Path(home) / "home"), "sender": "Bench agency", "release_workers": "1"},
            environ={},
        )
        app = wf.App(settings, clock=FixedClock(START))
        try:
            seed(app, n)
            got = wf.ingest_bytes(
                app,
                report_text(),
                "m.txt",
                wf.Provenance(source="PINE HARBOUR", reliability="B"),
                actor="dana",
            )
            threat = next(e.threat_ref for e in got.events if e.threat_ref)
            assert threat is not None
            dana = wf.sign_in(app, "dana", DANA)
            avery = wf.sign_in(app, "avery", AVERY)
            wf.decide(app, threat, dana)
            start = time.process_time()
            proposed = wf.propose_release(app, threat, dana)
            propose = time.process_time() - start
            start = time.process_time()
            wf.approve_release(app, proposed.ref, avery)
            approve = time.process_time() - start
            docs = documents(app)
        finally:
            app.close()
    key = OKPKey.generate_key("Ed25519", parameters={"alg": "Ed25519"})
    key.ensure_kid()
    start = time.process_time()
    for doc in docs:
        render_artifacts(doc, key)
    render = time.process_time() - start
    start = time.process_time()
    for doc in docs:
        jws.serialize_compact(
            {"alg": "Ed25519"}, json.dumps(doc).encode(), key, algorithms=["Ed25519"]
        )
    sign = time.process_time() - start
    w = len(docs)
    per = (propose + approve) * 1000 / w
    print(f"{w} warnings to {n} webhook recipients")
    print(
        f"release (propose + approve): {per:.1f} ms per recipient "
        f"(propose {propose * 1000 / w:.1f}, approve {approve * 1000 / w:.1f})"
    )
    print(
        f"rendering and signing every format alone: {render * 1000 / w:.1f} ms per recipient; "
        f"release / that = {(propose + approve) / render:.1f}"
    )
    print(
        f"joserfc signing the document alone: {sign * 1000 / w:.2f} ms per recipient; "
        f"release / that = {(propose + approve) / sign:.0f}"
    )


if __name__ == "__main__":
    main()
