"""The demo as a new user runs it: the installed command, a fresh directory, the chain."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from jwcrypto import jwk, jws

from tearline.demo.scenario import CODE_WORD, METHODS, SECOND_SOURCE, SOURCE

PROTECTED = (SOURCE, SECOND_SOURCE, CODE_WORD, *METHODS, "LR-2024-0306-117", "AMBER+STRICT")


def tearline(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "160"}
    env.pop("TEARLINE_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "tearline", *(["--home", str(home)] if home else []), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, check=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    home = tmp_path_factory.mktemp("demo") / "home"
    result = tearline("demo", "--no-serve", "--home", str(home))
    assert result.returncode == 0, result.stderr
    return home, result.stdout


def test_demo_prints_the_chain(demo: tuple[Path, str]) -> None:
    _, out = demo
    for expected in (
        "1. Intake",
        "2. Extract",
        "ISIL Khorasan",
        "armed_assault",
        "Moscow",
        "[",
        "]",
        "3. Assess and decide",
        "Admiralty",
        "B1",  # usually reliable, and corroborated by the Russian report's other source
        "confirmed by 1 other independent source",
        "Likelihood (ICD 203)",
        "very likely",
        "WARN",
        "Russian Federation",
        "Parity check FLAGGED",
        "Public in Moscow",
        # The venue the report names: its operator is warned directly, as intended victim.
        "intended victim",
        "operator of Crocus City Hall, the named target",
        "WRN-2 → Crocus City Hall management / security desk",
        "Crocus City Hall management / security desk via webhook: delivered",
        "4. Release",
        "Two-person rule",
        "refused",
        "approved by avery",
        "signature VALID",
        "protected terms found: 0",
        "6. Deliver",
        "liaison_note: delivered",
        "webhook: delivered",
        "disputed",
        "propose wider public warning",
        "audit verify: intact",
    ):
        assert expected in out, expected


def test_the_second_report_is_russian_and_corroborates_the_first(
    demo: tuple[Path, str],
) -> None:
    home, out = demo
    assert "Stored as RPT-2, in Russian (ru), identified from the text" in out
    assert "RPT-2, in Russian (ru): facts in English, evidence as written" in out
    # The Russian report's facts in English, beside the words it wrote them in.
    assert "“ИГИЛ-Хорасан”" in out
    assert "“Москве”" in out
    assert "RPT-2, in Russian (ru), joins THR-1" in out
    assert "2 independent sources" in out
    report = tearline("show", "RPT-2", "--json", home=home)
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["language"] == "ru"
    case = tearline("show", "THR-1", home=home)
    assert "RPT-2" in case.stdout
    assert "Russian (ru)" in case.stdout


def test_released_artifacts_hold_no_protected_term(demo: tuple[Path, str]) -> None:
    home, _out = demo
    files = [p for p in home.rglob("*") if p.suffix in (".html", ".jws", ".json")]
    assert {p.suffix for p in files} == {".html", ".jws", ".json"}
    for path in files:
        text = path.read_text().casefold()
        for term in PROTECTED:
            assert term.casefold() not in text, (path, term)


def test_liaison_note_verifies_with_an_independent_library(demo: tuple[Path, str]) -> None:
    home, _ = demo
    keys = tearline("keys", home=home)
    assert keys.returncode == 0
    keyset = jwk.JWKSet.from_json(keys.stdout)
    (note,) = (home / "liaison").rglob("*.jws")
    token = jws.JWS()
    token.deserialize(note.read_text().strip())
    token.verify(keyset.get_key(token.jose_header["kid"]), alg="Ed25519")
    warning = json.loads(token.payload)
    assert warning["recipient"]["tier"] == "adversary"
    assert "ISIL Khorasan" in warning["text"]
    html = next((home / "liaison").rglob("*.html"))
    assert tearline("verify", str(html), home=home).returncode == 0


def test_audit_verify_passes_then_fails_after_one_edit(
    demo: tuple[Path, str], tmp_path: Path
) -> None:
    home, _ = demo
    ok = tearline("audit", "verify", home=home)
    assert ok.returncode == 0
    assert "intact" in ok.stdout
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-r", str(home), str(copy)], check=True)
    with sqlite3.connect(copy / "tearline.db") as db:
        db.execute("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 7")
    broken = tearline("audit", "verify", home=copy)
    assert broken.returncode == 6
    assert "audit entry #7" in broken.stderr
    assert "altered" in broken.stderr
    second = tmp_path / "second"
    subprocess.run(["cp", "-r", str(home), str(second)], check=True)
    with sqlite3.connect(second / "tearline.db") as db:
        db.execute("DELETE FROM audit_entries WHERE seq = 3")
    removed = tearline("audit", "verify", home=second)
    assert removed.returncode == 6
    assert "#3 is missing" in removed.stderr


def test_demo_refuses_a_used_directory(demo: tuple[Path, str]) -> None:
    home, _ = demo
    again = tearline("demo", "--no-serve", "--home", str(home))
    assert again.returncode == 78
    assert "not empty" in again.stderr
