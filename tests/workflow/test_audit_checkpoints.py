"""Signed checkpoints of the audit chain, as an auditor and a recipient see them: made at
release, on the worker's schedule and on demand; exported, embedded and checked by verify."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from jwcrypto import jwk, jws

from tearline import workflow as wf
from tearline.cli import main
from tearline.clock import FixedClock
from tearline.demo.scenario import report_text
from tests.conftest import seed_users
from tests.factories import add_moscow_recipients
from tests.workflow.conftest import PROVENANCE
from tests.workflow.test_chain import release_all


def payload_of(token: str, keys: dict[str, object]) -> dict[str, object]:
    """Verify a compact JWS with jwcrypto (not Tearline's JOSE library) and the JWKS."""
    keyset = jwk.JWKSet.from_json(json.dumps(keys))
    signed = jws.JWS()
    signed.deserialize(token)
    signed.verify(keyset.get_key(signed.jose_header["kid"]), alg="Ed25519")
    payload: dict[str, object] = json.loads(signed.payload)
    return payload


def test_a_released_warning_carries_a_checkpoint_anyone_can_verify(
    app: wf.App, threat_ref: str, people: tuple[wf.Identity, wf.Identity]
) -> None:
    released = release_all(app, threat_ref, people)
    published = app.keys.jwks()
    warning = payload_of(released.warnings[0][2], published)
    embedded = warning["audit_checkpoint"]
    assert isinstance(embedded, dict)
    checkpoint = payload_of(str(embedded["jws"]), published)
    assert checkpoint["schema"] == "tearline.audit-checkpoint/1"
    assert (checkpoint["seq"], checkpoint["head"]) == (embedded["seq"], embedded["head"])
    # The head it names is the record as it stood when the release was approved.
    entries = {e["seq"]: e for e in wf.audit_entries(app, limit=10_000)}
    seq = checkpoint["seq"]
    assert isinstance(seq, int)
    assert entries[seq]["hash"] == checkpoint["head"]
    assert entries[seq + 1]["action"] != "release.proposed"  # signed after the proposal
    stored = wf.list_checkpoints(app)
    assert [(c["seq"], c["made_for"]) for c in stored] == [(seq, released.ref)]
    report = wf.audit_verify(app)
    assert report.checkpoints == 1
    assert report.entries > seq  # the release's own entries follow the checkpoint


def test_the_worker_signs_a_checkpoint_on_its_schedule(
    app: wf.App,
    clock: FixedClock,
    threat_ref: str,
    people: tuple[wf.Identity, wf.Identity],
) -> None:
    release_all(app, threat_ref, people)
    wf.run_worker(app, wf.channels_for(app), once=True)  # deliveries add entries
    assert len(wf.list_checkpoints(app)) == 1  # the release's; the next is not due yet
    clock.advance(timedelta(minutes=app.settings.audit_checkpoint_minutes + 1))
    wf.run_worker(app, wf.channels_for(app), once=True)
    made = wf.list_checkpoints(app)
    assert [c["made_for"] for c in made][-1] == "schedule"
    head = wf.audit_entries(app, limit=1)[0]
    assert (made[-1]["seq"], made[-1]["head"]) == (head["seq"], head["hash"])
    clock.advance(timedelta(minutes=app.settings.audit_checkpoint_minutes + 1))
    wf.run_worker(app, wf.channels_for(app), once=True)
    assert len(wf.list_checkpoints(app)) == len(made)  # nothing new was recorded
    assert wf.audit_verify(app).checkpoints == len(made)


def run_cli(capsys: pytest.CaptureFixture[str], app: wf.App, *args: str) -> tuple[int, str]:
    code = main(["--home", str(app.home), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_cli_makes_lists_exports_and_verifies_against_checkpoints(
    sqlite_app: wf.App,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # SQLite only: the CLI opens its own database per command (the same code on both).
    app = sqlite_app
    seed_users(app)
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    code, out = run_cli(capsys, app, "audit", "checkpoint")
    assert code == 0, out
    assert "checkpoint of #" in out
    code, out = run_cli(capsys, app, "audit", "checkpoints", "--json")
    listed = json.loads(out)
    assert len(listed) == 1
    assert listed[0]["made_for"].startswith("cli:")
    exported = tmp_path / "kept.json"
    code, out = run_cli(capsys, app, "audit", "checkpoints", "--export", str(exported))
    assert code == 0
    assert "wrote 1 checkpoint" in out
    document = json.loads(exported.read_text())
    assert document["schema"] == "tearline.audit-checkpoints/1"
    payload_of(document["checkpoints"][0]["jws"], app.keys.jwks())
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps(app.keys.jwks()))
    wf.add_user(app, "carol", "carol-password-long", [wf.Role.ANALYST])  # the record grows
    code, out = run_cli(
        capsys,
        app,
        "audit",
        "verify",
        "--checkpoints",
        str(exported),
        "--jwks",
        str(jwks_file),
    )
    assert code == 0, out
    assert "audit chain intact" in out
    assert "agrees with 2 signed checkpoint(s) (1 from the files given)" in out
    empty = tmp_path / "empty.json"
    empty.write_text('{"schema": "tearline.audit-checkpoints/1", "checkpoints": []}')
    code, out = run_cli(capsys, app, "audit", "verify", "--checkpoints", str(empty))
    assert code != 0
    assert "holds no audit checkpoint" in out


def test_verifying_never_creates_a_signing_key(app: wf.App, people: object) -> None:
    assert not app.keys.exists()
    assert wf.audit_verify(app).checkpoints == 0
    assert not app.keys.exists()


def test_a_recipient_is_told_the_warning_vouches_for_the_record(
    sqlite_app: wf.App,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = sqlite_app
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    people = seed_users(app)
    add_moscow_recipients(app, "http://127.0.0.1:9")
    ingested = wf.ingest_bytes(app, report_text(), "moscow.txt", PROVENANCE, actor="dana")
    threat = next(e.threat_ref for e in ingested.events if e.threat_ref)
    released = release_all(app, threat, people)
    kept = tmp_path / "WRN-1.jws"
    kept.write_text(released.warnings[0][2])
    code, out = run_cli(capsys, app, "verify", str(kept))
    assert code == 0, out
    seq = wf.list_checkpoints(app)[0]["seq"]
    assert f"It carries the sender's audit checkpoint of entry #{seq}" in out
    code, out = run_cli(capsys, app, "audit", "verify", "--checkpoints", str(kept))
    assert code == 0, out
    assert "(1 from the files given)" in out
