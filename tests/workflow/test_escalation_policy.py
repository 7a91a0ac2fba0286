"""Escalation paths on the record, on a fixed clock: unanswered, disputed, more information,
a new report on the same threat, a validity window running out, a custom policy."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from tearline import workflow as wf
from tearline.clock import FixedClock
from tearline.demo.receiver import LoopbackReceiver
from tearline.errors import AuthError, InputError, InvalidState
from tearline.settings import load_settings
from tests.conftest import START, fresh_postgres, postgres_url, seed_users
from tests.factories import add_liaison_with_fallback, add_moscow_recipients
from tests.workflow.conftest import PROVENANCE
from tests.workflow.test_delivery_outbox import partners, release

FOLLOW_UP = (
    b"Liaison update, 8 March 2024. ISIS-K operatives in Moscow are preparing an armed attack "
    b"on a concert at Crocus City Hall within days; they have obtained automatic rifles."
)


@pytest.fixture
def registry_with_fallback(app: wf.App) -> None:
    add_liaison_with_fallback(app)


def by_rule(app: wf.App) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for e in sorted(wf.list_escalations(app), key=lambda e: int(e.ref.split("-")[1])):
        out.setdefault(e.rule, []).append((e.action, e.status))
    return out


def test_unanswered_warning_is_resent_another_way_then_widened(
    app: wf.App,
    clock: FixedClock,
    people: tuple[wf.Identity, wf.Identity],
    registry_with_fallback: None,
) -> None:
    released = release(app, people)
    liaison = next(ref for ref, name, _ in released.warnings if "Russian" in name)
    ack = app.settings.ack_minutes_imminent
    clock.advance(timedelta(minutes=ack - 1))
    assert wf.check_due(app) == []
    clock.advance(timedelta(minutes=2))
    first = wf.check_due(app)
    resend = next(e for e in first if e.action == "resend_other_channel")
    assert resend.status == "done"
    (new_delivery,) = resend.detail["deliveries"]  # type: ignore[misc]
    shown = wf.show(app, liaison)
    assert [(d["ref"], d["channel"], d["address"]) for d in shown["deliveries"]][-1] == (
        new_delivery,
        "email",
        "duty@fsb.test",
    )
    assert wf.check_due(app) == []  # each step once
    clock.advance(timedelta(minutes=2 * ack))
    second = wf.check_due(app)
    assert [e.action for e in second] == ["propose_wider_public_warning", "alert_duty_officer"]
    wf.respond(app, liaison, "received", people[0], via="phone", note="got it")
    clock.advance(timedelta(hours=10))
    assert [e.rule for e in wf.check_due(app)] == []
    entries = [e["action"] for e in wf.audit_entries(app, limit=200)]
    assert entries.count("escalation.done") == 1
    assert entries.count("escalation.proposed") == 3


def test_dispute_and_request_for_information(
    app: wf.App,
    clock: FixedClock,
    people: tuple[wf.Identity, wf.Identity],
    registry_with_fallback: None,
) -> None:
    released = release(app, people)
    liaison = next(ref for ref, name, _ in released.warnings if "Russian" in name)
    clock.advance(timedelta(minutes=30))
    asked = wf.respond(app, liaison, "more_info", people[0], via="liaison")
    assert [e.action for e in asked.escalations] == [
        "propose_more_specific_rewarning",
        "alert_duty_officer",
    ]
    clock.advance(timedelta(days=1))
    disputed = wf.respond(app, liaison, "disputed", people[0], note="provocation")
    actions = [e.action for e in disputed.escalations]
    assert actions == ["propose_wider_public_warning", "alert_duty_officer"]
    clock.advance(timedelta(hours=25))  # a day on, still no action: the follow-up step
    follow = [(e.rule, e.action) for e in wf.check_due(app)]
    assert ("dismissed", "propose_more_specific_rewarning") in follow
    assert ("more-information", "alert_duty_officer") in follow


def test_a_new_report_on_the_same_threat_proposes_a_more_specific_warning(
    app: wf.App,
    clock: FixedClock,
    people: tuple[wf.Identity, wf.Identity],
    registry_with_fallback: None,
) -> None:
    released = release(app, people)
    clock.advance(timedelta(hours=20))
    got = wf.ingest_bytes(app, FOLLOW_UP, "update.txt", PROVENANCE, actor="dana")
    assert any(e.threat_ref and not e.new_case for e in got.events)  # joined the case
    news = [e for e in wf.list_escalations(app) if e.rule == "new-report"]
    assert len(released.warnings) > 1
    # One report, one case: one proposal and one alert, whatever the number of warnings.
    assert sorted(e.action for e in news) == [
        "alert_duty_officer",
        "propose_more_specific_rewarning",
    ]
    assert all(e.detail["scope"] == "every warning on THR-1" for e in news)
    wf.check_due(app)
    assert len([e for e in wf.list_escalations(app) if e.rule == "new-report"]) == 2


def test_validity_window_ending_while_the_threat_is_open(
    app: wf.App,
    clock: FixedClock,
    people: tuple[wf.Identity, wf.Identity],
    registry_with_fallback: None,
) -> None:
    released = release(app, people)
    liaison = next(ref for ref, name, _ in released.warnings if "Russian" in name)
    wf.respond(app, liaison, "acting", people[0])  # answered: no other timer runs
    valid_until = wf.show(app, liaison)["valid_until"]
    from datetime import datetime

    end = datetime.fromisoformat(valid_until)
    clock.set(end - timedelta(hours=app.settings.validity_alarm_hours + 1))
    assert [e for e in wf.check_due(app) if e.rule == "validity-ending"] == []
    clock.set(end - timedelta(hours=app.settings.validity_alarm_hours - 1))
    alarm = [e for e in wf.check_due(app) if e.rule == "validity-ending"]
    # Both warnings of the release end together: one cause, so one of each, not one per warning.
    assert len(released.warnings) > 1
    assert sorted(e.action for e in alarm) == ["alert_duty_officer", "propose_rewarning"]
    assert any(e.detail.get("valid_until_was") == valid_until for e in alarm)
    clock.advance(timedelta(minutes=1))
    assert [e for e in wf.check_due(app) if e.rule == "validity-ending"] == []


def test_a_custom_policy_is_data_on_the_record(
    app: wf.App,
    clock: FixedClock,
    people: tuple[wf.Identity, wf.Identity],
    registry_with_fallback: None,
) -> None:
    dana, avery = people
    policy = wf.active_policy(app).to_dict()
    no_ack = next(r for r in policy["rules"] if r["trigger"] == "no_ack")
    no_ack["steps"] = [{"after_minutes": 15, "actions": ["alert_duty_officer"]}]
    with pytest.raises(AuthError):
        wf.set_policy(app, policy, avery)
    with pytest.raises(InputError, match="rule 1 step 1"):
        wf.set_policy(
            app, {"rules": [{**no_ack, "steps": [{"after_minutes": "soon", "actions": []}]}]}, dana
        )
    wf.set_policy(app, policy, dana)
    changed = next(
        e for e in wf.audit_entries(app, limit=20) if e["action"] == "escalation_policy.updated"
    )
    assert json.loads(changed["details"])["rules"][0]["steps"][0]["after_minutes"] == 15
    release(app, people)
    clock.advance(timedelta(minutes=16))
    (alert,) = wf.check_due(app)
    assert (alert.rule, alert.action) == ("no-acknowledgement", "alert_duty_officer")
    ref = wf.resolve_escalation(app, alert.ref, dana, outcome="done", note="called the desk")
    with pytest.raises(InvalidState, match="already done"):
        wf.resolve_escalation(app, ref, dana, outcome="dismissed")
    assert [r.status for r in wf.list_escalations(app) if r.ref == ref] == ["done"]
    assert wf.list_escalations(app, open_only=True) == []


@pytest.mark.postgres
def test_two_workers_running_the_timers_at_once_propose_each_step_once(
    tmp_path: Path, clock: FixedClock
) -> None:
    """The desk's embedded worker and a `tearline worker` tick at the same moment: the
    unique key decides, so neither fails and nothing is proposed (or resent) twice."""
    url = fresh_postgres(postgres_url() or "")
    apps = [
        wf.App(
            load_settings(
                {"home": str(tmp_path / f"home{i}"), "database_url": url, "sender": "Test agency"},
                environ={},
            ),
            clock=clock,
        )
        for i in range(2)
    ]
    try:
        people = seed_users(apps[0])
        add_liaison_with_fallback(apps[0])
        release(apps[0], people)
        clock.advance(timedelta(minutes=3 * apps[0].settings.ack_minutes_imminent + 1))
        start = threading.Barrier(4)
        errors: list[BaseException] = []

        def tick(app: wf.App) -> None:
            start.wait()
            try:
                wf.check_due(app)
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=tick, args=(apps[i % 2],)) for i in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert errors == []
        rows = wf.list_escalations(apps[0])
        assert sorted(e.action for e in rows if e.rule == "no-acknowledgement") == sorted(
            [
                "resend_other_channel",
                "alert_duty_officer",
                "propose_wider_public_warning",
                "alert_duty_officer",
            ]
        )
        liaison = next(r for r in rows if r.action == "resend_other_channel")
        deliveries = wf.show(apps[0], liaison.warning_ref)["deliveries"]
        assert [d["address"] for d in deliveries].count("duty@fsb.test") == 1
    finally:
        for a in apps:
            a.close()


def _statements_of(app: wf.App, work: Callable[[], object]) -> int:
    """How many SQL statements ``work`` sent to the database."""
    sent: list[str] = []

    def count(*args: object) -> None:
        sent.append(str(args[2]))

    engines = {app.db.engine, app.db.reader}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)
    return len(sent)


def _steady_tick(app: wf.App, clock: FixedClock, url: str, partner_count: int) -> int:
    """The demo case released to the Moscow recipients and ``partner_count`` partners, the
    unanswered ones' first steps written: the statements of the next tick, when nothing
    new is due."""
    add_moscow_recipients(app, url)
    partners(app, url, partner_count)
    released = release(app, seed_users(app))
    assert len(released.warnings) >= partner_count + 2
    clock.advance(timedelta(minutes=app.settings.ack_minutes_imminent + 1))
    wf.check_due(app)
    stepped = {e.warning_ref for e in wf.list_escalations(app)}
    assert stepped >= {ref for ref, name, _ in released.warnings if name.startswith("Partner")}
    statements = _statements_of(app, lambda: wf.check_due(app))
    assert wf.check_due(app) == []
    return statements


def test_a_timer_tick_reads_many_warnings_in_as_many_statements_as_one(
    app: wf.App, clock: FixedClock, receiver: tuple[LoopbackReceiver, str], tmp_path: Path
) -> None:
    """The worker runs the timers every 15 s over every live warning: after a release to
    many, a tick must not cost a round of queries per warning (it held the database for
    seconds after a release to a few thousand)."""
    _, url = receiver
    few = _steady_tick(app, clock, url, 0)
    database = f"sqlite:///{tmp_path / 'many' / 'tearline.db'}"
    if app.db.dialect == "postgresql":
        pg = postgres_url()
        assert pg is not None
        database = fresh_postgres(pg)
    values = {"home": str(tmp_path / "many"), "database_url": database, "sender": "Test agency"}
    other_clock = FixedClock(START)
    many_app = wf.App(load_settings(values, environ={}), clock=other_clock)
    try:
        many = _steady_tick(many_app, other_clock, url, 25)
    finally:
        many_app.close()
    assert many == few, (few, many)
