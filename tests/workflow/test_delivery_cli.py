"""Delivery and follow-up from the command line, as an officer types it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tearline.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TEARLINE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "220")
    return tmp_path / "home"


CSV = (
    "name,kind,tier,language,jurisdiction,country,city,lat,lon,radius_km,contacts,fallback,"
    "home,itinerary\n"
    "Russia,government,adversary,en,RU,,,,,,liaison_note=moscow-desk,email=duty@fsb.test,,\n"
    'Anna,person,partner,en,,,,,,,sms=+79160000010,,"55.829,37.393",\n'
)


def test_registry_import_export_list_and_a_bad_file(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    good = tmp_path / "people.csv"
    good.write_text(CSV)
    code, out, err = run(capsys, "recipients", "import", str(good))
    assert (code, err) == (0, "")
    assert "2 recipients added, 0 updated" in out
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV.replace("Russia,government", "Russia2,govt").replace("Anna", "Bob"))
    code, _, err = run(capsys, "recipients", "import", str(bad))
    assert code == 65
    assert "bad.csv: row 2, kind: 'govt' is not one of" in err
    assert "nothing imported" in err
    code, out, _ = run(capsys, "recipients", "list")
    assert "Russia" in out
    assert "Bob" not in out
    code, out, _ = run(capsys, "recipients", "list", "--json")
    rows = json.loads(out)
    assert rows[0]["fallback_contacts"] == [{"channel": "email", "address": "duty@fsb.test"}]
    exported = tmp_path / "out.json"
    code, _, _ = run(capsys, "recipients", "export", "--format", "json", "--output", str(exported))
    assert code == 0
    assert oct(exported.stat().st_mode & 0o777) == "0o600"
    assert [r["name"] for r in json.loads(exported.read_text())] == ["Russia", "Anna"]


def test_add_target_worker_delivered_and_escalations(
    capsys: pytest.CaptureFixture[str],
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEARLINE_NEW_PASSWORD", "dana-cli-password-1")
    assert (
        run(capsys, "users", "add", "dana", "--role", "duty_officer", "--role", "analyst")[0] == 0
    )
    monkeypatch.setenv("TEARLINE_NEW_PASSWORD", "avery-cli-password-1")
    assert run(capsys, "users", "add", "avery", "--role", "approver")[0] == 0
    code, out, err = run(
        capsys,
        "recipients",
        "add",
        "Russia",
        "--kind",
        "government",
        "--tier",
        "adversary",
        "--jurisdiction",
        "RU",
        "--contact",
        "liaison_note=moscow-desk",
    )
    assert code == 0, err
    code, _, err = run(
        capsys,
        "recipients",
        "add",
        "Traveller",
        "--kind",
        "person",
        "--tier",
        "partner",
        "--contact",
        "email=t@example.org",
        "--home",
        "59.93,30.33",
        "--stop",
        "2024-03-01T00:00:00Z/2030-01-01T00:00:00Z@55.8253,37.3886@Crocus City Hall",
    )
    assert code == 0, err
    code, _, err = run(
        capsys,
        "recipients",
        "add",
        "X",
        "--kind",
        "person",
        "--tier",
        "partner",
        "--contact",
        "sms=12345",
    )
    assert code == 65
    assert "E.164" in err
    report = tmp_path / "r.txt"  # dated today: the CLI runs on the real clock
    report.write_text(
        "Liaison report. ISIS-K operatives are planning an armed attack on large gatherings "
        "in Moscow, including concerts at Crocus City Hall, within the next few days. "
        "They intend to kill as many people as possible."
    )
    code, out, err = run(
        capsys, "ingest", str(report), "--source", "PINE HARBOUR", "--reliability", "B"
    )
    assert code == 0, err
    code, out, err = run(capsys, "target", "THR-1", "--json")
    assert code == 0, err
    # Crocus City Hall is in the venue gazetteer (data/venues.toml): the search covers
    # two km around the hall in Krasnogorsk, not Moscow's centre.
    targeted = json.loads(out)
    assert targeted["area"] == "2 km around Crocus City Hall (venue)"
    reasons = {r["name"]: r["reason"] for r in targeted["recipients"]}
    assert reasons["Russia"] == "responsible for protecting people in Russia"
    assert reasons["Traveller"].startswith("itinerary: Crocus City Hall")
    monkeypatch.setenv("TEARLINE_PASSWORD", "dana-cli-password-1")
    assert run(capsys, "decide", "THR-1", "--user", "dana")[0] == 0
    code, out, err = run(capsys, "release", "THR-1", "--user", "dana")
    assert code == 0, err
    monkeypatch.setenv("TEARLINE_PASSWORD", "avery-cli-password-1")
    code, out, err = run(capsys, "approve", "REL-1", "--user", "avery")
    assert code == 0, err
    code, out, err = run(capsys, "worker", "--once")
    assert code == 0, err
    assert "liaison_note: awaiting_handover" in out
    note_ref = next(line.split()[0] for line in out.splitlines() if "liaison_note" in line)
    monkeypatch.setenv("TEARLINE_PASSWORD", "dana-cli-password-1")
    code, out, err = run(capsys, "delivered", note_ref, "--user", "dana", "--note", "by hand")
    assert code == 0, err
    assert "delivered (handed over by dana: by hand)" in out
    code, out, err = run(
        capsys, "respond", "WRN-1", "--kind", "disputed", "--user", "dana", "--via", "phone"
    )
    assert code == 0, err
    code, out, _ = run(capsys, "escalations", "list", "--open", "--json")
    assert "propose_wider_public_warning" in {e["action"] for e in json.loads(out)}
    code, out, _ = run(capsys, "escalations", "policy")
    assert json.loads(out)["rules"][0]["trigger"] == "no_ack"
    bad = tmp_path / "policy.json"
    bad.write_text('{"rules": [{"name": "x", "trigger": "later", "steps": []}]}')
    code, _, err = run(capsys, "escalations", "policy", "--set", str(bad), "--user", "dana")
    assert code == 65
    assert "rule 1 trigger: 'later'" in err
