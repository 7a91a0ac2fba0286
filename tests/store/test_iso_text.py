"""A timestamp read as text for a list (``iso_utc``) is the very text its datetime's
``isoformat()`` gives, on SQLite and PostgreSQL, whatever the session's time zone and
with or without microseconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select, text, update

from tearline import workflow as wf
from tearline.store import tables as t
from tearline.store.types import iso_utc


def test_a_timestamp_read_as_text_is_its_isoformat(app: wf.App) -> None:
    wf.add_user(app, "dana", "dana-pass-iso-text-1", [wf.Role.AUDITOR])
    with app.read() as s:
        seq = s.scalars(select(t.AuditEntry.seq).order_by(t.AuditEntry.seq)).first()
    assert seq is not None
    both = select(t.AuditEntry.at, iso_utc(t.AuditEntry.at)).where(t.AuditEntry.seq == seq)
    for when in (
        datetime(2024, 3, 6, 9, 0, tzinfo=UTC),
        datetime(2024, 3, 6, 9, 0, 0, 500000, tzinfo=UTC),
        datetime(2024, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2024, 6, 1, 12, 0, 0, 10, tzinfo=UTC),
        datetime(999, 5, 5, 5, 5, 5, tzinfo=UTC),
        datetime(2024, 3, 31, 1, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    ):
        with app.unit() as u:
            u.session.execute(update(t.AuditEntry).where(t.AuditEntry.seq == seq).values(at=when))
        with app.read() as s:
            if s.get_bind().dialect.name == "postgresql":
                s.execute(text("SET LOCAL TIME ZONE 'America/New_York'"))
            at, shown = s.execute(both).one()
        assert shown == at.isoformat() == when.astimezone(UTC).isoformat()


def test_a_timestamp_stored_in_another_form_reads_as_its_isoformat(sqlite_app: wf.App) -> None:
    """On SQLite (PostgreSQL stores a timestamp, not text) a timestamp written by hand
    ("T", fewer digits, an offset) is read as SQLAlchemy reads it, then written as text."""
    app = sqlite_app
    wf.add_user(app, "dana", "dana-pass-iso-text-1", [wf.Role.AUDITOR])
    with app.read() as s:
        seq = s.scalars(select(t.AuditEntry.seq).order_by(t.AuditEntry.seq)).first()
    both = select(t.AuditEntry.at, iso_utc(t.AuditEntry.at)).where(t.AuditEntry.seq == seq)
    for stored in ("2024-03-06 09:00:00", "2024-03-06T09:00:00.5", "2024-03-06 09:00:00+02:00"):
        with app.unit() as u:
            u.session.execute(
                text("UPDATE audit_entries SET at = :at WHERE seq = :seq"),
                {"at": stored, "seq": seq},
            )
        with app.read() as s:
            at, shown = s.execute(both).one()
        assert shown == at.isoformat()
