"""Issue 20, part 1: a determination silently replaced. Re-deciding is an explicit supersede."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tearline import workflow as wf
from tearline.cli import main
from tearline.clock import FixedClock
from tearline.demo.scenario import report_text
from tearline.settings import load_settings
from tests.conftest import PASSWORDS, seed_users
from tests.factories import add_moscow_recipients
from tests.web.conftest import ingest_demo, start_desk
from tests.web.desk import PEOPLE, Desk
from tests.workflow.conftest import PROVENANCE

REASON = "the window passed without an attack; the plot is judged disrupted"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _warn_and_release(app: wf.App, threat: str, dana: wf.Identity, avery: wf.Identity) -> None:
    wf.decide(app, threat, dana)
    wf.approve_release(app, wf.propose_release(app, threat, dana).ref, avery)
    wf.respond(app, "WRN-1", "received", dana, note="acknowledged by the liaison desk")


def warned_cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A home for the CLI whose case was warned, released and acknowledged; its THR ref."""
    home = tmp_path / "home"
    monkeypatch.setenv("TEARLINE_HOME", str(home))
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    app = wf.App(load_settings({"home": str(home), "sender": "Test agency"}, environ={}))
    try:
        dana, avery = seed_users(app)
        add_moscow_recipients(app, "http://127.0.0.1:9/hook")
        today = datetime.now(UTC)  # the CLI runs on the system clock: the window is ahead
        prov = wf.Provenance(**{**PROVENANCE.__dict__, "document_date": today})
        ingested = wf.ingest_bytes(app, report_text(), "moscow.txt", prov, actor="dana")
        threat = next(e.threat_ref for e in ingested.events if e.threat_ref)
        assert threat is not None
        _warn_and_release(app, threat, dana, avery)
    finally:
        app.close()
    return threat


def test_silent_redecide_over_a_released_warn(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A duty officer re-decides a case whose WARN was released and acknowledged, with no reason"""
    threat = warned_cli_home(tmp_path, monkeypatch)
    monkeypatch.setenv("TEARLINE_PASSWORD", PASSWORDS["dana"])
    code, _, err = cli(capsys, "decide", threat, "--user", "dana")
    assert code != 0
    for said in ("DET-1", "warn", "WRN-1", "--supersede"):
        assert said in err
    code, out, _ = cli(capsys, "determinations", threat, "--json")
    assert code == 0
    assert [(d["ref"], d["status"], d["in_force"]) for d in json.loads(out)] == [
        ("DET-1", "recorded", True)
    ]


@pytest.fixture
def sqlite_desk(sqlite_app: wf.App) -> Iterator[Desk]:
    d = start_desk(sqlite_app)
    yield d
    d.stop()


def _warned_case(desk: Desk, clock: FixedClock) -> tuple[str, wf.Identity]:
    app = desk.app
    threat = ingest_demo(app)
    dana = wf.sign_in(app, "dana", PEOPLE["dana"][0])
    avery = wf.sign_in(app, "avery", PEOPLE["avery"][0])
    _warn_and_release(app, threat, dana, avery)
    clock.advance(timedelta(days=30))  # the window is past: the rule gives not triggered
    return threat, dana


def test_downgrade_without_follow_up(sqlite_desk: Desk, clock: FixedClock) -> None:
    """A duty officer supersedes a released WARN with not triggered, saying nothing to the warned"""
    threat, _ = _warned_case(sqlite_desk, clock)
    dana = sqlite_desk.client("dana")
    r = dana.api("POST", f"/api/threats/{threat}/determination", json={"supersede": REASON})
    assert r.status_code in (400, 409, 422), r.text
    assert "update, all-clear or nothing" in r.text
    shown = dana.api("GET", f"/api/threats/{threat}/determination").json()
    assert [(d["ref"], d["status"]) for d in shown["determinations"]] == [("DET-1", "recorded")]
    assert shown["determination_in_force"] == "DET-1"


def test_supersede_approved_by_its_proposer(sqlite_desk: Desk, clock: FixedClock) -> None:
    """One person who is both duty officer and approver supersedes a WARN and approves it alone"""
    threat, _ = _warned_case(sqlite_desk, clock)
    wf.add_user(
        sqlite_desk.app,
        "dual",
        "dual-role-password-1",
        ["duty_officer", "approver"],
        compartments=["CT"],
        by="test",
    )
    dual = sqlite_desk.client(None)
    assert dual.login("dual", "dual-role-password-1").status_code == 303
    form = {"supersede": REASON, "follow_up": "all-clear", "confirm": "1"}
    told = dual.flash(dual.post(f"/threats/{threat}/decide", form))
    assert told.startswith("ok: DET-2: supersede of DET-1 proposed"), told
    told = dual.flash(dual.post("/determinations/DET-2/approve"))
    assert told.startswith("error:"), told
    assert "cannot also approve" in told
    r = dual.api("POST", "/api/determinations/DET-2/approve", json={})
    assert r.status_code == 409, r.text
    assert "cannot also approve" in r.text
    shown = dual.api("GET", f"/api/threats/{threat}/determination").json()
    assert shown["determination_in_force"] == "DET-1"
    assert shown["supersede_pending"] == "DET-2"
