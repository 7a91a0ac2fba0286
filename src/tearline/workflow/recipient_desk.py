"""The recipient registry as the desk shows and edits it: a page of it (the registry can
hold 100,000+ people), one recipient whole, and an add or edit from the cells of a CSV row
— through the same checks and the same store as ``tearline recipients add`` and ``import``.

A webhook contact point made here gets a signing secret that is returned once, to be
shown once; the registry never gives it back (``rotate_secret`` makes a new one).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select

from tearline.deliver.registry import csv_cells, recipient_from_cells
from tearline.deliver.signature import new_secret
from tearline.errors import InvalidState, NotFound
from tearline.ids import Kind, format_id, parse_id
from tearline.model import Contact
from tearline.store import tables as t
from tearline.workflow.access import load_visible
from tearline.workflow.app import App
from tearline.workflow.recipients import add_recipient, registry_with_locations, store_recipients
from tearline.workflow.records import recipient_value
from tearline.workflow.users import Identity, Role

PER_PAGE = 50


@dataclass(frozen=True)
class RegistryPage:
    rows: list[dict[str, Any]]
    total: int  # recipients that match the search
    page: int
    pages: int
    query: str


@dataclass(frozen=True)
class Saved:
    ref: str
    secrets: list[tuple[str, str]]  # (webhook address, signing secret): shown once


def registry_page(app: App, *, query: str = "", page: int = 1) -> RegistryPage:
    """One page of the registry by name, searched by name (case-insensitive)."""
    q = query.strip()[:100]
    where = [t.Recipient.name.ilike(f"%{q}%")] if q else []
    with app.read() as s:
        total = s.scalar(select(func.count(t.Recipient.id)).where(*where)) or 0
        pages = max(1, -(-total // PER_PAGE))
        page = min(max(1, page), pages)
        found = s.scalars(
            select(t.Recipient)
            .where(*where)
            .order_by(t.Recipient.name, t.Recipient.id)
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE)
        ).all()
        rows = [
            {
                "ref": format_id(Kind.RECIPIENT, r.id),
                "name": r.name,
                "kind": r.kind,
                "tier": r.tier,
                "language": r.language,
                "where": r.jurisdiction or " ".join(x for x in (r.area_city, r.area_country) if x),
                "nation": recipient_value(r).nation,
                "communities": list(r.communities or ()),
                "channels": sorted({c["channel"] for c in r.contacts}),
            }
            for r in found
        ]
    return RegistryPage(rows, total, page, pages, q)


def _contact_view(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "channel": c["channel"],
        "address": c["address"],
        "signed": bool(c.get("secret")),  # whether a secret is set, never the secret
        "cap_signature": c.get("cap_signature"),
    }


def recipient_page(app: App, ref: str, viewer: Identity) -> dict[str, Any]:
    """One recipient as the desk shows it: contact points (without secrets), fallbacks,
    home and itinerary, nation and communities, and the warnings it was sent."""
    with app.read() as s:
        row: t.Recipient = load_visible(s, ref, viewer, Kind.RECIPIENT)
        value = recipient_value(row)
        locations = s.scalars(
            select(t.RecipientLocation)
            .where(t.RecipientLocation.recipient_id == row.id)
            .order_by(t.RecipientLocation.starts_at.is_not(None), t.RecipientLocation.starts_at)
        ).all()
        warned = s.execute(
            select(t.WarningRecord.id, t.WarningRecord.threat_id, t.WarningRecord.status)
            .where(t.WarningRecord.recipient_id == row.id)
            .order_by(t.WarningRecord.id.desc())
            .limit(20)
        ).all()
        return {
            "ref": format_id(Kind.RECIPIENT, row.id),
            "name": row.name,
            "kind": row.kind,
            "tier": row.tier,
            "language": row.language,
            "jurisdiction": row.jurisdiction,
            "nation": value.nation,
            "nation_given": row.nation is not None,
            "communities": list(row.communities or ()),
            "area": {
                "country": row.area_country,
                "city": row.area_city,
                "lat": row.area_lat,
                "lon": row.area_lon,
                "radius_km": row.area_radius_km,
            },
            "contacts": [_contact_view(c) for c in row.contacts],
            "fallback_contacts": [_contact_view(c) for c in row.fallback_contacts or []],
            "locations": [
                {
                    "home": loc.kind == "home",
                    "label": loc.label,
                    "lat": loc.lat,
                    "lon": loc.lon,
                    "country": loc.country,
                    "from": loc.starts_at,
                    "to": loc.ends_at,
                }
                for loc in locations
            ],
            "warnings": [
                {
                    "ref": format_id(Kind.WARNING, wid),
                    "threat": format_id(Kind.THREAT, tid),
                    "status": status,
                }
                for wid, tid, status in warned
            ],
            "created_at": row.created_at,
        }


def recipient_cells(app: App, ref: str) -> dict[str, str]:
    """The recipient's cells as the edit form shows them (a CSV row; no secrets)."""
    _, number = parse_id(ref, Kind.RECIPIENT)
    for r in registry_with_locations(app, [number]):
        return csv_cells(r)
    raise NotFound(f"no recipient {format_id(Kind.RECIPIENT, number)}")


