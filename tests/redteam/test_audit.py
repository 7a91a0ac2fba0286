"""Red team, part 6: rewriting the audit record with database access (and the signing key).

The attacker works on the SQLite database directly, as anyone with file or database access
can; the auditor runs ``tearline audit verify`` — alone, or with checkpoints a third party
kept (an export, or a warning a recipient holds). Each test passes when the rewrite is
detected or the forgery refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from joserfc.jwk import OKPKey
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tearline import workflow as wf
from tearline.audit import GENESIS, entry_hash
from tearline.audit.checkpoints import sign_checkpoint
from tearline.cli import main
from tearline.demo.scenario import report_text
from tearline.store.db import Database
from tearline.store.tables import AuditCheckpoint, AuditEntry, AuditHead
from tests.conftest import seed_users
from tests.factories import add_moscow_recipients
from tests.workflow.conftest import PROVENANCE
from tests.workflow.test_chain import release_all


@dataclass
class Record:
    app: wf.App
    kept: Path  # checkpoints a third party exported before the attack
    warning: Path  # a released warning a recipient keeps
    warning_seq: int  # the entry its embedded checkpoint names


@pytest.fixture
def record(
    sqlite_app: wf.App,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Record:
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    app = sqlite_app
    people = seed_users(app)
    add_moscow_recipients(app, "http://127.0.0.1:9")
    ingested = wf.ingest_bytes(app, report_text(), "moscow.txt", PROVENANCE, actor="dana")
    threat = next(e.threat_ref for e in ingested.events if e.threat_ref)
    released = release_all(app, threat, people)
    warning = tmp_path / "WRN-1.jws"
    warning.write_text(released.warnings[0][2])
    for name in ("carol", "cyrus"):  # the record goes on after the release
        wf.add_user(app, name, f"{name}-long-password", [wf.Role.ANALYST])
    wf.make_checkpoint(app, "cli:operator")
    kept = tmp_path / "kept.json"
    assert cli(capsys, app, "audit", "checkpoints", "--export", str(kept))[0] == 0
    assert cli(capsys, app, "audit", "verify")[0] == 0
    seq = wf.list_checkpoints(app)[0]["seq"]
    return Record(app, kept, warning, seq)


def cli(capsys: pytest.CaptureFixture[str], app: wf.App, *args: str) -> tuple[int, str]:
    code = main(["--home", str(app.home), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def tamper(app: wf.App, change: Callable[[Session], None]) -> None:
    """The attacker's own connection to the database file."""
    db = Database(app.settings.database)
    try:
        with db.session() as s:
            change(s)
    finally:
        db.dispose()


def entries(s: Session) -> list[AuditEntry]:
    return list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def rehash(rows: list[AuditEntry], start: int, s: Session) -> None:
    """Recompute every hash from entry ``start`` on and move the stored head: a full rewrite."""
    prev = rows[start - 2].hash if start > 1 else GENESIS
    for r in rows[start - 1 :]:
        r.prev_hash = prev
        r.hash = prev = entry_hash(
            seq=r.seq,
            at=r.at,
            actor=r.actor,
            action=r.action,
            subject=r.subject,
            details=r.details,
            prev=prev,
        )
    head = s.get(AuditHead, 1)
    assert head is not None
    head.seq, head.hash = rows[-1].seq, prev


def rewrite_seq5(s: Session) -> None:
    rows = entries(s)
    rows[4].actor = "mallory"
    rehash(rows, 5, s)


def rewrite_and_resign(app: wf.App) -> Callable[[Session], None]:
    def change(s: Session) -> None:
        rewrite_seq5(s)
        resign_checkpoints(app, s)

    return change


