"""Issue 20's corroboration attacks: one report echoed through other channels must not
count as independent corroboration. Driven as the attacker would: the CLI under other
source names, and the desk's paste box, on SQLite."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tearline import workflow as wf
from tearline.cli import main
from tearline.demo.scenario import report_text
from tests.web.conftest import start_desk
from tests.web.desk import Client, Desk


@pytest.fixture
def desk(sqlite_app: wf.App, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    # The CLI works on the desk's own database: the same home.
    monkeypatch.setenv("TEARLINE_HOME", str(sqlite_app.home))
    monkeypatch.delenv("TEARLINE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    d = start_desk(sqlite_app)
    yield d
    d.stop()


def _cli_ingest(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: bytes, src: str) -> str:
    path = tmp_path / f"{src.lower().replace(' ', '-')}.txt"
    path.write_bytes(text)
    code = main(["ingest", str(path), "--source", src, "--reliability", "B", "--compartment", "CT"])
    out = capsys.readouterr().out
    assert code == 0, out
    return out


def _paste(ana: Client, text: str, source: str) -> None:
    r = ana.post(
        "/inbox",
        data={
            "text": text,
            "title": "pasted",
            "source": source,
            "reliability": "B",
            "compartments": "CT",
        },
    )
    assert r.status_code == 303, r.text[:300]


def _case(ana: Client) -> dict[str, object]:
    cases = ana.get("/api/threats").json()
    rows = cases["threats"] if isinstance(cases, dict) else cases
    ref = rows[0]["ref"]
    data: dict[str, object] = ana.get(f"/api/threats/{ref}").json()
    return data


def _retyped(text: str) -> str:
    """Re-typed by hand: other case, other spacing, other line breaks, a few typos."""
    words = text.split()
    words[5] = words[5].upper()
    for i in (12, 30, 47):
        w = words[i]
        words[i] = w[:1] + w[2:1:-1] + w[1:2] + w[3:] if len(w) > 3 else w
    return "\n".join(" ".join(words[i : i + 7]) for i in range(0, len(words), 7)).lower()


def test_same_report_three_times(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same report ingested three times (CLI, CLI, desk paste) raises credibility to 1

    Under three source names: two by the CLI (one forwarded under a header), one pasted
    in the desk's inbox with a footer.
    """
    text = report_text()
    _cli_ingest(tmp_path, capsys, text, "PINE HARBOUR")
    out = _cli_ingest(tmp_path, capsys, b"FWD: as received\n\n" + text, "HARBOUR RELAY")
    assert "same origin as RPT-1" in out
    ana = desk.client("ana")
    _paste(ana, text.decode() + "\n-- pasted by the night desk", "NIGHT DESK")
    case = _case(ana)
    grades = case["assessment"]
    assert isinstance(grades, dict)
    assert grades["info_credibility"] != 1
    assert grades["admiralty"] == "B2"
    origins = case["origins"]
    assert isinstance(origins, dict)
    assert (origins["reports"], origins["independent_origins"]) == (3, 1)
    page = ana.get(f"/threats/{case['ref']}").text
    assert re.search(r"3 reports, 1 independent origin\b", page)


def test_retyped_copy(desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A re-typed copy (case, spacing, line breaks, typos) pasted in the desk raises credibility

    The copy is pasted under another source name; credibility must stay below 1.
    """
    text = report_text().decode()
    _cli_ingest(tmp_path, capsys, text.encode(), "PINE HARBOUR")
    ana = desk.client("ana")
    _paste(ana, _retyped(text), "SECOND CHANNEL")
    case = _case(ana)
    grades = case["assessment"]
    assert isinstance(grades, dict)
    assert grades["info_credibility"] != 1
    assert "RPT-2 repeats RPT-1" in grades["rationale"]["credibility"]
