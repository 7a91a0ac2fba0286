"""Long commands end with a summary line on standard error, and standard output stays
exactly what a script reads (with or without ``--progress``)."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from tearline.cli import main

ALERTS = Path(__file__).parents[1] / "extract" / "fixtures" / "alerts" / "alerts.toml"
TEXTS = [
    "Gunmen attacked a hotel in Kabul yesterday, killing {n} people.",
    "The central bank kept interest rates unchanged on Thursday ({n}).",
    "A car bomb exploded near a market in Mosul, wounding {n} people.",
]


def _lines(count: int) -> str:
    rows = [{"id": n, "text": TEXTS[n % 3].format(n=n), "date": "2024-05-03"} for n in range(count)]
    return "".join(json.dumps(r) + "\n" for r in rows)


def _extract(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stdin: str, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["extract", "--jsonl", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_extract_jsonl_ends_with_a_summary_and_stdout_is_only_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _extract(capsys, monkeypatch, _lines(50))
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == list(range(50))
    events = sum(len(r["events"]) for r in records)
    assert events > 0
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"50 texts read: {events} events, 0 could not be read (")
    # The same output, byte for byte, when progress is asked for.
    code, with_progress, _ = _extract(capsys, monkeypatch, _lines(50), "--progress")
    assert code == 0
    assert with_progress == out


def test_extract_jsonl_summary_counts_the_lines_it_could_not_read(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _extract(capsys, monkeypatch, _lines(4) + "not json\n")
    assert code != 0
    assert len(out.splitlines()) == 5
    assert "5 texts read: " in err
    assert "1 could not be read" in err


def test_eval_alerts_says_how_many_texts_it_read_and_json_stays_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["eval", "alerts", "--file", str(ALERTS), "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert f"{report['texts']} alerts read (" in captured.err


def test_audit_verify_summary_counts_every_entry(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
) -> None:
    monkeypatch.setenv("TEARLINE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TEARLINE_DATABASE_URL", database_url)
    reports = tmp_path / "reports"
    reports.mkdir()
    for n, text in enumerate(TEXTS):
        (reports / f"r{n}.txt").write_text(text.format(n=n + 2), encoding="utf-8")
    assert main(["ingest", str(reports), "--source", "desk"]) == 0
    capsys.readouterr()
    assert main(["audit", "verify"]) == 0
    captured = capsys.readouterr()
    intact = re.search(r"audit chain intact: (\d+) entries", captured.out)
    assert intact is not None
    assert int(intact[1]) >= 3
    assert f"{intact[1]} audit entries checked (" in captured.err
