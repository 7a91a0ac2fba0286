"""`tearline ingest` names a copy's origin, `show THR-n` counts origins, and `tearline eval
origins` reads the hand-keyed pairs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tearline.cli import main
from tearline.demo.scenario import report_text

PAIRS = Path(__file__).parent.parent / "assess" / "fixtures" / "origins" / "pairs.jsonl"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(list(args))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_the_same_text_under_two_source_names_is_one_origin(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEARLINE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    first, second = tmp_path / "liaison.txt", tmp_path / "relayed.txt"
    first.write_bytes(report_text())
    second.write_bytes(report_text() + b"\nRelayed by the partner desk.")
    out = run(capsys, "ingest", str(first), "--source", "ALPHA", "--reliability", "B")
    assert "same origin" not in out
    out = run(capsys, "ingest", str(second), "--source", "BRAVO", "--reliability", "A")
    assert "same origin as RPT-1: near-duplicate of RPT-1 (Jaccard" in out
    out = run(capsys, "show", "THR-1")
    assert "2 reports, 1 independent origin: RPT-2 repeats RPT-1" in out


def test_eval_origins_prints_precision_and_recall_per_kind(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run(capsys, "eval", "origins", "--file", str(PAIRS))
    assert "Origins (test): 108 pairs, precision 1.000, recall 0.983" in out
    assert "independent        called same origin   0 of  12" in out
