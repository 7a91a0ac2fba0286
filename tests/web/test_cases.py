"""Analyst actions through the workflow: correct a fact, merge and split cases, grade —
each on the record, audited, and felt by the next determination."""

from __future__ import annotations

import json

import pytest

from tearline import workflow as wf
from tearline.errors import AuthError, InputError, InvalidState, NotFound
from tearline.workflow import casefile, cases
from tearline.workflow.users import Identity, Role
from tests.web.conftest import ingest_demo
from tests.web.desk import seed

ANA = Identity("ana", frozenset({Role.ANALYST}), frozenset({"CT"}))
DANA = Identity("dana", frozenset({Role.DUTY_OFFICER}), frozenset({"CT"}))
KAZAN = (
    b"ISIS-K operatives plan a bombing of the central railway station in Kazan within days; "
    b"they intend to kill travellers.\n"
)


@pytest.fixture
def case(app: wf.App) -> str:
    seed(app, "http://127.0.0.1:9")
    return ingest_demo(app)


def test_a_correction_changes_the_fact_keeps_the_evidence_and_is_audited(
    app: wf.App, case: str
) -> None:
    before = wf.show(app, case)["facts"]["place"]
    place = {**before, "venue": None, "precision": "city"}
    done = cases.correct_fact(app, case, "place", place, "the venue is only a guess", ANA)
    after = wf.show(app, case)["facts"]["place"]
    assert after["precision"] == "city"
    assert after["venue"] is None
    assert after["offsets"] == before["offsets"]  # the evidence stays the words it came from
    entry = wf.audit_entries(app, limit=1)[0]
    assert entry["action"] == "threat.fact_corrected"
    assert entry["actor"] == "ana"
    assert "Crocus" not in entry["details"]  # digests, not the values
    file = casefile.case_file(app, case, ANA)
    assert file["corrections"][0]["before"]["venue"] == "Crocus City Hall"
    assert file["corrected_fields"] == ["place"]
    assert done.redecide is False
    assert done.withdrawn == []


def test_a_correction_after_a_proposal_withdraws_it_and_asks_to_decide_again(
    app: wf.App, case: str
) -> None:
    wf.decide(app, case, DANA)
    proposed = wf.propose_release(app, case, DANA)
    done = cases.correct_fact(
        app, case, "modality", "threatened", "it is a threat, not a plan", ANA
    )
    assert done.withdrawn == [proposed.ref]
    assert done.redecide
    assert wf.show(app, proposed.ref)["status"] == "withdrawn"
    assert casefile.case_file(app, case, ANA)["stale_determination"] is True


def test_a_determination_made_after_a_correction_is_not_called_stale(
    app: wf.App, case: str
) -> None:
    # The tests' clock stands still: the correction and the determination share a
    # timestamp, and only their order in the record tells which came first.
    cases.correct_fact(app, case, "modality", "threatened", "it is a threat, not a plan", ANA)
    wf.decide(app, case, DANA)
    assert casefile.case_file(app, case, ANA)["stale_determination"] is False
    cases.correct_fact(app, case, "modality", "planned", "the plan was confirmed", ANA)
    assert casefile.case_file(app, case, ANA)["stale_determination"] is True


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("place", {"name": "x", "offsets": [0, 0], "precision": "nowhere"}, "not valid"),
        (
            "time",
            {
                "text": "",
                "offsets": [0, 0],
                "start": "2024-03-08T00:00:00+00:00",
                "end": "2024-03-07T00:00:00+00:00",
                "precision": "day",
            },
            "end after",
        ),
        (
            "place",
            {"name": "x", "offsets": [0, 0], "precision": "city", "country": "Russia"},
            "alpha-2",
        ),
        ("colour", "red", "unknown fact"),
    ],
)
def test_bad_corrections_are_refused_and_change_nothing(
    app: wf.App, case: str, field: str, value: object, message: str
) -> None:
    facts = json.dumps(wf.show(app, case)["facts"], sort_keys=True)
    with pytest.raises(InputError, match=message):
        cases.correct_fact(app, case, field, value, "testing a bad value", ANA)
    assert json.dumps(wf.show(app, case)["facts"], sort_keys=True) == facts


