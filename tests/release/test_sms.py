"""The short form fits 160 characters in every tier and language, keeps the reference, and
uses the GSM 7-bit alphabet for Latin-script languages."""

from __future__ import annotations

import pytest

from tearline.model import Target, TargetType, Tier
from tearline.release import SMS_LIMIT, MessageKind, sms_text
from tearline.release.phrases import LANGUAGES
from tearline.release.sms import is_gsm7
from tests.factories import moscow_threat, span
from tests.release.support import envelope, facts_for


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
@pytest.mark.parametrize("tier", list(Tier))
def test_fits_and_keeps_the_reference(tier: Tier, lang: str) -> None:
    text = sms_text(facts_for(tier), envelope(tier), lang)
    assert 0 < len(text) <= SMS_LIMIT
    assert "WRN-1" in text
    if lang in ("en", "es"):
        assert is_gsm7(text), text


def test_english_public_sms_reads_as_an_alert() -> None:
    text = sms_text(facts_for(Tier.PUBLIC), envelope(Tier.PUBLIC), "en")
    assert text == (
        "SECURITY ALERT Moscow: attack planned; targets: large gatherings, concerts and concert "
        "venues; until 13 Mar. Avoid crowds. Ref WRN-1"
    )


def test_spanish_accents_are_folded_for_gsm() -> None:
    text = sms_text(facts_for(Tier.PUBLIC), envelope(Tier.PUBLIC), "es")
    assert text.startswith("ALERTA DE SEGURIDAD Moscu:")  # Moscú: ú is not in GSM-7


def test_many_targets_are_dropped_before_the_reference() -> None:
    every = tuple(Target(t, span(t.value)) for t in TargetType)
    event = moscow_threat(targets=every)
    for lang in LANGUAGES:
        text = sms_text(facts_for(Tier.PUBLIC, event), envelope(Tier.PUBLIC), lang)
        assert len(text) <= SMS_LIMIT
        assert "WRN-1" in text


def test_an_all_clear_names_the_warning_it_ends() -> None:
    prev = {"reference": "WRN-1", "issued_at": "2024-03-06T09:10:00+00:00"}
    env = envelope(Tier.PUBLIC, MessageKind.ALL_CLEAR, "WRN-5", prev)
    assert sms_text(facts_for(Tier.PUBLIC), env, "en") == (
        "SECURITY ALERT Moscow: WRN-1: all clear. Ref WRN-5"
    )
