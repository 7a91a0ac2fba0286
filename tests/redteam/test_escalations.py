"""Issue 20, part 7: escalations repeat. One proposal per rule, case or warning, and cause."""

from __future__ import annotations

from datetime import datetime, timedelta

from tearline import workflow as wf
from tearline.clock import FixedClock
from tests.conftest import seed_users
from tests.factories import add_liaison_with_fallback
from tests.workflow.conftest import PROVENANCE
from tests.workflow.test_delivery_outbox import release
from tests.workflow.test_escalation_policy import FOLLOW_UP


def _liaison_and_public(app: wf.App) -> tuple[wf.Identity, wf.Identity]:
    people = seed_users(app)
    add_liaison_with_fallback(app)  # the parity check adds the public
    return people


def _proposals(app: wf.App, rule: str) -> list[str]:
    return sorted(e.action for e in wf.list_escalations(app) if e.rule == rule)


def test_window_ending_proposes_rewarning_once_per_case(
    sqlite_app: wf.App, clock: FixedClock
) -> None:
    """Re-warn proposed twice: two warnings of a case run out, desk and worker tick together."""
    app = sqlite_app
    people = _liaison_and_public(app)
    released = release(app, people)
    assert len(released.warnings) == 2
    for ref, _, _ in released.warnings:
        wf.respond(app, ref, "acting", people[0])
    end = datetime.fromisoformat(str(wf.show(app, released.warnings[0][0])["valid_until"]))
    clock.set(end - timedelta(hours=app.settings.validity_alarm_hours - 1))
    wf.check_due(app)  # the desk's embedded worker
    wf.check_due(app)  # `tearline worker`, the same minute
    assert _proposals(app, "validity-ending") == ["alert_duty_officer", "propose_rewarning"]


def test_new_report_proposes_a_more_specific_warning_once_per_case(
    sqlite_app: wf.App, clock: FixedClock
) -> None:
    """Re-warn proposed per warning: a new report joins a case with two warnings in force."""
    app = sqlite_app
    people = _liaison_and_public(app)
    release(app, people)
    clock.advance(timedelta(hours=2))
    wf.ingest_bytes(app, FOLLOW_UP, "update.txt", PROVENANCE, actor="dana")
    wf.check_due(app)
    assert _proposals(app, "new-report") == [
        "alert_duty_officer",
        "propose_more_specific_rewarning",
    ]
