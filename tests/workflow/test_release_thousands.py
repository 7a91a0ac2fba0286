"""A release to thousands: proposed, approved and delivered by the worker, each recipient
getting exactly its own signed warning; and the process pool that renders, signs and
leak-checks a large release gives the same bytes, and the same refusal, as one process.

Two thousand webhook recipients on SQLite (five hundred on PostgreSQL) are seeded through
the registry import, each with its own path on a loopback receiver; the worker delivers
every warning and the receiver checks what it got against the published keys.
"""

from __future__ import annotations

import json
import os
import re
import signal
from typing import Any

import pytest
from sqlalchemy import func, select

from tearline import workflow as wf
from tearline.demo.receiver import LoopbackReceiver
from tearline.errors import LeakDetected
from tearline.release import verify
from tearline.release.batch import SMALL_RELEASE, Job, pool_pids, render_all
from tearline.store import tables as t
from tearline.workflow.records import protected_terms
from tearline.workflow.worker import channels_for
from tests.workflow.test_release_many import seed

People = tuple[wf.Identity, wf.Identity]
VENUE = re.compile(r"/venue/(\d+)$")
BOUNDARY = re.compile(r"={15}\d+==")  # a MIME boundary: random in every rendering


def recipients_for(app: wf.App) -> int:
    return 2000 if app.settings.database.startswith("sqlite") else 500


def release_to_many(
    app: wf.App, people: People, url: str, threat_ref: str, n: int
) -> tuple[wf.Proposed, wf.Released]:
    seed(app, url, n)
    wf.decide(app, threat_ref, people[0])
    proposed = wf.propose_release(app, threat_ref, people[0])
    return proposed, wf.approve_release(app, proposed.ref, people[1])


def undelivered(app: wf.App) -> list[tuple[str, str, int, str | None]]:
    """Each delivery not delivered: its address, status, attempts and last error."""
    with app.read() as s:
        rows = s.execute(
            select(
                t.Delivery.address, t.Delivery.status, t.Delivery.attempts, t.Delivery.last_error
            )
            .where(t.Delivery.status != "delivered", t.Delivery.address.contains("/venue/"))
            .order_by(t.Delivery.id)
        )
        return list(rows.tuples())


@pytest.mark.slow
def test_thousands_of_webhooks_each_get_their_own_signed_warning(
    app: wf.App,
    people: People,
    receiver: tuple[LoopbackReceiver, str],
    threat_ref: str,
) -> None:
    n = recipients_for(app)
    proposed, released = release_to_many(app, people, receiver[1], threat_ref, n)
    venues = [d for d in proposed.drafts if d.recipient.startswith("Venue ")]
    assert len(venues) == n
    assert len(released.warnings) == len(proposed.drafts)

    wf.run_worker(app, channels_for(app), once=True)

    posts = [p for p in receiver[0].posts if VENUE.search(p.path)]
    assert receiver[0].duplicates == 0
    by_venue: dict[str, list[Any]] = {}
    for p in posts:
        match = VENUE.search(p.path)
        assert match is not None
        by_venue.setdefault(match.group(1), []).append(p)
    missing = sorted(set(range(n)) - {int(i) for i in by_venue})
    assert not missing, f"venues {missing} got nothing: {undelivered(app)}"
    keys = app.keys.keyset()
    for i, got in by_venue.items():
        assert len(got) == 1, f"venue {i} got {len(got)} warnings"
        document = verify(got[0].body["jws"], keys).document
        assert document["recipient"]["name"] == f"Venue {i} in Moscow"
        assert got[0].body["warning"]["reference"] == document["reference"]
    with app.read() as s:
        refused = s.scalar(
            select(func.count())
            .select_from(t.AuditEntry)
            .where(t.AuditEntry.action == "release.refused")
        )
        released_entries = s.scalar(
            select(func.count())
            .select_from(t.AuditEntry)
            .where(t.AuditEntry.action == "warning.released")
        )
    assert refused == 0
    assert released_entries == len(released.warnings)  # one entry per warning, as before
    wf.audit_verify(app)  # the batched entries chain like the others


def _normalised(artifacts: dict[str, str]) -> dict[str, str]:
    return {k: BOUNDARY.sub("=BOUNDARY=", v) for k, v in artifacts.items()}