def resign_checkpoints(app: wf.App, s: Session) -> None:
    """With the signing key too: replace the stored checkpoints by ones of the new chain."""
    s.execute(delete(AuditCheckpoint))
    head = s.get(AuditHead, 1)
    assert head is not None
    key = app.keys.signing_key()
    made = sign_checkpoint(head.seq, head.hash, app.clock.now(), key, "forger")
    s.add(
        AuditCheckpoint(
            seq=made.seq,
            head=made.head,
            at=made.at,
            key_id=made.key_id,
            made_for="schedule",
            jws=made.jws,
        )
    )


def _swap(s: Session) -> None:
    rows = entries(s)
    a, b = rows[2], rows[3]
    for col in ("at", "actor", "action", "subject", "details", "prev_hash", "hash"):
        va, vb = getattr(a, col), getattr(b, col)
        setattr(a, col, vb)
        setattr(b, col, va)


def _rehash_one(s: Session) -> None:
    rows = entries(s)
    rows[5].actor = "mallory"
    r = rows[5]
    r.hash = entry_hash(
        seq=r.seq,
        at=r.at,
        actor=r.actor,
        action=r.action,
        subject=r.subject,
        details=r.details,
        prev=r.prev_hash,
    )


def _delete_3(s: Session) -> None:
    s.execute(delete(AuditEntry).where(AuditEntry.seq == 3))


def _truncate(s: Session) -> None:
    last = entries(s)[-1].seq
    s.execute(delete(AuditEntry).where(AuditEntry.seq > last - 3))


def _set(seq: int, **values: str) -> Callable[[Session], None]:
    def change(s: Session) -> None:
        row = s.get(AuditEntry, seq)
        assert row is not None
        for k, v in values.items():
            setattr(row, k, v)

    return change


def caught(
    record: Record,
    capsys: pytest.CaptureFixture[str],
    change: Callable[[Session], None],
    message: str,
) -> None:
    tamper(record.app, change)
    code, out = cli(capsys, record.app, "audit", "verify")
    assert code == 6, out
    assert re.search(message, out), out


def test_edit_actor(record: Record, capsys: pytest.CaptureFixture[str]) -> None:
    """An insider changes who did something in an audit entry (the actor)"""
    caught(record, capsys, _set(5, actor="mallory"), r"#5 .*altered")


def test_edit_action(record: Record, capsys: pytest.CaptureFixture[str]) -> None:
    """An insider changes what was done in an audit entry (the action)"""
    caught(record, capsys, _set(6, action="user.deleted"), r"#6 .*altered")


def test_edit_details(record: Record, capsys: pytest.CaptureFixture[str]) -> None:
    """An insider blanks an audit entry's details"""
    caught(record, capsys, _set(7, details="{}"), r"#7 .*altered")


def test_edit_subject(record: Record, capsys: pytest.CaptureFixture[str]) -> None:
    """An insider moves an audit entry to another case (the subject)"""
    caught(record, capsys, _set(4, subject="THR-99"), r"#4 .*altered")


def test_delete_one(record: Record, capsys: pytest.CaptureFixture[str]) -> None:
    """An insider deletes one audit entry from the middle of the record"""
    caught(record, capsys, _delete_3, "#3 is missing")


def test_reorder(record: Record, capsys: pytest.CaptureFixture[str]) -> None:
    """An insider swaps two audit entries, keeping their sequence numbers in order"""
    caught(record, capsys, _swap, r"#3 .*does not follow")


def test_truncate_tail(record: Record, capsys: pytest.CaptureFixture[str]) -> None:
    """An insider deletes the last audit entries, leaving the stored head"""
    caught(record, capsys, _truncate, "were removed from the end")


def test_rehash_one_entry(record: Record, capsys: pytest.CaptureFixture[str]) -> None:
    """An insider edits an audit entry and recomputes its own hash only"""
    caught(record, capsys, _rehash_one, r"#7 .*does not follow")


