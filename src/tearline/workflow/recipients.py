"""The recipient registry: who can be warned, how, and how far they are trusted."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from tearline.errors import InputError, InvalidState
from tearline.ids import Kind, format_id
from tearline.model import Contact, RecipientKind, Tier
from tearline.store import tables as t
from tearline.workflow.app import App
from tearline.workflow.outbox import CHANNEL_NAMES


def add_recipient(
    app: App,
    *,
    name: str,
    kind: str,
    tier: str,
    language: str,
    contacts: Sequence[Contact],
    jurisdiction: str | None = None,
    area_country: str | None = None,
    area_city: str | None = None,
    actor: str = "system",
) -> str:
    try:
        kind_v, tier_v = RecipientKind(kind), Tier(tier)
    except ValueError as exc:
        raise InputError(f"recipient: {exc}") from None
    for c in contacts:
        if c.channel not in CHANNEL_NAMES:
            raise InputError(f"unknown channel {c.channel!r}; use one of {sorted(CHANNEL_NAMES)}")
    if not contacts:
        raise InputError("a recipient needs at least one contact point (--contact CHANNEL=ADDRESS)")
    for code in (jurisdiction, area_country):
        if code is not None and (len(code) != 2 or not code.isalpha()):
            raise InputError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    with app.unit() as u:
        if u.session.scalar(select(t.Recipient).where(t.Recipient.name == name)):
            raise InvalidState(f"a recipient named {name!r} already exists")
        row = t.Recipient(
            name=name,
            kind=kind_v.value,
            tier=tier_v.value,
            language=language,
            jurisdiction=jurisdiction.upper() if jurisdiction else None,
            area_country=area_country.upper() if area_country else None,
            area_city=area_city,
            contacts=[{"channel": c.channel, "address": c.address} for c in contacts],
            created_at=u.now,
        )
        u.session.add(row)
        u.session.flush()
        ref = format_id(Kind.RECIPIENT, row.id)
        u.audit(actor, "recipient.created", ref, {"kind": kind_v.value, "tier": tier_v.value})
        return ref