def test_the_pool_signs_the_same_bytes_as_one_process(
    sqlite_app: wf.App, receiver: tuple[LoopbackReceiver, str]
) -> None:
    from tests.conftest import seed_users
    from tests.workflow.conftest import PROVENANCE

    app = sqlite_app
    people = seed_users(app)
    got = wf.ingest_bytes(app, _report(), "moscow.txt", PROVENANCE, actor="dana")
    threat_ref = next(e.threat_ref for e in got.events if e.threat_ref)
    assert threat_ref is not None
    _proposed, released = release_to_many(app, people, receiver[1], threat_ref, 3 * SMALL_RELEASE)
    with app.read() as s:
        rows = list(s.scalars(select(t.WarningRecord).order_by(t.WarningRecord.id)))
        terms = protected_terms(s)
        jobs = _jobs(rows)
        stored = [w.artifacts for w in rows]
    assert len(jobs) == len(released.warnings) >= 3 * SMALL_RELEASE
    key = app.keys.signing_key()
    serial = list(render_all(jobs, key, terms, workers=1))
    pooled = list(render_all(jobs, key, terms, workers=2))
    assert [a["jws"] for a in serial] == [a["jws"] for a in pooled] == [a["jws"] for a in stored]
    for one, many, kept in zip(serial, pooled, stored, strict=True):
        assert _normalised(one) == _normalised(many) == _normalised(kept)
    # A pool process killed (out of memory, an operator): the release is rendered here.
    pids = pool_pids()
    assert pids  # the pool did the work above
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    again = list(render_all(jobs, key, terms, workers=2))
    assert [a["jws"] for a in again] == [a["jws"] for a in serial]
    # One audit entry per warning, appended together, chained like any other.
    report = wf.audit_verify(app)
    with app.read() as s:
        entries = s.scalars(
            select(t.AuditEntry.subject).where(t.AuditEntry.action == "warning.released")
        ).all()
    assert sorted(entries) == sorted(w[0] for w in released.warnings)
    assert report.entries >= len(entries)


def test_the_pool_refuses_the_same_warning_with_the_same_words(
    sqlite_app: wf.App, receiver: tuple[LoopbackReceiver, str]
) -> None:
    from tests.conftest import seed_users
    from tests.workflow.conftest import PROVENANCE

    app = sqlite_app
    people = seed_users(app)
    got = wf.ingest_bytes(app, _report(), "moscow.txt", PROVENANCE, actor="dana")
    threat_ref = next(e.threat_ref for e in got.events if e.threat_ref)
    assert threat_ref is not None
    seed(app, receiver[1], 2 * SMALL_RELEASE)
    wf.decide(app, threat_ref, people[0])
    proposed = wf.propose_release(app, threat_ref, people[0])
    with app.read() as s:
        rows = list(s.scalars(select(t.WarningRecord).order_by(t.WarningRecord.id)))
        jobs = _jobs(rows)
        (wanted,) = [f"WRN-{w.id}" for w in rows if w.recipient.name == "Venue 47 in Moscow"]
    # A term that only the 40th and later warnings carry (in the recipient's name).
    with app.unit() as u:
        u.session.add(
            t.ProtectedTerm(
                term="Venue 47", kind="source_name", created_by="dana", created_at=u.now
            )
        )
    with app.read() as s:
        terms = protected_terms(s)
    refusals = []
    for workers in (1, 2):
        with pytest.raises(LeakDetected) as refused:
            list(render_all(jobs, None, terms, workers=workers))
        refusals.append((str(refused.value), refused.value.term_id, refused.value.artifact))
    assert refusals[0] == refusals[1]
    message, term_id, artifact = refusals[0]
    assert "Venue 47" not in message
    assert term_id.startswith("PT-")
    assert artifact.startswith(f"{wanted} ")
    # Approval refuses it the same way, and the record names the term's ID only.
    with pytest.raises(LeakDetected) as at_approval:
        wf.approve_release(app, proposed.ref, people[1])
    assert str(at_approval.value).startswith(f"release refused: {wanted} ")
    with app.read() as s:
        entry = s.scalars(
            select(t.AuditEntry).where(t.AuditEntry.action == "release.refused")
        ).one()
        assert json.loads(entry.details)["term"] == term_id
        assert "Venue 47" not in entry.details
        assert s.scalar(select(func.count()).select_from(t.Delivery)) == 0


def _jobs(rows: list[t.WarningRecord]) -> list[Job]:
    """The warnings' documents as approval renders them: the same input for each path."""
    return [
        Job(
            f"WRN-{w.id}",
            {k: v for k, v in w.content.items() if k not in ("role", "changes")},
            {"role": w.content["role"], "changes": w.content["changes"]},
        )
        for w in rows
    ]


def _report() -> bytes:
    from tearline.demo.scenario import report_text

    return report_text()
