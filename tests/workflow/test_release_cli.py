"""The release commands as an officer uses them: policy, release with its preview, adjust,
approve, warnings, export in every format, verify each exported file, all-clear."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tearline.cli import main
from tearline.cli._common import out
from tearline.demo.scenario import report_text

FIXTURES = Path(__file__).parents[1] / "release" / "fixtures" / "cap"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """A home with two officers, two recipients (one reads Russian) and the demo report."""
    home = tmp_path / "home"
    monkeypatch.setenv("TEARLINE_HOME", str(home))
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "220")
    # The console was made when the CLI was first imported, perhaps before COLUMNS was set.
    monkeypatch.setattr(out, "_width", 220)
    for name, role in (("dana", "duty_officer"), ("avery", "approver")):
        monkeypatch.setenv("TEARLINE_NEW_PASSWORD", f"{name}-password-1")
        assert run(capsys, "users", "add", name, "--role", role, "--role", "analyst")[0] == 0
    for args in (
        [
            "Russia (liaison)",
            "--kind",
            "government",
            "--tier",
            "adversary",
            "--language",
            "ru",
            "--jurisdiction",
            "RU",
            "--contact",
            "liaison_note=desk",
        ],
        [
            "Public in Moscow",
            "--kind",
            "public",
            "--tier",
            "public",
            "--country",
            "RU",
            "--city",
            "Moscow",
            "--contact",
            "public_feed=ru-moscow",
        ],
    ):
        assert run(capsys, "recipients", "add", *args)[0] == 0
    report = tmp_path / "r.txt"
    report.write_bytes(report_text())
    today = datetime.now(UTC).date().isoformat()
    code, _, err = run(
        capsys,
        "ingest",
        str(report),
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
    )
    assert code == 0, err
    monkeypatch.setenv("TEARLINE_PASSWORD", "dana-password-1")
    assert run(capsys, "decide", "THR-1", "--user", "dana")[0] == 0
    return home


def test_policy_prints_the_table_and_an_editable_file(
    case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "policy")
    assert code == 0
    assert "adversary" in out
    assert "AMBER" in out
    code, toml, _ = run(capsys, "policy", "--toml")
    assert '[public]\nplace = "city"' in toml
    (case / "release-policy.toml").write_text(
        toml.replace('[public]\nplace = "city"', '[public]\nplace = "country"')
    )
    assert "country" in run(capsys, "policy")[1]
    (case / "release-policy.toml").write_text("[public]\nplace = 'street'\n")
    code, _, err = run(capsys, "policy")
    assert code == 78
    assert "place = 'street' is not one of" in err


def test_release_adjust_approve_export_verify(
    case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, "release", "THR-1", "--user", "dana")
    assert code == 0, err
    assert "REL-1 proposed" in out
    assert "Internal picture" in out
    assert "✗ withheld" in out
    assert "Место: Москва, Россия" in out
    assert "— English —" in out
    code, out, err = run(
        capsys,
        "adjust",
        "WRN-1",
        "--fact",
        "place",
        "--to",
        "venue",
        "--reason",
        "The police must guard the hall itself.",
        "--user",
        "dana",
    )
    assert code == 0, err
    assert "Crocus City Hall, Москва, Россия" in out
    code, out, _ = run(capsys, "preview", "REL-1")
    assert "Override for Russia (liaison): place city → venue" in out
    assert "why: The police must guard the hall itself." in out
    monkeypatch.setenv("TEARLINE_PASSWORD", "avery-password-1")
    code, out, err = run(capsys, "approve", "REL-1", "--user", "avery")
    assert code == 0, err
    code, out, err = run(capsys, "show", "WRN-1")  # a released warning, readably
    assert code == 0, err
    assert "changes:" in out  # what its tier's policy changed, one per line
    assert "WRN-1" in out
    code, out, _ = run(capsys, "warnings", "--json")
    rows = json.loads(out)
    assert [(r["ref"], r["language"], r["status"]) for r in rows] == [
        ("WRN-1", "ru", "released"),
        ("WRN-2", "en", "released"),
    ]
    files = {}
    for fmt in ("jws", "cap", "email", "stix_jws", "stix", "text"):
        path = tmp_path / f"out.{fmt}"
        code, out, err = run(capsys, "export", "WRN-1", "--format", fmt, "--out", str(path))
        assert code == 0, err
        files[fmt] = path
    assert "Место:" in files["text"].read_text()
    code, out, _ = run(capsys, "export", "WRN-1", "--format", "text", "--lang", "en")
    assert out.startswith("Tearline") or "Place:" in out
    for fmt in ("jws", "cap", "email", "stix_jws"):
        code, out, err = run(capsys, "verify", str(files[fmt]))
        assert code == 0, (fmt, err)
        assert out.startswith("VALID: ")
        assert "not altered" in out
    assert run(capsys, "verify", str(files["cap"]))[1].startswith("VALID: CAP alert WRN-1 from ")
    assert run(capsys, "verify", str(files["stix_jws"]))[1].startswith(
        "VALID: STIX bundle WRN-1 from "
    )
    tampered = tmp_path / "tampered.xml"
    tampered.write_text(files["cap"].read_text().replace("Москва", "Казань", 1))
    code, _, err = run(capsys, "verify", str(tampered))
    assert code == 5
    assert "INVALID" in err
    assert "altered" in err
    code, _, err = run(capsys, "verify", str(files["stix"]))
    assert code == 5
    assert "unsigned STIX bundle" in err
    code, _, err = run(capsys, "verify", str(FIXTURES / "testdata_xee.cap"))
    assert code == 5
    assert "DOCTYPE" in err
    monkeypatch.setenv("TEARLINE_PASSWORD", "dana-password-1")
    code, out, err = run(
        capsys,
        "all-clear",
        "THR-1",
        "--reason",
        "The cell was arrested on 10 March.",
        "--user",
        "dana",
    )
    assert code == 0, err
    assert "Угроза, о которой сообщалось в предупреждении WRN-1" in out
    code, _, err = run(capsys, "export", "WRN-3", "--format", "cap")
    assert code == 3
    assert "has not been released" in err
