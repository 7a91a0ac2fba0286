"""Building released warnings for tests: the Moscow threat cut to a tier, in a language."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from joserfc.jwk import OKPKey

from tearline.assess import assess
from tearline.keystore import KeyStore
from tearline.model import Event, Tier
from tearline.release import (
    DEFAULT_POLICY,
    Envelope,
    MessageKind,
    Previous,
    ReleasableFacts,
    TierPolicy,
    reference_to,
    releasable_facts,
    render_artifacts,
    warning_document,
)
from tests.factories import DOC_DATE, moscow_threat

VALID_UNTIL = DOC_DATE + timedelta(days=7, hours=14, minutes=59, seconds=59)
SENDER = "Test agency"


def facts_for(
    tier: Tier, event: Event | None = None, policy: TierPolicy | None = None
) -> ReleasableFacts:
    event = event or moscow_threat()
    a = assess(event, source_reliability="B", corroborations=0, now=DOC_DATE, horizon_days=30)
    return releasable_facts(event, a, policy or DEFAULT_POLICY[tier])


def envelope(
    tier: Tier,
    kind: MessageKind = MessageKind.ALERT,
    reference: str = "WRN-1",
    previous: dict[str, Any] | None = None,
) -> Envelope:
    prev = None
    if previous is not None:
        prev = Previous(previous["reference"], datetime.fromisoformat(previous["issued_at"]))
    return Envelope(
        reference=reference,
        sender=SENDER,
        valid_from=DOC_DATE,
        valid_until=VALID_UNTIL,
        public=tier is Tier.PUBLIC,
        kind=kind,
        previous=prev,
    )


def document(
    tier: Tier,
    language: str = "en",
    *,
    kind: MessageKind = MessageKind.ALERT,
    reference: str = "WRN-1",
    previous: dict[str, Any] | None = None,
    event: Event | None = None,
    facts: ReleasableFacts | None = None,
) -> dict[str, Any]:
    return warning_document(
        facts or facts_for(tier, event),
        envelope(tier, kind, reference, previous),
        recipient={"name": f"Recipient ({tier.value})", "tier": tier.value, "language": language},
        issued_at=DOC_DATE + timedelta(minutes=10),
        references=[reference_to(previous)] if previous else [],
    )


def signing_key(tmp_path: Path) -> OKPKey:
    return KeyStore(tmp_path / "keys").signing_key()


def released(
    tmp_path: Path, tier: Tier, language: str = "en", **kw: Any
) -> tuple[dict[str, Any], dict[str, str], KeyStore]:
    """(document, signed artifacts, the key store) for one warning."""
    store = KeyStore(tmp_path / "keys")
    doc = document(tier, language, **kw)
    return doc, render_artifacts(doc, store.signing_key()), store
