"""The escalation policy: which steps come due when, and what settles them — on a fixed clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tearline.errors import InputError
from tearline.track import (
    Action,
    Policy,
    ResponseKind,
    Trigger,
    WarningState,
    default_policy,
    due,
    on_response,
    overdue,
)

RELEASED = datetime(2024, 3, 6, 9, 10, tzinfo=UTC)
POLICY = default_policy(60)


def state(**kw: object) -> WarningState:
    base: dict[str, object] = {
        "reference": "WRN-1",
        "threat_reference": "THR-1",
        "recipient": "Russia (liaison)",
        "recipient_public": False,
        "released_at": RELEASED,
        "valid_until": RELEASED + timedelta(days=7),
        "imminent": True,
        "place_country": "RU",
        "place_city": "Moscow",
        "responses": (),
    }
    base.update(kw)
    return WarningState(**base)  # type: ignore[arg-type]


def actions(proposals: list) -> list[str]:  # type: ignore[type-arg]
    return [f"{p.rule}/{p.action.value}" for p in proposals]


def test_dispute_proposes_a_wider_public_warning() -> None:
    now = datetime(2024, 3, 19, 10, tzinfo=UTC)
    proposals = on_response(state(), ResponseKind.DISPUTED, now)
    assert [p.action for p in proposals] == [
        Action.PROPOSE_WIDER_PUBLIC_WARNING,
        Action.ALERT_DUTY_OFFICER,
    ]
    wider = proposals[0].detail
    assert wider["area"] == {"country": "RU", "city": None}
    assert wider["valid_until"] == (now + timedelta(days=14)).isoformat()


def test_public_disputing_an_alert_does_not_widen_it() -> None:
    proposals = on_response(state(recipient_public=True), ResponseKind.DISPUTED, RELEASED)
    assert [p.action for p in proposals] == [Action.ALERT_DUTY_OFFICER]


def test_request_for_information_proposes_a_more_specific_rewarning() -> None:
    proposals = on_response(state(), ResponseKind.MORE_INFO, RELEASED)
    assert proposals[0].action is Action.PROPOSE_MORE_SPECIFIC_REWARNING


def test_no_acknowledgement_escalates_in_steps_until_an_answer() -> None:
    w = state()
    assert due(POLICY, w, RELEASED + timedelta(minutes=59), frozenset({Trigger.NO_ACK})) == []
    first = due(POLICY, w, RELEASED + timedelta(minutes=61), frozenset({Trigger.NO_ACK}))
    assert actions(first) == [
        "no-acknowledgement/resend_other_channel",
        "no-acknowledgement/alert_duty_officer",
    ]
    assert "has not acknowledged WRN-1 (61 minutes ago)" in first[0].reason
    later = due(POLICY, w, RELEASED + timedelta(minutes=181), frozenset({Trigger.NO_ACK}))
    assert actions(later)[2:] == [
        "no-acknowledgement/propose_wider_public_warning",
        "no-acknowledgement/alert_duty_officer",
    ]
    assert len({p.key for p in later}) == 4  # each step fires once: distinct keys
    answered = replace(w, responses=((ResponseKind.RECEIVED, RELEASED + timedelta(minutes=90)),))
    assert (
        due(POLICY, answered, RELEASED + timedelta(minutes=181), frozenset({Trigger.NO_ACK})) == []
    )


def test_the_old_overdue_helper_still_answers() -> None:
    late = overdue([state()], RELEASED + timedelta(minutes=61), timedelta(minutes=60))
    assert [p.action for _, p in late] == [Action.RESEND_OTHER_CHANNEL, Action.ALERT_DUTY_OFFICER]
    assert overdue([state(imminent=False)], RELEASED + timedelta(hours=5), timedelta(hours=1)) == []
    assert (
        overdue([state(recipient_public=True)], RELEASED + timedelta(hours=5), timedelta(hours=1))
        == []
    )


def test_a_dispute_follow_up_is_settled_by_action() -> None:
    disputed = RELEASED + timedelta(days=1)
    w = state(responses=((ResponseKind.DISPUTED, disputed),))
    day_later = disputed + timedelta(hours=25)
    assert "dismissed/propose_more_specific_rewarning" in actions(
        due(POLICY, w, day_later, frozenset({Trigger.DISPUTED}))
    )
    acting = replace(
        w, responses=(*w.responses, (ResponseKind.ACTING, disputed + timedelta(hours=2)))
    )
    assert actions(due(POLICY, acting, day_later, frozenset({Trigger.DISPUTED}))) == [
        "dismissed/propose_wider_public_warning",
        "dismissed/alert_duty_officer",
    ]


def test_validity_ending_while_the_threat_is_open() -> None:
    w = state(valid_until=RELEASED + timedelta(hours=48), validity_alarm=timedelta(hours=6))
    trig = frozenset({Trigger.VALIDITY_ENDING})
    assert due(POLICY, w, RELEASED + timedelta(hours=41), trig) == []
    alarm = due(POLICY, w, RELEASED + timedelta(hours=42), trig)
    assert actions(alarm) == [
        "validity-ending/propose_rewarning",
        "validity-ending/alert_duty_officer",
    ]
    assert alarm[0].detail == {"valid_until_was": (RELEASED + timedelta(hours=48)).isoformat()}
    assert due(POLICY, replace(w, threat_open=False), RELEASED + timedelta(hours=43), trig) == []


def test_new_report_and_dead_letters() -> None:
    w = state(
        new_report_at=RELEASED + timedelta(days=2),
        dead_letters=(("DLV-4", RELEASED + timedelta(minutes=5)), ("DLV-5", RELEASED)),
    )
    now = RELEASED + timedelta(days=3)
    news = due(POLICY, w, now, frozenset({Trigger.NEW_REPORT}))
    assert actions(news) == [
        "new-report/propose_more_specific_rewarning",
        "new-report/alert_duty_officer",
    ]
    dead = due(POLICY, w, now, frozenset({Trigger.DEAD_LETTER}))
    assert [p.key for p in dead] == [
        "WRN-1:dead-letter:0:DLV-4:resend_other_channel",
        "WRN-1:dead-letter:0:DLV-4:alert_duty_officer",
        "WRN-1:dead-letter:0:DLV-5:resend_other_channel",
        "WRN-1:dead-letter:0:DLV-5:alert_duty_officer",
    ]


def test_policy_documents_round_trip_and_mistakes_are_named() -> None:
    assert Policy.from_dict(POLICY.to_dict()) == POLICY
    doc = POLICY.to_dict()
    doc["rules"][0]["steps"][0]["after_minutes"] = 15
    assert Policy.from_dict(doc).rules[0].steps[0].after_minutes == 15
    cases = [
        ({"rules": "x"}, 'is {"rules"'),
        (
            {"rules": [{"name": "a", "trigger": "tuesday", "steps": []}]},
            "rule 1 trigger: 'tuesday'",
        ),
        ({"rules": [{"name": "a", "trigger": "no_ack", "steps": []}]}, "at least one step"),
        (
            {
                "rules": [
                    {
                        "name": "a",
                        "trigger": "no_ack",
                        "steps": [{"after_minutes": -5, "actions": ["alert_duty_officer"]}],
                    }
                ]
            },
            "rule 1 step 1: 'after_minutes'",
        ),
        (
            {
                "rules": [
                    {
                        "name": "a",
                        "trigger": "no_ack",
                        "steps": [{"after_minutes": 5, "actions": ["launch"]}],
                    }
                ]
            },
            "rule 1 step 1 action: 'launch'",
        ),
        (
            {
                "rules": [
                    {
                        "name": "a",
                        "trigger": "no_ack",
                        "steps": [
                            {"after_minutes": 9, "actions": ["alert_duty_officer"]},
                            {"after_minutes": 5, "actions": ["alert_duty_officer"]},
                        ],
                    }
                ]
            },
            "in order",
        ),
    ]
    for bad, message in cases:
        with pytest.raises(InputError, match=message.replace("(", r"\(").replace("{", r"\{")):
            Policy.from_dict(bad)
