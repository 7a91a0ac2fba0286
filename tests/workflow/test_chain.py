"""The chain from report to tracked warning, on SQLite and PostgreSQL, as a user sees it."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from jwcrypto import jwk, jws
from sqlalchemy import func, select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.decide import Outcome, Role
from tearline.demo.receiver import LoopbackReceiver
from tearline.demo.scenario import CODE_WORD, METHODS, SOURCE, report_text
from tearline.errors import (
    AuthError,
    InputError,
    InvalidState,
    LeakDetected,
    NotFound,
    TwoPersonRule,
)
from tearline.store import tables as t
from tests.workflow.conftest import PROVENANCE

PROTECTED = (SOURCE, CODE_WORD, *METHODS, "LR-2024-0306-117")


def row_counts(app: wf.App) -> dict[str, int]:
    with app.read() as s:
        return {
            tb.__tablename__: s.scalar(select(func.count()).select_from(tb)) or 0
            for tb in (
                t.Report,
                t.Event,
                t.Threat,
                t.ProtectedTerm,
                t.Release,
                t.WarningRecord,
                t.Delivery,
            )
        }


def release_all(
    app: wf.App, threat_ref: str, people: tuple[wf.Identity, wf.Identity]
) -> wf.Released:
    dana, avery = people
    wf.decide(app, threat_ref, dana)
    proposed = wf.propose_release(app, threat_ref, dana)
    return wf.approve_release(app, proposed.ref, avery)


def test_ingest_stores_report_events_and_a_case(app: wf.App, ingested: wf.Ingested) -> None:
    kinds = sorted(e.kind.value for e in ingested.events)
    assert kinds == ["incident", "threat"]
    threat = next(e for e in ingested.events if e.threat_ref)
    assert threat.new_case
    again = wf.ingest_bytes(app, report_text(), "copy.txt", PROVENANCE, actor="dana")
    assert again.duplicate
    assert again.report_ref == ingested.report_ref
    counts = row_counts(app)
    assert (counts["reports"], counts["threats"], counts["events"]) == (1, 1, 2)
    # source name, code word and the methods are all protected
    assert counts["protected_terms"] == 2 + len(METHODS)


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        (b"", "empty.txt"),
        (b"\x00\x01\x02binary", "b.bin"),
        (b"\xff\xfe\xfa bad", "bad.txt"),
        (b'{"text": ', "bad.json"),
        (b"no headers here", "bad.eml"),
    ],
)
def test_bad_documents_store_nothing(
    app: wf.App, ingested: wf.Ingested, raw: bytes, name: str
) -> None:
    before = row_counts(app)
    with pytest.raises(InputError):
        wf.ingest_bytes(app, raw, name, wf.Provenance(), actor="dana")
    assert row_counts(app) == before


def test_determination_warns_the_protector_and_the_public(
    app: wf.App, threat_ref: str, people: tuple[wf.Identity, wf.Identity]
) -> None:
    decided = wf.decide(app, threat_ref, people[0])
    assert decided.outcome is Outcome.WARN
    assert decided.checklist.triggered
    assert decided.assessment.admiralty == "B2"
    roles = {r.name: r.role for r in decided.recipients}
    assert roles == {
        "Russian Federation (liaison)": Role.PROTECTOR,
        "Public in Moscow": Role.PUBLIC,
    }
    assert decided.parity.flagged


def test_parity_creates_a_public_audience_when_none_is_registered(
    app: wf.App, people: tuple[wf.Identity, wf.Identity]
) -> None:
    from tearline.model import Contact

    wf.add_recipient(
        app,
        name="Russia",
        kind="government",
        tier="adversary",
        language="en",
        jurisdiction="RU",
        contacts=[Contact("liaison_note", "desk")],
    )
    ingested = wf.ingest_bytes(app, report_text(), "m.txt", PROVENANCE, actor="dana")
    ref = next(e.threat_ref for e in ingested.events if e.threat_ref)
    assert ref is not None
    decided = wf.decide(app, ref, people[0])
    assert decided.created_audience is not None
    assert [r.role for r in decided.recipients] == [Role.PROTECTOR, Role.PUBLIC]


def test_only_duty_officers_decide(
    app: wf.App, threat_ref: str, people: tuple[wf.Identity, wf.Identity]
) -> None:
    with pytest.raises(AuthError, match="needs the duty_officer role"):
        wf.decide(app, threat_ref, people[1])


def test_waiver_needs_justification_and_a_second_person(
    app: wf.App, threat_ref: str, people: tuple[wf.Identity, wf.Identity]
) -> None:
    dana, avery = people
    with pytest.raises(InputError, match="justification"):
        wf.decide(app, threat_ref, dana, waiver="endanger-sources-methods", justification="no")
    with pytest.raises(InputError, match="unknown waiver reason"):
        wf.decide(app, threat_ref, dana, waiver="because", justification="x" * 40)
    decided = wf.decide(
        app,
        threat_ref,
        dana,
        waiver="endanger-sources-methods",
        justification="Warning now would expose the only access to the cell.",
    )
    assert (decided.outcome, decided.status) == (Outcome.WAIVE, "proposed")
    with pytest.raises(TwoPersonRule):
        wf.approve_waiver(app, decided.ref, dana)
    assert wf.approve_waiver(app, decided.ref, avery) == decided.ref
    assert wf.show(app, threat_ref)["status"] == "waived"


def test_release_two_person_rule_signatures_and_no_leaks(
    app: wf.App, threat_ref: str, people: tuple[wf.Identity, wf.Identity]
) -> None:
    dana, avery = people
    wf.decide(app, threat_ref, dana)
    proposed = wf.propose_release(app, threat_ref, dana)
    assert len(proposed.drafts) == 2
    with pytest.raises(TwoPersonRule, match="dana proposed"):
        wf.approve_release(app, proposed.ref, dana)
    released = wf.approve_release(app, proposed.ref, avery)
    assert (released.proposed_by, released.approved_by) == ("dana", "avery")
    keys = jwk.JWKSet.from_json(json.dumps(app.keys.jwks()))
    for _, _, token in released.warnings:
        checked = jws.JWS()
        checked.deserialize(token)
        checked.verify(keys.get_key(checked.jose_header["kid"]), alg="Ed25519")
        payload = checked.payload.decode()
        for term in PROTECTED:
            assert term.casefold() not in payload.casefold()
    with pytest.raises(InvalidState, match="released, not awaiting approval"):
        wf.approve_release(app, proposed.ref, avery)
    entries = wf.audit_entries(app, limit=500)
    approved = next(e for e in entries if e["action"] == "release.approved")
    assert json.loads(approved["details"])["proposed_by"] == "dana"
    assert approved["actor"] == "avery"


def test_tiers_get_different_precision(
    app: wf.App, threat_ref: str, people: tuple[wf.Identity, wf.Identity]
) -> None:
    wf.decide(app, threat_ref, people[0])
    drafts = {d.tier: d for d in wf.propose_release(app, threat_ref, people[0]).drafts}
    assert "ISIL Khorasan" in drafts["adversary"].text
    assert "ISIL" not in drafts["public"].text
    assert "Extremists" in drafts["public"].text
    assert drafts["public"].text.startswith("Location: Moscow, Russia")
    assert "actor: named group → generic" in drafts["public"].changes


def test_leak_is_refused_recorded_without_the_term_and_nothing_stored(
    app: wf.App, threat_ref: str, people: tuple[wf.Identity, wf.Identity]
) -> None:
    dana, _ = people
    wf.decide(app, threat_ref, dana)
    # An analyst marks the city as protected: every draft now carries a protected term.
    with app.unit() as u:
        u.session.add(
            t.ProtectedTerm(term="Moscow", kind="marked_span", created_by="dana", created_at=u.now)
        )
    before = row_counts(app)
    with pytest.raises(LeakDetected) as info:
        wf.propose_release(app, threat_ref, dana)
    assert "marked span PT-" in str(info.value)
    assert "Moscow" not in str(info.value)  # an error never carries the protected text
    assert "WRN-" in str(info.value)
    assert row_counts(app) == before
    refused = [e for e in wf.audit_entries(app, limit=500) if e["action"] == "release.refused"]
    assert len(refused) == 1
    assert "Moscow" not in refused[0]["details"]
    assert json.loads(refused[0]["details"])["term"].startswith("PT-")


def test_worker_delivers_through_every_channel_without_leaks(
    app: wf.App,
    threat_ref: str,
    people: tuple[wf.Identity, wf.Identity],
    receiver: tuple[LoopbackReceiver, str],
) -> None:
    r, _ = receiver
    released = release_all(app, threat_ref, people)
    assert released.deliveries == 3
    sent: list[wf.Sent] = []
    wf.run_worker(app, wf.channels_for(app), once=True, on_sent=sent.append)
    assert sorted((s.channel, s.status) for s in sent) == [
        ("liaison_note", "awaiting_handover"),  # delivered once an officer hands it over
        ("public_feed", "delivered"),
        ("webhook", "delivered"),
    ]
    (post,) = r.posts
    assert post.idempotency_key
    assert post.idempotency_key.startswith("tl-")
    artifacts = [json.dumps(post.body)]
    artifacts += [
        p.read_text() for p in Path(app.home).rglob("*") if p.suffix in (".html", ".jws", ".json")
    ]
    assert len(artifacts) == 4
    for text in artifacts:
        for term in PROTECTED:
            assert term.casefold() not in text.casefold()
    note = next(Path(app.home, "liaison").rglob("*.html"))
    keys = app.keys.keyset()
    assert wf.verify_artifact(note.read_text(), keys).document["recipient"]["tier"] == "adversary"
    note.write_text(note.read_text().replace("Moscow", "Kazan"))
    with pytest.raises(Exception, match="differs from the signed warning"):
        wf.verify_artifact(note.read_text(), keys)


def test_failed_webhook_is_retried_then_dead_lettered(
    app: wf.App,
    clock: FixedClock,
    threat_ref: str,
    people: tuple[wf.Identity, wf.Identity],
    receiver: tuple[LoopbackReceiver, str],
) -> None:
    r, _ = receiver
    r.status = 503
    release_all(app, threat_ref, people)
    channels = wf.channels_for(app)
    first = [s for s in wf.deliver_due(app, channels) if s.channel == "webhook"]
    assert [(s.status, s.detail) for s in first] == [("pending", "HTTP 503")]
    assert wf.deliver_due(app, channels) == []  # not due yet: backing off
    for _ in range(app.settings.delivery_max_attempts):
        clock.advance(timedelta(hours=2))
        wf.deliver_due(app, channels)
    with app.read() as s:
        d = s.scalar(select(t.Delivery).where(t.Delivery.channel == "webhook"))
        assert d is not None
        assert (d.status, d.attempts) == ("dead", app.settings.delivery_max_attempts)
        attempts = s.scalar(
            select(func.count())
            .select_from(t.DeliveryAttempt)
            .where(t.DeliveryAttempt.delivery_id == d.id)
        )
    assert attempts == app.settings.delivery_max_attempts
    assert r.posts == []


def test_recovered_receiver_gets_the_retry(
    app: wf.App,
    clock: FixedClock,
    threat_ref: str,
    people: tuple[wf.Identity, wf.Identity],
    receiver: tuple[LoopbackReceiver, str],
) -> None:
    r, _ = receiver
    r.status = 503
    release_all(app, threat_ref, people)
    wf.deliver_due(app, wf.channels_for(app))
    r.status = 200
    clock.advance(timedelta(hours=2))
    (retry,) = wf.deliver_due(app, wf.channels_for(app))
    assert (retry.status, retry.attempts) == ("delivered", 2)
    assert len(r.posts) == 1


def test_dispute_escalates_to_a_wider_public_warning(
    app: wf.App, clock: FixedClock, threat_ref: str, people: tuple[wf.Identity, wf.Identity]
) -> None:
    released = release_all(app, threat_ref, people)
    liaison = next(ref for ref, name, _ in released.warnings if "Russian" in name)
    clock.advance(timedelta(days=13))
    responded = wf.respond(app, liaison, "disputed", people[0], note="a provocation", via="liaison")
    actions = [e.action for e in responded.escalations]
    assert actions == ["propose_wider_public_warning", "alert_duty_officer"]
    assert responded.escalations[0].detail["area"] == {"country": "RU", "city": None}
    again = wf.respond(app, liaison, "disputed", people[0])
    assert again.escalations == []  # proposed once, not again
    with pytest.raises(InputError, match="unknown response"):
        wf.respond(app, liaison, "shrug", people[0])
    with pytest.raises(NotFound):
        wf.respond(app, "WRN-999", "received", people[0])


def test_a_note_holding_a_protected_term_is_kept_out_of_the_audit_record(
    app: wf.App, clock: FixedClock, threat_ref: str, people: tuple[wf.Identity, wf.Identity]
) -> None:
    # The audit record never holds protected text (docs/releasability.md): a duty officer's note
    # that repeats the source's code word is kept as a digest and the term's id.
    released = release_all(app, threat_ref, people)
    liaison = next(ref for ref, name, _ in released.warnings if "Russian" in name)
    clock.advance(timedelta(days=1))
    note = f"They asked whether {CODE_WORD} is reliable."
    responded = wf.respond(app, liaison, "disputed", people[0], note=note, via="liaison")
    escalation = responded.escalations[0].ref
    wf.resolve_escalation(
        app, escalation, people[0], outcome="dismissed", note=f"{CODE_WORD} again"
    )
    wf.respond(app, liaison, "received", people[0], note="they thanked us", via="phone")
    entries = wf.audit_entries(app, limit=200)
    everything = json.dumps(entries, ensure_ascii=False, default=str)
    assert CODE_WORD not in everything
    assert CODE_WORD.lower() not in everything.lower()
    withheld = [json.loads(e["details"]) for e in entries if "note_withheld" in e["details"]]
    assert len(withheld) == 2
    assert all(w["note_withheld"].startswith("holds protected term(s) PT-") for w in withheld)
    assert "they thanked us" in everything  # a note with nothing protected is kept as written
    assert wf.audit_verify(app).entries == len(wf.audit_entries(app, limit=10_000))


def test_unacknowledged_imminent_warning_escalates(
    app: wf.App, clock: FixedClock, threat_ref: str, people: tuple[wf.Identity, wf.Identity]
) -> None:
    release_all(app, threat_ref, people)
    assert wf.check_overdue(app) == []
    clock.advance(timedelta(minutes=app.settings.ack_minutes_imminent + 1))
    escalations = wf.check_overdue(app)
    assert [e.action for e in escalations] == ["resend_other_channel", "alert_duty_officer"]
    assert wf.check_overdue(app) == []


def test_audit_chain_verifies_and_detects_edits(
    app: wf.App, threat_ref: str, people: tuple[wf.Identity, wf.Identity]
) -> None:
    release_all(app, threat_ref, people)
    report = wf.audit_verify(app)
    assert report.entries > 10
    with app.unit() as u:
        row = u.session.get(t.AuditEntry, 5)
        assert row is not None
        row.actor = "mallory"
    from tearline.errors import AuditChainBroken

    with pytest.raises(AuditChainBroken, match=r"#5 .*altered"):
        wf.audit_verify(app)


def test_unknown_ids_are_named(app: wf.App, people: tuple[wf.Identity, wf.Identity]) -> None:
    with pytest.raises(NotFound, match="no threat THR-42"):
        wf.decide(app, "THR-42", people[0])
    with pytest.raises(NotFound, match="no release REL-9"):
        wf.approve_release(app, "REL-9", people[1])
