"""`tearline extract --jsonl`: JSON lines in, one JSON line per document out, streaming."""

from __future__ import annotations

import io
import json
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tearline.cli import main

KABUL = "Gunmen attacked a hotel in Kabul yesterday, killing 5 people. The Taliban claimed it."
QUIET = "The central bank kept interest rates unchanged on Thursday."


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stdin: str, *args: str
) -> tuple[int, list[dict[str, object]], str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["extract", "--jsonl", *args])
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


def test_one_line_per_document_in_order(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        {"id": "a", "text": KABUL, "date": "2024-03-06T09:00:00+00:00"},
        {"id": 7, "text": QUIET},
        {"id": "c", "text": ""},
    ]
    stdin = "\n".join(json.dumps(x) for x in lines) + "\n\n"
    code, out, _ = run(capsys, monkeypatch, stdin, "--date", "2024-03-01")
    assert code == 0
    assert [o["id"] for o in out] == ["a", 7, "c"]
    first = out[0]["events"]
    assert isinstance(first, list)
    assert len(first) == 1
    assert first[0]["place"]["city"] == "Kabul"
    assert first[0]["time"]["start"] == "2024-03-05T00:00:00+00:00"  # "yesterday", its own date
    assert out[0]["document_date"] == "2024-03-06T09:00:00+00:00"
    assert out[1]["document_date"] == "2024-03-01T00:00:00+00:00"  # --date for the others
    assert out[1]["events"] == []
    assert out[2]["events"] == []


def test_a_bad_line_gets_an_error_line_and_the_rest_go_on(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = "\n".join(
        [
            json.dumps({"id": "ok1", "text": QUIET}),
            "{not json",
            json.dumps({"id": "no-text"}),
            json.dumps(["a", "list"]),
            json.dumps({"id": "bad-date", "text": KABUL, "date": "yesterday"}),
            json.dumps({"id": "ok2", "text": KABUL, "date": "2024-03-06"}),
        ]
    )
    code, out, err = run(capsys, monkeypatch, stdin)
    assert code == 65
    assert [o.get("id") for o in out] == ["ok1", None, "no-text", None, "bad-date", "ok2"]
    assert [o.get("line") for o in out if "error" in o] == [2, 3, 4, 5]
    assert "not JSON" in str(out[1]["error"])
    assert '"text" is missing' in str(out[2]["error"])
    assert "ISO 8601" in str(out[4]["error"])
    assert out[5]["events"]
    assert "4 line(s) could not be read" in err


def test_reads_a_file_too(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps({"id": "f", "text": KABUL, "date": "2024-03-06"}) + "\n")
    code, out, _ = run(capsys, monkeypatch, "", str(path))
    assert code == 0
    assert [o["id"] for o in out] == ["f"]


def test_a_document_over_the_size_limit_is_refused_alone(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEARLINE_MAX_DOCUMENT_BYTES", "1000")
    stdin = (
        json.dumps({"id": "big", "text": "x " * 600})
        + "\n"
        + json.dumps({"id": "s", "text": QUIET})
    )
    code, out, _ = run(capsys, monkeypatch, stdin)
    assert code == 65
    assert "larger than TEARLINE_MAX_DOCUMENT_BYTES" in str(out[0]["error"])
    assert out[1] == {**out[1], "id": "s", "events": []}


def test_output_streams_before_the_input_ends() -> None:
    """The first answer arrives while the writer still holds standard input open."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tearline", "extract", "--jsonl", "--date", "2024-03-06"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    answers: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: answers.put(proc.stdout.readline()), daemon=True).start()
    try:
        proc.stdin.write(json.dumps({"id": "first", "text": KABUL}) + "\n")
        proc.stdin.flush()
        line = answers.get(timeout=60)  # stdin is still open
        assert json.loads(line)["id"] == "first"
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
        proc.stdout.close()
    assert proc.returncode == 0


def test_several_workers_write_the_same_lines_in_the_same_order(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [json.dumps({"id": i, "text": KABUL if i % 3 else QUIET}) for i in range(23)]
    lines[5] = "{not json"
    lines[17] = json.dumps({"id": "no-text"})
    stdin = "\n".join(lines) + "\n"
    one = run(capsys, monkeypatch, stdin, "--date", "2024-03-06")
    three = run(capsys, monkeypatch, stdin, "--date", "2024-03-06", "--workers", "3")
    assert one[0] == three[0] == 65  # two lines could not be read, either way
    assert three[1] == one[1]  # every record, in input order
    assert [o.get("line") for o in three[1] if "error" in o] == [6, 18]
    assert three[2].count("error: line") == 2


def test_workers_must_be_at_least_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["extract", "--jsonl", "--workers", "0"]) == 2
    assert "--workers" in capsys.readouterr().err
