"""Running a deployment from the command line: migrations only when the operator says so,
and a backup taken while the database is in use that restores whole elsewhere."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from tearline.cli import main
from tearline.store.db import alembic_config, create_db_engine


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    got = capsys.readouterr()
    return code, got.out, got.err


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TEARLINE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TEARLINE_NEW_PASSWORD", "dana-cli-password-1")
    return tmp_path / "home"


def _report(tmp_path: Path) -> Path:
    report = tmp_path / "r.txt"
    report.write_text(
        "Liaison report. ISIS-K operatives are planning an armed attack on large gatherings "
        "in Moscow within the next few days. They intend to kill as many people as possible."
    )
    return report


def _ingest(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> int:
    return run(capsys, "ingest", str(_report(tmp_path)), "--source", "S", "--reliability", "B")[0]


def _at_revision(home: Path, revision: str) -> None:
    engine = create_db_engine(f"sqlite:///{home / 'tearline.db'}")
    try:
        cfg = alembic_config(engine)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)
    finally:
        engine.dispose()


def test_an_older_schema_is_refused_until_the_operator_upgrades_it(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    assert run(capsys, "db", "status")[1].endswith("empty: the schema is created on first use\n")
    assert (
        run(capsys, "ingest", str(_report(tmp_path)), "--source", "S", "--reliability", "B")[0] == 0
    )
    assert "up to date" in run(capsys, "db", "status")[1]
    _at_revision(home, "0006")  # as a deployment left by the previous version
    code, _, err = run(capsys, "threats")
    assert code == 78
    assert "at schema revision 0006" in err
    assert "tearline db upgrade" in err
    code, out, _ = run(capsys, "db", "status")
    assert code == 3
    assert "needs `tearline db upgrade`" in out
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0
    assert out.startswith("schema upgraded from 0006 to ")
    code, out, _ = run(capsys, "threats")
    assert code == 0
    assert "THR-1" in out
    assert "already up to date" in run(capsys, "db", "upgrade")[1]
    code, out, _ = run(capsys, "audit", "log", "--json")
    assert code == 0
    upgraded = [e for e in json.loads(out) if e["action"] == "database.upgraded"]
    assert len(upgraded) == 1
    assert json.loads(upgraded[0]["details"])["from"] == ["0006"]


def test_a_schema_from_a_newer_version_is_refused(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    assert (
        run(capsys, "ingest", str(_report(tmp_path)), "--source", "S", "--reliability", "B")[0] == 0
    )
    engine = create_db_engine(f"sqlite:///{home / 'tearline.db'}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    for args in (("threats",), ("db", "upgrade")):
        code, _, err = run(capsys, *args)
        assert code == 78
        assert "made by a newer version" in err


def test_a_backup_taken_in_use_restores_whole_elsewhere(
    capsys: pytest.CaptureFixture[str],
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert (
        run(capsys, "ingest", str(_report(tmp_path)), "--source", "S", "--reliability", "B")[0] == 0
    )
    copy = tmp_path / "backups" / "tearline-2024-03-06.db"
    copy.parent.mkdir()
    code, out, err = run(capsys, "backup", str(copy))
    assert code == 0, err
    assert out.startswith(f"backed up to {copy}")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert run(capsys, "backup", str(copy))[0] == 78  # never over an existing file
    elsewhere = tmp_path / "restored"
    monkeypatch.setenv("TEARLINE_HOME", str(elsewhere))
    code, out, err = run(capsys, "restore", str(copy))
    assert code == 0, err
    assert "restored" in out
    code, out, _ = run(capsys, "threats")
    assert code == 0
    assert "THR-1" in out
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0
    assert "intact" in out  # the restore is on the restored record, chained like the rest
    code, out, _ = run(capsys, "audit", "log", "--json")
    assert "database.restored" in {e["action"] for e in json.loads(out)}
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    code, _, err = run(capsys, "restore", str(junk))
    assert code == 78
    assert "not a SQLite database" in err or "integrity" in err
