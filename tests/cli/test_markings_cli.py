"""`tearline ingest --rel-to` and `tearline recipients add --nation --community`: a marking
or a nation the program cannot read is refused with one line, storing nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tearline.demo.scenario import report_text
from tests.test_cli import run


def test_ingest_marks_reports_and_refuses_a_marking_it_cannot_read(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    report = tmp_path / "liaison.txt"
    report.write_bytes(report_text())
    code, out, err = run(capsys, "ingest", str(report), "--rel-to", "REL TO USA, GB, NATO")
    assert code == 0, err
    code, out, _ = run(capsys, "show", "RPT-1", "--json")
    assert json.loads(out)["markings"] == "REL TO USA, GBR, NATO"
    other = tmp_path / "other.txt"
    other.write_bytes(report_text() + b"\nAnother line.")
    code, out, err = run(capsys, "ingest", str(other), "--rel-to", "REL TO USA, NARNIA")
    assert code == 65
    assert "'NARNIA' is not a nation or a sharing community" in err
    assert "communities: ACGU, EU, EU INTCEN, FVEY, NATO" in err
    assert run(capsys, "show", "RPT-2")[0] == 66  # nothing stored


def test_recipients_add_takes_a_nation_and_communities(
    capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    code, _, err = run(
        capsys,
        *("recipients", "add", "UK embassy Moscow", "--kind", "organisation"),
        *("--tier", "ally", "--contact", "email=duty@embassy.test"),
        *("--nation", "United Kingdom", "--community", "NATO", "--community", "fvey"),
    )
    assert code == 0, err
    code, out, _ = run(capsys, "recipients", "export", "--format", "json")
    (row,) = json.loads(out)
    assert (row["nation"], row["communities"]) == ("GBR", ["NATO", "FVEY"])
    code, out, _ = run(capsys, "recipients", "list", "--json")
    (listed,) = json.loads(out)  # the table wraps at the width Rich found on import
    assert (listed["nation"], listed["communities"]) == ("GBR", ["NATO", "FVEY"])
    code, _, err = run(
        capsys,
        *("recipients", "add", "Somebody", "--kind", "organisation", "--tier", "ally"),
        *("--contact", "email=x@y.test", "--nation", "Atlantis"),
    )
    assert code == 65
    assert "nation: 'Atlantis' is not a nation" in err
