"""The recipient registry: who can be warned, how, how far they are trusted, where they are.

Adding one recipient and importing a file go through the same checks
(``deliver.registry``); a file is stored whole or not at all. A webhook contact point
without a secret gets a fresh one (it signs the requests; give it to the receiver).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import delete, insert, select

from tearline.deliver.registry import (
    RegistryFileRejected,
    read_registry,
    recipient_from_dict,
    write_registry,
)
from tearline.deliver.signature import new_secret
from tearline.deliver.targeting import cells_at
from tearline.errors import InvalidState, NotFound
from tearline.ids import Kind, format_id, parse_id
from tearline.model import Contact, Location, Recipient
from tearline.store import tables as t
from tearline.workflow.app import App, Unit
from tearline.workflow.records import recipient_value


@dataclass(frozen=True)
class Imported:
    created: list[str]
    updated: list[str]


def _with_secrets(r: Recipient) -> Recipient:
    def secret(contacts: tuple[Contact, ...]) -> tuple[Contact, ...]:
        return tuple(
            replace(c, secret=new_secret()) if c.channel == "webhook" and not c.secret else c
            for c in contacts
        )

    return replace(r, contacts=secret(r.contacts), fallback_contacts=secret(r.fallback_contacts))


def _keep_secrets(u: Unit, recipient_id: int, r: Recipient) -> Recipient:
    """An update without secrets (exports have none) keeps the stored ones; one that does
    not say how a contact wants CAP signed (a CSV cannot) keeps what was stored."""
    row = u.session.get(t.Recipient, recipient_id)
    stored = [*(row.contacts if row else []), *((row.fallback_contacts or []) if row else [])]
    held = {(c["channel"], c["address"]): c.get("secret") for c in stored}
    cap = {(c["channel"], c["address"]): c.get("cap_signature") for c in stored}

    def keep(contacts: tuple[Contact, ...]) -> tuple[Contact, ...]:
        return tuple(
            replace(
                c,
                secret=c.secret or held.get((c.channel, c.address)),
                cap_signature=c.cap_signature or cap.get((c.channel, c.address)),
            )
            for c in contacts
        )

    return replace(r, contacts=keep(r.contacts), fallback_contacts=keep(r.fallback_contacts))


def _contact_json(c: Contact) -> dict[str, str]:
    return {
        "channel": c.channel,
        "address": c.address,
        **({"secret": c.secret} if c.secret else {}),
        **({"cap_signature": c.cap_signature} if c.cap_signature else {}),
    }


def _contact(c: dict[str, Any]) -> Contact:
    return Contact(c["channel"], c["address"], c.get("secret"), c.get("cap_signature"))


def _columns(r: Recipient) -> dict[str, Any]:
    return {
        "name": r.name,
        "kind": r.kind.value,
        "tier": r.tier.value,
        "language": r.language,
        "jurisdiction": r.jurisdiction,
        "area_country": r.area_country,
        "area_city": r.area_city,
        "area_lat": r.area_lat,
        "area_lon": r.area_lon,
        "area_radius_km": r.area_radius_km,
        "contacts": [_contact_json(c) for c in r.contacts],
        "fallback_contacts": [_contact_json(c) for c in r.fallback_contacts],
        "nation": r.nation,
        "communities": list(r.communities),
    }


def _store_locations(u: Unit, pairs: Sequence[tuple[int, Recipient]]) -> None:
    rows = [(rid, loc) for rid, r in pairs for loc in r.locations]
    if not rows:
        return
    import numpy as np

    cells = cells_at(np.array([loc.lat for _, loc in rows]), np.array([loc.lon for _, loc in rows]))
    u.session.execute(
        insert(t.RecipientLocation),
        [
            {
                "recipient_id": rid,
                "kind": "home" if loc.is_home else "stop",
                "label": loc.label,
                "lat": loc.lat,
                "lon": loc.lon,
                "country": loc.country,
                "starts_at": loc.starts_at,
                "ends_at": loc.ends_at,
                "cell": int(cell),
            }
            for (rid, loc), cell in zip(rows, cells.tolist(), strict=True)
        ],
    )


def store_recipients(
    u: Unit, recipients: Sequence[Recipient], *, actor: str, update: bool = False
) -> Imported:
    """Insert (or, with ``update``, replace by name) recipients and their locations."""
    names = [r.name for r in recipients]
    existing: dict[str, int] = {}
    for i in range(0, len(names), 900):
        chunk = names[i : i + 900]
        existing.update(
            u.session.execute(
                select(t.Recipient.name, t.Recipient.id).where(t.Recipient.name.in_(chunk))
            ).all()
        )
    if existing and not update:
        clash = sorted(existing)[:5]
        raise RegistryFileRejected(
            [
                f"a recipient named {n!r} already exists (import with --update to replace)"
                for n in clash
            ]
        )
    fresh = [_with_secrets(r) for r in recipients if r.name not in existing]
    replaced = [
        _with_secrets(_keep_secrets(u, existing[r.name], r))
        for r in recipients
        if r.name in existing
    ]
    new_ids: list[int] = []
    if fresh:
        new_ids = list(
            u.session.scalars(
                insert(t.Recipient).returning(t.Recipient.id, sort_by_parameter_order=True),
                [{**_columns(r), "created_at": u.now} for r in fresh],
            )
        )
    for r in replaced:
        row = u.session.get(t.Recipient, existing[r.name])
        assert row is not None
        for key, value in _columns(r).items():
            setattr(row, key, value)
    if replaced:
        ids = [existing[r.name] for r in replaced]
        u.session.execute(
            delete(t.RecipientLocation).where(t.RecipientLocation.recipient_id.in_(ids))
        )
    pairs = list(zip(new_ids, fresh, strict=True)) + [(existing[r.name], r) for r in replaced]
    _store_locations(u, pairs)
    created = [format_id(Kind.RECIPIENT, i) for i in new_ids]
    updated = [format_id(Kind.RECIPIENT, existing[r.name]) for r in replaced]
    detail = {"created": len(created), "updated": len(updated)}
    if len(created) + len(updated) <= 50:
        detail |= {"created_refs": created, "updated_refs": updated}  # type: ignore[dict-item]
    u.audit(
        actor,
        "recipients.imported"
        if len(recipients) > 1
        else ("recipient.updated" if updated else "recipient.created"),
        (created or updated or ["RCP-?"])[0],
        detail,
    )
    return Imported(created, updated)


def add_recipient(
    app: App,
    *,
    name: str,
    kind: str,
    tier: str,
    language: str,
    contacts: Sequence[Contact],
    fallback_contacts: Sequence[Contact] = (),
    jurisdiction: str | None = None,
    nation: str | None = None,
    communities: Sequence[str] = (),
    area_country: str | None = None,
    area_city: str | None = None,
    area_lat: float | None = None,
    area_lon: float | None = None,
    area_radius_km: float | None = None,
    home: Location | None = None,
    itinerary: Sequence[Location] = (),
    actor: str = "system",
) -> str:
    """Add one recipient (the same checks as an imported row)."""
    spec: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "tier": tier,
        "language": language,
        "jurisdiction": jurisdiction,
        "nation": nation,
        "communities": list(communities),
        "area": {
            "country": area_country,
            "city": area_city,
            "lat": area_lat,
            "lon": area_lon,
            "radius_km": area_radius_km,
        },
        "contacts": [_contact_json(c) for c in contacts],
        "fallback_contacts": [_contact_json(c) for c in fallback_contacts],
        "home": None
        if home is None
        else {"lat": home.lat, "lon": home.lon, "label": home.label, "country": home.country},
        "itinerary": [
            {
                "lat": s.lat,
                "lon": s.lon,
                "label": s.label,
                "country": s.country,
                "from": s.starts_at.isoformat() if s.starts_at else None,
                "to": s.ends_at.isoformat() if s.ends_at else None,
            }
            for s in itinerary
        ],
    }
    recipient, problems = recipient_from_dict(spec, 1)
    if recipient is None:
        raise RegistryFileRejected([p.replace("row 1, ", "", 1) for p in problems])
    with app.unit() as u:
        if u.session.scalar(select(t.Recipient.id).where(t.Recipient.name == recipient.name)):
            raise InvalidState(f"a recipient named {recipient.name!r} already exists")
        return store_recipients(u, [recipient], actor=actor).created[0]


def import_recipients(
    app: App, data: bytes, fmt: str, *, actor: str, update: bool = False
) -> Imported:
    """Import a CSV or JSON registry file: every row is checked; all stored, or none."""
    recipients = read_registry(data, fmt)
    with app.unit() as u:
        return store_recipients(u, recipients, actor=actor, update=update)


def registry_with_locations(app: App, ids: Sequence[int] | None = None) -> list[Recipient]:
    """Every recipient (or those of ``ids``) with contact secrets, areas and locations (for
    export and views)."""
    with app.read() as s:
        locs: dict[int, list[Location]] = {}
        where_loc = [] if ids is None else [t.RecipientLocation.recipient_id.in_(list(ids))]
        where = [] if ids is None else [t.Recipient.id.in_(list(ids))]
        for loc in s.scalars(
            select(t.RecipientLocation).where(*where_loc).order_by(t.RecipientLocation.id)
        ):
            locs.setdefault(loc.recipient_id, []).append(
                Location(loc.lat, loc.lon, loc.label, loc.country, loc.starts_at, loc.ends_at)
            )
        out = []
        for row in s.scalars(select(t.Recipient).where(*where).order_by(t.Recipient.id)):
            base = recipient_value(row)
            out.append(
                replace(
                    base,
                    contacts=tuple(_contact(c) for c in row.contacts),
                    area_lat=row.area_lat,
                    area_lon=row.area_lon,
                    area_radius_km=row.area_radius_km,
                    locations=tuple(locs.get(row.id, ())),
                    fallback_contacts=tuple(_contact(c) for c in row.fallback_contacts or []),
                )
            )
        return out


def export_recipients(app: App, fmt: str, *, with_secrets: bool = False, by: str = "") -> str:
    """The whole registry as CSV or JSON, without webhook signing secrets: they are
    write-only. ``with_secrets`` (JSON, the operator's backup) keeps them and is audited."""
    registry = registry_with_locations(app)
    if with_secrets:
        with app.unit() as u:
            u.audit(by or "system", "recipients.exported_secrets", "recipients", {"format": fmt})
        return write_registry(registry, fmt)

    def bare(contacts: tuple[Contact, ...]) -> tuple[Contact, ...]:
        return tuple(replace(c, secret=None) for c in contacts)

    return write_registry(
        [
            replace(r, contacts=bare(r.contacts), fallback_contacts=bare(r.fallback_contacts))
            for r in registry
        ],
        fmt,
    )


def rotate_secret(app: App, ref: str, *, by: str) -> list[tuple[str, str]]:
    """New signing secrets for a recipient's webhooks, returned once: (address, secret).

    The old ones stop signing at once; the audit records that they changed, never them."""
    kind, number = parse_id(ref, Kind.RECIPIENT)
    fresh: list[tuple[str, str]] = []

    def renew(contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for c in contacts:
            if c.get("channel") == "webhook":
                c = {**c, "secret": new_secret()}
                fresh.append((c["address"], c["secret"]))
            out.append(c)
        return out

    with app.unit() as u:
        row = u.session.get(t.Recipient, number)
        if row is None:
            raise NotFound(f"no recipient {format_id(kind, number)}")
        row.contacts = renew(list(row.contacts or []))
        row.fallback_contacts = renew(list(row.fallback_contacts or []))
        if not fresh:
            raise InvalidState(f"{format_id(kind, number)} has no webhook: nothing signs for it")
        u.audit(by, "recipient.secret_rotated", format_id(kind, number), {"webhooks": len(fresh)})
    return fresh
