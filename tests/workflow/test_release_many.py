"""A release to hundreds of recipients goes through, on SQLite and PostgreSQL.

Before issue 21 about one warning in 150 had a STIX object ID shaped like a report serial
and the whole release was refused, on every retry: a public alert to a city could not go.
Here a few hundred webhook recipients in Moscow are seeded through the registry import,
and the release is proposed and approved with no refusal; some of its STIX bundles carry
an ID of that shape (so the test would have failed before)."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from tearline import workflow as wf
from tearline.errors import LeakDetected
from tearline.store import tables as t

People = tuple[wf.Identity, wf.Identity]
RECIPIENTS = 300
SERIAL_SHAPE = re.compile(r"\b[a-z]{2,5}-\d{4}-\d{3,}\b")  # the built-in report-serial pattern


def seed(app: wf.App, webhook: str, n: int) -> None:
    rows = [
        {
            "name": f"Venue {i} in Moscow",
            "kind": "organisation",
            "tier": "public",
            "language": "en",
            "area": {"country": "RU", "city": "Moscow"},
            "contacts": [{"channel": "webhook", "address": f"{webhook}/venue/{i}"}],
        }
        for i in range(n)
    ]
    wf.import_recipients(app, json.dumps(rows).encode(), "json", actor="dana")


def test_a_release_to_hundreds_of_webhooks_is_not_refused(
    app: wf.App, people: People, receiver: tuple[object, str], ingested: wf.Ingested
) -> None:
    seed(app, receiver[1], RECIPIENTS)
    (threat_ref,) = {e.threat_ref for e in ingested.events if e.threat_ref}
    wf.decide(app, threat_ref, people[0])
    proposed = wf.propose_release(app, threat_ref, people[0])
    assert len(proposed.drafts) >= RECIPIENTS
    wf.approve_release(app, proposed.ref, people[1])
    with app.read() as s:
        released = s.scalar(
            select(func.count())
            .select_from(t.WarningRecord)
            .where(t.WarningRecord.status != "draft")
        )
        assert released == len(proposed.drafts)
        stix_ids = [
            o["id"]
            for w in s.scalars(select(t.WarningRecord))
            for o in json.loads(w.artifacts["stix"])["objects"]
        ]
        refusals = s.scalar(
            select(func.count())
            .select_from(t.AuditEntry)
            .where(t.AuditEntry.action == "release.refused")
        )
    assert refusals == 0
    # Some of these IDs have the shape that refused a release before: the test bites.
    assert any(SERIAL_SHAPE.search(i) for i in stix_ids)


def test_a_refusal_names_the_fact_that_carries_the_term(
    app: wf.App, people: People, ingested: wf.Ingested
) -> None:
    with app.unit() as u:
        u.session.add(
            t.ProtectedTerm(term="Crocus", kind="marked_span", created_by="dana", created_at=u.now)
        )
    (threat_ref,) = {e.threat_ref for e in ingested.events if e.threat_ref}
    wf.decide(app, threat_ref, people[0])
    with pytest.raises(LeakDetected) as refused:
        wf.propose_release(app, threat_ref, people[0])
    message = str(refused.value)
    assert re.search(r"the fact '\w+' carries it: coarsen or withhold it", message), message
    assert "Crocus" not in message
