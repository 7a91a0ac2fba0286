"""The trigger, the recipients and the parity check."""

from __future__ import annotations

from datetime import timedelta

from tearline.assess import assess
from tearline.decide import Outcome, Role, determine, trigger_checklist
from tearline.model import Contact, Recipient, RecipientKind, Tier
from tests.factories import DOC_DATE, moscow_threat

RUSSIA = Recipient(
    1,
    "Russian Federation (liaison)",
    RecipientKind.GOVERNMENT,
    Tier.ADVERSARY,
    "ru",
    (Contact("liaison_note", "desk"),),
    jurisdiction="RU",
)
PUBLIC = Recipient(
    2,
    "Public in Moscow",
    RecipientKind.PUBLIC,
    Tier.PUBLIC,
    "en",
    (Contact("public_feed", "ru-moscow"),),
    area_country="RU",
    area_city="Moscow",
)
FRANCE = Recipient(
    3,
    "France (liaison)",
    RecipientKind.GOVERNMENT,
    Tier.ALLY,
    "fr",
    (Contact("webhook", "https://example.invalid"),),
    jurisdiction="FR",
)


def graded(event=None, reliability="B", now=DOC_DATE):  # type: ignore[no-untyped-def]
    event = event or moscow_threat()
    return event, assess(
        event, source_reliability=reliability, corroborations=0, now=now, horizon_days=30
    )


def test_moscow_threat_triggers_and_reaches_protector_and_public() -> None:
    event, a = graded()
    p = determine(event, a, [RUSSIA, PUBLIC, FRANCE])
    assert p.outcome is Outcome.WARN
    assert p.checklist.triggered
    roles = {s.recipient.name: s.role for s in p.suggestions}
    assert roles == {
        "Russian Federation (liaison)": Role.PROTECTOR,
        "Public in Moscow": Role.PUBLIC,
    }
    assert p.parity.flagged
    assert "no double standard" in p.parity.reason
    assert "large gatherings" in p.intended_victims
    assert "Moscow" in p.intended_victims


def test_parity_asks_for_an_audience_when_the_registry_has_none() -> None:
    event, a = graded()
    p = determine(event, a, [RUSSIA])
    assert p.parity.flagged
    assert p.parity.missing_area == ("RU", "Moscow")


def test_unreliable_source_is_not_credible() -> None:
    event, a = graded(reliability="E")
    checks = trigger_checklist(event, a)
    assert not checks.credible.met
    assert determine(event, a, [RUSSIA]).outcome is Outcome.NOT_TRIGGERED


def test_expired_window_is_not_impending() -> None:
    event, a = graded(now=DOC_DATE + timedelta(days=30))
    checks = trigger_checklist(event, a)
    assert not checks.impending.met
    assert "expired" in checks.impending.reason


def test_no_harm_to_people_is_out_of_scope() -> None:
    event, a = graded(moscow_threat(harm=(), method=None))
    checks = trigger_checklist(event, a)
    assert not checks.harm_in_scope.met


def test_method_alone_implies_harm_in_scope() -> None:
    event, a = graded(moscow_threat(harm=()))
    assert trigger_checklist(event, a).harm_in_scope.met


def test_vague_place_is_not_specific() -> None:
    event, a = graded(moscow_threat(place=None))
    assert not trigger_checklist(event, a).specific.met
