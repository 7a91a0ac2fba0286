"""`tearline decide --supersede`: a preview, a proposed new version, a second person's approval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import PASSWORDS
from tests.redteam.test_determinations import cli, warned_cli_home

REASON = "a second report names the venue; the recipients are chosen again"


def test_a_supersede_is_previewed_proposed_and_approved_by_a_second_person(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threat = warned_cli_home(tmp_path, monkeypatch)
    monkeypatch.setenv("TEARLINE_PASSWORD", PASSWORDS["dana"])
    code, out, err = cli(capsys, "decide", threat, "--user", "dana", "--supersede", "too short")
    assert code != 0
    assert "at least 20 characters" in err
    code, out, _ = cli(
        capsys, "decide", threat, "--user", "dana", "--supersede", REASON, "--dry-run"
    )
    assert code == 0, out
    assert "PREVIEW: nothing was recorded" in out
    assert "DET-1 (warn) -> version 2 (warn)" in out
    assert "WRN-1" in out  # stays released
    code, out, _ = cli(capsys, "determinations", threat, "--json")
    assert [d["ref"] for d in json.loads(out)] == ["DET-1"]
    code, out, _ = cli(capsys, "decide", threat, "--user", "dana", "--supersede", REASON)
    assert code == 0, out
    assert "DET-2 proposed: DET-1 stays in force until a second person approves" in out
    code, _, err = cli(capsys, "approve", "DET-2", "--user", "dana")
    assert code != 0
    assert "cannot also approve" in err
    monkeypatch.setenv("TEARLINE_PASSWORD", PASSWORDS["avery"])
    code, out, _ = cli(capsys, "approve", "DET-2", "--user", "avery")
    assert code == 0, out
    assert "DET-2: supersede approved by avery" in out
    code, out, _ = cli(capsys, "determinations", threat)
    assert code == 0
    assert "DET-2 supersedes DET-1: a second report names the venue" in out
    rows = json.loads(cli(capsys, "determinations", threat, "--json")[1])
    assert [(d["version"], d["status"], d["in_force"]) for d in rows] == [
        (1, "superseded", False),
        (2, "approved", True),
    ]
    assert (rows[1]["proposed_by"], rows[1]["approved_by"]) == ("dana", "avery")
