"""The demo's echo: the liaison report relayed again by another, better-graded channel
shares the first report's origin, so it neither raises the credibility nor the
reliability, while the independent Russian report does raise the grade."""

from __future__ import annotations

from tearline import workflow as wf
from tearline.demo.scenario import (
    CODE_WORD,
    ECHO_PROVENANCE,
    ECHO_REPORT_FILE,
    SECOND_PROVENANCE,
    SECOND_REPORT_FILE,
    SOURCE,
    echo_text,
    report_text,
    second_report_text,
)
from tearline.workflow import casefile

FIRST = wf.Provenance(
    source=SOURCE,
    reliability="B",
    compartments=("CT",),
    protect=(wf.TermSpec("code_word", CODE_WORD),),
)


def _case(got: wf.Ingested) -> str:
    return next(e.threat_ref for e in got.events if e.threat_ref)


def test_the_echo_alone_leaves_the_case_at_b2(app: wf.App) -> None:
    first = wf.ingest_bytes(app, report_text(), "moscow.txt", FIRST, actor="dana")
    echo = wf.ingest_bytes(app, echo_text(), ECHO_REPORT_FILE, ECHO_PROVENANCE, actor="dana")
    assert echo.origin == first.report_ref
    assert echo.origin_reason is not None
    assert "near-duplicate of RPT-1" in echo.origin_reason
    assert _case(echo) == _case(first)
    file = casefile.case_file(app, _case(first), None)
    # Graded A, the relaying channel lends nothing: the origin's source (B) counts.
    assert file["assessment"]["admiralty"] == "B2"
    assert file["origins"]["reports"] == 2
    assert file["origins"]["independent_origins"] == 1
    assert file["origins"]["echoes"][0]["report"] == echo.report_ref
    assert "RPT-2 repeats RPT-1" in file["assessment"]["rationale"]["credibility"]


def test_the_independent_report_raises_it_and_the_echo_adds_nothing(app: wf.App) -> None:
    first = wf.ingest_bytes(app, report_text(), "moscow.txt", FIRST, actor="dana")
    wf.ingest_bytes(app, second_report_text(), SECOND_REPORT_FILE, SECOND_PROVENANCE, actor="d")
    wf.ingest_bytes(app, echo_text(), ECHO_REPORT_FILE, ECHO_PROVENANCE, actor="dana")
    file = casefile.case_file(app, _case(first), None)
    assert file["assessment"]["admiralty"] == "B1"
    assert file["origins"]["summary"].startswith(
        "3 reports, 2 independent origins: RPT-3 repeats RPT-1"
    )
