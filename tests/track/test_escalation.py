"""Escalation rules propose the next step when a warning is dismissed or ignored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tearline.track import Action, ResponseKind, WarningState, on_response, overdue

RELEASED = datetime(2024, 3, 6, 9, 10, tzinfo=UTC)


def state(**kw) -> WarningState:  # type: ignore[no-untyped-def]
    base = {
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
    return WarningState(**base)


def test_dispute_proposes_a_wider_public_warning() -> None:
    now = datetime(2024, 3, 19, 10, tzinfo=UTC)
    proposals = on_response(state(), ResponseKind.DISPUTED, now)
    actions = [p.action for p in proposals]
    assert actions == [Action.PROPOSE_WIDER_PUBLIC_WARNING, Action.ALERT_DUTY_OFFICER]
    wider = proposals[0].detail
    assert wider["area"] == {"country": "RU", "city": None}
    assert wider["valid_until"] == (now + timedelta(days=14)).isoformat()


def test_public_disputing_an_alert_does_not_widen_it() -> None:
    proposals = on_response(state(recipient_public=True), ResponseKind.DISPUTED, RELEASED)
    assert [p.action for p in proposals] == [Action.ALERT_DUTY_OFFICER]


def test_request_for_information_proposes_a_more_specific_rewarning() -> None:
    proposals = on_response(state(), ResponseKind.MORE_INFO, RELEASED)
    assert proposals[0].action is Action.PROPOSE_MORE_SPECIFIC_REWARNING


def test_no_acknowledgement_in_time_escalates_once_due() -> None:
    ack = timedelta(minutes=60)
    assert overdue([state()], RELEASED + timedelta(minutes=59), ack) == []
    late = overdue([state()], RELEASED + timedelta(minutes=61), ack)
    assert [p.action for _, p in late] == [Action.RESEND_OTHER_CHANNEL, Action.ALERT_DUTY_OFFICER]
    assert "not acknowledged WRN-1 after 61 minutes" in late[0][1].reason


def test_an_answer_or_a_non_imminent_threat_stops_the_timer() -> None:
    later = RELEASED + timedelta(hours=5)
    ack = timedelta(minutes=60)
    assert overdue([state(responses=(ResponseKind.DISPUTED,))], later, ack) == []
    assert overdue([state(imminent=False)], later, ack) == []
    assert overdue([state(recipient_public=True)], later, ack) == []
