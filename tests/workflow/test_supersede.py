"""Determinations are versions on the record: a re-decision is an explicit, approved supersede."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.decide import Outcome
from tearline.errors import InputError, InvalidState, TwoPersonRule
from tearline.workflow.supersede import history
from tests.workflow.test_chain import release_all

REASON = "the window passed without an attack; the plot is judged disrupted"


@pytest.fixture
def warned(
    app: wf.App, threat_ref: str, people: tuple[wf.Identity, wf.Identity], clock: FixedClock
) -> wf.Released:
    released = release_all(app, threat_ref, people)
    clock.advance(timedelta(days=30))  # the window is past: the rule now gives not triggered
    return released


def _warnings(app: wf.App, threat_ref: str) -> list[tuple[str, str]]:
    data = wf.show(app, threat_ref)
    return [(w["ref"], w["status"]) for w in data["warnings"]]


def test_a_second_decision_without_a_supersede_is_refused_and_says_what_exists(
    app: wf.App, threat_ref: str, people: tuple[wf.Identity, wf.Identity], warned: wf.Released
) -> None:
    dana, _ = people
    with pytest.raises(InvalidState) as refused:
        wf.decide(app, threat_ref, dana)
    message = str(refused.value)
    assert "DET-1" in message
    assert "warn" in message
    assert "recorded" in message
    assert "WRN-1" in message
    assert "--supersede" in message
    assert [r["ref"] for r in history(app, threat_ref)] == ["DET-1"]


def test_a_downgrade_after_a_release_asks_what_the_warned_are_told(
    app: wf.App, threat_ref: str, people: tuple[wf.Identity, wf.Identity], warned: wf.Released
) -> None:
    dana, _ = people
    with pytest.raises(InputError, match="update, all-clear or nothing"):
        wf.decide(app, threat_ref, dana, supersede=REASON)
    with pytest.raises(InputError, match="unknown follow-up"):
        wf.decide(app, threat_ref, dana, supersede=REASON, follow_up="forget it")
    with pytest.raises(InputError, match="at least 20 characters"):
        wf.decide(app, threat_ref, dana, supersede="changed", follow_up="nothing")


def test_a_preview_shows_the_change_and_records_nothing(
    app: wf.App, threat_ref: str, people: tuple[wf.Identity, wf.Identity], warned: wf.Released
) -> None:
    dana, _ = people
    before = len(wf.audit_entries(app, limit=10_000))
    shown = wf.decide(app, threat_ref, dana, supersede=REASON, follow_up="all-clear", preview=True)
    assert shown.preview
    assert shown.change is not None
    c = shown.change
    assert (c.supersedes, c.before, c.after, c.version) == ("DET-1", "warn", "not_triggered", 2)
    assert c.downgrade
    assert c.follow_up == "all-clear"
    assert c.released == [w for w, status in _warnings(app, threat_ref) if status == "released"]
    assert c.dropped
    assert not c.added
    assert len(wf.audit_entries(app, limit=10_000)) == before
    assert [r["ref"] for r in history(app, threat_ref)] == ["DET-1"]


def test_a_supersede_waits_for_a_second_person_and_the_old_one_stays_in_force(
    app: wf.App, threat_ref: str, people: tuple[wf.Identity, wf.Identity], warned: wf.Released
) -> None:
    dana, avery = people
    released_before = _warnings(app, threat_ref)
    proposed = wf.decide(app, threat_ref, dana, supersede=REASON, follow_up="all-clear")
    assert (proposed.ref, proposed.status, proposed.outcome) == (
        "DET-2",
        "proposed",
        Outcome.NOT_TRIGGERED,
    )
    rows = history(app, threat_ref)
    assert [(r["ref"], r["status"], r["in_force"]) for r in rows] == [
        ("DET-1", "recorded", True),
        ("DET-2", "proposed", False),
    ]
    assert wf.show(app, threat_ref)["status"] == "warned"
    with pytest.raises(TwoPersonRule, match="cannot also approve"):
        wf.approve_waiver(app, "DET-2", dana)
    assert wf.approve_waiver(app, "DET-2", avery) == "DET-2"
    rows = history(app, threat_ref)
    assert [(r["ref"], r["status"], r["in_force"]) for r in rows] == [
        ("DET-1", "superseded", False),
        ("DET-2", "approved", True),
    ]
    v2 = rows[1]
    assert (v2["version"], v2["supersedes"], v2["reason"], v2["follow_up"]) == (
        2,
        "DET-1",
        REASON,
        "all-clear",
    )
    assert (v2["proposed_by"], v2["approved_by"]) == ("dana", "avery")
    assert v2["follow_up_owed"]
    assert wf.show(app, threat_ref)["status"] == "determined"
    # Released warnings stay released: never withdrawn or edited by a supersede.
    assert _warnings(app, threat_ref) == released_before
    actions = [e["action"] for e in wf.audit_entries(app, limit=10_000)]
    for action in (
        "determination.supersede_proposed",
        "determination.superseded",
        "determination.follow_up_pending",
    ):
        assert action in actions
    assert wf.audit_verify(app).entries == len(wf.audit_entries(app, limit=10_000))


def test_an_all_clear_release_settles_the_follow_up(
    app: wf.App, threat_ref: str, people: tuple[wf.Identity, wf.Identity], warned: wf.Released
) -> None:
    dana, avery = people
    wf.decide(app, threat_ref, dana, supersede=REASON, follow_up="all-clear")
    wf.approve_waiver(app, "DET-2", avery)
    wf.propose_end(app, threat_ref, dana, all_clear=True, reason=REASON)
    assert not history(app, threat_ref)[1]["follow_up_owed"]


def test_a_newer_supersede_withdraws_the_one_awaiting_approval(
    app: wf.App, threat_ref: str, people: tuple[wf.Identity, wf.Identity], warned: wf.Released
) -> None:
    dana, avery = people
    wf.decide(app, threat_ref, dana, supersede=REASON, follow_up="nothing")
    wf.decide(app, threat_ref, dana, supersede=REASON + ", second look", follow_up="update")
    assert [r["status"] for r in history(app, threat_ref)] == ["recorded", "withdrawn", "proposed"]
    with pytest.raises(InvalidState, match="not a supersede awaiting approval"):
        wf.approve_waiver(app, "DET-2", avery)
    wf.approve_waiver(app, "DET-3", avery)
    assert [r["status"] for r in history(app, threat_ref)] == [
        "superseded",
        "withdrawn",
        "approved",
    ]


def test_the_release_keeps_using_the_determination_in_force_while_a_supersede_waits(
    app: wf.App, threat_ref: str, people: tuple[wf.Identity, wf.Identity]
) -> None:
    dana, _ = people
    wf.decide(app, threat_ref, dana)
    wf.decide(
        app,
        threat_ref,
        dana,
        waiver="endanger-sources-methods",
        justification="a warning now would expose the source of the report",
        supersede="a waiver is proposed: the warning would expose the source",
    )
    proposed = wf.propose_release(app, threat_ref, dana)
    assert proposed.ref == "REL-1"
    assert history(app, threat_ref)[0]["in_force"]
