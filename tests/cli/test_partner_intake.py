"""`tearline ingest DIR`: every partner item of every file stored on its own, a hostile
file refused with its reason, a summary at the end; run again, everything is held. And
`tearline feeds`: subscribe, poll, and see a failing feed's error."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from tearline import workflow as wf
from tearline.cli import main
from tearline.cli._intake import ingest_paths
from tearline.demo.partner_items import partner_batch
from tearline.demo.scenario import report_text
from tearline.settings import load_settings
from tests.workflow.partner_feed import PartnerServer

CAP = Path(__file__).resolve().parents[1] / "intake" / "fixtures" / "partners" / "cap"
STIX = Path(__file__).resolve().parents[1] / "intake" / "fixtures" / "partners" / "stix"


def test_a_directory_of_partner_items_is_stored_item_by_item_with_a_summary(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEARLINE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    inbox = tmp_path / "inbox"
    (inbox / "cap").mkdir(parents=True)
    shutil.copy(CAP / "testdata_canada.cap", inbox / "cap" / "canada.cap")
    shutil.copy(CAP / "testdata_xee.cap", inbox / "cap" / "xee.cap")
    shutil.copy(STIX / "poisonivy.json", inbox / "poisonivy.json")
    (inbox / "liaison.txt").write_bytes(report_text())
    (inbox / ".hidden.txt").write_bytes(b"not read")

    code = main(["ingest", str(inbox)])
    out, err = capsys.readouterr()
    assert code == 65  # one file was refused
    assert "4 items: 3 stored, 0 already held, 1 refused" in out
    assert "refused: xee.cap: the XML declares a DOCTYPE or entities" in out
    assert "error: xee.cap: the XML declares a DOCTYPE" in err
    assert out.count("RPT-") == 3

    code = main(["ingest", str(inbox / "cap" / "canada.cap"), str(inbox / "poisonivy.json")])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "2 items: 0 stored, 2 already held, 0 refused" in out


def _unwrapped(text: str) -> str:
    """Console output as one line: a console narrower than a URL wraps it."""
    return " ".join(text.split())


def test_feeds_add_list_and_poll_through_the_cli(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEARLINE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "250")
    partner = PartnerServer()
    try:
        assert main(["feeds", "add", partner.url, "--every", "1h"]) == 0
        assert f"FEED-1: {partner.url}, polled every 1h" in _unwrapped(capsys.readouterr().out)
        assert main(["feeds", "add", "ftp://partner.example/x"]) == 65
        assert "is not a feed or mailbox URL" in capsys.readouterr().err
        assert main(["feeds", "poll"]) == 0
        out = _unwrapped(capsys.readouterr().out)
        assert f"FEED-1 {partner.url}: 2 items: 2 stored, 0 already held, 0 refused" in out
        assert main(["feeds", "poll", "FEED-1"]) == 0
        assert f"FEED-1 {partner.url}: not modified" in _unwrapped(capsys.readouterr().out)
        partner.status = 500
        assert main(["feeds", "poll"]) == 65
        assert "FEED-1" in capsys.readouterr().err
        assert main(["feeds", "list", "--json"]) == 0
        (listed,) = json.loads(capsys.readouterr().out)
        assert (listed["ref"], listed["failures"]) == ("FEED-1", 1)
        assert listed["last_error"] == "HTTP 500 Internal Server Error"
        assert main(["feeds", "remove", "FEED-1"]) == 0
        assert "FEED-1: " in capsys.readouterr().out
        assert main(["feeds", "list", "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == []
        assert main(["feeds", "remove", "FEED-1"]) == 66
        assert "no feed FEED-1" in capsys.readouterr().err
    finally:
        partner.stop()


def test_a_terminal_sees_the_progress_of_every_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEARLINE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, raw in partner_batch(30).files:
        (inbox / name).write_bytes(raw)
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100)
    app = wf.App(load_settings({"home": str(tmp_path / "home")}))
    try:
        summary = ingest_paths(app, [inbox], wf.Provenance(), progress_to=terminal)
    finally:
        app.close()
    assert summary.items == 30
    drawn = screen.getvalue()
    assert "30/30" in drawn  # the bar's last count: every item, across every file
    last = partner_batch(30).files[-1][0]
    assert last in drawn  # the file being read is named beside the bar
