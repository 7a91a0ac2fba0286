"""The CLI as a user meets it: one-line errors, exit codes, nothing half-stored."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tearline.cli import main
from tearline.demo.scenario import report_text

COMMANDS = [
    "demo",
    "ingest",
    "extract",
    "threats",
    "show",
    "decide",
    "release",
    "approve",
    "worker",
    "respond",
    "verify",
    "audit",
    "users",
    "recipients",
    "keys",
]


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


def test_help_lists_every_command_with_a_line_of_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for name in COMMANDS:
        assert f" {name} " in out, name


def test_extract_json_is_the_documented_schema(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(report_text())
    code, out, _ = run(
        capsys, "extract", str(path), "--date", "2024-03-06T09:00:00+00:00", "--json"
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "tearline.extract/1"
    assert {e["kind"] for e in doc["events"]} == {"threat", "incident"}
    text = report_text().decode()
    for event in doc["events"]:
        for span in event["evidence"]:
            start, end = span["offsets"]
            assert text[start:end] == span["text"]
    assert not home.exists() or not (home / "tearline.db").exists()  # stored nothing


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.txt", "the file is empty"),
        (b"\x00\x01\x02\x03", "blob.txt", "binary file"),
        (b"caf\xe9", "latin1.txt", "not valid UTF-8"),
        (b'{"text":', "bad.json", "malformed JSON"),
        (b"hello", "bad.eml", "no e-mail headers"),
    ],
)
def test_bad_files_give_one_line_and_store_nothing(
    capsys: pytest.CaptureFixture[str],
    home: Path,
    tmp_path: Path,
    content: bytes,
    name: str,
    message: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code, _, err = run(capsys, "ingest", str(path))
    assert code == 65
    assert err.strip().count("\n") == 0
    assert message in err
    assert name in err
    code, out, _ = run(capsys, "threats", "--json")
    assert json.loads(out) == []


def test_oversized_file_is_refused(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEARLINE_MAX_DOCUMENT_BYTES", "1000")
    path = tmp_path / "big.txt"
    path.write_bytes(report_text())
    code, _, err = run(capsys, "ingest", str(path))
    assert code == 65
    assert "over the limit of 1,000" in err


def test_good_file_survives_a_bad_one_in_the_same_command(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    good, bad = tmp_path / "good.txt", tmp_path / "bad.json"
    good.write_bytes(report_text())
    bad.write_bytes(b"{")
    code, out, err = run(capsys, "ingest", str(good), str(bad))
    assert code == 65
    assert "RPT-1" in out
    assert "bad.json" in err
    code, out, _ = run(capsys, "threats", "--json")
    assert [t["ref"] for t in json.loads(out)] == ["THR-1"]


def test_unknown_ids_and_missing_files(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    code, _, err = run(capsys, "show", "THR-99")
    assert code == 66
    assert "no threat THR-99" in err
    code, _, err = run(capsys, "show", "XYZ-1")
    assert code == 66
    assert "unknown prefix" in err
    code, _, err = run(capsys, "ingest", "/no/such/file.txt")
    assert code == 65
    assert "no such file" in err


def test_full_chain_through_the_cli(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEARLINE_NEW_PASSWORD", "officer-password-1")
    assert run(capsys, "users", "add", "dana", "--role", "duty_officer")[0] == 0
    monkeypatch.setenv("TEARLINE_NEW_PASSWORD", "approver-password-1")
    assert run(capsys, "users", "add", "avery", "--role", "approver")[0] == 0
    assert (
        run(
            capsys,
            "recipients",
            "add",
            "Russia (liaison)",
            "--kind",
            "government",
            "--tier",
            "adversary",
            "--jurisdiction",
            "RU",
            "--contact",
            "liaison_note=desk",
        )[0]
        == 0
    )
    path = tmp_path / "r.txt"
    path.write_bytes(report_text())
    today = datetime.now(UTC).date().isoformat()  # the report's window is measured from this
    assert (
        run(
            capsys,
            "ingest",
            str(path),
            "--date",
            today,
            "--source",
            "PINE HARBOUR",
            "--reliability",
            "B",
            "--code-word",
            "KESTREL LANTERN",
            "--method",
            "Telegram",
        )[0]
        == 0
    )
    monkeypatch.setenv("TEARLINE_PASSWORD", "officer-password-1")
    code, out, _ = run(capsys, "decide", "THR-1", "--user", "dana")
    assert code == 0
    assert "WARN" in out
    assert "Parity check FLAGGED" in out
    code, out, _ = run(capsys, "release", "THR-1", "--user", "dana")
    assert code == 0
    assert "REL-1 proposed" in out
    code, _, err = run(capsys, "approve", "REL-1", "--user", "dana")
    assert code == 77
    assert "needs the approver role" in err
    monkeypatch.setenv("TEARLINE_PASSWORD", "wrong-password-123")
    code, _, err = run(capsys, "approve", "REL-1", "--user", "avery")
    assert code == 77
    assert "sign-in failed" in err
    monkeypatch.setenv("TEARLINE_PASSWORD", "approver-password-1")
    code, out, _ = run(capsys, "approve", "REL-1", "--user", "avery")
    assert code == 0
    assert "proposed by dana, approved by avery" in out
    code, out, _ = run(capsys, "worker", "--once")
    assert code == 0
    assert "delivered" in out
    notes = list((home / "liaison").rglob("*.jws"))
    assert len(notes) == 1
    code, out, _ = run(capsys, "verify", str(notes[0]))
    assert code == 0
    assert out.startswith("VALID: WRN-")
    jwks = tmp_path / "jwks.json"
    code, out, _ = run(capsys, "keys")
    jwks.write_text(out)
    assert '"d"' not in out
    tampered = tmp_path / "tampered.jws"
    token = notes[0].read_text().strip()
    tampered.write_text(token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB"))
    code, _, err = run(capsys, "verify", str(tampered), "--jwks", str(jwks))
    assert code == 5
    assert "INVALID" in err
    monkeypatch.setenv("TEARLINE_PASSWORD", "officer-password-1")
    code, out, _ = run(
        capsys, "respond", "WRN-1", "--kind", "disputed", "--note", "provocation", "--user", "dana"
    )
    assert code == 0
    assert "propose wider public warning" in out
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0
    assert "audit chain intact" in out


def _loaded_after() -> set[str]:
    """Which heavy stacks a fresh interpreter has loaded after registering every command."""
    code = (
        "import sys; from tearline.cli import register; "
        "register(); "
        "print(' '.join(m for m in ('tearline.workflow', 'sqlalchemy', 'stix2', 'starlette') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(done.stdout.split())


def test_extract_and_eval_start_without_the_store_and_web_stacks() -> None:
    # `tearline extract` answered a second later when every command module (database,
    # web, signing) was imported first; now no command module imports them until it runs
    assert _loaded_after() == set()


def test_every_command_is_listed_in_help_whatever_ran_before(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "extract", "--help")
    assert code == 0
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for name in COMMANDS:
        assert name in out