def _new_secrets(
    contacts: tuple[Contact, ...], held: set[tuple[str, str]], made: list[tuple[str, str]]
) -> tuple[Contact, ...]:
    """A secret for each webhook not already stored; each new one is added to ``made``."""
    out = []
    for c in contacts:
        if c.channel == "webhook" and not c.secret and (c.channel, c.address) not in held:
            c = replace(c, secret=new_secret())
            made.append((c.address, c.secret or ""))
        out.append(c)
    return tuple(out)


def add_from_cells(app: App, cells: dict[str, str], who: Identity) -> Saved:
    """Add a recipient from the form's cells: the checks and store of ``recipients add``."""
    who.require(Role.DUTY_OFFICER, "add a recipient")
    r = recipient_from_cells(cells)
    made: list[tuple[str, str]] = []
    contacts = _new_secrets(r.contacts, set(), made)
    fallback = _new_secrets(r.fallback_contacts, set(), made)
    homes = [loc for loc in r.locations if loc.is_home]
    ref = add_recipient(
        app,
        name=r.name,
        kind=r.kind.value,
        tier=r.tier.value,
        language=r.language,
        contacts=contacts,
        fallback_contacts=fallback,
        jurisdiction=r.jurisdiction,
        nation=r.nation,
        communities=r.communities,
        area_country=r.area_country,
        area_city=r.area_city,
        area_lat=r.area_lat,
        area_lon=r.area_lon,
        area_radius_km=r.area_radius_km,
        home=homes[0] if homes else None,
        itinerary=[loc for loc in r.locations if not loc.is_home],
        actor=who.username,
    )
    return Saved(ref, made)


def edit_from_cells(app: App, ref: str, cells: dict[str, str], who: Identity) -> Saved:
    """Replace a recipient with the form's cells (as ``import --update`` replaces one by
    name): stored secrets stay with their webhooks, a new webhook gets a new one."""
    who.require(Role.DUTY_OFFICER, "edit a recipient")
    r = recipient_from_cells(cells)
    _, number = parse_id(ref, Kind.RECIPIENT)
    made: list[tuple[str, str]] = []
    with app.unit() as u:
        row = u.session.get(t.Recipient, number)
        if row is None:
            raise NotFound(f"no recipient {format_id(Kind.RECIPIENT, number)}")
        if r.name != row.name:
            clash = u.session.scalar(select(t.Recipient.id).where(t.Recipient.name == r.name))
            if clash is not None:
                raise InvalidState(f"a recipient named {r.name!r} already exists")
            row.name = r.name  # renamed in place, so the replace below finds it by name
            u.session.flush()
        stored = [*(row.contacts or []), *(row.fallback_contacts or [])]
        held = {(c["channel"], c["address"]) for c in stored}
        r = replace(
            r,
            contacts=_new_secrets(r.contacts, held, made),
            fallback_contacts=_new_secrets(r.fallback_contacts, held, made),
        )
        store_recipients(u, [r], actor=who.username, update=True)
    return Saved(format_id(Kind.RECIPIENT, number), made)
