"""Issue 20's intended-victim defect: the duty is to warn the intended victim, yet the
determination proposed only governments and the public. Driven as the desk's people would:
the CLI adds the venue's operator and ingests the report, the duty officer decides through
the JSON API and reads the desk's determination page, on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tearline import workflow as wf
from tearline.cli import main
from tearline.demo.scenario import report_text
from tests.web.conftest import start_desk
from tests.web.desk import Desk

OPERATOR = "Crocus City Hall management / security desk"


@pytest.fixture
def desk(sqlite_app: wf.App, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    monkeypatch.setenv("TEARLINE_HOME", str(sqlite_app.home))
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    d = start_desk(sqlite_app)
    yield d
    d.stop()


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(list(args))
    out = capsys.readouterr().out
    assert code == 0, out
    return out


def test_intended_victim_not_warned(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A threat names a venue whose operator is in the registry, and the determination warns only the government and the public"""  # noqa: E501
    _cli(
        capsys,
        "recipients",
        "add",
        OPERATOR,
        "--kind",
        "organisation",
        "--tier",
        "partner",
        "--contact",
        "email=security@crocus.test",
        "--country",
        "RU",
        "--city",
        "Moscow",
    )
    report = tmp_path / "liaison.txt"
    report.write_bytes(report_text())
    _cli(
        capsys,
        "ingest",
        str(report),
        "--source",
        "PINE HARBOUR",
        "--reliability",
        "B",
        "--compartment",
        "CT",
    )
    dana = desk.client("dana")
    decided = dana.api("POST", "/api/threats/THR-1/determination", json={})
    assert decided.status_code == 200, decided.text[:500]
    body = decided.json()
    assert body["outcome"] == "warn"
    by_name = {r["name"]: r for r in body["recipients"]}
    assert by_name[OPERATOR]["role"] == "intended_victim"
    assert by_name[OPERATOR]["reason"] == "operator of Crocus City Hall, the named target"
    # tearline target gives the same recipient, role and reason (one set of rules)
    targeted = _cli(capsys, "target", "THR-1", "--json")
    assert '"role": "intended_victim"' in targeted
    assert "operator of Crocus City Hall, the named target" in targeted
    # the desk's determination page shows the intended victim with the reason
    page = dana.get("/threats/THR-1/determination").text
    assert OPERATOR in page
    assert "operator of Crocus City Hall, the named target" in page
