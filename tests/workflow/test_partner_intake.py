"""Partner items stored one by one: each its own report, a repeat recognised by the
partner's id, a bad item refused with its reason and nothing of it stored, on SQLite and
PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from tearline import workflow as wf
from tearline.store import tables as t

CAP_DIR = Path("/work/shared/data/cap/google_cap_library_testdata")


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
