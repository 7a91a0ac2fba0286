"""`tearline eval gtd`: accuracy of extraction against incident tables in GTD's layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tearline.cli import main
from tearline.errors import InputError
from tearline.evaluation import read_gtd, score_gtd
from tearline.extract import extract

from ._support import FIXTURES

SAMPLE = FIXTURES / "gtd-sample.csv"
HEADER = SAMPLE.read_text().splitlines()[0]


def test_reads_rows_with_their_dates() -> None:
    rows = read_gtd(SAMPLE)
    assert len(rows) == 12
    assert rows[0].date.isoformat() == "2024-03-22T12:00:00+00:00"
    assert rows[0].values["city"] == "Krasnogorsk"


def test_fields_are_scored_only_where_gtd_knows_them() -> None:
    report = score_gtd(read_gtd(SAMPLE), extract)
    assert report.rows == report.rows_with_events == 12
    assert report.fields["group"][1] == 9  # three rows say "Unknown"
    assert report.fields["killed"][1] == 11  # one row leaves nkill empty
    for right, scored in report.fields.values():
        assert 0 <= right <= scored
    misses = {(m[0], m[1]) for m in report.misses}
    # Colombo in the Brazilian state of Parana is Colombo, Brazil, not Sri Lanka's capital
    assert ("201806100001", "country") not in misses
    # Moscow, Idaho is in the United States
    assert ("202301140001", "country") not in misses
    # Crocus City Hall is in Krasnogorsk; "near Moscow" is within the city radius
    assert ("202403220001", "city") not in misses


def test_the_geography_goals_hold_on_the_fixture() -> None:
    report = score_gtd(read_gtd(SAMPLE), extract)
    assert report.accuracy("country") == 1.0
    assert (report.accuracy("city") or 0) >= 0.85


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("eventid,summary\n1,x\n", "missing GTD columns"),
        (HEADER + "\n", "no rows"),
        (HEADER + '\n1,20x4,1,1,Iran,Kerman,,,Armed Assault,Business,Unknown,Firearms,,,"s"\n',
         "not a date"),
        (HEADER + "\n1,2024,1,1,Iran,Kerman,,,Armed Assault,Business,Unknown,Firearms,,,\n",
         "summary is empty"),
    ],
)  # fmt: skip
def test_bad_tables_are_refused_clearly(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(body)
    with pytest.raises(InputError, match=message):
        read_gtd(path)


def test_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (HEADER + "\n").encode() + '1,2024,1,1,Perú,Lima,,,x,y,z,w,,,"caf\xe9"\n'.encode("latin-1")
    )
    code = main(["eval", "gtd", "--csv", str(path)])
    assert code == 65
    assert "not a UTF-8 CSV" in capsys.readouterr().err


def test_the_command_prints_accuracy_per_field(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "gtd", "--csv", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    for name in ("country", "city", "attack_type", "target_type", "group", "weapon_type",
                 "killed", "wounded"):  # fmt: skip
        assert name in out
    assert main(["eval", "gtd", "--csv", str(SAMPLE), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows"] == 12
    assert report["fields"]["country"]["scored"] == 12
