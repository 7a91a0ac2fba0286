"""MISP at the command line: `tearline ingest FEED_DIR` stores a MISP feed's events through
its manifest (a missing event refused, the feed's hash list not taken for a report), and
`tearline export WRN-n --format misp` writes the released warning as a MISP event."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pymisp import MISPEvent

from tearline.cli import main
from tearline.cli._common import out as console
from tearline.demo.scenario import report_text

FIXTURES = Path(__file__).parents[1] / "intake" / "fixtures" / "misp"
PARTNER = "6b1e2f0a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
OSINT = "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d"
MISSING = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TEARLINE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(console, "_width", 200)
    return tmp_path


def test_ingest_reads_a_misp_feed_through_its_manifest(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = home / "feed"
    feed.mkdir()
    shutil.copy(FIXTURES / "partner_event.json", feed / f"{PARTNER}.json")
    osint = json.loads((FIXTURES / "osint_event.json").read_text("utf-8"))
    (feed / f"{OSINT}.json").write_text(json.dumps({"Event": osint}), "utf-8")
    manifest = {PARTNER: {"info": "Strasbourg"}, OSINT: {"info": "Goma"}, MISSING: {}}
    (feed / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    (feed / "hashes.csv").write_text("sha256,uuid\n", "utf-8")

    code = main(["ingest", str(feed)])
    out, err = capsys.readouterr()
    assert code == 65  # one listed event was missing
    assert "3 items: 2 stored, 0 already held, 1 refused" in out
    assert f"refused: feed event {MISSING}: listed in manifest.json" in out
    assert f"error: feed event {MISSING}" in err
    assert out.count("RPT-") == 2  # the two events; not the manifest, not hashes.csv

    code = main(["ingest", str(feed)])
    out, _ = capsys.readouterr()
    assert "3 items: 0 stored, 2 already held, 1 refused" in out


def test_export_writes_a_released_warning_as_a_misp_event(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, role in (("dana", "duty_officer"), ("avery", "approver")):
        monkeypatch.setenv("TEARLINE_NEW_PASSWORD", f"{name}-password-1")
        assert main(["users", "add", name, "--role", role, "--role", "analyst"]) == 0
    recipient = ["Russia (liaison)", "--kind", "government", "--tier", "adversary"]
    recipient += ["--jurisdiction", "RU", "--contact", "liaison_note=desk"]
    assert main(["recipients", "add", *recipient]) == 0
    report = home / "moscow.txt"
    report.write_bytes(report_text())
    today = datetime.now(UTC).date().isoformat()
    source = ["--source", "PINE HARBOUR", "--reliability", "B", "--date", today]
    assert main(["ingest", str(report), *source]) == 0
    monkeypatch.setenv("TEARLINE_PASSWORD", "dana-password-1")
    assert main(["decide", "THR-1", "--user", "dana"]) == 0
    assert main(["release", "THR-1", "--user", "dana"]) == 0
    monkeypatch.setenv("TEARLINE_PASSWORD", "avery-password-1")
    assert main(["approve", "REL-1", "--user", "avery"]) == 0
    capsys.readouterr()

    target = home / "WRN-1.misp.json"
    code = main(["export", "WRN-1", "--format", "misp", "-o", str(target)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "WRN-1 (misp, en) written to" in out
    event = MISPEvent()
    event.load(target.read_text("utf-8"))
    assert event.info.startswith("Warning of a threat to life")
    assert "PINE HARBOUR" not in target.read_text("utf-8")  # the source never goes out
