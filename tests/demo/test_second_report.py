"""The demo's second report: in Russian, from another source, on the same plot as the
liaison report — it joins the case and corroborates it; from the same source it would not."""

from __future__ import annotations

from tearline import workflow as wf
from tearline.demo.scenario import (
    CODE_WORD,
    METHODS,
    SECOND_PROVENANCE,
    SECOND_REPORT_FILE,
    SECOND_SOURCE,
    SOURCE,
    report_text,
    second_report_text,
)
from tearline.workflow import casefile
from tearline.workflow.records import protected_terms

FIRST = wf.Provenance(
    source=SOURCE,
    reliability="B",
    compartments=("CT",),
    protect=(
        wf.TermSpec("code_word", CODE_WORD),
        *(wf.TermSpec("collection_method", m) for m in METHODS),
    ),
)


def _threat(got: wf.Ingested) -> str | None:
    return next((e.threat_ref for e in got.events if e.threat_ref), None)


def _both(app: wf.App, second: wf.Provenance) -> tuple[str, wf.Ingested]:
    first = wf.ingest_bytes(app, report_text(), "moscow.txt", FIRST, actor="dana")
    ru = wf.ingest_bytes(app, second_report_text(), SECOND_REPORT_FILE, second, actor="dana")
    case = _threat(first)
    assert case is not None
    return case, ru


def test_the_russian_report_joins_the_case_and_corroborates_it(app: wf.App) -> None:
    case, ru = _both(app, SECOND_PROVENANCE)
    assert ru.language == "ru"
    assert _threat(ru) == case  # the same group, place and days: the same plot
    file = casefile.case_file(app, case, None)
    assert [s["reliability"] for s in file["sources"]] == ["B", "C"]
    grades = file["assessment"]
    assert grades["admiralty"] == "B1"
    assert grades["rationale"]["credibility"] == (
        "confirmed by 1 other independent source(s) (2 reports, 2 independent origins)"
    )
    assert grades["likelihood"] == "very likely"
    # The Russian report's facts, in English beside its words.
    [_, second] = file["reports"]
    assert second["language_label"] == "Russian (ru)"
    rows = [(r["label"], r["value"], r["evidence"]) for r in second["facts"]]
    assert ("actor", "ISIL Khorasan", "ИГИЛ-Хорасан") in rows
    assert ("target", "concert", "концерты") in rows
    [(_, place, written)] = [r for r in rows if r[0] == "place"]
    assert place.startswith("Moscow")
    assert "Russia (RU)" in place
    assert written == "Москве"


def test_from_the_same_source_it_would_not_count_as_corroboration(app: wf.App) -> None:
    same = wf.Provenance(source=SOURCE, compartments=("CT",))
    case, ru = _both(app, same)
    assert _threat(ru) == case
    grades = casefile.case_file(app, case, None)["assessment"]
    assert grades["admiralty"] == "B2"
    assert grades["rationale"]["credibility"].startswith("single source")


def test_the_second_source_is_protected(app: wf.App) -> None:
    _both(app, SECOND_PROVENANCE)
    with app.read() as s:
        assert SECOND_SOURCE in {term.term for term in protected_terms(s)}
