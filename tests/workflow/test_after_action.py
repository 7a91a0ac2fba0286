"""The after-action review of the demo case, checked figure by figure against the audit
record read here on its own (not through the review's code), on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.demo.scenario import CODE_WORD, METHODS, SOURCE, report_text
from tearline.errors import InputError, NotFound
from tearline.store import tables as t
from tearline.workflow import after_action as aa
from tearline.workflow.outbox import mark_handed_over
from tests.conftest import PASSWORDS
from tests.workflow.conftest import PROVENANCE

PROTECTED = (SOURCE, CODE_WORD, *METHODS)


def _case(app: wf.App, clock: FixedClock, ref: str) -> None:
    """The demo's chain with its own pace: decided after 30 min, released 20 min later,
    the liaison note handed over 3 h after that, the public acknowledges, the liaison
    recipient disputes, and the duty officer dismisses one escalation."""
    dana = wf.sign_in(app, "dana", PASSWORDS["dana"])
    avery = wf.sign_in(app, "avery", PASSWORDS["avery"])
    clock.advance(timedelta(minutes=30))
    wf.decide(app, ref, dana)
    proposed = wf.propose_release(app, ref, dana)
    clock.advance(timedelta(minutes=20))
    released = wf.approve_release(app, proposed.ref, avery)
    sent: list[wf.Sent] = []
    wf.run_worker(app, wf.channels_for(app), once=True, on_sent=sent.append)
    clock.advance(timedelta(hours=3))
    for d in sent:
        if d.status == "awaiting_handover":
            mark_handed_over(app, d.ref, dana, note="handed over in person")
    clock.advance(timedelta(minutes=45))
    by_name = {name: wref for wref, name, _ in released.warnings}
    wf.respond(app, by_name["Public in Moscow"], "received", dana, via="phone")
    clock.advance(timedelta(days=2))
    disputed = wf.respond(app, by_name["Russian Federation (liaison)"], "disputed", dana)
    wf.resolve_escalation(app, disputed.escalations[0].ref, dana, outcome="dismissed")


def _record(app: wf.App) -> list[t.AuditEntry]:
    with app.read() as s:
        rows = list(s.scalars(select(t.AuditEntry).order_by(t.AuditEntry.seq)))
        s.expunge_all()
    return rows


def _expected(entries: list[t.AuditEntry]) -> dict[str, list[tuple[int, int]]]:
    """(seconds after the first report, seq) of each step, read from the audit log alone."""
    first = next(e for e in entries if e.action == "report.ingested")
    start = first.at
    out: dict[str, list[tuple[int, int]]] = {k: [] for k in aa.STEPS}
    out["first"] = [(0, first.seq)]

    def secs(e: t.AuditEntry) -> int:
        return int((e.at - start).total_seconds())

    det = next(e for e in entries if e.action.startswith("determination."))
    out["determination"].append((secs(det), det.seq))
    rel = next(e for e in entries if e.action == "release.approved")
    out["release_approval"].append((secs(rel), rel.seq))
    for e in entries:
        details = json.loads(e.details)
        if e.action == "delivery.sent":
            out["delivery"] += [(secs(e), e.seq)] * len(details.get("delivered", []))
        if e.action == "delivery.handed_over":
            out["delivery"].append((secs(e), e.seq))
        if e.action == "response.recorded" and details["kind"] in aa.ACKNOWLEDGED:
            out["acknowledgement"].append((secs(e), e.seq))
    return out


@pytest.fixture
def case(app: wf.App, clock: FixedClock, people: object, registry: None, threat_ref: str) -> str:
    _case(app, clock, threat_ref)
    return threat_ref


def test_every_lead_time_agrees_with_the_audit_record(app: wf.App, case: str) -> None:
    review = aa.case_review(app, case, None)
    expected = _expected(_record(app))
    assert review["first_report"]["audit"] == [expected["first"][0][1]]
    for step in aa.STEPS:
        got = [e for e in review["lead_times"] if e["step"] == step]
        assert sorted(e["after_report_s"] for e in got) == sorted(s for s, _ in expected[step])
        for e in got:  # each figure names the audit entry that records its moment
            matching = {seq for s, seq in expected[step] if s == e["after_report_s"]}
            assert matching & set(e["audit"]), (step, e)
    # the pace the case was given, as people read it
    steps = {e["step"]: e["after_report"] for e in review["lead_times"]}
    assert steps["determination"] == "30 min"
    assert steps["release_approval"] == "50 min"
    assert steps["acknowledgement"] == "4 h 35 min"
    deliveries = [e for e in review["lead_times"] if e["step"] == "delivery"]
    assert max(deliveries, key=lambda e: e["after_report_s"])["after_report"] == "3 h 50 min"


def test_answers_waivers_parity_and_escalations(app: wf.App, case: str) -> None:
    review = aa.case_review(app, case, None)
    entries = _record(app)
    answers = {a["recipient"]: a for a in review["answers"]}
    assert answers["Public in Moscow"]["outcome"] == "heeded"
    assert answers["Russian Federation (liaison)"]["outcome"] == "disputed"
    for a in answers.values():  # the response behind each answer is in the record
        rsp = [r for r in a["refs"] if r.startswith("RSP-")]
        recorded = {e.seq for e in entries if e.subject in rsp}
        assert recorded
        assert recorded <= set(a["audit"])
    tiers = {r["group"]: r for r in review["by_tier"]}
    assert tiers["public"]["heeded"] == 1
    assert tiers["public"]["rates"]["heeded"] == 1.0
    assert tiers["adversary"]["disputed"] == 1
    channels = {r["group"]: r for r in review["by_channel"]}
    assert channels["liaison_note"]["disputed"] == 1
    assert channels["public_feed"]["heeded"] == 1
    assert channels["webhook"]["heeded"] == 1
    flagged = [e for e in entries if e.action.startswith("determination.")]
    assert review["waivers"] == []
    parity_in_record = any(json.loads(e.details).get("parity_flagged") for e in flagged)
    assert bool(review["parity_flags"]) == parity_in_record
    ended = {e["action"]: e["ended"] for e in review["escalations"]}
    in_record = [e for e in entries if e.action.startswith("escalation.")]
    assert len(review["escalations"]) == len({e.subject for e in in_record})
    assert "dismissed" in ended.values()
    dismissed = next(e for e in in_record if e.action == "escalation.dismissed")
    assert any(dismissed.seq in e["audit"] for e in review["escalations"])


def test_a_waiver_is_counted_by_its_code(app: wf.App, people: object, registry: None) -> None:
    got = wf.ingest_bytes(app, report_text(), "moscow.txt", PROVENANCE, actor="dana")
    ref = next(e.threat_ref for e in got.events if e.threat_ref)
    assert ref is not None
    dana = wf.sign_in(app, "dana", PASSWORDS["dana"])
    wf.decide(
        app,
        ref,
        dana,
        waiver="endanger-sources-methods",
        justification="Warning now would expose the only source on this plot; re-examine in 24 h.",
    )
    period = aa.period_review(app, None, None, None)
    (by_code,) = period["waivers_by_code"]
    assert by_code["code"] == "endanger-sources-methods"
    assert by_code["count"] == 1
    assert by_code["refs"] == period["cases"][0]["waivers"][0]["refs"]
    seqs = {e.seq for e in _record(app) if e.action == "determination.waive"}
    assert seqs
    assert seqs <= set(period["cases"][0]["waivers"][0]["audit"])
    assert seqs <= set(by_code["audit"])


def test_a_period_has_medians_and_worst_and_leaves_out_what_the_viewer_may_not_see(
    app: wf.App, clock: FixedClock, case: str
) -> None:
    clock.advance(timedelta(days=1))
    secret = wf.ingest_bytes(
        app,
        report_text().replace(b"Moscow", b"Kazan"),
        "kazan.txt",
        wf.Provenance(**{**PROVENANCE.__dict__, "compartments": ("CT",)}),
        actor="dana",
    )
    hidden = next(e.threat_ref for e in secret.events if e.threat_ref)
    assert hidden is not None
    assert hidden != case
    everyone = aa.period_review(app, None, None, None)
    assert {c["ref"] for c in everyone["cases"]} == {case, hidden}
    outsider = wf.Identity("otto", frozenset({wf.Role.AUDITOR}), frozenset())
    seen = aa.period_review(app, outsider, None, None)
    assert [c["ref"] for c in seen["cases"]] == [case]
    assert hidden not in json.dumps(seen)
    with pytest.raises(NotFound):
        aa.case_review(app, hidden, outsider)
    summary = {s["step"]: s for s in seen["lead_time_summary"]}
    assert summary["release_approval"]["median"] == "50 min"
    assert summary["delivery"]["worst"] == "10 min" or summary["delivery"]["cases"] == 1
    # a period that ends before the hidden case opened has the first case alone
    until = datetime.fromisoformat(everyone["cases"][1]["first_report"]["at"])
    assert [c["ref"] for c in aa.period_review(app, None, None, until)["cases"]] == [case]
    with pytest.raises(InputError):
        aa.period_review(app, None, until, until)


def test_the_pdf_holds_the_figures_and_charts_and_its_export_is_audited(
    app: wf.App, case: str, tmp_path: Path
) -> None:
    pdf = aa.export_review(app, None, "pdf", by="aude", threat_ref=case)
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join((p.extract_text() or "") for p in reader.pages)
    flat = " ".join(text.split())
    for figure in ("30 min", "50 min", "3 h 50 min", "4 h 35 min", case, "disputed", "heeded"):
        assert figure in flat, figure
    # the charts are drawn in it: their legends as text (the tables say "Asked for more")
    # and their series' fill patterns as PDF patterns
    assert "asked for more" in flat
    resources: list[Any] = [p["/Resources"] for p in reader.pages]
    patterns = {n for r in resources for n in r.get("/Pattern", {})}
    assert len(patterns) >= 5
    for term in PROTECTED:
        assert term not in flat
    exported = [e for e in _record(app) if e.action == "review.exported"]
    assert [(e.actor, e.subject, json.loads(e.details)["format"]) for e in exported] == [
        ("aude", case, "pdf")
    ]
    html = aa.export_review(app, None, "html", by="aude", threat_ref=case).decode()
    assert html.count("<svg") == 4
    assert 'role="img"' in html
    assert "<script" not in html
    data = json.loads(aa.export_review(app, None, "json", by="aude", threat_ref=case))
    assert data["ref"] == case
    with pytest.raises(InputError):
        aa.export_review(app, None, "docx", by="aude", threat_ref=case)