def test_only_analysts_correct_and_only_what_they_may_see(app: wf.App, case: str) -> None:
    with pytest.raises(AuthError, match="analyst role"):
        cases.correct_fact(app, case, "modality", "claimed", "not my job at all", DANA)
    outsider = Identity("otto", frozenset({Role.ANALYST}))
    with pytest.raises(NotFound):
        cases.correct_fact(app, case, "modality", "claimed", "outside my compartments", outsider)
    with pytest.raises(InputError, match="say why"):
        cases.correct_fact(app, case, "modality", "claimed", "short", ANA)


def test_merge_moves_the_events_and_split_undoes_it(app: wf.App, case: str) -> None:
    prov = wf.Provenance(source="OSINT", reliability="C", compartments=("CT",))
    kazan = wf.ingest_bytes(app, KAZAN, "kazan.txt", prov, actor="ana")
    other = next(e.threat_ref for e in kazan.events if e.threat_ref)
    assert other != case
    into = cases.merge_cases(app, other, case, "the same cell, the same week", ANA)
    assert into == case
    merged = wf.show(app, other)
    assert merged["status"] == "merged"
    assert merged["events"] == []
    assert len(wf.show(app, case)["events"]) == 2
    actions = [e["action"] for e in wf.audit_entries(app, limit=3)]
    assert actions[-2:] == ["threat.merged", "threat.merge_received"]
    moved = kazan.events[0].ref
    new = cases.split_case(app, case, [moved], "two plots after all: Kazan is separate", ANA)
    assert [e["ref"] for e in wf.show(app, new)["events"]] == [moved]
    assert wf.show(app, new)["facts"]["place"]["city"] == "Kazan"
    with pytest.raises(InputError, match="at least one event must stay"):
        cases.split_case(app, new, [moved], "nothing would remain here", ANA)
    with pytest.raises(InvalidState, match="merged"):
        cases.merge_cases(app, other, case, "a merged case cannot merge again", ANA)


def test_a_case_with_released_warnings_cannot_be_merged_away(app: wf.App, case: str) -> None:
    prov = wf.Provenance(compartments=("CT",))
    kazan = wf.ingest_bytes(app, KAZAN, "kazan.txt", prov, actor="ana")
    other = next(e.threat_ref for e in kazan.events if e.threat_ref)
    wf.decide(app, case, DANA)
    proposed = wf.propose_release(app, case, DANA)
    wf.approve_release(app, proposed.ref, Identity("avery", frozenset({Role.APPROVER})))
    with pytest.raises(InvalidState, match="released warnings"):
        cases.merge_cases(app, case, other, "fold the warned case into another", ANA)


def test_grades_are_recorded_and_the_determination_uses_them(app: wf.App, case: str) -> None:
    changes = cases.grade_case(
        app,
        case,
        ANA,
        reason="the source has been wrong twice this year",
        info_credibility=5,
        sources={"SRC-1": "D"},
    )
    assert changes == ["SRC-1: B → D", f"{case}: information graded 5"]
    decided = wf.decide(app, case, DANA)
    assert decided.assessment.admiralty == "D5"
    assert "graded 5 (improbable) by ana" in decided.assessment.rationale["credibility"]
    assert not decided.checklist.credible.met
    with pytest.raises(InputError, match="protected"):
        cases.grade_case(app, case, ANA, reason="as PINE HARBOUR said", info_credibility=2)
    with pytest.raises(InputError, match="1 to 6"):
        cases.grade_case(app, case, ANA, reason="out of the scale entirely", info_credibility=9)


def test_the_case_file_marks_every_fact_at_its_evidence(app: wf.App, case: str) -> None:
    file = casefile.case_file(app, case, ANA)
    report = file["reports"][0]
    text = "".join(s.text for s in report["segments"])
    assert text == wf.show(app, "RPT-1")["text"]  # nothing lost or added by the cutting
    marked = {fid for s in report["segments"] for fid in s.facts}
    with_span = {r["id"] for r in report["facts"] if r["end"] and r["end"] > r["start"]}
    assert marked == with_span
    for row in report["facts"]:
        if row["id"] in marked:
            covered = "".join(s.text for s in report["segments"] if row["id"] in s.facts)
            assert covered == row["evidence"], row
