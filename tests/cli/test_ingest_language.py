"""`tearline ingest` says and stores each report's language; `--language` wins, and one
extraction cannot read is refused with one line, storing nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tearline.cli import main
from tearline.demo.scenario import report_text, second_report_text


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TEARLINE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path / "home"


@pytest.fixture
def reports(tmp_path: Path) -> tuple[Path, Path]:
    english, russian = tmp_path / "liaison.txt", tmp_path / "partner-ru.txt"
    english.write_bytes(report_text())
    russian.write_bytes(second_report_text())
    return english, russian


def test_each_report_is_stored_with_the_language_identified(
    capsys: pytest.CaptureFixture[str], home: Path, reports: tuple[Path, Path]
) -> None:
    english, russian = reports
    dated = ("--date", "2024-03-06")
    code, out, err = run(capsys, "ingest", str(english), "--source", "A", *dated)
    assert code == 0, err
    assert "RPT-1, in English (en), identified from the text" in out
    code, out, err = run(capsys, "ingest", str(russian), "--source", "B", *dated)
    assert code == 0, err
    assert "RPT-2, in Russian (ru), identified from the text — EVT-3 threat → THR-1" in out
    code, out, _ = run(capsys, "show", "RPT-2", "--json")
    assert json.loads(out)["language"] == "ru"
    code, out, _ = run(capsys, "show", "THR-1")
    assert "report=RPT-2, language=ru, language_label=Russian (ru)" in out


def test_the_language_given_wins(
    capsys: pytest.CaptureFixture[str], home: Path, reports: tuple[Path, Path]
) -> None:
    _, russian = reports
    code, out, err = run(capsys, "ingest", str(russian), "--language", "ru-RU")
    assert code == 0, err
    assert "RPT-1, in Russian (ru), as given" in out


def test_a_language_extraction_cannot_read_is_one_line_and_stores_nothing(
    capsys: pytest.CaptureFixture[str], home: Path, reports: tuple[Path, Path]
) -> None:
    english, _ = reports
    code, _, err = run(capsys, "ingest", str(english), "--language", "de")
    assert code == 65
    assert err.strip().count("\n") == 0
    assert "extraction does not read German (de)" in err
    assert "Leave the language out" in err
    code, out, _ = run(capsys, "threats", "--json")
    assert json.loads(out) == []


def test_a_value_that_is_no_language_tag_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], home: Path, reports: tuple[Path, Path]
) -> None:
    english, _ = reports
    for command in (["ingest", str(english), "--language"], ["extract", str(english), "--lang"]):
        code, _, err = run(capsys, *command, "Russian please")
        assert code == 2, (command, err)  # like any other bad option value
        assert "is not a language code such as ru, en or fa-IR" in err
    code, out, _ = run(capsys, "threats", "--json")
    assert json.loads(out) == []
