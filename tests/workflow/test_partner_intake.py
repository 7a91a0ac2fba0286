"""Partner items stored one by one: each its own report, a repeat recognised by the
partner's id, a bad item refused with its reason and nothing of it stored, on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from lxml import etree
from sqlalchemy import func, select

from tearline import workflow as wf
from tearline.demo.partner_items import partner_batch
from tearline.release import xmldsig
from tearline.store import tables as t

HANG_GUARD_S = 120  # a hang guard only: the four pulls take a few seconds
CAP_DIR = Path(__file__).resolve().parents[1] / "intake" / "fixtures" / "partners" / "cap"


def _reports(app: wf.App) -> int:
    with app.unit() as u:
        return int(u.session.scalar(select(func.count()).select_from(t.Report)) or 0)


def test_a_cap_alert_is_stored_once_with_its_partner_id(app: wf.App) -> None:
    raw = (CAP_DIR / "testdata_canada.cap").read_bytes()
    first = wf.ingest_items(app, raw, "canada.cap", wf.Provenance(), "analyst")
    assert [len(first.stored), len(first.duplicates), len(first.refused)] == [1, 0, 0]
    # The same alert re-sent with other bytes (a re-indented copy) is still the same item.
    again = wf.ingest_items(app, raw.replace(b"\n  ", b"\n    "), "again.cap", wf.Provenance(), "a")
    assert [len(again.stored), len(again.duplicates)] == [0, 1]
    assert again.duplicates[0].report_ref == first.stored[0].report_ref
    with app.unit() as u:
        report = u.session.scalars(select(t.Report)).one()
        assert report.external_id == "cap:cap@ec.gc.ca/2.49.0.1.124.6bddbc91.2012"
        assert report.tlp == "CLEAR"  # scope Public
        assert report.language == "en"  # from <language>en-CA</language>
        assert "severe thunderstorm watch" in report.text
    assert first.line() == "1 item: 1 stored, 0 already held, 0 refused"


def test_hostile_and_invalid_alerts_are_refused_with_a_reason_and_store_nothing(
    app: wf.App,
) -> None:
    xee = wf.ingest_items(
        app, (CAP_DIR / "testdata_xee.cap").read_bytes(), "xee.cap", wf.Provenance(), "a"
    )
    invalid = wf.ingest_items(
        app, (CAP_DIR / "testdata_invalid.cap").read_bytes(), "bad.cap", wf.Provenance(), "a"
    )
    assert "DOCTYPE" in str(xee.refused[0])
    assert "XXE" in str(xee.refused[0])
    assert str(invalid.refused[0]).startswith("bad.cap alert 12345: not valid CAP 1.2: line 9")
    assert _reports(app) == 0


def test_a_signature_by_a_key_not_trusted_here_is_stored_and_said_so(app: wf.App) -> None:
    raw = (CAP_DIR / "testdata_canada_signed.cap").read_bytes()
    done = wf.ingest_items(app, raw, "signed.cap", wf.Provenance(), "a")
    assert len(done.stored) == 1
    with app.unit() as u:
        note = u.session.scalars(select(t.Report.intake_note)).one()
    assert note is not None
    assert note.startswith("signature not verified: signed with rsa-sha1")


def _signed_alert(key: Ed25519PrivateKey, key_name: str) -> bytes:
    root = etree.fromstring((CAP_DIR / "testdata_canada.cap").read_bytes())
    xmldsig.sign_enveloped(root, key, key_name)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _trust(app: wf.App, key: Ed25519PrivateKey, key_name: str) -> None:
    keys = app.settings.home_path / "partner-keys"
    keys.mkdir(parents=True, exist_ok=True)
    pem = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    (keys / f"{key_name}.pem").write_bytes(pem)


def test_a_signature_by_a_trusted_partner_key_is_checked(app: wf.App) -> None:
    key = Ed25519PrivateKey.generate()
    _trust(app, key, "partner-2024")
    signed = _signed_alert(key, "partner-2024")
    tampered = signed.replace(b"severe thunderstorm watch", b"severe thunderstorm WARNING")
    bad = wf.ingest_items(app, tampered, "tampered.cap", wf.Provenance(), "a")
    assert len(bad.refused) == 1
    assert "signature refused: the document was altered after it was signed" in str(bad.refused[0])
    good = wf.ingest_items(app, signed, "signed.cap", wf.Provenance(), "a")
    assert len(good.stored) == 1
    with app.unit() as u:
        assert u.session.scalars(select(t.Report.intake_note)).one() is None


def test_a_signature_by_a_key_not_among_the_partner_keys_is_stored_not_verified(
    app: wf.App,
) -> None:
    _trust(app, Ed25519PrivateKey.generate(), "partner-2024")
    signed = _signed_alert(Ed25519PrivateKey.generate(), "someone-else")
    done = wf.ingest_items(app, signed, "other.cap", wf.Provenance(), "a")
    assert len(done.stored) == 1
    with app.unit() as u:
        note = u.session.scalars(select(t.Report.intake_note)).one()
    assert note == (
        "signature not verified: signed with key 'someone-else', which is not among the "
        "partner keys trusted here"
    )


def test_a_mixed_day_of_partner_traffic_stores_each_item_once_and_refuses_the_bad(
    app: wf.App,
) -> None:
    """The done-when figure at a tenth of its size: CAP, STIX and Atom items, a tenth of
    them repeats and a few bad; bench/partner_intake.py runs it at 1,000."""
    batch = partner_batch(100)
    summary = wf.IntakeSummary()
    seen: list[int] = []
    for name, raw in batch.files:
        summary.extend(
            wf.ingest_items(
                app,
                raw,
                name,
                wf.Provenance(),
                "partner",
                on_file=lambda _n, items: seen.append(items),
            )
        )
    assert sum(seen) == batch.items == 100
    assert summary.line() == (
        f"100 items: {batch.unique} stored, {batch.duplicates} already held, {batch.bad} refused"
    )
    assert _reports(app) == batch.unique
    reasons = sorted(r.reason.split(":")[0] for r in summary.refused)
    assert reasons == [
        "not a valid STIX 2.1 report",
        "not valid CAP 1.2",
        "the entry has neither an id nor a link",
    ]
    with app.unit() as u:
        held = u.session.scalar(select(func.count(t.Report.external_id.distinct())))
        alert = u.session.scalars(
            select(t.Report).where(t.Report.external_id == "cap:alerts@partner.example/PARTNER-0")
        ).one()
    assert held == batch.unique
    # The alert's <restriction>TLP:AMBER; REL TO USA, GBR</restriction>, as stored.
    assert alert.tlp == "AMBER"
    assert alert.rel_to == ["USA", "GBR"]


def test_the_same_items_pulled_by_four_workers_at_once_are_stored_once(app: wf.App) -> None:
    """Two processes polling one partner can read the same item at the same moment; the
    partner's id is unique in the store, so one stores it and the others hold it."""
    raw = next(r for n, r in partner_batch(40).files if n == "bundle-0.json")
    reports = sum(1 for o in json.loads(raw)["objects"] if o["type"] == "report")
    start = threading.Barrier(4)
    results: list[wf.IntakeSummary] = []

    def pull() -> None:
        start.wait(HANG_GUARD_S)
        results.append(wf.ingest_items(app, raw, "bundle.json", wf.Provenance(), "worker"))

    threads = [threading.Thread(target=pull) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(HANG_GUARD_S)
    assert len(results) == 4
    assert sum(len(r.stored) for r in results) == reports - 1  # one report is a bad one
    assert sum(len(r.duplicates) for r in results) == 3 * (reports - 1)
    assert _reports(app) == reports - 1


def test_a_refused_item_is_named_by_its_id_or_place_never_by_its_title(app: wf.App) -> None:
    # A refusal is error text (printed, flashed, returned by the API): a partner's title
    # may hold a term that must stay protected, so the item is named another way.
    marking = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--3b3c7ee4-9d3a-4c7e-8c3c-0f0c6f1f2e11",
        "created": "2024-03-01T00:00:00.000Z",
        "definition_type": "statement",
        "definition": {"statement": "REL TO NARNIA"},
    }
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": "report--8d1c3b52-2f7e-4d2a-9a51-6f0b7a7e3c21",
        "created": "2024-03-06T09:00:00.000Z",
        "modified": "2024-03-06T09:00:00.000Z",
        "name": "KESTREL LANTERN: armed attack planned on a Moscow concert hall",
        "description": "Operatives plan an armed attack on a concert hall in Moscow.",
        "published": "2024-03-06T09:00:00Z",
        "report_types": ["threat-report"],
        "object_refs": ["identity--0b1f5c49-8f5a-4c61-b1a4-3e2f4f3b7d10"],
        "object_marking_refs": [marking["id"]],
    }
    identity = {
        "type": "identity",
        "spec_version": "2.1",
        "id": "identity--0b1f5c49-8f5a-4c61-b1a4-3e2f4f3b7d10",
        "created": "2024-03-01T00:00:00.000Z",
        "modified": "2024-03-01T00:00:00.000Z",
        "name": "Crocus City Hall",
        "identity_class": "organization",
    }
    bundle = {
        "type": "bundle",
        "id": "bundle--5f0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f",
        "objects": [marking, report, identity],
    }
    raw = json.dumps(bundle).encode()
    summary = wf.ingest_items(app, raw, "partner.json", wf.Provenance(), "analyst")
    assert summary.line() == "1 item: 0 stored, 0 already held, 1 refused"
    (refused,) = summary.refused
    assert "NARNIA" in str(refused)  # the reason is given ...
    assert "KESTREL" not in str(refused)  # ... and the item is named by its id
    assert "report--8d1c3b52-2f7e-4d2a-9a51-6f0b7a7e3c21" in str(refused)
    assert _reports(app) == 0
