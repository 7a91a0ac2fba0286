"""`tearline review` on the demo's case, as a user runs it after `tearline demo`: each
lead time checked against the demo's audit record, read straight from its SQLite file."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.e2e.test_demo import PROTECTED, tearline


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("review") / "home"
    result = tearline("demo", "--no-serve", "--home", str(home))
    assert result.returncode == 0, result.stderr
    return home


def _audit(home: Path) -> list[tuple[int, datetime, str, str, dict[str, Any]]]:
    with sqlite3.connect(home / "tearline.db") as db:
        rows = db.execute(
            "SELECT seq, at, action, subject, details FROM audit_entries ORDER BY seq"
        )
        return [(s, datetime.fromisoformat(a), ac, su, json.loads(d)) for s, a, ac, su, d in rows]


def test_the_demo_case_review_agrees_with_its_audit_record(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "thr-1.json"
    result = tearline("--home", str(home), "review", "THR-1", "--format", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    review = json.loads(out.read_text())
    entries = _audit(home)
    first = next(e for e in entries if e[2] == "report.ingested")
    det = next(e for e in entries if e[2].startswith("determination."))
    rel = next(e for e in entries if e[2] == "release.approved")
    handed = next(e for e in entries if e[2] == "delivery.handed_over")
    sent = next(e for e in entries if e[2] == "delivery.sent")
    expected = {
        ("determination", int((det[1] - first[1]).total_seconds()), det[0]),
        ("release_approval", int((rel[1] - first[1]).total_seconds()), rel[0]),
        ("delivery", int((handed[1] - first[1]).total_seconds()), handed[0]),
        *(
            ("delivery", int((sent[1] - first[1]).total_seconds()), sent[0])
            for _ in sent[4]["delivered"]
        ),
    }
    got = {(e["step"], e["after_report_s"]) for e in review["lead_times"]}
    assert got == {(step, secs) for step, secs, _ in expected}
    for e in review["lead_times"]:
        seqs = {
            seq for step, secs, seq in expected if (step, secs) == (e["step"], e["after_report_s"])
        }
        assert seqs & set(e["audit"]), e
    assert review["first_report"]["audit"] == [first[0]]
    # the demo's answer: the liaison recipient disputed; the others never answered
    outcomes = {a["tier"]: a["outcome"] for a in review["answers"]}
    assert outcomes == {"adversary": "disputed", "partner": "unanswered", "public": "unanswered"}
    escalated = {e[3] for e in entries if e[2] == "escalation.proposed"}
    assert {r for e in review["escalations"] for r in e["refs"]} == escalated
    flagged = bool(det[4]["parity_flagged"])
    assert bool(review["parity_flags"]) is flagged


def test_the_pdf_and_html_carry_the_figures_and_each_export_is_audited(
    home: Path, tmp_path: Path
) -> None:
    pdf = tmp_path / "thr-1.pdf"
    result = tearline("--home", str(home), "review", "THR-1", "--format", "pdf", "-o", str(pdf))
    assert result.returncode == 0, result.stderr
    assert "written to" in result.stdout
    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    flat = " ".join(text.split())
    for figure in ("THR-1", "10 min", "3 h 10 min", "disputed", "propose wider public warning"):
        assert figure in flat, figure
    for term in PROTECTED:
        assert term not in flat, term
    page = tmp_path / "period.html"
    result = tearline(
        "--home", str(home), "review", "--from", "2024-03-01", "--to", "2024-04-01", "-o", str(page)
    )
    assert result.returncode == 0, result.stderr
    html = page.read_text()
    assert "THR-1" in html
    assert html.count('<svg class="chart"') == 4
    exports = [e for e in _audit(home) if e[2] == "review.exported"]
    assert [(e[3], e[4]["format"]) for e in exports][-2:] == [("THR-1", "pdf"), ("review", "html")]


def test_bad_options_are_refused_with_the_choices(home: Path, tmp_path: Path) -> None:
    bad = tearline("--home", str(home), "review", "THR-1", "--format", "docx", "-o", "x")
    assert bad.returncode != 0
    assert "html, pdf, json" in bad.stderr
    both = tearline("--home", str(home), "review", "THR-1", "--from", "2024-03-01", "-o", "x")
    assert both.returncode != 0
    assert "not both" in both.stderr
    nowhere = tearline("--home", str(home), "review", "THR-1")
    assert nowhere.returncode != 0
    assert "-o FILE" in nowhere.stderr
    backwards = tearline(
        "--home",
        str(home),
        "review",
        "--from",
        "2024-04-01",
        "--to",
        "2024-03-01",
        "-o",
        str(tmp_path / "x.json"),
    )
    assert backwards.returncode != 0
    assert "must start before it ends" in backwards.stderr