def test_full_rewrite_against_stored_checkpoints(
    record: Record, capsys: pytest.CaptureFixture[str]
) -> None:
    """An insider rewrites an entry, recomputes every later hash and moves the stored head"""
    tamper(record.app, rewrite_seq5)
    code, out = cli(capsys, record.app, "audit", "verify")
    assert code == 6, out
    assert "the audit record was rewritten" in out
    assert f"diverges from the checkpoint of #{record.warning_seq}" in out
    assert "stored, made for REL-1" in out


def test_full_rewrite_against_an_exported_checkpoint_file(
    record: Record, capsys: pytest.CaptureFixture[str]
) -> None:
    """An insider with the database and the key rewrites the chain and re-signs its checkpoints"""
    tamper(record.app, rewrite_and_resign(record.app))
    code, out = cli(capsys, record.app, "audit", "verify", "--checkpoints", str(record.kept))
    assert code == 6, out
    assert "the audit record was rewritten" in out
    assert f"diverges from the checkpoint of #{record.warning_seq}" in out
    assert "(kept.json)" in out
    assert f"entries #1..#{record.warning_seq} were changed" in out


def test_full_rewrite_against_a_released_warning(
    record: Record, capsys: pytest.CaptureFixture[str]
) -> None:
    """An insider with the database and the key rewrites a chain a released warning vouches for"""
    tamper(record.app, rewrite_and_resign(record.app))
    code, out = cli(capsys, record.app, "audit", "verify", "--checkpoints", str(record.warning))
    assert code == 6, out
    assert f"diverges from the checkpoint of #{record.warning_seq}" in out
    assert "(WRN-1.jws)" in out


def test_rollback_to_an_older_consistent_state(
    record: Record, capsys: pytest.CaptureFixture[str]
) -> None:
    """An insider deletes the latest entries and checkpoints and moves the head back to match"""

    def rollback(s: Session) -> None:
        keep = record.warning_seq + 2
        s.execute(delete(AuditEntry).where(AuditEntry.seq > keep))
        s.execute(delete(AuditCheckpoint).where(AuditCheckpoint.seq > keep))
        row = s.get(AuditEntry, keep)
        head = s.get(AuditHead, 1)
        assert row is not None
        assert head is not None
        head.seq, head.hash = keep, row.hash

    tamper(record.app, rollback)
    assert cli(capsys, record.app, "audit", "verify")[0] == 0  # consistent on the box alone
    code, out = cli(capsys, record.app, "audit", "verify", "--checkpoints", str(record.kept))
    assert code == 6, out
    assert f"audit entries #{record.warning_seq + 3}.." in out
    assert "were removed" in out


def test_checkpoint_signed_by_another_key(
    record: Record, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An insider without the signing key forges checkpoints of a rewritten chain with their own"""
    tamper(record.app, rewrite_seq5)
    own = OKPKey.generate_key("Ed25519", parameters={"alg": "Ed25519"})
    own.ensure_kid()

    def forge(s: Session) -> None:
        head = s.get(AuditHead, 1)
        assert head is not None
        made = sign_checkpoint(head.seq, head.hash, record.app.clock.now(), own, "forger")
        s.execute(delete(AuditCheckpoint))
        s.add(
            AuditCheckpoint(
                seq=made.seq,
                head=made.head,
                at=made.at,
                key_id=made.key_id,
                made_for="schedule",
                jws=made.jws,
            )
        )
        forged = tmp_path / "forged.json"
        forged.write_text(
            '{"schema": "tearline.audit-checkpoints/1", "checkpoints": '
            f'[{{"jws": "{made.jws}"}}]}}'
        )

    tamper(record.app, forge)
    code, out = cli(capsys, record.app, "audit", "verify")
    assert code == 6, out
    assert "is refused: not signed by this deployment's keys" in out
    assert "forged or altered" in out
    code, out = cli(
        capsys, record.app, "audit", "verify", "--checkpoints", str(tmp_path / "forged.json")
    )
    assert code == 5, out
    assert "forged.json: checkpoint 1 of 1 refused: not signed by this deployment's keys" in out
